//! Số liệu ngoài hệ thống — `/bao-cao/so-lieu-ngoai?unit=…&month=…`: the
//! external inputs of the Decision 766 index of one unit and month, with
//! who entered the declaration in force and when, its earlier versions,
//! and (for the unit's leader and the province administrator) a no-script
//! form to declare them. Every change goes through
//! [`crate::api::reports::inputs::declare`], so the page and the API apply
//! the same access rule and validation. Linked from the dashboard.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::dossier::UnitId;
use motcua_domain::reports::inputs::{may_declare, FieldKind};
use motcua_domain::reports::{ExternalInputs, InputField, Month, PaknInputs, Ratio};
use serde::Deserialize;

use super::official::{login_to, official};
use super::ui::{urlencode, when, Ctx, Lang};
use super::{render, PageError};
use crate::api::reports::inputs::{self as api, parse_month, parse_unit};
use crate::api::reports::service;
use crate::auth::session::MaybeSession;
use crate::auth::{AuthContext, Viewer};
use crate::error::ApiError;
use crate::AppState;

const PATH: &str = "/bao-cao/so-lieu-ngoai";

/// The PAKN counts: form name suffix and labels.
const PAKN_PARTS: [(&str, &str, &str); 4] = [
    ("received", "Tiếp nhận", "Received"),
    ("handled_on_time", "Xử lý đúng hạn", "Handled on time"),
    ("rated", "Lượt đánh giá", "Rated"),
    ("satisfied", "Hài lòng", "Satisfied"),
];

/// One number box of the form.
pub struct InputBox {
    name: String,
    label: String,
    value: String,
}

/// One field of [`ExternalInputs`] as a fieldset.
pub struct FieldRow {
    key: &'static str,
    label: String,
    /// The value in force, as text ("–" when not provided).
    current: String,
    boxes: Vec<InputBox>,
}

pub struct VersionRow {
    version: u32,
    by: String,
    at: String,
    note: String,
    filled: usize,
}

