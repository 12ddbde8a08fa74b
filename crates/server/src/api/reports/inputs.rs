//! Số liệu ngoài hệ thống — the external inputs of the Decision 766 index
//! over HTTP: read the declarations in force of a unit or a province for a
//! period (with each unit's sum over the period, the inputs the index
//! uses), read the history of one unit and month, and declare a unit's
//! inputs for a month (a new version; the earlier ones stay).
//!
//! # Who may do what
//!
//! Reading follows the dashboards' rule ([`super::service`]): the officials
//! of the unit, and province administrators and province inspectors for
//! every unit of the province; a refusal is `403 report_forbidden` whether
//! or not the unit exists. Declaring is for the unit's leader (Lãnh đạo đơn
//! vị) and for the province administrator, for any unit of the province
//! ([`motcua_domain::reports::inputs::may_declare`]); anyone else gets
//! `403 inputs_forbidden`, again before the unit is looked up, so an
//! unknown unit and a unit of someone else answer alike.

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{NaiveDate, Utc};
use motcua_domain::access::Principal;
use motcua_domain::dossier::UnitId;
use motcua_domain::reports::inputs::{self as rules, InputsError};
use motcua_domain::reports::{
    ExternalInputs, InputField, InputsDeclaration, Month, PaknInputs, Ratio,
};
use motcua_domain::units::{Level, UnitCode};
use motcua_store::{InputsScope, NewInputsDeclaration};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{self, PeriodInfo, ReportQuery, Resolved, ScopeInfo, Target};
use crate::auth::session::Authenticated;
use crate::auth::{AuthContext, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// A numerator over a denominator.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatioBody {
    pub numerator: u64,
    pub denominator: u64,
}

/// Phản ánh, kiến nghị of the month.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaknBody {
    pub received: u64,
    pub handled_on_time: u64,
    pub rated: u64,
    pub satisfied: u64,
}

/// The inputs of one month; a field left out is "not provided" (the
/// sub-criterion scores 0, `missing_input`, unless another month of the
/// period has it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InputsBody {
    /// TTHC công bố đúng hạn ÷ TTHC phải công bố.
    pub published_on_time: Option<RatioBody>,
    /// TTHC cập nhật, công khai đúng hạn ÷ TTHC phải cập nhật.
    pub updated_on_time: Option<RatioBody>,
    /// TTHC công khai đầy đủ ÷ TTHC đã công khai.
    pub published_complete: Option<RatioBody>,
    /// Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia (over the dossiers of
    /// the figures).
    pub synchronized_dossiers: Option<u64>,
    /// TTHC có phí, lệ phí thanh toán trực tuyến trên Cổng (over the
    /// catalogue's fee-charging procedures).
    pub fee_procedures_on_portal: Option<u64>,
    pub pakn: Option<PaknBody>,
    pub digitized_data_reused: Option<RatioBody>,
    pub digitized_data_shared: Option<RatioBody>,
    pub population_data_used: Option<RatioBody>,
    pub procedures_on_population_db: Option<RatioBody>,
    pub electronic_certified_copies: Option<RatioBody>,
}

impl From<InputsBody> for ExternalInputs {
    fn from(b: InputsBody) -> Self {
        let r = |x: Option<RatioBody>| x.map(|x| Ratio::new(x.numerator, x.denominator));
        ExternalInputs {
            published_on_time: r(b.published_on_time),
            updated_on_time: r(b.updated_on_time),
            published_complete: r(b.published_complete),
            synchronized_dossiers: b.synchronized_dossiers,
            fee_procedures_on_portal: b.fee_procedures_on_portal,
            pakn: b.pakn.map(|p| PaknInputs {
                received: p.received,
                handled_on_time: p.handled_on_time,
                rated: p.rated,
                satisfied: p.satisfied,
            }),
            digitized_data_reused: r(b.digitized_data_reused),
            digitized_data_shared: r(b.digitized_data_shared),
            population_data_used: r(b.population_data_used),
            procedures_on_population_db: r(b.procedures_on_population_db),
            electronic_certified_copies: r(b.electronic_certified_copies),
        }
    }
}

/// Bản kê khai — the declaration of one unit and month.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareBody {
    pub inputs: InputsBody,
    /// Ghi chú, văn bản nguồn (at most 500 characters), e.g. the number of
    /// the report the figures come from.
    #[serde(default)]
    pub note: Option<String>,
}

