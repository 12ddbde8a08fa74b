//! Tài khoản cán bộ — officials' accounts over HTTP: administrators
//! create officials, grant and revoke roles, deactivate and reactivate
//! accounts and read their events; an official changes their own
//! password.
//!
//! Every change needs the caller's current password again
//! (`current_password`, [`crate::auth::reauth`]), else 403
//! `reauth_required`. Who may change which account is the domain's rule
//! ([`motcua_domain::access::Principal::check_account_change`]), applied by
//! the engine ([`motcua_engine::AccountError`]). The pages
//! (`crate::pages::accounts`) call the same functions.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use motcua_domain::access::{
    check_password, Assignment, ManageRefusal, Principal, StaffRole, Username, WeakPassword,
};
use motcua_domain::dossier::UnitId;
use motcua_engine::AccountError;
use motcua_store::{AccountEvent, NewOfficial, Official, Subject};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{json_error, RoleAssignment};
use crate::auth::secret;
use crate::auth::session::{forbidden, AuthContext, Authenticated};
use crate::auth::{events, reauth};
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
    /// The administrator's own current password (re-authentication).
    #[serde(default)]
    pub current_password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RolesRequest {
    pub roles: Vec<RoleAssignment>,
    /// The administrator's own current password (re-authentication).
    #[serde(default)]
    pub current_password: Option<String>,
}

/// One role to revoke.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeRequest {
    pub role: String,
    pub unit: String,
    /// The administrator's own current password (re-authentication).
    #[serde(default)]
    pub current_password: Option<String>,
}

/// The administrator's own current password (re-authentication).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReauthRequest {
    #[serde(default)]
    pub current_password: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChangeRequest {
    #[serde(default)]
    pub current_password: Option<String>,
    /// At least 10 characters, not containing the username.
    pub new_password: String,
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

/// One change to an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountEventView {
    pub seq: i64,
    /// created, roles_granted, role_revoked, deactivated, reactivated,
    /// password_changed.
    pub kind: String,
    /// Who made the change; null for the system.
    pub actor: Option<String>,
    /// The roles concerned (all at creation, the new ones of a grant, the
    /// one revoked).
    pub roles: Vec<RoleAssignment>,
    pub at: DateTime<Utc>,
}

impl From<AccountEvent> for AccountEventView {
    fn from(e: AccountEvent) -> Self {
        AccountEventView {
            seq: e.seq,
            kind: e.kind.as_str().to_string(),
            actor: e.actor.map(|a| a.to_string()),
            roles: e.roles.iter().map(RoleAssignment::from).collect(),
            at: e.at,
        }
    }
}

pub(crate) fn official_not_found() -> ApiError {
    ApiError::not_found(
        "official_not_found",
        "Không có cán bộ với tên đăng nhập này.",
        "No official with this username.",
    )
}

/// The API error of an account operation.
pub(crate) fn account_error(e: AccountError) -> ApiError {
    match e {
        AccountError::NotFound(_) => official_not_found(),
        AccountError::Exists(u) => ApiError::new(
            StatusCode::CONFLICT,
            "official_exists",
            format!("Tên đăng nhập {u} đã được dùng."),
            format!("The username {u} is taken."),
        ),
        AccountError::Refused(ManageRefusal::OutOfReach) => forbidden(),
        AccountError::Refused(r) => {
            let status = match r {
                ManageRefusal::NotHeld => StatusCode::NOT_FOUND,
                _ => StatusCode::CONFLICT,
            };
            ApiError::new(status, r.code(), r.message_vi(), r.to_string())
        }
        AccountError::Store(e) => e.into(),
    }
}

/// A path's username; one that cannot exist is not found.
pub(crate) fn parse_username(s: &str) -> ApiResult<Username> {
    Username::parse(s).map_err(|_| official_not_found())
}

/// A role at a unit, as typed.
pub(crate) fn parse_assignment(role: &str, unit: &str) -> ApiResult<Assignment> {
    let role = StaffRole::parse(role.trim()).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_role",
            format!("Vai trò không hợp lệ: {role:?}."),
            format!("Unknown role {role:?}."),
        )
    })?;
    let unit = UnitId::parse(unit.trim()).map_err(|e| {
        ApiError::bad_request(
            "invalid_unit",
            format!("Mã đơn vị không hợp lệ: {unit:?}."),
            e.to_string(),
        )
    })?;
    Assignment::new(role, unit).map_err(super::actor::access_error)
}

