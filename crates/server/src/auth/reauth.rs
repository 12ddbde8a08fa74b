//! Xác thực lại — an administrator's current password, asked again before
//! an account change (create, grant, revoke, deactivate, reactivate) and
//! before an official changes their own password, so that a session left
//! open or stolen is not enough to change who may do what.
//!
//! The password travels in the request (`current_password`), checked
//! against the stored hash like a login: wrong ones are counted under their
//! own key ([`reauth_key`]), and [`motcua_domain::access::LockoutPolicy`]
//! locks further attempts for a while (the login itself is not locked).

use axum::http::StatusCode;
use chrono::Utc;
use motcua_domain::access::Username;
use motcua_store::Subject;

use super::secret;
use super::session::{forbidden, AuthContext};
use crate::error::ApiError;
use crate::AppState;

/// The throttle key of an official's re-authentications.
pub fn reauth_key(username: &Username) -> String {
    format!("reauth:{username}")
}

pub fn reauth_required() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "reauth_required",
        "Thao tác này cần nhập lại mật khẩu hiện tại của bạn (current_password); mật khẩu bị thiếu hoặc không đúng.",
        "This action needs your current password again (current_password); it is missing or wrong.",
    )
}

fn locked(secs: i64) -> ApiError {
    let secs = u64::try_from(secs.max(1)).unwrap_or(1);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "reauth_locked",
        format!(
            "Nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau {} phút.",
            secs.div_ceil(60)
        ),
        "Too many wrong passwords. Please try again later.",
    )
    .with_extra(serde_json::json!({"retry_after_seconds": secs}))
}

/// Checks the session's official's current password: 403
/// `reauth_required` if it is missing or wrong, 429 `reauth_locked` after
/// too many wrong ones, 403 `forbidden` for a citizen.
pub async fn confirm(
    state: &AppState,
    ctx: &AuthContext,
    password: Option<&str>,
) -> Result<(), ApiError> {
    let Subject::Official(username) = &ctx.subject else {
        return Err(forbidden());
    };
    let key = reauth_key(username);
    let now = Utc::now();
    let throttle = state.store.throttle(&key).await?;
    if throttle.is_locked(now) {
        let until = throttle.locked_until.unwrap_or(now);
        return Err(locked((until - now).num_seconds()));
    }
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return Err(reauth_required());
    };
    let login = state.store.official(username).await?;
    let hash = login
        .as_ref()
        .map(|l| l.password_hash.as_str())
        .unwrap_or("");
    let ok = secret::verify_password(password, hash).await.map_err(|e| {
        tracing::error!(error = %e, "password verification failed");
        ApiError::internal()
    })?;
    if !ok {
        let after = state
            .store
            .record_failure(&key, now, &state.auth.config.lockout)
            .await?;
        tracing::warn!(official = %username, locked = after.is_locked(now), "re-authentication failed");
        return Err(reauth_required());
    }
    state.store.clear_failures(&key).await?;
    Ok(())
}
