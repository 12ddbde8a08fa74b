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

/// Largest procedure catalogue imported at once (the demo catalogue of a
/// province is about 150 kB).
pub const CATALOGUE_BODY_BYTES: usize = 8 << 20;

/// The limit of a route, by its path template.
pub fn limit_for(route: &str) -> usize {
    match route {
        "/api/v1/dossiers/{code}/documents"
        | "/ho-so-cua-toi/{code}/tai-lieu"
        | "/can-bo/ho-so/{code}/tai-lieu"
        | "/can-bo/tiep-nhan" => UPLOAD_BODY_BYTES,
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

/// Refuses a declared body over the route's limit, and bounds the body
/// that is read (see the module doc).
pub async fn body_limit(req: Request, next: Next) -> Response {
    let limit = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(DEFAULT_BODY_BYTES, |p| limit_for(p.as_str()));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return payload_too_large(limit).into_response();
    }
    let req = req.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    next.run(req).await
}
