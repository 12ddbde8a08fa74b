//! Tampering with the stored record on PostgreSQL: the events are
//! insert-only, and an edit made behind the store's back (trigger disabled
//! by the table owner) is found by the hash chain at the edited event.

use chrono::Duration;
use motcua_domain::dossier::{verify_chain, EventData};
use motcua_store::conformance::{import_demo_procedures, lifecycle, t0, COMPETENT, RECEIVING};
use motcua_store::{DossierStore, StoreError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_event_breaks_the_chain_at_its_index() {
    let Some((store, fixture)) = motcua_store_postgres::test_store().await else {
        return;
    };
    import_demo_procedures(&store).await;
    let first = lifecycle(&store, RECEIVING, COMPETENT, "Nguyễn Văn An", t0()).await;
    let second = lifecycle(
        &store,
        RECEIVING,
        COMPETENT,
        "Trần Thị Bích",
        t0() + Duration::hours(1),
    )
    .await;
    let third = lifecycle(
        &store,
        RECEIVING,
        COMPETENT,
        "Lê Văn Cường",
        t0() + Duration::hours(2),
    )
    .await;
    for code in [&first, &second, &third] {
        verify_chain(&store.events(code).await.expect("events")).expect("intact");
    }

    let pool = store.pool();
    let guarded =
        sqlx::query("UPDATE dossier_events SET body = body WHERE dossier = $1 AND seq = 3")
            .bind(first.to_string())
            .execute(pool)
            .await
            .expect_err("events are insert-only");
    assert!(guarded.to_string().contains("insert-only"), "{guarded}");
    assert!(sqlx::query("DELETE FROM dossier_events WHERE dossier = $1")
        .bind(first.to_string())
        .execute(pool)
        .await
        .is_err());

    sqlx::query("ALTER TABLE dossier_events DISABLE TRIGGER dossier_events_no_change")
        .execute(pool)
        .await
        .expect("disable the guard");
    // The appraisal of the first dossier (event 3) turned into a refusal.
    let n = sqlx::query(
        "UPDATE dossier_events SET body = replace(body, '\"eligible\":true', \
         '\"eligible\":false') WHERE dossier = $1 AND seq = 3",
    )
    .bind(first.to_string())
    .execute(pool)
    .await
    .expect("edit")
    .rows_affected();
    assert_eq!(n, 1);
    // The applicant's name in the opening event of the second.
    let n = sqlx::query(
        "UPDATE dossier_events SET body = replace(body, 'Trần Thị Bích', 'Trần Thị Bính') \
         WHERE dossier = $1 AND seq = 0",
    )
    .bind(second.to_string())
    .execute(pool)
    .await
    .expect("edit")
    .rows_affected();
    assert_eq!(n, 1);

    let events = store
        .events(&first)
        .await
        .expect("still canonical, so readable");
    assert_eq!(
        events[3].event.data,
        EventData::Appraised {
            step: 2,
            eligible: false
        },
        "the edit reads back"
    );
    let broken = verify_chain(&events).expect_err("the chain is broken");
    assert_eq!(broken.index, 3);

    let streams = store.event_streams(None, 10).await.expect("streams");
    assert_eq!(streams.len(), 3);
    for s in &streams {
        let result = verify_chain(&s.events).map_err(|b| b.index);
        let expected = if s.code == first {
            Err(3)
        } else if s.code == second {
            Err(0)
        } else {
            Ok(())
        };
        assert_eq!(result, expected, "{}", s.code);
    }

    // An edit that leaves the body non-canonical is refused on reading.
    sqlx::query(
        "UPDATE dossier_events SET body = replace(body, '\"seq\":2', '\"seq\": 2') \
         WHERE dossier = $1 AND seq = 2",
    )
    .bind(third.to_string())
    .execute(pool)
    .await
    .expect("edit");
    match store.events(&third).await {
        Err(StoreError::Corrupt(why)) => assert!(why.contains("not_canonical"), "{why}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    drop(store);
    fixture.finish().await;
}
