//! Lịch hẹn và số thứ tự — appointments at a Public Administration Service
//! Center (Trung tâm Phục vụ hành chính công) and the queue tickets of its
//! counters (quầy).
//!
//! Pure rules: a Center's configuration ([`CenterConfig`]), the slots of a
//! day ([`slots_of_day`]) from the working calendar, booking codes
//! ([`BookingCode`]), the checks of a booking ([`check_booking`],
//! [`check_offered`]), and the order in which the counter calls the next
//! ticket ([`pick_next`]). The store enforces capacity atomically; the
//! functions here decide what a booking or a call means.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, WorkingCalendar};
use crate::procedure::CompetentLevel;

mod holder;
#[cfg(test)]
mod tests;

pub use holder::{may_manage, BookingToken, HeldBooking, HolderClaim};

/// Why a booking, a configuration or a ticket change is refused. Each
/// variant has a stable [`code`](AppointmentError::code).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppointmentError {
    #[error("invalid Center configuration: {0}")]
    InvalidConfig(&'static str),
    #[error("the slot starts in the past")]
    InPast,
    #[error("the Center is closed on {0} (not a working day)")]
    ClosedDay(NaiveDate),
    #[error("{0} is not the start of a slot within the Center's opening hours")]
    OutsideHours(NaiveDateTime),
    #[error("bookings open at most {0} days ahead")]
    TooFarAhead(i64),
    #[error("this procedure is not received at this Center")]
    NotOffered,
    #[error("this procedure is received only at the Center of the competent commune")]
    WrongCenter,
    #[error("invalid booking code")]
    InvalidCode,
    #[error("a ticket cannot go from {from} to {to}")]
    IllegalTicketTransition {
        from: TicketStatus,
        to: TicketStatus,
    },
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl AppointmentError {
    /// Stable machine-readable code (used by the API).
    pub fn code(&self) -> &'static str {
        match self {
            AppointmentError::InvalidConfig(_) => "invalid_center_config",
            AppointmentError::InPast => "slot_in_past",
            AppointmentError::ClosedDay(_) => "center_closed",
            AppointmentError::OutsideHours(_) => "slot_outside_hours",
            AppointmentError::TooFarAhead(_) => "slot_too_far_ahead",
            AppointmentError::NotOffered => "procedure_not_offered",
            AppointmentError::WrongCenter => "wrong_center",
            AppointmentError::InvalidCode => "invalid_booking_code",
            AppointmentError::IllegalTicketTransition { .. } => "illegal_ticket_transition",
            AppointmentError::Calendar(_) => "calendar_not_covered",
        }
    }

    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            AppointmentError::InvalidConfig(what) => {
                format!("Cấu hình Trung tâm không hợp lệ: {what}.")
            }
            AppointmentError::InPast => "Khung giờ đã qua.".into(),
            AppointmentError::ClosedDay(d) => {
                format!("Trung tâm không làm việc ngày {}.", d.format("%d/%m/%Y"))
            }
            AppointmentError::OutsideHours(t) => format!(
                "{} không phải là khung giờ tiếp nhận của Trung tâm.",
                t.format("%H:%M %d/%m/%Y")
            ),
            AppointmentError::TooFarAhead(n) => format!("Chỉ đặt lịch trước tối đa {n} ngày."),
            AppointmentError::NotOffered => "Thủ tục này không tiếp nhận tại Trung tâm này.".into(),
            AppointmentError::WrongCenter => {
                "Thủ tục này chỉ tiếp nhận tại Trung tâm của xã, phường có thẩm quyền.".into()
            }
            AppointmentError::InvalidCode => "Mã lịch hẹn không hợp lệ.".into(),
            AppointmentError::IllegalTicketTransition { from, to } => format!(
                "Không thể chuyển số thứ tự từ trạng thái {} sang {}.",
                from.as_str(),
                to.as_str()
            ),
            AppointmentError::Calendar(_) => "Chưa có lịch làm việc cho ngày này.".into(),
        }
    }
}

/// Cấu hình Trung tâm — how a Center receives appointments: the number of
/// counters (quầy), the length of a slot (khung giờ) and how many
/// appointments one slot takes (the counters set aside for bookings; the
/// others serve walk-ins). Opening hours are the working calendar's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CenterConfig {
    /// Số quầy — counters, 1..=99.
    pub counters: u16,
    /// Độ dài khung giờ — minutes, 5..=240.
    pub slot_minutes: u16,
    /// Số lượt hẹn mỗi khung giờ — 1..=counters.
    pub capacity: u16,
    /// Hours before the slot at which the reminder is sent (0..=168).
    pub reminder_hours: u16,
    /// How many days ahead a slot may be booked (1..=366).
    pub horizon_days: u16,
}

impl Default for CenterConfig {
    /// The demo configuration of the Cao Bằng communes: 3 counters,
    /// 15-minute slots, 2 appointments per slot, a reminder a day before,
    /// bookings up to 30 days ahead.
    fn default() -> Self {
        CenterConfig {
            counters: 3,
            slot_minutes: 15,
            capacity: 2,
            reminder_hours: 24,
            horizon_days: 30,
        }
    }
}

