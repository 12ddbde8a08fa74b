//! Server-rendered HTML pages, Vietnamese first. Templates live in
//! `crates/server/templates/` and are checked at compile time (askama).

mod accounts;
mod booking;
pub mod charts;
mod citizen;
mod counter;
pub(crate) mod dashboard;
mod official;
mod portal;
mod report_inputs;
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
        .route("/", get(units::home))
        .route("/tinh/{code}", get(units::province_page))
        .route("/static/site.css", get(css))
        .route("/static/board.css", get(board_css))
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

/// The waiting-room board's own style sheet (a full-screen page that does
/// not use the site's): a file rather than an inline `<style>`, which the
/// Content-Security-Policy refuses.
async fn board_css() -> impl IntoResponse {
    (
        [
            ("content-type", "text/css; charset=utf-8"),
            ("cache-control", "public, max-age=86400"),
        ],
        include_str!("../../templates/board.css"),
    )
}

async fn css() -> impl IntoResponse {
    (
        [
            ("content-type", "text/css; charset=utf-8"),
            ("cache-control", "public, max-age=86400"),
        ],
        include_str!("../../templates/site.css"),
    )
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
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
        let page = ErrorPage {
            status: self.0.status.as_u16(),
            message_vi: &self.0.message_vi,
            message_en: &self.0.message_en,
        };
        (self.0.status, render(&page)).into_response()
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
