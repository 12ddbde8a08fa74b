//! The JSON API. Every handler is listed in [`ApiDoc`], whose document is
//! served at `/api/openapi.json` and snapshot-tested.

pub mod accounts;
pub(crate) mod actor;
pub mod appointments;
pub mod auth;
pub mod dossiers;
pub mod forms;
mod health;
pub(crate) mod params;
pub mod problems;
pub mod procedures;
pub mod reports;
pub mod settings;
pub mod track;
pub mod units;

use axum::routing::{get, post, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::AppState;
use problems::ProblemResponses;

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
        settings::get_settings,
        settings::adopt_settings,
        dossiers::submit,
        dossiers::search,
        dossiers::get_dossier,
        dossiers::events,
        dossiers::act,
        dossiers::queue,
        dossiers::audit,
        dossiers::upload,
        dossiers::download,
        forms::form_pdf,
        track::track,
        auth::login,
        auth::logout,
        auth::me,
        auth::otp_request,
        auth::otp_verify,
        accounts::create_official,
        accounts::list_officials,
        accounts::get_official,
        accounts::account_events,
        accounts::grant_roles,
        accounts::revoke_role,
        accounts::deactivate,
        accounts::reactivate,
        accounts::own_password,
        appointments::slots,
        appointments::book,
        appointments::get_booking,
        appointments::cancel,
        appointments::rebook,
        appointments::issue_ticket,
        appointments::call_next,
        appointments::ticket_action,
        appointments::board,
        appointments::put_config,
        reports::figures,
        reports::index766,
        reports::bottlenecks,
        reports::monthly_pdf,
        reports::inputs::list_inputs,
        reports::inputs::get_inputs,
        reports::inputs::put_inputs,
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&ActorHeaders, &ProblemResponses),
    tags(
        (name = "system", description = "Health and documentation"),
        (name = "units", description = "Đơn vị hành chính — the unit registry and address conversion"),
        (name = "procedures", description = "Thủ tục hành chính — the procedure catalogue and the working calendar"),
        (name = "dossiers", description = "Hồ sơ — dossiers, actions, queues and the audit of the event log"),
        (name = "appointments", description = "Lịch hẹn và số thứ tự — appointments at a Center, queue tickets and the waiting-room board"),
        (name = "reports", description = "Báo cáo — figures, the Decision 766 service index and ranking, bottlenecks; JSON, CSV and XLSX"),
        (name = "auth", description = "Đăng nhập — sessions of officials (password) and citizens (one-time code), officials' accounts")
    )
)]
pub struct ApiDoc;

/// Documents how requests are authenticated: the session (cookie with a
/// CSRF token, or bearer token), the choice of acting role, and the
/// development-only `X-Actor-*` headers.
struct ActorHeaders;

