//! Tests of dossier transitions, refusals, events and the hash chain.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::procedure::{
    AgencyRef, Catalogue, CompetentLevel, ProcedureCode, ProcedureSnapshot, StepKind, TimeLimit,
    Workflow, WorkflowStep,
};

mod application;
mod available;
mod props;
mod reassign;

const CATALOGUE: &str = include_str!("../../../../data/procedures/catalogue_caobang.json");

pub(super) const UNIT_A: &str = "H15.50.05.13";
pub(super) const UNIT_B: &str = "H15.50.05.20";

pub(super) fn unit(s: &str) -> UnitId {
    UnitId::parse(s).expect("unit")
}

pub(super) fn user(s: &str) -> UserId {
    UserId::parse(s).expect("user")
}

pub(super) fn staff(role: Role, name: &str, u: &str) -> Actor {
    Actor::new(role, user(name), Some(unit(u)))
}

pub(super) fn ro(u: &str) -> Actor {
    staff(Role::ReceivingOfficer, "ro", u)
}
pub(super) fn specialist(name: &str, u: &str) -> Actor {
    staff(Role::Specialist, name, u)
}
pub(super) fn head(u: &str) -> Actor {
    staff(Role::DepartmentHead, "head", u)
}
pub(super) fn leader(u: &str) -> Actor {
    staff(Role::Leader, "leader", u)
}
pub(super) fn clerk(u: &str) -> Actor {
    staff(Role::Clerical, "clerk", u)
}
pub(super) fn applicant(name: &str) -> Actor {
    Actor::new(Role::Applicant, user(name), None)
}
pub(super) fn system() -> Actor {
    Actor::new(Role::System, user("portal"), None)
}

/// 2026-10-08 09:00 in Vietnam.
pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 8, 2, 0, 0)
        .single()
        .expect("time")
}

pub(super) fn catalogue() -> Catalogue {
    Catalogue::from_json(CATALOGUE).expect("catalogue")
}

pub(super) fn snapshot(code: &str) -> ProcedureSnapshot {
    let c = catalogue();
    let code = ProcedureCode::parse(code).expect("code");
    c.find(&code, vietnam_date(t0()))
        .expect("procedure in force")
        .snapshot()
}

pub(super) fn new_dossier(
    proc_code: &str,
    receiving: &str,
    competent: &str,
    at: DateTime<Utc>,
    seq: u16,
) -> NewDossier {
    NewDossier {
        code: DossierCode::format(&unit(receiving), vietnam_date(at), seq).expect("code"),
        procedure: snapshot(proc_code),
        competent_unit: unit(competent),
        applicant: Applicant {
            name: "Nông Văn A".into(),
            personal_id: Some(PersonalId::parse("004090001234").expect("id")),
            user: None,
        },
        documents: vec![ReceivedDocument {
            name_vi: "Tờ khai".into(),
            form: crate::procedure::DocumentForm::Original,
            count: 1,
        }],
        application_data: None,
    }
}

/// A dossier history: state plus every event, applied as decided.
pub(super) struct History {
    pub state: DossierState,
    pub events: Vec<Event>,
    pub now: DateTime<Utc>,
}

impl History {
    pub fn new() -> Self {
        History {
            state: DossierState::new(),
            events: vec![],
            now: t0(),
        }
    }

    pub fn tick(&mut self, minutes: i64) -> &mut Self {
        self.now += Duration::minutes(minutes);
        self
    }

    pub fn try_run(&mut self, cmd: Command, actor: &Actor) -> Result<(), DossierError> {
        let events = decide(&self.state, &cmd, actor, self.now)?;
        for e in events {
            self.state = apply(self.state.clone(), &e);
            self.events.push(e);
        }
        Ok(())
    }

    #[track_caller]
    pub fn run(&mut self, cmd: Command, actor: &Actor) -> &mut Self {
        if let Err(e) = self.try_run(cmd.clone(), actor) {
            panic!(
                "{} by {:?} refused: {} ({e})",
                cmd.name(),
                actor.role,
                e.code()
            );
        }
        self
    }

    /// Runs a command that must be refused with `code`; checks that no event
    /// was produced and the state is unchanged.
    #[track_caller]
    pub fn refused(&mut self, cmd: Command, actor: &Actor) -> &'static str {
        let before = self.state.clone();
        let n = self.events.len();
        let err = self.try_run(cmd, actor).expect_err("must be refused");
        assert_eq!(self.state, before);
        assert_eq!(self.events.len(), n);
        err.code()
    }

    pub fn d(&self) -> &Dossier {
        self.state.dossier.as_ref().expect("dossier")
    }

    pub fn status(&self) -> Status {
        self.d().status
    }
}

fn accept(h: &History) -> Command {
    Command::Accept {
        appointment: h.now + Duration::days(30),
        pages_digitized: 4,
    }
}

/// 1.001776 (standard workflow: receive, transfer, assign, appraise,
/// review, approve, clerical, return) received at the counter of unit A.
pub(super) fn standard_accepted() -> History {
    let mut h = History::new();
    h.run(
        Command::ReceiveAtCounter {
            dossier: new_dossier("1.001776", UNIT_A, UNIT_A, t0(), 1),
            by_post: false,
        },
        &ro(UNIT_A),
    );
    let a = accept(&h);
    h.tick(10).run(a, &ro(UNIT_A));
    h
}

pub(super) fn to_appraisal(h: &mut History) {
    h.run(
        Command::Transfer {
            to: AgencyRef::Competent,
        },
        &ro(UNIT_A),
    )
    .run(
        Command::Assign {
            assignee: user("s1"),
        },
        &head(UNIT_A),
    );
}

fn appraise_ok() -> Command {
    Command::Appraise {
        outcome: AppraisalOutcome::Eligible,
    }
}

