//! `TestApp`: the real application on 127.0.0.1:0 over a fresh store.

pub mod lifecycle;

use std::sync::Arc;

use motcua_server::auth::MemoryCodeSender;
use motcua_store::fixture::Fixture;

/// Sends `req`: the status and the JSON body (null when there is none).
#[allow(dead_code)] // used by the account and report tests
pub async fn send(req: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// The one-time codes "sent" to citizens (read by tests/auth.rs).
    #[allow(dead_code)]
    pub codes: Arc<MemoryCodeSender>,
    /// The sign-in settings and guard the server runs with.
    #[allow(dead_code)]
    pub auth: motcua_server::auth::Auth,
    fixture: Fixture,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// The application with `insecure_actor_headers` on: the engine's API
    /// tests act through the `X-Actor-*` headers.
    pub async fn spawn(fixture: Fixture) -> TestApp {
        Self::spawn_with(fixture, true).await
    }

    /// The application as deployed when `insecure_actor_headers` is false:
    /// every request needs a session.
    pub async fn spawn_with(fixture: Fixture, insecure_actor_headers: bool) -> TestApp {
        Self::spawn_custom(fixture, insecure_actor_headers, |s| s).await
    }

    /// The application with `configure` applied to its state (the
    /// development actor headers off unless it turns them on).
    #[allow(dead_code)] // used by tests/appointments.rs
    pub async fn spawn_configured(
        fixture: Fixture,
        configure: impl FnOnce(motcua_server::AppState) -> motcua_server::AppState,
    ) -> TestApp {
        Self::spawn_custom(fixture, false, configure).await
    }

    /// As deployed, with the state changed by `configure` (sign-in
    /// settings, another code sender) before it is served.
    #[allow(dead_code)] // used by tests/auth_hardening.rs
    pub async fn spawn_custom(
        fixture: Fixture,
        insecure_actor_headers: bool,
        configure: impl FnOnce(motcua_server::AppState) -> motcua_server::AppState,
    ) -> TestApp {
        let blobs = std::env::temp_dir().join(format!(
            "motcua-test-blobs-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        let state = motcua_server::bootstrap::prepare(fixture.shared(), &blobs)
            .await
            .expect("prepare the store");
        let codes = Arc::new(MemoryCodeSender::new());
        let state = configure(
            state
                .with_insecure_actor_headers(insecure_actor_headers)
                .with_code_sender(codes.clone()),
        );
        let auth = state.auth.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, motcua_server::service(state)).await;
        });
        TestApp {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            codes,
            auth,
            fixture,
            server,
        }
    }

    /// Creates an official with `password` and `roles` (role, unit)
    /// directly in the store.
    #[allow(dead_code)] // used by the account and report tests
    pub async fn create_official(&self, username: &str, password: &str, roles: &[(&str, &str)]) {
        use motcua_domain::access::{Assignment, StaffRole, Username};
        use motcua_domain::dossier::UnitId;
        let assignments = roles
            .iter()
            .map(|(r, u)| {
                Assignment::new(
                    StaffRole::parse(r).expect("role"),
                    UnitId::parse(u).expect("unit"),
                )
                .expect("assignment")
            })
            .collect();
        let new = motcua_store::NewOfficial {
            username: Username::parse(username).expect("username"),
            display_name: format!("Cán bộ {username}"),
            password_hash: motcua_server::auth::secret::hash_password(password)
                .await
                .expect("hash"),
            assignments,
        };
        self.store()
            .create_official(&new, chrono::Utc::now())
            .await
            .expect("create official");
    }

    #[allow(dead_code)] // used by tests/auth.rs
    pub fn store(&self) -> &dyn motcua_store::Store {
        self.fixture.store()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let res = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.expect("a JSON body"))
    }

    pub async fn finish(self) {
        self.server.abort();
        let _ = self.server.await;
        self.fixture.finish().await;
    }
}
