//! The embedded SQLite backend (the default). One writer connection and a
//! few reader connections over a WAL database with `synchronous=FULL`, so an
//! acknowledged write survives a crash and readers never block the writer.
//!
//! Every write goes through one writer thread with group commit (see
//! [`writer`]): concurrent commands share one transaction and one fsync,
//! each in its own savepoint.

mod account_admin;
mod accounts;
mod appointments;
mod dossiers;
mod log;
mod meta;
mod migrate;
mod outbox;
mod report_inputs;
mod reports;
mod startup;
mod units;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use anyhow::Context;
use motcua_store::{StartupLock, Store, StoreError, StoreResult};
use rusqlite::Connection;

const READERS: usize = 4;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 64;

/// A motcua store in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: mpsc::Sender<Box<dyn writer::Job>>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -32768;
         PRAGMA temp_store = MEMORY;",
    )
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`,
    /// under the start-up lock (see [`Store::startup_lock`]).
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating directory {}", dir.display()))?;
        }
        let lock = startup::lock_blocking(path).context("taking the start-up lock")?;
        let store = Self::open_locked(path);
        if let Err(e) = lock.unlock() {
            tracing::warn!(error = %e, "releasing the start-up lock failed; closing its file");
        }
        store
    }

    fn open_locked(path: &Path) -> anyhow::Result<Self> {
        let mut writer = Connection::open(path)
            .with_context(|| format!("opening SQLite database {}", path.display()))?;
        configure(&writer).context("configuring SQLite")?;
        migrate::run(&mut writer).context("migrating the SQLite database")?;
        let counted = writer
            .transaction()
            .map_err(db_err)
            .and_then(|tx| {
                let kinds = dossiers::fill_step_kinds(&tx)?;
                if kinds > 0 {
                    tracing::info!(
                        dossiers = kinds,
                        "dossiers.step_kind filled from the states"
                    );
                }
                let n = reports::backfill(&tx)?;
                tx.commit().map_err(db_err)?;
                Ok(n)
            })
            .map_err(|e| anyhow::anyhow!("filling the report tables from the event log: {e}"))?;
        if counted > 0 {
            tracing::info!(
                dossiers = counted,
                "report tables filled from the event log"
            );
        }
        let readers = (0..READERS)
            .map(|_| {
                let c = Connection::open(path)?;
                configure(&c)?;
                Ok(Mutex::new(c))
            })
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("opening SQLite reader connections")?;
        writer
            .pragma_update(None, "wal_autocheckpoint", writer::WRITER_AUTOCHECKPOINT)
            .context("configuring SQLite")?;
        let checkpointer = Connection::open(path)
            .and_then(|c| configure(&c).map(|()| c))
            .context("opening the SQLite checkpoint connection")?;
        let writer =
            writer::spawn(writer, checkpointer).context("starting the SQLite writer thread")?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer,
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

    /// Runs `f` atomically on the writer thread, inside the current group
    /// commit; its changes are kept when it returns `Ok`.
    pub(crate) async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.write_if(f, |_| true).await
    }

    /// Like [`Self::write`], but keeps the changes only when `keep` accepts
    /// the value (a refused command is rolled back to its savepoint).
    pub(crate) async fn write_if<T, F>(&self, f: F, keep: fn(&T) -> bool) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.send_job(writer::WriteJob::boxed(f, keep, false)).await
    }

    /// Like [`Self::write`], for a bulk job: it runs alone in its own
    /// transaction, without a savepoint (see [`writer::Job::solo`]).
    pub(crate) async fn write_solo<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.send_job(writer::WriteJob::boxed(f, |_| true, true))
            .await
    }

    async fn send_job<T>(
        &self,
        (job, answer): (
            Box<dyn writer::Job>,
            tokio::sync::oneshot::Receiver<StoreResult<T>>,
        ),
    ) -> StoreResult<T> {
        self.inner
            .writer
            .send(job)
            .map_err(|_| StoreError::Other(anyhow::anyhow!("the SQLite writer has stopped")))?;
        answer
            .await
            .map_err(|_| StoreError::Other(anyhow::anyhow!("the SQLite writer dropped a job")))?
    }
}

/// The stable names of the uniqueness constraints, by table (SQLite names
/// the table and columns in its message, not the constraint).
const CONSTRAINTS: &[(&str, &str)] = &[
    ("units", "units_pk"),
    ("procedures", "procedures_pk"),
    ("dossiers", "dossiers_pk"),
    ("event_log", "event_log_stream_seq"),
    ("dossier_events", "dossier_events_pk"),
    ("dossier_sequences", "dossier_sequences_pk"),
    ("idempotency_keys", "idempotency_keys_pk"),
    ("applicant_contacts", "applicant_contacts_pk"),
    ("notification_outbox", "notification_outbox_dedup"),
    ("report_facts", "report_facts_pk"),
    ("report_rollups", "report_rollups_pk"),
    ("report_step_rollups", "report_step_rollups_pk"),
    (
        "report_province_step_rollups",
        "report_province_step_rollups_pk",
    ),
];

/// Maps a driver error to the store's error; a uniqueness violation
/// becomes a conflict named by its constraint.
pub(crate) fn db_err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, Some(msg)) = &e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation {
            if let Some(cols) = msg.strip_prefix("UNIQUE constraint failed: ") {
                let table = cols.split('.').next().unwrap_or(cols);
                let name = CONSTRAINTS
                    .iter()
                    .find(|(t, _)| *t == table)
                    .map_or("unique", |(_, c)| *c);
                return StoreError::Conflict(name.to_string());
            }
        }
    }
    StoreError::Other(anyhow::Error::new(e))
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn startup_lock(&self) -> StoreResult<StartupLock> {
        startup::lock(self.inner.path.clone()).await
    }
}

/// A fresh SQLite store in a new temporary file, for tests.
pub fn test_fixture() -> motcua_store::fixture::Fixture {
    test_store().1
}

/// Like [`test_fixture`], with the concrete store too (for tests that need
/// the database file, e.g. to edit it with raw SQL).
pub fn test_store() -> (SqliteStore, motcua_store::fixture::Fixture) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "motcua-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let store = SqliteStore::open(&dir.join("motcua.db")).expect("open a test SQLite store");
    let fixture = motcua_store::fixture::Fixture::new(Arc::new(store.clone()), async move {
        let _ = std::fs::remove_dir_all(&dir);
    });
    (store, fixture)
}
