//! Lịch hẹn và số thứ tự — the storage of appointments at a Center and of
//! its queue tickets.
//!
//! # Guarantees
//!
//! * **No double booking.** A booking takes a seat `1..=capacity` of its
//!   slot; a unique (unit, slot start, seat) index backs the rule, and the
//!   backend serialises bookers of one slot (PostgreSQL locks the slot's
//!   row in `appointment_slots`; SQLite runs every write on its one writer
//!   thread), so of N concurrent bookings of a slot with capacity c exactly
//!   c succeed and the others get [`StoreError::Conflict`]`("slot_full")`.
//! * **Cancel frees the seat; rebook is atomic.** A cancelled booking gives
//!   its seat back; [`AppointmentStore::rebook`] cancels and books in one
//!   transaction, so when the new slot is full the old booking stands.
//! * **The reminder goes with the booking.** The `AppointmentReminder`
//!   outbox rows (dedup key [`support::reminder_key`]) are inserted in the
//!   booking's transaction; a cancellation marks those still pending
//!   `failed` with the error `booking cancelled` in its own transaction, so
//!   the delivery worker never sends them (a reminder already sent stays
//!   sent).
//! * **A cap per contact and day.** With `per_contact_per_day = Some(n)`,
//!   [`AppointmentStore::book`] counts the booking against each of its
//!   contacts (phone, e-mail) for the Vietnam day of `now`, in the
//!   booking's transaction, and refuses the (n+1)-th with
//!   [`StoreError::Conflict`]`("booking_contact_limit")` — under
//!   concurrency too: the count is one upsert of a counter row
//!   (`booking_contact_days`, keyed by the SHA-256 of the contact, see
//!   [`support::contact_keys`]), whose row lock serialises the bookers of
//!   one contact. Bookings made count even if cancelled later (each one
//!   sends a reminder); a rebook moves a booking and is not counted.
//! * **The holder's token is kept hashed.** A booking stores the SHA-256
//!   of its token ([`NewBooking::token_hash`]), never the token.
//! * **Gap-free ticket numbers.** Queue tickets are numbered 1, 2, 3, …
//!   per unit and Vietnam day, allocated in the ticket's transaction.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::appointments::{
    BookingCode, BookingStatus, CenterConfig, TicketKind, TicketStatus,
};
use motcua_domain::dossier::{UnitId, UserId};
use serde::{Deserialize, Serialize};

use crate::outbox::{Contact, NewNotification};
use crate::StoreResult;

/// A booking to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBooking {
    pub code: BookingCode,
    /// The Center (its commune's unit id, e.g. `04.01279`).
    pub unit: UnitId,
    /// Mã thủ tục.
    pub procedure: String,
    pub slot_start: DateTime<Utc>,
    pub slot_end: DateTime<Utc>,
    /// Họ tên người đặt lịch.
    pub name: String,
    pub contact: Contact,
    /// The citizen's account, when booked while logged in.
    pub account: Option<UserId>,
    /// SHA-256 (hex) of the holder's token
    /// ([`motcua_domain::appointments::BookingToken::hash`]).
    pub token_hash: String,
}

/// Lịch hẹn — a stored booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub code: BookingCode,
    pub unit: UnitId,
    pub procedure: String,
    pub slot_start: DateTime<Utc>,
    pub slot_end: DateTime<Utc>,
    pub name: String,
    pub contact: Contact,
    pub account: Option<UserId>,
    /// `None` for bookings made before tokens (migration 0012).
    pub token_hash: Option<String>,
    pub status: BookingStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Số thứ tự — a queue ticket of a Center's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub unit: UnitId,
    /// The Vietnam day it was issued.
    pub day: NaiveDate,
    /// 1, 2, 3, … per unit and day, without gaps.
    pub number: u32,
    pub kind: TicketKind,
    pub booking: Option<BookingCode>,
    pub procedure: Option<String>,
    /// The booked slot's start (appointments).
    pub slot_start: Option<DateTime<Utc>>,
    pub status: TicketStatus,
    /// Quầy — the counter it was called to.
    pub counter: Option<u16>,
    pub created_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A ticket to issue: a walk-in, or the check-in of a booking (whose
/// procedure and slot the ticket takes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewTicket {
    WalkIn { procedure: Option<String> },
    CheckIn { booking: BookingCode },
}

