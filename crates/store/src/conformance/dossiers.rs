//! Conformance checks of the dossier store: the lifecycle, code allocation,
//! concurrency, idempotency, refusals, the hash chain, the procedure
//! import, the work queue and search. The helpers are public so that each
//! backend's own tests (tampering with raw SQL) and benchmarks build the
//! same dossiers.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use motcua_domain::dossier::{
    chain_events, verify_chain, vietnam_date, Actor, Applicant, AppraisalOutcome, ChainedEvent,
    Command, DossierCode, DossierError, DossierState, Rating, ReceivedDocument, ReturnWay, Role,
    Status, UnitId, UserId, GENESIS,
};
use motcua_domain::procedure::{
    AgencyRef, Catalogue, DocumentForm, Procedure, ProcedureCode, ProcedureSnapshot,
};

use crate::{
    Applied, CommandError, CommandRequest, DossierFilter, IdempotencyKey, Intake, OpenDossier,
    QueueQuery, Store, StoreError, Target,
};

/// The demo catalogue of Cao Bằng shipped in `data/procedures/`.
pub const CATALOGUE_JSON: &str = include_str!("../../../../data/procedures/catalogue_caobang.json");

/// Birth registration: same day, boundary-free, six steps (receive,
/// transfer, appraise, approve, clerical, return).
pub const BIRTH: &str = "1.001193";
/// Marital-status certificate: 3 working days, boundary-free.
pub const MARITAL_STATUS: &str = "1.004873";
/// A procedure with an assignment step and no boundary-free receipt.
pub const WITH_ASSIGNMENT: &str = "2.001263";

/// A receiving Center and the commune competent for the dossiers.
pub const RECEIVING: &str = "04.01273";
pub const COMPETENT: &str = "04.01279";
pub const OTHER_UNIT: &str = "H15.50.05.13";

pub fn demo_catalogue() -> Catalogue {
    Catalogue::from_json(CATALOGUE_JSON).expect("the demo catalogue parses")
}

pub fn demo_procedure(code: &str) -> Procedure {
    let code = ProcedureCode::parse(code).expect("valid procedure code");
    demo_catalogue()
        .procedures()
        .iter()
        .find(|p| p.code == code)
        .cloned()
        .expect("the procedure is in the demo catalogue")
}

pub fn snapshot(code: &str) -> ProcedureSnapshot {
    demo_procedure(code).snapshot()
}

pub fn unit(s: &str) -> UnitId {
    UnitId::parse(s).expect("valid unit id")
}

pub fn user(s: &str) -> UserId {
    UserId::parse(s).expect("valid user id")
}

pub fn staff(role: Role, name: &str, at: &str) -> Actor {
    Actor::new(role, user(name), Some(unit(at)))
}

pub fn citizen(name: &str) -> Actor {
    Actor::new(Role::Applicant, user(name), None)
}

/// A time given in Vietnam (UTC+7), as UTC.
pub fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid test time")
        - Duration::hours(7)
}

