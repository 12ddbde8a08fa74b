//! Appointments and queue tickets on PostgreSQL. A booking locks its
//! slot's row in `appointment_slots` (`FOR UPDATE`, the row created on
//! first use), so bookers of one slot take turns counting and taking seats;
//! bookers of other slots do not wait. A rebook locks both slots in time
//! order (no deadlock between two rebooks). Ticket numbers come from an
//! upsert on `queue_ticket_sequences` in the ticket's transaction; calling
//! the next ticket locks the day's waiting tickets.

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
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::{db_err, PgStore};

const BOOKING_COLUMNS: &str = "code, unit, procedure, slot_start, slot_end, name, email, phone, \
     language, account, status, created_at, updated_at, token_hash";
const TICKET_COLUMNS: &str = "unit, day, number, kind, booking, procedure, slot_start, status, \
     counter, created_at, called_at, finished_at";

fn read_booking(r: &PgRow) -> StoreResult<Booking> {
    let text = |i| r.try_get::<String, _>(i).map_err(db_err);
    let opt = |i| r.try_get::<Option<String>, _>(i).map_err(db_err);
    let time = |i| r.try_get::<DateTime<Utc>, _>(i).map_err(db_err);
    Ok(Booking {
        code: sup::code(&text(0)?)?,
        unit: sup::unit(&text(1)?)?,
        procedure: text(2)?,
        slot_start: time(3)?,
        slot_end: time(4)?,
        name: text(5)?,
        contact: sup::contact(opt(6)?, opt(7)?, &text(8)?)?,
        account: sup::user(opt(9)?)?,
        token_hash: opt(13)?,
        status: sup::booking_status(&text(10)?)?,
        created_at: time(11)?,
        updated_at: time(12)?,
    })
}

fn read_ticket(r: &PgRow) -> StoreResult<Ticket> {
    let text = |i| r.try_get::<String, _>(i).map_err(db_err);
    let opt = |i| r.try_get::<Option<String>, _>(i).map_err(db_err);
    let opt_time = |i| r.try_get::<Option<DateTime<Utc>>, _>(i).map_err(db_err);
    Ok(Ticket {
        unit: sup::unit(&text(0)?)?,
        day: r.try_get(1).map_err(db_err)?,
        number: sup::u32_of(
            "ticket number",
            i64::from(r.try_get::<i32, _>(2).map_err(db_err)?),
        )?,
        kind: sup::ticket_kind(&text(3)?)?,
        booking: opt(4)?.map(|c| sup::code(&c)).transpose()?,
        procedure: opt(5)?,
        slot_start: opt_time(6)?,
        status: sup::ticket_status(&text(7)?)?,
        counter: r
            .try_get::<Option<i16>, _>(8)
            .map_err(db_err)?
            .map(|c| sup::u16_of("counter", i64::from(c)))
            .transpose()?,
        created_at: r.try_get(9).map_err(db_err)?,
        called_at: opt_time(10)?,
        finished_at: opt_time(11)?,
    })
}

async fn get_booking(
    conn: &mut PgConnection,
    code: &str,
    lock: bool,
) -> StoreResult<Option<Booking>> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE code = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    sqlx::query(&sql)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(read_booking)
        .transpose()
}

async fn get_ticket(
    conn: &mut PgConnection,
    unit: &str,
    day: NaiveDate,
    n: u32,
    lock: bool,
) -> StoreResult<Option<Ticket>> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE unit = $1 AND day = $2 AND number = $3{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    sqlx::query(&sql)
        .bind(unit)
        .bind(day)
        .bind(i64::from(n))
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(read_ticket)
        .transpose()
}

/// Locks the slot's row (creating it first), serialising its bookers.
async fn lock_slot(
    conn: &mut PgConnection,
    unit: &UnitId,
    start: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO appointment_slots (unit, slot_start, province) VALUES ($1, $2, $3) \
         ON CONFLICT (unit, slot_start) DO NOTHING",
    )
    .bind(unit.as_str())
    .bind(start)
    .bind(sup::province(unit))
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    sqlx::query("SELECT 1 FROM appointment_slots WHERE unit = $1 AND slot_start = $2 FOR UPDATE")
        .bind(unit.as_str())
        .bind(start)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Counts a booking against each of its contacts for the day of `now`,
/// in key order; the upsert locks each counter row until the transaction
/// ends, so the bookers of one contact take turns. The cap reached for
/// one of them refuses it (the transaction is rolled back).
async fn count_contacts(
    conn: &mut PgConnection,
    b: &NewBooking,
    cap: u32,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let on = sup::count_day(now);
    for key in sup::contact_keys(&b.contact) {
        let made: i32 = sqlx::query_scalar(
            "INSERT INTO booking_contact_days (contact, day, made) VALUES ($1, $2, 1) \
             ON CONFLICT (contact, day) DO UPDATE SET made = booking_contact_days.made + 1 \
             RETURNING made",
        )
        .bind(key)
        .bind(on)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
        if i64::from(made) > i64::from(cap) {
            return Err(sup::contact_limit());
        }
    }
    Ok(())
}

