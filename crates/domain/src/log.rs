//! Nhật ký sự kiện — the append-only log of every record the law wants
//! traceable, other than dossiers (whose events keep their own tables for
//! now): a province's settings today; staff-plan decisions and records
//! packages next.
//!
//! A stream is (`kind`, `id`), e.g. (`province_settings`, `04`). Its
//! events carry a per-stream sequence from 1 and the same SHA-256 chain as
//! a dossier's ([`crate::dossier::chain`]):
//!
//! * the canonical bytes of a [`LogEvent`] are its JSON form (fields
//!   `stream` {`kind`, `id`}, `seq`, `at`, `actor` {`user`, `role`,
//!   `unit`}, `reason`, `type`, `payload`; absent values as `null`) written
//!   by [`canonical_json`]: keys sorted, no whitespace, timestamps in UTC
//!   with six fractional digits;
//! * the hash of event *i* is `SHA-256(prev ‖ canonical_bytes(event_i))`,
//!   `prev` being the previous event's hash and 32 zero bytes for the first
//!   event of a stream.
//!
//! Pure: the caller decides the event, this module encodes and chains it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dossier::{canonical_json, event_hash, BrokenLink, CanonicalError, GENESIS};

/// A stream of the log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StreamId {
    pub kind: String,
    pub id: String,
}

impl StreamId {
    pub fn new(kind: impl Into<String>, id: impl Into<String>) -> Self {
        StreamId {
            kind: kind.into(),
            id: id.into(),
        }
    }
}

/// Who recorded an event: an official's user id and the role they acted
/// in (`province_admin`), or `cli` for the operator's command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogActor {
    pub user: String,
    pub role: String,
    pub unit: Option<String>,
}

/// One event of a stream, as chained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEvent {
    pub stream: StreamId,
    /// 1 for the first event of the stream.
    pub seq: u64,
    #[serde(with = "micros")]
    pub at: DateTime<Utc>,
    pub actor: LogActor,
    pub reason: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub payload: Value,
}

/// An event with its chain hash, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainedLogEvent {
    pub event: LogEvent,
    /// The canonical bytes the hash was computed over (what is stored).
    pub canonical: String,
    pub hash: [u8; 32],
}

impl LogEvent {
    /// The canonical text of the event.
    pub fn canonical(&self) -> Result<String, CanonicalError> {
        canonical_json(self)
    }

    /// Reads stored canonical text back, refusing anything that is not
    /// exactly the canonical form of the event it decodes to.
    pub fn parse_canonical(text: &str) -> Result<LogEvent, CanonicalError> {
        let event: LogEvent =
            serde_json::from_str(text).map_err(|e| CanonicalError::Json(e.to_string()))?;
        if event.canonical()? == text {
            Ok(event)
        } else {
            Err(CanonicalError::NotCanonical)
        }
    }
}

/// Chains `event` after `prev` ([`GENESIS`] for a stream's first event).
pub fn chain(prev: &[u8; 32], event: LogEvent) -> Result<ChainedLogEvent, CanonicalError> {
    let canonical = event.canonical()?;
    let hash = event_hash(prev, canonical.as_bytes());
    Ok(ChainedLogEvent {
        event,
        canonical,
        hash,
    })
}

/// Verifies a whole stream as stored (canonical text and hash per event):
/// each text is canonical, decodes to its event, continues the sequence,
/// and hashes to the stored hash after the previous one.
pub fn verify_stream(events: &[(String, [u8; 32])]) -> Result<Vec<LogEvent>, BrokenLink> {
    let mut prev = GENESIS;
    let mut out = Vec::with_capacity(events.len());
    for (index, (text, stored)) in events.iter().enumerate() {
        let expected = event_hash(&prev, text.as_bytes());
        let decoded = LogEvent::parse_canonical(text)
            .ok()
            .filter(|e| e.seq == index as u64 + 1);
        match decoded {
            Some(event) if expected == *stored => out.push(event),
            _ => {
                return Err(BrokenLink {
                    index,
                    expected: hex::encode(expected),
                    found: hex::encode(stored),
                })
            }
        }
        prev = *stored;
    }
    Ok(out)
}

/// Timestamps as UTC with exactly six fractional digits (the canonical form).
mod micros {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Micros, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event(seq: u64, payload: Value) -> LogEvent {
        LogEvent {
            stream: StreamId::new("province_settings", "04"),
            seq,
            at: Utc.with_ymd_and_hms(2026, 12, 6, 3, 0, 0).unwrap(),
            actor: LogActor {
                user: "admin04".into(),
                role: "province_admin".into(),
                unit: Some("04".into()),
            },
            reason: Some("Tết 2027".into()),
            kind: "adopted".into(),
            payload,
        }
    }

    fn stored(events: Vec<LogEvent>) -> Vec<(String, [u8; 32])> {
        let mut prev = GENESIS;
        events
            .into_iter()
            .map(|e| {
                let c = chain(&prev, e).unwrap();
                prev = c.hash;
                (c.canonical, c.hash)
            })
            .collect()
    }

    #[test]
    fn a_chained_stream_verifies_and_decodes() {
        let s = stored(vec![
            event(1, serde_json::json!({"a": 1.5, "b": "Tết"})),
            event(2, serde_json::json!({"z": [1, 2]})),
        ]);
        let events = verify_stream(&s).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].payload["b"], "Tết");
        assert!(s[0].0.starts_with("{\"actor\":"), "{}", s[0].0);
        assert!(s[0].0.contains("\"at\":\"2026-12-06T03:00:00.000000Z\""));
    }

    #[test]
    fn any_changed_byte_or_reordering_breaks_the_chain() {
        let s = stored(vec![
            event(1, serde_json::json!({"days": 15})),
            event(2, serde_json::json!({"days": 20})),
        ]);
        let mut edited = s.clone();
        edited[0].0 = edited[0].0.replace("15", "16");
        assert_eq!(verify_stream(&edited).unwrap_err().index, 0);
        let mut swapped = s.clone();
        swapped.swap(0, 1);
        assert_eq!(verify_stream(&swapped).unwrap_err().index, 0);
        let mut rehashed = s.clone();
        rehashed[1].1[0] ^= 1;
        assert_eq!(verify_stream(&rehashed).unwrap_err().index, 1);
        let mut spaced = s;
        spaced[1].0 = spaced[1].0.replacen(':', ": ", 1);
        assert_eq!(verify_stream(&spaced).unwrap_err().index, 1);
    }
}
