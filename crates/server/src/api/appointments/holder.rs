//! Who reaches a booking over HTTP, and how often one may ask.
//!
//! * [`BookingAccess`] gathers what a request brings to prove it holds a
//!   booking (the engine's [`Holder`]): the holder's token from `?t=` or
//!   the `X-Booking-Token` header, and the session (a citizen whose phone
//!   or e-mail is the booking's, or an official of its Center). Whoever
//!   cannot prove it gets `404 booking_not_found`, as for a code that does
//!   not exist.
//! * Extracting it counts one look-up by code against the client's address
//!   (a `governor` keyed rate limiter, [`BookingLimits::lookups_per_minute`]
//!   with a burst of [`BookingLimits::lookup_burst`]); beyond it
//!   `429 too_many_lookups`, so the 31⁴ codes of a day cannot be tried.
//! * [`BookingLimits::per_contact_per_day`] is passed to the store, which
//!   counts it in the booking's transaction.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use motcua_engine::Holder;
use serde::Deserialize;

use crate::auth::session::AuthContext;
use crate::auth::SessionState;
use crate::error::ApiError;
use crate::AppState;

/// The header that may carry the holder's token (instead of `?t=`).
pub const TOKEN_HEADER: &str = "x-booking-token";

/// Limits of the public booking routes. Defaults in code; the `serve`
/// command reads the environment ([`BookingLimits::from_env`]):
///
/// | variable | default | meaning |
/// | --- | --- | --- |
/// | `MOTCUA_BOOKINGS_PER_CONTACT_PER_DAY` | 2 | bookings one phone number or e-mail address may make per day (Vietnam); 0 = no cap |
/// | `MOTCUA_BOOKING_LOOKUPS_PER_MINUTE` | 30 | look-ups of a booking by code (view, cancel, rebook; API and pages) per client address and minute |
/// | `MOTCUA_BOOKING_LOOKUP_BURST` | 10 | how many of them may come at once |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BookingLimits {
    pub per_contact_per_day: u32,
    pub lookups_per_minute: u32,
    pub lookup_burst: u32,
}

impl Default for BookingLimits {
    fn default() -> Self {
        BookingLimits {
            per_contact_per_day: 2,
            lookups_per_minute: 30,
            lookup_burst: 10,
        }
    }
}

impl BookingLimits {
    /// The defaults overridden by the `MOTCUA_*` variables above.
    pub fn from_env() -> Result<Self, String> {
        Self::default().apply_env(|k| std::env::var(k).ok())
    }

    /// `self` overridden by the variables `get` knows; a value that is not
    /// a number is an error naming the variable.
    pub fn apply_env(mut self, get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let num = |name: &str, min: u32| -> Result<Option<u32>, String> {
            get(name)
                .map(|v| {
                    v.trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| *n >= min)
                        .ok_or_else(|| format!("invalid value of {name}: {v:?}"))
                })
                .transpose()
        };
        if let Some(n) = num("MOTCUA_BOOKINGS_PER_CONTACT_PER_DAY", 0)? {
            self.per_contact_per_day = n;
        }
        if let Some(n) = num("MOTCUA_BOOKING_LOOKUPS_PER_MINUTE", 1)? {
            self.lookups_per_minute = n;
        }
        if let Some(n) = num("MOTCUA_BOOKING_LOOKUP_BURST", 1)? {
            self.lookup_burst = n;
        }
        Ok(self)
    }

    /// The cap the store enforces (`None`: no cap).
    pub fn contact_cap(&self) -> Option<u32> {
        (self.per_contact_per_day > 0).then_some(self.per_contact_per_day)
    }
}

