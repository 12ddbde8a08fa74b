//! The PostgreSQL backend, for production and scale-out. Tables carry the
//! province code so that they can be partitioned or distributed by province.

mod account_admin;
mod accounts;
mod appointments;
mod blobs;
mod dossiers;
mod log;
mod meta;
mod outbox;
mod report_inputs;
mod reports;
mod startup;
mod units;

use std::str::FromStr;

use anyhow::Context;
use motcua_store::{StartupLock, Store, StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

pub use blobs::PgBlobStore;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A motcua store in a PostgreSQL database (optionally in one schema).
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The schema named at connect (the key of the start-up lock).
    schema: Option<String>,
}

impl PgStore {
    /// Connects to `url` and migrates. With `schema`, every connection uses
    /// that schema (created if missing): tests get an isolated namespace each.
    /// The schema's creation, the migrations and the fills run under the
    /// start-up lock, so that servers started at once migrate one after
    /// the other.
    pub async fn connect(url: &str, schema: Option<&str>) -> anyhow::Result<Self> {
        let mut options = PgConnectOptions::from_str(url)
            .with_context(|| "parsing the PostgreSQL URL".to_string())?;
        if let Some(schema) = schema {
            anyhow::ensure!(
                schema
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "invalid schema name {schema:?}"
            );
        }
        let lock = PgConnection::connect_with(&options)
            .await
            .context("connecting to PostgreSQL")?;
        let lock = startup::lock(lock, schema)
            .await
            .context("taking the start-up lock")?;
        if let Some(schema) = schema {
            options = options.options([("search_path", schema)]);
        }
        let store = Self::connect_locked(options, schema).await;
        lock.release().await;
        store
    }

    async fn connect_locked(
        options: PgConnectOptions,
        schema: Option<&str>,
    ) -> anyhow::Result<Self> {
        if let Some(schema) = schema {
            let mut admin = PgConnection::connect_with(&options)
                .await
                .context("connecting to PostgreSQL")?;
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .execute(&mut admin)
                .await
                .context("creating the schema")?;
            admin.close().await.context("closing a connection")?;
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await
            .context("connecting to PostgreSQL")?;
        MIGRATOR
            .run(&pool)
            .await
            .context("migrating the PostgreSQL database")?;
        let store = PgStore {
            pool,
            schema: schema.map(str::to_string),
        };
        let kinds = store.fill_step_kinds().await?;
        if kinds > 0 {
            tracing::info!(
                dossiers = kinds,
                "dossiers.step_kind filled from the states"
            );
        }
        let counted = store.fill_reports().await?;
        if counted > 0 {
            tracing::info!(
                dossiers = counted,
                "report tables filled from the event log"
            );
        }
        Ok(store)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Fills the report tables from the event log if the database has
    /// dossiers and no report facts (done on connect; see migration 0006).
    /// Returns the number of dossiers counted (0: nothing to do).
    pub async fn fill_reports(&self) -> anyhow::Result<u64> {
        reports::backfill(&self.pool)
            .await
            .map_err(|e| anyhow::anyhow!("filling the report tables from the event log: {e}"))
    }

    /// Fills `dossiers.step_kind` of open dossiers written before it
    /// existed (done on connect; see migration 0009). Returns the number of
    /// rows filled.
    pub async fn fill_step_kinds(&self) -> anyhow::Result<u64> {
        dossiers::fill_step_kinds(&self.pool)
            .await
            .map_err(|e| anyhow::anyhow!("filling dossiers.step_kind: {e}"))
    }

    /// Drops `schema` and everything in it (test clean-up).
    pub async fn drop_schema(url: &str, schema: &str) -> anyhow::Result<()> {
        anyhow::ensure!(
            schema
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "invalid schema name {schema:?}"
        );
        let pool = PgPoolOptions::new().max_connections(1).connect(url).await?;
        sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .execute(&pool)
            .await?;
        pool.close().await;
        Ok(())
    }
}

/// Maps a driver error to the store's error; unique violations become
/// conflicts named by their constraint.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            return StoreError::Conflict(d.constraint().unwrap_or("unique").to_string());
        }
    }
    StoreError::Other(anyhow::Error::new(e))
}

#[async_trait::async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn startup_lock(&self) -> StoreResult<StartupLock> {
        let conn = self.pool.acquire().await.map_err(db_err)?.detach();
        startup::lock(conn, self.schema.as_deref()).await
    }

    fn shared_blobs(&self) -> Option<std::sync::Arc<dyn motcua_store::blobs::BlobStore>> {
        Some(std::sync::Arc::new(PgBlobStore::new(self.pool.clone())))
    }
}

/// The environment variable naming the PostgreSQL server the tests use.
pub const TEST_URL_VAR: &str = "MOTCUA_TEST_DATABASE_URL";

/// A fresh PostgreSQL store in a new schema of the database named by
/// `MOTCUA_TEST_DATABASE_URL`, or `None` (said out loud) when it is unset.
/// When it is set but unusable, the test fails: CI must test both.
pub async fn test_fixture() -> Option<motcua_store::fixture::Fixture> {
    test_store().await.map(|(_, fixture)| fixture)
}

/// Like [`test_fixture`], with the concrete store too (for tests that need
/// raw SQL through [`PgStore::pool`]).
pub async fn test_store() -> Option<(PgStore, motcua_store::fixture::Fixture)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let Ok(url) = std::env::var(TEST_URL_VAR) else {
        motcua_store::fixture::say_not_run("PostgreSQL", &format!("{TEST_URL_VAR} is not set"));
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let schema = format!(
        "motcua_test_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos
    );
    let store = PgStore::connect(&url, Some(&schema))
        .await
        .unwrap_or_else(|e| panic!("{TEST_URL_VAR}={url} is set but unusable: {e:#}"));
    let cleanup = store.clone();
    let fixture =
        motcua_store::fixture::Fixture::new(std::sync::Arc::new(store.clone()), async move {
            cleanup.pool.close().await;
            if let Err(e) = PgStore::drop_schema(&url, &schema).await {
                tracing::warn!(schema, error = %e, "could not drop a test schema");
            }
        });
    Some((store, fixture))
}
