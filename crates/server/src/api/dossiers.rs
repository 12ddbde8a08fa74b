//! Hồ sơ — dossiers over HTTP: submit, act, read, search, queues, events.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use motcua_domain::dossier::{DossierCode, Role, Status, UnitId};
use motcua_domain::procedure::ProcedureCode;
use motcua_domain::text;
use motcua_engine::{Action, Submission};
use motcua_store::{Applied, DossierFilter, DossierSummary, QueueQuery};
use serde::Deserialize;
use utoipa::IntoParams;

use super::actor::ActingAs;
use crate::auth::session::forbidden;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::headers::{content_disposition, Disposition};
use crate::AppState;

/// The answer for a dossier the viewer may not see: exactly the one for a
/// dossier that does not exist, so that a denial reveals nothing.
fn hidden(code: &DossierCode) -> ApiError {
    motcua_engine::EngineError::DossierNotFound(code.to_string()).into()
}

/// Refuses, as [`hidden`], a dossier outside the session's scope (or
/// missing). Without a session (development mode) everything is visible.
async fn ensure_visible(state: &AppState, viewer: &Viewer, code: &DossierCode) -> ApiResult<()> {
    if matches!(viewer, Viewer::Unrestricted) {
        return Ok(());
    }
    let visible = state
        .store
        .dossier(code)
        .await?
        .and_then(|s| s.dossier)
        .is_some_and(|d| viewer.sees(&d));
    if visible {
        Ok(())
    } else {
        Err(hidden(code))
    }
}

fn dossier_code(s: &str) -> ApiResult<DossierCode> {
    DossierCode::parse(s).map_err(|e| {
        ApiError::bad_request(
            "invalid_dossier_code",
            format!("Mã hồ sơ không hợp lệ: {s:?} (dạng <mã đơn vị>-<YYMMDD>-<NNNN>)."),
            e.to_string(),
        )
    })
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let k = v.to_str().ok().map(str::trim).unwrap_or("");
            if k.is_empty() || k.len() > 200 {
                return Err(ApiError::bad_request(
                    "invalid_idempotency_key",
                    "Idempotency-Key không hợp lệ (1–200 ký tự).",
                    "Invalid Idempotency-Key (1–200 characters).",
                ));
            }
            Ok(Some(k.to_string()))
        }
    }
}

/// `If-Match: "<version>"` (or a bare number): the version the caller read.
fn expected_version(headers: &HeaderMap) -> ApiResult<Option<u64>> {
    match headers.get("if-match") {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_if_match",
                    "If-Match phải là số phiên bản của hồ sơ.",
                    "If-Match must be the dossier version number.",
                )
            }),
    }
}

/// Submit a dossier online, or record one received at the counter or by post.
/// The response carries the allocated dossier code.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers",
    request_body(content = Object, description = "Submission: {procedure, intake: online|counter|post, receiving_unit, competent_unit?, applicant: {name, personal_id?, user?}, documents: [{name_vi, form, count}], application_data?: {field key: text} (the procedure's form; an address field as <key>.street and <key>.commune, the new commune's code)}"),
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe submission"),
           ("X-Actor-Role" = Option<String>, Header, description = "Development servers only (insecure_actor_headers): applicant, receiving_officer, system"),
           ("X-Actor-User" = Option<String>, Header, description = "Development servers only: user id"),
           ("X-Actor-Unit" = Option<String>, Header, description = "Development servers only: unit id of staff")),
    responses((status = 201, description = "Applied: {code, version, events, replayed}", body = Object),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, description = "Refused; invalid_application_data lists every field's error in extra.fields [{field, code, message_vi, message_en}]", body = crate::error::Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    ActingAs(actor): ActingAs,
    headers: HeaderMap,
    body: Result<Json<Submission>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<Applied>)> {
    let Json(submission) = body.map_err(json_error)?;
    let key = idempotency_key(&headers)?;
    let applied = state
        .engine
        .submit(submission, actor, Utc::now(), key)
        .await?;
    let status = if applied.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(applied)))
}

