//! How the OpenAPI document describes error answers: every one is an
//! RFC 9457 problem ([`crate::error::Problem`]) sent as
//! `application/problem+json`, and the answers that any operation of a
//! kind can give are added to every operation of that kind, so that the
//! document stays true without repeating them on each handler. And
//! axum's own refusals, which are plain text, are answered as problems
//! too ([`rejections_as_problems`]), so that what the document says of
//! every error holds.

use axum::http::{header, StatusCode};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr};

use crate::error::ApiError;

/// The content type of every error answer ([`crate::error::ApiError`]).
pub const PROBLEM_JSON: &str = "application/problem+json";

const PROBLEM_REF: &str = "#/components/schemas/Problem";

/// Rewrites the error answers of every operation (see the module doc).
pub struct ProblemResponses;

impl utoipa::Modify for ProblemResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let checks_csrf = !crate::auth::session::CSRF_EXEMPT.contains(&path.as_str());
            let unsafe_ops = [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in unsafe_ops.into_iter().flatten().filter(|_| checks_csrf) {
                add_if_missing(
                    op,
                    "403",
                    "csrf_failed: a cookie session without its CSRF token (X-CSRF-Token)",
                );
            }
            let all = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in all.into_iter().flatten() {
                let has_params = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Path));
                if op.request_body.is_some() {
                    add_if_missing(
                        op,
                        "422",
                        "invalid_body: the body is not what the operation takes",
                    );
                }
                if has_params {
                    add_if_missing(
                        op,
                        "400",
                        "A parameter is missing or malformed (invalid_query, or the operation's own code)",
                    );
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    if let RefOr::T(r) = response {
                        name_by_status(status, r);
                        if is_error(status) {
                            as_problem(r);
                        }
                    }
                }
            }
        }
    }
}

fn is_error(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

fn problem_content() -> Content {
    Content::new(Some(Ref::new(PROBLEM_REF)))
}

/// An answer the annotation did not describe is named by its status
/// (OpenAPI wants a description on every answer).
fn name_by_status(status: &str, r: &mut utoipa::openapi::Response) {
    if r.description.is_empty() {
        r.description = status
            .parse::<u16>()
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error")
            .to_string();
    }
}

/// An error answer's body is a problem, whatever the annotation said.
fn as_problem(r: &mut utoipa::openapi::Response) {
    r.content.clear();
    r.content
        .insert(PROBLEM_JSON.to_string(), problem_content());
}

fn add_if_missing(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| RefOr::T(utoipa::openapi::Response::new(description)));
}

/// The longest refusal text of axum that is kept in a problem's message.
const MAX_REJECTION_TEXT: usize = 16 * 1024;

/// Turns the plain-text refusals of axum's extractors and router (a query
/// string or path segment that does not deserialize, a body of another
/// media type, a method the route does not have) into problems with a
/// stable `code`, whatever handler or extractor produced them. Answers of
/// [`ApiError`] are problems already and pass unchanged.
pub async fn rejections_as_problems(res: axum::response::Response) -> axum::response::Response {
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("text/plain"));
    let status = res.status();
    if !status.is_client_error() || !plain {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, MAX_REJECTION_TEXT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (code, vi) = match status {
        StatusCode::BAD_REQUEST if text.starts_with("Failed to deserialize query string") => {
            ("invalid_query", "Tham số truy vấn không hợp lệ")
        }
        StatusCode::BAD_REQUEST => ("invalid_request", "Yêu cầu không hợp lệ"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "Địa chỉ này không hỗ trợ phương thức yêu cầu",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "Nội dung yêu cầu quá lớn"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "Kiểu nội dung không được hỗ trợ")
        }
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid_body", "Nội dung yêu cầu không hợp lệ"),
        _ => ("invalid_request", "Yêu cầu không hợp lệ"),
    };
    let en = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("Bad request")
            .to_string()
    } else {
        text
    };
    let mut problem = axum::response::IntoResponse::into_response(ApiError::new(
        status,
        code,
        format!("{vi}: {en}"),
        en,
    ));
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        problem.headers_mut().insert(header::ALLOW, allow.clone());
    }
    problem
}
