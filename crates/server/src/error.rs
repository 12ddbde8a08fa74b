//! The one error type of the HTTP layer. The API renders it as RFC 9457
//! `application/problem+json` with a stable machine-readable `code` and a
//! message in Vietnamese and in English; storage and internal errors are
//! logged and shown as a bare 500, never with their details.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable, machine-readable code (snake_case), e.g. `unit_not_found`.
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
    /// Extra machine-readable detail (e.g. candidate units).
    pub extra: Option<serde_json::Value>,
}

/// The problem document (RFC 9457) with motcua's extension members.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type: `urn:motcua:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// The English message (RFC 9457 `detail`).
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message_vi: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code,
            message_vi: message_vi.into(),
            message_en: message_en.into(),
            extra: None,
        }
    }

    pub fn with_extra(mut self, extra: serde_json::Value) -> Self {
        self.extra = Some(extra);
        self
    }

    pub fn bad_request(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, vi, en)
    }

    pub fn not_found(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, vi, en)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Lỗi hệ thống. Vui lòng thử lại sau.",
            "Internal error. Please try again later.",
        )
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("urn:motcua:problem:{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.message_en.clone(),
            code: self.code.to_string(),
            message_vi: self.message_vi.clone(),
            message_en: self.message_en.clone(),
            extra: self.extra.clone(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(
                "not_found",
                format!("Không tìm thấy: {what}"),
                format!("Not found: {what}"),
            ),
            StoreError::Conflict(what) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("Xung đột dữ liệu: {what}"),
                format!("Conflict: {what}"),
            ),
            other => {
                tracing::error!(error = %other, "storage error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A text over its limit or with a refused character: 422, with the
/// field's name in `extra`.
impl From<motcua_domain::text::TextError> for ApiError {
    fn from(e: motcua_domain::text::TextError) -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.code(),
            e.message_vi(),
            e.to_string(),
        )
        .with_extra(serde_json::json!({ "field": e.field() }))
    }
}

/// A JSON body that could not be read: 413 `payload_too_large` when it is
/// over the route's limit (see [`crate::limits`]), else 422 `invalid_body`.
pub fn json_rejection(e: axum::extract::rejection::JsonRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return crate::limits::payload_too_large(crate::limits::DEFAULT_BODY_BYTES);
    }
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
        format!("Nội dung yêu cầu không hợp lệ: {}", e.body_text()),
        format!("Invalid request body: {}", e.body_text()),
    )
}

impl From<motcua_engine::EngineError> for ApiError {
    fn from(e: motcua_engine::EngineError) -> Self {
        use motcua_domain::dossier::Refusal;
        use motcua_engine::EngineError as E;
        use motcua_store::CommandError as C;
        match &e {
            E::Text(t) | E::Command(C::Refused(motcua_domain::dossier::DossierError::Text(t))) => {
                return t.clone().into();
            }
            _ => {}
        }
        let status = match &e {
            E::Store(StoreError::NotFound(_))
            | E::ProcedureNotFound(_)
            | E::DossierNotFound(_)
            | E::Command(C::NotFound(_)) => StatusCode::NOT_FOUND,
            E::Store(StoreError::Conflict(_)) | E::Command(C::VersionConflict { .. }) => {
                StatusCode::CONFLICT
            }
            E::Store(other) => {
                tracing::error!(error = %other, "storage error");
                return ApiError::internal();
            }
            E::Command(C::Refused(r)) => match r.refusal() {
                Refusal::Forbidden => StatusCode::FORBIDDEN,
                Refusal::Conflict => StatusCode::CONFLICT,
                Refusal::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            },
            E::Command(C::KeyReused) => StatusCode::UNPROCESSABLE_ENTITY,
            E::Command(C::SequenceExhausted { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            E::Calendar(_) | E::NoDeadline => StatusCode::UNPROCESSABLE_ENTITY,
            E::InvalidDocument("document_too_large") => StatusCode::PAYLOAD_TOO_LARGE,
            E::InvalidDocument("unsupported_media_type") => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            E::InvalidDocument(_)
            | E::Text(_)
            | E::InvalidApplicationData(_)
            | E::CompetentUnitOutsideProvince(_) => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let api = ApiError::new(status, e.code(), e.message_vi(), e.to_string());
        match e.field_errors() {
            Some(fields) => api.with_extra(field_errors_json(fields)),
            None => api,
        }
    }
}

/// The per-field errors of refused application data, as the problem's
/// `extra`: `{"fields": [{"field", "code", "message_vi", "message_en"}]}`.
pub fn field_errors_json(errors: &[motcua_domain::procedure::FieldError]) -> serde_json::Value {
    let fields: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| {
            serde_json::json!({
                "field": e.field,
                "code": e.code(),
                "message_vi": e.message_vi(),
                "message_en": e.message_en(),
            })
        })
        .collect();
    serde_json::json!({ "fields": fields })
}
