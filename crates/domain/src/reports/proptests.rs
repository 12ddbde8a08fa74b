//! Property tests: incremental maintenance equals recomputation from
//! scratch (figures and step rollups, over random interleaved histories of
//! several dossiers decided command by command); merging is associative and
//! commutative with an inverse; every group's points stay within [0, max].

use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use std::collections::HashMap;

use super::tests::{
    applicant, calendar, catalogue, doc, new_dossier, staff, system, unit, user, UNIT, UNIT_B,
};
use super::*;
use crate::calendar::{vietnam_local_to_utc, WorkingCalendar};
use crate::dossier::{
    apply, decide, Actor, AppraisalOutcome, Channel, Command, DocumentKind, Dossier, DossierCode,
    DossierState, Event, Rating, ReturnWay, Role, Status,
};
use crate::procedure::{AgencyRef, Catalogue, StepKind};

const PROCS: [&str; 6] = [
    "1.004873",
    "1.001776",
    "LOCAL-04-0002",
    "1.013978",
    "2.000815",
    "1.001193",
];
const DOSSIERS: usize = 4;

#[derive(Debug, Clone)]
struct Op {
    dossier: usize,
    guided: bool,
    which: u8,
    param: u8,
    actor: usize,
    minutes: u16,
}

fn op() -> impl Strategy<Value = Op> {
    (
        0..DOSSIERS,
        prop::bool::weighted(0.75),
        any::<u8>(),
        any::<u8>(),
        0usize..9,
        0u16..3000,
    )
        .prop_map(|(dossier, guided, which, param, actor, minutes)| Op {
            dossier,
            guided,
            which,
            param,
            actor,
            minutes,
        })
}

fn pool() -> Vec<Actor> {
    vec![
        staff(Role::ReceivingOfficer, "ro", UNIT),
        staff(Role::ReceivingOfficer, "ro", UNIT_B),
        staff(Role::Specialist, "s1", UNIT),
        staff(Role::DepartmentHead, "head", UNIT),
        staff(Role::Leader, "leader", UNIT),
        staff(Role::Leader, "leader", UNIT_B),
        staff(Role::Clerical, "clerk", UNIT),
        applicant(),
        system(),
    ]
}

fn ro_of(d: &Dossier) -> Actor {
    staff(Role::ReceivingOfficer, "ro", d.receiving_unit.as_str())
}

fn leader_of(d: &Dossier) -> Actor {
    staff(Role::Leader, "leader", d.competent_unit.as_str())
}

fn step_actor(d: &Dossier) -> Actor {
    let Some(step) = d.current_step() else {
        return system();
    };
    match d.unit_of(&step.agency) {
        None => system(),
        Some(u) => {
            let name = match step.role {
                Role::Specialist => "s1",
                Role::DepartmentHead => "head",
                Role::Leader => "leader",
                Role::Clerical => "clerk",
                _ => "ro",
            };
            staff(step.role, name, u.as_str())
        }
    }
}

fn open(cat: &Catalogue, seq: u16, o: &Op, now: DateTime<Utc>) -> (Command, Actor) {
    let proc = PROCS[usize::from(o.param) % PROCS.len()];
    let receiving = if o.which.is_multiple_of(5) {
        UNIT_B
    } else {
        UNIT
    };
    let n = new_dossier(cat, proc, receiving, UNIT, now, seq);
    match o.which % 3 {
        0 => (Command::SubmitOnline { dossier: n }, applicant()),
        c => (
            Command::ReceiveAtCounter {
                dossier: n,
                by_post: c == 2,
            },
            staff(Role::ReceivingOfficer, "ro", receiving),
        ),
    }
}

