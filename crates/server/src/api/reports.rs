//! Báo cáo — the dashboards' figures over HTTP (issue 5): the figures of a
//! unit or a province for a period, the service index of Decision
//! 766/QĐ-TTg with the ranking of communes, and the bottlenecks. Each
//! answers JSON, or its tables as CSV (`?format=csv&table=…`, or the
//! `.csv` route) or XLSX (`?format=xlsx`, or the `.xlsx` route: every
//! table, one worksheet each). Who may read what: see [`service`].

pub mod inputs;
mod pdf;
pub mod service;
pub mod table;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Json;

use self::service::{ReportQuery, Resolved};
use self::table::Table;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::pages::ui::Lang;
use crate::AppState;

/// The representation asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

fn format_of(q: &ReportQuery, forced: Option<Format>) -> ApiResult<Format> {
    if let Some(f) = forced {
        return Ok(f);
    }
    match q.format.as_deref().map(str::trim) {
        None | Some("" | "json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some("xlsx") => Ok(Format::Xlsx),
        Some(other) => Err(ApiError::bad_request(
            "invalid_format",
            format!("Định dạng không hợp lệ: {other:?} (json, csv hoặc xlsx)."),
            format!("Invalid format {other:?}: expected json, csv or xlsx."),
        )),
    }
}

fn lang_of(q: &ReportQuery) -> Lang {
    if q.lang.as_deref().map(str::trim) == Some("en") {
        Lang::En
    } else {
        Lang::Vi
    }
}

/// A file name for an export: `<report>-<scope>-<period>.<ext>`.
fn file_name(report: &str, r: &Resolved, ext: &str) -> String {
    let scope = match &r.target {
        service::Target::Unit(u) => u.to_string(),
        service::Target::Province(p) => format!("tinh-{p}"),
    };
    let period = service::period_key(&r.period).replace("..", "_");
    format!("{report}-{scope}-{period}.{ext}")
}

/// Renders tables as CSV (the one named by `?table=`, else the first) or
/// as an XLSX workbook.
pub fn export(
    tables: &[Table],
    q: &ReportQuery,
    format: Format,
    report: &str,
    r: &Resolved,
) -> ApiResult<Response> {
    let l = lang_of(q);
    match format {
        Format::Csv => {
            let wanted = q.table.as_deref().map(str::trim).filter(|t| !t.is_empty());
            let table = match wanted {
                None => tables.first(),
                Some(name) => tables.iter().find(|t| t.name == name),
            }
            .ok_or_else(|| {
                let names: Vec<&str> = tables.iter().map(|t| t.name).collect();
                ApiError::bad_request(
                    "invalid_table",
                    format!(
                        "Không có bảng {:?}; các bảng: {}.",
                        wanted.unwrap_or(""),
                        names.join(", ")
                    ),
                    format!(
                        "No table {:?}; tables: {}.",
                        wanted.unwrap_or(""),
                        names.join(", ")
                    ),
                )
                .with_extra(serde_json::json!({ "tables": names }))
            })?;
            let name = file_name(&format!("{report}-{}", table.name), r, "csv");
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                table.to_csv(l),
            )
                .into_response())
        }
        Format::Xlsx => {
            let bytes = table::to_xlsx(tables, l).map_err(|e| {
                tracing::error!(error = %e, "XLSX export failed");
                ApiError::internal()
            })?;
            let name = file_name(report, r, "xlsx");
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        Format::Json => Err(ApiError::internal()),
    }
}

/// Which report a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Figures,
    Index766,
    Bottlenecks,
}

/// A report as JSON, or its tables as CSV or XLSX.
fn respond<T: serde::Serialize>(
    report: &T,
    tables: fn(&T) -> Vec<Table>,
    format: Format,
    q: &ReportQuery,
    file: &str,
    r: &Resolved,
) -> ApiResult<Response> {
    match format {
        Format::Json => Ok(Json(report).into_response()),
        f => export(&tables(report), q, f, file, r),
    }
}

/// Answers `which` in the format of `?format=`, or in `forced` (the
/// `.csv` and `.xlsx` routes).
async fn report_as(
    state: AppState,
    viewer: Viewer,
    q: ReportQuery,
    which: Which,
    forced: Option<Format>,
) -> ApiResult<Response> {
    let format = format_of(&q, forced)?;
    let r = service::resolve(&state, &viewer, &q)?;
    match which {
        Which::Figures => {
            let report = service::figures(&state, &r).await?;
            respond(
                &report,
                service::FiguresReport::tables,
                format,
                &q,
                "so-lieu",
                &r,
            )
        }
        Which::Index766 => {
            let report = service::index766(&state, &r).await?;
            respond(
                &report,
                service::IndexAnswer::tables,
                format,
                &q,
                "chi-so-766",
                &r,
            )
        }
        Which::Bottlenecks => {
            let report = service::bottlenecks(&state, &r).await?;
            respond(
                &report,
                service::BottleneckAnswer::tables,
                format,
                &q,
                "diem-nghen",
                &r,
            )
        }
    }
}

