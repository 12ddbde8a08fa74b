//! Property tests: random command sequences (a mix of the next legal step
//! and arbitrary commands from arbitrary actors).

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use super::super::*;
use super::{
    applicant, clerk, head, leader, new_dossier, ro, specialist, staff, system, t0, user, History,
    UNIT_A, UNIT_B,
};
use crate::procedure::{AgencyRef, StepKind};

const PROCEDURES: [&str; 6] = [
    "1.001776",
    "2.000815",
    "LOCAL-04-0002",
    "1.013978",
    "1.001193",
    "LOCAL-04-0001",
];

fn actor_pool() -> Vec<Actor> {
    vec![
        ro(UNIT_A),
        ro(UNIT_B),
        specialist("s1", UNIT_A),
        specialist("s2", UNIT_A),
        specialist("s1", UNIT_B),
        head(UNIT_A),
        leader(UNIT_A),
        leader(UNIT_B),
        clerk(UNIT_A),
        applicant("c1"),
        applicant("c2"),
        system(),
    ]
}

/// The step's performer in the happy path.
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

/// The next command of an ordinary path; `variant` sometimes picks a legal
/// detour (refusal, apology, withdrawal, payment, supplement).
fn happy(h: &History, proc_ix: usize, online: bool, variant: u8) -> (Command, Actor) {
    let Some(d) = &h.state.dossier else {
        let n = new_dossier(PROCEDURES[proc_ix], UNIT_A, UNIT_A, h.now, 1);
        return if online {
            (Command::SubmitOnline { dossier: n }, applicant("c1"))
        } else {
            (
                Command::ReceiveAtCounter {
                    dossier: n,
                    by_post: false,
                },
                ro(UNIT_A),
            )
        };
    };
    let recv = ro(d.receiving_unit.as_str());
    let competent_leader = leader(d.competent_unit.as_str());
    match (d.status, variant % 16) {
        (Status::Submitted, 0) => {
            return (
                Command::Refuse {
                    reason: "Không đủ điều kiện".into(),
                },
                recv,
            )
        }
        (Status::Submitted, 1) => {
            return (
                Command::RequestSupplement {
                    reason: "Thiếu giấy tờ".into(),
                    documents: vec![],
                },
                recv,
            )
        }
        (Status::Accepted | Status::Processing, 0) => {
            return (
                Command::NotifyLate {
                    reason: "Cần xác minh".into(),
                    new_appointment: d.due.unwrap_or(h.now) + Duration::days(1),
                },
                competent_leader,
            )
        }
        (Status::Accepted | Status::Processing, 1) => {
            return (Command::Withdraw { reason: None }, recv)
        }
        (Status::Accepted | Status::Processing, 2) => {
            return (
                Command::RequestPayment {
                    amount_vnd: 15_000,
                    description: "Lệ phí".into(),
                },
                recv,
            )
        }
        (Status::Accepted | Status::Processing, 3) => {
            return (
                Command::Stop {
                    reason: "Người nộp đề nghị dừng giải quyết".into(),
                },
                recv,
            )
        }
        _ => {}
    }
    match d.status {
        Status::Submitted => (
            Command::Accept {
                appointment: h.now + Duration::days(3),
                pages_digitized: 1,
            },
            recv,
        ),
        Status::AwaitingSupplement if d.supplement_documents().next().is_none() => (
            Command::AttachDocument {
                document: DocumentRef {
                    sha256: "ab".repeat(32),
                    size: 10,
                    media_type: "application/pdf".into(),
                    name: "Giấy tờ bổ sung".into(),
                    kind: if variant.is_multiple_of(2) {
                        DocumentKind::Component
                    } else {
                        DocumentKind::Digitized
                    },
                    electronic: false,
                },
            },
            recv,
        ),
        Status::AwaitingSupplement => (
            Command::ProvideSupplement {
                documents: vec!["x".into()],
                appointment: None,
            },
            recv,
        ),
        Status::AwaitingPayment => (
            Command::ConfirmPayment {
                amount_vnd: d.payment.as_ref().map_or(0, |p| p.amount_vnd),
                receipt: "BL".into(),
                appointment: None,
            },
            recv,
        ),
        Status::ResultReady => (
            Command::ReturnResult {
                way: ReturnWay::Counter,
            },
            recv,
        ),
        Status::ResultReturned => (
            Command::Rate {
                rating: Rating::Satisfied,
                comment: None,
            },
            system(),
        ),
        Status::Refused | Status::Withdrawn | Status::Stopped => (Command::Approve, leader(UNIT_A)),
        Status::Accepted | Status::Processing => {
            let actor = step_actor(d);
            let kind = d.current_step().map(|s| s.kind);
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
                    outcome: AppraisalOutcome::Eligible,
                },
                Some(StepKind::Review) => Command::ReviewOk,
                Some(StepKind::Approve) => Command::Approve,
                Some(StepKind::Clerical) => Command::IssueResult {
                    number: "1".into(),
                    register: "r".into(),
                },
                _ => Command::Approve,
            };
            (cmd, actor)
        }
    }
}

