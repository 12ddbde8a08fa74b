//! Giới hạn dung lượng — how large a request body each route takes. One
//! table for the whole application: a small default for JSON and form
//! routes (and the routes that take no body), the upload limit only on the
//! routes that take files. A body over the limit is refused with 413
//! `payload_too_large` before it is read when its `Content-Length` says so,
//! and as soon as it exceeds the limit otherwise.

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Largest body of a JSON or form request (and of a route that takes none).
pub const DEFAULT_BODY_BYTES: usize = 64 << 10;

/// Largest body of an upload: a document of at most
/// [`motcua_engine::MAX_DOCUMENT_BYTES`] and the form's few fields.
pub const UPLOAD_BODY_BYTES: usize = motcua_engine::MAX_DOCUMENT_BYTES + (1 << 20);

/// Largest body of the counter's intake form, read as it streams (its
/// scans kept to the upload limit, the rest dropped).
pub const INTAKE_BODY_BYTES: usize = 256 << 20;

/// Largest procedure catalogue imported at once (the demo catalogue of a
/// province is about 150 kB).
pub const CATALOGUE_BODY_BYTES: usize = 8 << 20;

/// The limit of a route, by its path template.
pub fn limit_for(route: &str) -> usize {
    match route {
        "/api/v1/dossiers/{code}/documents"
        | "/ho-so-cua-toi/{code}/tai-lieu"
        | "/can-bo/ho-so/{code}/tai-lieu" => UPLOAD_BODY_BYTES,
        // Streamed: a scan over the limit is dropped as it arrives and the
        // form comes back with what was typed (`pages::official::intake`).
        "/can-bo/tiep-nhan" => INTAKE_BODY_BYTES,
        "/api/v1/procedures/import" => CATALOGUE_BODY_BYTES,
        _ => DEFAULT_BODY_BYTES,
    }
}

pub fn payload_too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("Nội dung yêu cầu quá lớn (tối đa {} KiB).", limit >> 10),
        format!(
            "The request body is too large (at most {} KiB).",
            limit >> 10
        ),
    )
    .with_extra(serde_json::json!({ "limit_bytes": limit }))
}

/// The `?loi=` code of a page upload refused here for its size: the
/// engine's own code for a document over its limit, so that the page says
/// the same as when the engine refuses it ([`oversized_upload_message`]).
pub const OVERSIZED_UPLOAD: &str = "document_too_large";

/// The message a page shows for `?loi=`[`OVERSIZED_UPLOAD`] (None for any
/// other `loi`), in the page's language.
pub fn oversized_upload_message(l: crate::pages::ui::Lang, loi: Option<&str>) -> Option<String> {
    (loi == Some(OVERSIZED_UPLOAD)).then(|| {
        let e = motcua_engine::EngineError::InvalidDocument(OVERSIZED_UPLOAD);
        l.t(&e.message_vi(), &e.to_string()).to_string()
    })
}

/// The page an upload form of a page route comes from, where a file over
/// the limit is said at the form (`?loi=document_too_large`), as a file the
/// engine refuses for its size is: the dossier pages. (The counter's
/// intake reads its form as it streams and answers with the form itself.)
/// None for the API.
fn upload_form_page(route: &str, path: &str) -> Option<String> {
    match route {
        "/ho-so-cua-toi/{code}/tai-lieu" | "/can-bo/ho-so/{code}/tai-lieu" => path
            .strip_suffix("/tai-lieu")
            .map(|p| format!("{p}?loi={OVERSIZED_UPLOAD}#loi")),
        _ => None,
    }
}

/// Largest over-limit upload read (and dropped) before a page's answer: a
/// browser still sending its file when the answer comes may show a reset
/// connection instead of the page; past this the connection is closed.
const DRAIN_BYTES: u64 = 256 << 20;

/// Refuses a declared body over the route's limit, and bounds the body
/// that is read (see the module doc). On the pages' upload forms the
/// refusal is the form again with the size message, not a problem
/// document.
pub async fn body_limit(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let limit = route.as_deref().map_or(DEFAULT_BODY_BYTES, limit_for);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        let back = route
            .as_deref()
            .and_then(|r| upload_form_page(r, req.uri().path()));
        if let Some(back) = back.filter(|_| declared.is_some_and(|n| n <= DRAIN_BYTES)) {
            let body = http_body_util::Limited::new(req.into_body(), DRAIN_BYTES as usize);
            let _ = http_body_util::BodyExt::collect(body).await;
            return (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response();
        }
        return payload_too_large(limit).into_response();
    }
    let req = req.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    next.run(req).await
}
