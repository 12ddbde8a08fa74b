//! The event log on SQLite: an append checks the stream's last sequence
//! and inserts its events in the same job on the writer thread (one
//! transaction), so two appends at one version cannot both land; reads use
//! the reader connections.

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use motcua_domain::log::StreamId;
use motcua_store::log::{support, StoredLogEvent, STREAM_VERSION_CONFLICT};
use motcua_store::{EventLogStore, StoreError, StoreResult};
use rusqlite::{params, Connection, Row};

use crate::{db_err, SqliteStore};

const COLUMNS: &str =
    "position, stream_kind, stream_id, seq, event_type, recorded_at, canonical, hash";

type Raw = (i64, String, String, i64, String, String, String, String);

fn raw(r: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn rows(
    conn: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> StoreResult<Vec<StoredLogEvent>> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let found = stmt
        .query_map(args, raw)
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    found
        .into_iter()
        .map(
            |(position, kind, id, seq, event_type, at, canonical, hash)| {
                Ok(StoredLogEvent {
                    position,
                    stream: StreamId { kind, id },
                    seq: support::seq(seq)?,
                    event_type,
                    recorded_at: DateTime::parse_from_rfc3339(&at)
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(|e| {
                            StoreError::Corrupt(format!("event_log.recorded_at {at:?}: {e}"))
                        })?,
                    canonical,
                    hash: support::hash(&hash)?,
                })
            },
        )
        .collect()
}

#[async_trait]
impl EventLogStore for SqliteStore {
    async fn load_stream(&self, stream: &StreamId) -> StoreResult<Vec<StoredLogEvent>> {
        let stream = stream.clone();
        self.read(move |c| {
            rows(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM event_log \
                     WHERE stream_kind = ?1 AND stream_id = ?2 ORDER BY seq"
                ),
                &[&stream.kind, &stream.id],
            )
        })
        .await
    }

    async fn append_stream(
        &self,
        stream: &StreamId,
        expected: u64,
        events: &[StoredLogEvent],
    ) -> StoreResult<()> {
        let stream = stream.clone();
        let events = events.to_vec();
        self.write(move |tx| {
            let last: i64 = tx
                .prepare_cached(
                    "SELECT COALESCE(MAX(seq), 0) FROM event_log \
                     WHERE stream_kind = ?1 AND stream_id = ?2",
                )
                .map_err(db_err)?
                .query_row(params![stream.kind, stream.id], |r| r.get(0))
                .map_err(db_err)?;
            if support::seq(last)? != expected {
                return Err(StoreError::Conflict(STREAM_VERSION_CONFLICT.into()));
            }
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO event_log \
                     (stream_kind, stream_id, seq, event_type, recorded_at, canonical, hash) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(db_err)?;
            for e in &events {
                insert
                    .execute(params![
                        stream.kind,
                        stream.id,
                        i64::try_from(e.seq)
                            .map_err(|_| StoreError::Conflict(STREAM_VERSION_CONFLICT.into()))?,
                        e.event_type,
                        e.recorded_at.to_rfc3339_opts(SecondsFormat::Micros, true),
                        e.canonical,
                        support::hash_text(&e.hash),
                    ])
                    .map_err(|e| match db_err(e) {
                        StoreError::Conflict(_) => {
                            StoreError::Conflict(STREAM_VERSION_CONFLICT.into())
                        }
                        other => other,
                    })?;
            }
            Ok(())
        })
        .await
    }

    async fn read_log(&self, after: i64, limit: u32) -> StoreResult<Vec<StoredLogEvent>> {
        self.read(move |c| {
            rows(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM event_log WHERE position > ?1 \
                     ORDER BY position LIMIT ?2"
                ),
                &[&after, &limit],
            )
        })
        .await
    }
}
