//! Nhà cung cấp định danh — who vouches for a person.
//!
//! A login presents a [`Proof`] to an [`IdentityProvider`], which answers
//! with an [`Identity`] (an official's account or a citizen's) or an
//! [`AuthError`]; the HTTP layer then opens a session for that identity.
//! Two providers exist: [`PasswordProvider`] (officials) and
//! [`OtpProvider`] (citizens, by a one-time code).
//!
//! # Plugging in OpenID Connect (VNeID, a provincial SSO)
//!
//! A provider over OpenID Connect (authorization code flow with PKCE)
//! needs two routes and one more `Proof` variant:
//! 1. `GET /api/v1/auth/oidc/{provider}/start` stores `state`, `nonce` and
//!    the PKCE verifier (e.g. in a short-lived row keyed by `state`) and
//!    redirects to the provider's authorization endpoint;
//! 2. `GET /api/v1/auth/oidc/{provider}/callback?code&state` builds
//!    `Proof::AuthorizationCode { code, state }` (to be added) and calls
//!    the provider, which exchanges the code at the token endpoint,
//!    verifies the ID token (signature against the provider's JWKS, `iss`,
//!    `aud`, `exp`, `nonce`) and maps its subject to an account: for VNeID
//!    the personal identification number becomes a citizen account (a
//!    `citizens` row keyed by `vneid:<number>` instead of a phone or
//!    e-mail); for a provincial SSO the `preferred_username` names an
//!    existing official (assignments stay managed here).
//!
//! The provider then returns an [`Identity`] and the callback opens a
//! session exactly as `login` does; nothing else changes.

use std::net::IpAddr;

use async_trait::async_trait;
use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta, Utc};
use motcua_domain::access::{
    otp_code_hash, parse_otp_code, Contact, OtpChallenge, OtpCheck, Username,
};
use motcua_domain::dossier::UserId;
use motcua_store::{login_client_key, otp_key, Citizen, Official, Store, StoreError};

use super::guard::Refusal;
use super::secret::{self, HashError};
use super::{events, Auth, CodeSender};
use crate::error::ApiError;

/// What a person presents to log in.
pub enum Proof {
    Password { username: String, password: String },
    OneTimeCode { contact: Contact, code: String },
}

