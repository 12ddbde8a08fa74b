//! The report tables of a database whose dossiers were recorded before
//! them (migration 0006) are filled from the event log, and equal what the
//! commands maintain.

use motcua_domain::reports::Month;
use motcua_store::conformance::{import_demo_procedures, lifecycle, t0, vn, COMPETENT, RECEIVING};
use motcua_store::{ReportStore, RollupQuery};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_tables_are_filled_from_the_event_log() {
    let Some((store, fixture)) = motcua_store_postgres::test_store().await else {
        return;
    };
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

    for table in [
        "report_facts",
        "report_rollups",
        "report_step_rollups",
        "report_province_step_rollups",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(store.pool())
            .await
            .expect("forget the report rows");
    }
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
    drop(store);
    fixture.finish().await;
}
