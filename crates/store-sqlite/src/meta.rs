use async_trait::async_trait;
use motcua_store::{MetaStore, StoreResult};
use rusqlite::OptionalExtension;

use crate::{db_err, SqliteStore};

#[async_trait]
impl MetaStore for SqliteStore {
    async fn meta_value(&self, key: &str) -> StoreResult<Option<String>> {
        let key = key.to_string();
        self.read(move |c| {
            c.query_row("SELECT value FROM meta WHERE key = ?1", [&key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db_err)
        })
        .await
    }

    async fn claim_meta(&self, key: &str, value: &str) -> StoreResult<String> {
        let (key, value) = (key.to_string(), value.to_string());
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                [&key, &value],
            )
            .map_err(db_err)?;
            tx.query_row("SELECT value FROM meta WHERE key = ?1", [&key], |r| {
                r.get(0)
            })
            .map_err(db_err)
        })
        .await
    }
}
