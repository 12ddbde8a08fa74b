//! Opening the store named by the settings, choosing the backend by the
//! URL's scheme, and bringing it to a usable state.

use std::sync::Arc;

use anyhow::{bail, Context};
use motcua_server::AppState;
use motcua_store::{StartupLock, Store};

use crate::config::Settings;

pub async fn store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "creating the data directory {}",
            settings.data_dir.display()
        )
    })?;
    let url = settings.database_url.as_str();
    if url.starts_with("sqlite:") {
        let s = motcua_store_sqlite::SqliteStore::open_url(url)?;
        Ok(Arc::new(s))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let s = motcua_store_postgres::PgStore::connect(url, None)
            .await
            .with_context(|| format!("opening {}", settings.redacted_database_url()))?;
        Ok(Arc::new(s))
    } else {
        bail!(
            "unsupported database URL {:?}: use sqlite:PATH or postgres://...",
            settings.redacted_database_url()
        )
    }
}

/// Opens the store and prepares it (reference data, registry, engine;
/// attachments under DATA_DIR/blobs).
pub async fn app(settings: &Settings) -> anyhow::Result<AppState> {
    motcua_server::bootstrap::prepare(store(settings).await?, &settings.data_dir.join("blobs"))
        .await
}

/// Like [`app`], but returns with the store's start-up lock still held, for
/// more start-up work under it (the demo data of `motcua serve`); the
/// caller releases it.
pub async fn app_locked(settings: &Settings) -> anyhow::Result<(AppState, StartupLock)> {
    let store = store(settings).await?;
    let lock = store
        .startup_lock()
        .await
        .context("taking the start-up lock")?;
    let state =
        motcua_server::bootstrap::prepare_locked(store, &settings.data_dir.join("blobs"), &lock)
            .await?;
    Ok((state, lock))
}