/// Who the provider vouches for.
#[derive(Debug, Clone)]
pub enum Identity {
    Official(Official),
    Citizen(Citizen),
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Wrong username or password, unknown or inactive account: one answer
    /// for all, so that it tells nothing.
    #[error("invalid username or password")]
    InvalidCredentials,
    /// Too many failures: locked for a while.
    #[error("too many failed attempts; try again later")]
    Locked { retry_after: TimeDelta },
    #[error("the code is wrong, expired or already used")]
    OtpInvalid,
    #[error("a code was sent moments ago; wait before asking again")]
    TooSoon { retry_after: TimeDelta },
    /// Too many logins from this address or for this account.
    #[error("too many sign-in attempts; try again later")]
    RateLimited { retry_after: TimeDelta },
    /// Every password verification slot is taken.
    #[error("the server is busy; try again in a moment")]
    Busy,
    /// Too many codes for this address, this contact or in all.
    #[error("too many codes requested; try again later")]
    OtpRateLimited { retry_after: TimeDelta },
    #[error("this provider does not accept this kind of proof")]
    Unsupported,
    #[error("the code could not be delivered")]
    Delivery,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

impl AuthError {
    /// The API error, and the seconds to put in `Retry-After`.
    pub fn to_api(&self) -> (ApiError, Option<u64>) {
        let secs = |t: &TimeDelta| u64::try_from(t.num_seconds().max(1)).unwrap_or(1);
        match self {
            AuthError::InvalidCredentials => (
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_credentials",
                    "Tên đăng nhập hoặc mật khẩu không đúng.",
                    "Invalid username or password.",
                ),
                None,
            ),
            AuthError::Locked { retry_after } => (
                ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "login_locked",
                    format!(
                        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {} phút.",
                        secs(retry_after).div_ceil(60)
                    ),
                    "Too many failed attempts. Please try again later.",
                )
                .with_extra(serde_json::json!({"retry_after_seconds": secs(retry_after)})),
                Some(secs(retry_after)),
            ),
            AuthError::RateLimited { retry_after } => (
                ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "login_rate_limited",
                    format!(
                        "Quá nhiều lần đăng nhập. Vui lòng thử lại sau {} giây.",
                        secs(retry_after)
                    ),
                    "Too many sign-in attempts. Please try again later.",
                )
                .with_extra(serde_json::json!({"retry_after_seconds": secs(retry_after)})),
                Some(secs(retry_after)),
            ),
            AuthError::Busy => (
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "login_busy",
                    "Máy chủ đang bận. Vui lòng thử đăng nhập lại sau giây lát.",
                    "The server is busy. Please try to sign in again in a moment.",
                )
                .with_extra(serde_json::json!({"retry_after_seconds": 1})),
                Some(1),
            ),
            AuthError::OtpRateLimited { retry_after } => (
                ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "otp_rate_limited",
                    format!(
                        "Đã yêu cầu quá nhiều mã xác thực. Vui lòng thử lại sau {} phút.",
                        secs(retry_after).div_ceil(60)
                    ),
                    "Too many codes were requested. Please try again later.",
                )
                .with_extra(serde_json::json!({"retry_after_seconds": secs(retry_after)})),
                Some(secs(retry_after)),
            ),
            AuthError::OtpInvalid => (
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "otp_invalid",
                    "Mã xác thực không đúng, đã hết hạn hoặc đã được dùng.",
                    "The code is wrong, expired or already used.",
                ),
                None,
            ),
            AuthError::TooSoon { retry_after } => (
                ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "otp_too_soon",
                    format!(
                        "Mã vừa được gửi. Vui lòng chờ {} giây trước khi yêu cầu mã mới.",
                        secs(retry_after)
                    ),
                    "A code was sent moments ago. Please wait before asking for another.",
                )
                .with_extra(serde_json::json!({"retry_after_seconds": secs(retry_after)})),
                Some(secs(retry_after)),
            ),
            AuthError::Unsupported => (
                ApiError::bad_request(
                    "unsupported_proof",
                    "Phương thức đăng nhập không được hỗ trợ.",
                    "This login method is not supported here.",
                ),
                None,
            ),
            AuthError::Delivery => (
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "otp_not_sent",
                    "Không gửi được mã xác thực. Vui lòng thử lại sau.",
                    "The code could not be sent. Please try again later.",
                ),
                None,
            ),
            AuthError::Store(e) => {
                tracing::error!(error = %e, "storage error during authentication");
                (ApiError::internal(), None)
            }
            AuthError::Hash(e) => {
                tracing::error!(error = %e, "hashing error during authentication");
                (ApiError::internal(), None)
            }
        }
    }
}

/// Vouches for a person given a proof. See the module doc for OpenID Connect.
#[async_trait]
pub trait IdentityProvider: Send + Sync {
    /// A stable name: `password`, `otp` (later e.g. `vneid`, `sso-04`).
    fn name(&self) -> &'static str;

    async fn authenticate(&self, proof: Proof) -> Result<Identity, AuthError>;
}

impl From<Refusal> for AuthError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::RateLimited(retry_after) => AuthError::RateLimited { retry_after },
            Refusal::Busy => AuthError::Busy,
        }
    }
}

/// Officials: username and password. Before the password is checked: the
/// rate limits, a verification slot, and the reservation of the attempt
/// against the lock-out of (username, client address).
pub struct PasswordProvider<'a> {
    pub store: &'a dyn Store,
    pub auth: &'a Auth,
    /// Where the request comes from ([`super::ClientAddr`]).
    pub client: IpAddr,
}