/// Parses the roles asked for and checks that the session may grant each.
pub(crate) fn grantable(ctx: &AuthContext, roles: &[RoleAssignment]) -> ApiResult<Vec<Assignment>> {
    if roles.is_empty() {
        return Err(ApiError::bad_request(
            "roles_required",
            "Cần ít nhất một vai trò.",
            "At least one role is required.",
        ));
    }
    let mut out = Vec::with_capacity(roles.len());
    for r in roles {
        let a = parse_assignment(&r.role, &r.unit)?;
        if !ctx.principal.may_grant(&a) {
            return Err(forbidden());
        }
        out.push(a);
    }
    Ok(out)
}

/// The session's person, if an administrator.
pub(crate) fn administrator(ctx: &AuthContext) -> ApiResult<&Principal> {
    if ctx.principal.is_administrator() {
        Ok(&ctx.principal)
    } else {
        Err(forbidden())
    }
}

pub(crate) fn weak_password(e: WeakPassword) -> ApiError {
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
}

async fn hash(password: &str) -> ApiResult<String> {
    secret::hash_password(password).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        ApiError::internal()
    })
}

/// Grants roles after re-authentication (API and pages).
pub(crate) async fn grant(
    state: &AppState,
    ctx: &AuthContext,
    username: &Username,
    roles: &[Assignment],
    current_password: Option<&str>,
) -> ApiResult<Official> {
    reauth::confirm(state, ctx, current_password).await?;
    let o = state
        .engine
        .grant_roles(&ctx.principal, username, roles, Utc::now())
        .await
        .map_err(account_error)?;
    let roles: Vec<String> = roles
        .iter()
        .map(|a| format!("{}@{}", a.role.as_str(), a.unit))
        .collect();
    events::roles_granted(
        ctx.principal.user().as_str(),
        username.as_str(),
        &roles.join(","),
    );
    Ok(o)
}

/// Revokes one role after re-authentication (API and pages).
pub(crate) async fn revoke(
    state: &AppState,
    ctx: &AuthContext,
    username: &Username,
    role: &Assignment,
    current_password: Option<&str>,
) -> ApiResult<Official> {
    let admin = administrator(ctx)?;
    reauth::confirm(state, ctx, current_password).await?;
    let o = state
        .engine
        .revoke_role(admin, username, role, Utc::now())
        .await
        .map_err(account_error)?;
    events::role_revoked(
        admin.user().as_str(),
        username.as_str(),
        &format!("{}@{}", role.role.as_str(), role.unit),
    );
    Ok(o)
}

/// Deactivates or reactivates an account after re-authentication (API
/// and pages).
pub(crate) async fn set_active(
    state: &AppState,
    ctx: &AuthContext,
    username: &Username,
    active: bool,
    current_password: Option<&str>,
) -> ApiResult<Official> {
    let admin = administrator(ctx)?;
    reauth::confirm(state, ctx, current_password).await?;
    let o = state
        .engine
        .set_official_active(admin, username, active, Utc::now())
        .await
        .map_err(account_error)?;
    events::activation_changed(admin.user().as_str(), username.as_str(), active);
    Ok(o)
}

/// Changes the session's official's own password after re-authentication;
/// their other sessions end (API and pages).
pub(crate) async fn change_password(
    state: &AppState,
    ctx: &AuthContext,
    current_password: Option<&str>,
    new_password: &str,
) -> ApiResult<()> {
    let Subject::Official(username) = &ctx.subject else {
        return Err(forbidden());
    };
    reauth::confirm(state, ctx, current_password).await?;
    check_password(new_password, username).map_err(weak_password)?;
    let hashed = hash(new_password).await?;
    state
        .engine
        .change_password(username, &hashed, Some(&ctx.token_hash), Utc::now())
        .await
        .map_err(account_error)?;
    events::password_changed(username.as_str());
    Ok(())
}

