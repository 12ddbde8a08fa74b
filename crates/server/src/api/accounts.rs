//! Tài khoản cán bộ — administrators manage officials' accounts: create
//! them and grant roles.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use motcua_domain::access::{check_password, Assignment, StaffRole, Username, WeakPassword};
use motcua_domain::dossier::UnitId;
use motcua_store::{NewOfficial, Official, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{json_error, RoleAssignment};
use crate::auth::secret;
use crate::auth::session::{forbidden, AuthContext, Authenticated};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOfficialRequest {
    /// 3–64 characters of a-z, 0-9, `.`, `_`, `-`.
    pub username: String,
    pub display_name: String,
    /// At least 10 characters, not containing the username.
    pub password: String,
    pub roles: Vec<RoleAssignment>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RolesRequest {
    pub roles: Vec<RoleAssignment>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfficialView {
    pub username: String,
    pub display_name: String,
    pub active: bool,
    pub roles: Vec<RoleAssignment>,
    pub created_at: DateTime<Utc>,
}

impl From<Official> for OfficialView {
    fn from(o: Official) -> Self {
        OfficialView {
            username: o.username.to_string(),
            display_name: o.display_name,
            active: o.active,
            roles: o.assignments.iter().map(RoleAssignment::from).collect(),
            created_at: o.created_at,
        }
    }
}

/// Parses the roles asked for and checks that the session may grant each.
fn grantable(ctx: &AuthContext, roles: &[RoleAssignment]) -> ApiResult<Vec<Assignment>> {
    if roles.is_empty() {
        return Err(ApiError::bad_request(
            "roles_required",
            "Cần ít nhất một vai trò.",
            "At least one role is required.",
        ));
    }
    let mut out = Vec::with_capacity(roles.len());
    for r in roles {
        let role = StaffRole::parse(r.role.trim()).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_role",
                format!("Vai trò không hợp lệ: {:?}.", r.role),
                format!("Unknown role {:?}.", r.role),
            )
        })?;
        let unit = UnitId::parse(r.unit.trim()).map_err(|e| {
            ApiError::bad_request(
                "invalid_unit",
                format!("Mã đơn vị không hợp lệ: {:?}.", r.unit),
                e.to_string(),
            )
        })?;
        let a = Assignment::new(role, unit).map_err(super::actor::access_error)?;
        if !ctx.principal.may_grant(&a) {
            return Err(forbidden());
        }
        out.push(a);
    }
    Ok(out)
}

/// Create an official with roles. A unit administrator grants roles at
/// their unit; a province administrator anywhere in their province.
#[utoipa::path(post, path = "/api/v1/admin/officials", tag = "auth",
    request_body = NewOfficialRequest,
    responses((status = 201, body = OfficialView),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden, csrf_failed", body = crate::error::Problem),
              (status = 409, description = "official_exists", body = crate::error::Problem),
              (status = 422, description = "weak_password, invalid_body", body = crate::error::Problem)))]
pub async fn create_official(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    body: Result<Json<NewOfficialRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<OfficialView>)> {
    let Json(req) = body.map_err(json_error)?;
    let assignments = grantable(&ctx, &req.roles)?;
    let username = Username::parse(&req.username).map_err(|e| {
        ApiError::bad_request(
            "invalid_username",
            "Tên đăng nhập không hợp lệ: 3–64 ký tự a-z, 0-9, dấu chấm, gạch dưới, gạch ngang.",
            e.to_string(),
        )
    })?;
    let display_name = req.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 200 {
        return Err(ApiError::bad_request(
            "invalid_display_name",
            "Họ tên phải có từ 1 đến 200 ký tự.",
            "The display name must have 1 to 200 characters.",
        ));
    }
    check_password(&req.password, &username).map_err(|e| {
        let vi = match e {
            WeakPassword::TooShort => "Mật khẩu phải có ít nhất 10 ký tự.",
            WeakPassword::TooLong => "Mật khẩu dài quá 256 ký tự.",
            WeakPassword::ContainsUsername => "Mật khẩu không được chứa tên đăng nhập.",
        };
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "weak_password",
            vi,
            e.to_string(),
        )
    })?;
    let password_hash = secret::hash_password(&req.password).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        ApiError::internal()
    })?;
    let new = NewOfficial {
        username,
        display_name: display_name.to_string(),
        password_hash,
        assignments,
    };
    match state.store.create_official(&new, Utc::now()).await {
        Ok(o) => {
            tracing::info!(admin = %ctx.principal.user(), official = %o.username, "official created");
            Ok((StatusCode::CREATED, Json(o.into())))
        }
        Err(StoreError::Conflict(_)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "official_exists",
            format!("Tên đăng nhập {} đã được dùng.", new.username),
            format!("The username {} is taken.", new.username),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Grant more roles to an existing official.
#[utoipa::path(post, path = "/api/v1/admin/officials/{username}/roles", tag = "auth",
    request_body = RolesRequest,
    params(("username" = String, Path, description = "The official's username")),
    responses((status = 200, body = OfficialView),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem),
              (status = 404, description = "official_not_found", body = crate::error::Problem)))]
pub async fn grant_roles(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    Path(username): Path<String>,
    body: Result<Json<RolesRequest>, JsonRejection>,
) -> ApiResult<Json<OfficialView>> {
    let Json(req) = body.map_err(json_error)?;
    let assignments = grantable(&ctx, &req.roles)?;
    let not_found = || {
        ApiError::not_found(
            "official_not_found",
            "Không có cán bộ với tên đăng nhập này.",
            "No official with this username.",
        )
    };
    let username = Username::parse(&username).map_err(|_| not_found())?;
    match state
        .store
        .add_assignments(&username, &assignments, Utc::now())
        .await
    {
        Ok(o) => Ok(Json(o.into())),
        Err(StoreError::NotFound(_)) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}