/// Longer inputs are refused before hashing (argon2 is costly on purpose).
const MAX_PASSWORD_BYTES: usize = 1024;

impl PasswordProvider<'_> {
    /// Logs a refusal and passes it on.
    fn refused(&self, account: &str, e: AuthError) -> AuthError {
        let reason = match &e {
            AuthError::Locked { .. } => "locked",
            AuthError::RateLimited { .. } => "rate_limited",
            AuthError::Busy => "busy",
            _ => "other",
        };
        events::login_refused(account, self.client, reason);
        e
    }

    /// Records a failed check (the attempt is already counted).
    fn failed(&self, username: &Username, known: bool, locked_now: bool, reason: &'static str) {
        let account = if known {
            username.to_string()
        } else {
            events::hashed_account(username.as_str())
        };
        events::login_failed(&account, self.client, reason);
        if locked_now {
            events::login_locked(
                &account,
                self.client,
                self.auth.config.lockout.lock_for.num_minutes(),
            );
        }
        if known {
            if let Some((addresses, failures)) =
                self.auth
                    .guard
                    .watch_failure(username.as_str(), self.client, Utc::now())
            {
                events::account_attacked(username.as_str(), addresses, failures);
            }
        }
    }
}

#[async_trait]
impl IdentityProvider for PasswordProvider<'_> {
    fn name(&self) -> &'static str {
        "password"
    }

    async fn authenticate(&self, proof: Proof) -> Result<Identity, AuthError> {
        let Proof::Password { username, password } = proof else {
            return Err(AuthError::Unsupported);
        };
        let Ok(username) = Username::parse(&username) else {
            events::login_failed(&events::hashed_account(&username), self.client, "malformed");
            return Err(AuthError::InvalidCredentials);
        };
        if password.is_empty() || password.len() > MAX_PASSWORD_BYTES {
            self.failed(&username, false, false, "malformed");
            return Err(AuthError::InvalidCredentials);
        }
        let guard = &self.auth.guard;
        let hashed = events::hashed_account(username.as_str());
        if let Err(r) = guard.check_login(self.client, username.as_str()) {
            return Err(self.refused(&hashed, r.into()));
        }
        let _slot = match guard.verification_slot().await {
            Ok(slot) => slot,
            Err(r) => return Err(self.refused(&hashed, r.into())),
        };
        let key = login_client_key(&username, &self.client.to_string());
        let now = Utc::now();
        let reserved = match self
            .store
            .reserve_attempt(&key, now, &self.auth.config.lockout)
            .await?
        {
            Ok(t) => t,
            Err(until) => {
                let e = locked(until, now);
                return Err(self.refused(&hashed, e));
            }
        };
        let login = self.store.official(&username).await?;
        let matches = match &login {
            Some(l) => secret::verify_password(&password, &l.password_hash).await?,
            None => {
                secret::verify_dummy(&password).await?;
                false
            }
        };
        let locked_now = reserved.is_locked(now);
        match login {
            Some(l) if matches && l.official.active => {
                self.store.clear_failures(&key).await?;
                events::login_succeeded(username.as_str(), self.client);
                Ok(Identity::Official(l.official))
            }
            Some(_) => {
                let reason = if matches {
                    "inactive"
                } else {
                    "wrong_password"
                };
                self.failed(&username, true, locked_now, reason);
                Err(AuthError::InvalidCredentials)
            }
            None => {
                self.failed(&username, false, locked_now, "unknown_account");
                Err(AuthError::InvalidCredentials)
            }
        }
    }
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> AuthError {
    AuthError::Locked {
        retry_after: until - now,
    }
}

/// The throttle key of a citizen contact tried from one client address.
fn otp_client_key(contact: &Contact, client: IpAddr) -> String {
    format!("{}@{client}", otp_key(contact))
}

/// Citizens: a one-time code sent to their phone or e-mail. The account is
/// created at the first successful code.
pub struct OtpProvider<'a> {
    pub store: &'a dyn Store,
    pub auth: &'a Auth,
    /// Where the request comes from ([`super::ClientAddr`]).
    pub client: IpAddr,
}