/// One unit's inputs over the period.
#[derive(Debug, Clone, Serialize)]
pub struct UnitInputs {
    pub unit: UnitId,
    pub name_vi: String,
    /// The months' inputs added up: what the index of the period uses.
    pub inputs: ExternalInputs,
    /// The months with a declaration.
    pub months: Vec<Month>,
    /// The fields no month of the period has (they score 0).
    pub missing: Vec<InputField>,
}

/// The declarations of a unit or province for a period.
#[derive(Debug, Clone, Serialize)]
pub struct InputsAnswer {
    pub scope: ScopeInfo,
    pub period: PeriodInfo,
    /// The declarations in force, by unit then month.
    pub declarations: Vec<InputsDeclaration>,
    pub units: Vec<UnitInputs>,
}

/// The declarations of one unit and month.
#[derive(Debug, Clone, Serialize)]
pub struct InputsHistory {
    pub unit: UnitId,
    pub name_vi: String,
    pub month: Month,
    pub in_force: Option<InputsDeclaration>,
    /// Every declaration, oldest first.
    pub history: Vec<InputsDeclaration>,
}

fn bad(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError::bad_request(code, vi, en)
}

fn rule_error(e: &InputsError) -> ApiError {
    bad(e.code(), e.message_vi(), e.to_string())
}

pub fn forbidden() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "inputs_forbidden",
        "Bạn không có quyền kê khai số liệu của đơn vị này.",
        "You may not declare the inputs of this unit.",
    )
}

/// Parses a unit id of the path or a form.
pub fn parse_unit(s: &str) -> ApiResult<UnitId> {
    let s = s.trim();
    UnitId::parse(s).map_err(|e| {
        bad(
            "invalid_unit",
            format!("Mã đơn vị không hợp lệ: {s:?}."),
            e.to_string(),
        )
    })
}

/// Parses a month `YYYY-MM` (years 2000–2100).
pub fn parse_month(s: &str) -> ApiResult<Month> {
    let s = s.trim();
    Month::parse(s)
        .ok()
        .filter(|m| (2000..=2100).contains(&m.year()))
        .ok_or_else(|| {
            bad(
                "invalid_month",
                format!("Tháng không hợp lệ: {s:?} (dạng 2026-03)."),
                format!("Invalid month {s:?}: expected 2026-03."),
            )
        })
}

/// Whether `unit` is a province (`04`) or one of its communes (`04.01279`)
/// in the registry on `on`.
fn unit_exists(state: &AppState, unit: &UnitId, on: NaiveDate) -> bool {
    let registry = &state.registry;
    let mut parts = unit.as_str().split('.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(p), None, None) => UnitCode::parse_at(p, Level::Province)
            .ok()
            .is_some_and(|c| registry.unit_at(&c, on).is_some()),
        (Some(p), Some(c), None) => UnitCode::parse_at(c, Level::Commune)
            .ok()
            .and_then(|c| registry.unit_at(&c, on))
            .is_some_and(|u| u.province_code.as_str() == p),
        _ => false,
    }
}

/// Whether the viewer may read `unit`'s declarations.
fn may_read_unit(viewer: &Viewer, unit: &UnitId) -> bool {
    service::may_read(viewer, &Target::Unit(unit.clone()))
}

/// Declares `inputs` for `unit` and `month` as `who`: the access rule,
/// then the unit, then the rules of the declaration; appends the next
/// version. Shared by the API and the entry page.
pub async fn declare(
    state: &AppState,
    who: &AuthContext,
    unit: &UnitId,
    month: Month,
    inputs: ExternalInputs,
    note: Option<String>,
) -> ApiResult<InputsDeclaration> {
    if !matches!(who.principal, Principal::Official { .. })
        || !rules::may_declare(&who.principal, unit)
    {
        return Err(forbidden());
    }
    let today = state.today();
    if !unit_exists(state, unit, today) {
        return Err(ApiError::not_found(
            "unit_not_found",
            format!("Không có đơn vị {unit}."),
            format!("No unit {unit}."),
        ));
    }
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    rules::validate_declaration(month, &inputs, note.as_deref(), today)
        .map_err(|e| rule_error(&e))?;
    let stored = state
        .store
        .declare_inputs(&NewInputsDeclaration {
            unit: unit.clone(),
            month,
            inputs,
            entered_by: who.principal.user().clone(),
            entered_at: Utc::now(),
            note,
        })
        .await?;
    Ok(stored)
}

