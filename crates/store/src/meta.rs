//! Facts about the store itself, kept in its `meta` table: what kind of
//! deployment it was created as ([`DeploymentKind`]).
//!
//! The backends implement only the two key-value operations of
//! [`MetaStore`]; what a key means is decided here, once.

use async_trait::async_trait;

use crate::{StoreError, StoreResult};

/// The `meta` key holding the [`DeploymentKind`].
pub const DEPLOYMENT_KIND_KEY: &str = "deployment_kind";

/// The store's own key-value facts.
#[async_trait]
pub trait MetaStore {
    /// The value held under `key`, if any.
    async fn meta_value(&self, key: &str) -> StoreResult<Option<String>>;

    /// Writes `value` under `key` unless a value is already there, and
    /// returns the value in force afterwards (the first claim wins, also
    /// between two servers starting at once).
    async fn claim_meta(&self, key: &str, value: &str) -> StoreResult<String>;
}

/// Whether a store holds demo data or a real commune's records. Set once,
/// when the store is first put to use, and never changed: demo officials
/// with the published demo password go only into a demo store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentKind {
    /// Dữ liệu mẫu — created by `motcua serve` or `motcua demo load` on an
    /// empty store, for trying the system out.
    Demo,
    /// Dữ liệu thật — a store with real officials (or created with
    /// `--no-demo`).
    Production,
}

impl DeploymentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentKind::Demo => "demo",
            DeploymentKind::Production => "production",
        }
    }

    pub fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "demo" => Ok(DeploymentKind::Demo),
            "production" => Ok(DeploymentKind::Production),
            other => Err(StoreError::Other(anyhow::anyhow!(
                "meta.{DEPLOYMENT_KIND_KEY} holds an unknown kind {other:?}"
            ))),
        }
    }
}

/// The kind recorded in `store`, if one was.
pub async fn deployment_kind(store: &dyn MetaStore) -> StoreResult<Option<DeploymentKind>> {
    store
        .meta_value(DEPLOYMENT_KIND_KEY)
        .await?
        .as_deref()
        .map(DeploymentKind::parse)
        .transpose()
}

/// Records `kind` unless a kind is recorded already; returns the kind in
/// force.
pub async fn claim_deployment_kind(
    store: &dyn MetaStore,
    kind: DeploymentKind,
) -> StoreResult<DeploymentKind> {
    DeploymentKind::parse(&store.claim_meta(DEPLOYMENT_KIND_KEY, kind.as_str()).await?)
}
