//! Worked examples computed by hand: a small unit's period of ten dossiers
//! (figures, index, bottlenecks, queue), the progress example of domain.md
//! §3 (653/654 → 19.97), the PAKN full-marks rule, the configuration and
//! the ranking.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};

use super::*;
use crate::calendar::{vietnam_local_to_utc, CalendarConfig, WorkingCalendar};
use crate::dossier::{
    apply, decide, vietnam_date, Actor, Applicant, AppraisalOutcome, Command, DocumentKind,
    DocumentRef, DossierCode, DossierState, Event, NewDossier, Rating, ReturnWay, Role, UnitId,
    UserId,
};
use crate::procedure::{AgencyRef, Catalogue, ProcedureCode, StepKind};

pub(super) const UNIT: &str = "H04.01.01";
pub(super) const UNIT_B: &str = "H04.01.02";

pub(super) fn unit(s: &str) -> UnitId {
    UnitId::parse(s).expect("unit")
}

pub(super) fn user(s: &str) -> UserId {
    UserId::parse(s).expect("user")
}

pub(super) fn staff(role: Role, name: &str, u: &str) -> Actor {
    Actor::new(role, user(name), Some(unit(u)))
}

pub(super) fn system() -> Actor {
    Actor::new(Role::System, user("portal"), None)
}

pub(super) fn applicant() -> Actor {
    Actor::new(Role::Applicant, user("c1"), None)
}

pub(super) fn calendar() -> WorkingCalendar {
    WorkingCalendar::from_csv(motcua_refdata::HOLIDAYS, CalendarConfig::default()).expect("cal")
}

pub(super) fn catalogue() -> Catalogue {
    Catalogue::from_json(motcua_refdata::PROCEDURES_CAOBANG_JSON).expect("catalogue")
}

/// October 2026, Vietnam local time.
fn oct(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    let local = NaiveDate::from_ymd_opt(2026, 10, day)
        .and_then(|d| d.and_hms_opt(h, m, 0))
        .expect("date");
    vietnam_local_to_utc(local).expect("utc")
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, day).expect("date")
}

pub(super) fn new_dossier(
    cat: &Catalogue,
    proc_code: &str,
    receiving: &str,
    competent: &str,
    at: DateTime<Utc>,
    seq: u16,
) -> NewDossier {
    let code = ProcedureCode::parse(proc_code).expect("code");
    NewDossier {
        code: DossierCode::format(&unit(receiving), vietnam_date(at), seq).expect("code"),
        procedure: cat
            .find(&code, vietnam_date(at))
            .expect("in force")
            .snapshot(),
        competent_unit: unit(competent),
        applicant: Applicant {
            name: "Nông Thị B".into(),
            personal_id: None,
            user: None,
        },
        documents: vec![],
        application_data: None,
    }
}

pub(super) fn doc(kind: DocumentKind, electronic: bool) -> DocumentRef {
    DocumentRef {
        sha256: "ab".repeat(32),
        size: 1024,
        media_type: "application/pdf".into(),
        name: "Tài liệu".into(),
        kind,
        electronic,
    }
}

/// One dossier's history, decided command by command.
struct H {
    state: DossierState,
    events: Vec<Event>,
}

impl H {
    fn new() -> Self {
        H {
            state: DossierState::new(),
            events: vec![],
        }
    }

    #[track_caller]
    fn run(&mut self, at: DateTime<Utc>, cmd: Command, actor: &Actor) -> &mut Self {
        let evs = decide(&self.state, &cmd, actor, at)
            .unwrap_or_else(|e| panic!("{} refused: {} ({e})", cmd.name(), e.code()));
        for e in evs {
            self.state = apply(self.state.clone(), &e);
            self.events.push(e);
        }
        self
    }
}

fn ro() -> Actor {
    staff(Role::ReceivingOfficer, "ro", UNIT)
}
fn spec() -> Actor {
    staff(Role::Specialist, "s1", UNIT)
}
fn leader() -> Actor {
    staff(Role::Leader, "leader", UNIT)
}
fn clerk() -> Actor {
    staff(Role::Clerical, "clerk", UNIT)
}

fn accept(appointment: DateTime<Utc>, pages: u32) -> Command {
    Command::Accept {
        appointment,
        pages_digitized: pages,
    }
}
fn transfer() -> Command {
    Command::Transfer {
        to: AgencyRef::Competent,
    }
}
fn appraise() -> Command {
    Command::Appraise {
        outcome: AppraisalOutcome::Eligible,
    }
}
fn issue() -> Command {
    Command::IssueResult {
        number: "12/2026".into(),
        register: "HT".into(),
    }
}
fn pay_request() -> Command {
    Command::RequestPayment {
        amount_vnd: 15_000,
        description: "Lệ phí".into(),
    }
}
fn pay_confirm() -> Command {
    Command::ConfirmPayment {
        amount_vnd: 15_000,
        receipt: "BL-1".into(),
        appointment: None,
    }
}
fn rate(r: Rating) -> Command {
    Command::Rate {
        rating: r,
        comment: None,
    }
}

