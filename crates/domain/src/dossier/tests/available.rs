//! What an actor may do now ([`available`]): the decider's answer, tried
//! on representative commands, for the officials a dossier meets.

use super::*;

fn kinds(h: &History, actor: &Actor) -> Vec<&'static str> {
    available(&h.state, actor, h.now)
}

#[test]
fn at_receipt_only_the_receiving_counter_acts() {
    let mut h = History::new();
    h.run(
        Command::ReceiveAtCounter {
            dossier: new_dossier("1.001776", UNIT_A, UNIT_A, t0(), 1),
            by_post: false,
        },
        &ro(UNIT_A),
    );
    let counter = kinds(&h, &ro(UNIT_A));
    for k in ["accept", "request_supplement", "refuse"] {
        assert!(counter.contains(&k), "{k}: {counter:?}");
    }
    // Not a postal dossier: no postmark; nothing accepted: no stop.
    assert!(!counter.contains(&"record_postmark"), "{counter:?}");
    assert!(!counter.contains(&"stop"), "{counter:?}");
    assert!(kinds(&h, &ro(UNIT_B)).is_empty(), "another unit's counter");
    assert!(!kinds(&h, &leader(UNIT_A)).contains(&"accept"));
}

#[test]
fn in_processing_each_holder_sees_their_step_and_the_heads_reassign() {
    let mut h = standard_accepted();
    h.run(
        Command::Transfer {
            to: AgencyRef::Competent,
        },
        &ro(UNIT_A),
    );
    let head_kinds = kinds(&h, &head(UNIT_A));
    assert!(head_kinds.contains(&"assign"), "{head_kinds:?}");
    assert!(!head_kinds.contains(&"reassign"), "nobody holds it yet");
    h.run(
        Command::Assign {
            assignee: user("s1"),
        },
        &head(UNIT_A),
    );
    let holder = kinds(&h, &specialist("s1", UNIT_A));
    assert!(holder.contains(&"appraise"), "{holder:?}");
    assert!(holder.contains(&"request_supplement"), "{holder:?}");
    let other = kinds(&h, &specialist("s2", UNIT_A));
    assert!(!other.contains(&"appraise"), "not the assignee: {other:?}");
    let head_kinds = kinds(&h, &head(UNIT_A));
    assert!(head_kinds.contains(&"reassign"), "{head_kinds:?}");
    assert!(!head_kinds.contains(&"assign"), "{head_kinds:?}");
    // The counter may stop at the applicant's request; the leader never.
    assert!(kinds(&h, &ro(UNIT_A)).contains(&"stop"));
    assert!(!kinds(&h, &leader(UNIT_A)).contains(&"stop"));
}

#[test]
fn a_result_without_its_file_is_still_offered_for_return() {
    // Online return needs the file, but the return itself is open: the
    // form shows the refusal, the counter may return on paper.
    let mut h = standard_accepted();
    to_appraisal(&mut h);
    h.run(
        Command::Appraise {
            outcome: AppraisalOutcome::Eligible,
        },
        &specialist("s1", UNIT_A),
    )
    .run(Command::ReviewOk, &head(UNIT_A))
    .run(Command::Approve, &leader(UNIT_A))
    .run(
        Command::IssueResult {
            number: "1".into(),
            register: "Sổ".into(),
        },
        &clerk(UNIT_A),
    );
    assert_eq!(h.status(), Status::ResultReady);
    let counter = kinds(&h, &ro(UNIT_A));
    assert!(counter.contains(&"return_result"), "{counter:?}");
    // Decided: no stop, no withdrawal; in time: no apology.
    for k in ["stop", "withdraw", "accept"] {
        assert!(!counter.contains(&k), "{k}: {counter:?}");
    }
    assert!(!kinds(&h, &leader(UNIT_A)).contains(&"notify_late"));
    assert!(kinds(&h, &clerk(UNIT_A)).is_empty());
}

#[test]
fn refusals_are_classed_by_variant() {
    assert_eq!(DossierError::NotAssignee.refusal(), Refusal::Forbidden);
    assert_eq!(DossierError::DecisionExists.refusal(), Refusal::Conflict);
    assert_eq!(DossierError::MissingReason.refusal(), Refusal::Invalid);
    // What the actor still has to type keeps the action offered; who they
    // are or where the dossier is does not.
    assert!(DossierError::ResultFileMissing.concerns_input());
    assert!(!DossierError::NotAssignee.concerns_input());
    assert!(!DossierError::DecisionExists.concerns_input());
}
