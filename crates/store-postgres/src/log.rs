//! The event log on PostgreSQL: an append checks the stream's last
//! sequence and inserts its events in one transaction; two appends at one
//! version meet on the (stream, seq) unique key, and the later one gets the
//! version conflict with nothing written.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::log::StreamId;
use motcua_store::log::{support, StoredLogEvent, STREAM_VERSION_CONFLICT};
use motcua_store::{EventLogStore, StoreError, StoreResult};
use sqlx::postgres::PgRow;
use sqlx::Row;

use crate::{db_err, PgStore};

const COLUMNS: &str =
    "position, stream_kind, stream_id, seq, event_type, recorded_at, canonical, hash";

fn event(r: &PgRow) -> StoreResult<StoredLogEvent> {
    let hash: String = r.try_get("hash").map_err(db_err)?;
    let seq: i64 = r.try_get("seq").map_err(db_err)?;
    let recorded_at: DateTime<Utc> = r.try_get("recorded_at").map_err(db_err)?;
    Ok(StoredLogEvent {
        position: r.try_get("position").map_err(db_err)?,
        stream: StreamId {
            kind: r.try_get("stream_kind").map_err(db_err)?,
            id: r.try_get("stream_id").map_err(db_err)?,
        },
        seq: support::seq(seq)?,
        event_type: r.try_get("event_type").map_err(db_err)?,
        recorded_at,
        canonical: r.try_get("canonical").map_err(db_err)?,
        hash: support::hash(&hash)?,
    })
}

fn version_conflict(e: sqlx::Error) -> StoreError {
    match db_err(e) {
        StoreError::Conflict(_) => StoreError::Conflict(STREAM_VERSION_CONFLICT.into()),
        other => other,
    }
}

#[async_trait]
impl EventLogStore for PgStore {
    async fn load_stream(&self, stream: &StreamId) -> StoreResult<Vec<StoredLogEvent>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM event_log \
             WHERE stream_kind = $1 AND stream_id = $2 ORDER BY seq"
        ))
        .bind(&stream.kind)
        .bind(&stream.id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(event)
        .collect()
    }

    async fn append_stream(
        &self,
        stream: &StreamId,
        expected: u64,
        events: &[StoredLogEvent],
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let last: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) FROM event_log \
             WHERE stream_kind = $1 AND stream_id = $2",
        )
        .bind(&stream.kind)
        .bind(&stream.id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if support::seq(last)? != expected {
            return Err(StoreError::Conflict(STREAM_VERSION_CONFLICT.into()));
        }
        for e in events {
            let seq = i64::try_from(e.seq)
                .map_err(|_| StoreError::Conflict(STREAM_VERSION_CONFLICT.into()))?;
            sqlx::query(
                "INSERT INTO event_log \
                 (stream_kind, stream_id, seq, event_type, recorded_at, canonical, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&stream.kind)
            .bind(&stream.id)
            .bind(seq)
            .bind(&e.event_type)
            .bind(e.recorded_at)
            .bind(&e.canonical)
            .bind(support::hash_text(&e.hash))
            .execute(&mut *tx)
            .await
            .map_err(version_conflict)?;
        }
        tx.commit().await.map_err(version_conflict)
    }

    async fn read_log(&self, after: i64, limit: u32) -> StoreResult<Vec<StoredLogEvent>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM event_log WHERE position > $1 ORDER BY position LIMIT $2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(event)
        .collect()
    }
}
