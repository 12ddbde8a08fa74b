//! The event log's port and its command loop.
//!
//! Backends implement [`EventLogStore`]: load a stream, append to it at an
//! expected version (the stream's last sequence; a writer that lost the race
//! gets [`StoreError::Conflict`] `"stream_version"` and nothing is written),
//! and read the whole log in order from a position. What an append means —
//! verify the stored chain, decide, chain the new events after the last hash
//! — is written once, here, in [`execute`], above every backend.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::dossier::GENESIS;
use motcua_domain::log::{chain, verify_stream, LogActor, LogEvent, StreamId};
use serde_json::Value;

use crate::{StoreError, StoreResult};

/// The conflict code of an append that lost the race.
pub const STREAM_VERSION_CONFLICT: &str = "stream_version";

/// One event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogEvent {
    /// Its place in the whole log (increasing; not gap-free).
    pub position: i64,
    pub stream: StreamId,
    pub seq: u64,
    pub event_type: String,
    pub recorded_at: DateTime<Utc>,
    /// The canonical text the hash was computed over.
    pub canonical: String,
    pub hash: [u8; 32],
}

/// What the backends provide.
#[async_trait]
pub trait EventLogStore: Send + Sync {
    /// The stream's events in sequence order (empty for a new stream).
    async fn load_stream(&self, stream: &StreamId) -> StoreResult<Vec<StoredLogEvent>>;

    /// Appends `events` (sequences `expected + 1 ..`) in one transaction,
    /// unless the stream has moved past `expected`:
    /// [`StoreError::Conflict`] `"stream_version"`, and nothing written.
    async fn append_stream(
        &self,
        stream: &StreamId,
        expected: u64,
        events: &[StoredLogEvent],
    ) -> StoreResult<()>;

    /// Up to `limit` events of every stream after `position`, in log order.
    async fn read_log(&self, after: i64, limit: u32) -> StoreResult<Vec<StoredLogEvent>>;
}

/// A stream as loaded and verified.
#[derive(Debug, Clone)]
pub struct LoadedStream {
    pub events: Vec<LogEvent>,
    pub version: u64,
    last_hash: [u8; 32],
}

/// Loads `stream` and verifies its chain: a stored event that was changed,
/// removed or reordered is [`StoreError::Corrupt`], never replayed.
pub async fn load(log: &dyn EventLogStore, stream: &StreamId) -> StoreResult<LoadedStream> {
    let stored = log.load_stream(stream).await?;
    let pairs: Vec<(String, [u8; 32])> = stored
        .iter()
        .map(|e| (e.canonical.clone(), e.hash))
        .collect();
    let events = verify_stream(&pairs).map_err(|b| {
        StoreError::Corrupt(format!("log stream {}/{}: {b}", stream.kind, stream.id))
    })?;
    if let Some(e) = events.iter().find(|e| &e.stream != stream) {
        return Err(StoreError::Corrupt(format!(
            "log stream {}/{} holds an event of {}/{}",
            stream.kind, stream.id, e.stream.kind, e.stream.id
        )));
    }
    Ok(LoadedStream {
        version: events.len() as u64,
        last_hash: stored.last().map_or(GENESIS, |e| e.hash),
        events,
    })
}

/// A new event, as a decider returns it.
#[derive(Debug, Clone)]
pub struct NewLogEvent {
    pub event_type: String,
    pub reason: Option<String>,
    pub payload: Value,
}

/// The command loop, once for every backend: load and verify the stream,
/// let `decide` turn it into new events (or a refusal), chain them after the
/// last hash and append them at the loaded version. The refusal type is the
/// caller's; storage failures come back as `E::from(StoreError)`.
pub async fn execute<E>(
    log: &dyn EventLogStore,
    stream: &StreamId,
    actor: &LogActor,
    at: DateTime<Utc>,
    decide: impl FnOnce(&LoadedStream) -> Result<Vec<NewLogEvent>, E>,
) -> Result<Vec<LogEvent>, E>
where
    E: From<StoreError>,
{
    let loaded = load(log, stream).await?;
    let new = decide(&loaded)?;
    let mut prev = loaded.last_hash;
    let mut stored = Vec::with_capacity(new.len());
    let mut events = Vec::with_capacity(new.len());
    for (i, n) in new.into_iter().enumerate() {
        let event = LogEvent {
            stream: stream.clone(),
            seq: loaded.version + i as u64 + 1,
            at,
            actor: actor.clone(),
            reason: n.reason,
            kind: n.event_type,
            payload: n.payload,
        };
        let chained = chain(&prev, event)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("encoding a log event: {e}")))?;
        prev = chained.hash;
        stored.push(StoredLogEvent {
            position: 0,
            stream: stream.clone(),
            seq: chained.event.seq,
            event_type: chained.event.kind.clone(),
            recorded_at: at,
            canonical: chained.canonical,
            hash: chained.hash,
        });
        events.push(chained.event);
    }
    if !stored.is_empty() {
        log.append_stream(stream, loaded.version, &stored).await?;
    }
    Ok(events)
}

/// Helpers the backends share to turn a row into a [`StoredLogEvent`].
pub mod support {
    use super::*;

    pub fn hash(hex_text: &str) -> StoreResult<[u8; 32]> {
        let bytes = hex::decode(hex_text)
            .map_err(|e| StoreError::Corrupt(format!("log hash {hex_text:?}: {e}")))?;
        bytes
            .try_into()
            .map_err(|_| StoreError::Corrupt(format!("log hash {hex_text:?}: not 32 bytes")))
    }

    pub fn hash_text(h: &[u8; 32]) -> String {
        hex::encode(h)
    }

    pub fn seq(v: i64) -> StoreResult<u64> {
        u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("log seq {v}")))
    }
}
