//! Quầy — the Center's counter, for its receiving officers: issue a queue
//! ticket (a walk-in, or a booked appointment checking in with its code),
//! call the next number to one's counter (booked slots due now first, then
//! by number: the rule of [`crate::api::appointments::call_next`]), mark
//! the number served, done or skipped, and see today's tickets. Every
//! change goes through the appointments API's handlers, so the page and
//! the API cannot disagree; the waiting-room board `/bang-cho/{unit}`
//! shows the result.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use motcua_domain::dossier::{Actor, UnitId};
use serde::Deserialize;

use super::official::{login_to, official, receiving_officer, RoleChoice};
use super::ui::{urlencode, Ctx, Lang};
use super::{render, PageError};
use crate::api::actor::ActingAs;
use crate::api::appointments as api;
use crate::auth::session::MaybeSession;
use crate::AppState;

pub struct TicketRow {
    number: u32,
    /// The procedure's national code (empty when none was given).
    procedure_code: String,
    /// "Hẹn trước" with the slot time, or "Vãng lai".
    kind: String,
    booking: String,
    procedure: String,
    status: &'static str,
    counter: String,
}

#[derive(Template)]
#[template(path = "counter.html")]
struct CounterPage {
    c: Ctx,
    unit: String,
    vai_tro: String,
    don_vi: String,
    counter: u16,
    counters: Vec<u16>,
    /// The ticket now at this counter (called or being served).
    current: Option<TicketRow>,
    current_serving: bool,
    tickets: Vec<TicketRow>,
    waiting: usize,
    notice: String,
    /// The catalogue in force, for a walk-in's procedure: (code, name).
    procedures: Vec<(String, String)>,
}