/// The period: ten dossiers of procedure 1.004873 (marital-status
/// certificate, 3 working days; steps receive 2 h, transfer 0, appraise
/// 16 h, approve 4 h, clerical 2 h, return) at one commune, all received on
/// Thursday 8 October 2026, judged on 20 October 2026.
///
/// | # | channel | outcome |
/// |---|---|---|
/// | D1 | in person, 3 pages digitized | done 12/10 (due 13/10): early; paid at the counter; e-result; very satisfied |
/// | D2 | online | done 13/10: on time; paid online; e-result; satisfied |
/// | D3 | online | done 15/10: late (appraisal 32 h for 16 h); paid online; paper result; not satisfied |
/// | D4 | post, a scan attached | in process, due 30/10 |
/// | D5 | in person | in process, due 9/10 (Mẫu 04 new date 16/10 does not count): overdue |
/// | D6 | in person | refused |
/// | D7 | online | withdrawn after acceptance |
/// | D8 | online | submitted, not yet accepted |
/// | D9 | in person, 2 pages | awaiting supplement since 9/10, due 30/10: clock stopped, on track |
/// | D10 | online | awaiting payment since 9/10, due 13/10: clock stopped, on track (paused time never counts) |
fn period() -> Vec<H> {
    let cat = catalogue();
    let nd = |at, seq| new_dossier(&cat, "1.004873", UNIT, UNIT, at, seq);
    let counter = |at, seq, by_post| Command::ReceiveAtCounter {
        dossier: nd(at, seq),
        by_post,
    };
    let online = |at, seq| Command::SubmitOnline {
        dossier: nd(at, seq),
    };
    let due13 = oct(13, 17, 0);
    let due30 = oct(30, 17, 0);

    let mut d1 = H::new();
    d1.run(oct(8, 8, 0), counter(oct(8, 8, 0), 1, false), &ro())
        .run(oct(8, 8, 30), accept(due13, 3), &ro())
        .run(oct(8, 8, 40), pay_request(), &ro())
        .run(oct(8, 8, 50), pay_confirm(), &ro())
        .run(oct(8, 9, 0), transfer(), &ro())
        .run(oct(9, 10, 0), appraise(), &spec())
        .run(oct(9, 14, 0), Command::Approve, &leader())
        .run(
            oct(12, 8, 0),
            Command::AttachDocument {
                document: doc(DocumentKind::Result, true),
            },
            &clerk(),
        )
        .run(oct(12, 9, 0), issue(), &clerk())
        .run(
            oct(12, 10, 0),
            Command::ReturnResult {
                way: ReturnWay::Counter,
            },
            &ro(),
        )
        .run(oct(12, 10, 5), rate(Rating::VerySatisfied), &system());

    let mut d2 = H::new();
    d2.run(oct(8, 8, 5), online(oct(8, 8, 5), 2), &applicant())
        .run(oct(8, 8, 35), accept(due13, 0), &ro())
        .run(oct(8, 9, 0), transfer(), &ro())
        .run(oct(12, 10, 0), appraise(), &spec())
        .run(oct(12, 14, 0), Command::Approve, &leader())
        .run(oct(12, 14, 30), pay_request(), &ro())
        .run(oct(12, 15, 0), pay_confirm(), &system())
        .run(
            oct(13, 8, 0),
            Command::AttachDocument {
                document: doc(DocumentKind::Result, true),
            },
            &clerk(),
        )
        .run(oct(13, 10, 0), issue(), &clerk())
        .run(
            oct(13, 10, 30),
            Command::ReturnResult {
                way: ReturnWay::Online,
            },
            &system(),
        )
        .run(oct(13, 11, 0), rate(Rating::Satisfied), &system());

    let mut d3 = H::new();
    d3.run(oct(8, 8, 10), online(oct(8, 8, 10), 3), &applicant())
        .run(oct(8, 8, 40), accept(due13, 0), &ro())
        .run(oct(8, 9, 0), transfer(), &ro())
        .run(oct(14, 9, 0), appraise(), &spec())
        .run(oct(14, 14, 0), Command::Approve, &leader())
        .run(oct(14, 15, 0), pay_request(), &ro())
        .run(oct(14, 16, 0), pay_confirm(), &system())
        .run(
            oct(15, 8, 0),
            Command::AttachDocument {
                document: doc(DocumentKind::Result, false),
            },
            &clerk(),
        )
        .run(oct(15, 9, 0), issue(), &clerk())
        .run(
            oct(15, 10, 0),
            Command::ReturnResult {
                way: ReturnWay::Counter,
            },
            &ro(),
        )
        .run(oct(15, 10, 5), rate(Rating::NotSatisfied), &system());

    let mut d4 = H::new();
    d4.run(oct(8, 8, 15), counter(oct(8, 8, 15), 4, true), &ro())
        .run(
            oct(8, 8, 20),
            Command::AttachDocument {
                document: doc(DocumentKind::Digitized, false),
            },
            &ro(),
        )
        .run(oct(8, 8, 45), accept(due30, 0), &ro())
        .run(oct(8, 9, 0), transfer(), &ro());

    let mut d5 = H::new();
    d5.run(oct(8, 8, 20), counter(oct(8, 8, 20), 5, false), &ro())
        .run(oct(8, 8, 50), accept(oct(9, 17, 0), 0), &ro())
        .run(oct(8, 9, 0), transfer(), &ro())
        .run(
            oct(8, 10, 0),
            Command::NotifyLate {
                reason: "Cần xác minh".into(),
                new_appointment: oct(16, 17, 0),
            },
            &leader(),
        );

    let mut d6 = H::new();
    d6.run(oct(8, 8, 25), counter(oct(8, 8, 25), 6, false), &ro())
        .run(
            oct(8, 8, 55),
            Command::Refuse {
                reason: "Không thuộc thẩm quyền".into(),
            },
            &ro(),
        );

    let mut d7 = H::new();
    d7.run(oct(8, 8, 30), online(oct(8, 8, 30), 7), &applicant())
        .run(oct(8, 9, 0), accept(due13, 0), &ro())
        .run(oct(9, 9, 0), Command::Withdraw { reason: None }, &ro());

    let mut d8 = H::new();
    d8.run(oct(8, 8, 35), online(oct(8, 8, 35), 8), &applicant());

    let mut d9 = H::new();
    d9.run(oct(8, 8, 40), counter(oct(8, 8, 40), 9, false), &ro())
        .run(oct(8, 9, 5), accept(due30, 2), &ro())
        .run(oct(8, 9, 10), transfer(), &ro())
        .run(
            oct(9, 9, 0),
            Command::RequestSupplement {
                reason: "Thiếu tờ khai".into(),
                documents: vec!["Tờ khai".into()],
            },
            &spec(),
        );

    let mut d10 = H::new();
    d10.run(oct(8, 8, 45), online(oct(8, 8, 45), 10), &applicant())
        .run(oct(8, 9, 10), accept(due13, 0), &ro())
        .run(oct(8, 9, 15), transfer(), &ro())
        .run(oct(9, 9, 0), pay_request(), &ro());

    vec![d1, d2, d3, d4, d5, d6, d7, d8, d9, d10]
}