/// Create an official with roles. A unit administrator grants roles at
/// their unit; a province administrator anywhere in their province. Needs
/// the administrator's `current_password`.
#[utoipa::path(post, path = "/api/v1/officials", tag = "auth",
    request_body = NewOfficialRequest,
    responses((status = 201, body = OfficialView),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden, reauth_required, csrf_failed", body = crate::error::Problem),
              (status = 409, description = "official_exists", body = crate::error::Problem),
              (status = 422, description = "weak_password, invalid_body", body = crate::error::Problem),
              (status = 429, description = "reauth_locked", body = crate::error::Problem)))]
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
    check_password(&req.password, &username).map_err(weak_password)?;
    reauth::confirm(&state, &ctx, req.current_password.as_deref()).await?;
    let new = NewOfficial {
        username,
        display_name: display_name.to_string(),
        password_hash: hash(&req.password).await?,
        assignments,
    };
    let o = state
        .engine
        .create_official(&ctx.principal, &new, Utc::now())
        .await
        .map_err(account_error)?;
    tracing::info!(admin = %ctx.principal.user(), official = %o.username, "official created");
    Ok((StatusCode::CREATED, Json(o.into())))
}

/// Grant more roles to an existing official. Needs the administrator's
/// `current_password`.
#[utoipa::path(post, path = "/api/v1/officials/{username}/roles", tag = "auth",
    request_body = RolesRequest,
    params(("username" = String, Path, description = "The official's username")),
    responses((status = 200, body = OfficialView),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden, reauth_required, csrf_failed", body = crate::error::Problem),
              (status = 404, description = "official_not_found", body = crate::error::Problem),
              (status = 422, description = "invalid_body", body = crate::error::Problem),
              (status = 429, description = "reauth_locked", body = crate::error::Problem)))]
pub async fn grant_roles(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    Path(username): Path<String>,
    body: Result<Json<RolesRequest>, JsonRejection>,
) -> ApiResult<Json<OfficialView>> {
    let Json(req) = body.map_err(json_error)?;
    let assignments = grantable(&ctx, &req.roles)?;
    let username = parse_username(&username)?;
    let o = grant(
        &state,
        &ctx,
        &username,
        &assignments,
        req.current_password.as_deref(),
    )
    .await?;
    Ok(Json(o.into()))
}

/// Revoke one role of an official; their sessions end at once. The
/// official's last role is not revoked (409 `last_role`: deactivate the
/// account instead); nor an administrator's own (409 `own_account`).
/// Needs the administrator's `current_password`.
#[utoipa::path(post, path = "/api/v1/officials/{username}/roles/revoke", tag = "auth",
    request_body = RevokeRequest,
    params(("username" = String, Path, description = "The official's username")),
    responses((status = 200, body = OfficialView),
              (status = 400, description = "invalid_role, invalid_unit", body = crate::error::Problem),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden, reauth_required, csrf_failed", body = crate::error::Problem),
              (status = 404, description = "official_not_found, role_not_held", body = crate::error::Problem),
              (status = 409, description = "last_role, own_account", body = crate::error::Problem),
              (status = 422, description = "invalid_body", body = crate::error::Problem),
              (status = 429, description = "reauth_locked", body = crate::error::Problem)))]
pub async fn revoke_role(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    Path(username): Path<String>,
    body: Result<Json<RevokeRequest>, JsonRejection>,
) -> ApiResult<Json<OfficialView>> {
    let Json(req) = body.map_err(json_error)?;
    let role = parse_assignment(&req.role, &req.unit)?;
    let username = parse_username(&username)?;
    let o = revoke(
        &state,
        &ctx,
        &username,
        &role,
        req.current_password.as_deref(),
    )
    .await?;
    Ok(Json(o.into()))
}

async fn activation(
    state: AppState,
    ctx: &AuthContext,
    username: &str,
    body: Result<Json<ReauthRequest>, JsonRejection>,
    active: bool,
) -> ApiResult<Json<OfficialView>> {
    let Json(req) = body.map_err(json_error)?;
    let username = parse_username(username)?;
    let o = set_active(
        &state,
        ctx,
        &username,
        active,
        req.current_password.as_deref(),
    )
    .await?;
    Ok(Json(o.into()))
}

/// Deactivate an official's account: they can no longer log in and their
/// sessions end at once. An administrator manages an account whose every
/// role is within their unit (or province), never their own. Needs the
/// administrator's `current_password`.
#[utoipa::path(post, path = "/api/v1/officials/{username}/deactivate", tag = "auth",
    request_body = ReauthRequest,
    params(("username" = String, Path, description = "The official's username")),
    responses((status = 200, body = OfficialView),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden, reauth_required, csrf_failed", body = crate::error::Problem),
              (status = 404, description = "official_not_found", body = crate::error::Problem),
              (status = 409, description = "own_account", body = crate::error::Problem),
              (status = 422, description = "invalid_body", body = crate::error::Problem),
              (status = 429, description = "reauth_locked", body = crate::error::Problem)))]
