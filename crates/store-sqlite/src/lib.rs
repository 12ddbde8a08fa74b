//! The embedded SQLite backend (the default). One writer connection and a
//! few reader connections over a WAL database with `synchronous=FULL`, so an
//! acknowledged write survives a crash and readers never block the writer.

mod migrate;
mod units;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use motcua_store::{Store, StoreError, StoreResult};
use rusqlite::Connection;

const READERS: usize = 4;

/// A motcua store in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;",
    )
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating directory {}", dir.display()))?;
        }
        let mut writer = Connection::open(path)
            .with_context(|| format!("opening SQLite database {}", path.display()))?;
        configure(&writer).context("configuring SQLite")?;
        migrate::run(&mut writer).context("migrating the SQLite database")?;
        let readers = (0..READERS)
            .map(|_| {
                let c = Connection::open(path)?;
                configure(&c)?;
                Ok(Mutex::new(c))
            })
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("opening SQLite reader connections")?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
            }),
        })
    }

    /// Opens a `sqlite:PATH` / `sqlite://PATH` URL.
    pub fn open_url(url: &str) -> anyhow::Result<Self> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .with_context(|| format!("not a sqlite: URL: {url}"))?;
        let path = path.split('?').next().unwrap_or(path);
        Self::open(Path::new(path))
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on a reader connection off the async runtime.
    pub(crate) async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let i = inner.next_reader.fetch_add(1, Ordering::Relaxed) % inner.readers.len();
            let conn = inner.readers[i]
                .lock()
                .map_err(|_| StoreError::Other(anyhow::anyhow!("reader connection poisoned")))?;
            f(&conn)
        })
        .await
        .map_err(|e| StoreError::Other(anyhow::anyhow!("blocking task failed: {e}")))?
    }

    /// Runs `f` on the writer connection off the async runtime.
    pub(crate) async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner
                .writer
                .lock()
                .map_err(|_| StoreError::Other(anyhow::anyhow!("writer connection poisoned")))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Other(anyhow::anyhow!("blocking task failed: {e}")))?
    }
}

/// Maps a driver error to the store's error.
pub(crate) fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Other(anyhow::Error::new(e))
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

/// A fresh SQLite store in a new temporary file, for tests.
pub fn test_fixture() -> motcua_store::fixture::Fixture {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "motcua-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let store = SqliteStore::open(&dir.join("motcua.db")).expect("open a test SQLite store");
    motcua_store::fixture::Fixture::new(Arc::new(store), async move {
        let _ = std::fs::remove_dir_all(&dir);
    })
}
