//! Khóa tạm thời — lockout after repeated failures (logins, one-time codes).
//!
//! An attempt is *reserved* before the secret is checked
//! ([`Throttle::reserve`]): it counts as a failure in advance, and a success
//! clears the count afterwards. A burst of parallel guesses therefore
//! cannot get more than `max_failures` checks past the lock, because the
//! store applies the reservation to the row atomically.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// After `max_failures` failures, each within `lock_for` of the previous
/// one, the key (a username, a citizen contact) is locked for `lock_for`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_for: TimeDelta,
}

impl Default for LockoutPolicy {
    /// 5 failures → locked for 15 minutes.
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 5,
            lock_for: TimeDelta::minutes(15),
        }
    }
}

/// The failure record of one key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throttle {
    /// Failures counted towards the next lock.
    pub failures: u32,
    pub last_failure_at: Option<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl Throttle {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    /// Reserves one attempt at `now`: `Err(locked_until)` while locked;
    /// otherwise the record with the attempt counted as a failure
    /// ([`Throttle::after_failure`]), which the caller stores before it
    /// checks the secret and clears on success. The attempt that reaches
    /// `max_failures` is still allowed (and sets the lock for the next).
    pub fn reserve(
        &self,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
    ) -> Result<Throttle, DateTime<Utc>> {
        match self.locked_until {
            Some(until) if now < until => Err(until),
            _ => Ok(self.after_failure(now, policy)),
        }
    }

    /// The record after one more failure at `now`. Failures further apart
    /// than `lock_for` start the count again; reaching `max_failures` locks
    /// and restarts the count. A failure while locked changes nothing.
    pub fn after_failure(&self, now: DateTime<Utc>, policy: &LockoutPolicy) -> Throttle {
        if self.is_locked(now) {
            return *self;
        }
        let recent = self
            .last_failure_at
            .is_some_and(|t| now - t <= policy.lock_for);
        let failures = if recent { self.failures + 1 } else { 1 };
        if failures >= policy.max_failures.max(1) {
            Throttle {
                failures: 0,
                last_failure_at: Some(now),
                locked_until: Some(now + policy.lock_for),
            }
        } else {
            Throttle {
                failures,
                last_failure_at: Some(now),
                locked_until: None,
            }
        }
    }
}
