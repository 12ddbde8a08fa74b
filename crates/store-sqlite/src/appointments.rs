//! Appointments and queue tickets on SQLite. Every write runs on the one
//! writer thread, inside its own savepoint, so counting a slot's seats and
//! taking one (or allocating a ticket number) cannot interleave with
//! another booking: capacity and gap-free numbering follow from it.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::appointments::{
    free_seat, pick_next, ticket_transition, BookingCode, BookingStatus, CenterConfig, TicketKind,
    TicketStatus, Waiting,
};
use motcua_domain::dossier::{to_micros, UnitId};
use motcua_store::appointments::support as sup;
use motcua_store::outbox::NewNotification;
use motcua_store::outbox_support as osup;
use motcua_store::{
    AppointmentStore, Booking, NewBooking, NewTicket, StoreError, StoreResult, Ticket,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::dossiers::{parse_ts, ts};
use crate::{db_err, SqliteStore};

const BOOKING_COLUMNS: &str = "code, unit, procedure, slot_start, slot_end, name, email, phone, \
     language, account, status, created_at, updated_at, token_hash";
const TICKET_COLUMNS: &str = "unit, day, number, kind, booking, procedure, slot_start, status, \
     counter, created_at, called_at, finished_at";

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn opt_ts(column: &str, v: Option<String>) -> StoreResult<Option<DateTime<Utc>>> {
    v.map(|s| parse_ts(column, &s)).transpose()
}

fn read_booking(r: &Row<'_>) -> StoreResult<Booking> {
    let text = |i| r.get::<_, String>(i).map_err(db_err);
    let opt = |i| r.get::<_, Option<String>>(i).map_err(db_err);
    Ok(Booking {
        code: sup::code(&text(0)?)?,
        unit: sup::unit(&text(1)?)?,
        procedure: text(2)?,
        slot_start: parse_ts("bookings.slot_start", &text(3)?)?,
        slot_end: parse_ts("bookings.slot_end", &text(4)?)?,
        name: text(5)?,
        contact: sup::contact(opt(6)?, opt(7)?, &text(8)?)?,
        account: sup::user(opt(9)?)?,
        token_hash: opt(13)?,
        status: sup::booking_status(&text(10)?)?,
        created_at: parse_ts("bookings.created_at", &text(11)?)?,
        updated_at: parse_ts("bookings.updated_at", &text(12)?)?,
    })
}

fn read_ticket(r: &Row<'_>) -> StoreResult<Ticket> {
    let text = |i| r.get::<_, String>(i).map_err(db_err);
    let opt = |i| r.get::<_, Option<String>>(i).map_err(db_err);
    let d = text(1)?;
    Ok(Ticket {
        unit: sup::unit(&text(0)?)?,
        day: NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map_err(|_| StoreError::Corrupt(format!("queue_tickets.day: {d:?}")))?,
        number: sup::u32_of("ticket number", r.get(2).map_err(db_err)?)?,
        kind: sup::ticket_kind(&text(3)?)?,
        booking: opt(4)?.map(|c| sup::code(&c)).transpose()?,
        procedure: opt(5)?,
        slot_start: opt_ts("queue_tickets.slot_start", opt(6)?)?,
        status: sup::ticket_status(&text(7)?)?,
        counter: r
            .get::<_, Option<i64>>(8)
            .map_err(db_err)?
            .map(|c| sup::u16_of("counter", c))
            .transpose()?,
        created_at: parse_ts("queue_tickets.created_at", &text(9)?)?,
        called_at: opt_ts("queue_tickets.called_at", opt(10)?)?,
        finished_at: opt_ts("queue_tickets.finished_at", opt(11)?)?,
    })
}

fn get_booking(conn: &Connection, code: &str) -> StoreResult<Option<Booking>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE code = ?1"
        ))
        .map_err(db_err)?;
    let mut rows = stmt.query([code]).map_err(db_err)?;
    match rows.next().map_err(db_err)? {
        Some(r) => read_booking(r).map(Some),
        None => Ok(None),
    }
}

