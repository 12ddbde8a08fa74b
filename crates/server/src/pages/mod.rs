//! Server-rendered HTML pages, Vietnamese first. Templates live in
//! `crates/server/templates/` and are checked at compile time (askama).

mod accounts;
pub(crate) mod application_form;
pub mod assets;
mod booking;
pub mod charts;
mod citizen;
mod contact;
mod counter;
pub(crate) mod dashboard;
mod dashboard_period;
pub(crate) mod names;
mod official;
mod portal;
pub(crate) use portal::provisional_note;
mod report_inputs;
mod settings;
pub(crate) mod ui;
mod units;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(portal::home))
        .route(units::REGISTRY, get(units::provinces))
        .route("/don-vi-hanh-chinh/{code}", get(units::province_page))
        .route("/tinh/{code}", get(units::old_province_page))
        .route("/static/{file}", get(assets::static_file))
        .route("/thu-tuc", get(portal::procedures))
        .route("/thu-tuc/{code}", get(portal::procedure))
        .route("/tra-cuu", get(portal::track_form))
        .route("/tra-cuu/{code}", get(portal::track))
        .route(
            "/dang-nhap",
            get(portal::citizen_login).post(portal::citizen_login_post),
        )
        .route("/dang-xuat", post(portal::logout))
        .route("/ho-so-cua-toi", get(portal::my_dossiers))
        .route(
            "/thu-tuc/{code}/nop",
            get(citizen::submit_form).post(citizen::submit),
        )
        .route(
            "/ho-so-cua-toi/{code}",
            get(citizen::dossier).post(citizen::act),
        )
        .route("/ho-so-cua-toi/{code}/tai-lieu", post(citizen::upload))
        .route(
            "/ho-so-cua-toi/{code}/tai-lieu/{sha256}",
            get(citizen::document),
        )
        .route("/ho-so-cua-toi/{code}/mau/{form}", get(citizen::form_pdf))
        .route(
            "/ho-so-cua-toi/{code}/thanh-toan",
            get(citizen::pay_form).post(citizen::pay),
        )
        .route("/ngon-ngu/{lang}", get(ui::switch_language))
        .route("/can-bo", get(official::queue))
        .route(
            "/can-bo/dang-nhap",
            get(official::login).post(official::login_post),
        )
        .route("/can-bo/phan-cong", post(official::bulk_assign))
        .route("/can-bo/tai-khoan", get(accounts::accounts))
        .route("/can-bo/mat-khau", post(accounts::password_post))
        .route(
            "/can-bo/cau-hinh",
            get(settings::settings_page).post(settings::settings_post),
        )
        .route(
            "/can-bo/tai-khoan/{username}",
            get(accounts::account).post(accounts::account_post),
        )
        .route(
            "/can-bo/quay",
            get(counter::counter).post(counter::counter_post),
        )
        .route(
            "/can-bo/tiep-nhan",
            get(official::intake).post(official::intake_post),
        )
        .route(
            "/can-bo/ho-so/{code}",
            get(official::dossier).post(official::act),
        )
        .route("/can-bo/ho-so/{code}/tai-lieu", post(official::attach))
        .route(
            "/dat-lich",
            get(booking::booking_form).post(booking::booking_post),
        )
        .route("/dat-lich/{code}", get(booking::booking_view))
        .route("/dat-lich/{code}/huy", post(booking::booking_cancel))
        .route("/dat-lich/{code}/doi", post(booking::booking_rebook))
        .route("/bang-cho/{unit}", get(booking::board))
        .route("/bao-cao", get(dashboard::dashboard))
        .route(
            "/bao-cao/so-lieu-ngoai",
            get(report_inputs::inputs_page).post(report_inputs::inputs_post),
        )
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: ui::Ctx,
    status: u16,
    title: String,
    message_vi: &'a str,
    message_en: &'a str,
}

/// An error shown as a page rather than as problem+json.
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

impl From<motcua_store::StoreError> for PageError {
    fn from(e: motcua_store::StoreError) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let c = ui::Ctx::current();
        let status = self.0.status.as_u16();
        let title = match self.0.status {
            StatusCode::NOT_FOUND => c.t("Không tìm thấy trang", "Page not found").to_string(),
            StatusCode::FORBIDDEN => c.t("Không có quyền truy cập", "Access denied").to_string(),
            _ => format!("{} {status}", c.t("Lỗi", "Error")),
        };
        let page = ErrorPage {
            c,
            status,
            title,
            message_vi: &self.0.message_vi,
            message_en: &self.0.message_en,
        };
        (self.0.status, render(&page)).into_response()
    }
}

/// The HTML answer to an address that no page has (in Vietnamese, with
/// the navigation); under `/api` the answer is problem+json instead
/// ([`fallback`]).
pub async fn not_found_page() -> Response {
    PageError(ApiError::not_found(
        "page_not_found",
        "Không có trang này. Địa chỉ có thể đã thay đổi hoặc bị gõ nhầm.",
        "There is no such page. The address may have changed or been mistyped.",
    ))
    .into_response()
}

/// The application's fallback: problem+json under `/api`, the HTML 404
/// page everywhere else.
pub async fn fallback(uri: axum::http::Uri) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        crate::api::not_found().await.into_response()
    } else {
        not_found_page().await
    }
}

/// Renders a template; a rendering failure is logged and becomes a 500.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Lỗi hệ thống / Internal error",
            )
                .into_response()
        }
    }
}
