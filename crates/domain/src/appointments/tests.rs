use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::*;
use crate::calendar::{CalendarConfig, UncoveredYears, WorkingCalendar};

fn calendar() -> WorkingCalendar {
    let config = CalendarConfig {
        uncovered_years: UncoveredYears::WeekendsOnly,
        ..CalendarConfig::default()
    };
    WorkingCalendar::new(Vec::new(), config).expect("calendar")
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, min, 0))
        .expect("valid")
}

#[test]
fn slots_cover_the_working_periods() {
    let cfg = CenterConfig::default();
    // Monday 2 March 2026.
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
    let slots = slots_of_day(&cfg, &calendar(), day).expect("slots");
    // 07:30–11:30 and 13:00–17:00: 16 + 16 slots of 15 minutes.
    assert_eq!(slots.len(), 32);
    assert_eq!(
        slots[0].start.time(),
        NaiveTime::from_hms_opt(7, 30, 0).expect("t")
    );
    assert_eq!(
        slots[15].end.time(),
        NaiveTime::from_hms_opt(11, 30, 0).expect("t")
    );
    assert_eq!(
        slots[16].start.time(),
        NaiveTime::from_hms_opt(13, 0, 0).expect("t")
    );
    let saturday = NaiveDate::from_ymd_opt(2026, 3, 7).expect("date");
    assert!(slots_of_day(&cfg, &calendar(), saturday)
        .expect("slots")
        .is_empty());
    let odd = CenterConfig {
        slot_minutes: 50,
        ..cfg
    };
    // 240 minutes → 4 slots of 50 (the last 40 minutes not offered), twice.
    assert_eq!(
        slots_of_day(&odd, &calendar(), day).expect("slots").len(),
        8
    );
}

#[test]
fn booking_checks() {
    let cfg = CenterConfig::default();
    let cal = calendar();
    let now = at(2026, 3, 2, 9, 0);
    assert!(check_booking(&cfg, &cal, now, at(2026, 3, 3, 8, 15)).is_ok());
    assert_eq!(
        check_booking(&cfg, &cal, now, at(2026, 3, 2, 8, 0)),
        Err(AppointmentError::InPast)
    );
    assert_eq!(
        check_booking(&cfg, &cal, now, at(2026, 3, 7, 8, 0)).map_err(|e| e.code()),
        Err("center_closed")
    );
    assert_eq!(
        check_booking(&cfg, &cal, now, at(2026, 3, 3, 12, 0)).map_err(|e| e.code()),
        Err("slot_outside_hours")
    );
    assert_eq!(
        check_booking(&cfg, &cal, now, at(2026, 3, 3, 8, 10)).map_err(|e| e.code()),
        Err("slot_outside_hours")
    );
    assert_eq!(
        check_booking(&cfg, &cal, now, at(2026, 6, 3, 8, 0)).map_err(|e| e.code()),
        Err("slot_too_far_ahead")
    );
}

#[test]
fn offers() {
    let free = ProcedureOffer {
        level: CompetentLevel::Commune,
        boundary_free: true,
    };
    let bound = ProcedureOffer {
        boundary_free: false,
        ..free
    };
    assert_eq!(check_offered(free, "04.01279", Some("04.01273")), Ok(()));
    assert_eq!(
        check_offered(free, "04.01279", Some("01.00004")),
        Err(AppointmentError::WrongCenter)
    );
    assert_eq!(check_offered(bound, "04.01279", Some("04.01279")), Ok(()));
    assert_eq!(check_offered(bound, "04.01279", None), Ok(()));
    assert_eq!(
        check_offered(bound, "04.01279", Some("04.01273")),
        Err(AppointmentError::WrongCenter)
    );
    let province = ProcedureOffer {
        level: CompetentLevel::Province,
        boundary_free: false,
    };
    assert_eq!(
        check_offered(province, "04.01279", None),
        Err(AppointmentError::NotOffered)
    );
}

#[test]
fn codes_round_trip_and_reject_look_alikes() {
    let day = NaiveDate::from_ymd_opt(2026, 3, 15).expect("date");
    let c = BookingCode::new(day, [0, 30, 31, 255]);
    assert!(c.as_str().starts_with("LH-260315-"));
    assert_eq!(
        BookingCode::parse(&c.as_str().to_lowercase()),
        Ok(c.clone())
    );
    assert!(BookingCode::parse("LH-260315-7K3Q").is_ok());
    for bad in [
        "LH-260315-7K3O",
        "LH-261315-7K3Q",
        "LH-260315-7K3",
        "XX-260315-7K3Q",
        "",
    ] {
        assert_eq!(
            BookingCode::parse(bad),
            Err(AppointmentError::InvalidCode),
            "{bad}"
        );
    }
}

#[test]
fn config_bounds() {
    assert!(CenterConfig::default().validate().is_ok());
    let c = CenterConfig {
        capacity: 4,
        ..CenterConfig::default()
    };
    assert!(c.validate().is_err());
    assert_eq!(free_seat(&[1, 3], 3), Some(2));
    assert_eq!(free_seat(&[1, 2], 2), None);
}

#[test]
fn next_ticket_order() {
    let now = at(2026, 3, 2, 9, 0);
    let w = |number, slot: Option<NaiveDateTime>| Waiting {
        number,
        kind: if slot.is_some() {
            TicketKind::Appointment
        } else {
            TicketKind::WalkIn
        },
        slot_start: slot,
    };
    let queue = [
        w(1, None),
        w(2, Some(at(2026, 3, 2, 10, 0))),
        w(3, Some(at(2026, 3, 2, 9, 0))),
        w(4, Some(at(2026, 3, 2, 8, 45))),
        w(5, None),
    ];
    assert_eq!(pick_next(&queue, now), Some(4));
    assert_eq!(pick_next(&queue[..3], now), Some(3));
    assert_eq!(pick_next(&queue[..2], now), Some(1));
    assert_eq!(pick_next(&[queue[1]], now), Some(2));
    assert_eq!(pick_next(&[], now), None);
    assert!(ticket_transition(TicketStatus::Called, TicketStatus::Done).is_ok());
    assert!(ticket_transition(TicketStatus::Done, TicketStatus::Skipped).is_err());
}