impl CenterConfig {
    /// Checks the bounds; the only way a configuration should be accepted.
    pub fn validate(self) -> Result<Self, AppointmentError> {
        if !(1..=99).contains(&self.counters) {
            return Err(AppointmentError::InvalidConfig("counters must be 1..=99"));
        }
        if !(5..=240).contains(&self.slot_minutes) {
            return Err(AppointmentError::InvalidConfig(
                "slot_minutes must be 5..=240",
            ));
        }
        if self.capacity == 0 || self.capacity > self.counters {
            return Err(AppointmentError::InvalidConfig(
                "capacity must be 1..=counters",
            ));
        }
        if self.reminder_hours > 168 {
            return Err(AppointmentError::InvalidConfig(
                "reminder_hours must be 0..=168",
            ));
        }
        if !(1..=366).contains(&self.horizon_days) {
            return Err(AppointmentError::InvalidConfig(
                "horizon_days must be 1..=366",
            ));
        }
        Ok(self)
    }

    pub fn slot_length(&self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.slot_minutes))
    }
}

/// Khung giờ — one slot, `[start, end)` in Vietnam local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Slot {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// The slots of `date`: none on a day that is not a working day; on a
/// working day, each working period of the calendar cut into slots of the
/// configured length (a remainder shorter than a slot is not offered).
pub fn slots_of_day(
    config: &CenterConfig,
    calendar: &WorkingCalendar,
    date: NaiveDate,
) -> Result<Vec<Slot>, AppointmentError> {
    if !calendar.is_working_day(date)? {
        return Ok(Vec::new());
    }
    let len = config.slot_length();
    let mut out = Vec::new();
    for interval in calendar.working_hours().intervals() {
        let end = date.and_time(interval.end);
        let mut start = date.and_time(interval.start);
        while start + len <= end {
            out.push(Slot {
                start,
                end: start + len,
            });
            start += len;
        }
    }
    Ok(out)
}

/// Checks that `start` (Vietnam local time) begins a slot of its day that
/// has not started at `now_local` and lies within the booking horizon.
/// Returns the slot.
pub fn check_booking(
    config: &CenterConfig,
    calendar: &WorkingCalendar,
    now_local: NaiveDateTime,
    start: NaiveDateTime,
) -> Result<Slot, AppointmentError> {
    if start <= now_local {
        return Err(AppointmentError::InPast);
    }
    let horizon = i64::from(config.horizon_days);
    if (start.date() - now_local.date()).num_days() > horizon {
        return Err(AppointmentError::TooFarAhead(horizon));
    }
    let date = start.date();
    if !calendar.is_working_day(date)? {
        return Err(AppointmentError::ClosedDay(date));
    }
    slots_of_day(config, calendar, date)?
        .into_iter()
        .find(|s| s.start == start)
        .ok_or(AppointmentError::OutsideHours(start))
}

/// What the offer check needs to know of a procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcedureOffer {
    pub level: CompetentLevel,
    /// Tiếp nhận không phụ thuộc địa giới hành chính.
    pub boundary_free: bool,
}

/// Whether a procedure may be booked at the Center of commune `center`
/// (a unit code such as `04.01279`, i.e. `<province>.<commune>`) by an
/// applicant whose competent commune is `home` (where they reside, if they
/// said so).
///
/// * A boundary-free procedure (Decision 468/QĐ-TTg on receipt regardless
///   of administrative boundaries) may be booked at any Center of the
///   applicant's province (any Center when `home` is unknown).
/// * Other commune-level procedures only at the competent commune's Center
///   (`home` must be `center` when given).
/// * A province-level procedure that is not boundary-free is not received
///   at a commune Center.
pub fn check_offered(
    offer: ProcedureOffer,
    center: &str,
    home: Option<&str>,
) -> Result<(), AppointmentError> {
    let province = |u: &str| u.split('.').next().unwrap_or(u).to_string();
    if offer.boundary_free {
        return match home {
            Some(h) if province(h) != province(center) => Err(AppointmentError::WrongCenter),
            _ => Ok(()),
        };
    }
    match (offer.level, home) {
        (CompetentLevel::Province, _) => Err(AppointmentError::NotOffered),
        (CompetentLevel::Commune, Some(h)) if h != center => Err(AppointmentError::WrongCenter),
        (CompetentLevel::Commune, _) => Ok(()),
    }
}

/// The alphabet of booking codes: digits and capitals without the
/// look-alikes 0/O, 1/I/L (read aloud over the phone, typed on a phone).
pub const CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Mã lịch hẹn — `LH-YYMMDD-XXXX`: the slot's date (Vietnam time) and four
/// random characters of [`CODE_ALPHABET`] (31⁴ ≈ 923 000 per day; the
/// store's primary key catches the rare collision and the caller draws
/// again).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BookingCode(String);

impl BookingCode {
    /// A code for a slot on `date` from four random bytes (the caller draws
    /// them; the domain reads no randomness).
    pub fn new(date: NaiveDate, random: [u8; 4]) -> Self {
        let tail: String = random
            .iter()
            .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
            .collect();
        BookingCode(format!("LH-{}-{tail}", date.format("%y%m%d")))
    }

