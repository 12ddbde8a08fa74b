//! Exact examples, computed by hand from `data/vn-admin/vn_holidays_2024_2030.csv`.
//!
//! Tết 2026 in the data: rows 2026-02-16 (Giao thừa) .. 2026-02-20 (Mùng bốn),
//! Monday–Friday; with the weekends 14–15 and 21–22 the office is closed
//! Saturday 2026-02-14 .. Sunday 2026-02-22 (9 days). March 2026 has no
//! holiday: Mon 2 … Fri 6, Mon 9 … are plain working days.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday};

use super::*;

fn cal() -> WorkingCalendar {
    WorkingCalendar::from_csv(motcua_refdata::HOLIDAYS, CalendarConfig::default())
        .expect("bundled holiday data is valid")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .expect("test date-time")
}

fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").expect("test time")
}

fn due_at(received: &str, rule: DeadlineRule) -> NaiveDateTime {
    due(dt(received), &rule, &cal()).expect("due").at
}

fn h(hours: i64) -> TimeDelta {
    TimeDelta::hours(hours)
}

fn m(minutes: i64) -> TimeDelta {
    TimeDelta::minutes(minutes)
}

// ---------------------------------------------------------------- holidays

#[test]
fn bundled_holidays_parse_with_substitute_days() {
    let hs = parse_holidays(motcua_refdata::HOLIDAYS).expect("parse");
    assert_eq!(hs.len(), 101);
    let subs: Vec<(NaiveDate, NaiveDate)> = hs
        .iter()
        .filter_map(|h| h.substitute_working_day.map(|s| (h.date, s)))
        .collect();
    assert_eq!(
        subs,
        vec![
            (d("2024-04-29"), d("2024-05-04")),
            (d("2025-05-02"), d("2025-04-26")),
            (d("2026-08-31"), d("2026-08-22")),
        ]
    );
}

#[test]
fn holiday_parse_errors_carry_line_numbers() {
    let bad_date = "date,name,name_vi\n2026-01-01,New Year,Tết\n2026-13-01,X,Y\n";
    assert!(matches!(
        parse_holidays(bad_date),
        Err(CalendarError::HolidayData { line: 3, .. })
    ));
    let dup = "date,name,name_vi\n2026-01-01,A,A\n2026-01-01,B,B\n";
    let err = parse_holidays(dup).expect_err("duplicate");
    assert_eq!(
        err.to_string(),
        "holiday data, line 3: date 2026-01-01 already listed on line 2"
    );
    let missing = "day,name,name_vi\n2026-01-01,A,A\n";
    assert!(matches!(
        parse_holidays(missing),
        Err(CalendarError::HolidayData { line: 1, .. })
    ));
    let short = "date,name,name_vi\n2026-01-01,A\n";
    assert!(matches!(
        parse_holidays(short),
        Err(CalendarError::HolidayData { line: 2, .. })
    ));
    let disagree = "date,name,name_vi\n\
        2025-05-02,Day off (substituted from 04/26/2025),Ngày nghỉ (thay cho ngày 27/04/2025)\n";
    assert!(matches!(
        parse_holidays(disagree),
        Err(CalendarError::HolidayData { line: 2, .. })
    ));
    let unreadable = "date,name,name_vi\n2025-05-02,Day off (substituted from 26/04),X\n";
    assert!(matches!(
        parse_holidays(unreadable),
        Err(CalendarError::HolidayData { line: 2, .. })
    ));
    let nameless = "date,name,name_vi\n2025-05-02,,\n";
    assert!(parse_holidays(nameless).is_err());
}

#[test]
fn holiday_parse_tolerates_bom_extra_columns_and_order() {
    let text = "\u{feff}name_vi,date,name,note\nTết,2026-01-01,New Year,x\n";
    let hs = parse_holidays(text).expect("parse");
    assert_eq!(hs.len(), 1);
    assert_eq!(hs[0].date, d("2026-01-01"));
    assert_eq!(hs[0].name_vi, "Tết");
}

// ---------------------------------------------------------------- days

#[test]
fn tet_2026_is_closed_14_to_22_february() {
    let c = cal();
    assert!(c.is_working_day(d("2026-02-13")).expect("covered"));
    for day in 14..=22 {
        let date = NaiveDate::from_ymd_opt(2026, 2, day).expect("date");
        assert!(!c.is_working_day(date).expect("covered"), "{date}");
    }
    assert!(c.is_working_day(d("2026-02-23")).expect("covered"));
    // Which rows: the five holiday rows, plus the two weekends.
    assert!(matches!(c.day_kind(d("2026-02-14")), Ok(DayKind::Weekend)));
    match c.day_kind(d("2026-02-16")) {
        Ok(DayKind::Holiday(h)) => assert_eq!(h.name_vi, "Giao thừa Tết Nguyên Đán"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        c.day_kind(d("2026-02-20")),
        Ok(DayKind::Holiday(_))
    ));
    assert!(matches!(c.day_kind(d("2026-02-22")), Ok(DayKind::Weekend)));
}

