//! Test fixtures: a fresh store per test, cleaned up afterwards. Used by the
//! conformance suite and by the API tests of the server, on every backend.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::Store;

type Cleanup = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A fresh, empty store and what removes it.
pub struct Fixture {
    store: Option<Arc<dyn Store>>,
    cleanup: Option<Cleanup>,
}

impl Fixture {
    pub fn new(store: Arc<dyn Store>, cleanup: impl Future<Output = ()> + Send + 'static) -> Self {
        Fixture {
            store: Some(store),
            cleanup: Some(Box::pin(cleanup)),
        }
    }

    pub fn store(&self) -> &dyn Store {
        self.store
            .as_deref()
            .expect("store is present until finish")
    }

    pub fn shared(&self) -> Arc<dyn Store> {
        self.store.clone().expect("store is present until finish")
    }

    /// Removes the database. A test that panics before this leaves it behind
    /// under a name that says it is a test's.
    pub async fn finish(mut self) {
        drop(self.store.take());
        if let Some(c) = self.cleanup.take() {
            c.await;
        }
    }
}

/// Tells the person running the tests, on the real stderr (not captured by
/// the test harness), that a backend's tests did not run, once per process.
pub fn say_not_run(backend: &str, why: &str) {
    use std::io::Write;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\n*** {backend} tests NOT RUN: {why} ***\n"
        );
    });
}
