//! Conformance checks of appointments and queue tickets: capacity holds
//! under concurrent bookings, a cancellation frees its seat and withdraws
//! its reminder, a rebook is all or nothing, ticket numbers are gap-free
//! per unit and day under concurrency, and the counter calls due
//! appointments before walk-ins.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use motcua_domain::appointments::{
    BookingCode, BookingStatus, CenterConfig, TicketKind, TicketStatus,
};
use motcua_domain::dossier::{UnitId, UserId};

use super::dossiers::join_all;
use super::outbox::contact;
use crate::appointments::support::reminder_key;
use crate::outbox::{NewNotification, NotificationKind, OutboxQuery, OutboxStatus, Payload};
use crate::{NewBooking, NewTicket, Store, StoreError};

const CENTER: &str = "04.01279";

fn center() -> UnitId {
    UnitId::parse(CENTER).expect("valid unit")
}

/// 2026-03-02 (a Monday) at h:m Vietnam time.
fn vn(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0)
        .single()
        .expect("valid time")
        - chrono::Duration::hours(7)
}

fn now() -> DateTime<Utc> {
    vn(7, 0) - chrono::Duration::days(3)
}

fn the_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).expect("valid date")
}

fn code(i: u32) -> BookingCode {
    let digit = |d: u32| u8::try_from(d % 31).expect("below 31");
    BookingCode::new(the_day(), [digit(i / 961), digit(i / 31), digit(i), 0])
}

fn booking(i: u32, start: DateTime<Utc>) -> NewBooking {
    NewBooking {
        code: code(i),
        unit: center(),
        procedure: "1.001193".into(),
        slot_start: start,
        slot_end: start + chrono::Duration::minutes(15),
        name: format!("Người đặt {i}"),
        contact: contact(),
        account: i
            .is_multiple_of(2)
            .then(|| UserId::parse("citizen-1").expect("valid user")),
        token_hash: format!("{i:064x}"),
    }
}

fn reminders(b: &NewBooking) -> Vec<NewNotification> {
    NewNotification::for_contact(
        &reminder_key(&b.code),
        None,
        None,
        NotificationKind::AppointmentReminder,
        &Payload {
            booking_code: Some(b.code.to_string()),
            appointment: Some(b.slot_start),
            ..Payload::default()
        },
        &b.contact,
        b.slot_start - chrono::Duration::days(1),
    )
}

async fn taken_at(store: &dyn Store, start: DateTime<Utc>) -> u32 {
    store
        .taken_seats(&center(), vn(0, 0), vn(23, 59))
        .await
        .expect("seats")
        .into_iter()
        .find(|(s, _)| *s == start)
        .map_or(0, |(_, n)| n)
}

pub async fn center_configs_default_and_replace(store: &dyn Store) {
    assert_eq!(store.center_config(&center()).await.expect("read"), None);
    let default = CenterConfig::default();
    let got = store
        .ensure_center_config(&center(), &default, now())
        .await
        .expect("ensure");
    assert_eq!(got, default);
    let custom = CenterConfig {
        counters: 5,
        capacity: 4,
        ..default
    };
    store
        .put_center_config(&center(), &custom, now())
        .await
        .expect("put");
    let again = store
        .ensure_center_config(&center(), &default, now())
        .await
        .expect("ensure");
    assert_eq!(again, custom, "an existing configuration is kept");
}

pub async fn concurrent_bookings_respect_capacity(store: &dyn Store) {
    let start = vn(8, 0);
    let all: Vec<NewBooking> = (0..50).map(|i| booking(i, start)).collect();
    let rems: Vec<Vec<NewNotification>> = all.iter().map(reminders).collect();
    let results = join_all(
        all.iter()
            .zip(&rems)
            .map(|(b, r)| store.book(b, 2, None, r, now()))
            .collect(),
    )
    .await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 2, "exactly the capacity is booked");
    for r in &results {
        if let Err(e) = r {
            assert!(
                matches!(e, StoreError::Conflict(c) if c == "slot_full"),
                "got {e:?}"
            );
        }
    }
    assert_eq!(taken_at(store, start).await, 2);
    let reminders = store
        .notifications(&OutboxQuery {
            limit: 500,
            ..OutboxQuery::default()
        })
        .await
        .expect("outbox");
    assert_eq!(
        reminders.len(),
        4,
        "two channels for each of the two bookings, none for the refused"
    );
    assert!(reminders
        .iter()
        .all(|n| n.kind == NotificationKind::AppointmentReminder
            && n.next_attempt_at == start - chrono::Duration::days(1)));
}

