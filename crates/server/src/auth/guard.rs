//! Chống dò mật khẩu — what keeps logins and one-time codes from being
//! abused before any secret is checked:
//!
//! * rate limits per client address and per account (logins) and per
//!   address, per contact and in all (one-time codes), in memory with
//!   `governor` (each server counts its own requests);
//! * a bound on concurrent password verifications (argon2 holds about
//!   19 MiB each): a login waits briefly for a slot, then is told the
//!   server is busy (503 `login_busy`) instead of queueing without end;
//! * an alert when one account fails from several addresses, since the
//!   lock-out is per (account, address) ([`motcua_store::login_client_key`]).
//!
//! The client address is the peer of the TCP connection, or — only when
//! that peer is a configured trusted proxy — the last address of
//! `X-Forwarded-For` that is not itself a trusted proxy ([`client_addr`]).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use chrono::{DateTime, TimeDelta, Utc};
use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::AuthConfig;

/// The limits of logins and one-time codes. A rate of 0 turns that limit
/// off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Login attempts per client address per minute (default 30: an office
    /// behind one address signing in at 8 o'clock).
    /// `MOTCUA_LOGIN_PER_ADDRESS_PER_MINUTE`.
    pub login_per_address_per_minute: u32,
    /// Login attempts per username per minute, from anywhere (default 10).
    /// `MOTCUA_LOGIN_PER_ACCOUNT_PER_MINUTE`.
    pub login_per_account_per_minute: u32,
    /// Password verifications running at once (default: the machine's
    /// available parallelism). `MOTCUA_PASSWORD_VERIFICATIONS`.
    pub password_verifications: usize,
    /// How long a login waits for a verification slot before 503
    /// `login_busy` (default 2 s). `MOTCUA_PASSWORD_WAIT_MS`.
    pub password_wait: Duration,
    /// One-time codes per contact per hour (default 5).
    /// `MOTCUA_OTP_PER_CONTACT_PER_HOUR`.
    pub otp_per_contact_per_hour: u32,
    /// One-time codes per client address per hour (default 10).
    /// `MOTCUA_OTP_PER_ADDRESS_PER_HOUR`.
    pub otp_per_address_per_hour: u32,
    /// One-time codes per hour in all (default 1000). `MOTCUA_OTP_PER_HOUR`.
    pub otp_per_hour: u32,
    /// Distinct client addresses whose failures on one account, within the
    /// lock-out time, raise an `account_attacked` alert (default 3).
    /// `MOTCUA_LOGIN_ALERT_ADDRESSES`.
    pub alert_addresses: u32,
    /// Proxies whose `X-Forwarded-For` is believed (default none).
    /// `MOTCUA_TRUSTED_PROXIES` (comma-separated addresses).
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login_per_address_per_minute: 30,
            login_per_account_per_minute: 10,
            password_verifications: default_verifications(),
            password_wait: Duration::from_secs(2),
            otp_per_contact_per_hour: 5,
            otp_per_address_per_hour: 10,
            otp_per_hour: 1000,
            alert_addresses: 3,
            trusted_proxies: Vec::new(),
        }
    }
}

/// One verification per core the process may use.
pub fn default_verifications() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(2)
}

/// Why a request was refused before any secret was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many requests; try again after this long.
    RateLimited(TimeDelta),
    /// Every verification slot is taken.
    Busy,
}

/// A keyed limiter that forgets idle keys now and then, so that a flood of
/// distinct keys does not grow without end.
struct Keyed<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    checks: AtomicU64,
}

/// Checks between two sweeps of idle keys.
const SWEEP_EVERY: u64 = 1024;

impl<K: Hash + Eq + Clone> Keyed<K> {
    fn new(quota: Quota) -> Self {
        Keyed {
            limiter: RateLimiter::keyed(quota),
            checks: AtomicU64::new(0),
        }
    }

    fn check(&self, key: &K) -> Result<(), TimeDelta> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(key)
            .map_err(|n| wait(n.wait_time_from(self.limiter.clock().now())))
    }
}