fn get_ticket(conn: &Connection, unit: &str, d: &str, n: u32) -> StoreResult<Option<Ticket>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE unit = ?1 AND day = ?2 AND number = ?3"
        ))
        .map_err(db_err)?;
    let mut rows = stmt.query(params![unit, d, n]).map_err(db_err)?;
    match rows.next().map_err(db_err)? {
        Some(r) => read_ticket(r).map(Some),
        None => Ok(None),
    }
}

fn insert_reminders(
    conn: &Connection,
    rows: &[NewNotification],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO notification_outbox (id, dedup_key, dossier, event_seq, kind, channel, \
             recipient, language, payload, status, attempts, next_attempt_at, created_at) \
             VALUES (?1, ?2, NULL, NULL, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?8, ?9) \
             ON CONFLICT (dedup_key, channel) DO NOTHING",
        )
        .map_err(db_err)?;
    for n in rows {
        stmt.execute(params![
            osup::notification_id(&n.dedup_key, n.channel, now).as_str(),
            n.dedup_key,
            n.kind.as_str(),
            n.channel.as_str(),
            n.recipient,
            n.language.as_str(),
            osup::payload_json(&n.payload)?,
            ts(to_micros(n.not_before)),
            ts(now),
        ])
        .map_err(db_err)?;
    }
    Ok(())
}

/// Counts a booking against each of its contacts for the day of `now`;
/// the cap reached for one of them refuses it (the savepoint rolls the
/// counts back).
fn count_contacts(
    conn: &Connection,
    b: &NewBooking,
    cap: u32,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO booking_contact_days (contact, day, made) VALUES (?1, ?2, 1) \
             ON CONFLICT (contact, day) DO UPDATE SET made = made + 1 RETURNING made",
        )
        .map_err(db_err)?;
    let on = day(sup::count_day(now));
    for key in sup::contact_keys(&b.contact) {
        let made: i64 = stmt
            .query_row(params![key, on], |r| r.get(0))
            .map_err(db_err)?;
        if made > i64::from(cap) {
            return Err(sup::contact_limit());
        }
    }
    Ok(())
}

fn book_in(
    conn: &Connection,
    b: &NewBooking,
    capacity: u16,
    per_contact_per_day: Option<u32>,
    reminders: &[NewNotification],
    now: DateTime<Utc>,
) -> StoreResult<Booking> {
    if get_booking(conn, b.code.as_str())?.is_some() {
        return Err(StoreError::Conflict("booking_code_taken".into()));
    }
    let start = ts(b.slot_start);
    let taken: Vec<u16> = {
        let mut stmt = conn
            .prepare_cached(
                "SELECT seat FROM bookings WHERE unit = ?1 AND slot_start = ?2 AND seat IS NOT NULL",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![b.unit.as_str(), start], |r| r.get::<_, i64>(0))
            .map_err(db_err)?;
        rows.map(|s| s.map_err(db_err).and_then(|s| sup::u16_of("seat", s)))
            .collect::<StoreResult<_>>()?
    };
    let seat = free_seat(&taken, capacity).ok_or_else(sup::slot_full)?;
    if let Some(cap) = per_contact_per_day {
        count_contacts(conn, b, cap, now)?;
    }
    let (email, phone, language) = osup::contact_row(&b.contact);
    conn.prepare_cached(
        "INSERT INTO bookings (code, unit, province, procedure, slot_start, slot_end, seat, name, \
         email, phone, language, account, status, created_at, updated_at, token_hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'booked', ?13, ?13, ?14)",
    )
    .map_err(db_err)?
    .execute(params![
        b.code.as_str(),
        b.unit.as_str(),
        sup::province(&b.unit),
        b.procedure,
        start,
        ts(b.slot_end),
        seat,
        b.name,
        email,
        phone,
        language,
        b.account.as_ref().map(|a| a.as_str()),
        ts(now),
        b.token_hash,
    ])
    .map_err(db_err)?;
    insert_reminders(conn, reminders, now)?;
    get_booking(conn, b.code.as_str())?.ok_or_else(sup::no_booking)
}

