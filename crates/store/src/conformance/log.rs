//! Conformance checks of the event log: streams append at their version,
//! a lost race writes nothing, the whole log reads in order, and the
//! stored chain verifies through [`crate::log::load`].

use chrono::{DateTime, TimeZone, Utc};
use motcua_domain::log::{LogActor, StreamId};

use super::dossiers::join_all;
use crate::log::{execute, load, NewLogEvent, STREAM_VERSION_CONFLICT};
use crate::{Store, StoreError};

fn at(second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 3, 0, second)
        .single()
        .expect("valid test time")
}

fn actor() -> LogActor {
    LogActor {
        user: "admin04".into(),
        role: "province_admin".into(),
        unit: Some("04".into()),
    }
}

fn one(n: u32) -> Vec<NewLogEvent> {
    vec![NewLogEvent {
        event_type: "settings_adopted".into(),
        reason: Some(format!("thay đổi {n}")),
        payload: serde_json::json!({ "n": n, "tên": "Tết" }),
    }]
}

pub async fn log_streams_append_in_order_and_read_back(store: &dyn Store) {
    let a = StreamId::new("province_settings", "04");
    let b = StreamId::new("province_settings", "01");
    assert_eq!(load(store, &a).await.expect("load").version, 0);
    for n in 1..=3 {
        let written = execute::<StoreError>(store, &a, &actor(), at(n), |s| {
            assert_eq!(s.version, u64::from(n) - 1);
            Ok(one(n))
        })
        .await
        .expect("append");
        assert_eq!(written[0].seq, u64::from(n));
    }
    execute::<StoreError>(store, &b, &actor(), at(9), |_| Ok(one(9)))
        .await
        .expect("append to another stream");

    let loaded = load(store, &a).await.expect("load");
    assert_eq!(loaded.version, 3);
    let ns: Vec<u64> = loaded
        .events
        .iter()
        .map(|e| e.payload["n"].as_u64().expect("n"))
        .collect();
    assert_eq!(ns, vec![1, 2, 3]);
    assert_eq!(loaded.events[1].reason.as_deref(), Some("thay đổi 2"));
    assert_eq!(loaded.events[0].payload["tên"], "Tết");
    assert_eq!(loaded.events[2].at, at(3));

    let all = store.read_log(0, 100).await.expect("read log");
    assert_eq!(all.len(), 4);
    assert!(all.windows(2).all(|w| w[0].position < w[1].position));
    assert_eq!(all[3].stream, b);
    let rest = store.read_log(all[1].position, 2).await.expect("read on");
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[0].position, all[2].position);

    // A refusal writes nothing.
    let refused = execute::<StoreError>(store, &a, &actor(), at(20), |_| {
        Err(StoreError::Conflict("refused".into()))
    })
    .await;
    assert!(matches!(refused, Err(StoreError::Conflict(c)) if c == "refused"));
    assert_eq!(load(store, &a).await.expect("load").version, 3);
}

pub async fn a_stale_append_writes_nothing(store: &dyn Store) {
    let s = StreamId::new("province_settings", "04");
    execute::<StoreError>(store, &s, &actor(), at(1), |_| Ok(one(1)))
        .await
        .expect("first");
    let stale = load(store, &s).await.expect("load");
    execute::<StoreError>(store, &s, &actor(), at(2), |_| Ok(one(2)))
        .await
        .expect("second");
    // Appending at the version loaded before the second write conflicts.
    let mut stored = store.load_stream(&s).await.expect("stored");
    let mut copy = stored.pop().expect("one event");
    copy.seq = stale.version + 1;
    let e = store
        .append_stream(&s, stale.version, &[copy])
        .await
        .expect_err("stale version");
    assert!(matches!(e, StoreError::Conflict(c) if c == STREAM_VERSION_CONFLICT));
    assert_eq!(load(store, &s).await.expect("load").version, 2);
}

pub async fn concurrent_appends_to_one_stream_serialize(store: &dyn Store) {
    let s = StreamId::new("province_settings", "04");
    let results =
        join_all(
            (0..8u32)
                .map(|n| {
                    let s = s.clone();
                    async move {
                        execute::<StoreError>(store, &s, &actor(), at(n), |_| Ok(one(n))).await
                    }
                })
                .collect::<Vec<_>>(),
        )
        .await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert!(won >= 1, "at least one append lands");
    for r in &results {
        if let Err(e) = r {
            assert!(
                matches!(e, StoreError::Conflict(c) if c == STREAM_VERSION_CONFLICT),
                "a lost race is a version conflict, not {e:?}"
            );
        }
    }
    let loaded = load(store, &s).await.expect("the chain still verifies");
    assert_eq!(loaded.version as usize, won);
}

pub async fn a_rewritten_log_event_is_detected(store: &dyn Store) {
    let s = StreamId::new("province_settings", "04");
    for n in 1..=2 {
        execute::<StoreError>(store, &s, &actor(), at(n), |_| Ok(one(n)))
            .await
            .expect("append");
    }
    // A stored event replayed under another stream's name is refused.
    let mut stored = store.load_stream(&s).await.expect("stored");
    let other = StreamId::new("province_settings", "01");
    for e in &mut stored {
        e.stream = other.clone();
    }
    store
        .append_stream(&other, 0, &stored)
        .await
        .expect("the backend stores what it is given");
    let e = load(store, &other).await.expect_err("foreign events");
    assert!(matches!(e, StoreError::Corrupt(_)), "{e:?}");
}
