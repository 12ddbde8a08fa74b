//! Tra cứu hồ sơ — public tracking by dossier code.

use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use motcua_domain::access::{DossierRef, Principal, PublicStatus};
use motcua_domain::dossier::DossierCode;

use crate::auth::session::MaybeSession;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Track a dossier by its code: status and dates only, for anyone holding
/// the code (the receipt, Mẫu 01, carries it). The applicant, logged in,
/// also gets the whole dossier under `dossier`.
#[utoipa::path(get, path = "/api/v1/track/{code}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "{code, status_code, status_vi, status_en, submitted_at, accepted_at, due, result_at, returned_at, closed_at, dossier?}", body = Object),
              (status = 400, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn track(
    State(state): State<AppState>,
    Path(code): Path<String>,
    MaybeSession(session): MaybeSession,
) -> ApiResult<Json<serde_json::Value>> {
    let code = DossierCode::parse(&code).map_err(|e| {
        ApiError::bad_request(
            "invalid_dossier_code",
            format!("Mã hồ sơ không hợp lệ: {code:?} (dạng <mã đơn vị>-<YYMMDD>-<NNNN>)."),
            e.to_string(),
        )
    })?;
    let not_found = || {
        ApiError::not_found(
            "dossier_not_found",
            format!("Không có hồ sơ {code}."),
            format!("no dossier {code}"),
        )
    };
    let d = state
        .store
        .dossier(&code)
        .await?
        .and_then(|s| s.dossier)
        .ok_or_else(not_found)?;
    let mut body = serde_json::to_value(PublicStatus::of(&d)).map_err(|_| ApiError::internal())?;
    let is_applicant = session.is_some_and(|s| {
        matches!(s.principal, Principal::Citizen { .. }) && s.principal.sees(&DossierRef::from(&d))
    });
    if is_applicant {
        let view = state.engine.view(&code, Utc::now()).await?;
        body["dossier"] = serde_json::to_value(view).map_err(|_| ApiError::internal())?;
    }
    Ok(Json(body))
}
