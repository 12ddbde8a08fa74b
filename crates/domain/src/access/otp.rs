//! Mã xác thực một lần — one-time codes for citizens' logins: 6 digits,
//! stored hashed, valid 5 minutes, a few attempts each.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::contact::Contact;

/// Digits of a one-time code.
pub const OTP_DIGITS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpPolicy {
    /// How long a code is valid.
    pub ttl: TimeDelta,
    /// Guesses allowed per code.
    pub max_attempts: u32,
    /// Least time between two codes sent to one contact.
    pub resend_after: TimeDelta,
}

impl Default for OtpPolicy {
    /// 5 minutes, 5 attempts, one code a minute.
    fn default() -> Self {
        OtpPolicy {
            ttl: TimeDelta::minutes(5),
            max_attempts: 5,
            resend_after: TimeDelta::seconds(60),
        }
    }
}

/// A code waiting to be entered (one per contact; a new one replaces it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpChallenge {
    /// [`otp_code_hash`] of the code (hex).
    pub code_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub attempts_left: u32,
}

impl OtpChallenge {
    pub fn new(contact: &Contact, code: &str, now: DateTime<Utc>, policy: &OtpPolicy) -> Self {
        OtpChallenge {
            code_hash: otp_code_hash(contact, code),
            created_at: now,
            expires_at: now + policy.ttl,
            attempts_left: policy.max_attempts.max(1),
        }
    }
}

/// The outcome of entering a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum OtpCheck {
    Verified,
    Wrong {
        attempts_left: u32,
    },
    Expired,
    /// No code was sent (or it was used, replaced or exhausted).
    NoChallenge,
}

/// What becomes of the stored challenge after a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtpNext {
    Delete,
    Keep(OtpChallenge),
}

/// SHA-256 (hex) of the code bound to its contact, so that a stored hash
/// is worthless for any other contact.
pub fn otp_code_hash(contact: &Contact, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"motcua-otp-v1\0");
    h.update(contact.key().as_bytes());
    h.update(b"\0");
    h.update(code.as_bytes());
    hex::encode(h.finalize())
}

/// A code as typed: exactly [`OTP_DIGITS`] ASCII digits after trimming.
pub fn parse_otp_code(s: &str) -> Option<&str> {
    let t = s.trim();
    (t.len() == OTP_DIGITS && t.bytes().all(|b| b.is_ascii_digit())).then_some(t)
}

/// Checks `candidate_hash` against the stored challenge. A right code is
/// used up; a wrong one costs an attempt, and the last attempt deletes the
/// challenge; an expired one is deleted.
pub fn check_otp(
    challenge: Option<&OtpChallenge>,
    candidate_hash: &str,
    now: DateTime<Utc>,
) -> (OtpCheck, Option<OtpNext>) {
    let Some(c) = challenge else {
        return (OtpCheck::NoChallenge, None);
    };
    if now >= c.expires_at {
        return (OtpCheck::Expired, Some(OtpNext::Delete));
    }
    if c.attempts_left == 0 {
        return (OtpCheck::NoChallenge, Some(OtpNext::Delete));
    }
    if super::constant_time_eq(c.code_hash.as_bytes(), candidate_hash.as_bytes()) {
        return (OtpCheck::Verified, Some(OtpNext::Delete));
    }
    let attempts_left = c.attempts_left - 1;
    let next = if attempts_left == 0 {
        OtpNext::Delete
    } else {
        OtpNext::Keep(OtpChallenge {
            attempts_left,
            ..c.clone()
        })
    };
    (OtpCheck::Wrong { attempts_left }, Some(next))
}

/// Whether a new code may be sent now, or how long to wait.
pub fn may_send_otp(
    existing: Option<&OtpChallenge>,
    now: DateTime<Utc>,
    policy: &OtpPolicy,
) -> Result<(), TimeDelta> {
    match existing {
        Some(c) if now < c.created_at + policy.resend_after => {
            Err(c.created_at + policy.resend_after - now)
        }
        _ => Ok(()),
    }
}
