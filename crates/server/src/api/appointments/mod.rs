//! Lịch hẹn và số thứ tự — appointments at a commune's Public
//! Administration Service Center and the queue of its counters.
//!
//! * Citizens (no login needed): the free capacity of a day's slots, book,
//!   look up, cancel and rebook. Capacity is enforced by the store under
//!   concurrency; a full slot is `409 slot_full`. One phone number or
//!   e-mail address makes at most [`BookingLimits::per_contact_per_day`]
//!   bookings a day (`429 booking_limit_reached`, counted by the store in
//!   the booking's transaction).
//!   `Idempotency-Key` is honoured on booking: the code is derived from
//!   the key, so a retried request finds the booking it made and returns
//!   it (200) instead of booking a second seat.
//! * The booking code is said at the counter and proves nothing. A booking
//!   answers with the holder's token (`token`, 128 random bits, shown only
//!   in the booking's and the rebook's answer and in the reminder's link;
//!   the store keeps its SHA-256). Looking up, cancelling or moving a
//!   booking needs it (`?t=` or `X-Booking-Token`), or the holder's
//!   citizen session, or an official of the Center: anyone else gets
//!   `404 booking_not_found`, as for a code that does not exist (see
//!   [`motcua_domain::appointments::may_manage`]). Look-ups by code are
//!   rate-limited per client address (`429 too_many_lookups`). Bookings
//!   made before tokens (migration 0012) have none: only the holder's
//!   session and the Center's officials reach them. With an
//!   `Idempotency-Key` of at least 32 characters the token is derived from
//!   the key (so a retry gets it again; use a random key, e.g. a UUID);
//!   with a shorter key a replay answers without the token.
//! * Receiving officers of the Center (công chức tiếp nhận): issue a ticket
//!   (walk-in, or check-in of a booking), call the next ticket to a counter
//!   (due appointments first, then everyone by ticket number: see
//!   [`motcua_domain::appointments::pick_next`]), mark it served, done or
//!   skipped.
//! * The waiting-room board (public): who is called to which counter and
//!   the numbers waiting; ticket numbers only, no personal data.
//! * The unit administrator sets the Center's configuration; Centers
//!   without one get the default (3 counters, 15-minute slots, 2 bookings
//!   per slot) on first use.
//!
//! Reminders: a booking enqueues an `appointment_reminder` outbox row per
//! channel (e-mail, SMS) in its transaction, due `reminder_hours` before
//! the slot (at once if that is past); a cancellation or rebook marks the
//! pending ones failed (`booking cancelled`), so they are not sent.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use motcua_domain::access::Principal;
use motcua_domain::appointments::{
    check_booking, check_offered, slots_of_day, AppointmentError, BookingCode, BookingToken,
    CenterConfig, ProcedureOffer,
};
use motcua_domain::calendar::{to_vietnam_local, utc_to_vietnam, vietnam_local_to_utc};
use motcua_domain::dossier::UnitId;
use motcua_domain::procedure::ProcedureCode;
use motcua_domain::units::{Level, UnitCode};
use motcua_store::appointments::support::reminder_key;
use motcua_store::outbox::{
    Contact, EmailAddress, Language, NewNotification, NotificationKind, Payload, PhoneNumber,
};
use motcua_store::{Booking, NewBooking, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::auth::session::MaybeSession;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub(super) type Problem = crate::error::Problem;

mod holder;
mod queue;

pub use holder::{BookingAccess, BookingGuard, BookingLimits, TOKEN_HEADER};
pub use queue::*;

pub(super) fn unprocessable(
    code: &'static str,
    vi: impl Into<String>,
    en: impl Into<String>,
) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, vi, en)
}

pub(super) fn json_error(e: JsonRejection) -> ApiError {
    unprocessable(
        "invalid_body",
        format!("Nội dung yêu cầu không hợp lệ: {}", e.body_text()),
        format!("Invalid request body: {}", e.body_text()),
    )
}

