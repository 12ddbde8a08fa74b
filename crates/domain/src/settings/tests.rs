use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::calendar::{parse_holidays, AfterHoursReceipt, WorkInterval};
use crate::dossier::GENESIS;
use crate::log::{chain, verify_stream, LogActor, LogEvent, StreamId};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn shipped() -> ShippedCalendar {
    ShippedCalendar {
        holidays: parse_holidays(motcua_refdata::HOLIDAYS).unwrap(),
        confirmed_through: 2026,
        from: d(2024, 1, 1),
    }
}

/// Adopts `docs` in order through the decider and the log, as the
/// application layer does, and replays the stored stream.
fn adopt_all(docs: Vec<(SettingsDocument, &str)>, today: NaiveDate) -> SettingsBook {
    let s = shipped();
    let mut book = SettingsBook::shipped(&s).unwrap();
    let mut prev = GENESIS;
    let mut stored = Vec::new();
    for (i, (doc, reason)) in docs.into_iter().enumerate() {
        let payload = book.decide_adopt(&s, doc, reason, today).unwrap();
        let event = LogEvent {
            stream: StreamId::new(STREAM_KIND, "04"),
            seq: i as u64 + 1,
            at: Utc.with_ymd_and_hms(2026, 12, 6, 3, i as u32, 0).unwrap(),
            actor: LogActor {
                user: "admin04".into(),
                role: "province_admin".into(),
                unit: Some("04".into()),
            },
            reason: Some(reason.to_string()),
            kind: ADOPTED.into(),
            payload,
        };
        let c = chain(&prev, event).unwrap();
        prev = c.hash;
        stored.push((c.canonical, c.hash));
        let events = verify_stream(&stored).unwrap();
        book = SettingsBook::replay(&s, &events).unwrap();
    }
    book
}

#[test]
fn shipped_years_after_2026_are_provisional_until_a_decree_is_entered() {
    let book = SettingsBook::shipped(&shipped()).unwrap();
    let cal = &book.at(d(2026, 12, 6)).calendar;
    assert!(!cal.is_provisional(2026));
    assert!(cal.is_provisional(2027));

    let mut doc = SettingsDocument::shipped(d(2026, 12, 7));
    // The 2027 days off as a decree would set them (a made-up list for
    // the test: New Year plus a Tết week starting Thursday 4 February).
    let mut days = vec![Holiday {
        date: d(2027, 1, 1),
        name: "New Year's Day".into(),
        name_vi: "Tết Dương lịch".into(),
        substitute_working_day: None,
    }];
    for day in 4..=10 {
        days.push(Holiday {
            date: d(2027, 2, day),
            name: "Lunar New Year".into(),
            name_vi: "Tết Nguyên Đán".into(),
            substitute_working_day: None,
        });
    }
    doc.holiday_years.insert(2027, days);
    let book = adopt_all(vec![(doc, "Quyết định nghỉ Tết 2027")], d(2026, 12, 6));

    // Before the version takes effect, the old rules stand.
    assert!(book.at(d(2026, 12, 6)).calendar.is_provisional(2027));
    let cal = &book.at(d(2026, 12, 7)).calendar;
    assert!(!cal.is_provisional(2027));
    assert!(cal.is_provisional(2028));
    assert!(!cal.is_working_day(d(2027, 2, 4)).unwrap());
    // The shipped 2027 rows are replaced, not merged: a shipped day off
    // that the decree does not list is a working day again.
    let shipped_only = shipped()
        .holidays
        .into_iter()
        .find(|h| {
            h.date.year() == 2027
                && h.date != d(2027, 1, 1)
                && !(d(2027, 2, 4)..=d(2027, 2, 10)).contains(&h.date)
                && h.date.weekday().num_days_from_monday() < 5
        })
        .expect("the shipped 2027 data has another weekday off");
    assert!(cal.is_working_day(shipped_only.date).unwrap());
}