pub async fn cancel_frees_the_seat_and_withdraws_the_reminder(store: &dyn Store) {
    let start = vn(9, 0);
    let a = store
        .book(
            &booking(1, start),
            1,
            None,
            &reminders(&booking(1, start)),
            now(),
        )
        .await
        .expect("book");
    assert_eq!(a.status, BookingStatus::Booked);
    assert_eq!(a.contact, contact());
    let full = store.book(&booking(2, start), 1, None, &[], now()).await;
    assert!(matches!(full, Err(StoreError::Conflict(c)) if c == "slot_full"));
    let dup = store
        .book(&booking(1, vn(10, 0)), 1, None, &[], now())
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(c)) if c == "booking_code_taken"));
    let dup = store.book(&booking(1, start), 1, None, &[], now()).await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(c)) if c == "booking_code_taken"),
        "a taken code is told before a full slot (a replayed booking is found)"
    );

    let cancelled = store.cancel_booking(&a.code, now()).await.expect("cancel");
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    assert_eq!(taken_at(store, start).await, 0);
    let again = store.cancel_booking(&a.code, now()).await;
    assert!(matches!(again, Err(StoreError::Conflict(c)) if c == "booking_not_active"));
    let unknown = store.cancel_booking(&code(99), now()).await;
    assert!(matches!(unknown, Err(StoreError::NotFound(_))));
    let outbox = store
        .notifications(&OutboxQuery::default())
        .await
        .expect("outbox");
    assert_eq!(outbox.len(), 2);
    assert!(outbox.iter().all(|n| n.status == OutboxStatus::Failed
        && n.last_error.as_deref() == Some("booking cancelled")));

    store
        .book(&booking(2, start), 1, None, &[], now())
        .await
        .expect("the freed seat can be booked");
    assert_eq!(
        store
            .booking(&a.code)
            .await
            .expect("read")
            .map(|b| b.status),
        Some(BookingStatus::Cancelled)
    );
}

pub async fn rebook_is_atomic(store: &dyn Store) {
    let (early, late) = (vn(8, 30), vn(8, 45));
    let a = store
        .book(&booking(1, early), 1, None, &[], now())
        .await
        .expect("book");
    store
        .book(&booking(2, late), 1, None, &[], now())
        .await
        .expect("book the other slot");
    let refused = store
        .rebook(&a.code, &booking(3, late), 1, &[], now())
        .await;
    assert!(matches!(refused, Err(StoreError::Conflict(c)) if c == "slot_full"));
    assert_eq!(
        store
            .booking(&a.code)
            .await
            .expect("read")
            .map(|b| b.status),
        Some(BookingStatus::Booked),
        "a refused rebook keeps the old booking"
    );
    assert_eq!(store.booking(&code(3)).await.expect("read"), None);
    assert_eq!(taken_at(store, early).await, 1);

    let moved = store
        .rebook(&a.code, &booking(4, vn(13, 0)), 1, &[], now())
        .await
        .expect("rebook");
    assert_eq!(moved.slot_start, vn(13, 0));
    assert_eq!(taken_at(store, early).await, 0);
    assert_eq!(taken_at(store, vn(13, 0)).await, 1);
    let twice = store
        .rebook(&a.code, &booking(5, vn(14, 0)), 1, &[], now())
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(c)) if c == "booking_not_active"));
    assert_eq!(taken_at(store, vn(14, 0)).await, 0);
}

/// A booking `i` at `start` made by `phone` (and no e-mail).
fn booking_by(i: u32, start: DateTime<Utc>, phone: &str) -> NewBooking {
    use crate::outbox::{Contact, Language, PhoneNumber};
    NewBooking {
        contact: Contact {
            email: None,
            phone: Some(PhoneNumber::parse(phone).expect("valid test number")),
            language: Language::Vi,
        },
        ..booking(i, start)
    }
}

pub async fn concurrent_bookings_respect_the_contact_cap(store: &dyn Store) {
    let phone = "0987 654 321";
    let all: Vec<NewBooking> = (0..12)
        .map(|i| {
            booking_by(
                i,
                vn(8, 0) + chrono::Duration::minutes(15 * i64::from(i)),
                phone,
            )
        })
        .collect();
    let results = join_all(
        all.iter()
            .map(|b| store.book(b, 2, Some(2), &[], now()))
            .collect(),
    )
    .await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        2,
        "one contact books at most the cap per day, whatever the slots"
    );
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(r, StoreError::Conflict(c) if c == "booking_contact_limit"),
            "got {r:?}"
        );
    }
    let mut seats = 0;
    for b in &all {
        seats += taken_at(store, b.slot_start).await;
    }
    assert_eq!(seats, 2, "a refused booking takes no seat");

    let other = store
        .book(
            &booking_by(20, vn(8, 0), "0912 000 111"),
            2,
            Some(2),
            &[],
            now(),
        )
        .await;
    assert!(other.is_ok(), "another contact is not limited: {other:?}");
    let tomorrow = store
        .book(
            &booking_by(21, vn(9, 0), phone),
            2,
            Some(2),
            &[],
            now() + chrono::Duration::days(1),
        )
        .await;
    assert!(tomorrow.is_ok(), "the count is per day: {tomorrow:?}");
    let held = results
        .iter()
        .find_map(|r| r.as_ref().ok())
        .expect("a booking");
    store
        .rebook(&held.code, &booking_by(22, vn(13, 0), phone), 2, &[], now())
        .await
        .expect("a rebook moves a booking and is not counted");
    let unlimited = store
        .book(&booking_by(23, vn(14, 0), phone), 2, None, &[], now())
        .await;
    assert!(unlimited.is_ok(), "no cap without one: {unlimited:?}");
    let stored = store
        .booking(&code(23))
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        stored.token_hash.as_deref(),
        Some(format!("{:064x}", 23).as_str())
    );
}