#[derive(Template)]
#[template(path = "report_inputs.html")]
struct InputsPage {
    c: Ctx,
    unit: String,
    unit_name: String,
    month: String,
    month_label: String,
    may_write: bool,
    /// "Phiên bản 2 do … nhập lúc …", empty when nothing is declared.
    in_force: String,
    in_force_note: String,
    fields: Vec<FieldRow>,
    note: String,
    history: Vec<VersionRow>,
    notice: String,
    error: String,
    dashboard: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct InputsQuery {
    unit: Option<String>,
    month: Option<String>,
    /// The version just saved, to announce.
    da_luu: Option<u32>,
}

fn ratio_names(key: &str) -> [String; 2] {
    [format!("{key}_tu"), format!("{key}_mau")]
}

fn count_text(v: Option<u64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

/// The boxes of each field, filled from `values` (the stored inputs, or
/// what was just typed).
fn field_rows(l: Lang, shown: &dyn Fn(&str) -> String, current: &ExternalInputs) -> Vec<FieldRow> {
    InputField::ALL
        .into_iter()
        .map(|f| {
            let key = f.key();
            let (boxes, now) = match f.kind() {
                FieldKind::Ratio => {
                    let [n, d] = ratio_names(key);
                    (
                        vec![
                            InputBox {
                                label: l.t("Tử số", "Numerator").to_string(),
                                value: shown(&n),
                                name: n,
                            },
                            InputBox {
                                label: l.t("Mẫu số", "Denominator").to_string(),
                                value: shown(&d),
                                name: d,
                            },
                        ],
                        f.ratio(current)
                            .map(|r| format!("{}/{}", r.numerator, r.denominator)),
                    )
                }
                FieldKind::Count => (
                    vec![InputBox {
                        label: l.t("Số lượng", "Count").to_string(),
                        value: shown(key),
                        name: key.to_string(),
                    }],
                    f.count(current).map(|n| n.to_string()),
                ),
                FieldKind::Pakn => (
                    PAKN_PARTS
                        .iter()
                        .map(|(part, vi, en)| {
                            let name = format!("pakn_{part}");
                            InputBox {
                                label: l.t(vi, en).to_string(),
                                value: shown(&name),
                                name,
                            }
                        })
                        .collect(),
                    current.pakn.map(|p| {
                        format!(
                            "{}: {}, {}: {}, {}: {}, {}: {}",
                            l.t("tiếp nhận", "received"),
                            p.received,
                            l.t("đúng hạn", "on time"),
                            p.handled_on_time,
                            l.t("đánh giá", "rated"),
                            p.rated,
                            l.t("hài lòng", "satisfied"),
                            p.satisfied
                        )
                    }),
                ),
            };
            FieldRow {
                key,
                label: l.t(f.label_vi(), f.label_en()).to_string(),
                current: now.unwrap_or_else(|| "–".to_string()),
                boxes,
            }
        })
        .collect()
}

/// The form values of stored inputs.
fn values_of(x: &ExternalInputs) -> HashMap<String, String> {
    let mut v = HashMap::new();
    for f in InputField::ALL {
        match f.kind() {
            FieldKind::Ratio => {
                if let Some(r) = f.ratio(x) {
                    let [n, d] = ratio_names(f.key());
                    v.insert(n, r.numerator.to_string());
                    v.insert(d, r.denominator.to_string());
                }
            }
            FieldKind::Count => {
                v.insert(f.key().to_string(), count_text(f.count(x)));
            }
            FieldKind::Pakn => {
                if let Some(p) = x.pakn {
                    for (part, n) in [
                        ("received", p.received),
                        ("handled_on_time", p.handled_on_time),
                        ("rated", p.rated),
                        ("satisfied", p.satisfied),
                    ] {
                        v.insert(format!("pakn_{part}"), n.to_string());
                    }
                }
            }
        }
    }
    v
}

fn form_error(code: &'static str, vi: String, en: String) -> ApiError {
    ApiError::bad_request(code, vi, en)
}

/// Reads the inputs of the form: a blank box is "not provided"; a ratio
/// needs both boxes and PAKN all four, or none.
fn parse_form(f: &HashMap<String, String>) -> Result<ExternalInputs, ApiError> {
    let number = |name: &str, label: &str| -> Result<Option<u64>, ApiError> {
        let raw = f.get(name).map(|s| s.trim()).unwrap_or_default();
        if raw.is_empty() {
            return Ok(None);
        }
        raw.parse::<u64>().map(Some).map_err(|_| {
            form_error(
                "invalid_number",
                format!("{label}: {raw:?} không phải số nguyên không âm."),
                format!("{name}: {raw:?} is not a non-negative whole number."),
            )
        })
    };
    let mut x = ExternalInputs::default();
    for field in InputField::ALL {
        let label = field.label_vi();
        match field.kind() {
            FieldKind::Ratio => {
                let [n, d] = ratio_names(field.key());
                let r = match (number(&n, label)?, number(&d, label)?) {
                    (Some(n), Some(d)) => Some(Ratio::new(n, d)),
                    (None, None) => None,
                    _ => {
                        return Err(form_error(
                            "incomplete_ratio",
                            format!("{label}: cần nhập cả tử số và mẫu số, hoặc để trống cả hai."),
                            format!(
                                "{}: give both the numerator and the denominator, or neither.",
                                field.key()
                            ),
                        ))
                    }
                };
                match field {
                    InputField::PublishedOnTime => x.published_on_time = r,
                    InputField::UpdatedOnTime => x.updated_on_time = r,
                    InputField::PublishedComplete => x.published_complete = r,
                    InputField::DigitizedDataReused => x.digitized_data_reused = r,
                    InputField::DigitizedDataShared => x.digitized_data_shared = r,
                    InputField::PopulationDataUsed => x.population_data_used = r,
                    InputField::ProceduresOnPopulationDb => x.procedures_on_population_db = r,
                    _ => x.electronic_certified_copies = r,
                }
            }
            FieldKind::Count => {
                let n = number(field.key(), label)?;
                match field {
                    InputField::SynchronizedDossiers => x.synchronized_dossiers = n,
                    _ => x.fee_procedures_on_portal = n,
                }
            }
            FieldKind::Pakn => {
                let mut parts = Vec::new();
                for (part, _, _) in PAKN_PARTS {
                    parts.push(number(&format!("pakn_{part}"), label)?);
                }
                x.pakn = match parts.as_slice() {
                    [Some(received), Some(handled_on_time), Some(rated), Some(satisfied)] => {
                        Some(PaknInputs {
                            received: *received,
                            handled_on_time: *handled_on_time,
                            rated: *rated,
                            satisfied: *satisfied,
                        })
                    }
                    [None, None, None, None] => None,
                    _ => {
                        return Err(form_error(
                            "incomplete_pakn",
                            "PAKN: cần nhập đủ bốn số (tiếp nhận, xử lý đúng hạn, lượt đánh giá, hài lòng), hoặc để trống cả bốn.".to_string(),
                            "pakn: give all four counts (received, handled on time, rated, satisfied), or none.".to_string(),
                        ))
                    }
                };
            }
        }
    }
    Ok(x)
}

/// The unit of the page: the one asked for, else the caller's first unit
/// (a province administrator: the province's own unit).
fn unit_of(s: &AuthContext, asked: Option<&str>) -> Result<UnitId, ApiError> {
    if let Some(u) = asked.map(str::trim).filter(|u| !u.is_empty()) {
        return parse_unit(u);
    }
    s.principal
        .assignments()
        .first()
        .map(|a| a.unit.clone())
        .ok_or_else(service::forbidden)
}

/// The default month: the previous one (declarations are made after the
/// month ends).
fn default_month(state: &AppState) -> Month {
    let this = Month::of(state.today());
    let prev = this.first_day().pred_opt().map(Month::of);
    prev.unwrap_or(this)
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    l: Lang,
    session: MaybeSession,
    s: &Arc<AuthContext>,
    unit: &UnitId,
    month: Month,
    typed: Option<(&HashMap<String, String>, String)>,
    notice: String,
) -> Result<Response, PageError> {
    let viewer = Viewer::Session(s.clone());
    let h = api::history(state, &viewer, unit, month).await?;
    let current = h.in_force.as_ref().map(|d| d.inputs).unwrap_or_default();
    let stored = values_of(&current);
    let (values, note, error, status) = match &typed {
        Some((form, error)) => (
            (*form).clone(),
            form.get("note").cloned().unwrap_or_default(),
            error.clone(),
            StatusCode::BAD_REQUEST,
        ),
        None => (
            stored,
            h.in_force
                .as_ref()
                .and_then(|d| d.note.clone())
                .unwrap_or_default(),
            String::new(),
            StatusCode::OK,
        ),
    };
    let shown = |name: &str| values.get(name).cloned().unwrap_or_default();
    let in_force = h.in_force.as_ref().map_or_else(String::new, |d| match l {
        Lang::Vi => format!(
            "Bản kê khai đang có hiệu lực: phiên bản {}, do {} nhập lúc {}.",
            d.version,
            d.entered_by,
            when(&d.entered_at)
        ),
        Lang::En => format!(
            "Declaration in force: version {}, entered by {} at {}.",
            d.version,
            d.entered_by,
            when(&d.entered_at)
        ),
    });
    let path = format!("{PATH}?unit={unit}&month={month}");
    let body = InputsPage {
        unit: unit.to_string(),
        unit_name: h.name_vi.clone(),
        month: month.to_string(),
        month_label: match l {
            Lang::Vi => format!("Tháng {}/{}", month.month(), month.year()),
            Lang::En => month.to_string(),
        },
        may_write: may_declare(&s.principal, unit),
        in_force,
        in_force_note: h
            .in_force
            .as_ref()
            .and_then(|d| d.note.clone())
            .unwrap_or_default(),
        fields: field_rows(l, &shown, &current),
        note,
        history: h
            .history
            .iter()
            .rev()
            .map(|d| VersionRow {
                version: d.version,
                by: d.entered_by.to_string(),
                at: when(&d.entered_at),
                note: d.note.clone().unwrap_or_default(),
                filled: InputField::ALL
                    .into_iter()
                    .filter(|f| f.is_set(&d.inputs))
                    .count(),
            })
            .collect(),
        notice,
        error,
        dashboard: format!("/bao-cao?unit={unit}&period={month}&lang={}", l.code()),
        c: Ctx::new(l, &urlencode(&path), session),
    };
    Ok((status, render(&body)).into_response())
}

/// `GET /bao-cao/so-lieu-ngoai`: the inputs of a unit and month.
pub async fn inputs_page(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Query(q): Query<InputsQuery>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(PATH));
    };
    let unit = unit_of(&s, q.unit.as_deref())?;
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => parse_month(m)?,
        None => default_month(&state),
    };
    let notice = q.da_luu.map_or_else(String::new, |v| match l {
        Lang::Vi => format!("Đã lưu bản kê khai (phiên bản {v})."),
        Lang::En => format!("Declaration saved (version {v})."),
    });
    page(&state, l, session, &s, &unit, month, None, notice).await
}

