//! The report tables of a database whose dossiers were recorded before
//! them (migration 0006) are filled from the event log on open, and equal
//! what the commands maintain.

use motcua_domain::dossier::DossierCode;
use motcua_domain::reports::Month;
use motcua_store::conformance::{
    dossiers_at_each_step, import_demo_procedures, lifecycle, t0, vn, COMPETENT, RECEIVING,
};
use motcua_store::{DossierFilter, DossierStore, DossierSummary};
use motcua_store::{ReportStore, RollupQuery};
use motcua_store_sqlite::SqliteStore;

const FORGET: &str = "DELETE FROM report_facts; DELETE FROM report_rollups; \
                      DELETE FROM report_step_rollups; \
                      DELETE FROM report_province_step_rollups;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_tables_are_filled_from_the_event_log() {
    let (store, fixture) = motcua_store_sqlite::test_store();
    import_demo_procedures(&store).await;
    lifecycle(&store, RECEIVING, COMPETENT, "Nguyễn Văn An", t0()).await;
    lifecycle(
        &store,
        RECEIVING,
        COMPETENT,
        "Trần Thị Bích",
        vn(2025, 8, 1, 9, 0),
    )
    .await;
    let q = RollupQuery::months(
        Month::new(2025, 1).expect("month"),
        Month::new(2025, 12).expect("month"),
    );
    let rollups = store.rollups(&q).await.expect("rollups");
    let steps = store.step_rollups(&q).await.expect("steps");
    let province_steps = store.province_step_rollups(&q).await.expect("steps");
    assert_eq!(province_steps, steps.by_province());
    assert_eq!(rollups.len(), 4, "two months, two perspectives");
    assert!(!steps.is_empty());

    let raw = rusqlite::Connection::open(store.path()).expect("open the file");
    raw.busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    raw.execute_batch(FORGET).expect("forget the report rows");
    assert!(store.rollups(&q).await.expect("rollups").is_empty());

    assert_eq!(store.fill_reports().await.expect("fill"), 2);
    assert_eq!(store.rollups(&q).await.expect("rollups"), rollups);
    assert_eq!(store.step_rollups(&q).await.expect("steps"), steps);
    assert_eq!(
        store.province_step_rollups(&q).await.expect("steps"),
        province_steps
    );
    assert_eq!(store.scan_facts(&q).await.expect("scan"), rollups);
    assert_eq!(
        store.fill_reports().await.expect("fill"),
        0,
        "nothing to do once facts exist"
    );

    raw.execute_batch(FORGET).expect("forget the report rows");
    let reopened = SqliteStore::open(store.path()).expect("reopen");
    assert_eq!(reopened.rollups(&q).await.expect("rollups"), rollups);
    assert_eq!(reopened.step_rollups(&q).await.expect("steps"), steps);
    drop((raw, reopened, store));
    fixture.finish().await;
}

/// Open dossiers written before `dossiers.step_kind` existed (migration
/// 0009) get it from their state; the queue then shows the same kinds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_kinds_are_filled_from_the_states() {
    let (store, fixture) = motcua_store_sqlite::test_store();
    import_demo_procedures(&store).await;
    let codes = dossiers_at_each_step(&store, RECEIVING, COMPETENT, t0()).await;
    let before = summaries(&store, &codes).await;
    assert!(
        before.iter().filter(|s| s.step_kind.is_some()).count() >= 2,
        "open dossiers at steps: {before:?}"
    );
    for s in &before {
        let state = store.dossier(&s.code).await.expect("read").expect("stored");
        let d = state.dossier.expect("a dossier");
        let want = d
            .current_step()
            .filter(|_| !d.status.is_final())
            .map(|st| st.kind);
        assert_eq!(s.step_kind, want, "{}", s.code);
    }
    let raw = rusqlite::Connection::open(store.path()).expect("open the file");
    raw.busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    raw.execute_batch("UPDATE dossiers SET step_kind = NULL")
        .expect("forget the kinds");
    assert!(summaries(&store, &codes)
        .await
        .iter()
        .all(|s| s.step_kind.is_none()));
    let filled = store.fill_step_kinds().await.expect("fill");
    assert_eq!(
        filled as usize,
        before.iter().filter(|s| s.step_kind.is_some()).count()
    );
    assert_eq!(summaries(&store, &codes).await, before);
    assert_eq!(
        store.fill_step_kinds().await.expect("fill"),
        0,
        "nothing left"
    );
    drop((raw, store));
    fixture.finish().await;
}

async fn summaries(store: &dyn DossierStore, codes: &[DossierCode]) -> Vec<DossierSummary> {
    let mut out = Vec::new();
    for code in codes {
        let found = store
            .search(&DossierFilter {
                code: Some(code.to_string()),
                ..DossierFilter::default()
            })
            .await
            .expect("search");
        out.extend(found.into_iter().filter(|s| s.code == *code));
    }
    assert_eq!(out.len(), codes.len());
    out
}