fn wait(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d)
        .unwrap_or(TimeDelta::MAX)
        .max(TimeDelta::seconds(1))
}

fn keyed<K: Hash + Eq + Clone>(per: fn(NonZeroU32) -> Quota, n: u32) -> Option<Keyed<K>> {
    NonZeroU32::new(n).map(|n| Keyed::new(per(n)))
}

/// Failures of one account, by address, for the alert.
#[derive(Default)]
struct Watched {
    failures: Vec<(IpAddr, DateTime<Utc>)>,
    alerted_at: Option<DateTime<Utc>>,
}

/// The rate limiters, the verification slots and the failure watch of one
/// server.
pub struct Guard {
    login_by_address: Option<Keyed<IpAddr>>,
    login_by_account: Option<Keyed<String>>,
    otp_by_address: Option<Keyed<IpAddr>>,
    otp_by_contact: Option<Keyed<String>>,
    otp_in_all: Option<DefaultDirectRateLimiter>,
    slots: Arc<Semaphore>,
    /// Logins allowed to wait for a slot (beyond them: busy at once).
    queue: Arc<Semaphore>,
    wait: Duration,
    watch: Mutex<HashMap<String, Watched>>,
    alert_addresses: usize,
    window: TimeDelta,
}

impl Guard {
    pub fn new(config: &AuthConfig) -> Self {
        let l = &config.limits;
        let slots = l.password_verifications.max(1);
        Guard {
            login_by_address: keyed(Quota::per_minute, l.login_per_address_per_minute),
            login_by_account: keyed(Quota::per_minute, l.login_per_account_per_minute),
            otp_by_address: keyed(Quota::per_hour, l.otp_per_address_per_hour),
            otp_by_contact: keyed(Quota::per_hour, l.otp_per_contact_per_hour),
            otp_in_all: NonZeroU32::new(l.otp_per_hour)
                .map(|n| RateLimiter::direct(Quota::per_hour(n))),
            slots: Arc::new(Semaphore::new(slots)),
            queue: Arc::new(Semaphore::new(slots.saturating_mul(8))),
            wait: l.password_wait,
            watch: Mutex::new(HashMap::new()),
            alert_addresses: usize::try_from(l.alert_addresses.max(2)).unwrap_or(usize::MAX),
            window: config.lockout.lock_for,
        }
    }

    /// Counts a login attempt against the address and the account limits.
    pub fn check_login(&self, client: IpAddr, account: &str) -> Result<(), Refusal> {
        if let Some(l) = &self.login_by_address {
            l.check(&client).map_err(Refusal::RateLimited)?;
        }
        if let Some(l) = &self.login_by_account {
            l.check(&account.to_string())
                .map_err(Refusal::RateLimited)?;
        }
        Ok(())
    }

    /// Counts a code request against the address, contact and global limits.
    pub fn check_code(&self, client: IpAddr, contact_key: &str) -> Result<(), Refusal> {
        if let Some(l) = &self.otp_by_address {
            l.check(&client).map_err(Refusal::RateLimited)?;
        }
        if let Some(l) = &self.otp_by_contact {
            l.check(&contact_key.to_string())
                .map_err(Refusal::RateLimited)?;
        }
        if let Some(l) = &self.otp_in_all {
            l.check()
                .map_err(|n| Refusal::RateLimited(wait(n.wait_time_from(l.clock().now()))))?;
        }
        Ok(())
    }

