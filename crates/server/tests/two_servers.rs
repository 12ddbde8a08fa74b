//! Two (or more) servers on one database (issue 10, items 12 and 13): each
//! server is its own store connection pool and its own application on port
//! 0, with its own data directory, as two `motcua serve` processes would
//! be. PostgreSQL only (run when `MOTCUA_TEST_DATABASE_URL` is set), except
//! the last test, which opens one SQLite file twice.

#[allow(dead_code)]
mod common;

use std::sync::Arc;

use common::TestApp;
use motcua_store::fixture::Fixture;
use motcua_store_postgres::{PgStore, TEST_URL_VAR};

/// A fresh schema name and the database URL, or None (said out loud).
fn fresh_schema() -> Option<(String, String)> {
    let Ok(url) = std::env::var(TEST_URL_VAR) else {
        motcua_store::fixture::say_not_run("PostgreSQL", &format!("{TEST_URL_VAR} is not set"));
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Some((url, format!("motcua_two_{}_{nanos}", std::process::id())))
}

async fn connect(url: &str, schema: &str) -> PgStore {
    PgStore::connect(url, Some(schema))
        .await
        .unwrap_or_else(|e| panic!("{TEST_URL_VAR}={url} is set but unusable: {e:#}"))
}

/// A server on `schema`; finishing it closes its pool (the schema is
/// dropped by the test).
async fn server(url: &str, schema: &str) -> TestApp {
    let store = connect(url, schema).await;
    let pool = store.pool().clone();
    TestApp::spawn(Fixture::new(Arc::new(store), async move {
        pool.close().await;
    }))
    .await
}

async fn drop_schema(url: &str, schema: &str) {
    PgStore::drop_schema(url, schema)
        .await
        .expect("drop the test schema");
}

/// A PDF of `size` bytes (recognised by its signature).
fn pdf(size: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    while b.len() + 32 < size {
        b.extend_from_slice(format!("% filler {:020}\n", b.len()).as_bytes());
    }
    b.extend_from_slice(b"trailer << /Root 1 0 R >>\n%%EOF\n");
    b
}

async fn upload(
    app: &TestApp,
    code: &str,
    user: &str,
    if_match: Option<u64>,
    body: Vec<u8>,
) -> u16 {
    let mut req = app
        .client
        .post(app.url(&format!(
            "/api/v1/dossiers/{code}/documents?name=Gi%E1%BA%A5y%20ch%E1%BB%A9ng%20sinh&kind=component"
        )))
        .header("x-actor-role", "applicant")
        .header("x-actor-user", user)
        .header("content-type", "application/octet-stream")
        .body(body);
    if let Some(v) = if_match {
        req = req.header("if-match", v.to_string());
    }
    req.send().await.expect("request").status().as_u16()
}

async fn download(app: &TestApp, sha: &str) -> (u16, Vec<u8>) {
    let res = app
        .client
        .get(app.url(&format!("/api/v1/documents/{sha}")))
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.bytes().await.expect("bytes").to_vec())
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_attached_through_one_server_is_served_by_the_other() {
    let Some((url, schema)) = fresh_schema() else {
        return;
    };
    let a = server(&url, &schema).await;
    let b = server(&url, &schema).await;
    a.import_catalogue().await;
    let (status, first) = a.submit_online("1.004873", None).await;
    assert_eq!(status, 201, "{first}");
    let code = first["code"].as_str().expect("a code").to_string();

    // 2.5 MiB: stored in three pieces.
    let file = pdf(5 * 512 * 1024);
    assert_eq!(
        upload(&a, &code, "citizen.001", None, file.clone()).await,
        200
    );

    let (status, view) = b.get_json(&format!("/api/v1/dossiers/{code}")).await;
    assert_eq!(status, 200);
    let docs = view["dossier"]["documents"].as_array().expect("documents");
    assert_eq!(docs.len(), 1, "{view}");
    let sha = docs[0]["sha256"].as_str().expect("sha").to_string();
    assert_eq!(sha, sha256(&file));
    let (status, bytes) = download(&b, &sha).await;
    assert_eq!(status, 200, "the other server serves the document");
    assert!(bytes == file, "the other server serves the same bytes");
    let (status, bytes) = download(&a, &sha).await;
    assert_eq!((status, bytes == file), (200, true));

    a.finish().await;
    b.finish().await;
    drop_schema(&url, &schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_attachment_stores_no_bytes() {
    let Some((url, schema)) = fresh_schema() else {
        return;
    };
    let a = server(&url, &schema).await;
    let b = server(&url, &schema).await;
    a.import_catalogue().await;
    let (_, first) = a.submit_online("1.004873", None).await;
    let code = first["code"].as_str().expect("a code").to_string();

    let file = pdf(4096);
    let sha = sha256(&file);
    assert_eq!(
        upload(&a, &code, "citizen.001", Some(7), file.clone()).await,
        409,
        "a stale version is refused"
    );
    assert_eq!(
        upload(&a, &code, "someone.else", None, file.clone()).await,
        403,
        "only the applicant attaches"
    );
    for app in [&a, &b] {
        let (status, _) = download(app, &sha).await;
        assert_eq!(status, 404, "no bytes are kept without their event");
    }
    let (_, view) = b.get_json(&format!("/api/v1/dossiers/{code}")).await;
    assert_eq!(view["dossier"]["documents"], serde_json::json!([]));

    assert_eq!(
        upload(&b, &code, "citizen.001", Some(1), file.clone()).await,
        200
    );
    let (status, bytes) = download(&a, &sha).await;
    assert_eq!((status, bytes == file), (200, true));

    a.finish().await;
    b.finish().await;
    drop_schema(&url, &schema).await;
}

/// What `motcua serve` does before it listens, for one server.
async fn start(url: String, schema: String, dir: std::path::PathBuf) -> anyhow::Result<PgStore> {
    let store = PgStore::connect(&url, Some(&schema)).await?;
    motcua_server::bootstrap::prepare(Arc::new(store.clone()), &dir).await?;
    Ok(store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_started_at_once_on_an_empty_database_all_start() {
    let Some((url, schema)) = fresh_schema() else {
        return;
    };
    let starts: Vec<_> = (0..4)
        .map(|i| {
            let dir = std::env::temp_dir().join(format!("{schema}_{i}"));
            tokio::spawn(start(url.clone(), schema.clone(), dir))
        })
        .collect();
    let mut stores = Vec::new();
    for s in starts {
        let store = s
            .await
            .expect("the start-up task")
            .unwrap_or_else(|e| panic!("{e:#}"));
        stores.push(store);
    }
    let shipped = motcua_server::bootstrap::shipped_units().expect("units");
    let version = motcua_refdata::units_data_version();
    for store in &stores {
        assert_eq!(
            motcua_store::UnitStore::units_data_version(store)
                .await
                .expect("version")
                .as_deref(),
            Some(version.as_str())
        );
        let units = motcua_store::UnitStore::load_units(store)
            .await
            .expect("units");
        assert_eq!(units.units.len(), shipped.units.len());
        assert!(!motcua_server::bootstrap::ensure_reference_data(store)
            .await
            .expect("again"));
    }
    for store in stores {
        store.pool().close().await;
    }
    drop_schema(&url, &schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_the_start_up_lock_the_units_are_imported_once() {
    let Some((url, schema)) = fresh_schema() else {
        return;
    };
    let first = connect(&url, &schema).await;
    let mut stores = vec![first];
    for _ in 1..4 {
        stores.push(connect(&url, &schema).await);
    }
    let imports: Vec<_> = stores
        .iter()
        .cloned()
        .map(|store| {
            tokio::spawn(async move {
                let lock = motcua_store::Store::startup_lock(&store).await?;
                let imported = motcua_server::bootstrap::ensure_reference_data(&store).await;
                lock.release().await;
                imported
            })
        })
        .collect();
    let mut imported = 0;
    for i in imports {
        if i.await.expect("task").unwrap_or_else(|e| panic!("{e:#}")) {
            imported += 1;
        }
    }
    assert_eq!(imported, 1, "exactly one server imports the units");
    for store in stores {
        store.pool().close().await;
    }
    drop_schema(&url, &schema).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stores_opened_at_once_on_one_file_all_start() {
    let dir = std::env::temp_dir().join(format!(
        "motcua-two-sqlite-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let db = dir.join("motcua.db");
    let starts: Vec<_> = (0..3)
        .map(|i| {
            let db = db.clone();
            let blobs = dir.join(format!("blobs-{i}"));
            tokio::spawn(async move {
                let store = tokio::task::spawn_blocking(move || {
                    motcua_store_sqlite::SqliteStore::open(&db)
                })
                .await??;
                motcua_server::bootstrap::prepare(Arc::new(store), &blobs).await?;
                anyhow::Ok(())
            })
        })
        .collect();
    for s in starts {
        s.await.expect("task").unwrap_or_else(|e| panic!("{e:#}"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
