//! The queue of a Center's counters (số thứ tự), its waiting-room board
//! and the Center's configuration.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{NaiveDate, Utc};
use motcua_domain::access::StaffRole;
use motcua_domain::appointments::{CenterConfig, TicketStatus};
use motcua_domain::dossier::{vietnam_date, Role, UnitId};
use motcua_store::{NewTicket, Ticket};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    center, config_of, json_error, parse_code, rule_error, store_error, unprocessable, vn,
    ConfigDto, Problem,
};
use crate::api::actor::ActingAs;
use crate::auth::session::Authenticated;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Only a receiving officer of this Center works its counters.
fn officer_of(actor: &ActingAs, unit: &UnitId) -> ApiResult<()> {
    let a = &actor.0;
    if a.role == Role::ReceivingOfficer && a.unit.as_ref() == Some(unit) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "not_center_officer",
        "Chỉ công chức tiếp nhận của Trung tâm này được thực hiện.",
        "Only a receiving officer of this Center may do this.",
    ))
}

/// A queue ticket. No personal data: the booking code only links it to
/// the booking for the officer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDto {
    pub unit: String,
    pub day: NaiveDate,
    /// Số thứ tự.
    pub number: u32,
    /// `walk_in` or `appointment`.
    pub kind: String,
    pub booking: Option<String>,
    pub procedure: Option<String>,
    pub slot_start: Option<String>,
    /// `waiting`, `called`, `serving`, `done` or `skipped`.
    pub status: String,
    pub counter: Option<u16>,
    pub created_at: String,
    pub called_at: Option<String>,
}

