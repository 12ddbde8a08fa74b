//! Who is acting. Until accounts and sessions arrive (issue 4), the actor
//! is stated by the caller in three headers; the domain still checks that
//! the role may act, on the unit that holds the dossier.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use motcua_domain::dossier::{Actor, Role, UnitId, UserId};

use crate::error::ApiError;

pub const ROLE_HEADER: &str = "x-actor-role";
pub const USER_HEADER: &str = "x-actor-user";
pub const UNIT_HEADER: &str = "x-actor-unit";

/// The acting person, from `X-Actor-Role`, `X-Actor-User` and (for staff)
/// `X-Actor-Unit`.
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

impl<S: Send + Sync> FromRequestParts<S> for ActingAs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let role = header(parts, ROLE_HEADER).ok_or_else(|| {
            unauthorized(
                "Thiếu vai trò người thực hiện (X-Actor-Role).",
                "The acting role is missing (X-Actor-Role).",
            )
        })?;
        let role: Role = serde_json::from_value(serde_json::Value::String(role.to_string()))
            .map_err(|_| {
                ApiError::bad_request(
                    "invalid_role",
                    format!("Vai trò không hợp lệ: {role:?}."),
                    format!("Unknown role {role:?}."),
                )
            })?;
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
        let unit = header(parts, UNIT_HEADER)
            .map(|u| {
                UnitId::parse(u).map_err(|e| {
                    ApiError::bad_request(
                        "invalid_unit",
                        format!("Mã đơn vị không hợp lệ: {u:?}."),
                        e.to_string(),
                    )
                })
            })
            .transpose()?;
        Ok(ActingAs(Actor { role, user, unit }))
    }
}