/// Act on a dossier (accept, assign, appraise, approve, return, rate, …).
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/actions", tag = "dossiers",
    request_body(content = Object, description = "Action, tagged by `action`: accept {pages_digitized}, request_supplement {reason, documents}, refuse {reason}, provide_supplement {documents}, transfer {to}, assign {assignee}, reassign {assignee, reason} (a head moves the dossier from its assignee), appraise {outcome}, review_ok, send_back {reason}, approve, issue_result {number, register}, request_payment {amount_vnd, description}, confirm_payment {amount_vnd, receipt}, notify_late {reason, new_appointment}, withdraw {reason?} (the applicant withdraws, before any decision; Mẫu 05), stop {reason} (recorded at the applicant's request after acceptance, before any decision; final; Mẫu 05), return_result {way}, rate {rating, comment?}"),
    params(("code" = String, Path, description = "Dossier code"),
           ("If-Match" = Option<String>, Header, description = "Expected dossier version; a stale one gets 409"),
           ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe command"),
           ("X-Actor-Role" = Option<String>, Header, description = "Development servers only"),
           ("X-Actor-User" = Option<String>, Header, description = "Development servers only"),
           ("X-Actor-Unit" = Option<String>, Header, description = "Development servers only")),
    responses((status = 200, description = "Applied: {code, version, events, replayed}", body = Object),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn act(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ActingAs(actor): ActingAs,
    viewer: Viewer,
    headers: HeaderMap,
    body: Result<Json<Action>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<Json<Applied>> {
    let code = dossier_code(&code)?;
    ensure_visible(&state, &viewer, &code).await?;
    let Json(action) = body.map_err(json_error)?;
    let key = idempotency_key(&headers)?;
    let version = expected_version(&headers)?;
    let applied = state
        .engine
        .act(&code, version, action, actor, Utc::now(), key)
        .await?;
    Ok(Json(applied))
}

fn json_error(e: axum::extract::rejection::JsonRejection) -> ApiError {
    crate::error::json_rejection(e)
}

/// A search parameter within [`text::SEARCH`]'s limits.
fn search_text(field: &'static str, v: Option<String>) -> ApiResult<Option<String>> {
    let f = text::Field {
        name: field,
        ..text::SEARCH
    };
    f.check_opt(v.as_deref())?;
    Ok(v)
}

/// A dossier: state, deadline and timeliness, control sheet (Mẫu 06).
#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "DossierView", body = Object),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 404, description = "dossier_not_found, also for a dossier outside the session's scope", body = crate::error::Problem)))]
pub async fn get_dossier(
    State(state): State<AppState>,
    Path(code): Path<String>,
    viewer: Viewer,
) -> ApiResult<Json<motcua_engine::DossierView>> {
    let code = dossier_code(&code)?;
    let view = state.engine.view(&code, Utc::now()).await?;
    if !viewer.sees(&view.dossier) {
        return Err(hidden(&code));
    }
    Ok(Json(view))
}

/// A dossier's events with their chain hashes.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/events", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "[{event, hash}]", body = Vec<Object>),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
pub async fn events(
    State(state): State<AppState>,
    Path(code): Path<String>,
    viewer: Viewer,
) -> ApiResult<Json<Vec<motcua_domain::dossier::ChainedEvent>>> {
    let code = dossier_code(&code)?;
    let visible = match viewer {
        Viewer::Unrestricted => true,
        Viewer::Session(_) => ensure_visible(&state, &viewer, &code).await.is_ok(),
    };
    let events = if visible {
        state.store.events(&code).await?
    } else {
        Vec::new()
    };
    if events.is_empty() {
        return Err(ApiError::not_found(
            "dossier_not_found",
            format!("Không có hồ sơ {code}."),
            format!("No dossier {code}."),
        ));
    }
    Ok(Json(events))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Exact dossier code.
    code: Option<String>,
    /// Receiving or competent unit id.
    unit: Option<String>,
    /// Procedure code.
    procedure: Option<String>,
    /// Part of the applicant's name.
    applicant: Option<String>,
    /// Portal status number 1–10.
    status: Option<u8>,
    /// Submitted at or after (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Submitted before (RFC 3339).
    to: Option<DateTime<Utc>>,
    /// At most this many (default 50, max 500).
    limit: Option<u32>,
    offset: Option<u32>,
}

fn unit_id(s: &str) -> ApiResult<UnitId> {
    UnitId::parse(s).map_err(|e| {
        ApiError::bad_request(
            "invalid_unit",
            format!("Mã đơn vị không hợp lệ: {s:?}."),
            e.to_string(),
        )
    })
}

/// Search dossiers by code, unit, procedure, applicant, status and period.
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", params(SearchQuery),
    responses((status = 200, description = "[DossierSummary]", body = Vec<Object>),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem)))]