/// Tuesday 15 July 2025, 09:00 in Vietnam.
pub fn t0() -> DateTime<Utc> {
    vn(2025, 7, 15, 9, 0)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// What opens a dossier.
pub fn open(
    intake: Intake,
    procedure: &str,
    receiving: &str,
    competent: &str,
    applicant: &str,
) -> OpenDossier {
    OpenDossier {
        intake,
        receiving_unit: unit(receiving),
        competent_unit: unit(competent),
        procedure: snapshot(procedure),
        applicant: Applicant {
            name: applicant.to_string(),
            personal_id: None,
            user: None,
        },
        documents: vec![ReceivedDocument {
            name_vi: "Tờ khai".to_string(),
            form: DocumentForm::Original,
            count: 1,
        }],
        contact: None,
        application_data: None,
    }
}

/// A request opening `open` at `now`.
pub fn new_request(open: OpenDossier, actor: &Actor, now: DateTime<Utc>) -> CommandRequest {
    CommandRequest {
        target: Target::New(open),
        actor: actor.clone(),
        now,
        idempotency: None,
        blobs: Vec::new(),
    }
}

/// A command on an existing dossier.
pub fn request(
    code: &DossierCode,
    expected_version: Option<u64>,
    command: Command,
    actor: &Actor,
    now: DateTime<Utc>,
) -> CommandRequest {
    CommandRequest {
        target: Target::Existing {
            code: code.clone(),
            expected_version,
            command,
        },
        actor: actor.clone(),
        now,
        idempotency: None,
        blobs: Vec::new(),
    }
}

/// `r` under an idempotency key; the client's request here is the target
/// with the actor (what a caller of the store sends).
pub fn with_key(mut r: CommandRequest, key: &str) -> CommandRequest {
    r.idempotency = Some(IdempotencyKey::new(key, &(&r.target, &r.actor)).expect("a fingerprint"));
    r
}

/// Executes a request that must apply.
pub async fn applied(store: &dyn Store, r: CommandRequest) -> Applied {
    let what = format!("{:?}", r.target);
    match store.execute(r).await.expect("storage works") {
        Ok(a) => a,
        Err(e) => panic!("command refused: {e} ({e:?})\nrequest: {what}"),
    }
}

/// Executes a request that must be refused.
pub async fn refused(store: &dyn Store, r: CommandRequest) -> CommandError {
    match store.execute(r).await.expect("storage works") {
        Ok(a) => panic!("command applied, expected a refusal: {a:?}"),
        Err(e) => e,
    }
}

/// The officials of a receiving Center and a competent commune, and the
/// applicant `citizen-1`.
pub struct Cast {
    pub citizen: Actor,
    pub receiver: Actor,
    pub head: Actor,
    pub specialist: Actor,
    pub leader: Actor,
    pub clerk: Actor,
}

pub fn cast(receiving: &str, competent: &str) -> Cast {
    Cast {
        citizen: citizen("citizen-1"),
        receiver: staff(Role::ReceivingOfficer, "tiep-nhan", receiving),
        head: staff(Role::DepartmentHead, "truong-phong", competent),
        specialist: staff(Role::Specialist, "chuyen-vien", competent),
        leader: staff(Role::Leader, "chu-tich", competent),
        clerk: staff(Role::Clerical, "van-thu", competent),
    }
}

/// The seven commands that follow the online submission of a birth
/// registration opened at `start`, up to the rating (with the opening
/// `Target::New`, eight commands).
pub fn lifecycle_commands(cast: &Cast, start: DateTime<Utc>) -> Vec<(Command, Actor)> {
    vec![
        (
            Command::Accept {
                appointment: start + Duration::hours(6),
                pages_digitized: 3,
            },
            cast.receiver.clone(),
        ),
        (
            Command::Transfer {
                to: AgencyRef::Competent,
            },
            cast.receiver.clone(),
        ),
        (
            Command::Appraise {
                outcome: AppraisalOutcome::Eligible,
            },
            cast.specialist.clone(),
        ),
        (Command::Approve, cast.leader.clone()),
        (
            Command::IssueResult {
                number: "125/2025/KS".to_string(),
                register: "Sổ đăng ký khai sinh 2025".to_string(),
            },
            cast.clerk.clone(),
        ),
        (
            // At the counter: an online return would need the result file.
            Command::ReturnResult {
                way: ReturnWay::Counter,
            },
            cast.receiver.clone(),
        ),
        (
            Command::Rate {
                rating: Rating::VerySatisfied,
                comment: Some("Nhanh, đúng hẹn".to_string()),
            },
            cast.citizen.clone(),
        ),
    ]
}

/// The status after each of the eight commands of [`lifecycle`].
pub const LIFECYCLE_STATUSES: [Status; 8] = [
    Status::Submitted,
    Status::Accepted,
    Status::Processing,
    Status::Processing,
    Status::Processing,
    Status::ResultReady,
    Status::ResultReturned,
    Status::ResultReturned,
];

/// Runs a whole birth registration (8 commands, each with the version it
/// read) and returns its code. Needs the demo procedures imported.
pub async fn lifecycle(
    store: &dyn Store,
    receiving: &str,
    competent: &str,
    applicant: &str,
    start: DateTime<Utc>,
) -> DossierCode {
    let cast = cast(receiving, competent);
    let first = applied(
        store,
        new_request(
            open(Intake::Online, BIRTH, receiving, competent, applicant),
            &cast.citizen,
            start,
        ),
    )
    .await;
    let code = first.code.clone();
    let mut version = first.version;
    let mut now = start;
    for (command, actor) in lifecycle_commands(&cast, start) {
        now += Duration::minutes(10);
        let a = applied(store, request(&code, Some(version), command, &actor, now)).await;
        assert_eq!(a.version, version + 1);
        version = a.version;
    }
    code
}

/// One dossier stopped after each prefix of [`lifecycle`]'s commands (the
/// first only opened, the last returned and rated): a dossier at every
/// step of the workflow. Receipts one hour apart from `start`.
pub async fn dossiers_at_each_step(
    store: &dyn Store,
    receiving: &str,
    competent: &str,
    start: DateTime<Utc>,
) -> Vec<DossierCode> {
    let cast = cast(receiving, competent);
    let steps = lifecycle_commands(&cast, start).len();
    let mut codes = Vec::new();
    for n in 0..=steps {
        let at = start + Duration::hours(i64::try_from(n).unwrap_or(0));
        let commands = lifecycle_commands(&cast, at);
        let first = applied(
            store,
            new_request(
                open(Intake::Online, BIRTH, receiving, competent, "Hà Thị Mai"),
                &cast.citizen,
                at,
            ),
        )
        .await;
        let mut version = first.version;
        let mut now = at;
        for (command, actor) in commands.iter().take(n).cloned() {
            now += Duration::minutes(5);
            version = applied(
                store,
                request(&first.code, Some(version), command, &actor, now),
            )
            .await
            .version;
        }
        codes.push(first.code);
    }
    codes
}

/// Polls every future to completion on the current task, concurrently
/// (the backends do the work on their own threads or connections).
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, o) in futures.iter_mut().zip(out.iter_mut()) {
            if o.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *o = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    out.into_iter()
        .map(|o| o.expect("every future completed"))
        .collect()
}

pub async fn import_demo_procedures(store: &dyn Store) {
    store
        .put_procedures(demo_catalogue().procedures())
        .await
        .expect("import the demo catalogue");
}

// ---------------------------------------------------------------------------

