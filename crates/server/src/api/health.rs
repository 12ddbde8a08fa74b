use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::error::ApiResult;
use crate::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the store answers.
    status: &'static str,
    /// `sqlite` or `postgres`.
    backend: &'static str,
    version: &'static str,
    /// Version tag of the unit reference data in the store.
    units_data_version: Option<String>,
}

/// Liveness and readiness: answers only when the store does.
#[utoipa::path(get, path = "/api/health", tag = "system",
    responses((status = 200, body = Health), (status = 500, body = crate::error::Problem)))]
pub async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    Ok(Json(Health {
        status: "ok",
        backend: state.store.backend(),
        version: env!("CARGO_PKG_VERSION"),
        units_data_version: state.store.units_data_version().await?,
    }))
}