pub(super) fn rule_error(e: AppointmentError) -> ApiError {
    let status = match e {
        AppointmentError::InvalidCode => StatusCode::BAD_REQUEST,
        AppointmentError::IllegalTicketTransition { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, e.code(), e.message_vi(), e.to_string())
}

/// Maps the store's appointment conflicts to stable API codes.
pub(super) fn store_error(e: StoreError) -> ApiError {
    match &e {
        StoreError::Conflict(c) if c == "slot_full" => ApiError::new(
            StatusCode::CONFLICT,
            "slot_full",
            "Khung giờ này đã hết chỗ. Vui lòng chọn khung giờ khác.",
            "This slot is fully booked. Please choose another.",
        ),
        StoreError::Conflict(c) if c == "booking_contact_limit" => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "booking_limit_reached",
            "Số điện thoại hoặc thư điện tử này đã đặt đủ số lịch hẹn cho phép trong ngày. \
             Vui lòng thử lại vào ngày mai.",
            "This phone number or e-mail address has made as many bookings as allowed \
             today. Please try again tomorrow.",
        ),
        StoreError::Conflict(c) if c == "booking_not_active" => ApiError::new(
            StatusCode::CONFLICT,
            "booking_not_active",
            "Lịch hẹn đã bị hủy hoặc đã sử dụng.",
            "The booking was cancelled or already used.",
        ),
        StoreError::Conflict(c) if c == "illegal_ticket_transition" => ApiError::new(
            StatusCode::CONFLICT,
            "illegal_ticket_transition",
            "Không thể chuyển số thứ tự sang trạng thái này.",
            "The ticket cannot move to that status.",
        ),
        StoreError::NotFound(w) if w == "booking" => booking_not_found(),
        StoreError::NotFound(w) if w == "ticket" => ApiError::not_found(
            "ticket_not_found",
            "Không có số thứ tự này trong ngày.",
            "No such ticket today.",
        ),
        _ => ApiError::from(e),
    }
}

pub(super) fn booking_not_found() -> ApiError {
    ApiError::not_found(
        "booking_not_found",
        "Không có lịch hẹn với mã này.",
        "No booking with this code.",
    )
}

/// A Center is named by its commune's unit id `<province>.<commune>`
/// (e.g. `04.01279`); the commune must exist today in that province.
pub(super) async fn center(state: &AppState, s: &str) -> ApiResult<(UnitId, String)> {
    let not_found = || {
        ApiError::not_found(
            "center_not_found",
            format!("Không có Trung tâm {s:?}."),
            format!("No Center {s:?}."),
        )
    };
    let (province, commune) = s.split_once('.').ok_or_else(not_found)?;
    let code = UnitCode::parse_at(commune, Level::Commune).map_err(|_| not_found())?;
    let unit = state
        .store
        .unit_at(&code, state.today())
        .await?
        .filter(|u| u.province_code.as_str() == province)
        .ok_or_else(not_found)?;
    let id = UnitId::parse(s).map_err(|_| not_found())?;
    Ok((id, unit.name))
}

pub(crate) async fn config_of(state: &AppState, unit: &UnitId) -> ApiResult<CenterConfig> {
    Ok(state
        .store
        .ensure_center_config(unit, &CenterConfig::default(), Utc::now())
        .await?)
}

pub(super) fn vn(t: DateTime<Utc>) -> String {
    utc_to_vietnam(t).to_rfc3339()
}

fn local_to_utc(t: NaiveDateTime) -> ApiResult<DateTime<Utc>> {
    vietnam_local_to_utc(t).map_err(|_| ApiError::internal())
}

/// `2026-03-02T08:00:00+07:00` (any offset) or Vietnam local
/// `2026-03-02T08:00`.
fn parse_start(s: &str) -> ApiResult<NaiveDateTime> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(to_vietnam_local(&t));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_start",
                format!("Thời điểm không hợp lệ: {s:?} (dạng 2026-03-02T08:00, giờ Việt Nam)."),
                format!(
                    "Invalid start {s:?}: expected 2026-03-02T08:00 (Vietnam time) or RFC 3339."
                ),
            )
        })
}

/// The procedure in force today and whether it is received at `center`.
async fn offered(
    state: &AppState,
    procedure: &str,
    center: &UnitId,
    home: Option<&str>,
) -> ApiResult<motcua_domain::procedure::Procedure> {
    let not_found = || {
        ApiError::not_found(
            "procedure_not_found",
            format!("Không có thủ tục {procedure:?}."),
            format!("No procedure {procedure:?}."),
        )
    };
    let code = ProcedureCode::parse(procedure).map_err(|_| not_found())?;
    let p = state
        .store
        .procedure(&code, state.today())
        .await?
        .ok_or_else(not_found)?;
    let offer = ProcedureOffer {
        level: p.spec().level,
        boundary_free: p.spec().boundary_free,
    };
    check_offered(offer, center.as_str(), home).map_err(rule_error)?;
    Ok(p)
}