pub async fn concurrent_tickets_are_gap_free(store: &dyn Store) {
    let walk_in = NewTicket::WalkIn { procedure: None };
    let unit = center();
    let results = join_all(
        (0..40)
            .map(|_| store.issue_ticket(&unit, the_day(), &walk_in, vn(7, 30)))
            .collect(),
    )
    .await;
    let mut numbers: Vec<u32> = results
        .into_iter()
        .map(|r| r.expect("ticket").number)
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=40).collect::<Vec<u32>>());
    let next_day = the_day().succ_opt().expect("date");
    let t = store
        .issue_ticket(&center(), next_day, &walk_in, vn(7, 30))
        .await
        .expect("ticket");
    assert_eq!(t.number, 1, "numbers restart every day");
    let other = UnitId::parse("04.01273").expect("unit");
    let t = store
        .issue_ticket(&other, the_day(), &walk_in, vn(7, 30))
        .await
        .expect("ticket");
    assert_eq!(t.number, 1, "and per unit");
}

pub async fn next_ticket_calls_due_appointments_first(store: &dyn Store) {
    let b_due = store
        .book(&booking(1, vn(9, 0)), 2, None, &[], now())
        .await
        .expect("book");
    let b_late = store
        .book(&booking(2, vn(10, 0)), 2, None, &[], now())
        .await
        .expect("book");
    let walk = |p: &str| NewTicket::WalkIn {
        procedure: Some(p.into()),
    };
    let t1 = store
        .issue_ticket(&center(), the_day(), &walk("2.000815"), vn(8, 0))
        .await
        .expect("walk-in");
    let t2 = store
        .issue_ticket(
            &center(),
            the_day(),
            &NewTicket::CheckIn {
                booking: b_late.code.clone(),
            },
            vn(8, 10),
        )
        .await
        .expect("check-in");
    assert_eq!(t2.kind, TicketKind::Appointment);
    assert_eq!(t2.slot_start, Some(vn(10, 0)));
    assert_eq!(t2.procedure.as_deref(), Some("1.001193"));
    let t3 = store
        .issue_ticket(
            &center(),
            the_day(),
            &NewTicket::CheckIn {
                booking: b_due.code.clone(),
            },
            vn(8, 50),
        )
        .await
        .expect("check-in");
    let twice = store
        .issue_ticket(
            &center(),
            the_day(),
            &NewTicket::CheckIn {
                booking: b_due.code.clone(),
            },
            vn(8, 51),
        )
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict(c)) if c == "booking_not_active"));
    assert_eq!(
        store
            .booking(&b_due.code)
            .await
            .expect("read")
            .map(|b| b.status),
        Some(BookingStatus::CheckedIn)
    );
    let t4 = store
        .issue_ticket(&center(), the_day(), &walk("2.000815"), vn(8, 55))
        .await
        .expect("walk-in");

    let unit = center();
    let call = |counter, at| store.call_next(&unit, the_day(), counter, at);
    let first = call(1, vn(8, 56)).await.expect("call").expect("someone");
    assert_eq!(first.number, t3.number, "the due appointment first");
    assert_eq!(first.status, TicketStatus::Called);
    assert_eq!(first.counter, Some(1));
    let second = call(2, vn(8, 57)).await.expect("call").expect("someone");
    assert_eq!(second.number, t1.number, "then walk-ins by number");
    let third = call(1, vn(8, 58)).await.expect("call").expect("someone");
    assert_eq!(
        third.number, t2.number,
        "an early appointment queues with the walk-ins by number"
    );
    let tickets = store.tickets(&center(), the_day()).await.expect("tickets");
    assert_eq!(
        tickets[usize::try_from(t3.number - 1).expect("index")].status,
        TicketStatus::Done,
        "calling the next finishes the counter's current ticket"
    );
    let skipped = store
        .update_ticket(
            &center(),
            the_day(),
            t4.number,
            TicketStatus::Skipped,
            vn(9, 0),
        )
        .await
        .expect("skip");
    assert_eq!(skipped.status, TicketStatus::Skipped);
    let done = store
        .update_ticket(
            &center(),
            the_day(),
            t2.number,
            TicketStatus::Serving,
            vn(9, 0),
        )
        .await
        .expect("serve");
    assert_eq!(done.status, TicketStatus::Serving);
    let illegal = store
        .update_ticket(
            &center(),
            the_day(),
            t4.number,
            TicketStatus::Done,
            vn(9, 1),
        )
        .await;
    assert!(matches!(illegal, Err(StoreError::Conflict(c)) if c == "illegal_ticket_transition"));
    let missing = store
        .update_ticket(&center(), the_day(), 99, TicketStatus::Done, vn(9, 1))
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
    assert_eq!(call(3, vn(9, 2)).await.expect("call"), None, "nobody waits");
}