    /// A slot for one password verification, waiting at most the
    /// configured time (and not at all when too many already wait).
    pub async fn verification_slot(&self) -> Result<OwnedSemaphorePermit, Refusal> {
        if let Ok(p) = self.slots.clone().try_acquire_owned() {
            return Ok(p);
        }
        let Ok(_queued) = self.queue.clone().try_acquire_owned() else {
            return Err(Refusal::Busy);
        };
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(p),
            _ => Err(Refusal::Busy),
        }
    }

    /// Takes every verification slot until the permit is dropped (tests:
    /// to see `login_busy` without a race).
    pub async fn hold_all_slots(&self) -> Option<OwnedSemaphorePermit> {
        let n = u32::try_from(self.slots.available_permits()).ok()?;
        self.slots.clone().acquire_many_owned(n).await.ok()
    }

    /// Records a failed login of an existing account from `client`; returns
    /// the number of distinct addresses and failures within the lock-out
    /// time when they reach the alert threshold (once per window).
    pub fn watch_failure(
        &self,
        account: &str,
        client: IpAddr,
        now: DateTime<Utc>,
    ) -> Option<(usize, usize)> {
        let mut watch = self.watch.lock().ok()?;
        let w = watch.entry(account.to_string()).or_default();
        w.failures.retain(|(_, at)| now - *at <= self.window);
        w.failures.push((client, now));
        if w.alerted_at.is_some_and(|at| now - at <= self.window) {
            return None;
        }
        let mut addresses: Vec<IpAddr> = w.failures.iter().map(|(a, _)| *a).collect();
        addresses.sort_unstable();
        addresses.dedup();
        if addresses.len() < self.alert_addresses {
            return None;
        }
        w.alerted_at = Some(now);
        Some((addresses.len(), w.failures.len()))
    }
}

/// Who is asking: the client address of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client address: the TCP peer, or, when the peer is one of
/// `trusted`, the right-most `X-Forwarded-For` entry that is not a trusted
/// proxy. Without connection information (a router called directly) the
/// unspecified address.
pub fn client_addr(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let Some(peer) = peer else {
        return IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    };
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in forwarded.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip,
            Err(_) => return peer,
        }
    }
    peer
}

impl FromRequestParts<crate::AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr(client_addr(
            peer,
            &parts.headers,
            &state.auth.config.limits.trusted_proxies,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.1.1.1, 203.0.113.9, 10.0.0.2"),
        );
        let peer = Some(ip("10.0.0.1"));
        assert_eq!(client_addr(peer, &h, &[]), ip("10.0.0.1"), "default off");
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        assert_eq!(
            client_addr(peer, &h, &trusted),
            ip("203.0.113.9"),
            "the first untrusted hop from the right, not the spoofable left"
        );
        assert_eq!(
            client_addr(Some(ip("198.51.100.4")), &h, &trusted),
            ip("198.51.100.4"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(
            client_addr(peer, &HeaderMap::new(), &trusted),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn limits_count_per_key() {
        let config = AuthConfig {
            limits: Limits {
                login_per_address_per_minute: 2,
                login_per_account_per_minute: 0,
                otp_per_address_per_hour: 3,
                otp_per_contact_per_hour: 1,
                ..Limits::default()
            },
            ..AuthConfig::default()
        };
        let g = Guard::new(&config);
        let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
        assert!(g.check_login(a, "x").is_ok());
        assert!(g.check_login(a, "y").is_ok());
        assert!(
            matches!(g.check_login(a, "z"), Err(Refusal::RateLimited(t)) if t >= TimeDelta::seconds(1))
        );
        assert!(g.check_login(b, "z").is_ok(), "another address");
        assert!(g.check_code(a, "phone:1").is_ok());
        assert!(g.check_code(a, "phone:1").is_err(), "one code per contact");
        assert!(g.check_code(a, "phone:2").is_ok());
        assert!(g.check_code(a, "phone:3").is_err(), "three per address");
    }

    #[test]
    fn several_addresses_raise_one_alert_per_window() {
        let g = Guard::new(&AuthConfig::default());
        let now = Utc::now();
        assert_eq!(g.watch_failure("quantri.04", ip("192.0.2.1"), now), None);
        assert_eq!(g.watch_failure("quantri.04", ip("192.0.2.1"), now), None);
        assert_eq!(g.watch_failure("quantri.04", ip("192.0.2.2"), now), None);
        assert_eq!(
            g.watch_failure("quantri.04", ip("192.0.2.3"), now),
            Some((3, 4))
        );
        assert_eq!(g.watch_failure("quantri.04", ip("192.0.2.4"), now), None);
        assert_eq!(g.watch_failure("other", ip("192.0.2.4"), now), None);
    }
}
