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

use async_trait::async_trait;
use axum::http::StatusCode;
use chrono::{TimeDelta, Utc};
use motcua_domain::access::{
    otp_code_hash, parse_otp_code, Contact, OtpChallenge, OtpCheck, Username,
};
use motcua_domain::dossier::UserId;
use motcua_store::{login_key, otp_key, Citizen, Official, Store, StoreError};

use super::secret::{self, HashError};
use super::{Auth, CodeSender};
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

/// Officials: username and password, with lockout after repeated failures.
pub struct PasswordProvider<'a> {
    pub store: &'a dyn Store,
    pub auth: &'a Auth,
}

/// Longer inputs are refused before hashing (argon2 is costly on purpose).
const MAX_PASSWORD_BYTES: usize = 1024;

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
            return Err(AuthError::InvalidCredentials);
        };
        if password.is_empty() || password.len() > MAX_PASSWORD_BYTES {
            return Err(AuthError::InvalidCredentials);
        }
        let key = login_key(&username);
        let now = Utc::now();
        let throttle = self.store.throttle(&key).await?;
        if let Some(until) = throttle.locked_until.filter(|_| throttle.is_locked(now)) {
            return Err(AuthError::Locked {
                retry_after: until - now,
            });
        }
        let login = self.store.official(&username).await?;
        let matches = match &login {
            Some(l) => secret::verify_password(&password, &l.password_hash).await?,
            None => {
                secret::verify_dummy(&password).await?;
                false
            }
        };
        match login {
            Some(l) if matches && l.official.active => {
                self.store.clear_failures(&key).await?;
                Ok(Identity::Official(l.official))
            }
            _ => {
                let t = self
                    .store
                    .record_failure(&key, now, &self.auth.config.lockout)
                    .await?;
                if t.is_locked(now) {
                    tracing::warn!(username = %username, "login locked after repeated failures");
                }
                Err(AuthError::InvalidCredentials)
            }
        }
    }
}

/// Citizens: a one-time code sent to their phone or e-mail. The account is
/// created at the first successful code.
pub struct OtpProvider<'a> {
    pub store: &'a dyn Store,
    pub auth: &'a Auth,
}

impl OtpProvider<'_> {
    async fn check_lock(&self, contact: &Contact) -> Result<(), AuthError> {
        let now = Utc::now();
        let t = self.store.throttle(&otp_key(contact)).await?;
        match t.locked_until.filter(|_| t.is_locked(now)) {
            Some(until) => Err(AuthError::Locked {
                retry_after: until - now,
            }),
            None => Ok(()),
        }
    }

    /// Sends a fresh code (replacing any earlier one) unless one was sent
    /// less than a minute ago or the contact is locked.
    pub async fn send_code(&self, contact: &Contact) -> Result<(), AuthError> {
        self.check_lock(contact).await?;
        let policy = &self.auth.config.otp;
        let code = secret::random_code().map_err(HashError::from)?;
        let challenge = OtpChallenge::new(contact, &code, Utc::now(), policy);
        if let Err(retry_after) = self.store.put_otp(contact, &challenge, policy).await? {
            return Err(AuthError::TooSoon { retry_after });
        }
        let sender: &dyn CodeSender = &*self.auth.codes;
        sender
            .send_code(contact, &code, policy.ttl)
            .await
            .map_err(|e| {
                tracing::error!(to = %contact.masked(), error = %e, "one-time code not sent");
                AuthError::Delivery
            })
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
        self.check_lock(&contact).await?;
        let now = Utc::now();
        let check = match parse_otp_code(&code) {
            Some(code) => {
                self.store
                    .attempt_otp(&contact, &otp_code_hash(&contact, code), now)
                    .await?
            }
            None => OtpCheck::NoChallenge,
        };
        if check != OtpCheck::Verified {
            self.store
                .record_failure(&otp_key(&contact), now, &self.auth.config.lockout)
                .await?;
            return Err(AuthError::OtpInvalid);
        }
        self.store.clear_failures(&otp_key(&contact)).await?;
        let id = format!(
            "citizen:{}",
            hex::encode(secret::random_bytes::<16>().map_err(HashError::from)?)
        );
        let id = UserId::parse(&id).map_err(|e| AuthError::Store(StoreError::Other(e.into())))?;
        let citizen = self.store.citizen_for_contact(&contact, &id, now).await?;
        Ok(Identity::Citizen(citizen))
    }
}