#[test]
fn working_day_operations_across_tet() {
    let c = cal();
    assert_eq!(c.next_working_day(d("2026-02-13")), Ok(d("2026-02-23")));
    assert_eq!(
        c.working_day_on_or_after(d("2026-02-15")),
        Ok(d("2026-02-23"))
    );
    assert_eq!(
        c.working_day_on_or_after(d("2026-02-13")),
        Ok(d("2026-02-13"))
    );
    assert_eq!(c.previous_working_day(d("2026-02-23")), Ok(d("2026-02-13")));
    assert_eq!(c.add_working_days(d("2026-02-13"), 0), Ok(d("2026-02-13")));
    assert_eq!(c.add_working_days(d("2026-02-13"), 3), Ok(d("2026-02-25")));
    assert_eq!(c.add_working_days(d("2026-02-14"), 1), Ok(d("2026-02-23")));
    assert_eq!(c.sub_working_days(d("2026-02-25"), 3), Ok(d("2026-02-13")));
    assert_eq!(
        c.working_days_between(d("2026-02-13"), d("2026-02-25")),
        Ok(3)
    );
    assert_eq!(
        c.working_days_between(d("2026-02-25"), d("2026-02-13")),
        Ok(-3)
    );
    assert_eq!(
        c.working_days_between(d("2026-02-14"), d("2026-02-22")),
        Ok(0)
    );
}

#[test]
fn swapped_days_from_the_data() {
    let c = cal();
    // 2025: day off Friday 2 May, worked Saturday 26 April.
    assert!(matches!(
        c.day_kind(d("2025-04-26")),
        Ok(DayKind::DeclaredWorkingDay)
    ));
    assert!(!c.is_working_day(d("2025-05-02")).expect("covered"));
    assert_eq!(c.next_working_day(d("2025-04-25")), Ok(d("2025-04-26")));
    // Disabled: Saturday 26 April is a weekend day again.
    let plain = WorkingCalendar::from_csv(
        motcua_refdata::HOLIDAYS,
        CalendarConfig {
            apply_substitute_working_days: false,
            ..CalendarConfig::default()
        },
    )
    .expect("calendar");
    assert!(!plain.is_working_day(d("2025-04-26")).expect("covered"));
}

#[test]
fn configured_extra_days() {
    let c = WorkingCalendar::from_csv(
        motcua_refdata::HOLIDAYS,
        CalendarConfig {
            extra_working_days: vec![d("2026-03-07")],
            extra_days_off: vec![d("2026-03-09")],
            ..CalendarConfig::default()
        },
    )
    .expect("calendar");
    assert_eq!(c.next_working_day(d("2026-03-06")), Ok(d("2026-03-07")));
    assert_eq!(c.next_working_day(d("2026-03-07")), Ok(d("2026-03-10")));
    assert!(matches!(
        c.day_kind(d("2026-03-09")),
        Ok(DayKind::ExtraDayOff)
    ));
}

#[test]
fn contradictory_configuration_is_rejected() {
    let on_holiday = CalendarConfig {
        extra_working_days: vec![d("2026-02-17")],
        ..CalendarConfig::default()
    };
    assert!(matches!(
        WorkingCalendar::from_csv(motcua_refdata::HOLIDAYS, on_holiday),
        Err(CalendarError::InvalidConfig(_))
    ));
    let both = CalendarConfig {
        extra_working_days: vec![d("2026-03-07")],
        extra_days_off: vec![d("2026-03-07")],
        ..CalendarConfig::default()
    };
    assert!(matches!(
        WorkingCalendar::from_csv(motcua_refdata::HOLIDAYS, both),
        Err(CalendarError::InvalidConfig(_))
    ));
    let all_week = CalendarConfig {
        weekend: vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ],
        ..CalendarConfig::default()
    };
    assert!(WorkingCalendar::new(vec![], all_week).is_err());
}

#[test]
fn years_without_data_are_errors_by_default() {
    let c = cal();
    assert_eq!(
        c.covered_years().collect::<Vec<_>>(),
        (2024..=2030).collect::<Vec<_>>()
    );
    assert_eq!(
        c.is_working_day(d("2031-01-02")),
        Err(CalendarError::YearNotCovered {
            year: 2031,
            date: d("2031-01-02")
        })
    );
    assert!(matches!(
        c.is_working_day(d("2023-12-29")),
        Err(CalendarError::YearNotCovered { year: 2023, .. })
    ));
    // A deadline running into 2031 fails rather than guessing.
    assert!(matches!(
        due(dt("2030-12-30 10:00"), &DeadlineRule::working_days(5), &c),
        Err(CalendarError::YearNotCovered { year: 2031, .. })
    ));
}

#[test]
fn weekends_only_fallback_is_explicit_and_explained() {
    let c = WorkingCalendar::from_csv(
        motcua_refdata::HOLIDAYS,
        CalendarConfig {
            uncovered_years: UncoveredYears::WeekendsOnly,
            provisional_from: Some(2027),
            ..CalendarConfig::default()
        },
    )
    .expect("calendar");
    // Monday 2030-12-30: Tue 31 Dec, then in 2031 (no data, weekends only —
    // so even Wednesday 1 January counts): Wed 1, Thu 2, Fri 3, Mon 6.
    let due = due(dt("2030-12-30 10:00"), &DeadlineRule::working_days(5), &c).expect("due");
    assert_eq!(due.at, dt("2031-01-06 17:00"));
    assert!(due
        .explanation
        .iter()
        .any(|s| s.en.contains("no holiday data for 2031")));
    assert!(due
        .explanation
        .iter()
        .any(|s| s.en.contains("2030 holiday data is provisional")));
    assert!(c.is_provisional(2031) && c.is_provisional(2027) && !c.is_provisional(2026));
}