impl OtpProvider<'_> {
    async fn check_lock(&self, contact: &Contact) -> Result<(), AuthError> {
        let now = Utc::now();
        let t = self
            .store
            .throttle(&otp_client_key(contact, self.client))
            .await?;
        match t.locked_until.filter(|_| t.is_locked(now)) {
            Some(until) => Err(locked(until, now)),
            None => Ok(()),
        }
    }

    /// Sends a fresh code (replacing any earlier one) unless the address,
    /// the contact or the server has asked for too many this hour, one was
    /// sent less than a minute ago, or the contact is locked. The code is
    /// never logged (only by the development [`super::LogCodeSender`]).
    pub async fn send_code(&self, contact: &Contact) -> Result<(), AuthError> {
        let refused = |e: AuthError, reason| {
            events::otp_refused(contact, self.client, reason);
            e
        };
        if let Err(r) = self.auth.guard.check_code(self.client, &contact.key()) {
            let retry_after = match r {
                Refusal::RateLimited(t) => t,
                Refusal::Busy => TimeDelta::seconds(1),
            };
            return Err(refused(
                AuthError::OtpRateLimited { retry_after },
                "rate_limited",
            ));
        }
        if let Err(e) = self.check_lock(contact).await {
            return Err(refused(e, "locked"));
        }
        let policy = &self.auth.config.otp;
        let code = secret::random_code().map_err(HashError::from)?;
        let challenge = OtpChallenge::new(contact, &code, Utc::now(), policy);
        if let Err(retry_after) = self.store.put_otp(contact, &challenge, policy).await? {
            return Err(refused(AuthError::TooSoon { retry_after }, "too_soon"));
        }
        let sender: &dyn CodeSender = &*self.auth.codes;
        sender
            .send_code(contact, &code, policy.ttl)
            .await
            .map_err(|e| {
                tracing::error!(to = %contact.masked(), error = %e, "one-time code not sent");
                AuthError::Delivery
            })?;
        events::otp_sent(contact, self.client);
        Ok(())
    }
}

#[async_trait]
impl IdentityProvider for OtpProvider<'_> {
    fn name(&self) -> &'static str {
        "otp"
    }

    async fn authenticate(&self, proof: Proof) -> Result<Identity, AuthError> {
        let Proof::OneTimeCode { contact, code } = proof else {
            return Err(AuthError::Unsupported);
        };
        let key = otp_client_key(&contact, self.client);
        let now = Utc::now();
        let reserved = match self
            .store
            .reserve_attempt(&key, now, &self.auth.config.lockout)
            .await?
        {
            Ok(t) => t,
            Err(until) => {
                events::otp_failed(&contact, self.client, "locked");
                return Err(locked(until, now));
            }
        };
        let check = match parse_otp_code(&code) {
            Some(code) => {
                self.store
                    .attempt_otp(&contact, &otp_code_hash(&contact, code), now)
                    .await?
            }
            None => OtpCheck::NoChallenge,
        };
        if check != OtpCheck::Verified {
            events::otp_failed(&contact, self.client, "wrong_code");
            if reserved.is_locked(now) {
                events::login_locked(
                    &contact.masked(),
                    self.client,
                    self.auth.config.lockout.lock_for.num_minutes(),
                );
            }
            return Err(AuthError::OtpInvalid);
        }
        self.store.clear_failures(&key).await?;
        let id = format!(
            "citizen:{}",
            hex::encode(secret::random_bytes::<16>().map_err(HashError::from)?)
        );
        let id = UserId::parse(&id).map_err(|e| AuthError::Store(StoreError::Other(e.into())))?;
        let citizen = self.store.citizen_for_contact(&contact, &id, now).await?;
        events::otp_succeeded(citizen.id.as_str(), self.client);
        Ok(Identity::Citizen(citizen))
    }
}