/// An arbitrary command, parameterised by `p`.
fn arbitrary(h: &History, which: u8, p: u8) -> Command {
    let due = h
        .state
        .dossier
        .as_ref()
        .and_then(|d| d.due)
        .unwrap_or(h.now);
    let agencies = [
        AgencyRef::ReceivingCenter,
        AgencyRef::Competent,
        AgencyRef::External("cong_an_xa".into()),
        AgencyRef::External("bao_hiem_xa_hoi".into()),
        AgencyRef::External("thue_co_so".into()),
    ];
    let text = if p.is_multiple_of(5) { "" } else { "lý do" };
    match which % 21 {
        0 => Command::SubmitOnline {
            dossier: new_dossier("1.001193", UNIT_A, UNIT_A, h.now, 2),
        },
        1 => Command::ReceiveAtCounter {
            dossier: new_dossier("2.000815", UNIT_A, UNIT_B, h.now, 3),
            by_post: p.is_multiple_of(2),
        },
        2 => Command::Accept {
            appointment: h.now + Duration::hours(i64::from(p) - 20),
            pages_digitized: 1,
        },
        3 => Command::RequestSupplement {
            reason: text.into(),
            documents: vec![],
        },
        4 => Command::Refuse {
            reason: text.into(),
        },
        5 => Command::ProvideSupplement {
            documents: vec![],
            appointment: (p.is_multiple_of(3)).then(|| h.now + Duration::days(2)),
        },
        6 => Command::Transfer {
            to: agencies[usize::from(p) % agencies.len()].clone(),
        },
        7 => Command::Assign {
            assignee: user(if p.is_multiple_of(2) { "s1" } else { "s2" }),
        },
        8 => Command::Appraise {
            outcome: if p.is_multiple_of(3) {
                AppraisalOutcome::Ineligible {
                    reason: text.into(),
                }
            } else {
                AppraisalOutcome::Eligible
            },
        },
        9 => Command::ReviewOk,
        10 => Command::SendBack {
            reason: text.into(),
        },
        11 => Command::Approve,
        12 => Command::IssueResult {
            number: text.into(),
            register: "r".into(),
        },
        13 => Command::RequestPayment {
            amount_vnd: u64::from(p) * 1000,
            description: "Lệ phí".into(),
        },
        14 => Command::ConfirmPayment {
            amount_vnd: u64::from(p) * 1000,
            receipt: "BL".into(),
            appointment: None,
        },
        15 => Command::NotifyLate {
            reason: text.into(),
            new_appointment: due + Duration::hours(i64::from(p) - 10),
        },
        16 => Command::Withdraw {
            reason: (p.is_multiple_of(2)).then(|| "thôi".to_string()),
        },
        17 => Command::Stop {
            reason: text.into(),
        },
        18 => Command::Stop {
            reason: String::new(),
        },
        19 => Command::ReturnResult {
            way: if p.is_multiple_of(2) {
                ReturnWay::Counter
            } else {
                ReturnWay::Online
            },
        },
        _ => Command::Rate {
            rating: Rating::NotSatisfied,
            comment: Some("chậm".into()),
        },
    }
}

#[derive(Debug, Clone)]
struct Op {
    guided: bool,
    which: u8,
    param: u8,
    actor: usize,
    minutes: u16,
}

fn op() -> impl Strategy<Value = Op> {
    (
        prop::bool::weighted(0.6),
        any::<u8>(),
        any::<u8>(),
        0usize..12,
        0u16..2000,
    )
        .prop_map(|(guided, which, param, actor, minutes)| Op {
            guided,
            which,
            param,
            actor,
            minutes,
        })
}