// ---------------------------------------------------------------- working hours

#[test]
fn working_hours_validation() {
    let iv = |a: &str, b: &str| WorkInterval {
        start: t(a),
        end: t(b),
    };
    assert!(WorkingHours::new(vec![]).is_err());
    assert!(WorkingHours::new(vec![iv("11:30", "07:30")]).is_err());
    assert!(WorkingHours::new(vec![iv("07:30", "07:30")]).is_err());
    assert!(WorkingHours::new(vec![iv("07:30", "12:00"), iv("11:30", "17:00")]).is_err());
    assert!(WorkingHours::new(vec![iv("13:00", "17:00"), iv("07:30", "11:30")]).is_err());
    let ok = WorkingHours::new(vec![iv("07:00", "11:30"), iv("13:30", "17:00")]).expect("valid");
    assert_eq!(ok.daily(), h(8));
    assert_eq!(WorkingHours::default().daily(), h(8));
    assert_eq!(
        WorkingHours::default().to_string(),
        "07:30–11:30, 13:00–17:00"
    );
}

#[test]
fn working_hours_serde_validates() {
    let hours: WorkingHours = serde_json::from_str(
        r#"[{"start":"07:00","end":"11:30"},{"start":"13:30","end":"17:00"}]"#,
    )
    .expect("valid json");
    assert_eq!(hours.day_start(), t("07:00"));
    assert_eq!(hours.day_end(), t("17:00"));
    let bad = serde_json::from_str::<WorkingHours>(
        r#"[{"start":"13:00","end":"17:00"},{"start":"07:30","end":"11:30"}]"#,
    );
    assert!(bad.is_err());
    let json = serde_json::to_string(&WorkingHours::default()).expect("serialize");
    let back: WorkingHours = serde_json::from_str(&json).expect("round trip");
    assert_eq!(back, WorkingHours::default());
}

