//! Conformance checks of the report store: the rollup tables maintained in
//! the command's transaction equal the full scan of the facts and the
//! rollups built from scratch from the event log, under every filter; a
//! refused or replayed command changes no row; concurrent commands on
//! shared rows lose no update; a bulk load replaces a dossier's facts.

use chrono::{DateTime, Duration, Utc};
use motcua_domain::dossier::{Command, DossierCode, Event, Rating};
use motcua_domain::procedure::{AgencyRef, ProcedureCode};
use motcua_domain::reports::{
    BottleneckReport, DossierFacts, Month, Perspective, RollupKey, Rollups, StepRollups, StepStats,
};

use super::dossiers::*;
use crate::{report_support, Intake, RollupQuery, Store};

fn month(y: i32, m: u32) -> Month {
    Month::new(y, m).expect("valid test month")
}

/// Every row of 2025.
fn year() -> RollupQuery {
    RollupQuery::months(month(2025, 1), month(2025, 12))
}

fn procedure(code: &str) -> ProcedureCode {
    ProcedureCode::parse(code).expect("valid procedure code")
}

/// Every stored event, dossier by dossier.
async fn all_events(store: &dyn Store) -> Vec<Event> {
    let mut out = Vec::new();
    let mut after: Option<DossierCode> = None;
    loop {
        let page = store
            .event_streams(after.as_ref(), 0)
            .await
            .expect("event streams");
        let Some(last) = page.last() else {
            return out;
        };
        after = Some(last.code.clone());
        out.extend(page.into_iter().flat_map(|s| s.events).map(|e| e.event));
    }
}

fn steps_from_log(events: &[Event]) -> StepRollups {
    let cal = report_support::calendar().expect("the shipped calendar builds");
    StepRollups::from_log(events, cal).expect("the test dates are in the calendar")
}

/// Runs `commands` on `code` from `version`, `every` apart after `start`.
async fn run(
    store: &dyn Store,
    code: &DossierCode,
    mut version: u64,
    commands: Vec<(Command, motcua_domain::dossier::Actor)>,
    start: DateTime<Utc>,
    every: Duration,
) -> u64 {
    let mut now = start;
    for (command, actor) in commands {
        now += every;
        version = applied(store, request(code, Some(version), command, &actor, now))
            .await
            .version;
    }
    version
}

/// Seven dossiers over three months, two provinces and two procedures:
/// returned on time and rated, returned late, refused at the counter,
/// withdrawn after acceptance, in process (by post), awaiting a
/// supplement, and received for a commune of another province.
async fn realistic_log(store: &dyn Store) {
    import_demo_procedures(store).await;
    lifecycle(store, RECEIVING, COMPETENT, "Nguyễn Văn An", t0()).await;

    let c = cast(RECEIVING, COMPETENT);
    let start = vn(2025, 8, 5, 9, 0);
    let late = applied(
        store,
        new_request(
            open(Intake::Online, BIRTH, RECEIVING, COMPETENT, "Trần Thị Bình"),
            &c.citizen,
            start,
        ),
    )
    .await;
    let mut commands = lifecycle_commands(&c, start);
    let accept = commands.remove(0);
    let v = run(
        store,
        &late.code,
        1,
        vec![accept],
        start,
        Duration::minutes(10),
    )
    .await;
    run(
        store,
        &late.code,
        v,
        commands,
        start + Duration::minutes(10),
        Duration::hours(20),
    )
    .await;

    let other = cast(OTHER_UNIT, OTHER_UNIT);
    let at = vn(2025, 7, 20, 10, 0);
    let refused_one = applied(
        store,
        new_request(
            open(
                Intake::Counter,
                BIRTH,
                OTHER_UNIT,
                OTHER_UNIT,
                "Lò Văn Chiến",
            ),
            &other.receiver,
            at,
        ),
    )
    .await;
    run(
        store,
        &refused_one.code,
        1,
        vec![(
            Command::Refuse {
                reason: "Không thuộc thẩm quyền".to_string(),
            },
            other.receiver.clone(),
        )],
        at,
        Duration::minutes(5),
    )
    .await;

    let at = vn(2025, 8, 12, 14, 0);
    let withdrawn = applied(
        store,
        new_request(
            open(
                Intake::Online,
                MARITAL_STATUS,
                RECEIVING,
                COMPETENT,
                "Hà Thị Dung",
            ),
            &c.citizen,
            at,
        ),
    )
    .await;
    run(
        store,
        &withdrawn.code,
        1,
        vec![
            (
                Command::Accept {
                    appointment: at + Duration::days(3),
                    pages_digitized: 2,
                },
                c.receiver.clone(),
            ),
            (
                Command::Withdraw {
                    reason: Some("Không còn nhu cầu".to_string()),
                },
                c.citizen.clone(),
            ),
        ],
        at,
        Duration::minutes(30),
    )
    .await;

    let at = vn(2025, 9, 2, 8, 30);
    let by_post = applied(
        store,
        new_request(
            open(Intake::Post, BIRTH, RECEIVING, COMPETENT, "Vi Văn Em"),
            &c.receiver,
            at,
        ),
    )
    .await;
    run(
        store,
        &by_post.code,
        1,
        lifecycle_commands(&c, at).into_iter().take(3).collect(),
        at,
        Duration::minutes(40),
    )
    .await;

    let at = vn(2025, 7, 28, 15, 0);
    let supplement = applied(
        store,
        new_request(
            open(Intake::Online, BIRTH, RECEIVING, COMPETENT, "Đàm Thị Giang"),
            &c.citizen,
            at,
        ),
    )
    .await;
    run(
        store,
        &supplement.code,
        1,
        vec![(
            Command::RequestSupplement {
                reason: "Thiếu giấy chứng sinh".to_string(),
                documents: vec!["Giấy chứng sinh".to_string()],
            },
            c.receiver.clone(),
        )],
        at,
        Duration::minutes(15),
    )
    .await;

    let elsewhere = cast(RECEIVING, OTHER_UNIT);
    let at = vn(2025, 9, 10, 9, 0);
    let across = applied(
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
            at,
        ),
    )
    .await;
    run(
        store,
        &across.code,
        1,
        vec![
            (
                Command::Accept {
                    appointment: at + Duration::days(3),
                    pages_digitized: 1,
                },
                elsewhere.receiver.clone(),
            ),
            (
                Command::Transfer {
                    to: AgencyRef::Competent,
                },
                elsewhere.receiver.clone(),
            ),
        ],
        at,
        Duration::minutes(20),
    )
    .await;
}