impl utoipa::Modify for ActorHeaders {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let note = "\n\nRequests are authenticated by a session opened with POST /api/v1/auth/login \
             (officials) or /api/v1/auth/otp/verify (citizens): the motcua_session cookie, with the \
             session's CSRF token in X-CSRF-Token (or the csrf_token form field) on every POST, PUT \
             and DELETE; or Authorization: Bearer <token> (no CSRF token needed). An official holding \
             several acting roles names one with X-Acting-Role (and X-Acting-Unit). Reads and actions \
             are limited to the official's units (a province administrator: the province; a citizen: \
             their own dossiers); a dossier outside that scope is answered 404 dossier_not_found. \
             Development servers started with insecure_actor_headers also accept X-Actor-Role, \
             X-Actor-User and X-Actor-Unit without a session.";
        if let Some(d) = openapi.info.description.as_mut() {
            d.push_str(note);
        }
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
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
        .route(
            "/api/v1/provinces/{code}/settings",
            get(settings::get_settings).post(settings::adopt_settings),
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
        .route("/api/v1/dossiers/{code}/documents", post(dossiers::upload))
        .route("/api/v1/documents/{sha256}", get(dossiers::download))
        .route("/api/v1/dossiers/{code}/forms/{form}", get(forms::form_pdf))
        .route("/api/v1/queues", get(dossiers::queue))
        .route("/api/v1/audit/verify", get(dossiers::audit))
        .route("/api/v1/track/{code}", get(track::track))
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/auth/me", get(auth::me))
        .route("/api/v1/auth/otp/request", post(auth::otp_request))
        .route("/api/v1/auth/otp/verify", post(auth::otp_verify))
        .route(
            "/api/v1/officials",
            get(accounts::list_officials).post(accounts::create_official),
        )
        .route(
            "/api/v1/officials/me/password",
            post(accounts::own_password),
        )
        .route("/api/v1/officials/{username}", get(accounts::get_official))
        .route(
            "/api/v1/officials/{username}/events",
            get(accounts::account_events),
        )
        .route(
            "/api/v1/officials/{username}/roles",
            post(accounts::grant_roles),
        )
        .route(
            "/api/v1/officials/{username}/roles/revoke",
            post(accounts::revoke_role),
        )
        .route(
            "/api/v1/officials/{username}/deactivate",
            post(accounts::deactivate),
        )
        .route(
            "/api/v1/officials/{username}/reactivate",
            post(accounts::reactivate),
        )
        .route("/api/v1/centers/{unit}/slots", get(appointments::slots))
        .route("/api/v1/centers/{unit}/board", get(appointments::board))
        .route(
            "/api/v1/centers/{unit}/config",
            put(appointments::put_config),
        )
        .route(
            "/api/v1/centers/{unit}/tickets",
            post(appointments::issue_ticket),
        )
        .route(
            "/api/v1/centers/{unit}/tickets/next",
            post(appointments::call_next),
        )
        .route(
            "/api/v1/centers/{unit}/tickets/{number}/{action}",
            post(appointments::ticket_action),
        )
        .route("/api/v1/appointments", post(appointments::book))
        .route(
            "/api/v1/appointments/{code}",
            get(appointments::get_booking),
        )
        .route(
            "/api/v1/appointments/{code}/cancel",
            post(appointments::cancel),
        )
        .route(
            "/api/v1/appointments/{code}/rebook",
            post(appointments::rebook),
        )
        .route("/api/v1/reports/figures", get(reports::figures))
        .route(
            "/api/v1/reports/figures.csv",
            reports::export_route(reports::Which::Figures, reports::Format::Csv),
        )
        .route(
            "/api/v1/reports/figures.xlsx",
            reports::export_route(reports::Which::Figures, reports::Format::Xlsx),
        )
        .route("/api/v1/reports/index766", get(reports::index766))
        .route(
            "/api/v1/reports/index766.csv",
            reports::export_route(reports::Which::Index766, reports::Format::Csv),
        )
        .route(
            "/api/v1/reports/index766.xlsx",
            reports::export_route(reports::Which::Index766, reports::Format::Xlsx),
        )
        .route("/api/v1/reports/bottlenecks", get(reports::bottlenecks))
        .route(
            "/api/v1/reports/bottlenecks.csv",
            reports::export_route(reports::Which::Bottlenecks, reports::Format::Csv),
        )
        .route(
            "/api/v1/reports/bottlenecks.xlsx",
            reports::export_route(reports::Which::Bottlenecks, reports::Format::Xlsx),
        )
        .route("/api/v1/reports/monthly.pdf", get(reports::monthly_pdf))
        .route("/api/v1/reports/inputs", get(reports::inputs::list_inputs))
        .route(
            "/api/v1/reports/inputs/{unit}/{month}",
            get(reports::inputs::get_inputs).put(reports::inputs::put_inputs),
        )
        .layer(axum::middleware::map_response(
            problems::rejections_as_problems,
        ))
}

/// The answer to an address under `/api` that no route has.
pub async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError::not_found("route_not_found", "Không có địa chỉ này.", "No such route.")
}