struct Outcome {
    history: History,
    /// Every decision: Ok(number of events) or the refusal code.
    results: Vec<Result<usize, &'static str>>,
}

/// Runs the ops, checking the per-step invariants; returns the history.
fn run_ops(proc_ix: usize, online: bool, ops: &[Op]) -> Result<Outcome, TestCaseError> {
    let pool = actor_pool();
    let mut h = History::new();
    let mut results = vec![];
    for o in ops {
        h.tick(i64::from(o.minutes));
        let (cmd, actor) = if o.guided {
            happy(&h, proc_ix, online, o.which)
        } else {
            (arbitrary(&h, o.which, o.param), pool[o.actor].clone())
        };
        let before = h.state.clone();
        let n = h.events.len();
        let was_final = before.dossier.as_ref().is_some_and(|d| {
            matches!(d.status, Status::Refused | Status::Withdrawn)
                || (d.status == Status::ResultReturned && d.rating.is_some())
        });
        let was_returned = before.status() == Some(Status::ResultReturned);
        match decide(&before, &cmd, &actor, h.now) {
            Err(e) => {
                // A refusal produces nothing.
                prop_assert_eq!(&h.state, &before);
                prop_assert_eq!(h.events.len(), n);
                results.push(Err(e.code()));
            }
            Ok(events) => {
                prop_assert!(!was_final, "a final dossier accepted {}", cmd.name());
                if matches!(cmd, Command::ProvideSupplement { .. }) {
                    // Mẫu 02's documents: one attached since the request.
                    let since = h
                        .events
                        .iter()
                        .rposition(|e| matches!(e.data, EventData::SupplementRequested { .. }));
                    let attached = since.is_some_and(|i| {
                        h.events[i..].iter().any(|e| {
                            matches!(&e.data, EventData::DocumentAttached { document }
                                if document.kind != DocumentKind::Result)
                        })
                    });
                    prop_assert!(attached, "a supplement without a new document");
                }
                prop_assert!(!events.is_empty());
                for (i, e) in events.iter().enumerate() {
                    prop_assert_eq!(e.seq, before.version + i as u64);
                    h.state = apply(h.state.clone(), e);
                    h.events.push(e.clone());
                }
                results.push(Ok(events.len()));
            }
        }
        if let Some(d) = &h.state.dossier {
            if was_returned {
                prop_assert_eq!(d.status, Status::ResultReturned);
            }
            prop_assert!(d.counters.late_notices <= 1);
            prop_assert!(d.step < d.procedure.workflow.len());
            if d.status == Status::ResultReady {
                prop_assert_eq!(d.step, d.procedure.workflow.return_index());
            }
            // At most one pause is open, exactly when paused.
            let open = d.pauses.iter().filter(|p| p.until.is_none()).count();
            prop_assert_eq!(open, usize::from(d.status.is_paused()));
            prop_assert_eq!(d.resume_to.is_some(), d.status.is_paused());
            if d.decided_at.is_some() {
                prop_assert!(d.status != Status::Withdrawn || d.closed_at < d.decided_at);
            }
        }
    }
    Ok(Outcome {
        history: h,
        results,
    })
}