/// The queries every check runs: each filter alone and combined.
fn queries() -> Vec<RollupQuery> {
    let q = year;
    vec![
        q(),
        RollupQuery {
            province: Some("04".to_string()),
            ..q()
        },
        RollupQuery {
            province: Some("H15".to_string()),
            ..q()
        },
        RollupQuery {
            units: Some(vec![unit(COMPETENT)]),
            ..q()
        },
        RollupQuery {
            units: Some(vec![unit(OTHER_UNIT), unit(RECEIVING)]),
            ..q()
        },
        RollupQuery {
            units: Some(Vec::new()),
            ..q()
        },
        RollupQuery {
            procedure: Some(procedure(MARITAL_STATUS)),
            ..q()
        },
        RollupQuery::months(month(2025, 8), month(2025, 8)),
        RollupQuery::months(month(2025, 9), month(2026, 3)),
        RollupQuery::months(month(2024, 1), month(2025, 6)),
        RollupQuery {
            perspective: Some(Perspective::Competent),
            ..q()
        },
        RollupQuery {
            perspective: Some(Perspective::Receiving),
            ..q()
        },
        RollupQuery {
            province: Some("04".to_string()),
            perspective: Some(Perspective::Receiving),
            procedure: Some(procedure(BIRTH)),
            units: Some(vec![unit(RECEIVING), unit(COMPETENT)]),
            ..RollupQuery::months(month(2025, 7), month(2025, 8))
        },
    ]
}

