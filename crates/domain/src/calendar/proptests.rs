//! Property tests over the bundled 2024–2030 holiday data.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use proptest::prelude::*;
use std::sync::OnceLock;

use super::*;

fn cal() -> &'static WorkingCalendar {
    static CAL: OnceLock<WorkingCalendar> = OnceLock::new();
    CAL.get_or_init(|| {
        WorkingCalendar::from_csv(motcua_refdata::HOLIDAYS, CalendarConfig::default())
            .expect("bundled holiday data is valid")
    })
}

/// Receipt instants from 2024-01-01 to about 2030-10-31, to the second, at
/// any time of day (so nights, lunch, weekends and holidays are exercised);
/// every limit generated below ends before 2031.
fn instant() -> impl Strategy<Value = NaiveDateTime> {
    let base = NaiveDate::from_ymd_opt(2024, 1, 1)
        .expect("date")
        .and_time(NaiveTime::MIN);
    // 2024 to early September 2030: the shipped holidays end with 2030,
    // and the longest walk from an instant (two 200-hour amounts, about
    // 70 calendar days) must stay inside them.
    (0i64..(365 * 7 - 120), 0i64..86_400)
        .prop_map(move |(days, secs)| base + Duration::days(days) + Duration::seconds(secs))
}

fn limit() -> impl Strategy<Value = Limit> {
    prop_oneof![
        (0u32..30).prop_map(Limit::WorkingDays),
        (0u32..200).prop_map(Limit::WorkingHours),
        Just(Limit::SameDay),
    ]
}

fn rule() -> impl Strategy<Value = DeadlineRule> {
    let cutoff = prop_oneof![
        Just(None),
        Just(NaiveTime::from_hms_opt(15, 0, 0)),
        (0u32..24 * 60).prop_map(|m| NaiveTime::from_hms_opt(m / 60, m % 60, 0)),
    ];
    let counting = prop_oneof![
        Just(WorkingDayCounting::EndOfDay),
        Just(WorkingDayCounting::SameTimeOfDay)
    ];
    let after_hours = prop_oneof![
        Just(AfterHoursReceipt::DayOfReceipt),
        Just(AfterHoursReceipt::NextWorkingMorning)
    ];
    (limit(), cutoff, counting, after_hours).prop_map(|(limit, cutoff, counting, after_hours)| {
        DeadlineRule {
            limit,
            cutoff,
            counting,
            after_hours,
        }
    })
}

/// Working time up to ~25 working days, to the second.
fn amount() -> impl Strategy<Value = TimeDelta> {
    (0i64..200 * 3600).prop_map(TimeDelta::seconds)
}