impl CounterPage {
    fn is_counter(&self, n: &u16) -> bool {
        *n == self.counter
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CounterQuery {
    /// Quầy — which counter this officer sits at.
    quay: Option<u16>,
    /// The ticket just issued or called, to announce.
    so: Option<u32>,
    /// What was done: `cap`, `goi`, `het` (nobody waiting), `xong`.
    tb: Option<String>,
}

fn status_text(l: Lang, s: &str) -> &'static str {
    match s {
        "waiting" => l.t("Đang chờ", "Waiting"),
        "called" => l.t("Đã gọi", "Called"),
        "serving" => l.t("Đang phục vụ", "Being served"),
        "done" => l.t("Xong", "Done"),
        _ => l.t("Bỏ qua", "Skipped"),
    }
}

fn row(l: Lang, names: &HashMap<String, String>, t: &api::TicketDto) -> TicketRow {
    let kind = match (&t.kind[..], &t.slot_start) {
        ("appointment", Some(start)) => format!(
            "{} {}",
            l.t("Hẹn trước", "Booked"),
            start.get(11..16).unwrap_or_default()
        ),
        ("appointment", None) => l.t("Hẹn trước", "Booked").to_string(),
        _ => l.t("Vãng lai", "Walk-in").to_string(),
    };
    TicketRow {
        number: t.number,
        kind,
        booking: t.booking.clone().unwrap_or_default(),
        procedure_code: t.procedure.clone().unwrap_or_default(),
        procedure: t
            .procedure
            .as_deref()
            .map(|c| names.get(c).cloned().unwrap_or_else(|| c.to_string()))
            .unwrap_or_default(),
        status: status_text(l, &t.status),
        counter: t.counter.map(|c| c.to_string()).unwrap_or_default(),
    }
}

fn unit_of(actor: &Actor) -> Result<UnitId, PageError> {
    actor
        .unit
        .clone()
        .ok_or_else(|| PageError(crate::auth::session::forbidden()))
}

/// `/can-bo/quay?quay=N`: the counter's page.
pub async fn counter(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    uri: Uri,
    Query(choice): Query<RoleChoice>,
    Query(q): Query<CounterQuery>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(&uri.to_string()));
    };
    let actor = receiving_officer(&s, &choice)?;
    let unit = unit_of(&actor)?;
    let config = api::config_of(&state, &unit).await?;
    let counters: Vec<u16> = (1..=config.counters.max(1)).collect();
    let counter = q.quay.filter(|n| counters.contains(n)).unwrap_or(1);
    let day = motcua_domain::dossier::vietnam_date(chrono::Utc::now());
    let tickets = state.store.tickets(&unit, day).await?;
    let dtos: Vec<api::TicketDto> = tickets.iter().map(api::TicketDto::from).collect();
    let snap = state
        .catalogue
        .get(state.store.as_ref(), state.today())
        .await?;
    let procedures: Vec<(String, String)> = snap
        .entries
        .iter()
        .map(|e| {
            (
                e.procedure.spec().code.to_string(),
                e.procedure.spec().name_vi.clone(),
            )
        })
        .collect();
    let names: HashMap<String, String> = procedures.iter().cloned().collect();
    let here = dtos
        .iter()
        .find(|t| t.counter == Some(counter) && matches!(&t.status[..], "called" | "serving"));
    let notice = match (q.tb.as_deref(), q.so) {
        (Some("cap"), Some(n)) => format!("{} {n}.", l.t("Đã cấp số", "Issued number")),
        (Some("goi"), Some(n)) => format!(
            "{} {n} {} {counter}.",
            l.t("Đã gọi số", "Called number"),
            l.t("đến quầy", "to counter")
        ),
        (Some("het"), _) => l
            .t("Không còn ai đang chờ.", "Nobody is waiting.")
            .to_string(),
        (Some("xong"), Some(n)) => format!("{} {n}.", l.t("Đã cập nhật số", "Updated number")),
        _ => String::new(),
    };
    let page = CounterPage {
        c: Ctx::new(l, "/can-bo/quay", session),
        unit: unit.to_string(),
        vai_tro: actor.role.as_str().to_string(),
        don_vi: unit.to_string(),
        counter,
        counters,
        current_serving: here.is_some_and(|t| t.status == "serving"),
        current: here.map(|t| row(l, &names, t)),
        waiting: dtos.iter().filter(|t| t.status == "waiting").count(),
        tickets: dtos.iter().map(|t| row(l, &names, t)).collect(),
        notice,
        procedures,
    };
    // Keep the page fresh when the officer comes back to it.
    let mut res = render(&page);
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// `POST /can-bo/quay` (the session layer checked the CSRF token):
/// `viec` = `cap` (issue a ticket; `ma_hen` checks a booking in),
/// `goi` (call the next number to `quay`), or `phuc_vu` / `xong` /
/// `bo_qua` for ticket `so`. Then back to the counter's page.
pub async fn counter_post(
    State(state): State<AppState>,
    session: MaybeSession,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to("/can-bo/quay"));
    };
    let actor = receiving_officer(&s, &RoleChoice::from_form(&f))?;
    let unit = unit_of(&actor)?.to_string();
    let field = |n: &str| f.get(n).map(|v| v.trim().to_string()).unwrap_or_default();
    let counter: u16 = field("quay").parse().unwrap_or(1);
    let acting = || ActingAs(actor.clone());
    let (tb, so) = match field("viec").as_str() {
        "cap" => {
            let booking = Some(field("ma_hen")).filter(|b| !b.is_empty());
            let procedure = Some(field("thu_tuc")).filter(|p| !p.is_empty());
            let (_, Json(t)) = api::issue_ticket(
                State(state),
                acting(),
                Path(unit.clone()),
                Ok(Json(api::TicketRequest { booking, procedure })),
            )
            .await?;
            ("cap", Some(t.number))
        }
        "goi" => {
            let Json(next) = api::call_next(
                State(state),
                acting(),
                Path(unit.clone()),
                Ok(Json(api::NextRequest { counter })),
            )
            .await?;
            match next.ticket {
                Some(t) => ("goi", Some(t.number)),
                None => ("het", None),
            }
        }
        action @ ("phuc_vu" | "xong" | "bo_qua") => {
            let to = match action {
                "phuc_vu" => "serve",
                "xong" => "done",
                _ => "skip",
            };
            let Json(t) = api::ticket_action(
                State(state),
                acting(),
                Path((unit.clone(), field("so"), to.to_string())),
            )
            .await?;
            ("xong", Some(t.number))
        }
        _ => {
            return Err(PageError(crate::error::ApiError::bad_request(
                "invalid_form",
                "Biểu mẫu không hợp lệ.",
                "Not a valid form.",
            )))
        }
    };
    let mut to = format!(
        "/can-bo/quay?quay={counter}&tb={tb}&vai_tro={}&don_vi={}",
        actor.role.as_str(),
        urlencode(&unit)
    );
    if let Some(n) = so {
        to.push_str(&format!("&so={n}"));
    }
    if f.get("lang").map(String::as_str) == Some("en") {
        to.push_str("&lang=en");
    }
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}
