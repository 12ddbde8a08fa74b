use async_trait::async_trait;
use motcua_store::{MetaStore, StoreError, StoreResult};

use crate::{db_err, PgStore};

#[async_trait]
impl MetaStore for PgStore {
    async fn meta_value(&self, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)
    }

    async fn claim_meta(&self, key: &str, value: &str) -> StoreResult<String> {
        // A concurrent claim that commits between this statement's snapshot
        // and its insert makes the insert do nothing while the snapshot
        // cannot see the winner's row yet: the next statement (a new
        // snapshot) sees it, so try again.
        for _ in 0..5 {
            let won: Option<String> = sqlx::query_scalar(
                "WITH ins AS (INSERT INTO meta (key, value) VALUES ($1, $2) \
                     ON CONFLICT (key) DO NOTHING RETURNING value) \
                 SELECT value FROM ins UNION ALL SELECT value FROM meta WHERE key = $1 LIMIT 1",
            )
            .bind(key)
            .bind(value)
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?;
            if let Some(won) = won {
                return Ok(won);
            }
        }
        Err(StoreError::Other(anyhow::anyhow!(
            "meta key {key} could not be claimed nor read"
        )))
    }
}