pub async fn procedures_import_is_transactional(store: &dyn Store) {
    let catalogue = demo_catalogue();
    let all = catalogue.procedures();
    assert!(store.procedures().await.expect("list").is_empty());
    store.put_procedures(all).await.expect("import");
    let mut expected = all.to_vec();
    expected.sort_by(|a, b| (&a.code, a.version).cmp(&(&b.code, b.version)));
    assert_eq!(store.procedures().await.expect("list"), expected);

    let birth = ProcedureCode::parse(BIRTH).expect("code");
    let found = store
        .procedure(&birth, day(2025, 7, 15))
        .await
        .expect("query");
    assert_eq!(found.as_ref(), Some(&demo_procedure(BIRTH)));
    assert_eq!(
        store
            .procedure(&birth, day(2025, 6, 30))
            .await
            .expect("query"),
        None,
        "not in force before 1 July 2025"
    );
    let ending = ProcedureCode::parse("1.011607").expect("code");
    assert!(store
        .procedure(&ending, day(2026, 12, 31))
        .await
        .expect("query")
        .is_some());
    assert_eq!(
        store
            .procedure(&ending, day(2027, 1, 1))
            .await
            .expect("query"),
        None,
        "effective_until is exclusive"
    );

    store
        .put_procedures(all)
        .await
        .expect("re-importing identical procedures is a no-op");

    let mut v2 = demo_procedure(BIRTH).into_spec();
    v2.version = 2;
    v2.effective_from = day(2026, 1, 1);
    let v2 = Procedure::new(v2).expect("valid version 2");
    let mut changed = demo_procedure(MARITAL_STATUS).into_spec();
    changed.name_vi.push_str(" (sửa)");
    let changed = Procedure::new(changed).expect("valid");
    let err = store
        .put_procedures(&[v2.clone(), changed])
        .await
        .expect_err("a changed (code, version) conflicts");
    match &err {
        StoreError::Conflict(c) => assert!(c.starts_with("procedures_pk"), "{c}"),
        e => panic!("expected a conflict, got {e:?}"),
    }
    assert_eq!(
        store.procedures().await.expect("list"),
        expected,
        "a conflicting batch changes nothing"
    );

    store
        .put_procedures(std::slice::from_ref(&v2))
        .await
        .expect("import v2");
    assert_eq!(
        store
            .procedure(&birth, day(2026, 3, 1))
            .await
            .expect("query"),
        Some(v2),
        "the latest version in force"
    );
    assert_eq!(store.procedures().await.expect("list").len(), all.len() + 1);
}

pub async fn lifecycle_from_online_submission_to_rating(store: &dyn Store) {
    import_demo_procedures(store).await;
    let cast = cast(RECEIVING, COMPETENT);
    let start = t0();
    let first = applied(
        store,
        new_request(
            open(Intake::Online, BIRTH, RECEIVING, COMPETENT, "Nguyễn Văn An"),
            &cast.citizen,
            start,
        ),
    )
    .await;
    let code = first.code.clone();
    assert_eq!(code.to_string(), "04.01273-250715-0001");
    assert_eq!(first.version, 1);
    assert!(!first.replayed);
    assert_eq!(first.events.len(), 1);
    assert_eq!(first.events[0].event.type_name(), "submitted");
    let state = store.dossier(&code).await.expect("read").expect("exists");
    assert_eq!(state.status(), Some(Status::Submitted));

    let mut version = 1;
    let mut now = start;
    let mut all_events: Vec<ChainedEvent> = first.events.clone();
    let steps = lifecycle_commands(&cast, start);
    for (i, (command, actor)) in steps.into_iter().enumerate() {
        now += Duration::minutes(10);
        let name = command.name();
        let a = applied(store, request(&code, Some(version), command, &actor, now)).await;
        assert_eq!(a.version, version + 1, "{name}");
        assert_eq!(a.events.len(), 1, "{name}");
        assert_eq!(a.events[0].event.seq, version, "{name}");
        version = a.version;
        all_events.extend(a.events);
        let state = store.dossier(&code).await.expect("read").expect("exists");
        assert_eq!(state.version, version);
        assert_eq!(
            state.status(),
            Some(LIFECYCLE_STATUSES[i + 1]),
            "after {name}"
        );
    }
    assert_eq!(version, 8);

    let events = store.events(&code).await.expect("events");
    assert_eq!(
        events, all_events,
        "the stored events are the ones answered"
    );
    verify_chain(&events).expect("the chain verifies");
    let types: Vec<&str> = events.iter().map(|e| e.event.type_name()).collect();
    assert_eq!(
        types,
        [
            "submitted",
            "accepted",
            "transferred",
            "appraised",
            "approved",
            "result_issued",
            "result_returned",
            "rated"
        ]
    );

    let state = store.dossier(&code).await.expect("read").expect("exists");
    let folded = DossierState::fold(events.iter().map(|e| &e.event));
    assert_eq!(state, folded, "the projection is the fold of the events");
    let d = state.dossier.expect("dossier");
    assert_eq!(d.status, Status::ResultReturned);
    assert_eq!(d.applicant.user, Some(cast.citizen.user.clone()));
    assert!(d.rating.is_some());
    assert_eq!(
        d.result.as_ref().map(|r| r.number.as_str()),
        Some("125/2025/KS")
    );

    let found = store
        .search(&DossierFilter {
            code: Some(code.to_string()),
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(found.len(), 1);
    let s = &found[0];
    assert_eq!(s.code, code);
    assert_eq!(s.status, Status::ResultReturned);
    assert_eq!(s.version, 8);
    assert_eq!(s.applicant_name, "Nguyễn Văn An");
    assert_eq!(s.procedure_code.as_str(), BIRTH);
    assert_eq!(s.receiving_unit, unit(RECEIVING));
    assert_eq!(s.competent_unit, unit(COMPETENT));
    assert_eq!(s.submitted_at, start);
    assert_eq!(s.due, Some(start + Duration::hours(6)));
    assert_eq!(s.step_role, None, "a returned dossier waits for nobody");
    assert_eq!(s.holder_unit, None);

    let refused = refused(
        store,
        request(
            &code,
            Some(8),
            Command::Rate {
                rating: Rating::Satisfied,
                comment: None,
            },
            &cast.citizen,
            now,
        ),
    )
    .await;
    assert_eq!(refused, CommandError::Refused(DossierError::AlreadyRated));
}

pub async fn stored_events_verify_with_the_chain(store: &dyn Store) {
    import_demo_procedures(store).await;
    let code = lifecycle(store, RECEIVING, COMPETENT, "Lê Thị Hoa", t0()).await;
    let events = store.events(&code).await.expect("events");
    assert_eq!(events.len(), 8);
    verify_chain(&events).expect("the chain verifies");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.event.seq, i as u64);
        assert_eq!(e.event.dossier, code);
    }
    let rechained = chain_events(GENESIS, events.iter().map(|e| e.event.clone())).expect("chain");
    assert_eq!(
        rechained, events,
        "hashes are SHA-256(prev || canonical bytes)"
    );
    let mut forged = events.clone();
    forged[5].event.reason = Some("sửa".to_string());
    let broken = verify_chain(&forged).expect_err("a changed event breaks the chain");
    assert_eq!(broken.index, 5);

    assert!(store
        .events(&DossierCode::parse("04.01273-250715-0999").expect("code"))
        .await
        .expect("events")
        .is_empty());
    assert_eq!(
        store
            .dossier(&DossierCode::parse("04.01273-250715-0999").expect("code"))
            .await
            .expect("read"),
        None
    );
}