#[test]
fn standard_happy_path() {
    let mut h = standard_accepted();
    assert_eq!(h.status(), Status::Accepted);
    assert_eq!(h.d().step, 1);
    assert_eq!(h.d().holder, AgencyRef::ReceivingCenter);
    assert!(h.d().accepted_at.is_some());
    assert_eq!(h.d().original_due, h.d().due);
    h.tick(30).run(
        Command::Transfer {
            to: AgencyRef::Competent,
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.status(), Status::Processing);
    assert_eq!(h.d().holder, AgencyRef::Competent);
    h.run(
        Command::Assign {
            assignee: user("s1"),
        },
        &head(UNIT_A),
    );
    assert_eq!(h.d().assignee, Some(user("s1")));
    h.tick(600)
        .run(appraise_ok(), &specialist("s1", UNIT_A))
        .tick(60)
        .run(Command::ReviewOk, &head(UNIT_A))
        .tick(60)
        .run(Command::Approve, &leader(UNIT_A));
    assert!(h.d().decided_at.is_some());
    h.run(
        Command::IssueResult {
            number: "15/QĐ-UBND".into(),
            register: "Sổ quyết định 2026".into(),
        },
        &clerk(UNIT_A),
    );
    assert_eq!(h.status(), Status::ResultReady);
    assert_eq!(h.d().holder, AgencyRef::ReceivingCenter);
    assert_eq!(h.d().step, h.d().procedure.workflow.return_index());
    h.run(
        Command::ReturnResult {
            way: ReturnWay::Counter,
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.status(), Status::ResultReturned);
    assert!(h.d().closed_at.is_some());
    // Counter dossier without an account: a rating comes through the system
    // (kiosk, SMS survey); an applicant account cannot claim it.
    let rate = Command::Rate {
        rating: Rating::VerySatisfied,
        comment: Some(" nhanh ".into()),
    };
    assert_eq!(h.refused(rate.clone(), &applicant("x")), "not_applicant");
    h.run(rate.clone(), &system());
    assert_eq!(
        h.d().rating.as_ref().and_then(|r| r.comment.as_deref()),
        Some("nhanh")
    );
    assert_eq!(h.refused(rate, &system()), "already_rated");
    // Every step visited once, each closed.
    let visited: Vec<usize> = h.d().visits.iter().map(|v| v.index).collect();
    assert_eq!(visited, (0..8).collect::<Vec<_>>());
    assert!(h.d().visits.iter().all(|v| v.ended_at.is_some()));
    assert_eq!(h.d().counters.transfers, 1);
    assert_eq!(h.state.version, h.events.len() as u64);
    assert_eq!(DossierState::fold(&h.events), h.state);
}

#[test]
fn online_same_day_with_rating_by_the_applicant() {
    let mut h = History::new();
    h.run(
        Command::SubmitOnline {
            dossier: new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 7),
        },
        &applicant("citizen1"),
    );
    assert_eq!(h.status(), Status::Submitted);
    assert_eq!(h.d().channel, Channel::Online);
    assert_eq!(h.d().applicant.user, Some(user("citizen1")));
    let a = Command::Accept {
        appointment: h.now + Duration::hours(6),
        pages_digitized: 2,
    };
    h.run(a, &ro(UNIT_A))
        .run(
            Command::Transfer {
                to: AgencyRef::Competent,
            },
            &ro(UNIT_A),
        )
        .run(appraise_ok(), &specialist("s9", UNIT_A))
        .run(Command::Approve, &leader(UNIT_A))
        .run(
            Command::IssueResult {
                number: "120".into(),
                register: "Sổ đăng ký khai sinh".into(),
            },
            &clerk(UNIT_A),
        );
    assert_eq!(h.status(), Status::ResultReady);
    // Online, the result is its file: none attached yet, none returned.
    assert_eq!(
        h.refused(
            Command::ReturnResult {
                way: ReturnWay::Online,
            },
            &system(),
        ),
        "result_file_missing"
    );
    h.run(doc(DocumentKind::Result, SHA), &clerk(UNIT_A)).run(
        Command::ReturnResult {
            way: ReturnWay::Online,
        },
        &system(),
    );
    let rate = Command::Rate {
        rating: Rating::Satisfied,
        comment: None,
    };
    assert_eq!(
        h.refused(rate.clone(), &applicant("citizen2")),
        "not_applicant"
    );
    h.run(rate.clone(), &applicant("citizen1"));
    assert_eq!(h.refused(rate, &applicant("citizen1")), "already_rated");
    // Nothing moves a returned and rated dossier.
    assert_eq!(h.refused(accept(&h), &ro(UNIT_A)), "illegal_transition");
    assert_eq!(
        h.refused(Command::Withdraw { reason: None }, &applicant("citizen1")),
        "illegal_transition"
    );
}

#[test]
fn refusal_at_receipt_is_final() {
    let mut h = History::new();
    h.run(
        Command::ReceiveAtCounter {
            dossier: new_dossier("2.000815", UNIT_A, UNIT_A, t0(), 2),
            by_post: true,
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.d().channel, Channel::Post);
    assert_eq!(
        h.refused(
            Command::Refuse {
                reason: "  ".into()
            },
            &ro(UNIT_A)
        ),
        "missing_reason"
    );
    h.run(
        Command::Refuse {
            reason: "Không thuộc thẩm quyền".into(),
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.status(), Status::Refused);
    assert_eq!(
        h.events.last().and_then(|e| e.reason.as_deref()),
        Some("Không thuộc thẩm quyền")
    );
    for (cmd, actor) in [
        (accept(&h), ro(UNIT_A)),
        (
            Command::RequestSupplement {
                reason: "x".into(),
                documents: vec![],
            },
            ro(UNIT_A),
        ),
        (Command::Withdraw { reason: None }, ro(UNIT_A)),
        (
            Command::Refuse {
                reason: "again".into(),
            },
            ro(UNIT_A),
        ),
    ] {
        assert_eq!(h.refused(cmd, &actor), "illegal_transition");
    }
}

#[test]
fn supplement_at_receipt() {
    let mut h = History::new();
    h.run(
        Command::ReceiveAtCounter {
            dossier: new_dossier("1.004873", UNIT_A, UNIT_A, t0(), 3),
            by_post: false,
        },
        &ro(UNIT_A),
    );
    h.run(
        Command::RequestSupplement {
            reason: "Thiếu giấy tờ chứng minh đã ly hôn".into(),
            documents: vec!["Bản án ly hôn".into()],
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.status(), Status::AwaitingSupplement);
    assert_eq!(h.d().resume_to, Some(Status::Submitted));
    assert_eq!(h.d().pauses.len(), 1);
    assert_eq!(h.refused(accept(&h), &ro(UNIT_A)), "illegal_transition");
    let with_date = Command::ProvideSupplement {
        documents: vec!["Bản án ly hôn".into()],
        appointment: Some(h.now + Duration::days(3)),
    };
    let provided = Command::ProvideSupplement {
        documents: vec!["Bản án ly hôn".into()],
        appointment: None,
    };
    assert_eq!(
        h.refused(provided, &ro(UNIT_A)),
        "supplement_without_document"
    );
    h.run(doc(DocumentKind::Digitized, SHA), &ro(UNIT_A));
    assert_eq!(h.refused(with_date, &ro(UNIT_A)), "unexpected_appointment");
    h.tick(120).run(
        Command::ProvideSupplement {
            documents: vec!["Bản án ly hôn".into()],
            appointment: None,
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.status(), Status::Submitted);
    assert!(h.d().pauses[0].until.is_some());
    assert_eq!(h.d().counters.supplement_requests, 1);
    // A receipt-time supplement can also end in a refusal.
    h.run(
        Command::RequestSupplement {
            reason: "Thiếu tờ khai".into(),
            documents: vec![],
        },
        &ro(UNIT_A),
    )
    .run(
        Command::Refuse {
            reason: "Không bổ sung".into(),
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.status(), Status::Refused);
    assert!(h.d().pauses.iter().all(|p| p.until.is_some()));
}

#[test]
fn supplement_during_appraisal_restarts_with_a_new_appointment() {
    let mut h = standard_accepted();
    to_appraisal(&mut h);
    let ask = Command::RequestSupplement {
        reason: "Thiếu xác nhận".into(),
        documents: vec!["Giấy xác nhận".into()],
    };
    assert_eq!(
        h.refused(ask.clone(), &specialist("s2", UNIT_A)),
        "not_assignee"
    );
    assert_eq!(h.refused(ask.clone(), &ro(UNIT_A)), "forbidden_role");
    h.tick(60).run(ask, &specialist("s1", UNIT_A));
    assert_eq!(h.status(), Status::AwaitingSupplement);
    let original = h.d().original_due;
    let new_due = h.now + Duration::days(40);
    h.run(doc(DocumentKind::Component, SHA), &ro(UNIT_A));
    assert_eq!(
        h.refused(
            Command::ProvideSupplement {
                documents: vec![],
                appointment: Some(h.now - Duration::days(1)),
            },
            &ro(UNIT_A)
        ),
        "appointment_in_past"
    );
    assert_eq!(
        h.refused(
            Command::ProvideSupplement {
                documents: vec![],
                appointment: None,
            },
            &applicant("someone")
        ),
        "not_applicant"
    );
    h.tick(60 * 24).run(
        Command::ProvideSupplement {
            documents: vec!["Giấy xác nhận".into()],
            appointment: Some(new_due),
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.status(), Status::Processing);
    assert_ne!(h.d().original_due, original);
    assert_eq!(h.d().due, Some(new_due));
    let p = &h.d().pauses[0];
    assert_eq!(p.kind, PauseKind::Supplement);
    assert_eq!(p.until.map(|u| u - p.from), Some(Duration::days(1)));
    // Still at the appraisal step with the same assignee.
    assert_eq!(
        h.d().current_step().map(|s| s.kind),
        Some(StepKind::Appraise)
    );
    h.run(appraise_ok(), &specialist("s1", UNIT_A));
}

#[test]
fn forbidden_roles_and_wrong_steps() {
    let mut h = standard_accepted();
    // Static: these roles may never issue these commands.
    assert_eq!(
        h.refused(Command::Approve, &applicant("a")),
        "forbidden_role"
    );
    assert_eq!(
        h.refused(Command::Approve, &specialist("s1", UNIT_A)),
        "forbidden_role"
    );
    assert_eq!(h.refused(appraise_ok(), &leader(UNIT_A)), "forbidden_role");
    assert_eq!(
        h.refused(accept(&h), &specialist("s1", UNIT_A)),
        "forbidden_role"
    );
    assert_eq!(
        h.refused(
            Command::IssueResult {
                number: "1".into(),
                register: "r".into()
            },
            &ro(UNIT_A)
        ),
        "forbidden_role"
    );
    // Current step is the transfer: other step commands do not fit.
    assert_eq!(h.refused(Command::Approve, &leader(UNIT_A)), "wrong_step");
    assert_eq!(h.refused(Command::ReviewOk, &head(UNIT_A)), "wrong_step");
    to_appraisal(&mut h);
    // Contextual: the appraisal step is the specialist's, not the head's.
    assert_eq!(h.refused(appraise_ok(), &head(UNIT_A)), "forbidden_role");
    // Ineligible needs a reason; then the refusal letter follows the flow.
    assert_eq!(
        h.refused(
            Command::Appraise {
                outcome: AppraisalOutcome::Ineligible { reason: "".into() }
            },
            &specialist("s1", UNIT_A)
        ),
        "missing_reason"
    );
    h.run(
        Command::Appraise {
            outcome: AppraisalOutcome::Ineligible {
                reason: "Không thuộc đối tượng".into(),
            },
        },
        &specialist("s1", UNIT_A),
    );
    assert_eq!(h.d().eligible, Some(false));
    // The review step belongs to the department head, not the leader.
    assert_eq!(
        h.refused(Command::ReviewOk, &leader(UNIT_A)),
        "forbidden_role"
    );
    h.run(Command::ReviewOk, &head(UNIT_A));
}

#[test]
fn wrong_unit_and_wrong_agency() {
    let mut h = History::new();
    let open = Command::ReceiveAtCounter {
        dossier: new_dossier("1.001776", UNIT_A, UNIT_A, t0(), 1),
        by_post: false,
    };
    assert_eq!(h.refused(open.clone(), &ro(UNIT_B)), "wrong_unit");
    let no_unit = Actor::new(Role::ReceivingOfficer, user("ro"), None);
    assert_eq!(h.refused(open.clone(), &no_unit), "wrong_unit");
    h.run(open, &ro(UNIT_A));
    assert_eq!(h.refused(accept(&h), &ro(UNIT_B)), "wrong_unit");
    h.run(accept(&h), &ro(UNIT_A));
    assert_eq!(
        h.refused(
            Command::Transfer {
                to: AgencyRef::External("thue".into())
            },
            &ro(UNIT_A)
        ),
        "wrong_agency"
    );
    h.run(
        Command::Transfer {
            to: AgencyRef::Competent,
        },
        &ro(UNIT_A),
    );
    assert_eq!(
        h.refused(
            Command::Assign {
                assignee: user("s1")
            },
            &head(UNIT_B)
        ),
        "wrong_unit"
    );
}

#[test]
fn boundary_free_receipt() {
    // Certified copies may be received by any commune's Center.
    let mut h = History::new();
    h.run(
        Command::ReceiveAtCounter {
            dossier: new_dossier("2.000815", UNIT_A, UNIT_B, t0(), 4),
            by_post: false,
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.d().receiving_unit, unit(UNIT_A));
    assert_eq!(h.d().competent_unit, unit(UNIT_B));
    let a = Command::Accept {
        appointment: h.now + Duration::hours(5),
        pages_digitized: 3,
    };
    h.run(a, &ro(UNIT_A)).run(
        Command::Transfer {
            to: AgencyRef::Competent,
        },
        &ro(UNIT_A),
    );
    // Processing happens at the competent unit B.
    assert_eq!(
        h.refused(appraise_ok(), &specialist("s1", UNIT_A)),
        "wrong_unit"
    );
    h.run(appraise_ok(), &specialist("s1", UNIT_B));
    // The social allowance is not boundary-free.
    let mut g = History::new();
    assert_eq!(
        g.refused(
            Command::ReceiveAtCounter {
                dossier: new_dossier("1.001776", UNIT_A, UNIT_B, t0(), 5),
                by_post: false,
            },
            &ro(UNIT_A)
        ),
        "not_boundary_free"
    );
}

#[test]
fn opening_errors() {
    let mut h = History::new();
    assert_eq!(h.refused(accept(&h), &ro(UNIT_A)), "no_dossier");
    // The code's date must be the Vietnam date of receipt: 2026-10-08 09:00
    // in Vietnam; a code dated the 7th is refused.
    let mut n = new_dossier("1.001776", UNIT_A, UNIT_A, t0(), 1);
    n.code = DossierCode::parse("H15.50.05.13-261007-0001").expect("code");
    assert_eq!(
        h.refused(
            Command::SubmitOnline { dossier: n.clone() },
            &applicant("c")
        ),
        "code_mismatch"
    );
    // 2026-10-07 23:30 in Vietnam is 16:30 UTC: the code's date is the 7th.
    let late = Utc
        .with_ymd_and_hms(2026, 10, 7, 16, 30, 0)
        .single()
        .expect("t");
    assert_eq!(vietnam_date(late).to_string(), "2026-10-07");
    let mut g = History {
        state: DossierState::new(),
        events: vec![],
        now: late,
    };
    g.run(Command::SubmitOnline { dossier: n }, &applicant("c"));
    // A procedure repealed on 2027-01-01 cannot open a dossier after it.
    let mut old = new_dossier("1.011607", UNIT_A, UNIT_A, t0(), 2);
    let when = Utc
        .with_ymd_and_hms(2027, 1, 4, 2, 0, 0)
        .single()
        .expect("t");
    old.code = DossierCode::format(&unit(UNIT_A), vietnam_date(when), 2).expect("code");
    let mut k = History {
        state: DossierState::new(),
        events: vec![],
        now: when,
    };
    assert_eq!(
        k.refused(
            Command::ReceiveAtCounter {
                dossier: old,
                by_post: false
            },
            &ro(UNIT_A)
        ),
        "procedure_not_in_force"
    );
    // An applicant cannot submit in someone else's name.
    let mut other = new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 3);
    other.applicant.user = Some(user("someone-else"));
    assert_eq!(
        h.refused(Command::SubmitOnline { dossier: other }, &applicant("me")),
        "not_applicant"
    );
    let mut nameless = new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 3);
    nameless.applicant.name = " ".into();
    assert_eq!(
        h.refused(Command::SubmitOnline { dossier: nameless }, &system()),
        "empty_field"
    );
    h.run(
        Command::SubmitOnline {
            dossier: new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 3),
        },
        &system(),
    );
    assert_eq!(
        h.refused(
            Command::SubmitOnline {
                dossier: new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 3)
            },
            &system()
        ),
        "already_exists"
    );
}

#[test]
fn send_back_returns_to_appraisal() {
    let mut h = standard_accepted();
    to_appraisal(&mut h);
    h.run(appraise_ok(), &specialist("s1", UNIT_A));
    assert_eq!(
        h.refused(Command::SendBack { reason: "".into() }, &head(UNIT_A)),
        "missing_reason"
    );
    h.run(
        Command::SendBack {
            reason: "Bổ sung căn cứ".into(),
        },
        &head(UNIT_A),
    );
    assert_eq!(
        h.d().current_step().map(|s| s.kind),
        Some(StepKind::Appraise)
    );
    assert_eq!(h.d().counters.send_backs, 1);
    assert!(h.d().visits.iter().any(|v| v.sent_back));
    // Same agency: the assignee stays.
    h.run(appraise_ok(), &specialist("s1", UNIT_A))
        .run(Command::ReviewOk, &head(UNIT_A))
        .run(
            Command::SendBack {
                reason: "Sai thể thức".into(),
            },
            &leader(UNIT_A),
        );
    assert_eq!(h.d().step, 3);
    assert_eq!(h.d().counters.send_backs, 2);
}

fn custom_snapshot(steps: Vec<WorkflowStep>) -> ProcedureSnapshot {
    ProcedureSnapshot {
        code: ProcedureCode::parse("LOCAL-04-0099").expect("code"),
        version: 1,
        name_vi: "Thử nghiệm".into(),
        level: CompetentLevel::Commune,
        time_limit: TimeLimit::WorkingDays(3),
        extensions: Vec::new(),
        same_day_cutoff: None,
        boundary_free: false,
        effective_from: chrono::NaiveDate::from_ymd_opt(2025, 7, 1).expect("d"),
        effective_until: None,
        workflow: Workflow::new(steps).expect("workflow"),
        form: Default::default(),
    }
}

#[test]
fn send_back_without_an_earlier_appraisal() {
    let s = |kind, role, agency| WorkflowStep {
        kind,
        role,
        agency,
        budget_hours: 2,
        label_vi: None,
    };
    let steps = vec![
        s(
            StepKind::Receive,
            Role::ReceivingOfficer,
            AgencyRef::ReceivingCenter,
        ),
        s(
            StepKind::Transfer,
            Role::ReceivingOfficer,
            AgencyRef::ReceivingCenter,
        ),
        s(StepKind::Review, Role::DepartmentHead, AgencyRef::Competent),
        s(StepKind::Approve, Role::Leader, AgencyRef::Competent),
        s(StepKind::Clerical, Role::Clerical, AgencyRef::Competent),
        WorkflowStep {
            budget_hours: 0,
            ..s(
                StepKind::Return,
                Role::ReceivingOfficer,
                AgencyRef::ReceivingCenter,
            )
        },
    ];
    let mut n = new_dossier("1.001776", UNIT_A, UNIT_A, t0(), 1);
    n.procedure = custom_snapshot(steps);
    let mut h = History::new();
    h.run(
        Command::ReceiveAtCounter {
            dossier: n,
            by_post: false,
        },
        &ro(UNIT_A),
    );
    h.run(accept(&h), &ro(UNIT_A)).run(
        Command::Transfer {
            to: AgencyRef::Competent,
        },
        &ro(UNIT_A),
    );
    assert_eq!(
        h.refused(Command::SendBack { reason: "x".into() }, &head(UNIT_A)),
        "no_step_to_send_back"
    );
}

#[test]
fn late_notice_only_once() {
    let mut h = History::new();
    h.run(
        Command::ReceiveAtCounter {
            dossier: new_dossier("1.001776", UNIT_A, UNIT_A, t0(), 1),
            by_post: false,
        },
        &ro(UNIT_A),
    );
    let late = |h: &History, days: i64| Command::NotifyLate {
        reason: "Cần xác minh thêm".into(),
        new_appointment: h.d().due.unwrap_or(h.now) + Duration::days(days),
    };
    assert_eq!(
        h.refused(late(&h, 5), &leader(UNIT_A)),
        "illegal_transition"
    );
    h.run(accept(&h), &ro(UNIT_A));
    let original = h.d().due.expect("due");
    assert_eq!(h.refused(late(&h, 5), &head(UNIT_A)), "forbidden_role");
    assert_eq!(h.refused(late(&h, 5), &leader(UNIT_B)), "wrong_unit");
    assert_eq!(
        h.refused(late(&h, 0), &leader(UNIT_A)),
        "appointment_not_later"
    );
    assert_eq!(
        h.refused(
            Command::NotifyLate {
                reason: " ".into(),
                new_appointment: original + Duration::days(5)
            },
            &leader(UNIT_A)
        ),
        "missing_reason"
    );
    h.run(late(&h, 5), &leader(UNIT_A));
    assert_eq!(h.d().original_due, Some(original));
    assert_eq!(h.d().due, Some(original + Duration::days(5)));
    assert_eq!(h.d().new_appointment, h.d().due);
    match &h.events.last().expect("event").data {
        EventData::LateNotified {
            original_appointment,
            ..
        } => assert_eq!(*original_appointment, original),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        h.refused(late(&h, 9), &leader(UNIT_A)),
        "already_rescheduled"
    );
}

#[test]
fn a_stop_answers_the_applicants_request_and_is_final() {
    let stop = |r: &str| Command::Stop { reason: r.into() };
    // Before acceptance nothing is processed: the applicant withdraws.
    let mut fresh = History::new();
    fresh.run(
        Command::SubmitOnline {
            dossier: new_dossier("1.001776", UNIT_A, UNIT_A, t0(), 1),
        },
        &applicant("c1"),
    );
    assert_eq!(
        fresh.refused(stop("Không còn nhu cầu"), &applicant("c1")),
        "illegal_transition"
    );
    fresh.run(accept(&fresh), &ro(UNIT_A));
    to_appraisal(&mut fresh);
    // The leader no longer stops a dossier at will; another applicant, or
    // an officer of another unit, cannot stop it; a reason is required.
    assert_eq!(
        fresh.refused(stop("Chờ giám định"), &leader(UNIT_A)),
        "forbidden_role"
    );
    assert_eq!(fresh.refused(stop("x"), &applicant("c2")), "not_applicant");
    assert_eq!(fresh.refused(stop("x"), &ro(UNIT_B)), "wrong_unit");
    assert_eq!(
        fresh.refused(stop("  "), &applicant("c1")),
        "missing_reason"
    );
    fresh.run(stop("Đã chuyển nơi cư trú"), &applicant("c1"));
    assert_eq!(fresh.status(), Status::Stopped);
    assert!(fresh.status().is_final());
    assert!(fresh.d().closed_at.is_some());
    assert_eq!(
        fresh.events.last().and_then(|e| e.reason.as_deref()),
        Some("Đã chuyển nơi cư trú")
    );
    // Final: no step, no second stop, no apology.
    assert_eq!(
        fresh.refused(appraise_ok(), &specialist("s1", UNIT_A)),
        "illegal_transition"
    );
    assert_eq!(
        fresh.refused(stop("x"), &applicant("c1")),
        "illegal_transition"
    );
    // The Center records a request made at the counter, while paused too.
    let mut paused = standard_accepted();
    to_appraisal(&mut paused);
    paused.run(
        Command::RequestSupplement {
            reason: "Thiếu bản sao".into(),
            documents: vec!["Bản sao".into()],
        },
        &specialist("s1", UNIT_A),
    );
    paused.run(stop("Đơn đề nghị dừng ngày 12/3"), &ro(UNIT_A));
    assert_eq!(paused.status(), Status::Stopped);
    // Once decided, no stop.
    let mut decided = standard_accepted();
    to_appraisal(&mut decided);
    decided
        .run(appraise_ok(), &specialist("s1", UNIT_A))
        .run(Command::ReviewOk, &head(UNIT_A))
        .run(Command::Approve, &leader(UNIT_A));
    assert_eq!(decided.refused(stop("x"), &ro(UNIT_A)), "decision_exists");
}

/// Runs an accepted dossier through to its result, `days` days after
/// acceptance (the appointment is 30 days after acceptance).
fn result_after(days: i64) -> History {
    let mut h = standard_accepted();
    to_appraisal(&mut h);
    h.tick(days * 24 * 60)
        .run(appraise_ok(), &specialist("s1", UNIT_A))
        .run(Command::ReviewOk, &head(UNIT_A))
        .run(Command::Approve, &leader(UNIT_A))
        .run(
            Command::IssueResult {
                number: "15/QĐ-UBND".into(),
                register: "Sổ quyết định 2026".into(),
            },
            &clerk(UNIT_A),
        );
    assert_eq!(h.status(), Status::ResultReady);
    h
}

#[test]
fn a_late_result_ready_still_gets_its_apology_and_a_timely_one_does_not() {
    let late = |h: &History| Command::NotifyLate {
        reason: "Chậm do phải xác minh".into(),
        new_appointment: h.now + Duration::days(2),
    };
    // Ready on the day before the appointment: nothing to apologise for.
    let mut timely = result_after(29);
    assert_eq!(
        timely.refused(late(&timely), &leader(UNIT_A)),
        "result_not_late"
    );
    // Ready after it: Mẫu 04 is issued, once, and moves the appointment.
    let mut tardy = result_after(33);
    let original = tardy.d().due;
    tardy.run(late(&tardy), &leader(UNIT_A));
    assert_eq!(tardy.d().original_due, original);
    assert_eq!(tardy.d().due, Some(tardy.now + Duration::days(2)));
    assert_eq!(tardy.status(), Status::ResultReady);
    assert_eq!(
        tardy.refused(late(&tardy), &leader(UNIT_A)),
        "already_rescheduled"
    );
}

#[test]
fn only_an_accepted_dossier_whose_clock_runs_and_not_yet_rescheduled_owes_an_apology() {
    for s in Status::ALL {
        let owed = matches!(s, Status::Accepted | Status::Processing);
        assert_eq!(s.owes_apology(false), owed, "{s}");
        assert!(!s.owes_apology(true), "{s}");
    }
}

#[test]
fn withdrawal_only_before_a_decision() {
    // Online dossier, withdrawn by its applicant while processing.
    let mut h = History::new();
    h.run(
        Command::SubmitOnline {
            dossier: new_dossier("1.001776", UNIT_A, UNIT_A, t0(), 1),
        },
        &applicant("c1"),
    );
    h.run(accept(&h), &ro(UNIT_A));
    to_appraisal(&mut h);
    assert_eq!(
        h.refused(Command::Withdraw { reason: None }, &applicant("c2")),
        "not_applicant"
    );
    h.run(
        Command::Withdraw {
            reason: Some("Không còn nhu cầu".into()),
        },
        &applicant("c1"),
    );
    assert_eq!(h.status(), Status::Withdrawn);
    assert_eq!(
        h.refused(appraise_ok(), &specialist("s1", UNIT_A)),
        "illegal_transition"
    );
    // After the signature, no withdrawal.
    let mut g = standard_accepted();
    to_appraisal(&mut g);
    g.run(appraise_ok(), &specialist("s1", UNIT_A))
        .run(Command::ReviewOk, &head(UNIT_A))
        .run(Command::Approve, &leader(UNIT_A));
    assert_eq!(
        g.refused(Command::Withdraw { reason: None }, &ro(UNIT_A)),
        "decision_exists"
    );
    g.run(
        Command::IssueResult {
            number: "1".into(),
            register: "r".into(),
        },
        &clerk(UNIT_A),
    );
    assert_eq!(
        g.refused(Command::Withdraw { reason: None }, &ro(UNIT_A)),
        "decision_exists"
    );
    // Withdrawing while paused closes the pause.
    let mut k = standard_accepted();
    k.run(
        Command::RequestPayment {
            amount_vnd: 30_000,
            description: "Lệ phí".into(),
        },
        &ro(UNIT_A),
    )
    .tick(5)
    .run(Command::Withdraw { reason: None }, &ro(UNIT_A));
    assert!(k.d().pauses.iter().all(|p| p.until.is_some()));
    assert_eq!(k.d().resume_to, None);
}

#[test]
fn payment_pauses_and_resumes() {
    let mut h = standard_accepted();
    assert_eq!(
        h.refused(
            Command::RequestPayment {
                amount_vnd: 0,
                description: "Lệ phí".into()
            },
            &ro(UNIT_A)
        ),
        "invalid_amount"
    );
    h.run(
        Command::RequestPayment {
            amount_vnd: 100_000,
            description: "Lệ phí đăng ký".into(),
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.status(), Status::AwaitingPayment);
    assert_eq!(
        h.refused(
            Command::Transfer {
                to: AgencyRef::Competent
            },
            &ro(UNIT_A)
        ),
        "illegal_transition"
    );
    assert_eq!(
        h.refused(
            Command::ConfirmPayment {
                amount_vnd: 50_000,
                receipt: "BL-1".into(),
                appointment: None,
            },
            &system()
        ),
        "payment_mismatch"
    );
    h.tick(90).run(
        Command::ConfirmPayment {
            amount_vnd: 100_000,
            receipt: "BL-1".into(),
            appointment: None,
        },
        &system(),
    );
    assert_eq!(h.status(), Status::Accepted);
    assert_eq!(h.d().paid_vnd, 100_000);
    assert_eq!(h.d().pauses[0].kind, PauseKind::Payment);
    // Payment before the result is handed over.
    to_appraisal(&mut h);
    h.run(appraise_ok(), &specialist("s1", UNIT_A))
        .run(Command::ReviewOk, &head(UNIT_A))
        .run(Command::Approve, &leader(UNIT_A))
        .run(
            Command::IssueResult {
                number: "2".into(),
                register: "r".into(),
            },
            &clerk(UNIT_A),
        )
        .run(
            Command::RequestPayment {
                amount_vnd: 20_000,
                description: "Phí cấp bản sao".into(),
            },
            &ro(UNIT_A),
        );
    assert_eq!(
        h.refused(
            Command::ReturnResult {
                way: ReturnWay::Counter
            },
            &ro(UNIT_A)
        ),
        "illegal_transition"
    );
    h.run(
        Command::ConfirmPayment {
            amount_vnd: 20_000,
            receipt: "BL-2".into(),
            appointment: None,
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.status(), Status::ResultReady);
    // The system returns only online dossiers.
    assert_eq!(
        h.refused(
            Command::ReturnResult {
                way: ReturnWay::Online
            },
            &system()
        ),
        "forbidden_role"
    );
    h.run(
        Command::ReturnResult {
            way: ReturnWay::Counter,
        },
        &ro(UNIT_A),
    );
    assert_eq!(h.d().paid_vnd, 120_000);
    assert_eq!(h.d().counters.payment_requests, 2);
}

#[test]
fn inter_agency_birth_residence_health_insurance() {
    let mut h = History::new();
    h.run(
        Command::ReceiveAtCounter {
            dossier: new_dossier("LOCAL-04-0002", UNIT_A, UNIT_A, t0(), 9),
            by_post: false,
        },
        &ro(UNIT_A),
    );
    h.run(accept(&h), &ro(UNIT_A))
        .run(
            Command::Transfer {
                to: AgencyRef::Competent,
            },
            &ro(UNIT_A),
        )
        .run(appraise_ok(), &specialist("s1", UNIT_A))
        .run(Command::Approve, &leader(UNIT_A))
        .run(
            Command::IssueResult {
                number: "88".into(),
                register: "Sổ đăng ký khai sinh".into(),
            },
            &clerk(UNIT_A),
        );
    // Still processing: the police and social-insurance legs remain.
    assert_eq!(h.status(), Status::Processing);
    let police = AgencyRef::External("cong_an_xa".into());
    let insurance = AgencyRef::External("bao_hiem_xa_hoi".into());
    h.run(
        Command::Transfer { to: police.clone() },
        &specialist("s1", UNIT_A),
    );
    assert_eq!(h.d().holder, police);
    // The external leg is closed by the inter-system connection (system).
    assert_eq!(
        h.refused(
            Command::Transfer {
                to: AgencyRef::ReceivingCenter
            },
            &system()
        ),
        "wrong_agency"
    );
    h.run(
        Command::Transfer {
            to: insurance.clone(),
        },
        &system(),
    );
    assert_eq!(h.d().holder, insurance);
    h.run(
        Command::Transfer {
            to: AgencyRef::ReceivingCenter,
        },
        &system(),
    );
    assert_eq!(h.status(), Status::ResultReady);
    assert_eq!(h.d().counters.transfers, 4);
    let hand_overs: Vec<(AgencyRef, AgencyRef)> = h
        .events
        .iter()
        .filter_map(|e| match &e.data {
            EventData::Transferred { from, to, .. } => Some((from.clone(), to.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        hand_overs,
        vec![
            (AgencyRef::ReceivingCenter, AgencyRef::Competent),
            (AgencyRef::Competent, police.clone()),
            (police, insurance.clone()),
            (insurance, AgencyRef::ReceivingCenter),
        ]
    );
}

#[test]
fn event_json_shape_and_canonical_form() {
    let mut h = standard_accepted();
    h.run(
        Command::Transfer {
            to: AgencyRef::Competent,
        },
        &ro(UNIT_A),
    );
    let e = h.events.last().expect("event");
    let v = serde_json::to_value(e).expect("json");
    assert_eq!(v["type"], "transferred");
    assert_eq!(v["payload"]["to"], "competent");
    assert_eq!(v["actor"]["role"], "receiving_officer");
    assert_eq!(v["seq"], 2);
    assert_eq!(v["dossier"], "H15.50.05.13-261008-0001");
    assert_eq!(v["at"], "2026-10-08T02:10:00.000000Z");
    let back: Event = serde_json::from_value(v).expect("back");
    assert_eq!(&back, e);
    let bytes = canonical_bytes(e).expect("canonical");
    let text = String::from_utf8(bytes.clone()).expect("utf8");
    assert!(text.starts_with(
        r#"{"actor":{"role":"receiving_officer","unit":"H15.50.05.13","user":"ro"},"at":"#
    ));
    assert!(!text.contains(' ') && !text.contains('\n'));
    assert_eq!(&parse_canonical(&bytes).expect("parse"), e);
    // Pretty JSON of the same event is not canonical.
    let pretty = serde_json::to_vec_pretty(e).expect("pretty");
    assert_eq!(
        parse_canonical(&pretty).expect_err("pretty").code(),
        "not_canonical"
    );
    // Vietnamese text stays raw UTF-8; control characters are escaped.
    let s =
        canonical_json(&serde_json::json!({"b": "Hồ sơ\n\u{1}", "a": [1, null]})).expect("json");
    assert_eq!(s, "{\"a\":[1,null],\"b\":\"Hồ sơ\\n\\u0001\"}");
    // Every event of a full history round-trips through canonical bytes.
    for e in &h.events {
        let b = canonical_bytes(e).expect("bytes");
        assert_eq!(&parse_canonical(&b).expect("parse"), e);
    }
}

#[test]
fn timestamps_are_truncated_to_microseconds() {
    let mut h = History::new();
    h.now = t0() + Duration::nanoseconds(123_456_789);
    h.run(
        Command::SubmitOnline {
            dossier: new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 1),
        },
        &system(),
    );
    let e = &h.events[0];
    assert_eq!(e.at, t0() + Duration::microseconds(123_456));
    let b = canonical_bytes(e).expect("bytes");
    assert!(String::from_utf8(b)
        .expect("utf8")
        .contains("\"at\":\"2026-10-08T02:00:00.123456Z\""));
}

#[test]
fn hash_chain_detects_tampering() {
    let mut h = standard_accepted();
    to_appraisal(&mut h);
    let chain = chain_events(GENESIS, h.events.clone()).expect("chain");
    verify_chain(&chain).expect("intact");
    // The first hash is SHA-256 of 32 zero bytes followed by the canonical bytes.
    let first = canonical_bytes(&h.events[0]).expect("bytes");
    assert_eq!(chain[0].hash, event_hash(&GENESIS, &first));
    // Continuing a chain from its last hash gives the same hashes.
    let tail = chain_events(chain[1].hash, h.events[2..].to_vec()).expect("tail");
    assert_eq!(tail, chain[2..].to_vec());
    verify_chain_from(chain[1].hash, &tail).expect("segment");

    let mut bad = chain.clone();
    bad[2].event.reason = Some("sửa".into());
    assert_eq!(verify_chain(&bad).expect_err("tampered").index, 2);
    let mut bad = chain.clone();
    bad[3].hash[0] ^= 1;
    assert_eq!(verify_chain(&bad).expect_err("tampered").index, 3);
    let mut bad = chain.clone();
    bad.swap(1, 2);
    assert_eq!(verify_chain(&bad).expect_err("reordered").index, 1);
    let mut bad = chain.clone();
    bad.remove(1);
    assert_eq!(verify_chain(&bad).expect_err("removed").index, 1);
    // Hashes serialize as 64 hex digits.
    let j = serde_json::to_value(&chain[0]).expect("json");
    assert_eq!(j["hash"].as_str().map(str::len), Some(64));
    let back: ChainedEvent = serde_json::from_value(j).expect("back");
    assert_eq!(back, chain[0]);
}

#[test]
fn error_codes_are_stable_and_distinct() {
    use std::collections::HashSet;
    let errors = [
        DossierError::NoDossier,
        DossierError::AlreadyExists,
        DossierError::IllegalTransition {
            status: Status::Refused,
            command: "accept",
        },
        DossierError::WrongStep {
            command: "approve",
            current: StepKind::Appraise,
            index: 3,
        },
        DossierError::ForbiddenRole {
            role: Role::Applicant,
            command: "approve",
        },
        DossierError::WrongUnit { command: "accept" },
        DossierError::NotAssignee,
        DossierError::NotApplicant,
        DossierError::WrongAgency {
            expected: AgencyRef::Competent,
            got: AgencyRef::ReceivingCenter,
        },
        DossierError::AlreadyRescheduled,
        DossierError::ResultNotLate,
        DossierError::AppointmentNotLater,
        DossierError::AppointmentInPast,
        DossierError::UnexpectedAppointment,
        DossierError::DecisionExists,
        DossierError::AlreadyRated,
        DossierError::MissingReason,
        DossierError::EmptyField { field: "number" },
        DossierError::InvalidAmount,
        DossierError::PaymentMismatch {
            requested: 1,
            paid: 2,
        },
        DossierError::NoStepToSendBack,
        DossierError::NotBoundaryFree,
        DossierError::ProcedureNotInForce,
        DossierError::CodeMismatch,
        DossierError::SupplementWithoutDocument,
        DossierError::NotAssigned,
        DossierError::SameAssignee,
        DossierError::ResultFileMissing,
    ];
    let codes: HashSet<&str> = errors.iter().map(DossierError::code).collect();
    assert_eq!(codes.len(), errors.len());
    assert!(codes
        .iter()
        .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
}

fn doc(kind: DocumentKind, sha: &str) -> Command {
    Command::AttachDocument {
        document: DocumentRef {
            sha256: sha.into(),
            size: 1024,
            media_type: "application/pdf".into(),
            name: "Giấy chứng sinh".into(),
            kind,
            electronic: kind == DocumentKind::Result,
        },
    }
}

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

#[test]
fn documents_are_attached_by_the_right_people_at_the_right_time() {
    let mut h = standard_accepted();
    // A scan by the receiving officer is fine while the dossier is open.
    h.run(doc(DocumentKind::Digitized, SHA), &ro(UNIT_A));
    assert_eq!(h.d().documents.len(), 1);
    assert_eq!(h.d().documents[0].by, user("ro"));
    // Components only while submitted or awaiting a supplement.
    assert_eq!(
        h.refused(doc(DocumentKind::Component, SHA), &ro(UNIT_A)),
        "illegal_transition"
    );
    // A result only by the clerical office or the leader of the competent unit.
    assert_eq!(
        h.refused(doc(DocumentKind::Result, SHA), &ro(UNIT_A)),
        "illegal_transition"
    );
    to_appraisal(&mut h);
    assert_eq!(
        h.refused(doc(DocumentKind::Result, SHA), &ro(UNIT_A)),
        "forbidden_role"
    );
    assert_eq!(
        h.refused(doc(DocumentKind::Result, SHA), &clerk(UNIT_B)),
        "wrong_unit"
    );
    h.run(doc(DocumentKind::Result, SHA), &clerk(UNIT_A));
    assert!(h.d().documents[1].document.electronic);
    // A malformed hash is refused whoever sends it.
    assert_eq!(
        h.refused(doc(DocumentKind::Result, "abc"), &clerk(UNIT_A)),
        "empty_field"
    );
    assert_eq!(
        h.refused(
            doc(DocumentKind::Result, &SHA.to_uppercase()),
            &clerk(UNIT_A)
        ),
        "empty_field"
    );
    assert_eq!(
        h.events.last().map(Event::type_name),
        Some("document_attached")
    );
}

/// Mẫu 02 asks for documents: "supplement provided" needs at least one
/// component or scan attached after the request; what was attached before
/// it, and a result, do not count.
#[test]
fn a_supplement_needs_a_document_attached_after_the_request() {
    let mut h = History::new();
    let mut online = new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 4);
    online.applicant.user = Some(user("c1"));
    h.run(Command::SubmitOnline { dossier: online }, &applicant("c1"));
    h.run(doc(DocumentKind::Component, SHA), &applicant("c1"));
    let ask = || Command::RequestSupplement {
        reason: "Thiếu giấy chứng sinh".into(),
        documents: vec!["Giấy chứng sinh".into()],
    };
    let provided = || Command::ProvideSupplement {
        documents: vec!["Giấy chứng sinh".into()],
        appointment: None,
    };
    h.tick(30).run(ask(), &ro(UNIT_A));
    assert_eq!(h.d().documents_before_supplement, 1);
    assert_eq!(h.d().supplement_documents().count(), 0);
    let refused = h.try_run(provided(), &applicant("c1"));
    assert_eq!(refused, Err(DossierError::SupplementWithoutDocument));
    let e = DossierError::SupplementWithoutDocument;
    assert_eq!(e.code(), "supplement_without_document");
    assert!(e.message_vi().contains("giấy tờ bổ sung"));
    assert!(e.to_string().contains("new document"));
    assert_eq!(
        h.refused(provided(), &ro(UNIT_A)),
        "supplement_without_document"
    );
    h.tick(60)
        .run(doc(DocumentKind::Component, SHA), &applicant("c1"));
    assert_eq!(h.d().supplement_documents().count(), 1);
    h.run(provided(), &applicant("c1"));
    assert_eq!(h.status(), Status::Submitted);
    // A second request: the first supplement no longer counts.
    h.tick(30).run(ask(), &ro(UNIT_A));
    assert_eq!(h.d().documents_before_supplement, 2);
    assert_eq!(
        h.refused(provided(), &applicant("c1")),
        "supplement_without_document"
    );
    // A scan of paper brought to the counter counts.
    h.run(doc(DocumentKind::Digitized, SHA), &ro(UNIT_A));
    h.run(provided(), &ro(UNIT_A));
    assert_eq!(h.status(), Status::Submitted);
}

/// The applicant downloads the result documents once the result is
/// issued, and their own uploads; never an official's scan.
#[test]
fn the_applicant_sees_results_and_their_own_uploads() {
    let mut h = standard_accepted();
    h.run(doc(DocumentKind::Digitized, SHA), &ro(UNIT_A));
    to_appraisal(&mut h);
    h.run(doc(DocumentKind::Result, SHA), &clerk(UNIT_A));
    assert_eq!(h.d().applicant_documents().count(), 0, "not issued yet");
    let mut issued = h.d().clone();
    issued.result = Some(IssuedResult {
        number: "1/2026".into(),
        register: "Sổ".into(),
        issued_at: h.now,
    });
    let kinds: Vec<DocumentKind> = issued
        .applicant_documents()
        .map(|a| a.document.kind)
        .collect();
    assert_eq!(kinds, vec![DocumentKind::Result]);
    let mut h = History::new();
    let mut online = new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 5);
    online.applicant.user = Some(user("c1"));
    h.run(Command::SubmitOnline { dossier: online }, &applicant("c1"));
    h.run(doc(DocumentKind::Component, SHA), &applicant("c1"));
    h.run(doc(DocumentKind::Digitized, SHA), &ro(UNIT_A));
    let by: Vec<&str> = h.d().applicant_documents().map(|a| a.by.as_str()).collect();
    assert_eq!(by, vec!["c1"]);
}

/// A result goes back the way the dossier came: online for a fully online
/// dossier.
#[test]
fn the_return_defaults_to_the_channel() {
    assert_eq!(Channel::Online.default_return_way(), ReturnWay::Online);
    assert_eq!(Channel::Post.default_return_way(), ReturnWay::Post);
    assert_eq!(Channel::InPerson.default_return_way(), ReturnWay::Counter);
}
