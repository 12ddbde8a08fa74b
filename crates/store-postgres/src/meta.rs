use async_trait::async_trait;
use motcua_store::{MetaStore, StoreResult};

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
        sqlx::query_scalar(
            "WITH ins AS (INSERT INTO meta (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO NOTHING RETURNING value) \
             SELECT value FROM ins UNION ALL SELECT value FROM meta WHERE key = $1 LIMIT 1",
        )
        .bind(key)
        .bind(value)
        .fetch_one(self.pool())
        .await
        .map_err(db_err)
    }
}