pub async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<Vec<DossierSummary>>> {
    let status = q
        .status
        .map(|s| {
            Status::from_code(s).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_status",
                    format!("Trạng thái không hợp lệ: {s} (1–10)."),
                    format!("Invalid status {s}: expected 1–10."),
                )
            })
        })
        .transpose()?;
    let procedure = q
        .procedure
        .as_deref()
        .map(|p| {
            ProcedureCode::parse(p).map_err(|e| {
                ApiError::bad_request(
                    "invalid_procedure_code",
                    format!("Mã thủ tục không hợp lệ: {p:?}."),
                    e.to_string(),
                )
            })
        })
        .transpose()?;
    let filter = DossierFilter {
        code: search_text("code", q.code)?,
        unit: q.unit.as_deref().map(unit_id).transpose()?,
        procedure,
        applicant: search_text("applicant", q.applicant)?,
        status,
        submitted_from: q.from,
        submitted_to: q.to,
        limit: q.limit.unwrap_or(50).clamp(1, 500),
        offset: q.offset.unwrap_or(0),
    };
    match viewer.scope() {
        Some(scope) => Ok(Json(state.store.search_in_scope(&filter, &scope).await?)),
        None => Ok(Json(state.store.search(&filter).await?)),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// Unit id (e.g. 04.01279).
    unit: String,
    /// receiving_officer, specialist, department_head, leader, clerical.
    role: String,
    /// Only the dossiers assigned to this officer.
    assignee: Option<String>,
    limit: Option<u32>,
}

/// A work queue: dossiers waiting for a role at a unit, overdue first, then due soonest.
#[utoipa::path(get, path = "/api/v1/queues", tag = "dossiers", params(QueueParams),
    responses((status = 200, description = "[DossierSummary]", body = Vec<Object>),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden: a unit outside the session's scope", body = crate::error::Problem)))]
pub async fn queue(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<QueueParams>,
) -> ApiResult<Json<Vec<DossierSummary>>> {
    let role: Role =
        serde_json::from_value(serde_json::Value::String(q.role.clone())).map_err(|_| {
            ApiError::bad_request(
                "invalid_role",
                format!("Vai trò không hợp lệ: {:?}.", q.role),
                format!("Unknown role {:?}.", q.role),
            )
        })?;
    let query = QueueQuery {
        unit: unit_id(&q.unit)?,
        role,
        assignee: search_text("assignee", q.assignee)?,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
    };
    if viewer
        .scope()
        .is_some_and(|scope| !scope.covers_unit(&query.unit))
    {
        return Err(forbidden());
    }
    Ok(Json(state.store.queue(&query).await?))
}

/// Verify every dossier's hash chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "dossiers",
    responses((status = 200, description = "AuditReport {dossiers, events, broken}", body = Object),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "forbidden: the session may not audit", body = crate::error::Problem)))]