fn ops_strategy() -> impl Strategy<Value = (usize, bool, Vec<Op>)> {
    (
        0..PROCEDURES.len(),
        any::<bool>(),
        prop::collection::vec(op(), 1..45),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Final states stay final, refusals produce no events, the fold is the
    /// incremental state and is deterministic, and replaying the same
    /// commands gives the same events.
    #[test]
    fn random_sequences_respect_the_invariants((proc_ix, online, ops) in ops_strategy()) {
        let out = run_ops(proc_ix, online, &ops)?;
        let h = &out.history;
        let folded = DossierState::fold(&h.events);
        prop_assert_eq!(&folded, &h.state);
        prop_assert_eq!(DossierState::fold(&h.events), folded);
        let again = run_ops(proc_ix, online, &ops)?;
        prop_assert_eq!(&again.history.events, &h.events);
        prop_assert_eq!(&again.results, &out.results);
        // The apology and new appointment at most once.
        let late = h.events.iter().filter(|e| e.type_name() == "late_notified").count();
        prop_assert!(late <= 1);
        // Events round-trip through their canonical bytes.
        for e in &h.events {
            let b = canonical_bytes(e).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&parse_canonical(&b).map_err(|e| TestCaseError::fail(e.to_string()))?, e);
        }
    }

    /// Any single-byte change to any stored event is detected: either the
    /// bytes no longer decode to a canonical event, or the chain breaks at
    /// that event.
    #[test]
    fn hash_chain_detects_any_single_byte_change(
        (proc_ix, online, ops) in ops_strategy(),
        pick in any::<prop::sample::Index>(),
        pos in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let out = run_ops(proc_ix, online, &ops)?;
        let events = out.history.events;
        prop_assume!(!events.is_empty());
        let chain = chain_events(GENESIS, events.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(verify_chain(&chain).is_ok());
        let i = pick.index(events.len());
        let mut bytes = canonical_bytes(&events[i]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let p = pos.index(bytes.len());
        bytes[p] ^= flip;
        match parse_canonical(&bytes) {
            Err(_) => {}
            Ok(changed) => {
                prop_assert_ne!(&changed, &events[i]);
                let mut tampered = chain.clone();
                tampered[i].event = changed;
                let broken = verify_chain(&tampered);
                prop_assert_eq!(broken.map_err(|b| b.index), Err(i));
            }
        }
    }

    /// The Mẫu 04 apology can be issued at most once, whatever is tried.
    #[test]
    fn new_appointment_at_most_once(minutes in prop::collection::vec(0u16..3000, 1..12), shifts in prop::collection::vec(1i64..500, 1..12)) {
        let mut h = History::new();
        h.run(Command::ReceiveAtCounter { dossier: new_dossier("1.001776", UNIT_A, UNIT_A, t0(), 1), by_post: false }, &ro(UNIT_A));
        let a = Command::Accept { appointment: h.now + Duration::days(30), pages_digitized: 1 };
        h.run(a, &ro(UNIT_A));
        let mut issued = 0;
        for (m, s) in minutes.iter().zip(shifts.iter()) {
            h.tick(i64::from(*m));
            let due: DateTime<Utc> = h.d().due.unwrap_or(h.now);
            let cmd = Command::NotifyLate { reason: "trễ".into(), new_appointment: due + Duration::hours(*s) };
            match h.try_run(cmd, &leader(UNIT_A)) {
                Ok(()) => issued += 1,
                Err(e) => prop_assert!(issued == 1 && e.code() == "already_rescheduled" || e.code() == "appointment_in_past"),
            }
        }
        prop_assert!(issued <= 1);
        prop_assert!(h.d().counters.late_notices <= 1);
    }
}

/// The generator is not vacuous: with a fixed seed, random sequences reach
/// every final state, pause, reschedule and get refused for many reasons.
#[test]
fn random_sequences_cover_the_state_space() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    use std::collections::BTreeSet;

    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let mut statuses = BTreeSet::new();
    let mut event_types = BTreeSet::new();
    let mut refusals = BTreeSet::new();
    let mut rated = 0;
    for _ in 0..400 {
        let (proc_ix, online, ops) = ops_strategy()
            .new_tree(&mut runner)
            .expect("tree")
            .current();
        let out = run_ops(proc_ix, online, &ops).expect("invariants");
        for e in &out.history.events {
            event_types.insert(e.type_name());
        }
        let replay = &mut DossierState::new();
        for e in &out.history.events {
            *replay = apply(replay.clone(), e);
            if let Some(s) = replay.status() {
                statuses.insert(s.code());
            }
        }
        if out
            .history
            .state
            .dossier
            .as_ref()
            .is_some_and(|d| d.rating.is_some())
        {
            rated += 1;
        }
        refusals.extend(out.results.iter().filter_map(|r| r.err()));
    }
    assert_eq!(statuses.len(), 10, "statuses reached: {statuses:?}");
    assert!(rated > 0);
    for t in [
        "late_notified",
        "sent_back",
        "withdrawn",
        "refused",
        "payment_confirmed",
        "stopped",
    ] {
        assert!(
            event_types.contains(t),
            "{t} never produced: {event_types:?}"
        );
    }
    for code in [
        "illegal_transition",
        "forbidden_role",
        "wrong_step",
        "wrong_unit",
        "already_rescheduled",
        "missing_reason",
        "decision_exists",
    ] {
        assert!(refusals.contains(code), "{code} never seen: {refusals:?}");
    }
}