/// The Center's configuration as the API shows and takes it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigDto {
    /// Số quầy (1–99).
    pub counters: u16,
    /// Minutes per slot (5–240).
    pub slot_minutes: u16,
    /// Bookings per slot (1..=counters).
    pub capacity: u16,
    /// Hours before the slot the reminder goes out (0–168).
    pub reminder_hours: u16,
    /// Days ahead a slot may be booked (1–366).
    pub horizon_days: u16,
}

impl From<CenterConfig> for ConfigDto {
    fn from(c: CenterConfig) -> Self {
        ConfigDto {
            counters: c.counters,
            slot_minutes: c.slot_minutes,
            capacity: c.capacity,
            reminder_hours: c.reminder_hours,
            horizon_days: c.horizon_days,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotsQuery {
    /// The day (YYYY-MM-DD, Vietnam); today by default.
    date: Option<String>,
    /// Only if this procedure is received at the Center.
    procedure: Option<String>,
    /// The applicant's commune (`<province>.<commune>`), for the competent
    /// Center check.
    home: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotDto {
    /// Start, RFC 3339 in Vietnam time.
    pub start: String,
    pub end: String,
    pub capacity: u16,
    pub taken: u32,
    pub free: u32,
    /// False for a slot that has started.
    pub bookable: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotsDto {
    pub unit: String,
    pub center_name: String,
    pub date: NaiveDate,
    /// False on a day that is not a working day (no slots).
    pub open: bool,
    pub config: ConfigDto,
    pub slots: Vec<SlotDto>,
}

/// The slots of a day at a Center, with their free capacity.
#[utoipa::path(get, path = "/api/v1/centers/{unit}/slots", tag = "appointments",
    params(("unit" = String, Path, description = "Center: the commune's unit id, e.g. 04.01279"), SlotsQuery),
    responses((status = 200, body = SlotsDto), (status = 400, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn slots(
    State(state): State<AppState>,
    Path(unit): Path<String>,
    Query(q): Query<SlotsQuery>,
) -> ApiResult<Json<SlotsDto>> {
    let (unit, center_name) = center(&state, &unit).await?;
    let date = super::params::date(q.date.as_deref(), state.today())?;
    if let Some(p) = q.procedure.as_deref() {
        offered(&state, p, &unit, q.home.as_deref()).await?;
    }
    let config = config_of(&state, &unit).await?;
    let rules = state.engine.rules_for(&unit, date);
    let day = slots_of_day(&config, &rules.calendar, date).map_err(rule_error)?;
    let from = local_to_utc(date.and_time(chrono::NaiveTime::MIN))?;
    let taken = state
        .store
        .taken_seats(&unit, from, from + TimeDelta::days(1))
        .await?;
    let now = Utc::now();
    let mut out = Vec::with_capacity(day.len());
    for s in &day {
        let start = local_to_utc(s.start)?;
        let n = taken
            .iter()
            .find(|(t, _)| *t == start)
            .map_or(0, |(_, n)| *n);
        let free = u32::from(config.capacity).saturating_sub(n);
        out.push(SlotDto {
            start: vn(start),
            end: vn(local_to_utc(s.end)?),
            capacity: config.capacity,
            taken: n,
            free,
            bookable: start > now && free > 0,
        });
    }
    Ok(Json(SlotsDto {
        unit: unit.to_string(),
        center_name,
        date,
        open: !day.is_empty(),
        config: config.into(),
        slots: out,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookRequest {
    /// The Center, e.g. `04.01279`.
    pub unit: String,
    /// Mã thủ tục, e.g. `1.001193`.
    pub procedure: String,
    /// Slot start: `2026-03-02T08:00` (Vietnam) or RFC 3339.
    pub start: String,
    /// Họ tên.
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// `vi` (default) or `en`.
    pub language: Option<String>,
    /// The applicant's commune (`<province>.<commune>`), checked against
    /// the competent Center.
    pub home: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RebookRequest {
    /// The new slot start.
    pub start: String,
    /// Another Center (boundary-free procedures); the same by default.
    pub unit: Option<String>,
}

/// A booking as its holder sees it: contact details masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingDto {
    /// Mã lịch hẹn, e.g. `LH-260315-7K3Q`.
    pub code: String,
    pub unit: String,
    pub procedure: String,
    pub start: String,
    pub end: String,
    /// `booked`, `cancelled`, `checked_in` or `no_show`.
    pub status: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Mã bí mật — the holder's token: only in the answer that made the
    /// booking (book, rebook). Keep it: it is asked for (`?t=` or
    /// `X-Booking-Token`) to see, cancel or move the booking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl BookingDto {
    fn with_token(mut self, token: Option<&BookingToken>) -> Self {
        self.token = token.map(|t| t.as_str().to_string());
        self
    }
}

fn mask(s: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= keep_start + keep_end {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_start || i >= chars.len() - keep_end {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

impl From<&Booking> for BookingDto {
    fn from(b: &Booking) -> Self {
        BookingDto {
            code: b.code.to_string(),
            unit: b.unit.to_string(),
            procedure: b.procedure.clone(),
            start: vn(b.slot_start),
            end: vn(b.slot_end),
            status: b.status.as_str().to_string(),
            phone: b.contact.phone.as_ref().map(|p| mask(p.as_str(), 5, 2)),
            email: b.contact.email.as_ref().map(|e| {
                let (local, domain) = e.as_str().split_once('@').unwrap_or((e.as_str(), ""));
                format!("{}@{domain}", mask(local, 1, 0))
            }),
            token: None,
        }
    }
}

fn contact_of(req: &BookRequest) -> ApiResult<Contact> {
    let bad = |code, vi: &str, en: &str| unprocessable(code, vi, en);
    let email = req
        .email
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(EmailAddress::parse)
        .transpose()
        .map_err(|_| {
            bad(
                "invalid_email",
                "Địa chỉ thư điện tử không hợp lệ.",
                "Invalid e-mail address.",
            )
        })?;
    let phone = req
        .phone
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(PhoneNumber::parse)
        .transpose()
        .map_err(|_| {
            bad(
                "invalid_phone",
                "Số điện thoại không hợp lệ.",
                "Invalid phone number.",
            )
        })?;
    let language = match req.language.as_deref() {
        None => Language::Vi,
        Some(l) => Language::parse(l).ok_or_else(|| {
            bad(
                "invalid_language",
                "Ngôn ngữ phải là vi hoặc en.",
                "The language must be vi or en.",
            )
        })?,
    };
    let c = Contact {
        email,
        phone,
        language,
    };
    if c.is_empty() {
        return Err(bad(
            "contact_required",
            "Cần số điện thoại hoặc thư điện tử để nhận nhắc lịch.",
            "A phone number or an e-mail address is needed for the reminder.",
        ));
    }
    Ok(c)
}

/// Everything a booking needs, checked: the slot, the Center, the
/// reminder.
struct Planned {
    booking: NewBooking,
    capacity: u16,
    reminders: Vec<NewNotification>,
}

#[allow(clippy::too_many_arguments)]
async fn plan(
    state: &AppState,
    unit: &str,
    procedure: &str,
    home: Option<&str>,
    start: &str,
    name: String,
    contact: Contact,
    account: Option<motcua_domain::dossier::UserId>,
    code_seed: Option<[u8; 4]>,
    token: &BookingToken,
) -> ApiResult<Planned> {
    let (unit, center_name) = center(state, unit).await?;
    let p = offered(state, procedure, &unit, home).await?;
    let config = config_of(state, &unit).await?;
    let now = Utc::now();
    let local = parse_start(start)?;
    let rules = state.engine.rules_for(&unit, local.date());
    let slot = check_booking(&config, &rules.calendar, to_vietnam_local(&now), local)
        .map_err(rule_error)?;
    let seed = match code_seed {
        Some(s) => s,
        None => crate::auth::secret::random_bytes::<4>().map_err(|_| ApiError::internal())?,
    };
    let code = BookingCode::new(slot.start.date(), seed);
    let slot_start = local_to_utc(slot.start)?;
    let booking = NewBooking {
        code: code.clone(),
        unit,
        procedure: procedure.to_string(),
        slot_start,
        slot_end: local_to_utc(slot.end)?,
        name: name.clone(),
        contact: contact.clone(),
        account,
        token_hash: token.hash(),
    };
    let send_at = (slot_start - TimeDelta::hours(i64::from(config.reminder_hours))).max(now);
    let reminders = NewNotification::for_contact(
        &reminder_key(&code),
        None,
        None,
        NotificationKind::AppointmentReminder,
        &Payload {
            procedure_name: Some(p.spec().name_vi.clone()),
            applicant_name: Some(name),
            appointment: Some(slot_start),
            place: Some(center_name),
            booking_code: Some(code.to_string()),
            booking_token: Some(token.as_str().to_string()),
            ..Payload::default()
        },
        &contact,
        send_at,
    );
    Ok(Planned {
        booking,
        capacity: config.capacity,
        reminders,
    })
}

/// A fresh holder's token.
fn new_token() -> ApiResult<BookingToken> {
    crate::auth::secret::random_bytes::<16>()
        .map(BookingToken::from_random)
        .map_err(|_| ApiError::internal())
}

/// Keys this long make a token derived from them as hard to guess as a
/// random one (the booking page sends 64 random hex digits).
const TOKEN_KEY_MIN: usize = 32;

/// The Idempotency-Key, checked.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<&str>> {
    let Some(key) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| (1..=200).contains(&k.len()))
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key không hợp lệ (1–200 ký tự ASCII).",
                "Invalid Idempotency-Key (1–200 ASCII characters).",
            )
        })?;
    Ok(Some(key))
}

/// The code seed a key gives (a retry draws the same code).
fn idempotency_seed(key: &str, req: &BookRequest) -> [u8; 4] {
    let digest = Sha256::digest(format!("{key}\n{}\n{}", req.unit, req.start).as_bytes());
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The token of a booking made with `key`: derived from a long key (a
/// retry gets the same), random otherwise (a replay then has none).
fn token_for(key: Option<&str>, req: &BookRequest) -> ApiResult<(BookingToken, bool)> {
    match key {
        Some(k) if k.len() >= TOKEN_KEY_MIN => {
            let digest = Sha256::digest(
                format!("motcua booking token\n{k}\n{}\n{}", req.unit, req.start).as_bytes(),
            );
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(&digest[..16]);
            Ok((BookingToken::from_random(bytes), true))
        }
        _ => Ok((new_token()?, false)),
    }
}

/// Book an appointment (đặt lịch hẹn). 201 with the booking code; with an
/// `Idempotency-Key`, a retry of the same request returns the booking it
/// made (200).
#[utoipa::path(post, path = "/api/v1/appointments", tag = "appointments",
    request_body = BookRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first booking")),
    responses((status = 201, body = BookingDto), (status = 200, description = "replayed", body = BookingDto),
              (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 409, description = "slot_full", body = Problem), (status = 422, body = Problem),
              (status = 429, description = "booking_limit_reached", body = Problem)))]
pub async fn book(
    State(state): State<AppState>,
    MaybeSession(session): MaybeSession,
    headers: HeaderMap,
    body: Result<Json<BookRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<BookingDto>)> {
    let Json(req) = body.map_err(json_error)?;
    let name = req.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(unprocessable(
            "invalid_name",
            "Họ tên phải có từ 1 đến 200 ký tự.",
            "The name must have 1 to 200 characters.",
        ));
    }
    let contact = contact_of(&req)?;
    let account = session.and_then(|s| match &s.principal {
        Principal::Citizen { user } => Some(user.clone()),
        Principal::Official { .. } => None,
    });
    let key = idempotency_key(&headers)?;
    let seed = key.map(|k| idempotency_seed(k, &req));
    let (token, replayable) = token_for(key, &req)?;
    for _ in 0..3 {
        let planned = plan(
            &state,
            &req.unit,
            &req.procedure,
            req.home.as_deref(),
            &req.start,
            name.clone(),
            contact.clone(),
            account.clone(),
            seed,
            &token,
        )
        .await?;
        let code = planned.booking.code.clone();
        match state
            .store
            .book(
                &planned.booking,
                planned.capacity,
                state.bookings.limits.contact_cap(),
                &planned.reminders,
                Utc::now(),
            )
            .await
        {
            Ok(b) => {
                let dto = BookingDto::from(&b).with_token(Some(&token));
                return Ok((StatusCode::CREATED, Json(dto)));
            }
            Err(StoreError::Conflict(c)) if c == "booking_code_taken" && seed.is_some() => {
                let existing = state.store.booking(&code).await?;
                return match existing {
                    Some(b)
                        if b.unit == planned.booking.unit
                            && b.slot_start == planned.booking.slot_start
                            && b.name == name =>
                    {
                        let token = (replayable
                            && b.token_hash.as_deref() == Some(token.hash().as_str()))
                        .then_some(&token);
                        Ok((StatusCode::OK, Json(BookingDto::from(&b).with_token(token))))
                    }
                    _ => Err(unprocessable(
                        "idempotency_key_reused",
                        "Idempotency-Key đã được dùng cho một yêu cầu khác.",
                        "The Idempotency-Key was used for another request.",
                    )),
                };
            }
            Err(StoreError::Conflict(c)) if c == "booking_code_taken" => continue,
            Err(e) => return Err(store_error(e)),
        }
    }
    Err(ApiError::internal())
}

pub(super) fn parse_code(s: &str) -> ApiResult<BookingCode> {
    BookingCode::parse(s).map_err(rule_error)
}

/// The booking `code` if `access` reaches it, else `404
/// booking_not_found` (as for a code that does not exist).
pub(crate) async fn held(
    state: &AppState,
    access: &BookingAccess,
    code: &BookingCode,
) -> ApiResult<Booking> {
    state
        .engine
        .held_booking(code, &access.holder())
        .await
        .map_err(|e| match e {
            motcua_engine::EngineError::Store(e) => ApiError::from(e),
            _ => ApiError::internal(),
        })?
        .ok_or_else(booking_not_found)
}

/// A booking for its holder (contact details masked): the holder's token
/// (`?t=` or `X-Booking-Token`), the holder's citizen session, or an
/// official of the Center; anyone else gets 404 as for a missing code.
/// Rate-limited per client address (429).
#[utoipa::path(get, path = "/api/v1/appointments/{code}", tag = "appointments",
    params(("code" = String, Path, description = "Booking code, e.g. LH-260315-7K3Q"),
           ("t" = Option<String>, Query, description = "The holder's token"),
           ("X-Booking-Token" = Option<String>, Header, description = "The holder's token (instead of `t`)")),
    responses((status = 200, body = BookingDto), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 429, description = "too_many_lookups", body = Problem)))]
pub async fn get_booking(
    State(state): State<AppState>,
    access: BookingAccess,
    Path(code): Path<String>,
) -> ApiResult<Json<BookingDto>> {
    let code = parse_code(&code)?;
    let b = held(&state, &access, &code).await?;
    Ok(Json(BookingDto::from(&b)))
}

/// Cancel a booking (hủy lịch hẹn): its seat is free again and its
/// reminder is withdrawn. Who may: as for reading it.
#[utoipa::path(post, path = "/api/v1/appointments/{code}/cancel", tag = "appointments",
    params(("code" = String, Path, description = "Booking code"),
           ("t" = Option<String>, Query, description = "The holder's token"),
           ("X-Booking-Token" = Option<String>, Header, description = "The holder's token (instead of `t`)")),
    responses((status = 200, body = BookingDto), (status = 400, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 429, description = "too_many_lookups", body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    access: BookingAccess,
    Path(code): Path<String>,
) -> ApiResult<Json<BookingDto>> {
    let code = parse_code(&code)?;
    let b = state
        .engine
        .cancel_held(&code, &access.holder(), Utc::now())
        .await
        .map_err(store_error)?;
    Ok(Json(BookingDto::from(&b)))
}

/// Move a booking to another slot (đổi lịch hẹn): the old booking is
/// cancelled and a new one (with a new code and a new token, in the
/// answer) made in one transaction; if the new slot is full the old
/// booking stands. Who may: as for reading it.
#[utoipa::path(post, path = "/api/v1/appointments/{code}/rebook", tag = "appointments",
    params(("code" = String, Path, description = "Booking code"),
           ("t" = Option<String>, Query, description = "The holder's token"),
           ("X-Booking-Token" = Option<String>, Header, description = "The holder's token (instead of `t`)")),
    request_body = RebookRequest,
    responses((status = 201, body = BookingDto), (status = 400, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
              (status = 429, description = "too_many_lookups", body = Problem)))]
pub async fn rebook(
    State(state): State<AppState>,
    access: BookingAccess,
    Path(code): Path<String>,
    body: Result<Json<RebookRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<BookingDto>)> {
    let Json(req) = body.map_err(json_error)?;
    let code = parse_code(&code)?;
    let old = held(&state, &access, &code).await?;
    let unit = req.unit.unwrap_or_else(|| old.unit.to_string());
    let token = new_token()?;
    for _ in 0..3 {
        let planned = plan(
            &state,
            &unit,
            &old.procedure,
            None,
            &req.start,
            old.name.clone(),
            old.contact.clone(),
            old.account.clone(),
            None,
            &token,
        )
        .await?;
        match state
            .store
            .rebook(
                &code,
                &planned.booking,
                planned.capacity,
                &planned.reminders,
                Utc::now(),
            )
            .await
        {
            Ok(b) => {
                let dto = BookingDto::from(&b).with_token(Some(&token));
                return Ok((StatusCode::CREATED, Json(dto)));
            }
            Err(StoreError::Conflict(c)) if c == "booking_code_taken" => continue,
            Err(e) => return Err(store_error(e)),
        }
    }
    Err(ApiError::internal())
}