fn cancel_in(conn: &Connection, code: &BookingCode, now: DateTime<Utc>) -> StoreResult<Booking> {
    let b = get_booking(conn, code.as_str())?.ok_or_else(sup::no_booking)?;
    if b.status != BookingStatus::Booked {
        return Err(sup::not_active());
    }
    conn.prepare_cached(
        "UPDATE bookings SET status = 'cancelled', seat = NULL, updated_at = ?2 WHERE code = ?1",
    )
    .map_err(db_err)?
    .execute(params![code.as_str(), ts(now)])
    .map_err(db_err)?;
    conn.prepare_cached(
        "UPDATE notification_outbox SET status = 'failed', last_error = ?2 \
         WHERE dedup_key = ?1 AND status = 'pending'",
    )
    .map_err(db_err)?
    .execute(params![sup::reminder_key(code), sup::CANCELLED_REMINDER])
    .map_err(db_err)?;
    get_booking(conn, code.as_str())?.ok_or_else(sup::no_booking)
}

#[async_trait]
impl AppointmentStore for SqliteStore {
    async fn center_config(&self, unit: &UnitId) -> StoreResult<Option<CenterConfig>> {
        let unit = unit.to_string();
        self.read(move |c| read_config(c, &unit)).await
    }

    async fn put_center_config(
        &self,
        unit: &UnitId,
        config: &CenterConfig,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (unit, config) = (unit.clone(), *config);
        self.write(move |c| write_config(c, &unit, &config, now, true))
            .await
    }

    async fn ensure_center_config(
        &self,
        unit: &UnitId,
        default: &CenterConfig,
        now: DateTime<Utc>,
    ) -> StoreResult<CenterConfig> {
        let (unit, config) = (unit.clone(), *default);
        self.write(move |c| {
            write_config(c, &unit, &config, now, false)?;
            read_config(c, unit.as_str())?.ok_or_else(|| StoreError::NotFound("center".into()))
        })
        .await
    }

    async fn book(
        &self,
        booking: &NewBooking,
        capacity: u16,
        per_contact_per_day: Option<u32>,
        reminders: &[NewNotification],
        now: DateTime<Utc>,
    ) -> StoreResult<Booking> {
        let (b, r) = (booking.clone(), reminders.to_vec());
        self.write(move |c| book_in(c, &b, capacity, per_contact_per_day, &r, now))
            .await
    }

    async fn booking(&self, code: &BookingCode) -> StoreResult<Option<Booking>> {
        let code = code.to_string();
        self.read(move |c| get_booking(c, &code)).await
    }

