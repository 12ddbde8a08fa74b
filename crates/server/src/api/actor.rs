//! Who is acting: the person of the session (cookie or bearer token), as
//! one of their role assignments. An official holding several acting roles
//! names one with `X-Acting-Role` (and `X-Acting-Unit`); a citizen acts as
//! the applicant. The domain still checks that the role may act, on the
//! unit that holds the dossier.
//!
//! Development and tests only ([`crate::AppState::insecure_actor_headers`]):
//! without a session, the actor may be stated by the caller in
//! `X-Actor-Role`, `X-Actor-User` and (for staff) `X-Actor-Unit`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use motcua_domain::access::AccessError;
use motcua_domain::dossier::{Actor, Role, UnitId, UserId};

use crate::auth::session::{authentication_required, session_expired};
use crate::auth::SessionState;
use crate::error::ApiError;
use crate::AppState;

pub const ROLE_HEADER: &str = "x-actor-role";
pub const USER_HEADER: &str = "x-actor-user";
pub const UNIT_HEADER: &str = "x-actor-unit";
/// Which of the session's roles acts.
pub const ACTING_ROLE_HEADER: &str = "x-acting-role";
/// At which unit (when the role is held at several).
pub const ACTING_UNIT_HEADER: &str = "x-acting-unit";

/// The acting person.
pub struct ActingAs(pub Actor);

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn unauthorized(vi: &str, en: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "actor_required", vi, en)
}

fn role(s: &str) -> Result<Role, ApiError> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
        ApiError::bad_request(
            "invalid_role",
            format!("Vai trò không hợp lệ: {s:?}."),
            format!("Unknown role {s:?}."),
        )
    })
}

fn unit(s: &str) -> Result<UnitId, ApiError> {
    UnitId::parse(s).map_err(|e| {
        ApiError::bad_request(
            "invalid_unit",
            format!("Mã đơn vị không hợp lệ: {s:?}."),
            e.to_string(),
        )
    })
}

/// The API error of an access rule's refusal.
pub fn access_error(e: AccessError) -> ApiError {
    let status = match e {
        AccessError::AmbiguousRole { .. } | AccessError::InvalidAssignment { .. } => {
            StatusCode::BAD_REQUEST
        }
        AccessError::ReadOnly | AccessError::RoleNotAssigned { .. } => StatusCode::FORBIDDEN,
    };
    let err = ApiError::new(status, e.code(), e.message_vi(), e.to_string());
    match &e {
        AccessError::AmbiguousRole { choices } => err.with_extra(serde_json::json!({
            "choices": choices
                .iter()
                .map(|(r, u)| serde_json::json!({"role": r, "unit": u}))
                .collect::<Vec<_>>()
        })),
        _ => err,
    }
}

fn from_actor_headers(parts: &Parts) -> Result<Actor, ApiError> {
    let role = header(parts, ROLE_HEADER).ok_or_else(|| {
        unauthorized(
            "Thiếu vai trò người thực hiện (X-Actor-Role).",
            "The acting role is missing (X-Actor-Role).",
        )
    })?;
    let role = self::role(role)?;
    let user = header(parts, USER_HEADER).ok_or_else(|| {
        unauthorized(
            "Thiếu người thực hiện (X-Actor-User).",
            "The acting user is missing (X-Actor-User).",
        )
    })?;
    let user = UserId::parse(user).map_err(|e| {
        ApiError::bad_request(
            "invalid_user",
            format!("Mã người dùng không hợp lệ: {user:?}."),
            e.to_string(),
        )
    })?;
    let unit = header(parts, UNIT_HEADER).map(unit).transpose()?;
    Ok(Actor { role, user, unit })
}

impl FromRequestParts<AppState> for ActingAs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match parts.extensions.get::<SessionState>() {
            Some(SessionState::Valid(ctx)) => {
                let role = header(parts, ACTING_ROLE_HEADER).map(role).transpose()?;
                let unit = header(parts, ACTING_UNIT_HEADER).map(unit).transpose()?;
                ctx.principal
                    .actor(role, unit.as_ref())
                    .map(ActingAs)
                    .map_err(access_error)
            }
            Some(SessionState::Invalid) => Err(session_expired()),
            None if state.insecure_actor_headers => from_actor_headers(parts).map(ActingAs),
            None => Err(authentication_required()),
        }
    }
}