pub async fn codes_follow_unit_and_vietnam_day(store: &dyn Store) {
    import_demo_procedures(store).await;
    let a = RECEIVING;
    let b = OTHER_UNIT;
    let open_at = |u: &str, at: DateTime<Utc>| {
        new_request(
            open(Intake::Counter, BIRTH, u, u, "Hoàng Văn Dũng"),
            &staff(Role::ReceivingOfficer, "tiep-nhan", u),
            at,
        )
    };
    let mut codes = Vec::new();
    for (u, at) in [
        (a, vn(2025, 7, 15, 8, 0)),
        (b, vn(2025, 7, 15, 8, 5)),
        (a, vn(2025, 7, 15, 16, 30)),
        // 23:59 in Vietnam is still the 15th, though UTC says 16:59.
        (b, vn(2025, 7, 15, 23, 59)),
        // 00:30 on the 16th in Vietnam is 17:30 on the 15th in UTC.
        (a, vn(2025, 7, 16, 0, 30)),
        (b, vn(2025, 7, 16, 10, 0)),
        (a, vn(2025, 7, 16, 10, 0)),
    ] {
        codes.push(applied(store, open_at(u, at)).await.code.to_string());
    }
    assert_eq!(
        codes,
        [
            "04.01273-250715-0001",
            "H15.50.05.13-250715-0001",
            "04.01273-250715-0002",
            "H15.50.05.13-250715-0002",
            "04.01273-250716-0001",
            "H15.50.05.13-250716-0001",
            "04.01273-250716-0002",
        ]
    );
    let c = DossierCode::parse(&codes[3]).expect("parses");
    assert_eq!(c.date(), day(2025, 7, 15));
    assert_eq!(c.date(), vietnam_date(vn(2025, 7, 15, 23, 59)));
    let state = store.dossier(&c).await.expect("read").expect("exists");
    let d = state.dossier.expect("dossier");
    assert_eq!(d.receiving_unit, unit(b));
    assert_eq!(d.status, Status::Submitted);
}

