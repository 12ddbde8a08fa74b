//! Sessions are swept: a login deletes the sessions that expired (its own
//! binary, because the sweep runs at most once every few minutes per
//! process). On SQLite and, when `MOTCUA_TEST_DATABASE_URL` is set,
//! PostgreSQL.

#[allow(dead_code)] // helpers shared with the other test binaries
mod common;

use chrono::{Duration, Utc};
use common::TestApp;
use motcua_domain::access::Username;
use motcua_store::{NewSession, Subject};
use serde_json::json;

async fn expired_sessions_go_at_the_next_login(app: &TestApp) {
    motcua_server::bootstrap::ensure_demo_accounts(app.store())
        .await
        .expect("demo officials");
    let now = Utc::now();
    let stale = [7u8; 32];
    app.store()
        .create_session(&NewSession {
            token_hash: stale,
            subject: Subject::Official(Username::parse("tiepnhan.01279").expect("a username")),
            csrf_token: "00".repeat(16),
            created_at: now - Duration::days(10),
            expires_at: now - Duration::days(2),
        })
        .await
        .expect("a stale session");
    let before = app
        .store()
        .session(&stale, now - Duration::days(3))
        .await
        .expect("read");
    assert!(before.is_some(), "stored");
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({
            "username": "tiepnhan.01279",
            "password": motcua_server::auth::bootstrap::DEFAULT_DEMO_PASSWORD
        }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let after = app
        .store()
        .session(&stale, now - Duration::days(3))
        .await
        .expect("read");
    assert!(after.is_none(), "the expired session was deleted");
}

#[tokio::test]
async fn expired_sessions_are_swept_on_sqlite() {
    let app = TestApp::spawn_with(motcua_store_sqlite::test_fixture(), false).await;
    expired_sessions_go_at_the_next_login(&app).await;
    app.finish().await;
}

#[tokio::test]
async fn expired_sessions_are_swept_on_postgres() {
    let Some(fixture) = motcua_store_postgres::test_fixture().await else {
        return;
    };
    let app = TestApp::spawn_with(fixture, false).await;
    expired_sessions_go_at_the_next_login(&app).await;
    app.finish().await;
}