    async fn taken_seats(
        &self,
        unit: &UnitId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, u32)>> {
        let unit = unit.to_string();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT slot_start, COUNT(*) FROM bookings WHERE unit = ?1 AND seat IS NOT NULL \
                     AND slot_start >= ?2 AND slot_start < ?3 GROUP BY slot_start ORDER BY slot_start",
                )
                .map_err(db_err)?;
            let rows = stmt
                .query_map(params![unit, ts(from), ts(to)], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })
                .map_err(db_err)?;
            rows.map(|r| {
                let (s, n) = r.map_err(db_err)?;
                Ok((parse_ts("bookings.slot_start", &s)?, sup::u32_of("count", n)?))
            })
            .collect()
        })
        .await
    }

    async fn cancel_booking(&self, code: &BookingCode, now: DateTime<Utc>) -> StoreResult<Booking> {
        let code = code.clone();
        self.write(move |c| cancel_in(c, &code, now)).await
    }

    async fn rebook(
        &self,
        old: &BookingCode,
        new: &NewBooking,
        capacity: u16,
        reminders: &[NewNotification],
        now: DateTime<Utc>,
    ) -> StoreResult<Booking> {
        let (old, b, r) = (old.clone(), new.clone(), reminders.to_vec());
        self.write(move |c| {
            cancel_in(c, &old, now)?;
            book_in(c, &b, capacity, None, &r, now)
        })
        .await
    }

    async fn issue_ticket(
        &self,
        unit: &UnitId,
        on: NaiveDate,
        ticket: &NewTicket,
        now: DateTime<Utc>,
    ) -> StoreResult<Ticket> {
        let (unit, ticket) = (unit.clone(), ticket.clone());
        self.write(move |c| {
            let (kind, booking, procedure, slot) = match &ticket {
                NewTicket::WalkIn { procedure } => (TicketKind::WalkIn, None, procedure.clone(), None),
                NewTicket::CheckIn { booking } => {
                    let b = get_booking(c, booking.as_str())?
                        .filter(|b| b.unit == unit)
                        .ok_or_else(sup::no_booking)?;
                    if b.status != BookingStatus::Booked {
                        return Err(sup::not_active());
                    }
                    c.prepare_cached(
                        "UPDATE bookings SET status = 'checked_in', updated_at = ?2 WHERE code = ?1",
                    )
                    .map_err(db_err)?
                    .execute(params![b.code.as_str(), ts(now)])
                    .map_err(db_err)?;
                    (
                        TicketKind::Appointment,
                        Some(b.code.to_string()),
                        Some(b.procedure),
                        Some(ts(b.slot_start)),
                    )
                }
            };
            let d = day(on);
            let number: i64 = c
                .prepare_cached(
                    "INSERT INTO queue_ticket_sequences (unit, day, last) VALUES (?1, ?2, 1) \
                     ON CONFLICT (unit, day) DO UPDATE SET last = last + 1 RETURNING last",
                )
                .map_err(db_err)?
                .query_row(params![unit.as_str(), d], |r| r.get(0))
                .map_err(db_err)?;
            c.prepare_cached(
                "INSERT INTO queue_tickets (unit, day, number, province, kind, booking, procedure, \
                 slot_start, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'waiting', ?9)",
            )
            .map_err(db_err)?
            .execute(params![
                unit.as_str(),
                d,
                number,
                sup::province(&unit),
                kind.as_str(),
                booking,
                procedure,
                slot,
                ts(now),
            ])
            .map_err(db_err)?;
            let n = sup::u32_of("ticket number", number)?;
            get_ticket(c, unit.as_str(), &d, n)?.ok_or_else(sup::no_ticket)
        })
        .await
    }

    async fn call_next(
        &self,
        unit: &UnitId,
        on: NaiveDate,
        counter: u16,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Ticket>> {
        let unit = unit.to_string();
        self.write(move |c| {
            let d = day(on);
            c.prepare_cached(
                "UPDATE queue_tickets SET status = 'done', finished_at = ?4 WHERE unit = ?1 \
                 AND day = ?2 AND counter = ?3 AND status IN ('called', 'serving')",
            )
            .map_err(db_err)?
            .execute(params![unit, d, counter, ts(now)])
            .map_err(db_err)?;
            let waiting: Vec<Waiting> = {
                let mut stmt = c
                    .prepare_cached(
                        "SELECT number, kind, slot_start FROM queue_tickets \
                         WHERE unit = ?1 AND day = ?2 AND status = 'waiting'",
                    )
                    .map_err(db_err)?;
                let rows = stmt
                    .query_map(params![unit, d], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, Option<String>>(2)?,
                        ))
                    })
                    .map_err(db_err)?;
                rows.map(|r| {
                    let (n, k, s) = r.map_err(db_err)?;
                    Ok(Waiting {
                        number: sup::u32_of("ticket number", n)?,
                        kind: sup::ticket_kind(&k)?,
                        slot_start: opt_ts("queue_tickets.slot_start", s)?.map(sup::local),
                    })
                })
                .collect::<StoreResult<_>>()?
            };
            let Some(n) = pick_next(&waiting, sup::local(now)) else {
                return Ok(None);
            };
            c.prepare_cached(
                "UPDATE queue_tickets SET status = 'called', counter = ?4, called_at = ?5 \
                 WHERE unit = ?1 AND day = ?2 AND number = ?3",
            )
            .map_err(db_err)?
            .execute(params![unit, d, n, counter, ts(now)])
            .map_err(db_err)?;
            get_ticket(c, &unit, &d, n)
        })
        .await
    }

    async fn update_ticket(
        &self,
        unit: &UnitId,
        on: NaiveDate,
        number: u32,
        to: TicketStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<Ticket> {
        let unit = unit.to_string();
        self.write(move |c| {
            let d = day(on);
            let t = get_ticket(c, &unit, &d, number)?.ok_or_else(sup::no_ticket)?;
            ticket_transition(t.status, to)
                .map_err(|_| StoreError::Conflict("illegal_ticket_transition".into()))?;
            let finished =
                matches!(to, TicketStatus::Done | TicketStatus::Skipped).then(|| ts(now));
            c.prepare_cached(
                "UPDATE queue_tickets SET status = ?4, finished_at = COALESCE(?5, finished_at) \
                 WHERE unit = ?1 AND day = ?2 AND number = ?3",
            )
            .map_err(db_err)?
            .execute(params![unit, d, number, to.as_str(), finished])
            .map_err(db_err)?;
            get_ticket(c, &unit, &d, number)?.ok_or_else(sup::no_ticket)
        })
        .await
    }

    async fn tickets(&self, unit: &UnitId, on: NaiveDate) -> StoreResult<Vec<Ticket>> {
        let unit = unit.to_string();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE unit = ?1 AND day = ?2 \
                     ORDER BY number"
                ))
                .map_err(db_err)?;
            let mut rows = stmt.query(params![unit, day(on)]).map_err(db_err)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(db_err)? {
                out.push(read_ticket(r)?);
            }
            Ok(out)
        })
        .await
    }
}