fn is_due_instant(t: NaiveDateTime) -> bool {
    cal().is_working_day(t.date()).expect("covered")
        && cal().working_hours().contains_closed(t.time())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Civil Code 2015 Art. 147–148 (the default policy): the hour of
    /// receipt never matters for a limit in working days — any two receipts
    /// on the same calendar day are due at the same instant, the close of
    /// the N-th working day after that day.
    #[test]
    fn receipt_hour_never_changes_the_due_of_working_days(
        received in instant(), other_secs in 0i64..86_400, n in 1u32..30,
    ) {
        let rule = DeadlinePolicy::default().rule(Limit::WorkingDays(n), None);
        let other = received.date().and_time(NaiveTime::MIN) + Duration::seconds(other_secs);
        let a = due(received, &rule, cal()).expect("due");
        let b = due(other, &rule, cal()).expect("due");
        prop_assert_eq!(a.at, b.at);
        let last = cal().add_working_days(received.date(), n).expect("days");
        prop_assert_eq!(a.at, cal().end_of_day(last));
    }

    /// A pause moves the due by exactly its working time (when it began
    /// before the due), and the working time counted from the receipt to
    /// the moved due, pause excluded, equals the original budget.
    #[test]
    fn paused_working_time_shifts_the_due_exactly(
        received in instant(), n in 1u32..20, into in 0i64..(8 * 3600 * 20), len in 0i64..(8 * 3600 * 15),
    ) {
        let rule = DeadlinePolicy::default().rule(Limit::WorkingDays(n), None);
        let d = due(received, &rule, cal()).expect("due");
        let from = cal().add_working_time(d.clock_start, TimeDelta::seconds(into)).expect("from");
        let to = cal().add_working_time(from, TimeDelta::seconds(len)).expect("to");
        let moved = shift_by_pause(d.at, from, to, cal()).expect("shift");
        if from >= d.at {
            prop_assert_eq!(moved, d.at);
        } else {
            let paused = cal().working_time_between(from, to).expect("wt");
            prop_assert_eq!(cal().working_time_between(d.at, moved).expect("wt"), paused);
            let counted = working_time_excluding(d.clock_start, moved, &[(from, to)], cal())
                .expect("counted");
            prop_assert_eq!(counted, d.budget);
        }
    }

    /// A due date/time is always on a working day, inside working hours
    /// (or at the end of a period), and never before the receipt.
    #[test]
    fn due_is_working_time(received in instant(), rule in rule()) {
        let due = due(received, &rule, cal()).expect("due");
        prop_assert!(is_due_instant(due.at), "{:?} -> {}", rule, due.at);
        prop_assert!(cal().is_working_time(due.clock_start).expect("covered"));
        prop_assert!(received <= due.clock_start && due.clock_start <= due.at);
        prop_assert_eq!(cal().working_time_between(due.clock_start, due.at).expect("wt"), due.budget);
    }

    /// The working time between the clock start and the due equals the limit.
    #[test]
    fn working_time_to_due_equals_the_limit(received in instant(), rule in rule()) {
        let due = due(received, &rule, cal()).expect("due");
        let daily = cal().working_hours().daily();
        match (rule.limit, rule.counting) {
            (Limit::WorkingHours(h), _) => {
                prop_assert_eq!(due.budget, TimeDelta::hours(i64::from(h)));
            }
            (Limit::WorkingDays(n), WorkingDayCounting::SameTimeOfDay) => {
                prop_assert_eq!(due.budget, daily * n as i32);
            }
            (Limit::WorkingDays(n), WorkingDayCounting::EndOfDay)
                if rule.after_hours == AfterHoursReceipt::DayOfReceipt && n > 0 =>
            {
                // Civil Code 2015 Art. 147–148: n working days after the
                // calendar day of receipt, at its close.
                let day = deadline::receipt_day(received, rule.cutoff, cal()).expect("day");
                prop_assert_eq!(due.at, cal().end_of_day(cal().add_working_days(day, n).expect("d")));
                prop_assert!(due.budget <= daily * n as i32 + daily);
            }
            (Limit::WorkingDays(n), WorkingDayCounting::EndOfDay) => {
                prop_assert_eq!(
                    cal().working_days_between(due.clock_start.date(), due.at.date()).expect("days"),
                    i64::from(n)
                );
                prop_assert_eq!(due.at.time(), cal().working_hours().day_end());
                // The receipt day's remainder plus n full days.
                let rest = cal().working_time_between(due.clock_start, cal().end_of_day(due.clock_start.date())).expect("wt");
                prop_assert_eq!(due.budget, rest + daily * n as i32);
            }
            (Limit::SameDay, _) => {
                prop_assert_eq!(due.at, cal().end_of_day(due.clock_start.date()));
            }
        }
    }

    /// Adding working time is additive: add(t, a + b) == add(add(t, a), b),
    /// and the working time between t and add(t, a) is exactly a.
    #[test]
    fn adding_working_time_is_additive(t in instant(), a in amount(), b in amount()) {
        let c = cal();
        let whole = c.add_working_time(t, a + b).expect("add");
        let step = c.add_working_time(c.add_working_time(t, a).expect("add"), b).expect("add");
        prop_assert_eq!(whole, step);
        let end = c.add_working_time(t, a).expect("add");
        prop_assert_eq!(c.working_time_between(t, end).expect("wt"), a);
        if a > TimeDelta::zero() {
            prop_assert!(is_due_instant(end));
        }
    }

    /// Working days: counting back what was added gives n; the result is a
    /// working day; subtracting undoes adding from a working day.
    #[test]
    fn working_days_round_trip(t in instant(), n in 0u32..40) {
        let c = cal();
        let start = t.date();
        let end = c.add_working_days(start, n).expect("add");
        prop_assert_eq!(c.working_days_between(start, end).expect("between"), i64::from(n));
        if n > 0 {
            prop_assert!(c.is_working_day(end).expect("covered"));
            if c.is_working_day(start).expect("covered") {
                prop_assert_eq!(c.sub_working_days(end, n).expect("sub"), start);
            }
        }
    }

    /// A pause that starts before the due shifts it by exactly the working
    /// time paused (payment pauses, and supplements under `Continue`);
    /// paused time is never counted as consumed.
    #[test]
    fn pause_shifts_due_by_paused_working_time(
        received in instant(),
        rule in rule(),
        frac in 0.0f64..1.0,
        pause_secs in 0i64..10 * 86_400,
        supplement in any::<bool>(),
    ) {
        let c = cal();
        let base = due(received, &rule, c).expect("due");
        let span = (base.at - base.clock_start).num_seconds();
        prop_assume!(span > 0);
        let p = base.clock_start + TimeDelta::seconds((span as f64 * frac) as i64);
        prop_assume!(p < base.at);
        let r = p + TimeDelta::seconds(pause_secs);
        let reason = if supplement { PauseReason::AwaitingSupplement } else { PauseReason::AwaitingPayment };
        let events = [ClockEvent::pause(p, reason), ClockEvent::resume(r)];
        let paused = c.working_time_between(p, r).expect("wt");
        let expected = c.add_working_time(base.at, paused).expect("add");
        let clock = DossierClock::replay(received, &rule, c, SupplementPolicy::Continue, &events).expect("clock");
        prop_assert_eq!(clock.due(c).expect("due"), Some(expected));
        // At the effective due, exactly the budget is consumed.
        let e = clock.elapsed_at(expected.max(r), c).expect("elapsed");
        if expected >= r {
            prop_assert_eq!(e.consumed, base.budget);
            prop_assert_eq!(e.remaining, TimeDelta::zero());
        }
        prop_assert_eq!(e.paused, paused);
    }

    /// Under the restart policy the due after a supplement is the due of a
    /// fresh receipt at the supplement time.
    #[test]
    fn supplement_restart_is_a_fresh_receipt(
        received in instant(),
        rule in rule(),
        wait in 0i64..10 * 86_400,
        len in 0i64..10 * 86_400,
    ) {
        let c = cal();
        let p = received + TimeDelta::seconds(wait);
        let r = p + TimeDelta::seconds(len);
        let events = [
            ClockEvent::pause(p, PauseReason::AwaitingSupplement),
            ClockEvent::resume(r),
        ];
        let eff = effective_due(received, &rule, c, SupplementPolicy::Restart, &events).expect("due");
        let fresh = due(r, &rule, c).expect("due");
        let at = match eff {
            EffectiveDue::Due { at, .. } => Some(at),
            EffectiveDue::Paused { .. } => None,
        };
        prop_assert_eq!(at, Some(fresh.at));
    }

    /// The due is monotone in the receipt time.
    #[test]
    fn due_is_monotone_in_receipt(a in instant(), delta in 0i64..5 * 86_400, rule in rule()) {
        let b = a + TimeDelta::seconds(delta);
        let da = due(a, &rule, cal()).expect("due").at;
        let db = due(b, &rule, cal()).expect("due").at;
        prop_assert!(da <= db, "{:?}: {} -> {}, {} -> {}", rule, a, da, b, db);
    }

    /// Classification is consistent with the order of dates.
    #[test]
    fn classification_follows_dates(a in instant(), b in instant(), c in instant()) {
        let (due, done, today) = (a.date(), b.date(), c.date());
        let finished = classify(due, Some(done), today);
        prop_assert_eq!(finished == Timeliness::Early, done < due);
        prop_assert_eq!(finished == Timeliness::OnTime, done == due);
        prop_assert_eq!(finished == Timeliness::Late, done > due);
        let open = classify(due, None, today);
        prop_assert_eq!(open == Timeliness::Overdue, today > due);
    }

    /// The apology deadline is a working day exactly `lead` working days
    /// before a working due date.
    #[test]
    fn apology_deadline_counts_back(t in instant(), lead in 0u32..5) {
        let c = cal();
        let due_date = c.add_working_days(t.date() + Duration::days(10), 1).expect("due");
        let last = apology_deadline(due_date, lead, c).expect("apology");
        prop_assert_eq!(c.working_days_between(last, due_date).expect("between"), i64::from(lead));
        prop_assert!(c.is_working_day(last).expect("covered"));
    }
}