/// The three step reads of `q` agree with `steps` (every row per unit,
/// as folded from the log): the rows per unit, the rows per province, and
/// the totals over the months summed by the database.
async fn assert_steps_agree(store: &dyn Store, q: &RollupQuery, steps: &StepRollups) {
    assert_eq!(
        store.step_rollups(q).await.expect("step rollups"),
        q.filter_steps(steps),
        "{q:?}"
    );
    assert_eq!(
        store
            .province_step_rollups(q)
            .await
            .expect("province step rollups"),
        q.filter_steps(&steps.by_province()),
        "per province, {q:?}"
    );
    assert_eq!(
        store.step_totals(q).await.expect("step totals"),
        q.filter_steps(steps).totals(q.from),
        "totals, {q:?}"
    );
    let mut pairs: Vec<(motcua_domain::dossier::UnitId, ProcedureCode)> = q
        .filter_steps(steps)
        .rows()
        .map(|(k, _)| (k.unit.clone(), k.procedure.clone()))
        .collect();
    pairs.dedup();
    pairs.truncate(2);
    let mut want_pairs = StepRollups::new();
    for (k, r) in steps.rows().filter(|(k, _)| {
        (q.from..=q.to).contains(&k.month)
            && pairs.iter().any(|(u, p)| *u == k.unit && *p == k.procedure)
    }) {
        want_pairs.insert_row(k.clone(), r);
    }
    assert_eq!(
        store
            .unit_procedure_steps(&pairs, q.from, q.to)
            .await
            .expect("pairs"),
        want_pairs,
        "pairs {pairs:?}, {q:?}"
    );
    assert!(store
        .unit_procedure_steps(&[], q.from, q.to)
        .await
        .expect("no pair")
        .is_empty());
    let slow = BottleneckReport::per_unit(&q.filter_steps(steps), |_| true);
    let want: Vec<StepStats> = slow.top_by_unit().into_iter().cloned().collect();
    assert_eq!(
        store
            .top_steps_by_unit(q, &|_| true)
            .await
            .expect("top steps"),
        want,
        "top steps by unit, {q:?}"
    );
}

/// The three paths agree on every query.
async fn assert_paths_agree(store: &dyn Store, expected: &Rollups, steps: &StepRollups) {
    for q in queries() {
        let want = q.filter(expected);
        assert_eq!(store.rollups(&q).await.expect("rollups"), want, "{q:?}");
        assert_eq!(store.scan_facts(&q).await.expect("scan"), want, "{q:?}");
        assert_steps_agree(store, &q, steps).await;
    }
    // The province rows sum the units of their province only.
    let province = RollupQuery {
        province: Some("04".to_string()),
        ..year()
    };
    let rows = store
        .province_step_rollups(&province)
        .await
        .expect("province step rollups");
    assert!(!rows.is_empty());
    assert!(rows.rows().all(|(k, _)| k.unit.as_str() == "04"));
    let totals = store.step_totals(&province).await.expect("totals");
    assert!(totals
        .rows()
        .all(|(k, r)| k.month == province.from && r.working.is_empty() && r.dossiers > 0));
    let tops = store
        .top_steps_by_unit(&province, &|_| true)
        .await
        .expect("top steps");
    assert!(
        tops.iter()
            .any(|t| t.late_overrun_minutes > 0 && t.working_median.is_some()),
        "the late birth names a step, with its quantiles: {tops:?}"
    );
}

pub async fn rollups_follow_the_event_log(store: &dyn Store) {
    realistic_log(store).await;
    let events = all_events(store).await;
    let expected = Rollups::from_log(&events);
    let steps = steps_from_log(&events);
    assert_paths_agree(store, &expected, &steps).await;

    let receiving = expected.total(|k| k.perspective == Perspective::Receiving);
    let competent = expected.total(|k| k.perspective == Perspective::Competent);
    assert_eq!(receiving.dossiers.total(), 7);
    assert_eq!(competent.dossiers.total(), 7);
    assert_eq!(receiving.dossiers.post, 1);
    assert_eq!(receiving.refused, 1);
    assert_eq!(receiving.withdrawn, 1);
    assert_eq!(receiving.withdrawn_after_acceptance, 1);
    assert_eq!(receiving.late, 1, "the second birth took days");
    assert_eq!(receiving.early + receiving.on_time, 1);
    assert_eq!(receiving.in_process(), 2);
    assert_eq!(receiving.pending, 1, "awaiting the supplement at receipt");
    assert_eq!(receiving.ratings.very_satisfied, 2);
    assert!(!steps.is_empty(), "finished steps are sampled");

    let h15 = store
        .rollups(&RollupQuery {
            province: Some("H15".to_string()),
            ..year()
        })
        .await
        .expect("rollups");
    assert!(!h15.is_empty());
    assert!(h15.rows().all(|(k, _)| k.unit.as_str().starts_with("H15.")));
    let h15_competent = h15.total(|k| k.perspective == Perspective::Competent);
    assert_eq!(
        h15_competent.dossiers.total(),
        2,
        "refused at the counter of H15, and received in 04 for a commune of H15"
    );
    let august = store
        .rollups(&RollupQuery::months(month(2025, 8), month(2025, 8)))
        .await
        .expect("rollups");
    assert!(august.rows().all(|(k, _)| k.month == month(2025, 8)));
    assert_eq!(
        august
            .total(|k| k.perspective == Perspective::Receiving)
            .dossiers
            .total(),
        2
    );
    let per_perspective = store
        .rollups(&RollupQuery {
            perspective: Some(Perspective::Competent),
            ..year()
        })
        .await
        .expect("rollups");
    assert!(per_perspective
        .rows()
        .all(|(k, _)| k.perspective == Perspective::Competent));
}