/// The next command of an ordinary path, with legal detours.
fn guided(d: &Dossier, o: &Op, now: DateTime<Utc>) -> Option<(Command, Actor)> {
    let p = o.param;
    let v = o.which;
    let ro = ro_of(d);
    Some(match d.status {
        Status::Submitted => match v % 8 {
            0 => (Command::Refuse { reason: "x".into() }, ro),
            1 => (
                Command::RequestSupplement {
                    reason: "thiếu".into(),
                    documents: vec![],
                },
                ro,
            ),
            2 => (Command::Withdraw { reason: None }, ro),
            3 => (
                Command::AttachDocument {
                    document: doc(DocumentKind::Digitized, false),
                },
                ro,
            ),
            _ => (
                Command::Accept {
                    appointment: now + Duration::days(1 + i64::from(p % 6)),
                    pages_digitized: u32::from(p % 3),
                },
                ro,
            ),
        },
        Status::AwaitingSupplement if d.supplement_documents().next().is_none() => (
            Command::AttachDocument {
                document: doc(DocumentKind::Component, false),
            },
            ro,
        ),
        Status::AwaitingSupplement => (
            Command::ProvideSupplement {
                documents: vec![],
                appointment: (d.accepted_at.is_some() && p.is_multiple_of(2))
                    .then(|| now + Duration::days(3)),
            },
            ro,
        ),
        Status::AwaitingPayment => (
            Command::ConfirmPayment {
                amount_vnd: d.payment.as_ref().map_or(0, |x| x.amount_vnd),
                receipt: "BL".into(),
                appointment: None,
            },
            if p.is_multiple_of(2) { ro } else { system() },
        ),
        Status::ResultReady => {
            if d.channel == Channel::Online && p.is_multiple_of(2) {
                (
                    Command::ReturnResult {
                        way: ReturnWay::Online,
                    },
                    system(),
                )
            } else {
                (
                    Command::ReturnResult {
                        way: ReturnWay::Counter,
                    },
                    ro,
                )
            }
        }
        Status::ResultReturned => (
            Command::Rate {
                rating: [
                    Rating::VerySatisfied,
                    Rating::Satisfied,
                    Rating::NotSatisfied,
                ][usize::from(p % 3)],
                comment: None,
            },
            system(),
        ),
        Status::Refused | Status::Withdrawn | Status::Stopped => return None,
        Status::Accepted | Status::Processing => {
            let kind = d.current_step().map(|s| s.kind);
            match v % 14 {
                0 => {
                    let base = d.due.unwrap_or(now).max(now);
                    return Some((
                        Command::NotifyLate {
                            reason: "xác minh".into(),
                            new_appointment: base + Duration::days(2),
                        },
                        leader_of(d),
                    ));
                }
                1 => return Some((Command::Withdraw { reason: None }, ro)),
                2 => {
                    return Some((
                        Command::RequestPayment {
                            amount_vnd: 10_000,
                            description: "Lệ phí".into(),
                        },
                        ro,
                    ))
                }
                3 if p.is_multiple_of(4) => {
                    return Some((
                        Command::Stop {
                            reason: "người nộp đề nghị dừng".into(),
                        },
                        ro,
                    ))
                }
                4 => {
                    return Some((
                        Command::AttachDocument {
                            document: doc(DocumentKind::Result, p.is_multiple_of(2)),
                        },
                        staff(Role::Clerical, "clerk", d.competent_unit.as_str()),
                    ))
                }
                5 if matches!(kind, Some(StepKind::Review | StepKind::Approve)) => {
                    return Some((
                        Command::SendBack {
                            reason: "sửa".into(),
                        },
                        step_actor(d),
                    ))
                }
                6 if kind == Some(StepKind::Appraise) => {
                    return Some((
                        Command::RequestSupplement {
                            reason: "thiếu".into(),
                            documents: vec![],
                        },
                        step_actor(d),
                    ))
                }
                _ => {}
            }
            let cmd = match kind {
                Some(StepKind::Transfer | StepKind::External) => Command::Transfer {
                    to: d
                        .procedure
                        .workflow
                        .get(d.step + 1)
                        .map_or(AgencyRef::Competent, |s| s.agency.clone()),
                },
                Some(StepKind::Assign) => Command::Assign {
                    assignee: user("s1"),
                },
                Some(StepKind::Appraise) => Command::Appraise {
                    outcome: if p.is_multiple_of(7) {
                        AppraisalOutcome::Ineligible {
                            reason: "không đủ điều kiện".into(),
                        }
                    } else {
                        AppraisalOutcome::Eligible
                    },
                },
                Some(StepKind::Review) => Command::ReviewOk,
                Some(StepKind::Approve) => Command::Approve,
                Some(StepKind::Clerical) => Command::IssueResult {
                    number: "1".into(),
                    register: "r".into(),
                },
                _ => Command::Approve,
            };
            (cmd, step_actor(d))
        }
    })
}

