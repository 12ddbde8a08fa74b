//! Cấu hình tỉnh — the province administrator's page of the province's
//! settings (`/can-bo/cau-hinh`): the version in force today, the versions
//! to come, who adopted each and why, and a form that adopts a new version
//! from a chosen day: working hours, the deadline policies, and the days
//! off of a year once the Government has decided them (next year's Tết).
//! The index of Decision 766 — each criterion's points and target, each
//! grade band's minimum — is on the form too ([`index_form`]); its
//! scoring rules are changed by `motcua config import` or the API (a JSON
//! document).
//!
//! The change goes through [`crate::api::settings::adopt`], so the page
//! and the API apply the same rule and leave the same event. A refusal
//! shows on the form with what was typed kept.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime};
use motcua_domain::calendar::{
    parse_holidays, AfterHoursReceipt, SupplementPolicy, WorkInterval, WorkingHours,
};
use motcua_domain::settings::SettingsDocument;
use serde::Deserialize;

use super::official::{login_to, official};
use super::ui::{when, Ctx, Lang};
use super::{render, PageError};
use crate::api::settings as api;
use crate::auth::session::MaybeSession;
use crate::error::ApiError;
use crate::AppState;

mod index_form;

const PATH: &str = "/can-bo/cau-hinh";

/// The form's fields, as typed (kept on a refusal).
#[derive(Debug, Clone, Default)]
pub struct Fields {
    valid_from: String,
    morning_start: String,
    morning_end: String,
    afternoon_start: String,
    afternoon_end: String,
    after_hours: String,
    supplement: String,
    apology_lead: String,
    unstated_limit: String,
    online_acceptance: String,
    holiday_year: String,
    holidays: String,
    reason: String,
    /// The index's fields ([`index_form::fields_of`]).
    index: std::collections::BTreeMap<String, String>,
}

impl Fields {
    fn of(doc: &SettingsDocument, valid_from: NaiveDate) -> Fields {
        let hours = doc.working_hours.intervals();
        let t = |i: usize, start: bool| {
            hours
                .get(i)
                .map(|w| if start { w.start } else { w.end })
                .map(|t| t.format("%H:%M").to_string())
                .unwrap_or_default()
        };
        let p = &doc.deadline;
        Fields {
            valid_from: valid_from.to_string(),
            morning_start: t(0, true),
            morning_end: t(0, false),
            afternoon_start: t(1, true),
            afternoon_end: t(1, false),
            after_hours: match p.after_hours_receipt {
                AfterHoursReceipt::DayOfReceipt => "day_of_receipt",
                AfterHoursReceipt::NextWorkingMorning => "next_working_morning",
            }
            .into(),
            supplement: match p.supplement {
                SupplementPolicy::Restart => "restart",
                SupplementPolicy::Continue => "continue",
            }
            .into(),
            apology_lead: p.apology_lead_working_days.to_string(),
            unstated_limit: p.unstated_limit_working_days.to_string(),
            online_acceptance: p.online_acceptance_working_hours.to_string(),
            holiday_year: String::new(),
            holidays: String::new(),
            reason: String::new(),
            index: index_form::base(doc, valid_from)
                .map(|spec| index_form::fields_of(&spec))
                .unwrap_or_default(),
        }
    }

    fn from_form(f: &HashMap<String, String>) -> Fields {
        let g = |n: &str| f.get(n).map(|v| v.trim().to_string()).unwrap_or_default();
        Fields {
            valid_from: g("valid_from"),
            morning_start: g("morning_start"),
            morning_end: g("morning_end"),
            afternoon_start: g("afternoon_start"),
            afternoon_end: g("afternoon_end"),
            after_hours: g("after_hours"),
            supplement: g("supplement"),
            apology_lead: g("apology_lead"),
            unstated_limit: g("unstated_limit"),
            online_acceptance: g("online_acceptance"),
            holiday_year: g("holiday_year"),
            holidays: f.get("holidays").cloned().unwrap_or_default(),
            reason: g("reason"),
            index: index_form::fields_from(f),
        }
    }