#[test]
fn config_serde_defaults() {
    let config: CalendarConfig = serde_json::from_str("{}").expect("defaults");
    assert_eq!(config, CalendarConfig::default());
    let config: CalendarConfig = serde_json::from_str(
        r#"{"weekend":["Sun"],"working_hours":[{"start":"08:00","end":"12:00"}],
            "extra_working_days":["2026-03-07"],"uncovered_years":"weekends_only"}"#,
    )
    .expect("config");
    assert_eq!(config.weekend, vec![Weekday::Sun]);
    assert_eq!(config.uncovered_years, UncoveredYears::WeekendsOnly);
    assert!(serde_json::from_str::<CalendarConfig>(r#"{"weekends":["Sun"]}"#).is_err());

    let rule: DeadlineRule =
        serde_json::from_str(r#"{"limit":{"working_days":3},"cutoff":"15:00"}"#).expect("rule");
    assert_eq!(rule, DeadlineRule::working_days(3).with_cutoff(t("15:00")));
    let rule: DeadlineRule = serde_json::from_str(r#"{"limit":"same_day"}"#).expect("rule");
    assert_eq!(rule, DeadlineRule::same_day());
    let rule: DeadlineRule =
        serde_json::from_str(r#"{"limit":{"working_hours":4},"counting":"same_time_of_day"}"#)
            .expect("rule");
    assert_eq!(
        rule,
        DeadlineRule::working_hours(4).with_counting(WorkingDayCounting::SameTimeOfDay)
    );
    let policy: DeadlinePolicy = serde_json::from_str("{}").expect("policy");
    assert_eq!(policy, DeadlinePolicy::default());
    assert_eq!(policy.apology_lead_working_days, 1);
    assert_eq!(policy.supplement, SupplementPolicy::Restart);
    assert_eq!(policy.counting, WorkingDayCounting::EndOfDay);
    assert_eq!(
        policy.rule(Limit::SameDay, Some(t("15:00"))),
        DeadlineRule::same_day().with_cutoff(t("15:00"))
    );
}

#[test]
fn working_time_arithmetic() {
    let c = cal();
    // 4 h from 10:00: 10:00–11:30 (1h30) + 13:00–15:30 (2h30).
    assert_eq!(
        c.add_working_time(dt("2026-03-05 10:00"), h(4)),
        Ok(dt("2026-03-05 15:30"))
    );
    // A budget running out at lunch is due at 11:30, not 13:00.
    assert_eq!(
        c.add_working_time(dt("2026-03-05 10:00"), m(90)),
        Ok(dt("2026-03-05 11:30"))
    );
    // Across the night: 15:00–17:00 (2 h), then 07:30–09:30.
    assert_eq!(
        c.add_working_time(dt("2026-03-05 15:00"), h(4)),
        Ok(dt("2026-03-06 09:30"))
    );
    // Across Tết: Friday 13:00–17:00, then Monday 23 February 07:30–11:30.
    assert_eq!(
        c.add_working_time(dt("2026-02-13 13:00"), h(8)),
        Ok(dt("2026-02-23 11:30"))
    );
    // From outside working hours.
    assert_eq!(
        c.add_working_time(dt("2026-03-08 10:00"), h(1)),
        Ok(dt("2026-03-09 08:30"))
    );
    assert_eq!(
        c.add_working_time(dt("2026-03-05 12:00"), h(0)),
        Ok(dt("2026-03-05 12:00"))
    );
    assert!(c.add_working_time(dt("2026-03-05 12:00"), h(-1)).is_err());

    assert_eq!(
        c.working_time_between(dt("2026-03-05 10:00"), dt("2026-03-05 15:30")),
        Ok(h(4))
    );
    assert_eq!(
        c.working_time_between(dt("2026-02-13 16:00"), dt("2026-02-23 08:00")),
        Ok(m(90))
    );
    assert_eq!(
        c.working_time_between(dt("2026-03-06 00:00"), dt("2026-03-09 00:00")),
        Ok(h(8))
    );
    assert_eq!(
        c.working_time_between(dt("2026-03-09 00:00"), dt("2026-03-06 00:00")),
        Ok(h(0))
    );
    assert_eq!(
        c.next_working_instant(dt("2026-03-05 12:00")),
        Ok(dt("2026-03-05 13:00"))
    );
    assert_eq!(
        c.next_working_instant(dt("2026-03-05 17:00")),
        Ok(dt("2026-03-06 07:30"))
    );
    assert_eq!(
        c.next_working_instant(dt("2026-03-05 07:00")),
        Ok(dt("2026-03-05 07:30"))
    );
    assert_eq!(
        c.next_working_instant(dt("2026-03-05 09:00")),
        Ok(dt("2026-03-05 09:00"))
    );
}

// ---------------------------------------------------------------- deadlines

#[test]
fn three_working_days_across_tet_2026() {
    // Received Friday 13 February 10:00. The receipt day is not counted;
    // 14–22 February is Tết + weekends; working days 1, 2, 3 = Mon 23,
    // Tue 24, Wed 25 February → due Wednesday 2026-02-25 17:00.
    let due = due(
        dt("2026-02-13 10:00"),
        &DeadlineRule::working_days(3),
        &cal(),
    )
    .expect("due");
    assert_eq!(due.clock_start, dt("2026-02-13 10:00"));
    assert_eq!(due.at, dt("2026-02-25 17:00"));
    // Budget: Friday 10:00–17:00 (5h30) + three full days (24 h).
    assert_eq!(due.budget, m(29 * 60 + 30));
    assert_eq!(
        due.at_vietnam().expect("in range").to_rfc3339(),
        "2026-02-25T17:00:00+07:00"
    );
    let text: Vec<String> = due.explanation.iter().map(|s| s.en.clone()).collect();
    let all = text.join("\n");
    assert!(all.contains("received Friday 2026-02-13 10:00"), "{all}");
    assert!(
        all.contains("2026-02-14..2026-02-22 skipped: 9 non-working day(s)"),
        "{all}"
    );
    assert!(all.contains("Lunar New Year's Eve"), "{all}");
    assert!(all.contains("4 weekend day(s)"), "{all}");
    assert!(
        all.contains("working day 1: Monday 2026-02-23; working day 3: Wednesday 2026-02-25"),
        "{all}"
    );
    assert!(
        all.ends_with("due (appointment on the receipt slip, Mẫu 01): Wednesday 2026-02-25 17:00")
    );
    let vi = due.explanation.last().expect("steps").vi.clone();
    assert_eq!(
        vi,
        "Hẹn trả kết quả (Phiếu tiếp nhận và hẹn trả kết quả, Mẫu 01): 17:00 Thứ Tư 25/02/2026"
    );
}

#[test]
fn same_time_of_day_variant_across_tet_2026() {
    // 3 × 8 h from Friday 10:00: Friday 5h30, Mon 23 8h, Tue 24 8h (21h30),
    // Wed 25 07:30 + 2h30 = 10:00.
    let rule = DeadlineRule::working_days(3).with_counting(WorkingDayCounting::SameTimeOfDay);
    assert_eq!(due_at("2026-02-13 10:00", rule), dt("2026-02-25 10:00"));
    // At 07:30 the whole receipt day counts: 1 day = close of the same day.
    let one = DeadlineRule::working_days(1).with_counting(WorkingDayCounting::SameTimeOfDay);
    assert_eq!(due_at("2026-03-02 07:30", one), dt("2026-03-02 17:00"));
}

#[test]
fn across_a_weekend() {
    // Friday 6 March 09:00, 2 working days: Mon 9, Tue 10.
    assert_eq!(
        due_at("2026-03-06 09:00", DeadlineRule::working_days(2)),
        dt("2026-03-10 17:00")
    );
    // Hours: Friday 15:00 + 4 h = Monday 09:30.
    assert_eq!(
        due_at("2026-03-06 15:00", DeadlineRule::working_hours(4)),
        dt("2026-03-09 09:30")
    );
}

#[test]
fn same_day_cutoff_15_00() {
    let rule = DeadlineRule::same_day().with_cutoff(t("15:00"));
    assert_eq!(due_at("2026-03-05 14:59", rule), dt("2026-03-05 17:00"));
    assert_eq!(due_at("2026-03-05 15:00", rule), dt("2026-03-05 17:00"));
    assert_eq!(due_at("2026-03-05 15:00:01", rule), dt("2026-03-06 17:00"));
    assert_eq!(due_at("2026-03-05 15:01", rule), dt("2026-03-06 17:00"));
    // Friday after the cut-off → Monday.
    assert_eq!(due_at("2026-03-06 15:01", rule), dt("2026-03-09 17:00"));
    // Friday 13 February after the cut-off → after Tết.
    let due = due(dt("2026-02-13 15:01"), &rule, &cal()).expect("due");
    assert_eq!(due.clock_start, dt("2026-02-23 07:30"));
    assert_eq!(due.at, dt("2026-02-23 17:00"));
    assert!(due
        .explanation
        .iter()
        .any(|s| s.en.contains("after the 15:00 cut-off")));
    // Without a cut-off, 16:59 is still the same day.
    assert_eq!(
        due_at("2026-03-05 16:59", DeadlineRule::same_day()),
        dt("2026-03-05 17:00")
    );
}

#[test]
fn cutoff_with_working_days() {
    let rule = DeadlineRule::working_days(3).with_cutoff(t("15:00"));
    // 14:59 Thursday: Fri 6, Mon 9, Tue 10.
    assert_eq!(due_at("2026-03-05 14:59", rule), dt("2026-03-10 17:00"));
    // 15:01 Thursday: received Friday; Mon 9, Tue 10, Wed 11.
    assert_eq!(due_at("2026-03-05 15:01", rule), dt("2026-03-11 17:00"));
}

#[test]
fn receipt_at_lunch() {
    let c = cal();
    let same = due(dt("2026-03-05 12:00"), &DeadlineRule::same_day(), &c).expect("due");
    assert_eq!(same.clock_start, dt("2026-03-05 13:00"));
    assert_eq!(same.at, dt("2026-03-05 17:00"));
    assert!(same
        .explanation
        .iter()
        .any(|s| s.en.contains("during the midday break")));
    assert_eq!(
        due_at("2026-03-05 12:00", DeadlineRule::working_hours(4)),
        dt("2026-03-05 17:00")
    );
    assert_eq!(
        due_at("2026-03-05 12:00", DeadlineRule::working_hours(5)),
        dt("2026-03-06 08:30")
    );
    assert_eq!(
        due_at("2026-03-05 12:00", DeadlineRule::working_days(1)),
        dt("2026-03-06 17:00")
    );
}

#[test]
fn receipt_after_hours() {
    let c = cal();
    // Thursday 18:00 counts as received Friday 07:30.
    let same = due(dt("2026-03-05 18:00"), &DeadlineRule::same_day(), &c).expect("due");
    assert_eq!(same.clock_start, dt("2026-03-06 07:30"));
    assert_eq!(same.at, dt("2026-03-06 17:00"));
    assert!(same
        .explanation
        .iter()
        .any(|s| s.en.contains("after office hours")));
    assert_eq!(
        due_at("2026-03-05 18:00", DeadlineRule::working_hours(4)),
        dt("2026-03-06 11:30")
    );
    // Civil Code 2015 Art. 147–148: the day of receipt is Thursday 5
    // whatever the hour: Fri 6, Mon 9, Tue 10 — as for 16:00.
    assert_eq!(
        due_at("2026-03-05 18:00", DeadlineRule::working_days(3)),
        dt("2026-03-10 17:00")
    );
    // The provincial policy "after hours = next working morning": the day of
    // receipt is Friday 6: Mon 9, Tue 10, Wed 11.
    assert_eq!(
        due_at(
            "2026-03-05 18:00",
            DeadlineRule::working_days(3).with_after_hours(AfterHoursReceipt::NextWorkingMorning)
        ),
        dt("2026-03-11 17:00")
    );
    assert_eq!(
        due_at("2026-03-05 16:00", DeadlineRule::working_days(3)),
        dt("2026-03-10 17:00")
    );
    // Before opening: 06:00 is 07:30 the same day.
    assert_eq!(
        due_at("2026-03-05 06:00", DeadlineRule::working_hours(1)),
        dt("2026-03-05 08:30")
    );
}

#[test]
fn receipt_on_a_sunday_and_on_a_holiday() {
    let c = cal();
    let due3 = due(dt("2026-03-08 10:00"), &DeadlineRule::working_days(3), &c).expect("due");
    assert_eq!(due3.clock_start, dt("2026-03-09 07:30"));
    // Sunday 10:00 + 3 working days: the period starts the day after the
    // day of receipt (Civil Code 2015 Art. 147(1)): Mon 9, Tue 10, Wed 11,
    // due at the close of Wednesday (Art. 148(1)).
    assert_eq!(due3.at, dt("2026-03-11 17:00"));
    // Under the next-working-morning policy, Monday 9 is the day of receipt.
    assert_eq!(
        due_at(
            "2026-03-08 10:00",
            DeadlineRule::working_days(3).with_after_hours(AfterHoursReceipt::NextWorkingMorning)
        ),
        dt("2026-03-12 17:00")
    );
    // Monday 18:30 + 3 working days: Thursday 17:00 (domain.md §2).
    assert_eq!(
        due_at("2026-03-09 18:30", DeadlineRule::working_days(3)),
        dt("2026-03-12 17:00")
    );
    // Same-day procedures keep their 15:00 cut-off.
    let cut = DeadlineRule::same_day().with_cutoff(NaiveTime::from_hms_opt(15, 0, 0).expect("t"));
    assert_eq!(due_at("2026-03-09 15:00", cut), dt("2026-03-09 17:00"));
    assert_eq!(due_at("2026-03-09 15:30", cut), dt("2026-03-10 17:00"));
    assert!(due3
        .explanation
        .iter()
        .any(|s| s.en.contains("on a non-working day")));
    assert_eq!(
        due_at("2026-03-08 10:00", DeadlineRule::same_day()),
        dt("2026-03-09 17:00")
    );
    assert_eq!(
        due_at("2026-03-08 10:00", DeadlineRule::working_hours(8)),
        dt("2026-03-09 17:00")
    );
    // Online submission on Lunar New Year's day.
    let tet = due(dt("2026-02-17 09:00"), &DeadlineRule::working_days(1), &c).expect("due");
    assert_eq!(tet.clock_start, dt("2026-02-23 07:30"));
    // The day of receipt (17/02) is not counted: working day 1 is Mon 23/02.
    assert_eq!(tet.at, dt("2026-02-23 17:00"));
    assert!(tet
        .explanation
        .iter()
        .any(|s| s.en.contains("on a holiday (Lunar New Year)")));
}

#[test]
fn step_budget_of_168_hours_is_21_working_days() {
    // From Monday 2 March 07:30: 21 working days of March 2026 end Monday 30.
    assert_eq!(
        due_at("2026-03-02 07:30", DeadlineRule::working_hours(168)),
        dt("2026-03-30 17:00")
    );
    let due = due(
        dt("2026-03-02 07:30"),
        &DeadlineRule::working_hours(168),
        &cal(),
    )
    .expect("due");
    // Long spans summarise the weekends instead of listing each.
    assert!(due
        .explanation
        .iter()
        .any(|s| s.en == "4 ordinary weekend(s) skipped"));
}

#[test]
fn zero_limits() {
    assert_eq!(
        due_at("2026-03-05 10:00", DeadlineRule::working_days(0)),
        dt("2026-03-05 17:00")
    );
    assert_eq!(
        due_at("2026-03-05 10:00", DeadlineRule::working_hours(0)),
        dt("2026-03-05 10:00")
    );
    assert_eq!(
        due_at("2026-03-05 12:00", DeadlineRule::working_hours(0)),
        dt("2026-03-05 13:00")
    );
}

#[test]
fn substitute_saturday_is_counted() {
    // 2025: Saturday 26 April was a working day (swap for Friday 2 May).
    // Friday 25 April 10:00, 1 working day → Saturday 26 April 17:00.
    assert_eq!(
        due_at("2025-04-25 10:00", DeadlineRule::working_days(1)),
        dt("2025-04-26 17:00")
    );
    // 3 working days from Tuesday 29 April: 30/4, 1/5, 2/5 off, weekend → Mon 5, Tue 6, Wed 7 May.
    assert_eq!(
        due_at("2025-04-29 10:00", DeadlineRule::working_days(3)),
        dt("2025-05-07 17:00")
    );
}

// ---------------------------------------------------------------- pauses

#[test]
fn payment_pause_shifts_by_the_paused_working_time() {
    let c = cal();
    let rule = DeadlineRule::working_days(3);
    // Received Monday 2 March 08:00 → due Thursday 5 March 17:00.
    // Paused Tuesday 10:00–14:00: 1h30 + 1h00 = 2h30 of working time.
    // Due: Thursday 17:00 + 2h30 = Friday 6 March 10:00.
    let events = [
        ClockEvent::pause(dt("2026-03-03 10:00"), PauseReason::AwaitingPayment),
        ClockEvent::resume(dt("2026-03-03 14:00")),
    ];
    let eff = effective_due(
        dt("2026-03-02 08:00"),
        &rule,
        &c,
        SupplementPolicy::Restart,
        &events,
    )
    .expect("due");
    match eff {
        EffectiveDue::Due { at, explanation } => {
            assert_eq!(at, dt("2026-03-06 10:00"));
            assert!(explanation
                .iter()
                .any(|s| s.en.contains("2h30 of working time not counted")));
        }
        other => panic!("{other:?}"),
    }
    let clock = DossierClock::replay(
        dt("2026-03-02 08:00"),
        &rule,
        &c,
        SupplementPolicy::Restart,
        &events,
    )
    .expect("clock");
    // Thursday 12:00: worked Mon 7h30 + Tue 8h + Wed 8h + Thu 4h = 27h30, 2h30 paused.
    let e = clock
        .elapsed_at(dt("2026-03-05 12:00"), &c)
        .expect("elapsed");
    assert_eq!(e.paused, m(150));
    assert_eq!(e.consumed, h(25));
    assert_eq!(e.budget, m(31 * 60 + 30));
    assert_eq!(e.remaining, m(6 * 60 + 30));
    let at_due = clock
        .elapsed_at(dt("2026-03-06 10:00"), &c)
        .expect("elapsed");
    assert_eq!(at_due.remaining, TimeDelta::zero());
    let late = clock
        .elapsed_at(dt("2026-03-06 11:00"), &c)
        .expect("elapsed");
    assert_eq!(late.remaining, h(-1));
}

#[test]
fn supplement_restarts_the_clock_by_default() {
    let c = cal();
    let rule = DeadlineRule::working_days(3);
    let events = [
        ClockEvent::pause(dt("2026-03-03 10:00"), PauseReason::AwaitingSupplement),
        ClockEvent::resume(dt("2026-03-04 09:00")),
    ];
    // Restart: the complete supplement (Wednesday 4 March 09:00) is a new
    // receipt: Thu 5, Fri 6, Mon 9 → Monday 9 March 17:00.
    let restart = effective_due(
        dt("2026-03-02 08:00"),
        &rule,
        &c,
        SupplementPolicy::Restart,
        &events,
    )
    .expect("due");
    match restart {
        EffectiveDue::Due { at, explanation } => {
            assert_eq!(at, dt("2026-03-09 17:00"));
            assert!(explanation[0]
                .en
                .starts_with("received Monday 2026-03-02 08:00"));
            assert!(explanation[1].en.contains("the clock restarts from zero"));
        }
        other => panic!("{other:?}"),
    }
    // Continue: paused Tue 10:00–17:00 (5h30) + Wed 07:30–09:00 (1h30) = 7 h;
    // Thursday 17:00 + 7 h = Friday 6 March 16:00.
    let cont = effective_due(
        dt("2026-03-02 08:00"),
        &rule,
        &c,
        SupplementPolicy::Continue,
        &events,
    )
    .expect("due");
    assert!(matches!(cont, EffectiveDue::Due { at, .. } if at == dt("2026-03-06 16:00")));
    // Restart with a cut-off: supplement received after 15:00 counts from the next day.
    let same_day = DeadlineRule::same_day().with_cutoff(t("15:00"));
    let events = [
        ClockEvent::pause(dt("2026-03-03 10:00"), PauseReason::AwaitingSupplement),
        ClockEvent::resume(dt("2026-03-04 15:30")),
    ];
    let eff = effective_due(
        dt("2026-03-03 08:00"),
        &same_day,
        &c,
        SupplementPolicy::Restart,
        &events,
    )
    .expect("due");
    assert!(matches!(eff, EffectiveDue::Due { at, .. } if at == dt("2026-03-05 17:00")));
}

#[test]
fn open_pause_and_pause_after_due() {
    let c = cal();
    let rule = DeadlineRule::working_days(3);
    let open = [ClockEvent::pause(
        dt("2026-03-03 10:00"),
        PauseReason::AwaitingPayment,
    )];
    match effective_due(
        dt("2026-03-02 08:00"),
        &rule,
        &c,
        SupplementPolicy::Restart,
        &open,
    )
    .expect("paused")
    {
        EffectiveDue::Paused {
            since,
            reason,
            remaining,
            ..
        } => {
            assert_eq!(since, dt("2026-03-03 10:00"));
            assert_eq!(reason, PauseReason::AwaitingPayment);
            // Budget 31h30 − Mon 7h30 − Tue 07:30–10:00 2h30 = 21h30.
            assert_eq!(remaining, m(21 * 60 + 30));
        }
        other => panic!("{other:?}"),
    }
    // Paused only after the due date had passed: the due does not move.
    let late = [ClockEvent::pause(
        dt("2026-03-06 10:00"),
        PauseReason::AwaitingPayment,
    )];
    let eff = effective_due(
        dt("2026-03-02 08:00"),
        &rule,
        &c,
        SupplementPolicy::Restart,
        &late,
    )
    .expect("due");
    assert!(matches!(eff, EffectiveDue::Due { at, .. } if at == dt("2026-03-05 17:00")));
}

#[test]
fn invalid_event_sequences() {
    let c = cal();
    let rule = DeadlineRule::working_days(3);
    let run = |events: &[ClockEvent]| {
        effective_due(
            dt("2026-03-02 08:00"),
            &rule,
            &c,
            SupplementPolicy::Restart,
            events,
        )
    };
    let p = |s: &str| ClockEvent::pause(dt(s), PauseReason::AwaitingPayment);
    let r = |s: &str| ClockEvent::resume(dt(s));
    assert!(matches!(
        run(&[r("2026-03-03 10:00")]),
        Err(CalendarError::InvalidEvents { index: 0, .. })
    ));
    assert!(matches!(
        run(&[p("2026-03-03 10:00"), p("2026-03-03 11:00")]),
        Err(CalendarError::InvalidEvents { index: 1, .. })
    ));
    assert!(matches!(
        run(&[p("2026-03-03 10:00"), r("2026-03-03 09:00")]),
        Err(CalendarError::InvalidEvents { index: 1, .. })
    ));
    assert!(matches!(
        run(&[p("2026-03-01 10:00")]),
        Err(CalendarError::InvalidEvents { index: 0, .. })
    ));
}

// ---------------------------------------------------------------- classification

#[test]
fn classification_by_dates() {
    let due = d("2026-02-25");
    assert_eq!(
        classify(due, Some(d("2026-02-24")), d("2026-03-01")),
        Timeliness::Early
    );
    assert_eq!(
        classify(due, Some(due), d("2026-03-01")),
        Timeliness::OnTime
    );
    assert_eq!(
        classify(due, Some(d("2026-02-26")), d("2026-03-01")),
        Timeliness::Late
    );
    assert_eq!(
        classify(due, None, d("2026-02-25")),
        Timeliness::InProgressOnTrack
    );
    assert_eq!(classify(due, None, d("2026-02-26")), Timeliness::Overdue);
    assert!(Timeliness::OnTime.is_within_deadline());
    assert!(!Timeliness::Overdue.is_within_deadline());
    assert_eq!(Timeliness::Late.label_vi(), "Trễ hạn");
}

#[test]
fn step_classification_by_working_hours() {
    assert_eq!(classify_step(h(4), h(3), true), Timeliness::Early);
    assert_eq!(
        classify_step(h(4), h(4) + TimeDelta::seconds(30), true),
        Timeliness::OnTime
    );
    assert_eq!(classify_step(h(4), h(5), true), Timeliness::Late);
    assert_eq!(
        classify_step(h(4), h(4), false),
        Timeliness::InProgressOnTrack
    );
    assert_eq!(classify_step(h(4), h(5), false), Timeliness::Overdue);
}

#[test]
fn apology_deadline_is_working_days_before_due() {
    let c = cal();
    assert_eq!(
        apology_deadline(d("2026-02-25"), 1, &c),
        Ok(d("2026-02-24"))
    );
    // Due the first day after Tết: the apology is due before Tết.
    assert_eq!(
        apology_deadline(d("2026-02-23"), 1, &c),
        Ok(d("2026-02-13"))
    );
    assert_eq!(
        apology_deadline(d("2026-02-24"), 2, &c),
        Ok(d("2026-02-13"))
    );
    assert_eq!(
        apology_deadline(d("2026-02-25"), 0, &c),
        Ok(d("2026-02-25"))
    );
    let lead = DeadlinePolicy::default().apology_lead_working_days;
    assert_eq!(
        apology_deadline(d("2026-03-09"), lead, &c),
        Ok(d("2026-03-06"))
    );
}

// ---------------------------------------------------------------- time

#[test]
fn vietnam_time_conversions() {
    let received = DateTime::parse_from_rfc3339("2026-02-13T10:00:00+07:00").expect("rfc3339");
    assert_eq!(to_vietnam_local(&received), dt("2026-02-13 10:00"));
    let utc: DateTime<Utc> = "2026-02-13T03:00:00Z".parse().expect("utc");
    assert_eq!(to_vietnam_local(&utc), dt("2026-02-13 10:00"));
    assert_eq!(
        utc_to_vietnam(utc).to_rfc3339(),
        "2026-02-13T10:00:00+07:00"
    );
    // Late evening UTC is the next day in Vietnam (matters for dossier codes).
    let evening: DateTime<Utc> = "2026-02-12T18:30:00Z".parse().expect("utc");
    assert_eq!(to_vietnam_local(&evening), dt("2026-02-13 01:30"));
    assert_eq!(vietnam_local_to_utc(dt("2026-02-13 01:30")), Ok(evening));
    assert_eq!(
        vietnam_local_to_fixed(dt("2026-02-25 17:00")).map(|t| t.to_rfc3339()),
        Ok("2026-02-25T17:00:00+07:00".to_owned())
    );
    assert_eq!(VIETNAM_OFFSET.local_minus_utc(), 7 * 3600);
}

#[test]
fn elapsed_before_the_last_event_is_an_error() {
    let c = cal();
    let events = [
        ClockEvent::pause(dt("2026-03-03 10:00"), PauseReason::AwaitingPayment),
        ClockEvent::resume(dt("2026-03-03 14:00")),
    ];
    let clock = DossierClock::replay(
        dt("2026-03-02 08:00"),
        &DeadlineRule::working_days(3),
        &c,
        SupplementPolicy::Restart,
        &events,
    )
    .expect("clock");
    assert!(matches!(
        clock.elapsed_at(dt("2026-03-03 12:00"), &c),
        Err(CalendarError::NowBeforeLastEvent { .. })
    ));
    // Before the clock start nothing is consumed.
    let fresh = DossierClock::replay(
        dt("2026-03-07 10:00"),
        &DeadlineRule::working_days(3),
        &c,
        SupplementPolicy::Restart,
        &[],
    )
    .expect("clock");
    let e = fresh
        .elapsed_at(dt("2026-03-08 10:00"), &c)
        .expect("elapsed");
    assert_eq!(e.consumed, TimeDelta::zero());
    assert_eq!(e.remaining, e.budget);
}

#[test]
fn the_apology_standing_turns_on_the_last_day_and_after_it() {
    use super::ApologyStanding as S;
    let by = NaiveDate::from_ymd_opt(2026, 3, 12).expect("date");
    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).expect("date");
    assert_eq!(S::of(by, day(11)), S::Ahead);
    assert!(!S::of(by, day(11)).is_flagged());
    assert_eq!(S::of(by, day(12)), S::DueToday);
    assert_eq!(S::of(by, day(13)), S::Overdue);
    assert!(S::of(by, day(12)).is_flagged() && S::of(by, day(13)).is_flagged());
}
