//! Sự kiện an ninh — security events, as structured `tracing` events on
//! one target, [`TARGET`], each with an `event` field naming it:
//!
//! | event | level | when |
//! |---|---|---|
//! | `login_succeeded` | info | an official signed in |
//! | `login_failed` | info | wrong password, unknown or inactive account |
//! | `login_locked` | warn | this failure locked (account, address) |
//! | `login_refused` | warn | refused before checking: `locked`, `rate_limited`, `busy` |
//! | `account_attacked` | warn | one account failed from several addresses |
//! | `otp_sent`, `otp_refused` | info, warn | a code request, served or refused |
//! | `otp_succeeded`, `otp_failed` | info | a citizen's sign-in by code |
//! | `logout` | info | a session ended by its holder |
//! | `access_denied` | warn | a request refused with 403 |
//! | `roles_granted` | info | an administrator gave roles |
//!
//! No personal data: never a password or a code; a citizen's contact only
//! masked; an official by username once the account is known to exist,
//! otherwise (a name that matches no account — perhaps a password typed in
//! the wrong field — or a refusal before the look-up) only as a short hash
//! ([`hashed_account`]).

use std::net::IpAddr;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use motcua_domain::access::Contact;
use motcua_store::Subject;

use super::SessionState;

/// The `tracing` target of every security event.
pub const TARGET: &str = "motcua::security";

/// How a username is logged when it matches no account, or before the
/// account is looked up (a refusal): `sha256:` and the first 12 hex digits
/// of its SHA-256 (compute it from a username to find its events).
pub fn hashed_account(name: &str) -> String {
    let h = super::secret::sha256(name.as_bytes());
    format!("sha256:{}", &hex::encode(h)[..12])
}

/// How a session's holder is logged (an official's username, a citizen's
/// random account id).
pub fn subject(s: &Subject) -> String {
    match s {
        Subject::Official(u) => u.to_string(),
        Subject::Citizen(c) => c.to_string(),
    }
}

pub fn login_succeeded(account: &str, client: IpAddr) {
    tracing::info!(target: TARGET, event = "login_succeeded", account, %client, "sign-in");
}

pub fn login_failed(account: &str, client: IpAddr, reason: &'static str) {
    tracing::info!(target: TARGET, event = "login_failed", account, %client, reason, "sign-in failed");
}

pub fn login_locked(account: &str, client: IpAddr, minutes: i64) {
    tracing::warn!(
        target: TARGET,
        event = "login_locked",
        account,
        %client,
        minutes,
        "sign-in locked for this address after repeated failures"
    );
}

pub fn login_refused(account: &str, client: IpAddr, reason: &'static str) {
    tracing::warn!(target: TARGET, event = "login_refused", account, %client, reason, "sign-in refused");
}

pub fn account_attacked(account: &str, addresses: usize, failures: usize) {
    tracing::warn!(
        target: TARGET,
        event = "account_attacked",
        account,
        addresses,
        failures,
        "ALERT: failed sign-ins on one account from several addresses"
    );
}

pub fn otp_sent(contact: &Contact, client: IpAddr) {
    tracing::info!(target: TARGET, event = "otp_sent", contact = %contact.masked(), %client, "one-time code sent");
}

pub fn otp_refused(contact: &Contact, client: IpAddr, reason: &'static str) {
    tracing::warn!(
        target: TARGET,
        event = "otp_refused",
        contact = %contact.masked(),
        %client,
        reason,
        "one-time code refused"
    );
}

pub fn otp_succeeded(account: &str, client: IpAddr) {
    tracing::info!(target: TARGET, event = "otp_succeeded", account, %client, "sign-in by code");
}

pub fn otp_failed(contact: &Contact, client: IpAddr, reason: &'static str) {
    tracing::info!(
        target: TARGET,
        event = "otp_failed",
        contact = %contact.masked(),
        %client,
        reason,
        "sign-in by code failed"
    );
}

pub fn logout(account: &str, client: IpAddr) {
    tracing::info!(target: TARGET, event = "logout", account, %client, "sign-out");
}

pub fn access_denied(account: Option<&str>, method: &str, path: &str) {
    tracing::warn!(
        target: TARGET,
        event = "access_denied",
        account = account.unwrap_or("anonymous"),
        method,
        path,
        "access denied"
    );
}

pub fn roles_granted(by: &str, account: &str, roles: &str) {
    tracing::info!(target: TARGET, event = "roles_granted", by, account, roles, "roles granted");
}

pub fn role_revoked(by: &str, account: &str, role: &str) {
    tracing::info!(target: TARGET, event = "role_revoked", by, account, role, "role revoked");
}

/// `account_deactivated` or `account_reactivated`.
pub fn activation_changed(by: &str, account: &str, active: bool) {
    let event = if active {
        "account_reactivated"
    } else {
        "account_deactivated"
    };
    tracing::info!(target: TARGET, event, by, account, "account activation changed");
}

pub fn password_changed(account: &str) {
    tracing::info!(target: TARGET, event = "password_changed", account, "password changed");
}

/// Logs `access_denied` for every answer 403 produced by a handler (scope
/// and role refusals), with the session's holder if there is one. Runs
/// inside the session layer, which leaves the [`SessionState`].
pub async fn access_log(req: Request, next: Next) -> Response {
    let account = match req.extensions().get::<SessionState>() {
        Some(SessionState::Valid(c)) => Some(subject(&c.subject)),
        _ => None,
    };
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    if res.status() == StatusCode::FORBIDDEN {
        access_denied(account.as_deref(), method.as_str(), &path);
    }
    res
}