    /// Parses a code, case-insensitively, surrounding spaces ignored.
    pub fn parse(s: &str) -> Result<Self, AppointmentError> {
        let s = s.trim().to_ascii_uppercase();
        let mut parts = s.split('-');
        let (Some("LH"), Some(date), Some(tail), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AppointmentError::InvalidCode);
        };
        let date_ok = date.len() == 6
            && date.bytes().all(|b| b.is_ascii_digit())
            && NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d").is_ok();
        let tail_ok = tail.len() == 4 && tail.bytes().all(|b| CODE_ALPHABET.contains(&b));
        if !date_ok || !tail_ok {
            return Err(AppointmentError::InvalidCode);
        }
        Ok(BookingCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BookingCode {
    type Error = AppointmentError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        BookingCode::parse(&s)
    }
}
impl From<BookingCode> for String {
    fn from(c: BookingCode) -> String {
        c.0
    }
}
impl fmt::Display for BookingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Trạng thái lịch hẹn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Đã đặt — holds a seat of its slot.
    Booked,
    /// Đã hủy — the seat is free again.
    Cancelled,
    /// Đã đến — checked in at the Center; a queue ticket was issued.
    CheckedIn,
    /// Không đến.
    NoShow,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 4] = [
        BookingStatus::Booked,
        BookingStatus::Cancelled,
        BookingStatus::CheckedIn,
        BookingStatus::NoShow,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::CheckedIn => "checked_in",
            BookingStatus::NoShow => "no_show",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Whether the booking takes a seat of its slot.
    pub fn holds_seat(self) -> bool {
        matches!(self, BookingStatus::Booked | BookingStatus::CheckedIn)
    }
}

/// The seat (1..=capacity) a new booking takes, given the seats already
/// taken in its slot; `None` when the slot is full.
pub fn free_seat(taken: &[u16], capacity: u16) -> Option<u16> {
    (1..=capacity).find(|s| !taken.contains(s))
}

/// Loại số thứ tự — a walk-in (khách vãng lai) or a checked-in appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    WalkIn,
    Appointment,
}

impl TicketKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketKind::WalkIn => "walk_in",
            TicketKind::Appointment => "appointment",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [TicketKind::WalkIn, TicketKind::Appointment]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Trạng thái số thứ tự.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Đang chờ.
    Waiting,
    /// Đã gọi — called to a counter.
    Called,
    /// Đang phục vụ.
    Serving,
    /// Đã xong.
    Done,
    /// Bỏ qua — called but absent.
    Skipped,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 5] = [
        TicketStatus::Waiting,
        TicketStatus::Called,
        TicketStatus::Serving,
        TicketStatus::Done,
        TicketStatus::Skipped,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Waiting => "waiting",
            TicketStatus::Called => "called",
            TicketStatus::Serving => "serving",
            TicketStatus::Done => "done",
            TicketStatus::Skipped => "skipped",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Whether a counter is busy with the ticket.
    pub fn at_counter(self) -> bool {
        matches!(self, TicketStatus::Called | TicketStatus::Serving)
    }
}

impl fmt::Display for TicketStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The moves an official may make on a ticket: a called ticket starts
/// being served; a called or served one is done; a waiting or called one
/// is skipped (the person is absent).
pub fn ticket_transition(from: TicketStatus, to: TicketStatus) -> Result<(), AppointmentError> {
    use TicketStatus as S;
    match (from, to) {
        (S::Called, S::Serving)
        | (S::Called | S::Serving, S::Done)
        | (S::Waiting | S::Called, S::Skipped) => Ok(()),
        _ => Err(AppointmentError::IllegalTicketTransition { from, to }),
    }
}

/// What [`pick_next`] sees of a waiting ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub number: u32,
    pub kind: TicketKind,
    /// The booked slot's start (Vietnam local), for an appointment.
    pub slot_start: Option<NaiveDateTime>,
}

/// How early before its slot an appointment counts as due.
pub const DUE_AHEAD: TimeDelta = TimeDelta::minutes(5);

/// Gọi số tiếp theo — which waiting ticket the counter calls next:
///
/// 1. appointments that are due (the slot starts within [`DUE_AHEAD`] of
///    `now_local`, or has started), earliest slot first, then by number —
///    a booked citizen who comes on time does not queue behind walk-ins;
/// 2. then walk-ins and early appointments together, by ticket number
///    (first come, first served).
///
/// Returns the ticket's number.
pub fn pick_next(waiting: &[Waiting], now_local: NaiveDateTime) -> Option<u32> {
    let due = |w: &Waiting| {
        w.kind == TicketKind::Appointment
            && w.slot_start.is_some_and(|s| s <= now_local + DUE_AHEAD)
    };
    waiting
        .iter()
        .filter(|w| due(w))
        .min_by_key(|w| (w.slot_start, w.number))
        .or_else(|| waiting.iter().min_by_key(|w| w.number))
        .map(|w| w.number)
}