fn log(hs: &[H]) -> Vec<Event> {
    hs.iter().flat_map(|h| h.events.iter().cloned()).collect()
}

/// Incremental maintenance over the interleaved log.
fn incremental(events: &[Event]) -> Rollups {
    let mut r = Rollups::new();
    let mut states: HashMap<DossierCode, (DossierState, Option<DossierFacts>)> = HashMap::new();
    for e in events {
        let (s, f) = states.remove(&e.dossier).unwrap_or_default();
        let after = apply(s, e);
        let f = r.apply_event(f.as_ref(), e, &after);
        states.insert(e.dossier.clone(), (after, f));
    }
    r
}

fn unit_total(r: &Rollups, perspective: Perspective) -> Rollup {
    r.total(|k| k.unit == unit(UNIT) && k.perspective == perspective)
}

#[test]
fn small_period_figures_match_the_hand_count() {
    let hs = period();
    let events = log(&hs);
    let scratch = Rollups::from_log(&events);
    assert_eq!(incremental(&events), scratch);
    // One procedure, one month, two perspectives.
    assert_eq!(scratch.len(), 2);
    let r = unit_total(&scratch, Perspective::Competent);
    assert_eq!(r, unit_total(&scratch, Perspective::Receiving));

    let f = r.figures(date(20));
    assert_eq!(
        (
            f.dossiers.in_person,
            f.dossiers.online,
            f.dossiers.post,
            f.dossiers.total
        ),
        (4, 5, 1, 10)
    );
    assert_eq!(
        (
            f.received.in_person,
            f.received.online,
            f.received.post,
            f.received.total
        ),
        (3, 4, 1, 8)
    );
    assert_eq!(
        (
            f.pending,
            f.refused,
            f.withdrawn,
            f.withdrawn_after_acceptance
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(
        (f.early, f.on_time, f.late, f.finished, f.returned),
        (1, 1, 1, 3, 3)
    );
    assert_eq!(
        (f.in_process, f.in_process_on_track, f.overdue, f.paused),
        (4, 3, 1, 2)
    );
    assert_eq!(f.within_deadline, 6);
    assert_eq!(
        (f.rescheduled, f.supplement_requested, f.sent_back),
        (1, 1, 0)
    );
    assert_eq!(
        (f.paper_received, f.digitized, f.electronic_result),
        (4, 3, 2)
    );
    assert_eq!((f.fee_charging, f.paid, f.paid_online), (4, 3, 2));
    assert_eq!(
        (
            f.ratings.very_satisfied,
            f.ratings.satisfied,
            f.ratings.not_satisfied
        ),
        (1, 1, 1)
    );
    assert_eq!(f.shares.within_deadline, Some(0.75));
    assert_eq!(f.shares.online, Some(0.5));
    assert_eq!(f.shares.digitization, Some(0.75));
    assert_eq!(f.shares.paid_online, Some(0.5));
    assert_eq!(f.shares.electronic_result, Some(2.0 / 3.0));
    assert_eq!(f.shares.satisfaction, Some(2.0 / 3.0));

    // Judged earlier, the same: D10's clock stopped on 9/10, before its due.
    let f12 = r.figures(date(12));
    assert_eq!((f12.in_process_on_track, f12.overdue), (3, 1));
    // D5 is judged against its Mẫu 01 appointment, not the Mẫu 04 date.
    assert_eq!(r.overdue(date(10)), 1);

    // The in-process dossiers by due date.
    let by_due: Vec<(NaiveDate, i64)> = r.in_process_by_due.iter().map(|(d, n)| (*d, *n)).collect();
    // Paused clocks (D9, D10) have no due date while paused.
    assert_eq!(
        by_due,
        vec![(date(9), 1), (date(30), 1), (NaiveDate::MAX, 2)]
    );
}

#[test]
fn facts_agree_with_the_dossier_view_rule() {
    for h in period() {
        let f = DossierFacts::from_events(&h.events).expect("facts");
        let d = h.state.dossier.as_ref().expect("dossier");
        assert_eq!(
            f.finished_on,
            d.result.as_ref().map(|r| vietnam_date(r.issued_at))
        );
        assert_eq!(f.original_due, d.original_due.map(vietnam_date));
    }
}

fn small_unit_inputs() -> IndexInputs {
    let r = unit_total(&Rollups::from_log(&log(&period())), Perspective::Competent);
    IndexInputs {
        figures: r.figures(date(20)),
        catalogue: CatalogueInputs {
            procedures: 10,
            online: 9,
            online_used: 3,
            fee_charging: 4,
            fee_charging_paid_online: 2,
        },
        external: ExternalInputs {
            published_on_time: Some(Ratio::new(10, 10)),
            updated_on_time: Some(Ratio::new(9, 10)),
            published_complete: Some(Ratio::new(10, 10)),
            synchronized_dossiers: Some(8),
            fee_procedures_on_portal: Some(4),
            pakn: Some(PaknInputs::default()),
            digitized_data_reused: None,
            digitized_data_shared: Some(Ratio::new(1, 2)),
            population_data_used: Some(Ratio::new(5, 10)),
            procedures_on_population_db: Some(Ratio::new(2, 4)),
            electronic_certified_copies: Some(Ratio::new(1, 1)),
        },
    }
}

fn pts(r: &IndexReport, c: Criterion) -> f64 {
    r.criterion(c).expect("criterion").points
}

fn gpts(r: &IndexReport, g: Group) -> f64 {
    r.group(g).expect("group").points
}

#[test]
fn small_period_index_matches_the_hand_computation() {
    let cfg = IndexConfig::default_2026();
    let r = score(&cfg, &small_unit_inputs());
    use Criterion::*;
    // Transparency: 6 + 9/10 × 4 + 2 + 8/10 × 6.
    assert_eq!(pts(&r, PublishedOnTime), 6.0);
    assert_eq!(pts(&r, UpdatedOnTime), 3.6);
    assert_eq!(pts(&r, PublishedComplete), 2.0);
    assert_eq!(pts(&r, SynchronizedToPortal), 4.8);
    assert_eq!(gpts(&r, Group::Transparency), 16.4);
    // Progress: (1 early + 1 on time + 1 withdrawn + 3 on track: D9 and
    // D10 paused before their due) / 8 × 20.
    assert_eq!(pts(&r, OnTime), 15.0);
    // Online: 90% ≥ 80% → 2; 3/9 × 4; 4/8 = 50% ≥ 50% → 6.
    assert_eq!(pts(&r, ProceduresOnline), 2.0);
    assert_eq!(pts(&r, OnlineServicesUsed), 1.33);
    assert_eq!(pts(&r, OnlineDossiers), 6.0);
    assert_eq!(gpts(&r, Group::OnlineServices), 9.33);
    // Payment: min(2, 4/4 ÷ 80% × 2); 2/4 ÷ 80% × 2; 2/4 × 6.
    assert_eq!(pts(&r, FeeProceduresOnPortal), 2.0);
    assert_eq!(pts(&r, ProceduresWithOnlinePayment), 1.25);
    assert_eq!(pts(&r, DossiersPaidOnline), 3.0);
    assert_eq!(gpts(&r, Group::OnlinePayment), 6.25);
    // Satisfaction: 2/3 ÷ 95% × 6; no PAKN → 6 + 6.
    assert_eq!(pts(&r, ProcessingSatisfaction), 4.21);
    assert_eq!(pts(&r, PaknOnTime), 6.0);
    assert_eq!(pts(&r, PaknSatisfaction), 6.0);
    assert_eq!(gpts(&r, Group::Satisfaction), 16.21);
    // Digitization: 2/3 × 6; 3/4 × 4; reuse not provided → 0; 1/2 × 4;
    // 5/10 × 2; 2/4 × 2; 1/1 × 2.
    assert_eq!(pts(&r, ElectronicResults), 4.0);
    // Digitized over all dossiers received: (3 paper scanned + 4 online)
    // / 8 = 87.5% ≥ 80% → full marks.
    assert_eq!(pts(&r, DossiersDigitized), 4.0);
    assert_eq!(pts(&r, DigitizedDataReused), 0.0);
    assert_eq!(pts(&r, DigitizedDataShared), 2.0);
    assert_eq!(pts(&r, PopulationDataUsed), 1.0);
    assert_eq!(pts(&r, ProceduresOnPopulationDb), 1.0);
    assert_eq!(pts(&r, ElectronicCertifiedCopies), 2.0);
    assert_eq!(gpts(&r, Group::Digitization), 14.0);
    assert_eq!(gpts(&r, Group::Progress), 15.0);

    assert_eq!(r.total, 77.19);
    assert_eq!(r.max_total, 100.0);
    assert_eq!(r.grade, Grade::Kha);
    assert_eq!(r.grade_vi, "Khá");
    assert_eq!(r.missing_inputs, vec![DigitizedDataReused]);
    assert_eq!(
        r.criterion(DigitizedDataReused).map(|c| c.status),
        Some(ScoreStatus::MissingInput)
    );
    assert_eq!(
        r.criterion(PaknOnTime).map(|c| c.status),
        Some(ScoreStatus::NoData)
    );

    let on_time = r.criterion(OnTime).expect("on time");
    assert_eq!(
        on_time.formula_en,
        "dossiers on time ÷ dossiers received: min(20, 6 ÷ 8 ÷ 100% × 20) = 15"
    );
    assert_eq!(
        on_time.formula_vi,
        "hồ sơ đúng hạn ÷ hồ sơ tiếp nhận: min(20; 6 ÷ 8 ÷ 100% × 20) = 15"
    );
    let inputs: Vec<(&str, Option<u64>)> = on_time
        .inputs
        .iter()
        .map(|i| (i.key.as_str(), i.value))
        .collect();
    assert_eq!(
        inputs,
        vec![
            ("within_deadline", Some(6)),
            ("received", Some(8)),
            ("early", Some(1)),
            ("on_time", Some(1)),
            ("in_process_on_track", Some(3)),
            ("withdrawn_after_acceptance", Some(1)),
            ("late", Some(1)),
            ("overdue", Some(1)),
        ]
    );
    let online = r.criterion(OnlineDossiers).expect("online");
    assert_eq!(
        online.formula_en,
        "dossiers received online ÷ dossiers received: 4 ÷ 8 = 50% ≥ 50% → 6"
    );
    let missing = r.criterion(DigitizedDataReused).expect("reuse");
    assert!(missing.formula_en.contains("input not provided"));
    assert!(missing.inputs.iter().all(|i| i.value.is_none()));
    assert!(missing.note.contains("unverified"));
}

#[test]
fn progress_example_653_of_654() {
    let mut r = Rollup::new();
    r.received.online = 400;
    r.received.in_person = 254;
    r.early = 600;
    r.on_time = 50;
    r.late = 1;
    r.in_process_by_due.insert(date(30), 3);
    let figures = r.figures(date(20));
    assert_eq!(
        (figures.within_deadline, figures.received.total),
        (653, 654)
    );
    let inputs = IndexInputs {
        figures,
        catalogue: CatalogueInputs::default(),
        external: ExternalInputs::default(),
    };
    let report = score(&IndexConfig::default_2026(), &inputs);
    assert_eq!(pts(&report, Criterion::OnTime), 19.97);
    assert_eq!(gpts(&report, Group::Progress), 19.97);
    assert_eq!(
        report.criterion(Criterion::OnTime).expect("c").formula_en,
        "dossiers on time ÷ dossiers received: min(20, 653 ÷ 654 ÷ 100% × 20) = 19.97"
    );
}

#[test]
fn pakn_full_marks_only_without_pakn() {
    let cfg = IndexConfig::default_2026();
    let mut inputs = small_unit_inputs();
    let sat = |inputs: &IndexInputs| {
        let r = score(&cfg, inputs);
        (
            pts(&r, Criterion::PaknOnTime),
            pts(&r, Criterion::PaknSatisfaction),
        )
    };
    inputs.external.pakn = Some(PaknInputs::default());
    assert_eq!(sat(&inputs), (6.0, 6.0));
    // Not provided: never assumed.
    inputs.external.pakn = None;
    assert_eq!(sat(&inputs), (0.0, 0.0));
    // 10 received, 9 on time (9/10 ÷ 95% × 6 = 5.684…); 4 rated, 3 satisfied.
    inputs.external.pakn = Some(PaknInputs {
        received: 10,
        handled_on_time: 9,
        rated: 4,
        satisfied: 3,
    });
    assert_eq!(sat(&inputs), (5.68, 4.74));
    // 19/20 = 95% reaches the target: full marks.
    inputs.external.pakn = Some(PaknInputs {
        received: 20,
        handled_on_time: 19,
        rated: 20,
        satisfied: 20,
    });
    assert_eq!(sat(&inputs), (6.0, 6.0));
}

#[test]
fn online_dossiers_below_half_score_half() {
    let mut r = Rollup::new();
    r.received.online = 2;
    r.received.in_person = 8;
    let inputs = IndexInputs {
        figures: r.figures(date(20)),
        catalogue: CatalogueInputs {
            procedures: 10,
            online: 7,
            ..CatalogueInputs::default()
        },
        external: ExternalInputs::default(),
    };
    let rep = score(&IndexConfig::default_2026(), &inputs);
    assert_eq!(pts(&rep, Criterion::OnlineDossiers), 3.0);
    assert_eq!(
        rep.criterion(Criterion::OnlineDossiers)
            .expect("c")
            .formula_vi,
        "hồ sơ trực tuyến ÷ hồ sơ tiếp nhận: 2 ÷ 10 = 20% < 50% → 50% × 6 = 3"
    );
    // 7/10 = 70% < 80%: proportional, 70% ÷ 80% × 2 (issue 11).
    assert_eq!(pts(&rep, Criterion::ProceduresOnline), 1.75);
    // Every external input missing scores 0, never full marks.
    for c in [
        Criterion::PublishedOnTime,
        Criterion::UpdatedOnTime,
        Criterion::PublishedComplete,
        Criterion::SynchronizedToPortal,
        Criterion::FeeProceduresOnPortal,
        Criterion::PaknOnTime,
        Criterion::PaknSatisfaction,
        Criterion::DigitizedDataReused,
        Criterion::DigitizedDataShared,
        Criterion::PopulationDataUsed,
        Criterion::ProceduresOnPopulationDb,
        Criterion::ElectronicCertifiedCopies,
    ] {
        assert_eq!(pts(&rep, c), 0.0, "{c:?}");
        assert!(rep.missing_inputs.contains(&c), "{c:?}");
    }
}

#[test]
fn default_config_is_valid_and_sums_to_100() {
    let cfg = IndexConfig::default_2026();
    assert_eq!(cfg.max_points(), 100.0);
    assert_eq!(
        cfg.effective_from,
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("d")
    );
    let points: Vec<(Group, f64)> = cfg.groups.iter().map(|g| (g.group, g.points)).collect();
    assert_eq!(
        points,
        vec![
            (Group::Transparency, 18.0),
            (Group::Progress, 20.0),
            (Group::OnlineServices, 12.0),
            (Group::OnlinePayment, 10.0),
            (Group::Satisfaction, 18.0),
            (Group::Digitization, 22.0),
        ]
    );
    let mut all: Vec<Criterion> = cfg
        .groups
        .iter()
        .flat_map(|g| g.criteria.iter().map(|c| c.criterion))
        .collect();
    all.sort();
    let mut expected = Criterion::ALL.to_vec();
    expected.sort();
    assert_eq!(all, expected);
    for g in &cfg.groups {
        for c in &g.criteria {
            assert!(!c.note.is_empty(), "{:?} has no source note", c.criterion);
        }
    }
    for b in &cfg.grades {
        assert!(b.note.contains("unverified"));
    }
    assert_eq!(cfg.grade(90.0), Grade::XuatSac);
    assert_eq!(cfg.grade(89.99), Grade::Tot);
    assert_eq!(cfg.grade(70.0), Grade::Kha);
    assert_eq!(cfg.grade(50.0), Grade::TrungBinh);
    assert_eq!(cfg.grade(49.99), Grade::Yeu);
    assert_eq!(cfg.grade(-1.0), Grade::Yeu);
    // Round trip.
    let json = serde_json::to_string(&cfg).expect("ser");
    assert_eq!(IndexConfig::from_json(&json).expect("de"), cfg);
}

#[test]
fn invalid_configs_are_rejected() {
    let base = IndexConfig::default_2026().spec().clone();
    let err = |s: IndexConfigSpec| IndexConfig::new(s).expect_err("invalid").code();

    let mut s = base.clone();
    s.groups[0].criteria[0].points = 5.0;
    assert_eq!(err(s), "points_mismatch");

    let mut s = base.clone();
    let c = s.groups[0].criteria[0].clone();
    s.groups[0].criteria.push(c);
    s.groups[0].points += 6.0;
    assert_eq!(err(s), "duplicate_criterion");

    let mut s = base.clone();
    let c = s.groups[1].criteria.remove(0);
    s.groups[0].criteria.push(c);
    assert_eq!(err(s), "criterion_wrong_group");

    let mut s = base.clone();
    s.groups[3].criteria[0].scoring = Scoring::Proportional { target: 0.0 };
    assert_eq!(err(s), "invalid_value");

    let mut s = base.clone();
    s.groups[2].criteria[0].scoring = Scoring::Threshold {
        threshold: 1.5,
        below_fraction: 0.0,
    };
    assert_eq!(err(s), "invalid_value");

    let mut s = base.clone();
    s.grades.swap(0, 1);
    assert_eq!(err(s), "invalid_grade_bands");

    let mut s = base.clone();
    s.decimals = 9;
    assert_eq!(err(s), "invalid_decimals");

    let mut s = base;
    let g = s.groups[0].clone();
    s.groups.push(g);
    assert_eq!(err(s), "duplicate_group");

    assert_eq!(
        IndexConfig::from_json(r#"{"version": "x"}"#)
            .expect_err("bad")
            .code(),
        "index_config_parse"
    );
    let unknown = DEFAULT_CONFIG_2026_JSON.replacen("\"decimals\"", "\"decimal\"", 1);
    assert!(IndexConfig::from_json(&unknown).is_err());
}

#[test]
fn versioned_configs_pick_the_one_in_force() {
    let a = IndexConfig::default_2026();
    let mut spec = a.spec().clone();
    spec.version = "766-2027.1".into();
    spec.effective_from = NaiveDate::from_ymd_opt(2027, 1, 1).expect("d");
    spec.grades[0].min_points = 92.0;
    let b = IndexConfig::new(spec).expect("valid");
    let set = IndexConfigs::new(vec![b.clone(), a.clone()]).expect("set");
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("d");
    assert_eq!(set.for_date(d(2025, 12, 31)), None);
    assert_eq!(
        set.for_date(d(2026, 6, 1)).map(|c| c.version.as_str()),
        Some("766-2026.1")
    );
    assert_eq!(
        set.for_date(d(2027, 1, 1)).map(|c| c.version.as_str()),
        Some("766-2027.1")
    );
    assert_eq!(
        IndexConfigs::new(vec![a.clone(), a])
            .expect_err("dup")
            .code(),
        "duplicate_effective_date"
    );
}

#[test]
fn catalogue_inputs_from_the_procedures() {
    let cat = catalogue();
    let day = date(8);
    let procs: Vec<_> = ["1.004873", "1.001193", "1.001776", "2.000815"]
        .iter()
        .map(|c| {
            cat.find(&ProcedureCode::parse(c).expect("code"), day)
                .expect("in force")
        })
        .collect();
    let mut by_proc = BTreeMap::new();
    let mut r = Rollup::new();
    r.dossiers.online = 2;
    r.paid_online = 1;
    by_proc.insert(ProcedureCode::parse("1.004873").expect("c"), r);
    let c = CatalogueInputs::from_catalogue(procs.iter().copied(), &by_proc);
    // 1.004873 and 1.001193 are full-process online; 1.001776 and 2.000815
    // have no known online level. Fee-charging: 1.004873 (15,000),
    // 1.001193 (set by the council), 2.000815; 1.001776 is free.
    assert_eq!(
        c,
        CatalogueInputs {
            procedures: 4,
            online: 2,
            online_used: 1,
            fee_charging: 3,
            fee_charging_paid_online: 1,
        }
    );
}

#[test]
fn bottleneck_of_the_late_dossier() {
    let cal = calendar();
    let hs = period();
    let d3 = hs[2].state.dossier.as_ref().expect("d3");
    let mut steps = StepRollups::new();
    steps.add_dossier(d3, &cal).expect("samples");
    let proc = ProcedureCode::parse("1.004873").expect("c");
    let row = |i: usize, kind: StepKind| {
        steps
            .get(&StepKey {
                unit: unit(UNIT),
                procedure: proc.clone(),
                step: i,
                kind,
                month: Month::new(2026, 10).expect("m"),
            })
            .cloned()
            .expect("row")
    };
    // Receive 08:10–08:40: 30 min of a 2 h budget.
    let r = row(0, StepKind::Receive);
    assert_eq!((r.working_minutes, r.overran, r.late_dossiers), (30, 0, 0));
    // Transfer 08:40–09:00: budget 0, 20 min of overrun on a late dossier.
    let r = row(1, StepKind::Transfer);
    assert_eq!(
        (
            r.working_minutes,
            r.budgeted,
            r.overran,
            r.late_overrun_minutes
        ),
        (20, 0, 0, 20)
    );
    // Appraise Thu 8/10 09:00 → Wed 14/10 09:00: 390 + 3 × 480 + 90 = 1920
    // min = 32 h for a 16 h budget.
    let r = row(2, StepKind::Appraise);
    assert_eq!(
        (
            r.working_minutes,
            r.budget_minutes,
            r.overran,
            r.late_overrun_minutes
        ),
        (1920, 960, 1, 960)
    );
    assert_eq!(r.working.median(), Some(1920));
    // Approve 09:00–14:00 = 150 + 60 = 210 min of 240.
    let r = row(3, StepKind::Approve);
    assert_eq!(
        (r.working_minutes, r.overran, r.late_overrun_minutes),
        (210, 0, 0)
    );
    // Clerical 14/10 14:00 → 15/10 09:00 = 270 min, of which 60 awaiting
    // payment: 210 working for a 120 budget.
    let r = row(4, StepKind::Clerical);
    assert_eq!(
        (
            r.working_minutes,
            r.waiting_minutes,
            r.overran,
            r.late_overrun_minutes
        ),
        (210, 60, 1, 90)
    );
    assert_eq!(r.waiting.median(), Some(60));
    // Return 09:00–10:00: sampled, never counted for lateness.
    let r = row(5, StepKind::Return);
    assert_eq!((r.working_minutes, r.late_dossiers), (60, 0));

    let report = BottleneckReport::per_unit(&steps, |_| true);
    let top = report.top().expect("top");
    assert_eq!((top.step, top.kind), (2, StepKind::Appraise));
    assert_eq!(top.lateness_share, Some(960.0 / 1070.0));
    assert_eq!(top.budget_minutes, Some(960));
    assert_eq!(top.overran_share, Some(1.0));
}

#[test]
fn bottleneck_of_the_period_across_units() {
    let cal = calendar();
    let hs = period();
    let events = log(&hs);
    let steps = StepRollups::from_log(&events, &cal).expect("steps");
    let mut inc = StepRollups::new();
    let mut states: HashMap<DossierCode, DossierState> = HashMap::new();
    for e in &events {
        let before = states.remove(&e.dossier).unwrap_or_default();
        let after = apply(before.clone(), e);
        inc.apply_event(&before, &after, &cal).expect("inc");
        states.insert(e.dossier.clone(), after);
    }
    assert_eq!(inc, steps);

    let table =
        BottleneckReport::across_units(&steps, |k| k.month == Month::new(2026, 10).expect("m"));
    assert!(table.rows.iter().all(|r| r.unit.is_none()));
    let appraise = table
        .rows
        .iter()
        .find(|r| r.kind == StepKind::Appraise)
        .expect("appraise");
    // Appraisal completed by D1 (Thu 09:00 → Fri 10:00 = 390 + 150 = 540),
    // D2 (→ Mon 12/10 10:00 = 390 + 480 + 150 = 1020) and D3 (1920).
    assert_eq!(appraise.dossiers, 3);
    assert_eq!(appraise.working_median, Some(1020));
    assert_eq!(appraise.working_p90, Some(1920));
    assert_eq!(
        (appraise.overran, appraise.overran_share),
        (2, Some(2.0 / 3.0))
    );
    // Receipt: D1 30, D2 30, D3 30, D4 30 (08:15–08:45), D5 30, D7 30,
    // D9 25, D10 25 min; D6 (refused) and D8 (pending) are not sampled.
    let receive = table
        .rows
        .iter()
        .find(|r| r.kind == StepKind::Receive)
        .expect("receive");
    assert_eq!(receive.dossiers, 8);
    assert_eq!(receive.working_median, Some(30));
    let tops = table.top_by_procedure();
    assert_eq!(tops.len(), 1);
    assert_eq!(tops[0].kind, StepKind::Appraise);
    assert_eq!(table.top_by_unit().len(), 1);
}

#[test]
fn queue_in_front_of_each_role() {
    let hs = period();
    let dossiers: Vec<_> = hs.iter().filter_map(|h| h.state.dossier.clone()).collect();
    let q = queue_snapshot(&dossiers, date(20));
    let rows: Vec<(StepKind, Role, u64, u64, u64)> = q
        .iter()
        .map(|r| (r.kind, r.role, r.dossiers, r.paused, r.overdue))
        .collect();
    assert_eq!(
        rows,
        vec![
            (StepKind::Appraise, Role::Specialist, 4, 2, 2),
            (StepKind::Receive, Role::ReceivingOfficer, 1, 0, 0),
        ]
    );
    assert!(q.iter().all(|r| r.unit == Some(unit(UNIT))));
}

fn report_with_total(total: f64) -> IndexReport {
    let cfg = IndexConfig::default_2026();
    let mut r = score(&cfg, &small_unit_inputs());
    r.total = total;
    r.grade = cfg.grade(total);
    r.grade_vi = r.grade.label_vi().to_string();
    r
}

#[test]
fn ranking_with_ties_and_bands() {
    let units = vec![
        UnitIndex {
            unit: unit("H04.01.03"),
            name_vi: "Xã C".into(),
            report: report_with_total(81.5),
        },
        UnitIndex {
            unit: unit(UNIT_B),
            name_vi: "Xã B".into(),
            report: report_with_total(92.0),
        },
        UnitIndex {
            unit: unit(UNIT),
            name_vi: "Phường A".into(),
            report: report_with_total(81.5),
        },
        UnitIndex {
            unit: unit("H04.01.04"),
            name_vi: "Xã D".into(),
            report: report_with_total(45.0),
        },
    ];
    let ranked = rank(&units);
    let rows: Vec<(Option<u32>, &str, f64, Grade)> = ranked
        .iter()
        .map(|r| (r.rank, r.unit.as_str(), r.total, r.grade))
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some(1), UNIT_B, 92.0, Grade::XuatSac),
            (Some(2), UNIT, 81.5, Grade::Tot),
            (Some(2), "H04.01.03", 81.5, Grade::Tot),
            (Some(4), "H04.01.04", 45.0, Grade::Yeu),
        ]
    );
    assert_eq!(ranked[0].groups.len(), 6);
}

