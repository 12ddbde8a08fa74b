//! First-use set-up shared by `motcua serve`, every other command and the
//! tests, under the store's start-up lock: load the shipped reference data
//! when the store lacks it or holds an older version, then build the
//! in-memory registry. With no official
//! yet and `MOTCUA_ADMIN_PASSWORD` set, the first administrator (`admin`,
//! province administrator of 04) is created.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use motcua_domain::units::{parse_dataset, Registry, UnitSources};
use motcua_engine::Engine;
use motcua_store::blobs::{BlobStore, FsBlobStore};
use motcua_store::{StartupLock, Store};

/// The shipped unit data set, parsed.
pub fn shipped_units() -> anyhow::Result<motcua_domain::units::UnitDataset> {
    parse_dataset(&UnitSources {
        provinces_2025: motcua_refdata::PROVINCES_2025,
        communes_2025: motcua_refdata::COMMUNES_2025,
        provinces_legacy: motcua_refdata::PROVINCES_LEGACY,
        districts_legacy: motcua_refdata::DISTRICTS_LEGACY,
        communes_legacy: motcua_refdata::COMMUNES_LEGACY,
        merger_2025: motcua_refdata::MERGER_2025,
    })
    .context("parsing the shipped unit reference data")
}

/// Imports the shipped unit data if the store does not hold this version.
/// Returns whether an import happened.
pub async fn ensure_reference_data(store: &dyn Store) -> anyhow::Result<bool> {
    let version = motcua_refdata::units_data_version();
    if store.units_data_version().await?.as_deref() == Some(version.as_str()) {
        return Ok(false);
    }
    let data = shipped_units()?;
    store
        .import_units(&version, &data)
        .await
        .context("importing the unit reference data")?;
    tracing::info!(%version, units = data.units.len(), "imported unit reference data");
    Ok(true)
}

/// Loads the registry from the store (after [`ensure_reference_data`]).
pub async fn load_registry(store: &dyn Store) -> anyhow::Result<Arc<Registry>> {
    let data = store
        .load_units()
        .await
        .context("loading the unit registry")?;
    Ok(Arc::new(Registry::new(&data)))
}

/// Brings a fresh or existing store to a servable state: reference data,
/// registry, engine, first administrator — under the store's start-up lock
/// ([`Store::startup_lock`]), so that servers started at once on one
/// database do each step once. Attachments go to the store's shared blob
/// store if it has one (PostgreSQL), otherwise to files under `blobs_dir`.
pub async fn prepare(store: Arc<dyn Store>, blobs_dir: &Path) -> anyhow::Result<crate::AppState> {
    let lock = store
        .startup_lock()
        .await
        .context("taking the start-up lock")?;
    let state = prepare_locked(store, blobs_dir, &lock).await;
    lock.release().await;
    state
}

/// [`prepare`] for a caller that holds the start-up lock already, because
/// it has more start-up work to do under it (`motcua serve` loading the
/// demo data).
pub async fn prepare_locked(
    store: Arc<dyn Store>,
    blobs_dir: &Path,
    _held: &StartupLock,
) -> anyhow::Result<crate::AppState> {
    ensure_reference_data(&*store).await?;
    let registry = load_registry(&*store).await?;
    let blobs = blob_store(&*store, blobs_dir)?;
    let engine = Engine::new(store.clone(), blobs).context("building the engine")?;
    engine
        .reload_settings()
        .await
        .context("reading the provinces' settings")?;
    let admin_password = std::env::var("MOTCUA_ADMIN_PASSWORD").ok();
    crate::auth::bootstrap::ensure_first_admin(&*store, admin_password.as_deref())
        .await
        .context("creating the first administrator")?;
    Ok(crate::AppState::new(store, registry, engine))
}

/// Where attachments are kept: the store's shared blob store (in the
/// database, seen by every server of it), or files under `blobs_dir`.
pub fn blob_store(store: &dyn Store, blobs_dir: &Path) -> anyhow::Result<Arc<dyn BlobStore>> {
    if let Some(shared) = store.shared_blobs() {
        return Ok(shared);
    }
    let files = FsBlobStore::new(blobs_dir)
        .with_context(|| format!("opening the file store {}", blobs_dir.display()))?;
    Ok(Arc::new(files))
}

/// Gives the demo data its officials (see
/// [`crate::auth::bootstrap::demo_officials`]), with the password of
/// `MOTCUA_DEMO_PASSWORD` or the documented demo default
/// ([`crate::auth::bootstrap::DEFAULT_DEMO_PASSWORD`]). Idempotent. Only
/// into a demo store ([`crate::deployment::settle_kind`]): a real store is
/// refused.
pub async fn ensure_demo_accounts(
    store: &dyn Store,
) -> anyhow::Result<crate::auth::bootstrap::DemoAccounts> {
    if crate::deployment::settle_kind(store, true).await? != motcua_store::DeploymentKind::Demo {
        anyhow::bail!(
            "kho dữ liệu thật: không tạo tài khoản mẫu / not a demo store: \
             the demo officials are not created"
        );
    }
    let password = std::env::var("MOTCUA_DEMO_PASSWORD").ok();
    crate::auth::bootstrap::ensure_demo_accounts(store, password.as_deref())
        .await
        .context("creating the demo officials")
}
