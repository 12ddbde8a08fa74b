//! The JSON API. Every handler is listed in [`ApiDoc`], whose document is
//! served at `/api/openapi.json` and snapshot-tested.

mod health;
pub(crate) mod params;
pub mod units;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "Hệ thống một cửa điện tử cấp xã — the digital one-stop administration of Vietnamese communes.",
        license(name = "MIT")
    ),
    paths(
        health::health,
        units::get_unit,
        units::unit_history,
        units::list_provinces,
        units::province_communes,
        units::lineage,
        units::convert,
    ),
    components(schemas(crate::error::Problem)),
    tags(
        (name = "system", description = "Health and documentation"),
        (name = "units", description = "Đơn vị hành chính — the unit registry and address conversion")
    )
)]
pub struct ApiDoc;

/// The OpenAPI 3.1 document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health::health))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/v1/units/{code}", get(units::get_unit))
        .route("/api/v1/units/{code}/history", get(units::unit_history))
        .route("/api/v1/units/{code}/lineage", get(units::lineage))
        .route("/api/v1/provinces", get(units::list_provinces))
        .route(
            "/api/v1/provinces/{code}/communes",
            get(units::province_communes),
        )
        .route("/api/v1/convert", get(units::convert))
        .fallback(not_found)
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError::not_found("route_not_found", "Không có địa chỉ này.", "No such route.")
}