#[test]
fn months_add_up_to_periods() {
    let m = |y, mm| Month::new(y, mm).expect("m");
    assert_eq!(Month::parse("2026-03"), Ok(m(2026, 3)));
    assert!(Month::parse("2026-13").is_err());
    assert_eq!(m(2026, 12).succ(), m(2027, 1));
    assert_eq!(
        m(2026, 2).last_day(),
        NaiveDate::from_ymd_opt(2026, 2, 28).expect("d")
    );
    let q3 = Period::Quarter {
        year: 2026,
        quarter: 3,
    };
    assert_eq!(q3.months(), vec![m(2026, 7), m(2026, 8), m(2026, 9)]);
    assert_eq!(q3.label_vi(), "Quý 3/2026");
    assert_eq!(Period::Year { year: 2026 }.months().len(), 12);
    assert_eq!(
        Period::Half {
            year: 2026,
            half: 2
        }
        .first_month(),
        Some(m(2026, 7))
    );
    assert!(Period::Quarter {
        year: 2026,
        quarter: 5
    }
    .months()
    .is_empty());
    assert_eq!(
        serde_json::to_string(&m(2026, 3)).expect("json"),
        "\"2026-03\""
    );

    // A year is the sum of its monthly rows.
    let cat = catalogue();
    let mut events = Vec::new();
    for (i, month) in [1u32, 4, 4, 9, 12].iter().enumerate() {
        let at = vietnam_local_to_utc(
            NaiveDate::from_ymd_opt(2026, *month, 5)
                .and_then(|d| d.and_hms_opt(9, 0, 0))
                .expect("t"),
        )
        .expect("utc");
        let seq = u16::try_from(i + 1).expect("seq");
        let mut h = H::new();
        h.run(
            at,
            Command::SubmitOnline {
                dossier: new_dossier(&cat, "1.004873", UNIT, UNIT, at, seq),
            },
            &applicant(),
        );
        events.extend(h.events);
    }
    let r = Rollups::from_log(&events);
    let year = Period::Year { year: 2026 };
    let by_month = r.group_by(|k| (k.perspective == Perspective::Competent).then_some(k.month));
    assert_eq!(by_month.len(), 4);
    let summed: Rollup = year.months().iter().filter_map(|m| by_month.get(m)).sum();
    let direct = r.total(|k| k.perspective == Perspective::Competent && year.contains(k.month));
    assert_eq!(summed, direct);
    assert_eq!(direct.dossiers.online, 5);
    assert_eq!(direct.pending, 5);
}