/// The scope of a resolved report request, for the store.
fn scope_of(r: &Resolved) -> InputsScope {
    match &r.target {
        Target::Unit(u) => InputsScope::Unit(u.clone()),
        Target::Province(p) => InputsScope::Province(p.clone()),
    }
}

/// The declarations in force for a resolved request's scope and period.
pub async fn in_force(state: &AppState, r: &Resolved) -> ApiResult<Vec<InputsDeclaration>> {
    let info = service::period_info(&r.period);
    Ok(state
        .store
        .inputs_in_force(&scope_of(r), info.from, info.to)
        .await?)
}

/// The inputs of each unit of a resolved request over its period, as the
/// Decision 766 index uses them.
pub async fn external_for(
    state: &AppState,
    r: &Resolved,
) -> ApiResult<BTreeMap<UnitId, ExternalInputs>> {
    Ok(rules::per_unit(&in_force(state, r).await?, &r.period))
}

/// The answer of `GET /api/v1/reports/inputs`.
pub async fn answer(state: &AppState, r: &Resolved) -> ApiResult<InputsAnswer> {
    let declarations = in_force(state, r).await?;
    let mut months: BTreeMap<UnitId, Vec<Month>> = BTreeMap::new();
    for d in &declarations {
        months.entry(d.unit.clone()).or_default().push(d.month);
    }
    let sums = rules::per_unit(&declarations, &r.period);
    let units = sums
        .into_iter()
        .map(|(unit, inputs)| UnitInputs {
            name_vi: service::unit_name(state, unit.as_str(), r.as_of),
            months: months.remove(&unit).unwrap_or_default(),
            missing: InputField::ALL
                .into_iter()
                .filter(|f| !f.is_set(&inputs))
                .collect(),
            unit,
            inputs,
        })
        .collect();
    Ok(InputsAnswer {
        scope: r.scope_info(state),
        period: service::period_info(&r.period),
        declarations,
        units,
    })
}

/// The history of one unit and month, after the read rule.
pub async fn history(
    state: &AppState,
    viewer: &Viewer,
    unit: &UnitId,
    month: Month,
) -> ApiResult<InputsHistory> {
    if !may_read_unit(viewer, unit) {
        return Err(service::forbidden());
    }
    let history = state.store.inputs_history(unit, month).await?;
    Ok(InputsHistory {
        unit: unit.clone(),
        name_vi: service::unit_name(state, unit.as_str(), state.today()),
        month,
        in_force: history.last().cloned(),
        history,
    })
}

/// Số liệu ngoài hệ thống — the declarations in force of a unit (or of
/// every unit of a province: its communes and its own unit) for a period,
/// and each unit's inputs added up over the period (ratios add numerator
/// and denominator, counts add; a field is missing only when no month has
/// it). Only `unit`, `province` and `period` of the query apply.
#[utoipa::path(get, path = "/api/v1/reports/inputs", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "InputsAnswer {scope, period, declarations: [{unit, month, version, inputs, entered_by, entered_at, note}], units: [{unit, name_vi, inputs, months, missing}]}", body = Object),
              (status = 400, description = "invalid_period, invalid_unit, invalid_province, invalid_scope…", body = crate::error::Problem),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "report_forbidden: outside the caller's units or province", body = crate::error::Problem)))]
pub async fn list_inputs(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ReportQuery>,
) -> ApiResult<Json<InputsAnswer>> {
    let r = service::resolve(&state, &viewer, &q)?;
    Ok(Json(answer(&state, &r).await?))
}

/// The declarations of one unit and month, oldest first, and the one in
/// force (the latest): the audit of who entered what and when.
#[utoipa::path(get, path = "/api/v1/reports/inputs/{unit}/{month}", tag = "reports",
    params(("unit" = String, Path, description = "Unit id: a commune (`04.01279`) or a province's own unit (`04`)"),
           ("month" = String, Path, description = "Month `YYYY-MM`")),
    responses((status = 200, description = "InputsHistory {unit, name_vi, month, in_force, history}", body = Object),
              (status = 400, description = "invalid_unit, invalid_month", body = crate::error::Problem),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "report_forbidden", body = crate::error::Problem)))]
