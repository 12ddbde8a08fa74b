//! The report tables of a database whose dossiers were recorded before
//! them (migration 0006) are filled from the event log on open, and equal
//! what the commands maintain.

use motcua_domain::reports::Month;
use motcua_store::conformance::{import_demo_procedures, lifecycle, t0, vn, COMPETENT, RECEIVING};
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