/// The route of a report's tables as one file format (`.csv`, `.xlsx`).
pub fn export_route(which: Which, format: Format) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>, viewer: Viewer, Query(q): Query<ReportQuery>| {
            report_as(state, viewer, q, which, Some(format))
        },
    )
}

/// Số liệu — the figures of a unit (or of every unit of a province) for a
/// period: dossiers received by channel, refused, in process within the
/// deadline and overdue, done early / on time / late, returned, withdrawn,
/// paused; the online, digitization, electronic-result, paid-online and
/// satisfaction shares; broken down by unit, procedure, field and month.
/// Each dossier counts in its month of receipt, as it stands on `as_of`.
/// Tables: `by_unit` (province only), `by_procedure`, `by_field`, `by_month`.
#[utoipa::path(get, path = "/api/v1/reports/figures", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "FiguresReport {scope, period, perspective, as_of, total, by_unit, by_procedure, by_field, by_month}; text/csv or XLSX with format=csv|xlsx", content((Object = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 400, description = "invalid_period, invalid_unit, invalid_province, invalid_scope, invalid_format, invalid_table…", body = crate::error::Problem),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "report_forbidden: outside the caller's units or province", body = crate::error::Problem)))]
pub async fn figures(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ReportQuery>,
) -> ApiResult<Response> {
    report_as(state, viewer, q, Which::Figures, None).await
}

/// Bộ chỉ số 766 — the service index (Decision 766/QĐ-TTg, as scored in
/// 2026) of a unit, or of every commune of a province with their ranking
/// and grade bands: each of the six groups, each sub-criterion with its
/// inputs, formula (Vietnamese and English) and points. Inputs from outside
/// the system are the declarations in force for the period's months (see
/// `/api/v1/reports/inputs`); a criterion no month declares scores 0
/// (`missing_input`) and the note says how many units lack inputs.
/// Tables: `ranking`, `criteria`.
#[utoipa::path(get, path = "/api/v1/reports/index766", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "IndexAnswer {scope, period, as_of, config_version, units: [{unit, name_vi, report}], ranking}; CSV or XLSX with format=csv|xlsx", content((Object = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem)))]
pub async fn index766(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ReportQuery>,
) -> ApiResult<Response> {
    report_as(state, viewer, q, Which::Index766, None).await
}

/// Điểm nghẽn — per step of each procedure: working and waiting time
/// (median, p90, in working minutes), the share over the step budget, the
/// contribution to lateness and the step contributing most (per procedure,
/// per unit, province-wide), lateness by month, and the current queue per
/// unit, role and assignee. Tables: `steps`, `queue`, `by_month`.
#[utoipa::path(get, path = "/api/v1/reports/bottlenecks", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "BottleneckAnswer {scope, period, as_of, steps, top, top_by_procedure, top_by_unit, by_month, queue}; CSV or XLSX with format=csv|xlsx", content((Object = "application/json"), (String = "text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem)))]
pub async fn bottlenecks(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ReportQuery>,
) -> ApiResult<Response> {
    report_as(state, viewer, q, Which::Bottlenecks, None).await
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Báo cáo kết quả giải quyết TTHC — the period report of a province (or of
/// a unit) as PDF: the figures, the figures by unit (by procedure for a
/// unit), the ranking of the communes by the Decision 766 index and the
/// steps contributing most to lateness. Default period: the current month.
#[utoipa::path(get, path = "/api/v1/reports/monthly.pdf", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "The report (A4, Vietnamese)", content_type = "application/pdf"),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem)))]
pub async fn monthly_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(mut q): Query<ReportQuery>,
) -> ApiResult<Response> {
    if q.period.as_deref().is_none_or(|p| p.trim().is_empty()) {
        q.period = Some(state.today().format("%Y-%m").to_string());
    }
    let r = service::resolve(&state, &viewer, &q)?;
    let figures = service::figures(&state, &r).await?;
    let index = service::index766(&state, &r).await?;
    let bottlenecks = service::bottlenecks(&state, &r).await?;
    let province = match &r.target {
        service::Target::Unit(u) => motcua_domain::access::province_of(u).to_string(),
        service::Target::Province(p) => p.clone(),
    };
    let place = motcua_domain::units::UnitCode::parse(&province)
        .ok()
        .and_then(|c| state.registry.unit_at(&c, r.as_of))
        .map_or_else(|| province.clone(), |u| u.short_name.clone());
    let issuer = format!("Ủy ban nhân dân\n{}", lower_first(&figures.scope.name_vi));
    let report = pdf::report(&r.target, issuer, place, &figures, &index, &bottlenecks);
    let bytes = tokio::task::spawn_blocking(move || motcua_forms::monthly_report(&report))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "report PDF failed");
            ApiError::internal()
        })?;
    let name = file_name("bao-cao", &r, "pdf");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
