//! Attachments and the start-up lock (issue 10, items 12 and 13): a
//! backend's shared blob store writes a command's staged bytes in the
//! command's transaction; a backend without one refuses staged bytes; two
//! holders of the start-up lock never overlap.

use std::sync::atomic::{AtomicBool, Ordering};

use motcua_domain::dossier::{Command, DocumentKind, DocumentRef};

use super::{applied, cast, import_demo_procedures, new_request, open, request, t0};
use super::{COMPETENT, MARITAL_STATUS, RECEIVING};
use crate::blobs::{PendingBlob, CHUNK_BYTES};
use crate::{CommandError, Intake, Store};

fn attach(blob: &PendingBlob) -> Command {
    Command::AttachDocument {
        document: DocumentRef {
            sha256: blob.meta().sha256.clone(),
            size: blob.meta().size,
            media_type: "application/pdf".to_string(),
            name: "Giấy chứng sinh".to_string(),
            kind: DocumentKind::Component,
            electronic: false,
        },
    }
}

pub async fn staged_blobs_are_written_with_their_command(store: &dyn Store) {
    import_demo_procedures(store).await;
    let cast = cast(RECEIVING, COMPETENT);
    let opened = applied(
        store,
        new_request(
            open(
                Intake::Online,
                MARITAL_STATUS,
                RECEIVING,
                COMPETENT,
                "Lò Văn Hạnh",
            ),
            &cast.citizen,
            t0(),
        ),
    )
    .await;
    let bytes: Vec<u8> = (0..CHUNK_BYTES * 2 + 12_345)
        .map(|i| (i % 251) as u8)
        .collect();
    let blob = PendingBlob::new(bytes.clone());
    let sha = blob.meta().sha256.clone();
    let staged = |expected: Option<u64>| {
        let mut r = request(&opened.code, expected, attach(&blob), &cast.receiver, t0());
        r.blobs = vec![blob.clone()];
        r
    };

    let Some(blobs) = store.shared_blobs() else {
        assert!(
            store.execute(staged(None)).await.is_err(),
            "a backend without a blob store refuses staged bytes"
        );
        assert_eq!(store.events(&opened.code).await.expect("events").len(), 1);
        return;
    };
    let answer = store.execute(staged(Some(7))).await.expect("storage works");
    assert!(
        matches!(answer, Err(CommandError::VersionConflict { .. })),
        "{answer:?}"
    );
    assert_eq!(
        blobs.get(&sha).await.expect("get"),
        None,
        "a refused command stores none of its bytes"
    );
    let done = applied(store, staged(Some(opened.version))).await;
    assert_eq!(done.version, opened.version + 1);
    assert!(
        blobs.get(&sha).await.expect("get").as_deref() == Some(&bytes[..]),
        "the bytes are stored with the event, in pieces, and read back whole"
    );
    assert_eq!(
        blobs.put(bytes.clone()).await.expect("put again"),
        blob.meta().clone()
    );
    let small = blobs.put(b"%PDF-1.4 small".to_vec()).await.expect("put");
    assert_eq!(
        blobs.get(&small.sha256).await.expect("get").as_deref(),
        Some(&b"%PDF-1.4 small"[..])
    );
    assert_eq!(blobs.get(&"0".repeat(64)).await.expect("get"), None);
    assert_eq!(blobs.get("../../etc/passwd").await.expect("get"), None);
}

pub async fn the_startup_lock_has_one_holder_at_a_time(store: &dyn Store) {
    let first = store.startup_lock().await.expect("the lock");
    let released = AtomicBool::new(false);
    let second = async {
        let lock = store.startup_lock().await.expect("the lock again");
        let after_release = released.load(Ordering::SeqCst);
        lock.release().await;
        after_release
    };
    let release_first = async {
        tokio::task::yield_now().await;
        released.store(true, Ordering::SeqCst);
        first.release().await;
    };
    let (after_release, ()) = tokio::join!(second, release_first);
    assert!(after_release, "the second holder waited for the first");
    let again = store.startup_lock().await.expect("free again");
    again.release().await;
}
