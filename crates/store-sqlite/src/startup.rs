//! The start-up lock on SQLite: an exclusive lock (`flock`) on the file
//! `DB.startup-lock` beside the database. A store is normally served by one
//! process, but `motcua serve` and another command (or two servers by
//! mistake) may open one file at once; under this lock their migrations and
//! start-up imports run one after the other. It is a separate file, not a
//! transaction on the database, so that holding it never blocks the store's
//! own writer thread.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use motcua_store::{StartupLock, StoreError, StoreResult};

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(".startup-lock");
    PathBuf::from(name)
}

/// Waits for the lock of the database at `db` (blocking).
pub(crate) fn lock_blocking(db: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(db))?;
    file.lock()?;
    Ok(file)
}

/// The guard of a held lock file.
pub(crate) fn guard(file: File) -> StartupLock {
    StartupLock::new(async move {
        if let Err(e) = file.unlock() {
            tracing::warn!(error = %e, "releasing the start-up lock failed; closing its file");
        }
    })
}

/// Waits for the lock off the async runtime.
pub(crate) async fn lock(db: PathBuf) -> StoreResult<StartupLock> {
    let file = tokio::task::spawn_blocking(move || lock_blocking(&db))
        .await
        .map_err(|e| StoreError::Other(anyhow::anyhow!("start-up lock task failed: {e}")))?
        .map_err(|e| StoreError::Other(anyhow::anyhow!("taking the start-up lock: {e}")))?;
    Ok(guard(file))
}
