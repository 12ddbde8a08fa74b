//! Cấu hình cấp tỉnh — a province's settings over HTTP: anyone reads the
//! version in force on a day and the history (working hours and days off
//! are public); the province's administrator adopts a new version with a
//! reason and their current password again. The rule of who may is the
//! domain's ([`motcua_domain::access::Principal::may_configure`]), applied
//! by the engine; the page (`crate::pages::settings`) calls the same.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{NaiveDate, Utc};
use motcua_domain::settings::{HistoryEntry, SettingsBook, SettingsDocument};
use motcua_engine::settings::{Configurer, SettingsFailure};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::json_error;
use crate::auth::reauth;
use crate::auth::session::Authenticated;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SettingsQuery {
    /// The day whose version is shown (YYYY-MM-DD; default today).
    pub at: Option<String>,
}

/// A province's settings: the version in force on a day, every version
/// and the adoptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    pub province: String,
    pub at: NaiveDate,
    /// The document in force on `at` (as `motcua config export` writes it).
    #[schema(value_type = Object)]
    pub in_force: SettingsDocument,
    /// Years whose days off are provisional under the version in force
    /// (not yet decided by the Government), from `at`'s year on, up to the
    /// last year of data.
    pub provisional_years: Vec<i32>,
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<SettingsDocument>,
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<HistoryEntry>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AdoptRequest {
    /// The whole version, from its `valid_from` (today or later).
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    /// Why the settings change (kept in the log).
    pub reason: String,
    /// The administrator's own current password (re-authentication).
    #[serde(default)]
    pub current_password: Option<String>,
}

pub(crate) fn province_code(code: &str) -> ApiResult<String> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err(ApiError::not_found(
            "province_not_found",
            format!("Không có tỉnh {code:?}."),
            format!("No province {code:?}."),
        ))
    }
}

pub(crate) fn view(province: &str, book: &SettingsBook, at: NaiveDate) -> SettingsView {
    use chrono::Datelike;
    let rules = book.at(at);
    let last = rules.calendar.covered_years().max().unwrap_or(at.year());
    SettingsView {
        province: province.to_string(),
        at,
        provisional_years: (at.year()..=last)
            .filter(|y| rules.calendar.is_provisional(*y))
            .collect(),
        in_force: rules.document.clone(),
        versions: book.versions().iter().map(|v| v.document.clone()).collect(),
        history: book.history().to_vec(),
    }
}

/// The API error of a refused adoption.
pub(crate) fn settings_error(e: SettingsFailure) -> ApiError {
    let status = match &e {
        SettingsFailure::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        SettingsFailure::Forbidden => return crate::auth::session::forbidden(),
        SettingsFailure::Concurrent => StatusCode::CONFLICT,
        SettingsFailure::Store(_) => return ApiError::internal(),
    };
    ApiError::new(status, e.code(), e.message_vi(), e.to_string())
}

/// The settings of a province in force on a day, every version and who
/// adopted each.
#[utoipa::path(get, path = "/api/v1/provinces/{code}/settings", tag = "units",
    params(("code" = String, Path, description = "Province code, two digits"), SettingsQuery),
    responses((status = 200, body = SettingsView),
              (status = 400, body = crate::error::Problem),
              (status = 404, description = "province_not_found", body = crate::error::Problem)))]
pub async fn get_settings(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<SettingsQuery>,
) -> ApiResult<Json<SettingsView>> {
    let province = province_code(&code)?;
    let at = super::params::date(q.at.as_deref(), state.today())?;
    let book = state.engine.settings_book(&province);
    Ok(Json(view(&province, &book, at)))
}

/// Adopt a new version of a province's settings (its administrator only;
/// needs `current_password`). Every computation on a day from the
/// version's `valid_from` on uses it.
#[utoipa::path(post, path = "/api/v1/provinces/{code}/settings", tag = "units",
    request_body = AdoptRequest,
    params(("code" = String, Path, description = "Province code, two digits")),
    responses((status = 201, body = SettingsView),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden, reauth_required, csrf_failed", body = crate::error::Problem),
              (status = 404, description = "province_not_found", body = crate::error::Problem),
              (status = 409, description = "settings_concurrent_change", body = crate::error::Problem),
              (status = 422, description = "settings_parse, settings_in_the_past, settings_reason, settings_calendar, settings_policy, holiday_outside_year, index_effective_from, invalid_body", body = crate::error::Problem),
              (status = 429, description = "reauth_locked", body = crate::error::Problem)))]
pub async fn adopt_settings(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    Path(code): Path<String>,
    body: Result<Json<AdoptRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<SettingsView>)> {
    let province = province_code(&code)?;
    let Json(req) = body.map_err(json_error)?;
    let document: SettingsDocument = serde_json::from_value(req.document).map_err(|e| {
        settings_error(SettingsFailure::Refused(
            motcua_domain::settings::SettingsError::Parse(e.to_string()),
        ))
    })?;
    let at = document.valid_from;
    let book = adopt(
        &state,
        &ctx,
        &province,
        document,
        &req.reason,
        req.current_password.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view(&province, &book, at))))
}

/// The adoption the API and the page share: the domain's rule of who may,
/// the password again, then the engine's decision and event.
pub(crate) async fn adopt(
    state: &AppState,
    ctx: &crate::auth::AuthContext,
    province: &str,
    document: SettingsDocument,
    reason: &str,
    current_password: Option<&str>,
) -> ApiResult<std::sync::Arc<SettingsBook>> {
    if !ctx.principal.may_configure(province) {
        return Err(crate::auth::session::forbidden());
    }
    reauth::confirm(state, ctx, current_password).await?;
    let at = document.valid_from;
    let book = state
        .engine
        .adopt_settings(
            Configurer::Official(&ctx.principal),
            province,
            document,
            reason,
            Utc::now(),
        )
        .await
        .map_err(settings_error)?;
    tracing::info!(admin = %ctx.principal.user(), province, %at, "province settings adopted");
    Ok(book)
}
