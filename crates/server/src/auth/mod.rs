//! Đăng nhập và phiên làm việc — authentication and sessions.
//!
//! * Officials log in with a username and a password (argon2id, hashed and
//!   verified on the blocking pool: [`secret`]); citizens with a one-time
//!   code sent to their phone or e-mail ([`codes`]). Both go through an
//!   [`identity::IdentityProvider`], the plug-in point for VNeID or a
//!   provincial single sign-on over OpenID Connect.
//! * A login creates a session in the database: a random 256-bit token
//!   given to the client (an `HttpOnly`, `SameSite=Lax`, `Secure` cookie,
//!   and in the response body for API clients, who send it back as
//!   `Authorization: Bearer`); only its SHA-256 is stored.
//! * Every unsafe request authenticated by the cookie must carry the
//!   session's CSRF token (`X-CSRF-Token` header or `csrf_token` form
//!   field); bearer requests cannot be forged cross-site and are exempt
//!   ([`session::session_layer`]).
//! * Repeated failures lock the username (or contact) for a while
//!   ([`motcua_domain::access::Throttle`]), whether or not it exists.
//!
//! The access rules themselves are pure: [`motcua_domain::access`].

pub mod bootstrap;
pub mod codes;
pub mod identity;
pub mod reauth;
pub mod secret;
pub mod session;

use std::sync::Arc;

use chrono::TimeDelta;
use motcua_domain::access::{IdlePolicy, LockoutPolicy, OtpPolicy};

pub use codes::{CodeSender, LogCodeSender, MemoryCodeSender};
pub use identity::{AuthError, Identity, IdentityProvider, OtpProvider, PasswordProvider, Proof};
pub use session::{AuthContext, SessionState, Via, Viewer};

/// The session cookie.
pub const SESSION_COOKIE: &str = "motcua_session";
/// The header carrying the CSRF token of a cookie session.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field carrying the CSRF token of a cookie session.
pub const CSRF_FIELD: &str = "csrf_token";

/// Settings of logins and sessions. Defaults in code; `motcua serve` may
/// override them from its configuration or the environment
/// ([`AuthConfig::from_env`]).
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Mark the session cookie `Secure` (default true; turn off only for
    /// plain-HTTP development on localhost). `MOTCUA_COOKIE_SECURE`.
    pub cookie_secure: bool,
    /// How long a session lasts (default 12 hours, a working day with
    /// margin). `MOTCUA_SESSION_HOURS`.
    pub session_ttl: TimeDelta,
    /// An official's session ends after this long without a request,
    /// whatever its absolute expiry (default 30 minutes; citizens' sessions
    /// have only the absolute one). `MOTCUA_SESSION_IDLE_MINUTES`.
    pub idle_timeout: TimeDelta,
    /// Failures before a lock and its length (default 5 → 15 minutes).
    /// `MOTCUA_LOCKOUT_FAILURES`, `MOTCUA_LOCKOUT_MINUTES`.
    pub lockout: LockoutPolicy,
    /// One-time codes: 5 minutes, 5 attempts, one a minute.
    pub otp: OtpPolicy,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            cookie_secure: true,
            session_ttl: TimeDelta::hours(12),
            idle_timeout: IdlePolicy::default().idle_timeout,
            lockout: LockoutPolicy::default(),
            otp: OtpPolicy::default(),
        }
    }
}

impl AuthConfig {
    /// The defaults, overridden by the `MOTCUA_*` variables above when set
    /// and valid (an invalid value is ignored with a warning).
    pub fn from_env() -> Self {
        fn var<T: std::str::FromStr>(name: &str) -> Option<T> {
            let v = std::env::var(name).ok()?;
            let parsed = v.trim().parse().ok();
            if parsed.is_none() {
                tracing::warn!(variable = name, "ignoring an invalid value");
            }
            parsed
        }
        let mut c = AuthConfig::default();
        if let Some(secure) = var::<bool>("MOTCUA_COOKIE_SECURE") {
            c.cookie_secure = secure;
        }
        if let Some(h) = var::<i64>("MOTCUA_SESSION_HOURS").filter(|h| (1..=24 * 30).contains(h)) {
            c.session_ttl = TimeDelta::hours(h);
        }
        if let Some(m) =
            var::<i64>("MOTCUA_SESSION_IDLE_MINUTES").filter(|m| (1..=24 * 60).contains(m))
        {
            c.idle_timeout = TimeDelta::minutes(m);
        }
        if let Some(n) = var::<u32>("MOTCUA_LOCKOUT_FAILURES").filter(|n| *n >= 1) {
            c.lockout.max_failures = n;
        }
        if let Some(m) = var::<i64>("MOTCUA_LOCKOUT_MINUTES").filter(|m| (1..=24 * 60).contains(m))
        {
            c.lockout.lock_for = TimeDelta::minutes(m);
        }
        c
    }
}

impl AuthConfig {
    /// The idle timeout of officials' sessions, their last activity
    /// written at most once a minute.
    pub fn idle_policy(&self) -> IdlePolicy {
        IdlePolicy {
            idle_timeout: self.idle_timeout,
            ..IdlePolicy::default()
        }
    }
}

/// What the handlers need for authentication: the settings and where
/// one-time codes go.
#[derive(Clone)]
pub struct Auth {
    pub config: AuthConfig,
    pub codes: Arc<dyn CodeSender>,
}

impl Auth {
    pub fn new(config: AuthConfig, codes: Arc<dyn CodeSender>) -> Self {
        Auth { config, codes }
    }
}

impl Default for Auth {
    /// The default settings and the development [`LogCodeSender`].
    fn default() -> Self {
        Auth::new(AuthConfig::default(), Arc::new(LogCodeSender))
    }
}