pub async fn concurrent_opens_get_gap_free_sequence(store: &dyn Store) {
    import_demo_procedures(store).await;
    let officer = staff(Role::ReceivingOfficer, "tiep-nhan", RECEIVING);
    let requests: Vec<_> = (0..50)
        .map(|i| {
            new_request(
                open(
                    Intake::Counter,
                    BIRTH,
                    RECEIVING,
                    RECEIVING,
                    &format!("Người nộp {i}"),
                ),
                &officer,
                t0() + Duration::seconds(i),
            )
        })
        .collect();
    let results = join_all(requests.into_iter().map(|r| store.execute(r)).collect()).await;
    let mut seqs: Vec<u16> = results
        .into_iter()
        .map(|r| {
            let a = r.expect("storage works").expect("applied");
            assert_eq!(a.version, 1);
            assert_eq!(a.code.unit(), &unit(RECEIVING));
            assert_eq!(a.code.date(), day(2025, 7, 15));
            a.code.seq()
        })
        .collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=50).collect::<Vec<u16>>(),
        "distinct and gap-free"
    );
    let all = store
        .search(&DossierFilter {
            unit: Some(unit(RECEIVING)),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(all.len(), 50);
}

pub async fn concurrent_commands_on_one_dossier(store: &dyn Store) {
    import_demo_procedures(store).await;
    let cast = cast(RECEIVING, COMPETENT);
    let opened = applied(
        store,
        new_request(
            open(Intake::Online, BIRTH, RECEIVING, COMPETENT, "Phạm Thị Lan"),
            &cast.citizen,
            t0(),
        ),
    )
    .await;
    let code = opened.code;
    let now = t0() + Duration::minutes(5);
    applied(
        store,
        request(
            &code,
            Some(1),
            Command::Accept {
                appointment: now + Duration::hours(6),
                pages_digitized: 2,
            },
            &cast.receiver,
            now,
        ),
    )
    .await;

    let transfer = |minutes: i64| {
        request(
            &code,
            Some(2),
            Command::Transfer {
                to: AgencyRef::Competent,
            },
            &cast.receiver,
            now + Duration::minutes(minutes),
        )
    };
    let results = join_all(vec![store.execute(transfer(1)), store.execute(transfer(2))]).await;
    let (mut ok, mut conflicts) = (0, 0);
    for r in results {
        match r.expect("storage works") {
            Ok(a) => {
                assert_eq!(a.version, 3);
                ok += 1;
            }
            Err(CommandError::VersionConflict {
                code: c,
                expected,
                actual,
            }) => {
                assert_eq!((c, expected, actual), (code.clone(), 2, 3));
                conflicts += 1;
            }
            Err(e) => panic!("unexpected refusal {e:?}"),
        }
    }
    assert_eq!((ok, conflicts), (1, 1), "exactly one wins");
    assert_eq!(store.events(&code).await.expect("events").len(), 3);

    // Without an expected version the loser decides on the winner's state:
    // the appraisal is done, so a second one does not fit the step.
    let appraise = |minutes: i64| {
        request(
            &code,
            None,
            Command::Appraise {
                outcome: AppraisalOutcome::Eligible,
            },
            &cast.specialist,
            now + Duration::minutes(minutes),
        )
    };
    let results = join_all(vec![
        store.execute(appraise(10)),
        store.execute(appraise(11)),
    ])
    .await;
    let (mut ok, mut wrong_step) = (0, 0);
    for r in results {
        match r.expect("storage works") {
            Ok(a) => {
                assert_eq!(a.version, 4);
                ok += 1;
            }
            Err(CommandError::Refused(DossierError::WrongStep { .. })) => wrong_step += 1,
            Err(e) => panic!("unexpected refusal {e:?}"),
        }
    }
    assert_eq!((ok, wrong_step), (1, 1));
    let events = store.events(&code).await.expect("events");
    assert_eq!(events.len(), 4);
    verify_chain(&events).expect("the chain verifies");
}

pub async fn idempotent_retry(store: &dyn Store) {
    import_demo_procedures(store).await;
    let cast = cast(RECEIVING, COMPETENT);
    let open_req = with_key(
        new_request(
            open(Intake::Online, BIRTH, RECEIVING, COMPETENT, "Vũ Minh Tuấn"),
            &cast.citizen,
            t0(),
        ),
        "open-1",
    );
    let first = applied(store, open_req.clone()).await;
    assert!(!first.replayed);
    let mut retry = open_req.clone();
    retry.now = t0() + Duration::seconds(30);
    let again = applied(store, retry).await;
    assert!(again.replayed, "a retry is a replay");
    assert_eq!(
        Applied {
            replayed: false,
            ..again.clone()
        },
        first,
        "the same answer"
    );
    let code = first.code.clone();
    assert_eq!(store.events(&code).await.expect("events").len(), 1);
    let next = applied(
        store,
        new_request(
            open(Intake::Online, BIRTH, RECEIVING, COMPETENT, "Đỗ Văn Nam"),
            &cast.citizen,
            t0() + Duration::minutes(1),
        ),
    )
    .await;
    assert_eq!(next.code.seq(), 2, "a replayed open allocates no code");

    let now = t0() + Duration::minutes(5);
    let accept = |pages: u32| {
        with_key(
            request(
                &code,
                Some(1),
                Command::Accept {
                    appointment: now + Duration::hours(6),
                    pages_digitized: pages,
                },
                &cast.receiver,
                now,
            ),
            "accept-1",
        )
    };
    let accepted = applied(store, accept(3)).await;
    assert_eq!(accepted.version, 2);
    let replay = applied(store, accept(3)).await;
    assert!(replay.replayed);
    assert_eq!(replay.version, 2);
    assert_eq!(replay.events, accepted.events);
    assert_eq!(store.events(&code).await.expect("events").len(), 2);
    assert_eq!(
        refused(store, accept(4)).await,
        CommandError::KeyReused,
        "the same key with another body"
    );
    assert_eq!(store.events(&code).await.expect("events").len(), 2);

    // Keys are scoped by user.
    let other_officer = staff(Role::ReceivingOfficer, "tiep-nhan-2", RECEIVING);
    let transferred = applied(
        store,
        with_key(
            request(
                &code,
                Some(2),
                Command::Transfer {
                    to: AgencyRef::Competent,
                },
                &other_officer,
                now + Duration::minutes(1),
            ),
            "accept-1",
        ),
    )
    .await;
    assert_eq!(transferred.version, 3);

    // A refused command records no key: a corrected retry may use it.
    let wrong = with_key(
        request(&code, Some(3), Command::Approve, &cast.specialist, now),
        "step-4",
    );
    assert!(matches!(
        refused(store, wrong).await,
        CommandError::Refused(DossierError::ForbiddenRole { .. })
    ));
    let right = with_key(
        request(
            &code,
            Some(3),
            Command::Appraise {
                outcome: AppraisalOutcome::Eligible,
            },
            &cast.specialist,
            now + Duration::minutes(2),
        ),
        "step-4",
    );
    let a = applied(store, right.clone()).await;
    assert_eq!(a.version, 4);
    // A replay is answered even when the version it named is stale now.
    assert!(applied(store, right).await.replayed);
    assert_eq!(store.events(&code).await.expect("events").len(), 4);
}

pub async fn concurrent_retries_act_once(store: &dyn Store) {
    import_demo_procedures(store).await;
    let cast = cast(RECEIVING, COMPETENT);
    let open_req = with_key(
        new_request(
            open(Intake::Online, BIRTH, RECEIVING, COMPETENT, "Hà Thị Thu"),
            &cast.citizen,
            t0(),
        ),
        "double-click",
    );
    let results = join_all((0..8).map(|_| store.execute(open_req.clone())).collect()).await;
    let answers: Vec<Applied> = results
        .into_iter()
        .map(|r| r.expect("storage works").expect("applied or replayed"))
        .collect();
    assert_eq!(
        answers.iter().filter(|a| !a.replayed).count(),
        1,
        "one request acted, the others were replays"
    );
    let code = answers[0].code.clone();
    assert!(answers.iter().all(|a| a.code == code && a.version == 1));
    assert_eq!(code.seq(), 1);
    assert_eq!(
        store
            .search(&DossierFilter::default())
            .await
            .expect("search")
            .len(),
        1,
        "one dossier"
    );
    assert_eq!(store.events(&code).await.expect("events").len(), 1);
}

pub async fn refused_command_writes_nothing(store: &dyn Store) {
    import_demo_procedures(store).await;
    let cast = cast(RECEIVING, COMPETENT);
    let first = applied(
        store,
        new_request(
            open(Intake::Online, BIRTH, RECEIVING, COMPETENT, "Bùi Thị Mai"),
            &cast.citizen,
            t0(),
        ),
    )
    .await;
    let code = first.code;
    let before = store.dossier(&code).await.expect("read");
    let events_before = store.events(&code).await.expect("events");

    let past = refused(
        store,
        request(
            &code,
            Some(1),
            Command::Accept {
                appointment: t0() - Duration::hours(1),
                pages_digitized: 1,
            },
            &cast.receiver,
            t0() + Duration::minutes(1),
        ),
    )
    .await;
    assert_eq!(past, CommandError::Refused(DossierError::AppointmentInPast));
    let stale = refused(
        store,
        request(
            &code,
            Some(5),
            Command::Accept {
                appointment: t0() + Duration::hours(3),
                pages_digitized: 1,
            },
            &cast.receiver,
            t0() + Duration::minutes(1),
        ),
    )
    .await;
    assert_eq!(
        stale,
        CommandError::VersionConflict {
            code: code.clone(),
            expected: 5,
            actual: 1
        }
    );
    let outsider = staff(Role::ReceivingOfficer, "khac", OTHER_UNIT);
    assert!(matches!(
        refused(
            store,
            request(
                &code,
                None,
                Command::Refuse {
                    reason: "Sai thẩm quyền".to_string()
                },
                &outsider,
                t0() + Duration::minutes(2),
            ),
        )
        .await,
        CommandError::Refused(DossierError::WrongUnit { .. })
    ));
    assert_eq!(store.dossier(&code).await.expect("read"), before);
    assert_eq!(store.events(&code).await.expect("events"), events_before);

    let missing = DossierCode::parse("04.01273-250715-0042").expect("code");
    assert_eq!(
        refused(
            store,
            request(&missing, None, Command::Approve, &cast.leader, t0()),
        )
        .await,
        CommandError::NotFound(missing.clone())
    );
    assert_eq!(store.dossier(&missing).await.expect("read"), None);

    // A refused open gives its code back: the next open gets the next number.
    let nameless = refused(
        store,
        new_request(
            open(Intake::Online, BIRTH, RECEIVING, COMPETENT, "  "),
            &cast.citizen,
            t0() + Duration::minutes(3),
        ),
    )
    .await;
    assert!(matches!(
        nameless,
        CommandError::Refused(DossierError::EmptyField { .. })
    ));
    let not_boundary_free = refused(
        store,
        new_request(
            open(
                Intake::Counter,
                WITH_ASSIGNMENT,
                RECEIVING,
                COMPETENT,
                "Ngô Văn Hải",
            ),
            &cast.receiver,
            t0() + Duration::minutes(4),
        ),
    )
    .await;
    assert_eq!(
        not_boundary_free,
        CommandError::Refused(DossierError::NotBoundaryFree)
    );
    let next = applied(
        store,
        new_request(
            open(Intake::Online, BIRTH, RECEIVING, COMPETENT, "Ngô Văn Hải"),
            &cast.citizen,
            t0() + Duration::minutes(5),
        ),
    )
    .await;
    assert_eq!(next.code.to_string(), "04.01273-250715-0002");
    let all = store
        .search(&DossierFilter::default())
        .await
        .expect("search");
    assert_eq!(all.len(), 2);
}

pub async fn event_streams_page_in_code_order(store: &dyn Store) {
    import_demo_procedures(store).await;
    let mut codes = Vec::new();
    for (i, u) in [RECEIVING, OTHER_UNIT, RECEIVING, OTHER_UNIT, RECEIVING]
        .into_iter()
        .enumerate()
    {
        let start = t0() + Duration::minutes(i as i64 * 3);
        if i % 2 == 0 {
            codes.push(lifecycle(store, u, u, "Trịnh Văn Long", start).await);
        } else {
            let cast = cast(u, u);
            codes.push(
                applied(
                    store,
                    new_request(
                        open(Intake::Online, BIRTH, u, u, "Trịnh Văn Long"),
                        &cast.citizen,
                        start,
                    ),
                )
                .await
                .code,
            );
        }
    }
    codes.sort();
    let mut seen = Vec::new();
    let mut after: Option<DossierCode> = None;
    let mut pages = 0;
    loop {
        let page = store.event_streams(after.as_ref(), 2).await.expect("page");
        if page.is_empty() {
            break;
        }
        pages += 1;
        assert!(page.len() <= 2);
        for s in &page {
            verify_chain(&s.events).expect("the chain verifies");
            assert_eq!(s.events, store.events(&s.code).await.expect("events"));
            seen.push(s.code.clone());
        }
        after = page.last().map(|s| s.code.clone());
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, codes, "every dossier once, in code order");
    let total: usize = {
        let mut n = 0;
        for c in &codes {
            n += store.events(c).await.expect("events").len();
        }
        n
    };
    assert_eq!(total, 3 * 8 + 2);
}

pub async fn queue_orders_by_urgency(store: &dyn Store) {
    import_demo_procedures(store).await;
    let cast = cast(RECEIVING, COMPETENT);
    let start = t0();
    let mut n = 0i64;
    let mut next_time = || {
        n += 1;
        start + Duration::minutes(n)
    };

    // Opens and accepts with an appointment `due_in` from now; transfers
    // to the competent commune if asked.
    async fn make(
        store: &dyn Store,
        cast: &Cast,
        at: DateTime<Utc>,
        due_in: Option<Duration>,
        transfer: bool,
    ) -> (DossierCode, u64) {
        let a = applied(
            store,
            new_request(
                open(
                    Intake::Online,
                    MARITAL_STATUS,
                    RECEIVING,
                    COMPETENT,
                    "Đinh Văn Quang",
                ),
                &cast.citizen,
                at,
            ),
        )
        .await;
        let (code, mut v) = (a.code, a.version);
        if let Some(due_in) = due_in {
            v = applied(
                store,
                request(
                    &code,
                    Some(v),
                    Command::Accept {
                        appointment: at + due_in,
                        pages_digitized: 1,
                    },
                    &cast.receiver,
                    at,
                ),
            )
            .await
            .version;
            if transfer {
                v = applied(
                    store,
                    request(
                        &code,
                        Some(v),
                        Command::Transfer {
                            to: AgencyRef::Competent,
                        },
                        &cast.receiver,
                        at,
                    ),
                )
                .await
                .version;
            }
        }
        (code, v)
    }

    let (d1, _) = make(store, &cast, next_time(), Some(Duration::days(3)), true).await;
    let (d2, _) = make(store, &cast, next_time(), Some(Duration::days(1)), true).await;
    let (d3, v3) = make(store, &cast, next_time(), Some(Duration::days(2)), true).await;
    let at = next_time();
    applied(
        store,
        request(
            &d3,
            Some(v3),
            Command::NotifyLate {
                reason: "Cần xác minh thêm".to_string(),
                new_appointment: at + Duration::days(5),
            },
            &cast.leader,
            at,
        ),
    )
    .await;
    let (d4, _) = make(store, &cast, next_time(), Some(Duration::minutes(30)), true).await;
    let (d5, v5) = make(store, &cast, next_time(), Some(Duration::days(1)), true).await;
    applied(
        store,
        request(
            &d5,
            Some(v5),
            Command::Appraise {
                outcome: AppraisalOutcome::Eligible,
            },
            &cast.specialist,
            next_time(),
        ),
    )
    .await;
    let (d6, _) = make(store, &cast, next_time(), Some(Duration::days(2)), false).await;
    let (d7, _) = make(store, &cast, next_time(), None, false).await;
    let (d8, v8) = make(store, &cast, next_time(), None, false).await;
    applied(
        store,
        request(
            &d8,
            Some(v8),
            Command::RequestSupplement {
                reason: "Thiếu tờ khai".to_string(),
                documents: vec!["Tờ khai".to_string()],
            },
            &cast.receiver,
            next_time(),
        ),
    )
    .await;
    let elsewhere = self::cast(RECEIVING, OTHER_UNIT);
    let a = applied(
        store,
        new_request(
            open(
                Intake::Online,
                MARITAL_STATUS,
                RECEIVING,
                OTHER_UNIT,
                "Mai Văn Sơn",
            ),
            &elsewhere.citizen,
            next_time(),
        ),
    )
    .await;
    let at = next_time();
    applied(
        store,
        request(
            &a.code,
            Some(1),
            Command::Accept {
                appointment: at + Duration::hours(1),
                pages_digitized: 1,
            },
            &elsewhere.receiver,
            at,
        ),
    )
    .await;
    applied(
        store,
        request(
            &a.code,
            Some(2),
            Command::Transfer {
                to: AgencyRef::Competent,
            },
            &elsewhere.receiver,
            at,
        ),
    )
    .await;

    let queue = |u: &str, role: Role, assignee: Option<&str>, limit: u32| QueueQuery {
        unit: unit(u),
        role,
        assignee: assignee.map(str::to_string),
        limit,
    };
    let codes = |v: Vec<crate::DossierSummary>| v.into_iter().map(|s| s.code).collect::<Vec<_>>();

    let specialist = store
        .queue(&queue(COMPETENT, Role::Specialist, None, 0))
        .await
        .expect("queue");
    assert!(specialist
        .iter()
        .all(|s| s.step_role == Some(Role::Specialist)
            && s.holder_unit == Some(unit(COMPETENT))
            && s.status == Status::Processing));
    assert_eq!(
        codes(specialist),
        [d4.clone(), d2.clone(), d1.clone(), d3.clone()],
        "most urgent first; the Mẫu 04 new date counts"
    );
    assert_eq!(
        codes(
            store
                .queue(&queue(COMPETENT, Role::Specialist, None, 2))
                .await
                .expect("queue")
        ),
        [d4.clone(), d2.clone()]
    );
    assert_eq!(
        codes(
            store
                .queue(&queue(COMPETENT, Role::Leader, None, 0))
                .await
                .expect("queue")
        ),
        std::slice::from_ref(&d5)
    );
    assert_eq!(
        codes(
            store
                .queue(&queue(RECEIVING, Role::ReceivingOfficer, None, 0))
                .await
                .expect("queue")
        ),
        [d6.clone(), d7],
        "no due date last; paused dossiers wait for nobody"
    );
    assert_eq!(
        codes(
            store
                .queue(&queue(OTHER_UNIT, Role::Specialist, None, 0))
                .await
                .expect("queue")
        ),
        [a.code]
    );

    // The competent unit's dossiers that may owe an apology (Mẫu 04):
    // accepted or processing, not rescheduled, due before the bound;
    // soonest first, wherever they stand in the workflow.
    let owed = |limit| crate::ApologyQuery {
        unit: unit(COMPETENT),
        due_before: start + Duration::days(2) + Duration::hours(1),
        limit,
    };
    let found = store.apologies_owed(&owed(0)).await.expect("apologies");
    assert!(found.iter().all(|s| !s.rescheduled));
    assert_eq!(
        codes(found),
        [d4.clone(), d2.clone(), d5.clone(), d6.clone()],
        "d1 is due later, d3 was rescheduled, d7 has no date, d8 waits on the applicant"
    );
    assert_eq!(
        codes(store.apologies_owed(&owed(2)).await.expect("apologies")),
        [d4, d2]
    );
    let rescheduled = store
        .search(&crate::DossierFilter {
            code: Some(d3.to_string()),
            ..Default::default()
        })
        .await
        .expect("search");
    assert!(rescheduled.len() == 1 && rescheduled[0].rescheduled);
    assert!(
        store
            .apologies_owed(&crate::ApologyQuery {
                unit: unit(OTHER_UNIT),
                due_before: start,
                limit: 0,
            })
            .await
            .expect("apologies")
            .is_empty(),
        "nothing is due before the first appointment"
    );

    // Assigned work: one officer's share of the queue.
    let head = staff(Role::DepartmentHead, "truong-phong", OTHER_UNIT);
    let receiver = staff(Role::ReceivingOfficer, "tiep-nhan", OTHER_UNIT);
    let mut assigned = Vec::new();
    for officer in ["cv-a", "cv-b", "cv-a"] {
        let at = next_time();
        let o = applied(
            store,
            new_request(
                open(
                    Intake::Counter,
                    WITH_ASSIGNMENT,
                    OTHER_UNIT,
                    OTHER_UNIT,
                    "Tạ Văn Bình",
                ),
                &receiver,
                at,
            ),
        )
        .await;
        let mut v = o.version;
        for (command, actor) in [
            (
                Command::Accept {
                    appointment: at + Duration::days(10),
                    pages_digitized: 1,
                },
                &receiver,
            ),
            (
                Command::Transfer {
                    to: AgencyRef::Competent,
                },
                &receiver,
            ),
            (
                Command::Assign {
                    assignee: user(officer),
                },
                &head,
            ),
        ] {
            v = applied(store, request(&o.code, Some(v), command, actor, at))
                .await
                .version;
        }
        assigned.push((officer, o.code));
    }
    let mine = store
        .queue(&queue(OTHER_UNIT, Role::Specialist, Some("cv-a"), 0))
        .await
        .expect("queue");
    assert!(mine.iter().all(|s| s.assignee.as_deref() == Some("cv-a")));
    let expected: Vec<DossierCode> = assigned
        .iter()
        .filter(|(o, _)| *o == "cv-a")
        .map(|(_, c)| c.clone())
        .collect();
    assert_eq!(codes(mine), expected);
}

pub async fn search_filters_and_pages(store: &dyn Store) {
    import_demo_procedures(store).await;
    let people = [
        ("Nguyễn Văn An", RECEIVING, COMPETENT, BIRTH),
        ("NGUYỄN THỊ BÌNH", RECEIVING, RECEIVING, MARITAL_STATUS),
        ("Trần Văn Cường", OTHER_UNIT, OTHER_UNIT, BIRTH),
        ("Lý Thị Dung", OTHER_UNIT, COMPETENT, MARITAL_STATUS),
    ];
    let mut codes = Vec::new();
    for (i, (name, r, c, p)) in people.into_iter().enumerate() {
        let cast = cast(r, c);
        let at = t0() + Duration::hours(i as i64);
        let a = applied(
            store,
            new_request(open(Intake::Online, p, r, c, name), &cast.citizen, at),
        )
        .await;
        codes.push(a.code);
    }
    let cast_b = cast(RECEIVING, RECEIVING);
    applied(
        store,
        request(
            &codes[1],
            Some(1),
            Command::Accept {
                appointment: t0() + Duration::days(3),
                pages_digitized: 2,
            },
            &cast_b.receiver,
            t0() + Duration::hours(5),
        ),
    )
    .await;

    let search = |f: DossierFilter| async move {
        store
            .search(&f)
            .await
            .expect("search")
            .into_iter()
            .map(|s| s.code)
            .collect::<Vec<_>>()
    };
    let all = search(DossierFilter::default()).await;
    let newest_first: Vec<DossierCode> = codes.iter().rev().cloned().collect();
    assert_eq!(all, newest_first, "newest first");

    assert_eq!(
        search(DossierFilter {
            applicant: Some("nguyễn".to_string()),
            ..Default::default()
        })
        .await,
        [codes[1].clone(), codes[0].clone()],
        "case-insensitive, diacritics kept"
    );
    assert_eq!(
        search(DossierFilter {
            applicant: Some("bình".to_string()),
            ..Default::default()
        })
        .await,
        [codes[1].clone()]
    );
    assert!(search(DossierFilter {
        applicant: Some("binh".to_string()),
        ..Default::default()
    })
    .await
    .is_empty());
    assert_eq!(
        search(DossierFilter {
            unit: Some(unit(COMPETENT)),
            ..Default::default()
        })
        .await,
        [codes[3].clone(), codes[0].clone()],
        "receiving or competent unit"
    );
    assert_eq!(
        search(DossierFilter {
            procedure: Some(ProcedureCode::parse(BIRTH).expect("code")),
            ..Default::default()
        })
        .await,
        [codes[2].clone(), codes[0].clone()]
    );
    assert_eq!(
        search(DossierFilter {
            status: Some(Status::Accepted),
            ..Default::default()
        })
        .await,
        [codes[1].clone()]
    );
    assert_eq!(
        search(DossierFilter {
            submitted_from: Some(t0() + Duration::hours(1)),
            submitted_to: Some(t0() + Duration::hours(3)),
            ..Default::default()
        })
        .await,
        [codes[2].clone(), codes[1].clone()],
        "from inclusive, to exclusive"
    );
    assert_eq!(
        search(DossierFilter {
            code: Some("h15.50.05.13-250715".to_string()),
            ..Default::default()
        })
        .await,
        [codes[3].clone(), codes[2].clone()]
    );
    assert_eq!(
        search(DossierFilter {
            limit: 2,
            offset: 1,
            ..Default::default()
        })
        .await,
        [codes[2].clone(), codes[1].clone()]
    );
    assert_eq!(
        search(DossierFilter {
            unit: Some(unit(OTHER_UNIT)),
            procedure: Some(ProcedureCode::parse(MARITAL_STATUS).expect("code")),
            applicant: Some("DUNG".to_string()),
            ..Default::default()
        })
        .await,
        [codes[3].clone()],
        "filters combine"
    );
}
