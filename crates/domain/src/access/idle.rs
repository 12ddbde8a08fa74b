//! Phiên không hoạt động — when a session has been idle too long, and when
//! its last activity is worth writing down.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// An official's session ends after `idle_timeout` without a request,
/// whatever its absolute expiry; its last activity is stored at most once
/// every `touch_every`, so that a busy session does not write on every
/// request (the timeout is then honoured to within `touch_every`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdlePolicy {
    pub idle_timeout: TimeDelta,
    pub touch_every: TimeDelta,
}

impl Default for IdlePolicy {
    /// 30 minutes idle; activity written at most once a minute.
    fn default() -> Self {
        IdlePolicy {
            idle_timeout: TimeDelta::minutes(30),
            touch_every: TimeDelta::minutes(1),
        }
    }
}

/// What a request finds of its session's idleness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Seen recently: nothing to write.
    Recent,
    /// Alive, and its last activity should be moved to now.
    Touch,
    /// Idle for longer than the timeout: the session is over.
    Idle,
}

impl IdlePolicy {
    /// The session last seen at `last_seen`, asked about at `now`.
    pub fn activity(&self, last_seen: DateTime<Utc>, now: DateTime<Utc>) -> Activity {
        let idle = now - last_seen;
        if idle >= self.idle_timeout {
            Activity::Idle
        } else if idle >= self.touch_every.min(self.idle_timeout) {
            Activity::Touch
        } else {
            Activity::Recent
        }
    }

    /// The last activity before which an official's session is idle at
    /// `now` (what a sweep deletes).
    pub fn idle_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.idle_timeout
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0)
            .single()
            .expect("time")
            + TimeDelta::minutes(min)
    }

    #[test]
    fn a_session_is_touched_once_a_minute_and_ends_after_thirty_idle_minutes() {
        let p = IdlePolicy::default();
        assert_eq!(p.activity(t(0), t(0)), Activity::Recent);
        assert_eq!(
            p.activity(t(0), t(0) + TimeDelta::seconds(59)),
            Activity::Recent
        );
        assert_eq!(p.activity(t(0), t(1)), Activity::Touch);
        assert_eq!(p.activity(t(0), t(29)), Activity::Touch);
        assert_eq!(p.activity(t(0), t(30)), Activity::Idle);
        assert_eq!(p.idle_before(t(30)), t(0));
    }

    proptest! {
        #[test]
        fn idle_exactly_when_the_timeout_has_passed(
            timeout in 1i64..600, touch in 0i64..120, idle in 0i64..1_000,
        ) {
            let p = IdlePolicy {
                idle_timeout: TimeDelta::minutes(timeout),
                touch_every: TimeDelta::minutes(touch),
            };
            let a = p.activity(t(0), t(idle));
            prop_assert_eq!(a == Activity::Idle, idle >= timeout);
            prop_assert_eq!(a == Activity::Idle, t(0) <= p.idle_before(t(idle)));
        }
    }
}