/// `POST /bao-cao/so-lieu-ngoai`: declares the month's inputs, then back to
/// the page (303); a bad value shows the form again with what was typed.
pub async fn inputs_post(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(PATH));
    };
    let field = |n: &str| f.get(n).map(|v| v.trim().to_string()).unwrap_or_default();
    let unit = parse_unit(&field("unit"))?;
    let month = parse_month(&field("month"))?;
    if !may_declare(&s.principal, &unit) {
        return Err(PageError(api::forbidden()));
    }
    let attempt = match parse_form(&f) {
        Ok(inputs) => {
            let note = Some(field("note")).filter(|n| !n.is_empty());
            api::declare(&state, &s, &unit, month, inputs, note).await
        }
        Err(e) => Err(e),
    };
    match attempt {
        Ok(d) => Ok(Redirect::to(&format!(
            "{PATH}?unit={unit}&month={month}&da_luu={}&lang={}",
            d.version,
            l.code()
        ))
        .into_response()),
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            let msg = format!("{} ({})", l.t(&e.message_vi, &e.message_en), e.code);
            page(
                &state,
                l,
                session,
                &s,
                &unit,
                month,
                Some((&f, msg)),
                String::new(),
            )
            .await
        }
        Err(e) => Err(PageError(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_form_reads_ratios_counts_and_pakn() {
        let x = parse_form(&form(&[
            ("published_on_time_tu", "9"),
            ("published_on_time_mau", " 10 "),
            ("synchronized_dossiers", "12"),
            ("pakn_received", "2"),
            ("pakn_handled_on_time", "2"),
            ("pakn_rated", "1"),
            ("pakn_satisfied", "1"),
            ("updated_on_time_tu", ""),
            ("updated_on_time_mau", ""),
        ]))
        .expect("valid");
        assert_eq!(x.published_on_time, Some(Ratio::new(9, 10)));
        assert_eq!(x.updated_on_time, None);
        assert_eq!(x.synchronized_dossiers, Some(12));
        assert_eq!(x.pakn.map(|p| p.rated), Some(1));
        assert_eq!(values_of(&x)["published_on_time_mau"], "10");
        assert_eq!(parse_form(&values_of(&x)).expect("round trip"), x);
    }

    #[test]
    fn half_filled_or_non_numbers_are_refused_with_a_code() {
        let code = |pairs: &[(&str, &str)]| parse_form(&form(pairs)).map_err(|e| e.code);
        assert_eq!(
            code(&[("population_data_used_tu", "3")]),
            Err("incomplete_ratio")
        );
        assert_eq!(code(&[("pakn_received", "3")]), Err("incomplete_pakn"));
        assert_eq!(
            code(&[("synchronized_dossiers", "-1")]),
            Err("invalid_number")
        );
        assert_eq!(
            code(&[("synchronized_dossiers", "1,5")]),
            Err("invalid_number")
        );
        assert_eq!(code(&[]), Ok(ExternalInputs::default()));
    }
}
