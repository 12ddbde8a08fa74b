//! `TestApp`: the real application on 127.0.0.1:0 over a fresh store.

pub mod lifecycle;

use motcua_store::fixture::Fixture;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    fixture: Fixture,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    pub async fn spawn(fixture: Fixture) -> TestApp {
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
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, motcua_server::app(state)).await;
        });
        TestApp {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            fixture,
            server,
        }
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
