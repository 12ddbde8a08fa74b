//! Reassignment: a head of the competent unit moves a dossier from its
//! assignee to another official, with a reason, while it is processed.

use super::*;

fn reassign(to: &str, why: &str) -> Command {
    Command::Reassign {
        assignee: user(to),
        reason: why.into(),
    }
}

#[test]
fn a_head_moves_the_dossier_and_only_the_new_assignee_may_appraise() {
    let mut h = standard_accepted();
    to_appraisal(&mut h);
    assert_eq!(reassign_open(h.d()), Ok(user("s1")));
    h.tick(30).run(reassign("s2", "s1 nghỉ ốm"), &head(UNIT_A));
    assert_eq!(h.d().assignee, Some(user("s2")));
    let last = h.events.last().expect("event");
    assert_eq!(
        last.data,
        EventData::Reassigned {
            step: h.d().step,
            from: user("s1"),
            to: user("s2"),
        }
    );
    assert_eq!(last.reason.as_deref(), Some("s1 nghỉ ốm"));
    // The step does not move: the new holder appraises, the former cannot.
    assert_eq!(
        h.refused(
            Command::Appraise {
                outcome: AppraisalOutcome::Eligible
            },
            &specialist("s1", UNIT_A)
        ),
        "not_assignee"
    );
    h.run(
        Command::Appraise {
            outcome: AppraisalOutcome::Eligible,
        },
        &specialist("s2", UNIT_A),
    );
    // A leader may move it too, at a later step.
    h.run(reassign("s3", "Phân công nhầm lĩnh vực"), &leader(UNIT_A));
    assert_eq!(h.d().assignee, Some(user("s3")));
}

#[test]
fn a_reassignment_is_refused_without_reason_holder_or_authority() {
    let mut h = standard_accepted();
    // Not yet assigned.
    h.run(
        Command::Transfer {
            to: AgencyRef::Competent,
        },
        &ro(UNIT_A),
    );
    assert_eq!(reassign_open(h.d()), Err(DossierError::NotAssigned));
    assert_eq!(
        h.refused(reassign("s2", "vắng"), &head(UNIT_A)),
        "not_assigned"
    );
    h.run(
        Command::Assign {
            assignee: user("s1"),
        },
        &head(UNIT_A),
    );
    assert_eq!(
        h.refused(reassign("s1", "vắng"), &head(UNIT_A)),
        "same_assignee"
    );
    let blank = h.refused(reassign("s2", "   "), &head(UNIT_A));
    assert!(blank.contains("reason"), "{blank}");
    assert_eq!(
        h.refused(reassign("s2", "vắng"), &specialist("s1", UNIT_A)),
        "forbidden_role"
    );
    assert_eq!(
        h.refused(reassign("s2", "vắng"), &head(UNIT_B)),
        "wrong_unit"
    );
    assert_eq!(h.d().assignee, Some(user("s1")));
}