pub async fn get_inputs(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((unit, month)): Path<(String, String)>,
) -> ApiResult<Json<InputsHistory>> {
    let unit = parse_unit(&unit)?;
    let month = parse_month(&month)?;
    Ok(Json(history(&state, &viewer, &unit, month).await?))
}

/// Kê khai số liệu — declares a unit's external inputs for a month: a new
/// version of the (unit, month), in force from now; the earlier ones are
/// kept. The whole month is declared at once: a field left out is "not
/// provided". Allowed to the unit's leader and to the province
/// administrator (any unit of the province). Rules: each ratio's numerator
/// at most its denominator (`numerator_exceeds_denominator`); PAKN handled
/// on time and rated at most received, satisfied at most rated
/// (`pakn_inconsistent`); counts at most 10⁹ (`input_too_large`); the note
/// at most 500 characters (`note_too_long`); not a month after the current
/// one (`month_in_future`).
#[utoipa::path(put, path = "/api/v1/reports/inputs/{unit}/{month}", tag = "reports",
    params(("unit" = String, Path, description = "Unit id: a commune (`04.01279`) or a province's own unit (`04`)"),
           ("month" = String, Path, description = "Month `YYYY-MM`")),
    request_body = DeclareBody,
    responses((status = 200, description = "The stored declaration {unit, month, version, inputs, entered_by, entered_at, note}", body = Object),
              (status = 400, description = "invalid_body, invalid_unit, invalid_month, numerator_exceeds_denominator, pakn_inconsistent, input_too_large, note_too_long, month_in_future", body = crate::error::Problem),
              (status = 401, body = crate::error::Problem),
              (status = 403, description = "inputs_forbidden: not the unit's leader nor the province administrator (also for a unit that does not exist)", body = crate::error::Problem),
              (status = 404, description = "unit_not_found", body = crate::error::Problem)))]
pub async fn put_inputs(
    State(state): State<AppState>,
    Authenticated(ctx): Authenticated,
    Path((unit, month)): Path<(String, String)>,
    body: Result<Json<DeclareBody>, JsonRejection>,
) -> ApiResult<Json<InputsDeclaration>> {
    let unit = parse_unit(&unit)?;
    let month = parse_month(&month)?;
    let Json(body) = body.map_err(|e| {
        bad(
            "invalid_body",
            format!("Nội dung yêu cầu không hợp lệ: {}", e.body_text()),
            format!("Invalid request body: {}", e.body_text()),
        )
    })?;
    let stored = declare(&state, &ctx, &unit, month, body.inputs.into(), body.note).await?;
    Ok(Json(stored))
}

/// The note of the index: which units lack external inputs (they score 0
/// on those sub-criteria) when some do; otherwise where the inputs come
/// from.
pub fn index_note(units: &[service::UnitIndexOut]) -> (String, String) {
    let lacking = units
        .iter()
        .filter(|u| !u.report.missing_inputs.is_empty())
        .count();
    if lacking == 0 {
        return (
            "Số liệu ngoài hệ thống (công bố TTHC, đồng bộ Cổng DVC quốc gia, phản ánh kiến nghị, CSDL dân cư…) theo bản kê khai đang có hiệu lực của từng tháng trong kỳ.".to_string(),
            "Inputs from outside the system (procedure publication, synchronization with the national portal, feedback handling, the population database…) are the declarations in force for each month of the period.".to_string(),
        );
    }
    (
        format!(
            "{lacking}/{} đơn vị chưa kê khai đủ số liệu ngoài hệ thống (công bố TTHC, đồng bộ Cổng DVC quốc gia, phản ánh kiến nghị, CSDL dân cư…) cho kỳ này: các tiêu chí đó tính 0 điểm (chưa có số liệu đầu vào). Kê khai tại /bao-cao/so-lieu-ngoai.",
            units.len()
        ),
        format!(
            "{lacking} of {} units have not declared every input from outside the system (procedure publication, synchronization with the national portal, feedback handling, the population database…) for this period: those criteria score 0 (input not provided). Declare them at /bao-cao/so-lieu-ngoai.",
            units.len()
        ),
    )
}
