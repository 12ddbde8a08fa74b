//! Tampering with the stored record on SQLite: the events are insert-only,
//! and an edit made behind the store's back (guard dropped, file edited) is
//! found by the hash chain at the edited event.

use chrono::Duration;
use motcua_domain::dossier::{verify_chain, EventData};
use motcua_store::conformance::{import_demo_procedures, lifecycle, t0, COMPETENT, RECEIVING};
use motcua_store::{DossierStore, StoreError};
use rusqlite::params;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_event_breaks_the_chain_at_its_index() {
    let (store, fixture) = motcua_store_sqlite::test_store();
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

    let raw = rusqlite::Connection::open(store.path()).expect("open the file");
    raw.busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    let guarded = raw
        .execute(
            "UPDATE dossier_events SET body = body WHERE dossier = ?1 AND seq = 3",
            [first.to_string()],
        )
        .expect_err("events are insert-only");
    assert!(guarded.to_string().contains("insert-only"), "{guarded}");
    assert!(raw
        .execute(
            "DELETE FROM dossier_events WHERE dossier = ?1",
            [first.to_string()]
        )
        .is_err());

    raw.execute_batch("DROP TRIGGER dossier_events_no_update")
        .expect("drop the guard");
    // The appraisal of the first dossier (event 3) turned into a refusal.
    let n = raw
        .execute(
            "UPDATE dossier_events SET body = replace(body, '\"eligible\":true', \
             '\"eligible\":false') WHERE dossier = ?1 AND seq = ?2",
            params![first.to_string(), 3],
        )
        .expect("edit");
    assert_eq!(n, 1);
    // The applicant's name in the opening event of the second.
    let n = raw
        .execute(
            "UPDATE dossier_events SET body = replace(body, 'Trần Thị Bích', 'Trần Thị Bính') \
             WHERE dossier = ?1 AND seq = 0",
            [second.to_string()],
        )
        .expect("edit");
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
    assert_eq!(broken.found, hex(&events[3].hash));

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
    raw.execute(
        "UPDATE dossier_events SET body = replace(body, '\"seq\":2', '\"seq\": 2') \
         WHERE dossier = ?1 AND seq = 2",
        [third.to_string()],
    )
    .expect("edit");
    match store.events(&third).await {
        Err(StoreError::Corrupt(why)) => assert!(why.contains("not_canonical"), "{why}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    drop(raw);
    drop(store);
    fixture.finish().await;
}

fn hex(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_log_event_is_refused_on_load() {
    use motcua_domain::log::{LogActor, StreamId};
    use motcua_store::log::{execute, load, NewLogEvent};
    let (store, fixture) = motcua_store_sqlite::test_store();
    let stream = StreamId::new("province_settings", "04");
    let actor = LogActor {
        user: "admin04".into(),
        role: "province_admin".into(),
        unit: Some("04".into()),
    };
    for days in [15, 20] {
        execute::<StoreError>(&store, &stream, &actor, t0(), |_| {
            Ok(vec![NewLogEvent {
                event_type: "settings_adopted".into(),
                reason: Some("thay đổi".into()),
                payload: serde_json::json!({ "unstated_limit_working_days": days }),
            }])
        })
        .await
        .expect("append");
    }
    let raw = rusqlite::Connection::open(store.path()).expect("open the file");
    raw.busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    let guarded = raw
        .execute("UPDATE event_log SET canonical = canonical", [])
        .expect_err("the log is append-only");
    assert!(guarded.to_string().contains("append-only"), "{guarded}");
    assert!(raw.execute("DELETE FROM event_log", []).is_err());

    raw.execute_batch("DROP TRIGGER event_log_no_update")
        .expect("drop the guard");
    let n = raw
        .execute(
            "UPDATE event_log SET canonical = replace(canonical, ':15}', ':5}') WHERE seq = 1",
            [],
        )
        .expect("edit");
    assert_eq!(n, 1);
    let e = load(&store, &stream).await.expect_err("the edit is found");
    assert!(
        matches!(&e, StoreError::Corrupt(m) if m.contains("event 0")),
        "{e:?}"
    );
    drop(raw);
    drop(store);
    fixture.finish().await;
}
