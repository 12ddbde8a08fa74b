//! Thủ tục hành chính — the procedure catalogue over HTTP, and the working
//! calendar's deadline computation (a tool for officials and a test oracle).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use motcua_domain::calendar::{due, to_vietnam_local, DeadlineRule, Limit};
use motcua_domain::procedure::{Catalogue, Procedure, ProcedureCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use motcua_domain::access::{Principal, StaffRole};

fn procedure_code(s: &str) -> ApiResult<ProcedureCode> {
    ProcedureCode::parse(s).map_err(|e| {
        ApiError::bad_request(
            "invalid_procedure_code",
            format!("Mã thủ tục không hợp lệ: {s:?}."),
            e.to_string(),
        )
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnQuery {
    /// Only versions in force on this date (YYYY-MM-DD); all versions when absent.
    on: Option<String>,
}

/// The catalogue (every version, or those in force on a date).
#[utoipa::path(get, path = "/api/v1/procedures", tag = "procedures", params(OnQuery),
    responses((status = 200, description = "[Procedure]", body = Vec<Object>),
              (status = 400, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<OnQuery>,
) -> ApiResult<Json<Vec<Procedure>>> {
    let mut all = state.store.procedures().await?;
    if let Some(on) = q.on.as_deref() {
        let on = params::date(Some(on), state.today())?;
        all.retain(|p| p.in_force_on(on));
    }
    Ok(Json(all))
}

/// One procedure, the version in force on a date (today by default).
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "procedures",
    params(("code" = String, Path, description = "National code, e.g. 1.001193"), OnQuery),
    responses((status = 200, description = "Procedure", body = Object),
              (status = 400, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<OnQuery>,
) -> ApiResult<Json<Procedure>> {
    let code = procedure_code(&code)?;
    let on = params::date(q.on.as_deref(), state.today())?;
    let p = state.store.procedure(&code, on).await?.ok_or_else(|| {
        ApiError::not_found(
            "procedure_not_found",
            format!("Không có thủ tục {code} có hiệu lực ngày {on}."),
            format!("No procedure {code} in force on {on}."),
        )
    })?;
    Ok(Json(p))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub imported: usize,
}

/// Import a catalogue (JSON: {notice, province?, as_of?, procedures: [...]}).
/// All or nothing: an invalid or conflicting catalogue changes nothing.
#[utoipa::path(post, path = "/api/v1/procedures/import", tag = "procedures",
    request_body(content = Object, description = "Catalogue JSON"),
    responses((status = 200, body = ImportReport), (status = 401, body = crate::error::Problem),
              (status = 403, description = "not a province administrator", body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let allowed = match &viewer {
        Viewer::Unrestricted => true,
        Viewer::Session(c) => matches!(
            &c.principal,
            Principal::Official { assignments, .. }
                if assignments.iter().any(|a| a.role == StaffRole::ProvinceAdmin)
        ),
    };
    if !allowed {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Chỉ quản trị cấp tỉnh được nhập danh mục thủ tục.",
            "Only a province administrator may import the catalogue.",
        ));
    }
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "Nội dung không phải UTF-8.",
            "The body is not UTF-8.",
        )
    })?;
    let catalogue = Catalogue::from_json(text).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.code(),
            format!("Danh mục thủ tục không hợp lệ: {e}"),
            format!("Invalid catalogue: {e}"),
        )
    })?;
    state.store.put_procedures(catalogue.procedures()).await?;
    state.catalogue.invalidate();
    Ok(Json(ImportReport {
        imported: catalogue.procedures().len(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (default) or `csv` (the flat part).
    format: Option<String>,
}

/// Export the whole catalogue as JSON (importable) or CSV.
#[utoipa::path(get, path = "/api/v1/procedures/export", tag = "procedures", params(ExportQuery),
    responses((status = 200, description = "Catalogue JSON or CSV", content((Object = "application/json"), (String = "text/csv"))),
              (status = 400, body = crate::error::Problem)))]
pub async fn export(
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    let all = state.store.procedures().await?;
    let catalogue = Catalogue::new(
        "Exported from motcua; values marked (unverified) are not confirmed by a source.".into(),
        None,
        Some(state.today()),
        all,
    )
    .map_err(|e| {
        tracing::error!(error = %e, "stored catalogue does not validate");
        ApiError::internal()
    })?;
    let (body, content_type) = match q.format.as_deref().unwrap_or("json") {
        "json" => (catalogue.to_json_pretty(), "application/json"),
        "csv" => (catalogue.to_csv(), "text/csv; charset=utf-8"),
        other => {
            return Err(ApiError::bad_request(
                "invalid_format",
                format!("Định dạng không hỗ trợ: {other:?} (json hoặc csv)."),
                format!("Unsupported format {other:?}: json or csv."),
            ))
        }
    };
    let body = body.map_err(|e| {
        tracing::error!(error = %e, "catalogue export failed");
        ApiError::internal()
    })?;
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// Receipt time, RFC 3339 (e.g. 2026-02-13T10:00:00+07:00).
    received: DateTime<FixedOffset>,
    working_days: Option<u32>,
    working_hours: Option<u32>,
    /// Use this procedure's limit and cut-off.
    procedure: Option<String>,
    /// Cut-off HH:MM: received after it counts from the next working day.
    cutoff: Option<String>,
    /// The province whose settings count the period (two digits; default
    /// the province of the deployment's Center).
    province: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueDto {
    /// Due date and time, RFC 3339 with +07:00.
    pub due: DateTime<FixedOffset>,
    pub due_date: NaiveDate,
    /// When the clock started (Vietnam time).
    pub clock_start: String,
    pub explanation_vi: Vec<String>,
    pub explanation_en: Vec<String>,
}

/// Compute a due date: receipt time + limit on the Vietnamese working calendar.
#[utoipa::path(get, path = "/api/v1/calendar/due", tag = "procedures", params(DueQuery),
    responses((status = 200, body = DueDto), (status = 400, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub async fn calendar_due(
    State(state): State<AppState>,
    Query(q): Query<DueQuery>,
) -> ApiResult<Json<DueDto>> {
    let engine = &state.engine;
    let bad = |vi: &str, en: &str| ApiError::bad_request("invalid_limit", vi, en);
    let cutoff = q
        .cutoff
        .as_deref()
        .map(|c| {
            NaiveTime::parse_from_str(c, "%H:%M").map_err(|_| {
                ApiError::bad_request(
                    "invalid_cutoff",
                    format!("Giờ chốt không hợp lệ: {c:?} (HH:MM)."),
                    format!("Invalid cut-off {c:?}: expected HH:MM."),
                )
            })
        })
        .transpose()?;
    let (limit, cutoff) = match (q.working_days, q.working_hours, q.procedure.as_deref()) {
        (Some(n), None, None) => (Limit::WorkingDays(n), cutoff),
        (None, Some(n), None) => (Limit::WorkingHours(n), cutoff),
        (None, None, Some(code)) => {
            let code = procedure_code(code)?;
            let on = q.received.date_naive();
            let p = state.store.procedure(&code, on).await?.ok_or_else(|| {
                ApiError::not_found(
                    "procedure_not_found",
                    format!("Không có thủ tục {code} có hiệu lực ngày {on}."),
                    format!("No procedure {code} in force on {on}."),
                )
            })?;
            let limit = p.snapshot().time_limit.to_calendar_limit().ok_or_else(|| {
                bad(
                    "Thủ tục không quy định thời hạn theo ngày/giờ làm việc.",
                    "The procedure's limit is not in working days or hours.",
                )
            })?;
            (
                limit,
                cutoff.or(p.snapshot().same_day_cutoff.map(|c| c.time())),
            )
        }
        _ => {
            return Err(bad(
                "Cần đúng một trong: working_days, working_hours, procedure.",
                "Give exactly one of working_days, working_hours, procedure.",
            ))
        }
    };
    let received = to_vietnam_local(&q.received);
    let province = match q.province.as_deref() {
        Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => p.to_string(),
        Some(p) => {
            return Err(ApiError::bad_request(
                "invalid_province",
                format!("Mã tỉnh không hợp lệ: {p:?} (hai chữ số)."),
                format!("Invalid province code {p:?}: two digits."),
            ))
        }
        None => motcua_domain::dossier::UnitId::parse(&state.site.center)
            .map(|u| u.province_code().to_string())
            .unwrap_or_default(),
    };
    let rules = engine.rules(&province, received.date());
    let rule: DeadlineRule = rules.policy().rule(limit, cutoff);
    let d = due(received, &rule, &rules.calendar).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "calendar_error",
            format!("Không tính được hạn: {e}"),
            format!("Cannot compute the deadline: {e}"),
        )
    })?;
    let at = d.at_vietnam().map_err(|_| ApiError::internal())?;
    Ok(Json(DueDto {
        due: at,
        due_date: d.date(),
        clock_start: d.clock_start.to_string(),
        explanation_vi: d.explanation.iter().map(|s| s.vi.clone()).collect(),
        explanation_en: d.explanation.iter().map(|s| s.en.clone()).collect(),
    }))
}