/// Appointments and queue tickets. See the module documentation for what
/// a backend guarantees.
#[async_trait]
pub trait AppointmentStore {
    /// The stored configuration of a Center.
    async fn center_config(&self, unit: &UnitId) -> StoreResult<Option<CenterConfig>>;

    /// Stores (replaces) the configuration of a Center.
    async fn put_center_config(
        &self,
        unit: &UnitId,
        config: &CenterConfig,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The stored configuration, or `default` stored first when there is
    /// none (the demo Centers get theirs on first use).
    async fn ensure_center_config(
        &self,
        unit: &UnitId,
        default: &CenterConfig,
        now: DateTime<Utc>,
    ) -> StoreResult<CenterConfig>;

    /// Books a seat of the slot (capacity `capacity`), counts it against
    /// its contacts' `per_contact_per_day` (if any) and enqueues
    /// `reminders`, in one transaction. Conflicts: `slot_full`,
    /// `booking_contact_limit`, `booking_code_taken` (draw another code).
    async fn book(
        &self,
        booking: &NewBooking,
        capacity: u16,
        per_contact_per_day: Option<u32>,
        reminders: &[NewNotification],
        now: DateTime<Utc>,
    ) -> StoreResult<Booking>;

    async fn booking(&self, code: &BookingCode) -> StoreResult<Option<Booking>>;

    /// Seats taken per slot start of `unit` in `[from, to)`.
    async fn taken_seats(
        &self,
        unit: &UnitId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, u32)>>;

    /// Cancels a booked appointment and its pending reminders. NotFound
    /// `booking`; Conflict `booking_not_active` unless it is booked.
    async fn cancel_booking(&self, code: &BookingCode, now: DateTime<Utc>) -> StoreResult<Booking>;

    /// Cancels `old` and books `new` atomically (both or neither); errors
    /// as [`Self::cancel_booking`] and [`Self::book`].
    async fn rebook(
        &self,
        old: &BookingCode,
        new: &NewBooking,
        capacity: u16,
        reminders: &[NewNotification],
        now: DateTime<Utc>,
    ) -> StoreResult<Booking>;

    /// Issues the next ticket of `unit` on `day`. A check-in marks the
    /// booking checked in (NotFound `booking` if it is not this unit's;
    /// Conflict `booking_not_active` unless it is booked).
    async fn issue_ticket(
        &self,
        unit: &UnitId,
        day: NaiveDate,
        ticket: &NewTicket,
        now: DateTime<Utc>,
    ) -> StoreResult<Ticket>;

    /// Calls the next waiting ticket of the day to `counter`, chosen by
    /// [`motcua_domain::appointments::pick_next`]; the counter's ticket
    /// still called or being served is done first. `None` when nobody
    /// waits.
    async fn call_next(
        &self,
        unit: &UnitId,
        day: NaiveDate,
        counter: u16,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Ticket>>;

    /// Moves a ticket (serve, done, skip) by
    /// [`motcua_domain::appointments::ticket_transition`]. NotFound
    /// `ticket`; Conflict `illegal_ticket_transition`.
    async fn update_ticket(
        &self,
        unit: &UnitId,
        day: NaiveDate,
        number: u32,
        to: TicketStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<Ticket>;

    /// The tickets of a day, by number.
    async fn tickets(&self, unit: &UnitId, day: NaiveDate) -> StoreResult<Vec<Ticket>>;
}

/// What both backends share: everything but the SQL.
pub mod support {
    use chrono::{DateTime, Utc};
    use motcua_domain::appointments::{BookingCode, BookingStatus, TicketKind, TicketStatus};
    use motcua_domain::dossier::{UnitId, UserId};

    use sha2::{Digest, Sha256};

    use crate::outbox::{support as osup, Contact};
    use crate::{StoreError, StoreResult};

    /// The keys a booking counts against for the per-contact cap: SHA-256
    /// (hex) of `phone:+84…` and of `email:…` (lower case), sorted, so
    /// the counter table holds no contact in clear and two bookers lock
    /// the rows in one order.
    pub fn contact_keys(c: &Contact) -> Vec<String> {
        let mut keys: Vec<String> = c
            .phone
            .iter()
            .map(|p| format!("phone:{}", p.as_str()))
            .chain(
                c.email
                    .iter()
                    .map(|e| format!("email:{}", e.as_str().to_lowercase())),
            )
            .map(|k| hex::encode(Sha256::digest(k.as_bytes())))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// The cap is reached for one of the booking's contacts.
    pub fn contact_limit() -> StoreError {
        StoreError::Conflict("booking_contact_limit".into())
    }

    /// The day a booking made at `now` counts against (Vietnam).
    pub fn count_day(now: DateTime<Utc>) -> chrono::NaiveDate {
        motcua_domain::dossier::vietnam_date(now)
    }

    /// The dedup key of a booking's reminder rows in the outbox.
    pub fn reminder_key(code: &BookingCode) -> String {
        format!("booking:{code}:reminder")
    }

    /// What a cancellation writes into its pending reminders.
    pub const CANCELLED_REMINDER: &str = "booking cancelled";

    fn corrupt(what: &str, v: &str) -> StoreError {
        StoreError::Corrupt(format!("{what}: {v:?}"))
    }

    pub fn code(s: &str) -> StoreResult<BookingCode> {
        BookingCode::parse(s).map_err(|_| corrupt("booking code", s))
    }
    pub fn unit(s: &str) -> StoreResult<UnitId> {
        UnitId::parse(s).map_err(|_| corrupt("unit", s))
    }
    pub fn user(s: Option<String>) -> StoreResult<Option<UserId>> {
        s.map(|u| UserId::parse(&u).map_err(|_| corrupt("user", &u)))
            .transpose()
    }
    pub fn booking_status(s: &str) -> StoreResult<BookingStatus> {
        BookingStatus::parse(s).ok_or_else(|| corrupt("booking status", s))
    }
    pub fn ticket_status(s: &str) -> StoreResult<TicketStatus> {
        TicketStatus::parse(s).ok_or_else(|| corrupt("ticket status", s))
    }
    pub fn ticket_kind(s: &str) -> StoreResult<TicketKind> {
        TicketKind::parse(s).ok_or_else(|| corrupt("ticket kind", s))
    }
    pub fn contact(
        email: Option<String>,
        phone: Option<String>,
        language: &str,
    ) -> StoreResult<Contact> {
        osup::decode_contact(email, phone, language)
    }
    pub fn u16_of(what: &str, v: i64) -> StoreResult<u16> {
        u16::try_from(v).map_err(|_| corrupt(what, &v.to_string()))
    }
    pub fn u32_of(what: &str, v: i64) -> StoreResult<u32> {
        u32::try_from(v).map_err(|_| corrupt(what, &v.to_string()))
    }

    /// The province a unit id belongs to (its first segment): the
    /// distribution key of the tables.
    pub fn province(unit: &UnitId) -> &str {
        unit.as_str().split('.').next().unwrap_or(unit.as_str())
    }

    pub fn slot_full() -> StoreError {
        StoreError::Conflict("slot_full".into())
    }
    pub fn not_active() -> StoreError {
        StoreError::Conflict("booking_not_active".into())
    }
    pub fn no_booking() -> StoreError {
        StoreError::NotFound("booking".into())
    }
    pub fn no_ticket() -> StoreError {
        StoreError::NotFound("ticket".into())
    }

    /// Vietnam local time of an instant.
    pub fn local(t: DateTime<Utc>) -> chrono::NaiveDateTime {
        motcua_domain::calendar::to_vietnam_local(&t)
    }
}
