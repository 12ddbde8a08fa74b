//! Attachments in the database (migration 0013), so that every server of
//! the database serves every document. A command's staged blobs are written
//! by [`write`] inside the command's transaction (see
//! `dossiers::execute_in`); [`PgBlobStore::put`] writes one in a
//! transaction of its own.

use async_trait::async_trait;
use motcua_store::blobs::{self, BlobMeta, BlobStore, PendingBlob, Staged};
use motcua_store::StoreResult;
use sqlx::{PgConnection, PgPool};

use crate::db_err;

/// The blob store of a PostgreSQL database ([`motcua_store::Store::shared_blobs`]).
#[derive(Clone)]
pub struct PgBlobStore {
    pool: PgPool,
}

impl PgBlobStore {
    pub fn new(pool: PgPool) -> Self {
        PgBlobStore { pool }
    }
}

/// Writes `blob` in the caller's transaction; a blob already stored (or
/// being stored by a concurrent transaction, which this waits for) is left
/// as it is.
pub(crate) async fn write(conn: &mut PgConnection, blob: &PendingBlob) -> StoreResult<()> {
    let meta = blob.meta();
    let inserted = sqlx::query(
        "INSERT INTO blobs (sha256, size, chunks) VALUES ($1, $2, $3) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&meta.sha256)
    .bind(i64::try_from(meta.size).map_err(|e| motcua_store::StoreError::Other(e.into()))?)
    .bind(blob.chunk_count())
    .execute(&mut *conn)
    .await
    .map_err(db_err)?
    .rows_affected();
    if inserted == 0 {
        return Ok(());
    }
    for (n, bytes) in blob.chunks() {
        sqlx::query("INSERT INTO blob_chunks (sha256, n, bytes) VALUES ($1, $2, $3)")
            .bind(&meta.sha256)
            .bind(n)
            .bind(bytes)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

#[async_trait]
impl BlobStore for PgBlobStore {
    async fn put(&self, bytes: Vec<u8>) -> StoreResult<BlobMeta> {
        let blob = PendingBlob::new(bytes);
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        write(&mut tx, &blob).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(blob.meta().clone())
    }

    async fn get(&self, sha256: &str) -> StoreResult<Option<Vec<u8>>> {
        if !blobs::is_sha256(sha256) {
            return Ok(None);
        }
        let size: Option<i64> = sqlx::query_scalar("SELECT size FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        let Some(size) = size else {
            return Ok(None);
        };
        let chunks: Vec<Vec<u8>> =
            sqlx::query_scalar("SELECT bytes FROM blob_chunks WHERE sha256 = $1 ORDER BY n")
                .bind(sha256)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        blobs::assemble(sha256, size, chunks).map(Some)
    }

    async fn stage(&self, bytes: Vec<u8>) -> StoreResult<Staged> {
        let blob = PendingBlob::new(bytes);
        Ok(Staged {
            meta: blob.meta().clone(),
            pending: Some(blob),
        })
    }
}