pub async fn refused_command_changes_no_rollup(store: &dyn Store) {
    import_demo_procedures(store).await;
    let code = lifecycle(store, RECEIVING, COMPETENT, "Lê Thị Hoa", t0()).await;
    let c = cast(RECEIVING, COMPETENT);
    let at = t0() + Duration::hours(3);
    let open_one = applied(
        store,
        new_request(
            open(
                Intake::Counter,
                BIRTH,
                RECEIVING,
                COMPETENT,
                "Phan Văn Khải",
            ),
            &c.receiver,
            at,
        ),
    )
    .await;
    let before = (
        store.rollups(&year()).await.expect("rollups"),
        store.step_rollups(&year()).await.expect("steps"),
        store.scan_facts(&year()).await.expect("scan"),
    );
    assert!(!before.0.is_empty() && !before.1.is_empty());

    refused(
        store,
        request(
            &code,
            None,
            Command::Rate {
                rating: Rating::NotSatisfied,
                comment: None,
            },
            &c.citizen,
            at,
        ),
    )
    .await;
    refused(
        store,
        request(
            &open_one.code,
            Some(7),
            Command::Accept {
                appointment: at + Duration::hours(6),
                pages_digitized: 4,
            },
            &c.receiver,
            at,
        ),
    )
    .await;
    refused(
        store,
        request(
            &open_one.code,
            None,
            Command::Approve,
            &c.leader,
            at + Duration::minutes(1),
        ),
    )
    .await;
    let accept = with_key(
        request(
            &open_one.code,
            Some(1),
            Command::Accept {
                appointment: at + Duration::hours(6),
                pages_digitized: 4,
            },
            &c.receiver,
            at + Duration::minutes(2),
        ),
        "accept-once",
    );
    let first = applied(store, accept.clone()).await;
    let after_accept = (
        store.rollups(&year()).await.expect("rollups"),
        store.step_rollups(&year()).await.expect("steps"),
    );
    assert_ne!(after_accept.0, before.0, "an applied command counts");
    let replay = applied(store, accept).await;
    assert!(replay.replayed && replay.version == first.version);

    let after = (
        store.rollups(&year()).await.expect("rollups"),
        store.step_rollups(&year()).await.expect("steps"),
    );
    assert_eq!(after, after_accept, "a replay changes no row");
    let events = all_events(store).await;
    assert_eq!(after.0, Rollups::from_log(&events));
    assert_eq!(after.1, steps_from_log(&events));
    assert_eq!(store.scan_facts(&year()).await.expect("scan"), after.0);
    let accepted = after.0.total(|k| k.perspective == Perspective::Receiving);
    assert_eq!(accepted.received.total(), 2);
    assert_eq!(accepted.digitized, 1, "pages digitized at acceptance count");
}

pub async fn concurrent_commands_keep_rollups_exact(store: &dyn Store) {
    import_demo_procedures(store).await;
    let runs = (0..12)
        .map(|i| {
            lifecycle(
                store,
                RECEIVING,
                COMPETENT,
                "Concurrent Applicant",
                t0() + Duration::minutes(i),
            )
        })
        .collect();
    let codes = join_all(runs).await;
    assert_eq!(codes.len(), 12);
    let events = all_events(store).await;
    let expected = Rollups::from_log(&events);
    assert_eq!(store.rollups(&year()).await.expect("rollups"), expected);
    assert_steps_agree(store, &year(), &steps_from_log(&events)).await;
    let all = expected.total(|k| k.perspective == Perspective::Receiving);
    assert_eq!(all.returned, 12);
    assert_eq!(all.ratings.very_satisfied, 12);
    assert_eq!(
        expected.len(),
        2,
        "one row per perspective: same unit, procedure and month"
    );
}