#[test]
fn deltas_are_what_storage_adds() {
    let hs = period();
    let mut stored = Rollups::new();
    for h in &hs {
        let mut state = DossierState::new();
        let mut facts: Option<DossierFacts> = None;
        for e in &h.events {
            state = apply(state, e);
            let next = DossierFacts::next(facts.as_ref(), e, &state);
            for (k, delta) in Rollups::deltas(facts.as_ref(), next.as_ref()) {
                stored.insert_row(k, &delta);
            }
            facts = next;
        }
    }
    assert_eq!(stored, Rollups::from_log(&log(&hs)));
    // Recording a rating touches only the rating counts.
    let d1 = &hs[0];
    let n = d1.events.len();
    let before = DossierFacts::from_events(&d1.events[..n - 1]);
    let after = DossierFacts::from_events(&d1.events);
    let deltas = Rollups::deltas(before.as_ref(), after.as_ref());
    assert_eq!(deltas.len(), 2);
    let mut expected = Rollup::new();
    expected.ratings.very_satisfied = 1;
    assert!(deltas.iter().all(|(_, d)| *d == expected));
}

#[test]
fn boundary_free_dossiers_count_for_both_units() {
    let cat = catalogue();
    let at = oct(8, 9, 0);
    let mut h = H::new();
    h.run(
        at,
        Command::ReceiveAtCounter {
            dossier: new_dossier(&cat, "2.000815", UNIT, UNIT_B, at, 1),
            by_post: false,
        },
        &ro(),
    );
    let r = Rollups::from_events(&h.events);
    let keys: Vec<(&str, Perspective)> = r
        .rows()
        .map(|(k, _)| (k.unit.as_str(), k.perspective))
        .collect();
    assert_eq!(
        keys,
        vec![
            (UNIT, Perspective::Receiving),
            (UNIT_B, Perspective::Competent)
        ]
    );
}