pub async fn deactivate(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    Path(username): Path<String>,
    body: Result<Json<ReauthRequest>, JsonRejection>,
) -> ApiResult<Json<OfficialView>> {
    activation(state, &ctx, &username, body, false).await
}

/// Reactivate a deactivated account. Needs the administrator's
/// `current_password`.
#[utoipa::path(post, path = "/api/v1/officials/{username}/reactivate", tag = "auth",
    request_body = ReauthRequest,
    params(("username" = String, Path, description = "The official's username")),
    responses((status = 200, body = OfficialView),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden, reauth_required, csrf_failed", body = crate::error::Problem),
              (status = 404, description = "official_not_found", body = crate::error::Problem),
              (status = 409, description = "own_account", body = crate::error::Problem),
              (status = 422, description = "invalid_body", body = crate::error::Problem),
              (status = 429, description = "reauth_locked", body = crate::error::Problem)))]
pub async fn reactivate(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    Path(username): Path<String>,
    body: Result<Json<ReauthRequest>, JsonRejection>,
) -> ApiResult<Json<OfficialView>> {
    activation(state, &ctx, &username, body, true).await
}

/// The accounts an administrator reads: every official holding a role
/// within their unit (or province), active or not.
#[utoipa::path(get, path = "/api/v1/officials", tag = "auth",
    responses((status = 200, body = [OfficialView]),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden", body = crate::error::Problem)))]
pub async fn list_officials(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
) -> ApiResult<Json<Vec<OfficialView>>> {
    let list = state
        .engine
        .managed_officials(&ctx.principal)
        .await
        .map_err(account_error)?;
    Ok(Json(list.into_iter().map(OfficialView::from).collect()))
}

/// One official's account, for an administrator who reaches one of its
/// roles.
#[utoipa::path(get, path = "/api/v1/officials/{username}", tag = "auth",
    params(("username" = String, Path, description = "The official's username")),
    responses((status = 200, body = OfficialView),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden", body = crate::error::Problem),
              (status = 404, description = "official_not_found", body = crate::error::Problem)))]
pub async fn get_official(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    Path(username): Path<String>,
) -> ApiResult<Json<OfficialView>> {
    let username = parse_username(&username)?;
    let (o, _) = state
        .engine
        .official_account(&ctx.principal, &username)
        .await
        .map_err(account_error)?;
    Ok(Json(o.into()))
}

/// The events of an official's account, oldest first: every creation,
/// grant, revocation, deactivation, reactivation and password change.
#[utoipa::path(get, path = "/api/v1/officials/{username}/events", tag = "auth",
    params(("username" = String, Path, description = "The official's username")),
    responses((status = 200, body = [AccountEventView]),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden", body = crate::error::Problem),
              (status = 404, description = "official_not_found", body = crate::error::Problem)))]
pub async fn account_events(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    Path(username): Path<String>,
) -> ApiResult<Json<Vec<AccountEventView>>> {
    let username = parse_username(&username)?;
    let (_, events) = state
        .engine
        .official_account(&ctx.principal, &username)
        .await
        .map_err(account_error)?;
    Ok(Json(
        events.into_iter().map(AccountEventView::from).collect(),
    ))
}

/// Change one's own password (an official): needs the current one; every
/// other session of the official ends, this one stays.
#[utoipa::path(post, path = "/api/v1/officials/me/password", tag = "auth",
    request_body = PasswordChangeRequest,
    responses((status = 204, description = "Changed"),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "reauth_required, forbidden (a citizen), csrf_failed", body = crate::error::Problem),
              (status = 422, description = "weak_password, invalid_body", body = crate::error::Problem),
              (status = 429, description = "reauth_locked", body = crate::error::Problem)))]
pub async fn own_password(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    body: Result<Json<PasswordChangeRequest>, JsonRejection>,
) -> ApiResult<Response> {
    let Json(req) = body.map_err(json_error)?;
    change_password(
        &state,
        &ctx,
        req.current_password.as_deref(),
        &req.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