    /// The new version: the one in force with what the form changes.
    fn document(&self, base: &SettingsDocument) -> Result<SettingsDocument, ApiError> {
        let bad = |vi: String, en: String| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "settings_form", vi, en)
        };
        let mut doc = base.clone();
        doc.valid_from = NaiveDate::parse_from_str(&self.valid_from, "%Y-%m-%d").map_err(|_| {
            bad(
                "Ngày hiệu lực không hợp lệ.".into(),
                "Invalid effective date.".into(),
            )
        })?;
        let time = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").ok();
        let mut intervals = Vec::new();
        for (a, b, vi, en) in [
            (
                &self.morning_start,
                &self.morning_end,
                "buổi sáng",
                "morning",
            ),
            (
                &self.afternoon_start,
                &self.afternoon_end,
                "buổi chiều",
                "afternoon",
            ),
        ] {
            if a.is_empty() && b.is_empty() {
                continue;
            }
            match (time(a), time(b)) {
                (Some(start), Some(end)) => intervals.push(WorkInterval { start, end }),
                _ => {
                    return Err(bad(
                        format!("Giờ làm việc {vi} không hợp lệ (dạng HH:MM)."),
                        format!("Invalid {en} working hours (HH:MM)."),
                    ))
                }
            }
        }
        doc.working_hours = WorkingHours::new(intervals).map_err(|e| {
            bad(
                format!("Giờ làm việc không hợp lệ: {e}."),
                format!("Invalid working hours: {e}."),
            )
        })?;
        doc.deadline.after_hours_receipt = match self.after_hours.as_str() {
            "next_working_morning" => AfterHoursReceipt::NextWorkingMorning,
            _ => AfterHoursReceipt::DayOfReceipt,
        };
        doc.deadline.supplement = match self.supplement.as_str() {
            "continue" => SupplementPolicy::Continue,
            _ => SupplementPolicy::Restart,
        };
        let number = |s: &str, vi: &str, en: &str| {
            s.parse::<u32>().map_err(|_| {
                bad(
                    format!("{vi}: cần một số nguyên."),
                    format!("{en}: a whole number."),
                )
            })
        };
        doc.deadline.apology_lead_working_days = number(
            &self.apology_lead,
            "Số ngày báo trước khi xin lỗi",
            "Apology lead time",
        )?;
        doc.deadline.unstated_limit_working_days =
            number(&self.unstated_limit, "Thời hạn mặc định", "Default limit")?;
        doc.deadline.online_acceptance_working_hours = number(
            &self.online_acceptance,
            "Thời hạn tiếp nhận hồ sơ trực tuyến",
            "Online acceptance time",
        )?;
        if !self.holidays.trim().is_empty() || !self.holiday_year.is_empty() {
            let year: i32 = self.holiday_year.parse().map_err(|_| {
                bad(
                    "Cần ghi năm của danh sách ngày nghỉ.".into(),
                    "Give the year of the list of days off.".into(),
                )
            })?;
            let text = self.holidays.trim();
            let csv = if text.starts_with("date") {
                text.to_string()
            } else {
                format!("date,name,name_vi\n{text}")
            };
            let days = parse_holidays(&csv).map_err(|e| {
                bad(
                    format!("Danh sách ngày nghỉ không hợp lệ: {e}."),
                    format!("Invalid list of days off: {e}."),
                )
            })?;
            doc.holiday_years.insert(year, days);
        }
        if let Some(index) = index_form::base(base, doc.valid_from) {
            match index_form::changed(&index, &self.index, doc.valid_from) {
                Ok(Some(spec)) => doc.index766 = Some(spec),
                // The province's own index carries on from the new day.
                Ok(None) => {
                    if let Some(spec) = doc.index766.as_mut() {
                        spec.effective_from = doc.valid_from;
                    }
                }
                Err(index_form::Unreadable(vi, en)) => return Err(bad(vi, en)),
            }
        }
        Ok(doc)
    }
}

pub struct VersionRow {
    valid_from: String,
    hours: String,
    in_force: bool,
}

pub struct HistoryRow {
    seq: u64,
    valid_from: String,
    at: String,
    by: String,
    reason: String,
    superseded: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Ctx,
    province: String,
    today: String,
    f: Fields,
    provisional: String,
    confirmed_years: String,
    index_version: String,
    index_rows: Vec<index_form::IndexRow>,
    index_bands: Vec<index_form::BandRow>,
    versions: Vec<VersionRow>,
    history: Vec<HistoryRow>,
    notice: String,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    xong: Option<String>,
}