async fn book_in(
    conn: &mut PgConnection,
    b: &NewBooking,
    capacity: u16,
    per_contact_per_day: Option<u32>,
    reminders: &[NewNotification],
    now: DateTime<Utc>,
) -> StoreResult<Booking> {
    if get_booking(conn, b.code.as_str(), false).await?.is_some() {
        return Err(StoreError::Conflict("booking_code_taken".into()));
    }
    let taken: Vec<i16> = sqlx::query_scalar(
        "SELECT seat FROM bookings WHERE unit = $1 AND slot_start = $2 AND seat IS NOT NULL",
    )
    .bind(b.unit.as_str())
    .bind(b.slot_start)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let taken: Vec<u16> = taken
        .into_iter()
        .map(|s| sup::u16_of("seat", i64::from(s)))
        .collect::<StoreResult<_>>()?;
    let seat = free_seat(&taken, capacity).ok_or_else(sup::slot_full)?;
    let seat = i16::try_from(seat).map_err(|e| StoreError::Other(e.into()))?;
    if let Some(cap) = per_contact_per_day {
        count_contacts(conn, b, cap, now).await?;
    }
    let (email, phone, language) = osup::contact_row(&b.contact);
    let inserted = sqlx::query(
        "INSERT INTO bookings (code, unit, province, procedure, slot_start, slot_end, seat, name, \
         email, phone, language, account, status, created_at, updated_at, token_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'booked', $13, $13, $14) \
         ON CONFLICT (code) DO NOTHING",
    )
    .bind(b.code.as_str())
    .bind(b.unit.as_str())
    .bind(sup::province(&b.unit))
    .bind(&b.procedure)
    .bind(b.slot_start)
    .bind(b.slot_end)
    .bind(seat)
    .bind(&b.name)
    .bind(email)
    .bind(phone)
    .bind(language)
    .bind(b.account.as_ref().map(|a| a.as_str()))
    .bind(now)
    .bind(&b.token_hash)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?
    .rows_affected();
    if inserted == 0 {
        return Err(StoreError::Conflict("booking_code_taken".into()));
    }
    for n in reminders {
        sqlx::query(
            "INSERT INTO notification_outbox (id, dedup_key, dossier, event_seq, kind, channel, \
             recipient, language, payload, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, NULL, NULL, $3, $4, $5, $6, $7::jsonb, 'pending', 0, $8, $9) \
             ON CONFLICT (dedup_key, channel) DO NOTHING",
        )
        .bind(osup::notification_id(&n.dedup_key, n.channel, now).as_str())
        .bind(&n.dedup_key)
        .bind(n.kind.as_str())
        .bind(n.channel.as_str())
        .bind(&n.recipient)
        .bind(n.language.as_str())
        .bind(osup::payload_json(&n.payload)?)
        .bind(to_micros(n.not_before))
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    get_booking(conn, b.code.as_str(), false)
        .await?
        .ok_or_else(sup::no_booking)
}

async fn cancel_in(
    conn: &mut PgConnection,
    code: &BookingCode,
    now: DateTime<Utc>,
) -> StoreResult<Booking> {
    let b = get_booking(conn, code.as_str(), true)
        .await?
        .ok_or_else(sup::no_booking)?;
    if b.status != BookingStatus::Booked {
        return Err(sup::not_active());
    }
    sqlx::query(
        "UPDATE bookings SET status = 'cancelled', seat = NULL, updated_at = $2 WHERE code = $1",
    )
    .bind(code.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "UPDATE notification_outbox SET status = 'failed', last_error = $2 \
         WHERE dedup_key = $1 AND status = 'pending'",
    )
    .bind(sup::reminder_key(code))
    .bind(sup::CANCELLED_REMINDER)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    get_booking(conn, code.as_str(), false)
        .await?
        .ok_or_else(sup::no_booking)
}

async fn read_config(conn: &mut PgConnection, unit: &str) -> StoreResult<Option<CenterConfig>> {
    let row: Option<(i16, i16, i16, i16, i16)> = sqlx::query_as(
        "SELECT counters, slot_minutes, capacity, reminder_hours, horizon_days \
         FROM center_configs WHERE unit = $1",
    )
    .bind(unit)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    row.map(|(a, b, c, d, e)| {
        let f = |what, v: i16| sup::u16_of(what, i64::from(v));
        Ok(CenterConfig {
            counters: f("counters", a)?,
            slot_minutes: f("slot_minutes", b)?,
            capacity: f("capacity", c)?,
            reminder_hours: f("reminder_hours", d)?,
            horizon_days: f("horizon_days", e)?,
        })
    })
    .transpose()
}

async fn write_config(
    conn: &mut PgConnection,
    unit: &UnitId,
    cfg: &CenterConfig,
    now: DateTime<Utc>,
    replace: bool,
) -> StoreResult<()> {
    let on_conflict = if replace {
        "DO UPDATE SET counters = $3, slot_minutes = $4, capacity = $5, reminder_hours = $6, \
         horizon_days = $7, updated_at = $8"
    } else {
        "DO NOTHING"
    };
    let small = |v: u16| i16::try_from(v).map_err(|e| StoreError::Other(e.into()));
    sqlx::query(&format!(
        "INSERT INTO center_configs (unit, province, counters, slot_minutes, capacity, \
         reminder_hours, horizon_days, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (unit) {on_conflict}"
    ))
    .bind(unit.as_str())
    .bind(sup::province(unit))
    .bind(small(cfg.counters)?)
    .bind(small(cfg.slot_minutes)?)
    .bind(small(cfg.capacity)?)
    .bind(small(cfg.reminder_hours)?)
    .bind(small(cfg.horizon_days)?)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl AppointmentStore for PgStore {
    async fn center_config(&self, unit: &UnitId) -> StoreResult<Option<CenterConfig>> {
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        read_config(&mut conn, unit.as_str()).await
    }

    async fn put_center_config(
        &self,
        unit: &UnitId,
        config: &CenterConfig,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        write_config(&mut conn, unit, config, to_micros(now), true).await
    }

    async fn ensure_center_config(
        &self,
        unit: &UnitId,
        default: &CenterConfig,
        now: DateTime<Utc>,
    ) -> StoreResult<CenterConfig> {
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        write_config(&mut conn, unit, default, to_micros(now), false).await?;
        read_config(&mut conn, unit.as_str())
            .await?
            .ok_or_else(|| StoreError::NotFound("center".into()))
    }

    async fn book(
        &self,
        booking: &NewBooking,
        capacity: u16,
        per_contact_per_day: Option<u32>,
        reminders: &[NewNotification],
        now: DateTime<Utc>,
    ) -> StoreResult<Booking> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        lock_slot(&mut tx, &booking.unit, booking.slot_start).await?;
        let b = book_in(
            &mut tx,
            booking,
            capacity,
            per_contact_per_day,
            reminders,
            to_micros(now),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(b)
    }

    async fn booking(&self, code: &BookingCode) -> StoreResult<Option<Booking>> {
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        get_booking(&mut conn, code.as_str(), false).await
    }

    async fn taken_seats(
        &self,
        unit: &UnitId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, u32)>> {
        let rows: Vec<(DateTime<Utc>, i64)> = sqlx::query_as(
            "SELECT slot_start, COUNT(*) FROM bookings WHERE unit = $1 AND seat IS NOT NULL \
             AND slot_start >= $2 AND slot_start < $3 GROUP BY slot_start ORDER BY slot_start",
        )
        .bind(unit.as_str())
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(s, n)| Ok((s, sup::u32_of("count", n)?)))
            .collect()
    }

    async fn cancel_booking(&self, code: &BookingCode, now: DateTime<Utc>) -> StoreResult<Booking> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let b = cancel_in(&mut tx, code, to_micros(now)).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(b)
    }

    async fn rebook(
        &self,
        old: &BookingCode,
        new: &NewBooking,
        capacity: u16,
        reminders: &[NewNotification],
        now: DateTime<Utc>,
    ) -> StoreResult<Booking> {
        let now = to_micros(now);
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let current = get_booking(&mut tx, old.as_str(), false)
            .await?
            .ok_or_else(sup::no_booking)?;
        let mut slots = vec![
            (current.unit.clone(), current.slot_start),
            (new.unit.clone(), new.slot_start),
        ];
        slots.sort_by(|a, b| (a.1, a.0.as_str()).cmp(&(b.1, b.0.as_str())));
        slots.dedup();
        for (unit, start) in &slots {
            lock_slot(&mut tx, unit, *start).await?;
        }
        cancel_in(&mut tx, old, now).await?;
        let b = book_in(&mut tx, new, capacity, None, reminders, now).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(b)
    }

    async fn issue_ticket(
        &self,
        unit: &UnitId,
        day: NaiveDate,
        ticket: &NewTicket,
        now: DateTime<Utc>,
    ) -> StoreResult<Ticket> {
        let now = to_micros(now);
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let (kind, booking, procedure, slot) = match ticket {
            NewTicket::WalkIn { procedure } => (TicketKind::WalkIn, None, procedure.clone(), None),
            NewTicket::CheckIn { booking } => {
                let b = get_booking(&mut tx, booking.as_str(), true)
                    .await?
                    .filter(|b| &b.unit == unit)
                    .ok_or_else(sup::no_booking)?;
                if b.status != BookingStatus::Booked {
                    return Err(sup::not_active());
                }
                sqlx::query(
                    "UPDATE bookings SET status = 'checked_in', updated_at = $2 WHERE code = $1",
                )
                .bind(b.code.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                (
                    TicketKind::Appointment,
                    Some(b.code.to_string()),
                    Some(b.procedure),
                    Some(b.slot_start),
                )
            }
        };
        let number: i32 = sqlx::query_scalar(
            "INSERT INTO queue_ticket_sequences (unit, day, last) VALUES ($1, $2, 1) \
             ON CONFLICT (unit, day) DO UPDATE SET last = queue_ticket_sequences.last + 1 \
             RETURNING last",
        )
        .bind(unit.as_str())
        .bind(day)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO queue_tickets (unit, day, number, province, kind, booking, procedure, \
             slot_start, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9)",
        )
        .bind(unit.as_str())
        .bind(day)
        .bind(number)
        .bind(sup::province(unit))
        .bind(kind.as_str())
        .bind(booking)
        .bind(procedure)
        .bind(slot)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let n = sup::u32_of("ticket number", i64::from(number))?;
        let t = get_ticket(&mut tx, unit.as_str(), day, n, false)
            .await?
            .ok_or_else(sup::no_ticket)?;
        tx.commit().await.map_err(db_err)?;
        Ok(t)
    }

    async fn call_next(
        &self,
        unit: &UnitId,
        day: NaiveDate,
        counter: u16,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Ticket>> {
        let now = to_micros(now);
        let counter = i16::try_from(counter).map_err(|e| StoreError::Other(e.into()))?;
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        // One caller at a time per unit-day: the day's sequence row.
        sqlx::query("SELECT 1 FROM queue_ticket_sequences WHERE unit = $1 AND day = $2 FOR UPDATE")
            .bind(unit.as_str())
            .bind(day)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query(
            "UPDATE queue_tickets SET status = 'done', finished_at = $4 WHERE unit = $1 \
             AND day = $2 AND counter = $3 AND status IN ('called', 'serving')",
        )
        .bind(unit.as_str())
        .bind(day)
        .bind(counter)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let rows: Vec<(i32, String, Option<DateTime<Utc>>)> = sqlx::query_as(
            "SELECT number, kind, slot_start FROM queue_tickets \
             WHERE unit = $1 AND day = $2 AND status = 'waiting'",
        )
        .bind(unit.as_str())
        .bind(day)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let waiting = rows
            .into_iter()
            .map(|(n, k, s)| {
                Ok(Waiting {
                    number: sup::u32_of("ticket number", i64::from(n))?,
                    kind: sup::ticket_kind(&k)?,
                    slot_start: s.map(sup::local),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let Some(n) = pick_next(&waiting, sup::local(now)) else {
            tx.commit().await.map_err(db_err)?;
            return Ok(None);
        };
        sqlx::query(
            "UPDATE queue_tickets SET status = 'called', counter = $4, called_at = $5 \
             WHERE unit = $1 AND day = $2 AND number = $3",
        )
        .bind(unit.as_str())
        .bind(day)
        .bind(i64::from(n))
        .bind(counter)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let t = get_ticket(&mut tx, unit.as_str(), day, n, false).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(t)
    }

    async fn update_ticket(
        &self,
        unit: &UnitId,
        day: NaiveDate,
        number: u32,
        to: TicketStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<Ticket> {
        let now = to_micros(now);
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let t = get_ticket(&mut tx, unit.as_str(), day, number, true)
            .await?
            .ok_or_else(sup::no_ticket)?;
        ticket_transition(t.status, to)
            .map_err(|_| StoreError::Conflict("illegal_ticket_transition".into()))?;
        let finished = matches!(to, TicketStatus::Done | TicketStatus::Skipped).then_some(now);
        sqlx::query(
            "UPDATE queue_tickets SET status = $4, finished_at = COALESCE($5, finished_at) \
             WHERE unit = $1 AND day = $2 AND number = $3",
        )
        .bind(unit.as_str())
        .bind(day)
        .bind(i64::from(number))
        .bind(to.as_str())
        .bind(finished)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let t = get_ticket(&mut tx, unit.as_str(), day, number, false)
            .await?
            .ok_or_else(sup::no_ticket)?;
        tx.commit().await.map_err(db_err)?;
        Ok(t)
    }

    async fn tickets(&self, unit: &UnitId, day: NaiveDate) -> StoreResult<Vec<Ticket>> {
        let rows = sqlx::query(&format!(
            "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE unit = $1 AND day = $2 ORDER BY number"
        ))
        .bind(unit.as_str())
        .bind(day)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        rows.iter().map(read_ticket).collect()
    }
}