#[test]
fn each_date_uses_the_version_in_force_on_it() {
    let mut doc = SettingsDocument::shipped(d(2027, 1, 1));
    doc.working_hours = WorkingHours::new(vec![
        WorkInterval::hm(8, 0, 12, 0).unwrap(),
        WorkInterval::hm(13, 30, 17, 30).unwrap(),
    ])
    .unwrap();
    doc.deadline.after_hours_receipt = AfterHoursReceipt::NextWorkingMorning;
    let book = adopt_all(vec![(doc, "Giờ làm việc mùa đông")], d(2026, 12, 6));
    let before = book.at(d(2026, 12, 31));
    let after = book.at(d(2027, 1, 4));
    assert_eq!(
        before.calendar.working_hours().day_end().to_string(),
        "17:00:00"
    );
    assert_eq!(
        after.calendar.working_hours().day_end().to_string(),
        "17:30:00"
    );
    assert_eq!(
        before.policy().after_hours_receipt,
        AfterHoursReceipt::DayOfReceipt
    );
    assert_eq!(
        after.policy().after_hours_receipt,
        AfterHoursReceipt::NextWorkingMorning
    );
    // A date before every version gets the earliest.
    assert_eq!(book.at(d(2020, 1, 1)).valid_from(), d(2024, 1, 1));
}

#[test]
fn a_later_adoption_on_the_same_day_replaces_the_earlier() {
    let mut first = SettingsDocument::shipped(d(2027, 1, 1));
    first.deadline.unstated_limit_working_days = 20;
    let mut second = first.clone();
    second.deadline.unstated_limit_working_days = 12;
    let book = adopt_all(vec![(first, "lần 1"), (second, "sửa lại")], d(2026, 12, 6));
    assert_eq!(book.versions().len(), 2);
    assert_eq!(
        book.at(d(2027, 3, 1)).policy().unstated_limit_working_days,
        12
    );
    let h = book.history();
    assert_eq!(h.len(), 2);
    assert!(h[0].superseded && !h[1].superseded);
    assert_eq!(h[1].reason.as_deref(), Some("sửa lại"));
}

#[test]
fn refusals_have_their_codes() {
    let s = shipped();
    let book = SettingsBook::shipped(&s).unwrap();
    let today = d(2026, 12, 6);
    let refuse = |doc: SettingsDocument, reason: &str| {
        book.decide_adopt(&s, doc, reason, today)
            .unwrap_err()
            .code()
    };
    assert_eq!(
        refuse(SettingsDocument::shipped(d(2026, 12, 5)), "x"),
        "settings_in_the_past"
    );
    assert_eq!(
        refuse(SettingsDocument::shipped(today), "  "),
        "settings_reason"
    );

    let mut doc = SettingsDocument::shipped(today);
    doc.holiday_years.insert(
        2027,
        vec![Holiday {
            date: d(2028, 1, 1),
            name: "x".into(),
            name_vi: "x".into(),
            substitute_working_day: None,
        }],
    );
    assert_eq!(refuse(doc, "x"), "holiday_outside_year");

    let mut doc = SettingsDocument::shipped(today);
    doc.holiday_years.insert(2027, Vec::new());
    assert_eq!(refuse(doc, "x"), "empty_holiday_year");

    let mut doc = SettingsDocument::shipped(today);
    doc.deadline.unstated_limit_working_days = 0;
    assert_eq!(refuse(doc, "x"), "settings_policy");

    let mut doc = SettingsDocument::shipped(today);
    doc.index766 = Some(IndexConfig::default_2026().spec().clone());
    assert_eq!(refuse(doc, "x"), "index_effective_from");

    let mut doc = SettingsDocument::shipped(today);
    doc.extra_working_days = vec![d(2027, 1, 1)];
    assert_eq!(refuse(doc, "x"), "settings_calendar");

    assert_eq!(
        parse_document(r#"{"valid_from":"2027-01-01","hours":[]}"#)
            .unwrap_err()
            .code(),
        "settings_parse"
    );
}

#[test]
fn an_adopted_index_configuration_is_dated_by_its_version() {
    let mut spec = IndexConfig::default_2026().spec().clone();
    spec.effective_from = d(2027, 1, 1);
    spec.version = "766-2027.1".into();
    let mut doc = SettingsDocument::shipped(d(2027, 1, 1));
    doc.index766 = Some(spec);
    let book = adopt_all(vec![(doc, "Chỉ số 2027")], d(2026, 12, 6));
    let configs = book.index_configs();
    assert_eq!(configs.len(), 1);
    assert_eq!(configs[0].version, "766-2027.1");
}

#[test]
fn a_document_round_trips_through_its_json() {
    let mut doc = SettingsDocument::shipped(d(2027, 1, 1));
    doc.deadline.apology_lead_working_days = 2;
    doc.extra_days_off = vec![d(2027, 3, 10)];
    let text = serde_json::to_string_pretty(&doc).unwrap();
    assert_eq!(parse_document(&text).unwrap(), doc);
    assert!(
        text.contains("\"after_hours_receipt\": \"day_of_receipt\""),
        "{text}"
    );
}
