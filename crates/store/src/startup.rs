//! The start-up lock: what makes two servers started at once on one empty
//! database safe. Migrations, the reference-data import, the first
//! administrator and the demo data are each "look, then write"; under the
//! lock the second server looks after the first has written, and finds
//! nothing to do.

use std::future::Future;
use std::pin::Pin;

type Release = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Held while start-up work runs (see [`crate::Store::startup_lock`]).
/// [`StartupLock::release`] gives it back; dropping it without that also
/// releases it, when the resource it holds (a database session, an open
/// file) is closed.
#[must_use = "the lock is released as soon as it is dropped"]
pub struct StartupLock {
    /// In a mutex only so that the lock is `Sync`: a `&StartupLock` (the
    /// proof that a caller holds it) may cross an `.await` of a `Send`
    /// future.
    release: std::sync::Mutex<Option<Release>>,
}

impl StartupLock {
    /// A lock held until `release` runs (or is dropped).
    pub fn new(release: impl Future<Output = ()> + Send + 'static) -> Self {
        StartupLock {
            release: std::sync::Mutex::new(Some(Box::pin(release))),
        }
    }

    /// Releases the lock.
    pub async fn release(self) {
        let release = match self.release.into_inner() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(r) = release {
            r.await;
        }
    }
}

impl std::fmt::Debug for StartupLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartupLock").finish_non_exhaustive()
    }
}