/// An arbitrary command (mostly refused by `decide`).
fn arbitrary(o: &Op, now: DateTime<Utc>) -> Command {
    match o.which % 12 {
        0 => Command::Accept {
            appointment: now + Duration::hours(i64::from(o.param)),
            pages_digitized: 1,
        },
        1 => Command::Refuse { reason: "x".into() },
        2 => Command::Transfer {
            to: AgencyRef::Competent,
        },
        3 => Command::Appraise {
            outcome: AppraisalOutcome::Eligible,
        },
        4 => Command::Approve,
        5 => Command::ConfirmPayment {
            amount_vnd: 10_000,
            receipt: "BL".into(),
            appointment: None,
        },
        6 => Command::Withdraw { reason: None },
        7 => Command::Stop {
            reason: "dừng".into(),
        },
        8 => Command::ReturnResult {
            way: ReturnWay::Online,
        },
        9 => Command::Rate {
            rating: Rating::Satisfied,
            comment: None,
        },
        10 => Command::AttachDocument {
            document: doc(DocumentKind::Digitized, true),
        },
        _ => Command::RequestPayment {
            amount_vnd: 5_000,
            description: "Phí".into(),
        },
    }
}

fn start() -> DateTime<Utc> {
    let local = NaiveDate::from_ymd_opt(2026, 10, 8)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .expect("t");
    vietnam_local_to_utc(local).expect("utc")
}

/// Runs the ops; returns the interleaved log (each dossier's events in
/// order, time non-decreasing).
fn run(cat: &Catalogue, ops: &[Op]) -> Vec<Event> {
    let actors = pool();
    let mut states: Vec<DossierState> = vec![DossierState::new(); DOSSIERS];
    let mut opened = 0u16;
    let mut now = start();
    let mut log = Vec::new();
    for o in ops {
        now += Duration::minutes(i64::from(o.minutes));
        let k = o.dossier;
        let done = states[k].dossier.as_ref().is_some_and(|d| {
            matches!(d.status, Status::Refused | Status::Withdrawn)
                || (d.status == Status::ResultReturned && d.rating.is_some())
        });
        if done {
            states[k] = DossierState::new();
        }
        let pair = match &states[k].dossier {
            None => {
                opened += 1;
                Some(open(cat, opened, o, now))
            }
            Some(d) if o.guided => guided(d, o, now),
            Some(_) => Some((arbitrary(o, now), actors[o.actor].clone())),
        };
        let Some((cmd, actor)) = pair else { continue };
        if let Ok(events) = decide(&states[k], &cmd, &actor, now) {
            for e in events {
                states[k] = apply(states[k].clone(), &e);
                log.push(e);
            }
        }
    }
    log
}

fn ops_strategy() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 1..90)
}

struct Incremental {
    figures: Rollups,
    steps: StepRollups,
    facts: HashMap<DossierCode, Option<DossierFacts>>,
}

