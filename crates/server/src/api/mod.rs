//! The JSON API. Every handler is listed in [`ApiDoc`], whose document is
//! served at `/api/openapi.json` and snapshot-tested.

mod actor;
pub mod dossiers;
mod health;
pub(crate) mod params;
pub mod procedures;
pub mod units;

use axum::routing::{get, post};
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
        procedures::list,
        procedures::get,
        procedures::import,
        procedures::export,
        procedures::calendar_due,
        dossiers::submit,
        dossiers::search,
        dossiers::get_dossier,
        dossiers::events,
        dossiers::act,
        dossiers::queue,
        dossiers::audit,
        dossiers::upload,
        dossiers::download,
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&ActorHeaders),
    tags(
        (name = "system", description = "Health and documentation"),
        (name = "units", description = "Đơn vị hành chính — the unit registry and address conversion"),
        (name = "procedures", description = "Thủ tục hành chính — the procedure catalogue and the working calendar"),
        (name = "dossiers", description = "Hồ sơ — dossiers, actions, queues and the audit of the event log")
    )
)]
pub struct ApiDoc;

/// Documents that staff and applicants identify themselves with the
/// `X-Actor-*` headers until sessions exist.
struct ActorHeaders;

impl utoipa::Modify for ActorHeaders {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let note =
            "\n\nActing requests carry X-Actor-Role, X-Actor-User and (for staff) X-Actor-Unit.";
        if let Some(d) = openapi.info.description.as_mut() {
            d.push_str(note);
        }
    }
}

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
        .route("/api/v1/procedures", get(procedures::list))
        .route("/api/v1/procedures/import", post(procedures::import))
        .route("/api/v1/procedures/export", get(procedures::export))
        .route("/api/v1/procedures/{code}", get(procedures::get))
        .route("/api/v1/calendar/due", get(procedures::calendar_due))
        .route(
            "/api/v1/dossiers",
            get(dossiers::search).post(dossiers::submit),
        )
        .route("/api/v1/dossiers/{code}", get(dossiers::get_dossier))
        .route("/api/v1/dossiers/{code}/events", get(dossiers::events))
        .route("/api/v1/dossiers/{code}/actions", post(dossiers::act))
        .route(
            "/api/v1/dossiers/{code}/documents",
            post(dossiers::upload).layer(axum::extract::DefaultBodyLimit::max(
                motcua_engine::MAX_DOCUMENT_BYTES + 1024,
            )),
        )
        .route("/api/v1/documents/{sha256}", get(dossiers::download))
        .route("/api/v1/queues", get(dossiers::queue))
        .route("/api/v1/audit/verify", get(dossiers::audit))
        .fallback(not_found)
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError::not_found("route_not_found", "Không có địa chỉ này.", "No such route.")
}