impl From<&Ticket> for TicketDto {
    fn from(t: &Ticket) -> Self {
        TicketDto {
            unit: t.unit.to_string(),
            day: t.day,
            number: t.number,
            kind: t.kind.as_str().to_string(),
            booking: t.booking.as_ref().map(|b| b.to_string()),
            procedure: t.procedure.clone(),
            slot_start: t.slot_start.map(vn),
            status: t.status.as_str().to_string(),
            counter: t.counter,
            created_at: vn(t.created_at),
            called_at: t.called_at.map(vn),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    /// Check in this booking (its procedure and slot go on the ticket).
    pub booking: Option<String>,
    /// A walk-in's procedure, if known.
    pub procedure: Option<String>,
}

/// Issue a queue ticket (cấp số thứ tự): a walk-in, or the check-in of a
/// booking of this Center (booked, not yet checked in).
#[utoipa::path(post, path = "/api/v1/centers/{unit}/tickets", tag = "appointments",
    params(("unit" = String, Path, description = "Center")), request_body = TicketRequest,
    responses((status = 201, body = TicketDto), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn issue_ticket(
    State(state): State<AppState>,
    actor: ActingAs,
    Path(unit): Path<String>,
    body: Result<Json<TicketRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<TicketDto>)> {
    let Json(req) = body.map_err(json_error)?;
    let (unit, _) = center(&state, &unit).await?;
    officer_of(&actor, &unit)?;
    let ticket = match req.booking.as_deref() {
        Some(code) => NewTicket::CheckIn {
            booking: parse_code(code)?,
        },
        None => NewTicket::WalkIn {
            procedure: req.procedure.filter(|p| !p.trim().is_empty()),
        },
    };
    let now = Utc::now();
    let t = state
        .store
        .issue_ticket(&unit, vietnam_date(now), &ticket, now)
        .await
        .map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(TicketDto::from(&t))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NextRequest {
    /// Quầy — the counter calling (1..=counters).
    pub counter: u16,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NextDto {
    /// The called ticket; null when nobody waits.
    pub ticket: Option<TicketDto>,
}

/// Call the next ticket to a counter (gọi số). The rule: booked
/// appointments whose slot starts within 5 minutes (or has started) come
/// first, earliest slot first; then every other waiting ticket — walk-ins
/// and early appointments — by number. The counter's previous ticket, if
/// still called or being served, is marked done.
#[utoipa::path(post, path = "/api/v1/centers/{unit}/tickets/next", tag = "appointments",
    params(("unit" = String, Path, description = "Center")), request_body = NextRequest,
    responses((status = 200, body = NextDto), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn call_next(
    State(state): State<AppState>,
    actor: ActingAs,
    Path(unit): Path<String>,
    body: Result<Json<NextRequest>, JsonRejection>,
) -> ApiResult<Json<NextDto>> {
    let Json(req) = body.map_err(json_error)?;
    let (unit, _) = center(&state, &unit).await?;
    officer_of(&actor, &unit)?;
    let config = config_of(&state, &unit).await?;
    if req.counter == 0 || req.counter > config.counters {
        return Err(unprocessable(
            "invalid_counter",
            format!("Quầy phải từ 1 đến {}.", config.counters),
            format!("The counter must be 1 to {}.", config.counters),
        ));
    }
    let now = Utc::now();
    let t = state
        .store
        .call_next(&unit, vietnam_date(now), req.counter, now)
        .await
        .map_err(store_error)?;
    Ok(Json(NextDto {
        ticket: t.as_ref().map(TicketDto::from),
    }))
}

/// Move a ticket of today: `serve` (called → serving), `done`
/// (called/serving → done) or `skip` (waiting/called → skipped).
#[utoipa::path(post, path = "/api/v1/centers/{unit}/tickets/{number}/{action}", tag = "appointments",
    params(("unit" = String, Path, description = "Center"), ("number" = u32, Path, description = "Ticket number"),
           ("action" = String, Path, description = "serve, done or skip")),
    responses((status = 200, body = TicketDto), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn ticket_action(
    State(state): State<AppState>,
    actor: ActingAs,
    Path((unit, number, action)): Path<(String, String, String)>,
) -> ApiResult<Json<TicketDto>> {
    let (unit, _) = center(&state, &unit).await?;
    officer_of(&actor, &unit)?;
    let to = match action.as_str() {
        "serve" => TicketStatus::Serving,
        "done" => TicketStatus::Done,
        "skip" => TicketStatus::Skipped,
        _ => {
            return Err(ApiError::not_found(
                "route_not_found",
                "Không có địa chỉ này.",
                "No such route.",
            ))
        }
    };
    let number: u32 = number.parse().map_err(|_| {
        ApiError::bad_request(
            "invalid_ticket_number",
            "Số thứ tự không hợp lệ.",
            "Invalid ticket number.",
        )
    })?;
    let now = Utc::now();
    let t = state
        .store
        .update_ticket(&unit, vietnam_date(now), number, to, now)
        .await
        .map_err(store_error)?;
    Ok(Json(TicketDto::from(&t)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CounterDto {
    pub counter: u16,
    /// The number called to or served at the counter.
    pub number: u32,
    /// `called` or `serving`.
    pub status: String,
}

/// What the waiting-room screen shows: ticket numbers only.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardDto {
    pub unit: String,
    pub center_name: String,
    pub day: NaiveDate,
    /// Đang phục vụ — per counter, by counter.
    pub serving: Vec<CounterDto>,
    /// Số đang chờ — the waiting numbers, in ticket order.
    pub waiting: Vec<u32>,
    /// The last numbers called (most recent first, up to 5).
    pub recently_called: Vec<u32>,
}

/// The waiting-room board (bảng hiển thị): now serving per counter, and
/// the numbers waiting. No names, contacts or booking codes.
#[utoipa::path(get, path = "/api/v1/centers/{unit}/board", tag = "appointments",
    params(("unit" = String, Path, description = "Center")),
    responses((status = 200, body = BoardDto), (status = 404, body = Problem)))]
pub async fn board(
    State(state): State<AppState>,
    Path(unit): Path<String>,
) -> ApiResult<Json<BoardDto>> {
    let (unit, center_name) = center(&state, &unit).await?;
    let day = vietnam_date(Utc::now());
    let tickets = state.store.tickets(&unit, day).await?;
    let mut serving: Vec<CounterDto> = tickets
        .iter()
        .filter(|t| t.status.at_counter())
        .filter_map(|t| {
            t.counter.map(|counter| CounterDto {
                counter,
                number: t.number,
                status: t.status.as_str().to_string(),
            })
        })
        .collect();
    serving.sort_by_key(|c| c.counter);
    let mut called: Vec<&Ticket> = tickets.iter().filter(|t| t.called_at.is_some()).collect();
    called.sort_by_key(|t| std::cmp::Reverse((t.called_at, t.number)));
    Ok(Json(BoardDto {
        unit: unit.to_string(),
        center_name,
        day,
        serving,
        waiting: tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Waiting)
            .map(|t| t.number)
            .collect(),
        recently_called: called.iter().take(5).map(|t| t.number).collect(),
    }))
}

/// Set a Center's configuration. Unit administrator of the unit, or
/// province administrator of its province.
#[utoipa::path(put, path = "/api/v1/centers/{unit}/config", tag = "appointments",
    params(("unit" = String, Path, description = "Center")), request_body = ConfigDto,
    responses((status = 200, body = ConfigDto), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_config(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    Path(unit): Path<String>,
    body: Result<Json<ConfigDto>, JsonRejection>,
) -> ApiResult<Json<ConfigDto>> {
    let Json(req) = body.map_err(json_error)?;
    let (unit, _) = center(&state, &unit).await?;
    let province = unit.as_str().split('.').next().unwrap_or_default();
    let allowed = ctx.principal.assignments().iter().any(|a| match a.role {
        StaffRole::UnitAdmin => a.unit == unit,
        StaffRole::ProvinceAdmin => a.unit.as_str() == province,
        _ => false,
    });
    if !allowed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Chỉ quản trị đơn vị được cấu hình Trung tâm.",
            "Only the unit's administrator may configure the Center.",
        ));
    }
    let config = CenterConfig {
        counters: req.counters,
        slot_minutes: req.slot_minutes,
        capacity: req.capacity,
        reminder_hours: req.reminder_hours,
        horizon_days: req.horizon_days,
    }
    .validate()
    .map_err(rule_error)?;
    state
        .store
        .put_center_config(&unit, &config, Utc::now())
        .await?;
    Ok(Json(config.into()))
}