fn incremental(log: &[Event], cal: &WorkingCalendar) -> Incremental {
    let mut figures = Rollups::new();
    let mut steps = StepRollups::new();
    let mut states: HashMap<DossierCode, DossierState> = HashMap::new();
    let mut facts: HashMap<DossierCode, Option<DossierFacts>> = HashMap::new();
    for e in log {
        let before = states.remove(&e.dossier).unwrap_or_default();
        let after = apply(before.clone(), e);
        let f = facts.remove(&e.dossier).flatten();
        let next = figures.apply_event(f.as_ref(), e, &after);
        steps.apply_event(&before, &after, cal).expect("calendar");
        facts.insert(e.dossier.clone(), next);
        states.insert(e.dossier.clone(), after);
    }
    Incremental {
        figures,
        steps,
        facts,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Incremental maintenance (one event at a time, from the facts before
    /// and the state after) equals recomputation from scratch, for the
    /// facts, the figure rollups and the step rollups; and the counts
    /// partition as documented.
    #[test]
    fn incremental_equals_from_scratch(ops in ops_strategy()) {
        let cat = catalogue();
        let cal = calendar();
        let log = run(&cat, &ops);
        let inc = incremental(&log, &cal);
        prop_assert_eq!(&inc.figures, &Rollups::from_log(&log));
        prop_assert_eq!(&inc.steps, &StepRollups::from_log(&log, &cal).expect("calendar"));
        let mut by: HashMap<&DossierCode, Vec<&Event>> = HashMap::new();
        for e in &log {
            by.entry(&e.dossier).or_default().push(e);
        }
        for (code, evs) in &by {
            let scratch = DossierFacts::from_events(evs.iter().copied());
            prop_assert_eq!(inc.facts.get(*code).cloned().flatten(), scratch);
        }
        for (_, r) in inc.figures.rows() {
            prop_assert_eq!(
                r.received.total(),
                r.finished() + r.withdrawn_after_acceptance + r.in_process()
            );
            prop_assert_eq!(
                r.dossiers.total(),
                r.received.total() + r.pending + r.refused + r.withdrawn
                    - r.withdrawn_after_acceptance
            );
            prop_assert!(r.digitized <= r.paper_received);
            prop_assert!(r.paid_online <= r.fee_charging && r.paid <= r.fee_charging);
            prop_assert!(r.electronic_result <= r.finished());
            let f = r.figures(NaiveDate::from_ymd_opt(2026, 12, 1).expect("d"));
            prop_assert_eq!(f.in_process, f.in_process_on_track + f.overdue);
            prop_assert!(f.within_deadline <= f.received.total);
        }
        // Both perspectives hold every dossier once.
        let recv = inc.figures.total(|k| k.perspective == Perspective::Receiving);
        let comp = inc.figures.total(|k| k.perspective == Perspective::Competent);
        prop_assert_eq!(recv.dossiers, comp.dossiers);
        prop_assert_eq!(recv.in_process_by_due, comp.in_process_by_due);
    }
}

fn date(k: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("d") + Duration::days(i64::from(k))
}

fn rollup_strategy(lo: i64) -> impl Strategy<Value = Rollup> {
    (
        prop::collection::vec(lo..5i64, 27),
        prop::collection::btree_map(0u32..60, lo..5i64, 0..4),
    )
        .prop_map(|(v, m)| {
            let mut r = Rollup::new();
            let mut it = v.into_iter();
            let mut next = || it.next().unwrap_or(0);
            r.dossiers = ChannelCounts {
                in_person: next(),
                online: next(),
                post: next(),
            };
            r.received = ChannelCounts {
                in_person: next(),
                online: next(),
                post: next(),
            };
            r.ratings = RatingCounts {
                very_satisfied: next(),
                satisfied: next(),
                not_satisfied: next(),
            };
            r.pending = next();
            r.refused = next();
            r.withdrawn = next();
            r.withdrawn_after_acceptance = next();
            r.early = next();
            r.on_time = next();
            r.late = next();
            r.returned = next();
            r.paused = next();
            r.rescheduled = next();
            r.supplement_requested = next();
            r.sent_back = next();
            r.paper_received = next();
            r.digitized = next();
            r.electronic_result = next();
            r.fee_charging = next();
            r.paid = next();
            r.paid_online = next();
            for (k, n) in m {
                if n != 0 {
                    r.in_process_by_due.insert(date(k), n);
                }
            }
            r
        })
}

fn rollups_strategy() -> impl Strategy<Value = Rollups> {
    prop::collection::vec((0usize..8, rollup_strategy(-4)), 0..6).prop_map(|rows| {
        let mut out = Rollups::new();
        for (k, r) in rows {
            let key = RollupKey {
                unit: unit(if k % 2 == 0 { UNIT } else { UNIT_B }),
                perspective: if k % 4 < 2 {
                    Perspective::Receiving
                } else {
                    Perspective::Competent
                },
                procedure: crate::procedure::ProcedureCode::parse(PROCS[k / 4]).expect("p"),
                month: Month::new(2026, 1 + u32::try_from(k).unwrap_or(0)).expect("m"),
            };
            out.insert_row(key, &r);
        }
        out
    })
}

fn sketch_strategy() -> impl Strategy<Value = Sketch> {
    prop::collection::vec((0u64..100_000, -2i64..3), 0..12).prop_map(|v| {
        let mut s = Sketch::new();
        for (x, n) in v {
            s.insert_n(x, n);
        }
        s
    })
}

fn step_rollup_strategy() -> impl Strategy<Value = StepRollup> {
    (
        prop::collection::vec(-4i64..5, 9),
        sketch_strategy(),
        sketch_strategy(),
    )
        .prop_map(|(v, working, waiting)| StepRollup {
            dossiers: v[0],
            budgeted: v[1],
            overran: v[2],
            budget_minutes: v[3],
            working_minutes: v[4],
            waiting_minutes: v[5],
            overrun_minutes: v[6],
            late_dossiers: v[7],
            late_overrun_minutes: v[8],
            working,
            waiting,
        })
}

fn step_rollups_strategy() -> impl Strategy<Value = StepRollups> {
    let units = ["04.01273", "04.01279", "06.02000", "04"];
    prop::collection::vec(
        (
            0usize..4,
            0usize..2,
            0usize..3,
            1u32..4,
            step_rollup_strategy(),
        ),
        0..8,
    )
    .prop_map(move |rows| {
        let mut out = StepRollups::new();
        for (u, p, step, m, r) in rows {
            let key = StepKey {
                unit: unit(units[u]),
                procedure: crate::procedure::ProcedureCode::parse(PROCS[p]).expect("p"),
                step,
                kind: if step == 0 {
                    StepKind::Receive
                } else {
                    StepKind::Appraise
                },
                month: Month::new(2026, m).expect("m"),
            };
            out.insert_row(key, &r);
        }
        out
    })
}

macro_rules! group_laws {
    ($a:expr, $b:expr, $c:expr, $zero:expr) => {{
        let (a, b, c) = (&$a, &$b, &$c);
        prop_assert_eq!(a.clone() + b.clone(), b.clone() + a.clone());
        prop_assert_eq!(
            (a.clone() + b.clone()) + c.clone(),
            a.clone() + (b.clone() + c.clone())
        );
        prop_assert_eq!(a.clone() + $zero, a.clone());
        prop_assert_eq!(a.clone() + (-a.clone()), $zero);
        prop_assert_eq!((a.clone() + b.clone()) - b.clone(), a.clone());
    }};
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn rollup_merge_is_a_commutative_group(
        a in rollup_strategy(-4), b in rollup_strategy(-4), c in rollup_strategy(-4)
    ) {
        group_laws!(a, b, c, Rollup::new());
    }

    #[test]
    fn rollups_merge_is_a_commutative_group(
        a in rollups_strategy(), b in rollups_strategy(), c in rollups_strategy()
    ) {
        group_laws!(a, b, c, Rollups::new());
        // Summing rows in any grouping gives the same total.
        let all = (a.clone() + b.clone()).total(|_| true);
        let parts = a.total(|_| true) + b.total(|_| true);
        prop_assert_eq!(all, parts);
    }

    #[test]
    fn sketch_and_step_rollup_merge_are_commutative_groups(
        a in step_rollup_strategy(), b in step_rollup_strategy(), c in step_rollup_strategy(),
        x in sketch_strategy(), y in sketch_strategy(), z in sketch_strategy()
    ) {
        group_laws!(a, b, c, StepRollup::default());
        group_laws!(x, y, z, Sketch::new());
    }
}

fn ratio() -> impl Strategy<Value = Option<Ratio>> {
    prop::option::of((0u64..40, 0u64..40).prop_map(|(n, d)| Ratio::new(n, d)))
}

fn external() -> impl Strategy<Value = ExternalInputs> {
    (
        (
            ratio(),
            ratio(),
            ratio(),
            prop::option::of(0u64..60),
            prop::option::of(0u64..30),
        ),
        prop::option::of((0u64..30, 0u64..30, 0u64..30, 0u64..30).prop_map(
            |(received, handled_on_time, rated, satisfied)| PaknInputs {
                received,
                handled_on_time,
                rated,
                satisfied,
            },
        )),
        (ratio(), ratio(), ratio(), ratio(), ratio()),
    )
        .prop_map(|((a, b, c, d, e), pakn, (f, g, h, i, j))| ExternalInputs {
            published_on_time: a,
            updated_on_time: b,
            published_complete: c,
            synchronized_dossiers: d,
            fee_procedures_on_portal: e,
            pakn,
            digitized_data_reused: f,
            digitized_data_shared: g,
            population_data_used: h,
            procedures_on_population_db: i,
            electronic_certified_copies: j,
        })
}

fn catalogue_inputs() -> impl Strategy<Value = CatalogueInputs> {
    prop::collection::vec(0u64..25, 5).prop_map(|v| CatalogueInputs {
        procedures: v[0],
        online: v[1],
        online_used: v[2],
        fee_charging: v[3],
        fee_charging_paid_online: v[4],
    })
}

/// A valid configuration: the 2026 default with random targets,
/// thresholds, fractions, empty rules and decimals.
fn config() -> impl Strategy<Value = IndexConfig> {
    (
        prop::collection::vec((1u32..=100, 0u32..=100, any::<bool>(), any::<bool>()), 21),
        0u32..=4,
    )
        .prop_map(|(params, decimals)| {
            let mut spec = IndexConfig::default_2026().spec().clone();
            spec.decimals = decimals;
            let mut it = params.into_iter();
            for g in &mut spec.groups {
                for c in &mut g.criteria {
                    let (t, f, threshold, full) = it.next().unwrap_or((100, 0, false, true));
                    c.scoring = if threshold {
                        Scoring::Threshold {
                            threshold: f64::from(t) / 100.0,
                            below_fraction: f64::from(f) / 100.0,
                        }
                    } else {
                        Scoring::Proportional {
                            target: f64::from(t) / 100.0,
                        }
                    };
                    c.if_empty = if full { IfEmpty::Full } else { IfEmpty::Zero };
                }
            }
            IndexConfig::new(spec).expect("valid")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every sub-criterion, group and total stays within [0, max], whatever
    /// the inputs (even numerators above their denominators).
    #[test]
    fn points_stay_within_bounds(
        cfg in config(),
        r in rollup_strategy(0),
        cat in catalogue_inputs(),
        ext in external(),
        as_of in 0u32..60,
    ) {
        let inputs = IndexInputs { figures: r.figures(date(as_of)), catalogue: cat, external: ext };
        let rep = score(&cfg, &inputs);
        let mut sum = 0.0;
        for g in &rep.groups {
            prop_assert!(g.points >= 0.0 && g.points <= g.max_points, "{:?} {}", g.group, g.points);
            for c in &g.criteria {
                prop_assert!(c.points >= 0.0 && c.points <= c.max_points, "{:?} {}", c.criterion, c.points);
                prop_assert!(!c.formula_vi.is_empty() && !c.formula_en.is_empty());
                if c.status == ScoreStatus::MissingInput {
                    prop_assert_eq!(c.points, 0.0);
                }
            }
            sum += g.points;
        }
        prop_assert!((rep.total - sum).abs() < 1e-6);
        prop_assert!(rep.total >= 0.0 && rep.total <= rep.max_total + 1e-9);
        prop_assert_eq!(rep.grade, cfg.grade(rep.total));
    }
}

#[test]
fn histories_cover_the_interesting_cases() {
    // A fixed long run touches finished, late, paused, withdrawn and
    // refused dossiers, so the property above is not vacuous.
    let cat = catalogue();
    let ops: Vec<Op> = (0..400u32)
        .map(|i| Op {
            dossier: usize::try_from(i % 4).unwrap_or(0),
            guided: i % 9 != 0,
            which: u8::try_from((i * 7 + i / 13) % 256).unwrap_or(0),
            param: u8::try_from((i * 11) % 256).unwrap_or(0),
            actor: usize::try_from(i % 9).unwrap_or(0),
            minutes: u16::try_from((i * 37) % 700).unwrap_or(0),
        })
        .collect();
    let log = run(&cat, &ops);
    assert!(log.len() > 200, "{}", log.len());
    let cal = calendar();
    let inc = incremental(&log, &cal);
    assert_eq!(inc.figures, Rollups::from_log(&log));
    assert_eq!(inc.steps, StepRollups::from_log(&log, &cal).expect("cal"));
    let r = inc
        .figures
        .total(|k| k.perspective == Perspective::Competent);
    for (what, n) in [
        ("received", r.received.total()),
        ("refused", r.refused),
        ("withdrawn after acceptance", r.withdrawn_after_acceptance),
        ("early or on time", r.early + r.on_time),
        ("late", r.late),
        ("in process", r.in_process()),
        ("rescheduled", r.rescheduled),
        ("sent back", r.sent_back),
        ("supplement", r.supplement_requested),
        ("digitized", r.digitized),
        ("paid online", r.paid_online),
        ("rated", r.ratings.total()),
    ] {
        assert!(n > 0, "the fixed run has no {what}");
    }
    let table = BottleneckReport::across_units(&inc.steps, |_| true);
    assert!(table.top().is_some());
    assert!(table.rows.iter().any(|s| s.kind == StepKind::External));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The per-province rows and the totals over the months are sums of
    /// the rows: nothing is lost or counted twice, whatever the split.
    #[test]
    fn province_rows_and_totals_are_sums(a in step_rollups_strategy(), b in step_rollups_strategy()) {
        let all = a.clone() + b.clone();
        prop_assert_eq!(all.by_province(), a.by_province() + b.by_province());
        let at = Month::new(2026, 1).expect("month");
        prop_assert_eq!(all.totals(at), a.totals(at) + b.totals(at));
        let sum = |s: &StepRollups| s.rows().fold(StepRollup::default(), |acc, (_, r)| acc + r.clone());
        prop_assert_eq!(sum(&all.by_province()), sum(&all));
        prop_assert_eq!(sum(&all.totals(at)), sum(&all).without_sketches());
        for (k, _) in all.by_province().rows() {
            prop_assert!(!k.unit.as_str().contains('.'));
        }
    }
}