fn read_config(c: &Connection, unit: &str) -> StoreResult<Option<CenterConfig>> {
    let row: Option<(i64, i64, i64, i64, i64)> = c
        .prepare_cached(
            "SELECT counters, slot_minutes, capacity, reminder_hours, horizon_days \
             FROM center_configs WHERE unit = ?1",
        )
        .map_err(db_err)?
        .query_row([unit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()
        .map_err(db_err)?;
    row.map(|(a, b, c, d, e)| {
        Ok(CenterConfig {
            counters: sup::u16_of("counters", a)?,
            slot_minutes: sup::u16_of("slot_minutes", b)?,
            capacity: sup::u16_of("capacity", c)?,
            reminder_hours: sup::u16_of("reminder_hours", d)?,
            horizon_days: sup::u16_of("horizon_days", e)?,
        })
    })
    .transpose()
}

fn write_config(
    c: &Connection,
    unit: &UnitId,
    cfg: &CenterConfig,
    now: DateTime<Utc>,
    replace: bool,
) -> StoreResult<()> {
    let on_conflict = if replace {
        "DO UPDATE SET counters = ?3, slot_minutes = ?4, capacity = ?5, reminder_hours = ?6, \
         horizon_days = ?7, updated_at = ?8"
    } else {
        "DO NOTHING"
    };
    c.prepare_cached(&format!(
        "INSERT INTO center_configs (unit, province, counters, slot_minutes, capacity, \
         reminder_hours, horizon_days, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (unit) {on_conflict}"
    ))
    .map_err(db_err)?
    .execute(params![
        unit.as_str(),
        sup::province(unit),
        cfg.counters,
        cfg.slot_minutes,
        cfg.capacity,
        cfg.reminder_hours,
        cfg.horizon_days,
        ts(now),
    ])
    .map_err(db_err)?;
    Ok(())
}