pub async fn audit(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Json<motcua_engine::AuditReport>> {
    if viewer.session().is_some_and(|s| !s.principal.may_audit()) {
        return Err(forbidden());
    }
    Ok(Json(state.engine.audit().await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The document's name, e.g. "Giấy chứng sinh".
    name: String,
    /// `component` (applicant or counter), `digitized` (scan at the Center) or `result`.
    #[param(value_type = String)]
    kind: motcua_domain::dossier::DocumentKind,
    /// An electronic original rather than a scan of paper (default false).
    #[serde(default)]
    electronic: bool,
}

/// Attach a document: the body is the file (PDF, JPEG, PNG, TIFF, WebP,
/// DOCX, XLSX; at most 20 MiB), recognised by its content. The file is
/// stored under its SHA-256 and referenced by an event of the dossier.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/documents", tag = "dossiers",
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    params(("code" = String, Path, description = "Dossier code"), UploadQuery,
           ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header),
           ("X-Actor-Role" = Option<String>, Header, description = "Development servers only"),
           ("X-Actor-User" = Option<String>, Header, description = "Development servers only"),
           ("X-Actor-Unit" = Option<String>, Header, description = "Development servers only")),
    responses((status = 200, description = "Applied", body = Object),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 413, body = crate::error::Problem), (status = 415, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<UploadQuery>,
    ActingAs(actor): ActingAs,
    viewer: Viewer,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<Applied>> {
    let code = dossier_code(&code)?;
    ensure_visible(&state, &viewer, &code).await?;
    let key = idempotency_key(&headers)?;
    let version = expected_version(&headers)?;
    let upload = motcua_engine::Upload {
        name: q.name,
        kind: q.kind,
        electronic: q.electronic,
        bytes: body.to_vec(),
    };
    let applied = state
        .engine
        .attach(&code, version, upload, actor, Utc::now(), key)
        .await?;
    Ok(Json(applied))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DownloadQuery {
    /// The dossier the document is attached to (required with a session:
    /// the document is served only if that dossier is visible and holds it).
    dossier: Option<String>,
}

/// Download an attached document by its SHA-256.
#[utoipa::path(get, path = "/api/v1/documents/{sha256}", tag = "dossiers",
    params(("sha256" = String, Path, description = "Lowercase hex SHA-256"), DownloadQuery),
    responses((status = 200, description = "The file, with the media type recognised from its content",
               content(("application/pdf"), ("image/jpeg"), ("image/png"), ("image/tiff"), ("image/webp"),
                       ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                       ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                       ("application/octet-stream"))),
              (status = 401, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn download(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    viewer: Viewer,
    Query(q): Query<DownloadQuery>,
) -> ApiResult<axum::response::Response> {
    let not_found = || {
        ApiError::not_found(
            "document_not_found",
            "Không có tài liệu này.",
            "No such document.",
        )
    };
    let dossier = q
        .dossier
        .as_deref()
        .and_then(|c| DossierCode::parse(c).ok());
    let listed = match &dossier {
        Some(code) => state
            .store
            .dossier(code)
            .await?
            .and_then(|s| s.dossier)
            .filter(|d| viewer.sees(d))
            .and_then(|d| {
                // A citizen downloads the results and their own uploads.
                let citizen = viewer.session().is_some_and(|c| {
                    matches!(
                        c.principal,
                        motcua_domain::access::Principal::Citizen { .. }
                    )
                });
                let mut docs: Box<dyn Iterator<Item = _>> = if citizen {
                    Box::new(d.applicant_documents())
                } else {
                    Box::new(d.documents.iter())
                };
                docs.find(|doc| doc.document.sha256 == sha256)
                    .map(|doc| doc.document.name.clone())
            }),
        None => None,
    };
    if matches!(viewer, Viewer::Session(_)) && listed.is_none() {
        return Err(not_found());
    }
    let bytes = state
        .engine
        .document_bytes(&sha256)
        .await?
        .ok_or_else(not_found)?;
    let stem = listed.unwrap_or_else(|| sha256.chars().take(16).collect());
    Ok(document_response(bytes, stem))
}

/// A stored document as a download: the media type recognised from its
/// content, the file named `stem` with its extension.
pub(crate) fn document_response(bytes: Vec<u8>, stem: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (media_type, extension) = infer::get(&bytes)
        .map(|t| (t.mime_type(), t.extension()))
        .unwrap_or(("application/octet-stream", "bin"));
    let file_name = if stem
        .to_ascii_lowercase()
        .ends_with(&format!(".{extension}"))
    {
        stem
    } else {
        format!("{stem}.{extension}")
    };
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static(media_type),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                content_disposition(Disposition::Attachment, &file_name),
            ),
            (
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            ),
        ],
        bytes,
    )
        .into_response()
}