/// The limits and the look-up counters (shared by clones of the state).
#[derive(Clone)]
pub struct BookingGuard {
    pub limits: BookingLimits,
    lookups: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl BookingGuard {
    pub fn new(limits: BookingLimits) -> Self {
        let one = NonZeroU32::MIN;
        let quota = Quota::per_minute(NonZeroU32::new(limits.lookups_per_minute).unwrap_or(one))
            .allow_burst(NonZeroU32::new(limits.lookup_burst).unwrap_or(one));
        BookingGuard {
            limits,
            lookups: Arc::new(RateLimiter::keyed(quota)),
        }
    }

    /// Counts one look-up by `client`; refuses beyond the quota.
    fn count_lookup(&self, client: IpAddr) -> Result<(), ApiError> {
        if self.lookups.len() > 100_000 {
            self.lookups.retain_recent();
        }
        self.lookups.check_key(&client).map_err(|_| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_lookups",
                "Quá nhiều lần tra cứu lịch hẹn. Vui lòng thử lại sau ít phút.",
                "Too many booking look-ups. Please try again in a few minutes.",
            )
        })
    }
}

impl Default for BookingGuard {
    fn default() -> Self {
        Self::new(BookingLimits::default())
    }
}

/// The client's address: the connection's peer (the server is served
/// with connect info); one shared key when it is unknown.
fn client_addr(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

fn token_of(parts: &Parts) -> Option<String> {
    let from_query = parts.uri.query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("t="))
            .map(str::to_string)
    });
    from_query
        .or_else(|| {
            parts
                .headers
                .get(TOKEN_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// What a request brings to reach a booking; extracting it counts a
/// look-up (see the module documentation).
#[derive(Clone, Default)]
pub struct BookingAccess {
    /// The token as sent.
    pub token: Option<String>,
    pub session: Option<Arc<AuthContext>>,
}

impl BookingAccess {
    /// The engine's view of it.
    pub fn holder(&self) -> Holder<'_> {
        Holder {
            token: self.token.as_deref(),
            principal: self.session.as_ref().map(|s| &s.principal),
            contact: self.session.as_ref().and_then(|s| s.contact.as_ref()),
        }
    }
}

impl FromRequestParts<AppState> for BookingAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        state.bookings.count_lookup(client_addr(parts))?;
        let session = match parts.extensions.get::<SessionState>() {
            Some(SessionState::Valid(c)) => Some(c.clone()),
            _ => None,
        };
        Ok(BookingAccess {
            token: token_of(parts),
            session,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_defaults() {
        let env = |k: &str| match k {
            "MOTCUA_BOOKINGS_PER_CONTACT_PER_DAY" => Some("5".to_string()),
            "MOTCUA_BOOKING_LOOKUP_BURST" => Some(" 3 ".to_string()),
            _ => None,
        };
        let l = BookingLimits::default().apply_env(env).expect("valid");
        assert_eq!(
            l,
            BookingLimits {
                per_contact_per_day: 5,
                lookups_per_minute: 30,
                lookup_burst: 3
            }
        );
        assert_eq!(BookingLimits::default().per_contact_per_day, 2);
        let off = BookingLimits::default()
            .apply_env(|k| (k == "MOTCUA_BOOKINGS_PER_CONTACT_PER_DAY").then(|| "0".into()))
            .expect("valid");
        assert_eq!(off.contact_cap(), None);
        let bad = BookingLimits::default()
            .apply_env(|k| (k == "MOTCUA_BOOKING_LOOKUPS_PER_MINUTE").then(|| "many".into()));
        assert!(bad.is_err_and(|e| e.contains("MOTCUA_BOOKING_LOOKUPS_PER_MINUTE")));
    }

    #[test]
    fn look_ups_beyond_the_burst_are_refused_per_client() {
        let g = BookingGuard::new(BookingLimits {
            lookups_per_minute: 1,
            lookup_burst: 2,
            ..BookingLimits::default()
        });
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert!(g.count_lookup(a).is_ok() && g.count_lookup(a).is_ok());
        let refused = g.count_lookup(a).expect_err("the third is refused");
        assert_eq!(
            (refused.status, refused.code),
            (StatusCode::TOO_MANY_REQUESTS, "too_many_lookups")
        );
        assert!(
            g.count_lookup(b).is_ok(),
            "another client has its own quota"
        );
    }
}