fn page(
    state: &AppState,
    l: Lang,
    session: MaybeSession,
    province: &str,
    fields: Option<Fields>,
    notice: String,
    error: Option<&ApiError>,
) -> Response {
    let today = state.today();
    let book = state.engine.settings_book(province);
    let rules = book.at(today);
    let v = api::view(province, &book, today);
    let index_version = rules
        .index
        .as_ref()
        .map(|i| i.version.clone())
        .or_else(|| {
            motcua_domain::reports::IndexConfigs::shipped()
                .for_date(today)
                .map(|i| i.version.clone())
        })
        .unwrap_or_default();
    let f = fields.unwrap_or_else(|| Fields::of(&rules.document, today));
    let (index_rows, index_bands) = index_form::base(&rules.document, today)
        .map(|spec| index_form::rows(l, &spec, &f.index))
        .unwrap_or_default();
    let page = SettingsPage {
        province: province.to_string(),
        today: today.format("%d/%m/%Y").to_string(),
        f,
        index_rows,
        index_bands,
        provisional: v
            .provisional_years
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        confirmed_years: rules
            .document
            .holiday_years
            .keys()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        index_version,
        versions: book
            .versions()
            .iter()
            .map(|r| VersionRow {
                valid_from: r.valid_from().format("%d/%m/%Y").to_string(),
                hours: r
                    .document
                    .working_hours
                    .intervals()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                in_force: r.valid_from() == rules.valid_from(),
            })
            .collect(),
        history: book
            .history()
            .iter()
            .rev()
            .map(|h| HistoryRow {
                seq: h.seq,
                valid_from: h.valid_from.format("%d/%m/%Y").to_string(),
                at: when(&h.recorded_at),
                by: h.recorded_by.clone(),
                reason: h.reason.clone().unwrap_or_default(),
                superseded: h.superseded,
            })
            .collect(),
        notice,
        error: error
            .map(|e| format!("{} ({})", l.t(&e.message_vi, &e.message_en), e.code))
            .unwrap_or_default(),
        c: Ctx::new(l, PATH, session),
    };
    let status = error.map_or(StatusCode::OK, |e| e.status);
    (status, render(&page)).into_response()
}

/// `GET /can-bo/cau-hinh`: the province's settings and the form.
pub async fn settings_page(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(PATH));
    };
    let Some(province) = s.principal.configured_province().map(str::to_string) else {
        return Err(PageError(crate::auth::session::forbidden()));
    };
    let notice = match q.xong.as_deref() {
        Some("ap-dung") => l
            .t(
                "Đã ghi phiên bản cấu hình mới; các hạn tính từ ngày hiệu lực của nó áp dụng phiên bản này.",
                "The new version is recorded; deadlines counted from its effective day use it.",
            )
            .to_string(),
        _ => String::new(),
    };
    Ok(page(&state, l, session, &province, None, notice, None))
}

/// `POST /can-bo/cau-hinh`: adopts the version the form describes, then
/// back to the page (303); a refusal shows the form again as typed.
pub async fn settings_post(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(PATH));
    };
    let Some(province) = s.principal.configured_province().map(str::to_string) else {
        return Err(PageError(crate::auth::session::forbidden()));
    };
    let fields = Fields::from_form(&f);
    let base = state
        .engine
        .rules(&province, state.today())
        .document
        .clone();
    let attempt = match fields.document(&base) {
        Ok(doc) => {
            let password = f.get("current_password").map(String::as_str);
            api::adopt(&state, &s, &province, doc, &fields.reason, password)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    match attempt {
        Ok(()) => {
            Ok(Redirect::to(&format!("{PATH}?xong=ap-dung&lang={}", l.code())).into_response())
        }
        Err(e) if e.status.is_client_error() => Ok(page(
            &state,
            l,
            session,
            &province,
            Some(fields),
            String::new(),
            Some(&e),
        )),
        Err(e) => Err(PageError(e)),
    }
}