pub async fn load_facts_replaces_a_dossiers_facts(store: &dyn Store) {
    import_demo_procedures(store).await;
    let a = lifecycle(store, RECEIVING, COMPETENT, "Lý Thị Lan", t0()).await;
    let b = lifecycle(
        store,
        RECEIVING,
        COMPETENT,
        "Nông Văn Minh",
        vn(2025, 8, 1, 9, 0),
    )
    .await;
    let events_a: Vec<Event> = store
        .events(&a)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.event)
        .collect();
    let events_b: Vec<Event> = store
        .events(&b)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.event)
        .collect();
    let facts_b = DossierFacts::from_events(&events_b).expect("facts");

    let mut changed = DossierFacts::from_events(&events_a).expect("facts");
    changed.rating = Some(Rating::NotSatisfied);
    changed.paid_online = true;
    let mut synthetic = facts_b.clone();
    synthetic.code = DossierCode::parse("04.01273-251003-0042").expect("code");
    synthetic.submitted_on = vn(2025, 10, 3, 9, 0).date_naive();
    let extra_steps = steps_from_log(&events_a);
    let steps_before = store.step_rollups(&year()).await.expect("steps");

    store
        .load_facts(&[changed.clone(), synthetic.clone()], &extra_steps)
        .await
        .expect("load");

    let mut expected = Rollups::new();
    for f in [&changed, &facts_b, &synthetic] {
        expected.add_dossier(f);
    }
    assert_eq!(store.rollups(&year()).await.expect("rollups"), expected);
    assert_eq!(store.scan_facts(&year()).await.expect("scan"), expected);
    assert_eq!(
        store.step_rollups(&year()).await.expect("steps"),
        steps_before.clone() + extra_steps.clone(),
        "loaded steps are added"
    );
    assert_steps_agree(store, &year(), &(steps_before + extra_steps)).await;
    let october = store
        .rollups(&RollupQuery::months(month(2025, 10), month(2025, 10)))
        .await
        .expect("rollups");
    assert_eq!(
        october.get(&RollupKey::for_dossier(&synthetic)[0]),
        expected.get(&RollupKey::for_dossier(&synthetic)[0])
    );

    store
        .load_facts(std::slice::from_ref(&changed), &StepRollups::new())
        .await
        .expect("load again");
    assert_eq!(
        store.rollups(&year()).await.expect("rollups"),
        expected,
        "loading the same facts again changes nothing"
    );

    let c = cast(RECEIVING, COMPETENT);
    refused(
        store,
        request(
            &a,
            None,
            Command::Rate {
                rating: Rating::Satisfied,
                comment: None,
            },
            &c.citizen,
            t0() + Duration::days(1),
        ),
    )
    .await;
    assert_eq!(store.rollups(&year()).await.expect("rollups"), expected);
}

/// The queue counted by the database equals the open dossiers the scope
/// sees counted in memory, for every scope and procedure filter, and at a
/// time when some are overdue.
pub async fn queue_counts_equal_the_open_dossiers(store: &dyn Store) {
    use motcua_domain::access::Scope;

    use crate::{DossierFilter, QueueCount, MAX_LIMIT};

    realistic_log(store).await;
    let mut scopes = Vec::new();
    let mut province = Scope::default();
    province.provinces.insert("04".to_string());
    scopes.push(province);
    for u in [COMPETENT, RECEIVING, OTHER_UNIT] {
        let mut s = Scope::default();
        s.units.insert(unit(u));
        scopes.push(s);
    }
    let mut both = Scope::default();
    both.provinces.insert("H15".to_string());
    both.units.insert(unit(RECEIVING));
    scopes.push(both);
    let mut counted_any = false;
    for scope in &scopes {
        let all = store
            .search_in_scope(
                &DossierFilter {
                    limit: MAX_LIMIT,
                    ..DossierFilter::default()
                },
                scope,
            )
            .await
            .expect("search");
        assert!(
            all.len() < MAX_LIMIT as usize,
            "the reference sees every dossier"
        );
        for procedure_filter in [
            None,
            Some(procedure(BIRTH)),
            Some(procedure(MARITAL_STATUS)),
        ] {
            for now in [t0(), t0() + Duration::days(60)] {
                let want = QueueCount::count(&all, procedure_filter.as_ref(), now);
                let got = store
                    .queue_in_scope(scope, procedure_filter.as_ref(), now)
                    .await
                    .expect("queue");
                assert_eq!(got, want, "{scope:?} {procedure_filter:?} {now}");
                counted_any |= got.iter().any(|q| q.overdue > 0);
            }
        }
    }
    assert!(counted_any, "some open dossier is overdue 60 days later");
    assert!(store
        .queue_in_scope(&Scope::default(), None, t0())
        .await
        .expect("queue")
        .is_empty());
}
