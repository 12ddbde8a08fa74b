//! Chuỗi băm — the hash chain over a dossier's events, so that any change
//! to a stored event is detectable.
//!
//! # Canonical serialization (both storage backends must use it)
//!
//! The canonical bytes of an [`Event`] are its JSON form with:
//! * the fields `dossier`, `seq`, `at`, `actor` (`role`, `user`, `unit`),
//!   `reason`, `type` and `payload`, absent values written as `null`;
//! * object keys sorted by their UTF-8 bytes, at every level;
//! * no whitespace at all;
//! * strings escaped as `serde_json` does: `\"`, `\\`, `\n`, `\r`, `\t`,
//!   `\b`, `\f`, other control characters as `\u00XX` (lowercase hex), every
//!   other character (including non-ASCII) as raw UTF-8;
//! * integers in plain decimal (events carry no floating-point numbers);
//! * timestamps in UTC with exactly six fractional digits:
//!   `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds: what PostgreSQL and
//!   SQLite-as-text both keep exactly).
//!
//! The hash of event *i* is `SHA-256(prev ‖ canonical_bytes(event_i))`
//! where `prev` is the 32 raw bytes of the previous event's hash, and 32
//! zero bytes ([`GENESIS`]) for the first event of a dossier. Hashes are
//! shown and stored as 64 lowercase hex digits.
//!
//! A store should keep the canonical bytes as written (or re-derive them
//! with [`canonical_bytes`]); [`parse_canonical`] reads them back and
//! rejects any byte sequence that is not the canonical form of the event it
//! decodes to, so that every single-byte change is either rejected or
//! changes the event, and then the hash.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::event::Event;

/// The `prev` of the first event of a dossier.
pub const GENESIS: [u8; 32] = [0; 32];

/// Errors of canonical encoding and decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    #[error("event JSON: {0}")]
    Json(String),
    #[error("the bytes are not in canonical form")]
    NotCanonical,
}

impl CanonicalError {
    pub fn code(&self) -> &'static str {
        match self {
            CanonicalError::Json(_) => "event_json",
            CanonicalError::NotCanonical => "not_canonical",
        }
    }
}

fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                if let Some(v) = map.get(k) {
                    write_value(v, out);
                }
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Canonical JSON text of any serde value (see the module documentation).
pub fn canonical_json<T: Serialize>(value: &T) -> Result<String, CanonicalError> {
    let v = serde_json::to_value(value).map_err(|e| CanonicalError::Json(e.to_string()))?;
    let mut out = String::new();
    write_value(&v, &mut out);
    Ok(out)
}

/// The canonical bytes of an event.
pub fn canonical_bytes(event: &Event) -> Result<Vec<u8>, CanonicalError> {
    canonical_json(event).map(String::into_bytes)
}

/// Reads canonical bytes back into an event, refusing anything that is not
/// exactly the canonical form of the decoded event.
pub fn parse_canonical(bytes: &[u8]) -> Result<Event, CanonicalError> {
    let event: Event =
        serde_json::from_slice(bytes).map_err(|e| CanonicalError::Json(e.to_string()))?;
    if canonical_bytes(&event)? == bytes {
        Ok(event)
    } else {
        Err(CanonicalError::NotCanonical)
    }
}

/// `SHA-256(prev ‖ canonical)`.
pub fn event_hash(prev_hash: &[u8; 32], canonical: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev_hash);
    h.update(canonical);
    h.finalize().into()
}

/// An event with its chain hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedEvent {
    pub event: Event,
    #[serde(with = "hex32")]
    pub hash: [u8; 32],
}

/// Chains `events`, starting after `prev` ([`GENESIS`] for a new dossier).
pub fn chain_events(
    prev: [u8; 32],
    events: impl IntoIterator<Item = Event>,
) -> Result<Vec<ChainedEvent>, CanonicalError> {
    let mut prev = prev;
    events
        .into_iter()
        .map(|event| {
            let hash = event_hash(&prev, &canonical_bytes(&event)?);
            prev = hash;
            Ok(ChainedEvent { event, hash })
        })
        .collect()
}

/// The first event whose stored hash does not match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hash chain broken at event {index}: expected {expected}, stored {found}")]
pub struct BrokenLink {
    pub index: usize,
    /// Recomputed hash (hex), or empty if the event could not be encoded.
    pub expected: String,
    /// Stored hash (hex).
    pub found: String,
}

/// Verifies a whole dossier stream from [`GENESIS`].
pub fn verify_chain(events: &[ChainedEvent]) -> Result<(), BrokenLink> {
    verify_chain_from(GENESIS, events)
}

/// Verifies a stream segment that follows `prev`.
pub fn verify_chain_from(prev: [u8; 32], events: &[ChainedEvent]) -> Result<(), BrokenLink> {
    let mut prev = prev;
    for (index, ce) in events.iter().enumerate() {
        let expected = canonical_bytes(&ce.event)
            .ok()
            .map(|b| event_hash(&prev, &b));
        if expected != Some(ce.hash) {
            return Err(BrokenLink {
                index,
                expected: expected.map(hex::encode).unwrap_or_default(),
                found: hex::encode(ce.hash),
            });
        }
        prev = ce.hash;
    }
    Ok(())
}

mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(h))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&s, &mut out).map_err(serde::de::Error::custom)?;
        Ok(out)
    }
}
