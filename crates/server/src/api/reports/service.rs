//! The reports service: parses a report request (scope, period, filters),
//! applies the access rule, reads the rollups through
//! [`motcua_store::ReportStore`] and assembles the figures, the Decision 766
//! index with the ranking of communes, and the bottlenecks, each as a
//! serializable answer and as tables for the CSV/XLSX exports. Shared by
//! the JSON API and the dashboard pages.
//!
//! # Who may read a dashboard
//!
//! Every official reads the dashboards of the units in their scope
//! ([`motcua_domain::access::Principal::scope`]): the unit(s) where they
//! hold a role (any role, the read-only inspector and the unit
//! administrator included). A province administrator, or an inspector
//! assigned at the province, reads the province-wide view (`province=`)
//! and every unit of the province. Citizens read none. A refusal is the
//! same `403 report_forbidden` whether or not the unit exists or has
//! dossiers, so it reveals nothing. Development servers without a session
//! (`insecure_actor_headers`) read everything.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use motcua_domain::access::{Principal, Scope};
use motcua_domain::dossier::{Role, UnitId};
use motcua_domain::procedure::{CompetentLevel, Procedure, ProcedureCode, StepKind};
use motcua_domain::reports::{
    rank, score, BottleneckReport, CatalogueInputs, ExternalInputs, Figures, IndexConfigs,
    IndexInputs, IndexReport, Month, Perspective, RankedUnit, Rollup, RollupKey, Rollups, StepKey,
    StepStats, UnitIndex,
};
use motcua_domain::units::{Level, UnitCode};
use motcua_store::RollupQuery;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::table::{col, Cell, Column, Kind, Table};
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub use motcua_domain::reports::Period;

/// The query of every report endpoint and dashboard page.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Unit id: a commune (`04.01279`) or a province's own unit (`04`: its
    /// Center and departments). Default: the caller's own unit or province.
    pub unit: Option<String>,
    /// Province code (`04`): every unit of the province together.
    pub province: Option<String>,
    /// Only this procedure (national code, e.g. `1.001193`).
    pub procedure: Option<String>,
    /// Only the procedures of this field (lĩnh vực, as in the catalogue,
    /// e.g. `Hộ tịch`).
    pub field: Option<String>,
    /// `2026-03` (month), `2026-Q1`, `2026-H1`, `2026` (year) or
    /// `2026-01..2026-03` (months, both included). Default: the current year.
    pub period: Option<String>,
    /// Figures only: `competent` (default, the unit that resolves) or
    /// `receiving` (the Center that received).
    pub perspective: Option<String>,
    /// The day in-process dossiers are judged on (YYYY-MM-DD, default today).
    pub as_of: Option<String>,
    /// `json` (default), `csv` (one table, see `table`) or `xlsx` (every
    /// table, one worksheet each).
    pub format: Option<String>,
    /// With `format=csv`: the table's name (default the first).
    pub table: Option<String>,
    /// `vi` (default) or `en`: the titles of CSV and XLSX columns.
    pub lang: Option<String>,
}

/// Whose figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Unit(UnitId),
    Province(String),
}

/// A parsed, authorized request.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub target: Target,
    pub period: Period,
    pub procedure: Option<ProcedureCode>,
    pub field: Option<String>,
    pub perspective: Perspective,
    pub as_of: NaiveDate,
}

/// Đơn vị báo cáo — the scope of an answer.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    pub name_vi: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedure: Option<ProcedureCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Kỳ báo cáo — the period of an answer.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodInfo {
    /// As written in `?period=` (canonical form).
    pub key: String,
    pub label_vi: String,
    pub label_en: String,
    pub from: Month,
    pub to: Month,
}

fn bad_period(s: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_period",
        format!(
            "Kỳ báo cáo không hợp lệ: {s:?} (dạng 2026-03, 2026-Q1, 2026-H1, 2026 hoặc 2026-01..2026-03, tối đa 60 tháng)."
        ),
        format!(
            "Invalid period {s:?}: expected 2026-03, 2026-Q1, 2026-H1, 2026 or 2026-01..2026-03 (at most 60 months)."
        ),
    )
}

/// Parses `2026-03`, `2026-Q1`, `2026-H2`, `2026` or `2026-01..2026-03`
/// (years 2000–2100; a custom run of at most 60 months).
pub fn parse_period(s: &str) -> ApiResult<Period> {
    let t = s.trim();
    let year = |y: &str| -> Option<i32> {
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        y.parse().ok().filter(|y| (2000..=2100).contains(y))
    };
    let month = |m: &str| {
        Month::parse(m)
            .ok()
            .filter(|m| year(&m.year().to_string()).is_some())
    };
    if let Some((a, b)) = t.split_once("..") {
        let (from, to) = month(a)
            .zip(month(b))
            .filter(|(f, t)| f <= t)
            .ok_or_else(|| bad_period(s))?;
        let p = Period::Months { from, to };
        if p.months().len() > 60 {
            return Err(bad_period(s));
        }
        return Ok(p);
    }
    if let Some(y) = year(t) {
        return Ok(Period::Year { year: y });
    }
    let (y, rest) = t.split_once('-').ok_or_else(|| bad_period(s))?;
    let y = year(y).ok_or_else(|| bad_period(s))?;
    let p = match rest.to_ascii_uppercase().as_str() {
        "Q1" | "Q2" | "Q3" | "Q4" => Period::Quarter {
            year: y,
            quarter: u32::from(rest.as_bytes()[1] - b'0'),
        },
        "H1" | "H2" => Period::Half {
            year: y,
            half: u32::from(rest.as_bytes()[1] - b'0'),
        },
        _ => Period::Month {
            month: month(t).ok_or_else(|| bad_period(s))?,
        },
    };
    Ok(p)
}

/// The canonical `?period=` text of a period.
pub fn period_key(p: &Period) -> String {
    match *p {
        Period::Month { month } => month.to_string(),
        Period::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
        Period::Half { year, half } => format!("{year}-H{half}"),
        Period::Year { year } => year.to_string(),
        Period::Months { from, to } => format!("{from}..{to}"),
    }
}

pub fn period_info(p: &Period) -> PeriodInfo {
    let first = p.first_month().unwrap_or_else(|| Month::of(NaiveDate::MIN));
    PeriodInfo {
        key: period_key(p),
        label_vi: p.label_vi(),
        label_en: p.label_en(),
        from: first,
        to: p.last_month().unwrap_or(first),
    }
}

pub(crate) fn forbidden() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::FORBIDDEN,
        "report_forbidden",
        "Bạn không có quyền xem báo cáo của đơn vị này.",
        "You may not read the reports of this unit.",
    )
}

fn bad(code: &'static str, vi: String, en: String) -> ApiError {
    ApiError::bad_request(code, vi, en)
}

fn province_code(s: &str) -> ApiResult<String> {
    let s = s.trim();
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(bad(
            "invalid_province",
            format!("Mã tỉnh không hợp lệ: {s:?} (2 chữ số)."),
            format!("Invalid province code {s:?}: expected 2 digits."),
        ))
    }
}

/// The default target of an official: the province of a province-wide
/// assignment, else the unit of their first assignment.
fn default_target(scope: &Scope) -> Option<Target> {
    scope
        .provinces
        .iter()
        .next()
        .map(|p| Target::Province(p.clone()))
        .or_else(|| scope.units.iter().next().map(|u| Target::Unit(u.clone())))
}

/// Whether the viewer may read `target` (see the module doc).
pub fn may_read(viewer: &Viewer, target: &Target) -> bool {
    match viewer {
        Viewer::Unrestricted => true,
        Viewer::Session(s) => {
            if !matches!(s.principal, Principal::Official { .. }) {
                return false;
            }
            let scope = s.principal.scope();
            match target {
                Target::Unit(u) => scope.covers_unit(u),
                Target::Province(p) => scope.provinces.contains(p),
            }
        }
    }
}

fn nonempty(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Parses and authorizes a request.
pub fn resolve(state: &AppState, viewer: &Viewer, q: &ReportQuery) -> ApiResult<Resolved> {
    let target = match (nonempty(&q.unit), nonempty(&q.province)) {
        (Some(_), Some(_)) => {
            return Err(bad(
                "invalid_scope",
                "Chỉ chọn một trong hai: đơn vị (unit) hoặc tỉnh (province).".to_string(),
                "Give either unit or province, not both.".to_string(),
            ))
        }
        (Some(u), None) => Target::Unit(UnitId::parse(u).map_err(|e| {
            bad(
                "invalid_unit",
                format!("Mã đơn vị không hợp lệ: {u:?}."),
                e.to_string(),
            )
        })?),
        (None, Some(p)) => Target::Province(province_code(p)?),
        (None, None) => match viewer {
            Viewer::Session(s) if matches!(s.principal, Principal::Official { .. }) => {
                default_target(&s.principal.scope()).ok_or_else(forbidden)?
            }
            Viewer::Session(_) => return Err(forbidden()),
            Viewer::Unrestricted => {
                return Err(bad(
                    "scope_required",
                    "Cần chọn đơn vị (unit) hoặc tỉnh (province).".to_string(),
                    "Give a unit or a province.".to_string(),
                ))
            }
        },
    };
    if !may_read(viewer, &target) {
        return Err(forbidden());
    }
    let today = state.today();
    let period = match nonempty(&q.period) {
        Some(p) => parse_period(p)?,
        None => Period::Year {
            year: chrono::Datelike::year(&today),
        },
    };
    let procedure = nonempty(&q.procedure)
        .map(|p| {
            ProcedureCode::parse(p).map_err(|e| {
                bad(
                    "invalid_procedure_code",
                    format!("Mã thủ tục không hợp lệ: {p:?}."),
                    e.to_string(),
                )
            })
        })
        .transpose()?;
    let perspective = match nonempty(&q.perspective) {
        None | Some("competent") => Perspective::Competent,
        Some("receiving") => Perspective::Receiving,
        Some(other) => {
            return Err(bad(
                "invalid_perspective",
                format!("Góc nhìn không hợp lệ: {other:?} (competent hoặc receiving)."),
                format!("Invalid perspective {other:?}: expected competent or receiving."),
            ))
        }
    };
    let as_of = crate::api::params::date(nonempty(&q.as_of), today)?;
    Ok(Resolved {
        target,
        period,
        procedure,
        field: nonempty(&q.field).map(str::to_string),
        perspective,
        as_of,
    })
}

/// The name of a unit id ("Phường Nùng Trí Cao", "Tỉnh Cao Bằng").
pub fn unit_name(state: &AppState, unit: &str, on: NaiveDate) -> String {
    let code = unit.rsplit('.').next().unwrap_or(unit);
    UnitCode::parse(code)
        .ok()
        .and_then(|c| state.registry.unit_at(&c, on))
        .map_or_else(|| unit.to_string(), |u| u.name.clone())
}

fn target_name(state: &AppState, t: &Target, on: NaiveDate) -> String {
    match t {
        Target::Unit(u) => unit_name(state, u.as_str(), on),
        Target::Province(p) => unit_name(state, p, on),
    }
}

impl Resolved {
    pub fn scope_info(&self, state: &AppState) -> ScopeInfo {
        let (unit, province) = match &self.target {
            Target::Unit(u) => (Some(u.clone()), None),
            Target::Province(p) => (None, Some(p.clone())),
        };
        ScopeInfo {
            unit,
            province,
            name_vi: target_name(state, &self.target, self.as_of),
            procedure: self.procedure.clone(),
            field: self.field.clone(),
        }
    }

    /// The province of the target (the unit's, or the province itself).
    pub fn province(&self) -> &str {
        match &self.target {
            Target::Unit(u) => u.province_code(),
            Target::Province(p) => p,
        }
    }

    fn months(&self) -> (Month, Month) {
        let info = period_info(&self.period);
        (info.from, info.to)
    }

    fn query(&self, perspective: Option<Perspective>) -> RollupQuery {
        let (from, to) = self.months();
        let (units, province) = match &self.target {
            Target::Unit(u) => (Some(vec![u.clone()]), None),
            Target::Province(p) => (None, Some(p.clone())),
        };
        RollupQuery {
            units,
            province,
            perspective,
            procedure: self.procedure.clone(),
            from,
            to,
        }
    }

    /// The months of the period up to the month of `as_of`.
    fn months_so_far(&self) -> Vec<Month> {
        let now = Month::of(self.as_of);
        self.period
            .months()
            .into_iter()
            .filter(|m| *m <= now)
            .collect()
    }
}

/// The catalogue: every procedure by code, the version in force at `on`
/// (else the latest).
pub struct Catalogue {
    pub by_code: BTreeMap<ProcedureCode, Procedure>,
}

impl Catalogue {
    pub async fn load(state: &AppState, on: NaiveDate) -> ApiResult<Catalogue> {
        let mut by_code: BTreeMap<ProcedureCode, Procedure> = BTreeMap::new();
        for p in state.store.procedures().await? {
            let in_force = p.in_force_on(on);
            let replace = match by_code.get(&p.code) {
                None => true,
                Some(old) => {
                    let old_in_force = old.in_force_on(on);
                    (in_force && !old_in_force)
                        || (in_force == old_in_force && p.version > old.version)
                }
            };
            if replace {
                by_code.insert(p.code.clone(), p);
            }
        }
        Ok(Catalogue { by_code })
    }

    pub fn name(&self, code: &ProcedureCode) -> String {
        self.by_code
            .get(code)
            .map_or_else(|| code.to_string(), |p| p.name_vi.clone())
    }

    pub fn field_of(&self, code: &ProcedureCode) -> Option<&str> {
        self.by_code.get(code).map(|p| p.field_vi.as_str())
    }

    /// Whether a procedure passes the request's field filter.
    fn keeps(&self, r: &Resolved, code: &ProcedureCode) -> bool {
        r.field.as_deref().is_none_or(|f| {
            self.field_of(code)
                .is_some_and(|x| x.eq_ignore_ascii_case(f))
        })
    }

    /// Bước — a step's label: the workflow's own, else its kind's.
    pub fn step_label(
        &self,
        code: &ProcedureCode,
        step: usize,
        kind: StepKind,
    ) -> (String, String) {
        let own = self
            .by_code
            .get(code)
            .and_then(|p| p.workflow.steps().get(step))
            .and_then(|s| s.label_vi.clone());
        let (vi, en) = kind_label(kind);
        (own.unwrap_or_else(|| vi.to_string()), en.to_string())
    }

    /// The procedures a unit is competent for: commune-level ones for a
    /// commune, province-level ones for a province's own unit.
    fn competent_for(&self, unit: &UnitId) -> impl Iterator<Item = &Procedure> {
        let level = if unit.as_str().contains('.') {
            CompetentLevel::Commune
        } else {
            CompetentLevel::Province
        };
        self.by_code.values().filter(move |p| p.level == level)
    }
}

pub fn kind_label(kind: StepKind) -> (&'static str, &'static str) {
    match kind {
        StepKind::Receive => ("Tiếp nhận", "Receipt"),
        StepKind::Transfer => ("Chuyển hồ sơ", "Transfer"),
        StepKind::Assign => ("Phân công", "Assignment"),
        StepKind::Appraise => ("Thẩm định", "Appraisal"),
        StepKind::Review => ("Xem xét", "Review"),
        StepKind::Approve => ("Phê duyệt", "Approval"),
        StepKind::Clerical => ("Văn thư", "Clerical office"),
        StepKind::Return => ("Trả kết quả", "Return"),
        StepKind::External => ("Cơ quan phối hợp", "External agency"),
    }
}

fn role_label_en(r: Role) -> String {
    let s = r.as_str().replace('_', " ");
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

// ---------------------------------------------------------------- figures

/// One row of a breakdown.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Unit id, procedure code, field or month.
    pub key: String,
    pub label: String,
    pub figures: Figures,
}

/// Số liệu — the figures of a scope and period, with breakdowns.
#[derive(Debug, Clone, Serialize)]
pub struct FiguresReport {
    pub scope: ScopeInfo,
    pub period: PeriodInfo,
    pub perspective: Perspective,
    pub as_of: NaiveDate,
    pub total: Figures,
    /// Per unit (province scope only).
    pub by_unit: Vec<Row>,
    pub by_procedure: Vec<Row>,
    pub by_field: Vec<Row>,
    /// Per month of the period up to `as_of` (empty months included).
    pub by_month: Vec<Row>,
}

pub async fn figures(state: &AppState, r: &Resolved) -> ApiResult<FiguresReport> {
    let rollups = state.store.rollups(&r.query(Some(r.perspective))).await?;
    let cat = Catalogue::load(state, r.as_of).await?;
    Ok(figures_of(state, r, &rollups, &cat))
}

fn figures_of(state: &AppState, r: &Resolved, rollups: &Rollups, cat: &Catalogue) -> FiguresReport {
    let keep = |k: &RollupKey| k.perspective == r.perspective && cat.keeps(r, &k.procedure);
    let f = |x: &Rollup| figures_judged(state, r, x);
    let by_unit = match r.target {
        Target::Province(_) => rollups
            .group_by(|k| keep(k).then(|| k.unit.clone()))
            .into_iter()
            .map(|(u, x)| Row {
                label: unit_name(state, u.as_str(), r.as_of),
                key: u.to_string(),
                figures: f(&x),
            })
            .collect(),
        Target::Unit(_) => Vec::new(),
    };
    let by_procedure = rollups
        .group_by(|k| keep(k).then(|| k.procedure.clone()))
        .into_iter()
        .map(|(p, x)| Row {
            label: cat.name(&p),
            key: p.to_string(),
            figures: f(&x),
        })
        .collect();
    let by_field = rollups
        .group_by(|k| {
            keep(k).then(|| {
                cat.field_of(&k.procedure)
                    .unwrap_or("(không rõ)")
                    .to_string()
            })
        })
        .into_iter()
        .map(|(field, x)| Row {
            label: field.clone(),
            key: field,
            figures: f(&x),
        })
        .collect();
    let months = rollups.group_by(|k| keep(k).then_some(k.month));
    let by_month = r
        .months_so_far()
        .into_iter()
        .map(|m| Row {
            key: m.to_string(),
            label: format!("{:02}/{}", m.month(), m.year()),
            figures: f(&months.get(&m).cloned().unwrap_or_default()),
        })
        .collect();
    FiguresReport {
        scope: r.scope_info(state),
        period: period_info(&r.period),
        perspective: r.perspective,
        as_of: r.as_of,
        total: f(&rollups.total(keep)),
        by_unit,
        by_procedure,
        by_field,
        by_month,
    }
}

const FIGURE_COLUMNS: [Column; 28] = [
    col(
        "dossiers",
        "Hồ sơ phát sinh",
        "Dossiers opened",
        Kind::Count,
    ),
    col(
        "received_in_person",
        "Tiếp nhận trực tiếp",
        "Received in person",
        Kind::Count,
    ),
    col(
        "received_online",
        "Tiếp nhận trực tuyến",
        "Received online",
        Kind::Count,
    ),
    col(
        "received_post",
        "Tiếp nhận qua bưu chính",
        "Received by post",
        Kind::Count,
    ),
    col("received", "Tổng tiếp nhận", "Received", Kind::Count),
    col("refused", "Từ chối tiếp nhận", "Refused", Kind::Count),
    col(
        "in_process_on_track",
        "Đang giải quyết trong hạn",
        "In process within deadline",
        Kind::Count,
    ),
    col(
        "overdue",
        "Đang giải quyết quá hạn",
        "In process overdue",
        Kind::Count,
    ),
    col(
        "early",
        "Đã giải quyết trước hạn",
        "Done early",
        Kind::Count,
    ),
    col(
        "on_time",
        "Đã giải quyết đúng hạn",
        "Done on time",
        Kind::Count,
    ),
    col("late", "Đã giải quyết quá hạn", "Done late", Kind::Count),
    col("returned", "Đã trả kết quả", "Returned", Kind::Count),
    col("withdrawn", "Rút hồ sơ", "Withdrawn", Kind::Count),
    col("paused", "Tạm dừng", "Paused", Kind::Count),
    col(
        "within_deadline_share",
        "Tỷ lệ đúng hạn",
        "On-time share",
        Kind::Percent,
    ),
    col(
        "online_share",
        "Tỷ lệ trực tuyến",
        "Online share",
        Kind::Percent,
    ),
    col(
        "paper_received",
        "Hồ sơ giấy",
        "Paper dossiers",
        Kind::Count,
    ),
    col("digitized", "Đã số hóa", "Digitized", Kind::Count),
    col(
        "digitization_share",
        "Tỷ lệ số hóa",
        "Digitization share",
        Kind::Percent,
    ),
    col(
        "electronic_result",
        "Kết quả điện tử",
        "Electronic results",
        Kind::Count,
    ),
    col(
        "electronic_result_share",
        "Tỷ lệ kết quả điện tử",
        "Electronic-result share",
        Kind::Percent,
    ),
    col(
        "fee_charging",
        "Hồ sơ có phí, lệ phí",
        "Fee-charging dossiers",
        Kind::Count,
    ),
    col(
        "paid_online",
        "Thanh toán trực tuyến",
        "Paid online",
        Kind::Count,
    ),
    col(
        "paid_online_share",
        "Tỷ lệ thanh toán trực tuyến",
        "Paid-online share",
        Kind::Percent,
    ),
    col(
        "very_satisfied",
        "Rất hài lòng",
        "Very satisfied",
        Kind::Count,
    ),
    col("satisfied", "Hài lòng", "Satisfied", Kind::Count),
    col(
        "not_satisfied",
        "Không hài lòng",
        "Not satisfied",
        Kind::Count,
    ),
    col(
        "satisfaction_share",
        "Tỷ lệ hài lòng",
        "Satisfaction share",
        Kind::Percent,
    ),
];

fn figure_cells(f: &Figures) -> Vec<Cell> {
    vec![
        f.dossiers.total.into(),
        f.received.in_person.into(),
        f.received.online.into(),
        f.received.post.into(),
        f.received.total.into(),
        f.refused.into(),
        f.in_process_on_track.into(),
        f.overdue.into(),
        f.early.into(),
        f.on_time.into(),
        f.late.into(),
        f.returned.into(),
        f.withdrawn.into(),
        f.paused.into(),
        f.shares.within_deadline.into(),
        f.shares.online.into(),
        f.paper_received.into(),
        f.digitized.into(),
        f.shares.digitization.into(),
        f.electronic_result.into(),
        f.shares.electronic_result.into(),
        f.fee_charging.into(),
        f.paid_online.into(),
        f.shares.paid_online.into(),
        f.ratings.very_satisfied.into(),
        f.ratings.satisfied.into(),
        f.ratings.not_satisfied.into(),
        f.shares.satisfaction.into(),
    ]
}

fn figures_table(
    name: &'static str,
    title: (&str, &str),
    key: (&'static str, &'static str),
    label: (&'static str, &'static str),
    rows: &[Row],
    total: Option<&Figures>,
) -> Table {
    let mut columns = vec![
        col("key", key.0, key.1, Kind::Text),
        col("name", label.0, label.1, Kind::Text),
    ];
    columns.extend(FIGURE_COLUMNS);
    let mut out: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let mut cells = vec![Cell::from(r.key.as_str()), Cell::from(r.label.as_str())];
            cells.extend(figure_cells(&r.figures));
            cells
        })
        .collect();
    if let Some(t) = total {
        let mut cells = vec![Cell::Text(String::new()), Cell::from("Tổng cộng")];
        cells.extend(figure_cells(t));
        out.push(cells);
    }
    Table {
        name,
        title_vi: title.0.to_string(),
        title_en: title.1.to_string(),
        columns,
        rows: out,
    }
}

impl FiguresReport {
    /// The tables of the exports; each ends with the total where it adds up.
    pub fn tables(&self) -> Vec<Table> {
        let mut t = Vec::new();
        if !self.by_unit.is_empty() {
            t.push(figures_table(
                "by_unit",
                ("Theo đơn vị", "By unit"),
                ("Mã đơn vị", "Unit id"),
                ("Đơn vị", "Unit"),
                &self.by_unit,
                Some(&self.total),
            ));
        }
        t.push(figures_table(
            "by_procedure",
            ("Theo thủ tục", "By procedure"),
            ("Mã thủ tục", "Procedure code"),
            ("Thủ tục", "Procedure"),
            &self.by_procedure,
            Some(&self.total),
        ));
        t.push(figures_table(
            "by_field",
            ("Theo lĩnh vực", "By field"),
            ("Lĩnh vực", "Field"),
            ("Tên lĩnh vực", "Field name"),
            &self.by_field,
            Some(&self.total),
        ));
        t.push(figures_table(
            "by_month",
            ("Theo tháng", "By month"),
            ("Tháng", "Month"),
            ("Kỳ", "Period"),
            &self.by_month,
            None,
        ));
        t
    }
}

// ---------------------------------------------------------------- index 766

/// The index of one unit.
#[derive(Debug, Clone, Serialize)]
pub struct UnitIndexOut {
    pub unit: UnitId,
    pub name_vi: String,
    pub report: IndexReport,
}

/// Bộ chỉ số 766 — the index per unit and the ranking of communes.
#[derive(Debug, Clone, Serialize)]
pub struct IndexAnswer {
    pub scope: ScopeInfo,
    pub period: PeriodInfo,
    pub as_of: NaiveDate,
    pub config_version: String,
    /// Figures are taken from the competent unit's rows (the unit that
    /// resolves; domain.md §3 judges a commune on its own dossiers).
    pub perspective: Perspective,
    pub units: Vec<UnitIndexOut>,
    /// The communes of the province by total, with grade bands.
    pub ranking: Vec<RankedUnit>,
    pub note_vi: String,
    pub note_en: String,
}

/// The dated configurations of the index (Decision 766/QĐ-TTg) for the
/// target's province: the shipped ones ([`IndexConfigs::shipped`]) and the
/// ones the province adopted with its settings (a version's index from its
/// `valid_from`); the one in force on a period's first day scores it.
fn index_configs(state: &AppState, r: &Resolved) -> IndexConfigs {
    let adopted = state.engine.settings_book(r.province()).index_configs();
    let mut all: Vec<_> = IndexConfigs::shipped()
        .all()
        .into_iter()
        .filter(|c| !adopted.iter().any(|a| a.effective_from == c.effective_from))
        .cloned()
        .collect();
    all.extend(adopted);
    IndexConfigs::new(all).unwrap_or_else(|_| IndexConfigs::shipped())
}

/// A rollup's figures with the apologies (Mẫu 04) judged against their
/// lead time on the engine's calendar and deadline policy.
fn figures_judged(state: &AppState, r: &Resolved, x: &Rollup) -> Figures {
    let rules = state.engine.rules(r.province(), r.as_of);
    x.figures_with_calendar(
        r.as_of,
        &rules.calendar,
        rules.policy().apology_lead_working_days,
    )
}

pub async fn index766(state: &AppState, r: &Resolved) -> ApiResult<IndexAnswer> {
    let rollups = state
        .store
        .rollups(&r.query(Some(Perspective::Competent)))
        .await?;
    let cat = Catalogue::load(state, r.as_of).await?;
    let configs = index_configs(state, r);
    let start = r.period.first_day().unwrap_or(r.as_of);
    let config = configs.for_date(start).cloned().ok_or_else(|| {
        bad(
            "no_index_config",
            format!(
                "Chưa có cấu hình Bộ chỉ số (Quyết định 766/QĐ-TTg) có hiệu lực ngày {}.",
                start.format("%d/%m/%Y")
            ),
            format!("No service-index configuration is in force on {start}."),
        )
    })?;
    let units: Vec<UnitId> = match &r.target {
        Target::Unit(u) => vec![u.clone()],
        Target::Province(p) => {
            let code = UnitCode::parse_at(p, Level::Province).map_err(|_| {
                bad(
                    "invalid_province",
                    format!("Mã tỉnh không hợp lệ: {p:?}."),
                    format!("Invalid province code {p:?}."),
                )
            })?;
            state
                .registry
                .communes_of_province(&code, r.as_of)
                .into_iter()
                .filter_map(|c| UnitId::parse(&format!("{p}.{}", c.code)).ok())
                .collect()
        }
    };
    let external: BTreeMap<UnitId, ExternalInputs> = super::inputs::external_for(state, r).await?;
    let keep =
        |k: &RollupKey| k.perspective == Perspective::Competent && cat.keeps(r, &k.procedure);
    let mut out = Vec::new();
    for unit in units {
        let mine = |k: &RollupKey| keep(k) && k.unit == unit;
        let total = rollups.total(mine);
        let by_procedure: BTreeMap<ProcedureCode, Rollup> =
            rollups.group_by(|k| mine(k).then(|| k.procedure.clone()));
        let catalogue = CatalogueInputs::from_catalogue(cat.competent_for(&unit), &by_procedure);
        let report = score(
            &config,
            &IndexInputs {
                figures: figures_judged(state, r, &total),
                catalogue,
                external: external.get(&unit).copied().unwrap_or_default(),
            },
        );
        out.push(UnitIndexOut {
            name_vi: unit_name(state, unit.as_str(), r.as_of),
            unit,
            report,
        });
    }
    let ranking = rank(
        &out.iter()
            .map(|u| UnitIndex {
                unit: u.unit.clone(),
                name_vi: u.name_vi.clone(),
                report: u.report.clone(),
            })
            .collect::<Vec<_>>(),
    );
    let (note_vi, note_en) = super::inputs::index_note(&out);
    Ok(IndexAnswer {
        scope: r.scope_info(state),
        period: period_info(&r.period),
        as_of: r.as_of,
        config_version: config.version.clone(),
        perspective: Perspective::Competent,
        units: out,
        ranking,
        note_vi,
        note_en,
    })
}

impl IndexAnswer {
    pub fn tables(&self) -> Vec<Table> {
        let mut ranking_cols = vec![
            col("rank", "Hạng", "Rank", Kind::Count),
            col("unit", "Mã đơn vị", "Unit id", Kind::Text),
            col("name", "Đơn vị", "Unit", Kind::Text),
            col("total", "Tổng điểm", "Total", Kind::Decimal),
            col("max_total", "Điểm tối đa", "Maximum", Kind::Decimal),
            col("grade", "Xếp loại", "Grade", Kind::Text),
        ];
        ranking_cols.extend(GROUP_COLUMNS);
        let ranking = Table {
            name: "ranking",
            title_vi: "Xếp hạng".to_string(),
            title_en: "Ranking".to_string(),
            columns: ranking_cols,
            rows: self
                .ranking
                .iter()
                .map(|u| {
                    let mut cells = vec![
                        u.rank.map_or(Cell::Empty, |r| Cell::Int(u64::from(r))),
                        u.unit.to_string().into(),
                        u.name_vi.as_str().into(),
                        u.total.into(),
                        u.max_total.into(),
                        u.grade_vi.as_str().into(),
                    ];
                    cells.extend(u.groups.iter().map(|(_, p)| Cell::Num(*p)));
                    cells
                })
                .collect(),
        };
        let criteria = Table {
            name: "criteria",
            title_vi: "Tiêu chí thành phần".to_string(),
            title_en: "Sub-criteria".to_string(),
            columns: vec![
                col("unit", "Mã đơn vị", "Unit id", Kind::Text),
                col("name", "Đơn vị", "Unit", Kind::Text),
                col("group", "Nhóm chỉ số", "Group", Kind::Text),
                col("criterion", "Tiêu chí", "Criterion", Kind::Text),
                col("ratio", "Tỷ lệ", "Ratio", Kind::Percent),
                col("points", "Điểm", "Points", Kind::Decimal),
                col("max_points", "Điểm tối đa", "Maximum", Kind::Decimal),
                col("status", "Tình trạng", "Status", Kind::Text),
                col("formula", "Công thức", "Formula", Kind::Text),
            ],
            rows: self
                .units
                .iter()
                .flat_map(|u| {
                    u.report.groups.iter().flat_map(move |g| {
                        g.criteria.iter().map(move |c| {
                            vec![
                                u.unit.to_string().into(),
                                u.name_vi.as_str().into(),
                                g.label_vi.as_str().into(),
                                c.label_vi.as_str().into(),
                                c.ratio.into(),
                                c.points.into(),
                                c.max_points.into(),
                                c.status.label_vi().into(),
                                c.formula_vi.as_str().into(),
                            ]
                        })
                    })
                })
                .collect(),
        };
        vec![ranking, criteria]
    }
}

const GROUP_COLUMNS: [Column; 6] = [
    col(
        "transparency",
        "Công khai, minh bạch",
        "Transparency",
        Kind::Decimal,
    ),
    col("progress", "Tiến độ giải quyết", "Progress", Kind::Decimal),
    col(
        "online_services",
        "Dịch vụ công trực tuyến",
        "Online services",
        Kind::Decimal,
    ),
    col(
        "online_payment",
        "Thanh toán trực tuyến",
        "Online payment",
        Kind::Decimal,
    ),
    col(
        "satisfaction",
        "Mức độ hài lòng",
        "Satisfaction",
        Kind::Decimal,
    ),
    col(
        "digitization",
        "Số hóa hồ sơ",
        "Digitization",
        Kind::Decimal,
    ),
];

// ---------------------------------------------------------------- bottlenecks

/// A row of the bottleneck table with its names.
#[derive(Debug, Clone, Serialize)]
pub struct StepRow {
    #[serde(flatten)]
    pub stats: StepStats,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_name_vi: Option<String>,
    pub procedure_name_vi: String,
    pub step_label_vi: String,
    pub step_label_en: String,
}

/// The lateness of one month's dossiers.
#[derive(Debug, Clone, Serialize)]
pub struct MonthLateness {
    pub month: Month,
    /// Step samples of the month.
    pub samples: u64,
    /// Of which over budget.
    pub overran: u64,
    /// Σ contribution to lateness (minutes).
    pub late_overrun_minutes: u64,
    /// The step contributing most to lateness that month.
    pub top: Option<StepRow>,
}

/// Hàng chờ — dossiers open now, by holder unit, role of the current step
/// and assignee.
#[derive(Debug, Clone, Serialize)]
pub struct QueueOut {
    pub unit: Option<UnitId>,
    pub role: Option<Role>,
    pub role_vi: String,
    pub role_en: String,
    pub assignee: Option<String>,
    pub dossiers: u64,
    /// Of which paused (awaiting supplement or payment, stopped).
    pub paused: u64,
    /// Of which past their due date today.
    pub overdue: u64,
}

/// Điểm nghẽn — where dossiers jam.
#[derive(Debug, Clone, Serialize)]
pub struct BottleneckAnswer {
    pub scope: ScopeInfo,
    pub period: PeriodInfo,
    pub as_of: NaiveDate,
    /// Per unit for a unit, across units for a province; ordered by
    /// (unit,) procedure, step.
    pub steps: Vec<StepRow>,
    /// The step contributing most to lateness.
    pub top: Option<StepRow>,
    pub top_by_procedure: Vec<StepRow>,
    /// Province scope: the step contributing most in each unit.
    pub top_by_unit: Vec<StepRow>,
    pub by_month: Vec<MonthLateness>,
    /// The current queue (not limited to the period).
    pub queue: Vec<QueueOut>,
}

fn step_row(state: &AppState, cat: &Catalogue, s: &StepStats, on: NaiveDate) -> StepRow {
    let (vi, en) = cat.step_label(&s.procedure, s.step, s.kind);
    StepRow {
        unit_name_vi: s.unit.as_ref().map(|u| unit_name(state, u.as_str(), on)),
        procedure_name_vi: cat.name(&s.procedure),
        step_label_vi: vi,
        step_label_en: en,
        stats: s.clone(),
    }
}

/// The queue now, counted by the database over every open dossier the
/// target sees; a unit's leaves out what another unit holds.
async fn queue(state: &AppState, r: &Resolved) -> ApiResult<Vec<QueueOut>> {
    let mut scope = Scope::default();
    match &r.target {
        Target::Unit(u) => {
            scope.units.insert(u.clone());
        }
        Target::Province(p) => {
            scope.provinces.insert(p.clone());
        }
    }
    let mut counts = state
        .store
        .queue_in_scope(&scope, r.procedure.as_ref(), chrono::Utc::now())
        .await?;
    // Roles in workflow order (receiving officer, specialist, …) within a
    // unit, as the roles are listed everywhere else.
    counts.sort_by(|a, b| {
        (&a.holder_unit, a.step_role, &a.assignee).cmp(&(&b.holder_unit, b.step_role, &b.assignee))
    });
    Ok(counts
        .into_iter()
        .filter(|q| match &r.target {
            Target::Unit(u) => q.holder_unit.as_ref().is_none_or(|h| h == u),
            Target::Province(_) => true,
        })
        .map(|q| QueueOut {
            role_vi: q
                .step_role
                .map_or_else(|| "—".to_string(), |r| r.label_vi().to_string()),
            role_en: q.step_role.map_or_else(|| "—".to_string(), role_label_en),
            unit: q.holder_unit,
            role: q.step_role,
            assignee: q.assignee,
            dossiers: q.dossiers,
            paused: q.paused,
            overdue: q.overdue,
        })
        .collect())
}

/// The bottleneck table. A unit's reads its own step rows. A province's
/// reads the rows summed per province (one per procedure, step and month,
/// however many communes) for the table and the trend, and the counters
/// summed by the database per unit for the step each unit loses most time
/// at; only those steps' rows are then read whole, for their quantiles.
pub async fn bottlenecks(state: &AppState, r: &Resolved) -> ApiResult<BottleneckAnswer> {
    let cat = Catalogue::load(state, r.as_of).await?;
    let keep = |k: &StepKey| cat.keeps(r, &k.procedure);
    let query = r.query(None);
    let (main, top_by_unit) = match &r.target {
        Target::Unit(_) => (state.store.step_rollups(&query).await?, Vec::new()),
        Target::Province(_) => (
            state.store.province_step_rollups(&query).await?,
            state.store.top_steps_by_unit(&query, &keep).await?,
        ),
    };
    let row = |s: &StepStats| step_row(state, &cat, s, r.as_of);
    let by_month = r
        .months_so_far()
        .into_iter()
        .map(|m| {
            let rep = BottleneckReport::across_units(&main, |k| k.month == m && keep(k));
            MonthLateness {
                month: m,
                samples: rep.rows.iter().map(|s| s.dossiers).sum(),
                overran: rep.rows.iter().map(|s| s.overran).sum(),
                late_overrun_minutes: rep.rows.iter().map(|s| s.late_overrun_minutes).sum(),
                top: rep.top().map(row),
            }
        })
        .collect();
    let main = match r.target {
        Target::Unit(_) => BottleneckReport::per_unit(&main, keep),
        Target::Province(_) => BottleneckReport::across_units(&main, keep),
    };
    Ok(BottleneckAnswer {
        scope: r.scope_info(state),
        period: period_info(&r.period),
        as_of: r.as_of,
        steps: main.rows.iter().map(row).collect(),
        top: main.top().map(row),
        top_by_procedure: main.top_by_procedure().into_iter().map(row).collect(),
        top_by_unit: top_by_unit.iter().map(row).collect(),
        by_month,
        queue: queue(state, r).await?,
    })
}

const STEP_COLUMNS: [Column; 15] = [
    col("unit", "Mã đơn vị", "Unit id", Kind::Text),
    col("procedure", "Mã thủ tục", "Procedure code", Kind::Text),
    col("procedure_name", "Thủ tục", "Procedure", Kind::Text),
    col("step", "Bước", "Step", Kind::Count),
    col("step_label", "Tên bước", "Step name", Kind::Text),
    col("dossiers", "Số hồ sơ", "Dossiers", Kind::Count),
    col(
        "budget_minutes",
        "Thời gian quy định (phút)",
        "Budget (minutes)",
        Kind::Count,
    ),
    col(
        "working_median",
        "Xử lý: trung vị (phút)",
        "Working: median (minutes)",
        Kind::Count,
    ),
    col(
        "working_p90",
        "Xử lý: p90 (phút)",
        "Working: p90 (minutes)",
        Kind::Count,
    ),
    col(
        "waiting_median",
        "Chờ: trung vị (phút)",
        "Waiting: median (minutes)",
        Kind::Count,
    ),
    col(
        "waiting_p90",
        "Chờ: p90 (phút)",
        "Waiting: p90 (minutes)",
        Kind::Count,
    ),
    col("overran", "Vượt thời gian", "Over budget", Kind::Count),
    col(
        "overran_share",
        "Tỷ lệ vượt",
        "Share over budget",
        Kind::Percent,
    ),
    col(
        "late_overrun_minutes",
        "Góp vào trễ hạn (phút)",
        "Contribution to lateness (minutes)",
        Kind::Count,
    ),
    col(
        "lateness_share",
        "Tỷ trọng trễ hạn",
        "Share of lateness",
        Kind::Percent,
    ),
];

fn step_cells(s: &StepRow) -> Vec<Cell> {
    let t = &s.stats;
    vec![
        t.unit
            .as_ref()
            .map_or_else(String::new, ToString::to_string)
            .into(),
        t.procedure.to_string().into(),
        s.procedure_name_vi.as_str().into(),
        Cell::Int(u64::try_from(t.step + 1).unwrap_or(u64::MAX)),
        s.step_label_vi.as_str().into(),
        t.dossiers.into(),
        t.budget_minutes.into(),
        t.working_median.into(),
        t.working_p90.into(),
        t.waiting_median.into(),
        t.waiting_p90.into(),
        t.overran.into(),
        t.overran_share.into(),
        t.late_overrun_minutes.into(),
        t.lateness_share.into(),
    ]
}

impl BottleneckAnswer {
    pub fn tables(&self) -> Vec<Table> {
        let steps = Table {
            name: "steps",
            title_vi: "Thời gian từng bước".to_string(),
            title_en: "Time per step".to_string(),
            columns: STEP_COLUMNS.to_vec(),
            rows: self.steps.iter().map(step_cells).collect(),
        };
        let queue = Table {
            name: "queue",
            title_vi: "Hàng chờ hiện tại".to_string(),
            title_en: "Current queue".to_string(),
            columns: vec![
                col("unit", "Mã đơn vị", "Unit id", Kind::Text),
                col("role", "Vai trò", "Role", Kind::Text),
                col("assignee", "Người được phân công", "Assignee", Kind::Text),
                col("dossiers", "Số hồ sơ", "Dossiers", Kind::Count),
                col("paused", "Tạm dừng", "Paused", Kind::Count),
                col("overdue", "Quá hạn", "Overdue", Kind::Count),
            ],
            rows: self
                .queue
                .iter()
                .map(|q| {
                    vec![
                        q.unit
                            .as_ref()
                            .map_or_else(String::new, ToString::to_string)
                            .into(),
                        q.role_vi.as_str().into(),
                        q.assignee.clone().unwrap_or_default().into(),
                        q.dossiers.into(),
                        q.paused.into(),
                        q.overdue.into(),
                    ]
                })
                .collect(),
        };
        let months = Table {
            name: "by_month",
            title_vi: "Trễ hạn theo tháng".to_string(),
            title_en: "Lateness by month".to_string(),
            columns: vec![
                col("month", "Tháng", "Month", Kind::Text),
                col("samples", "Lượt bước", "Step samples", Kind::Count),
                col("overran", "Vượt thời gian", "Over budget", Kind::Count),
                col(
                    "late_overrun_minutes",
                    "Góp vào trễ hạn (phút)",
                    "Contribution to lateness (minutes)",
                    Kind::Count,
                ),
                col(
                    "top_procedure",
                    "Thủ tục của bước trễ nhất",
                    "Procedure of the top step",
                    Kind::Text,
                ),
                col("top_step", "Bước góp nhiều nhất", "Top step", Kind::Text),
            ],
            rows: self
                .by_month
                .iter()
                .map(|m| {
                    vec![
                        m.month.to_string().into(),
                        m.samples.into(),
                        m.overran.into(),
                        m.late_overrun_minutes.into(),
                        m.top
                            .as_ref()
                            .map_or_else(String::new, |t| t.procedure_name_vi.clone())
                            .into(),
                        m.top
                            .as_ref()
                            .map_or_else(String::new, |t| t.step_label_vi.clone())
                            .into(),
                    ]
                })
                .collect(),
        };
        vec![steps, queue, months]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_in_every_form() {
        let m = |y, mo| Month::new(y, mo).expect("month");
        assert_eq!(
            parse_period("2026-03").ok(),
            Some(Period::Month { month: m(2026, 3) })
        );
        assert_eq!(
            parse_period("2026-Q1").ok(),
            Some(Period::Quarter {
                year: 2026,
                quarter: 1
            })
        );
        assert_eq!(
            parse_period("2026-h2").ok(),
            Some(Period::Half {
                year: 2026,
                half: 2
            })
        );
        assert_eq!(parse_period("2026").ok(), Some(Period::Year { year: 2026 }));
        assert_eq!(
            parse_period("2026-01..2026-03").ok(),
            Some(Period::Months {
                from: m(2026, 1),
                to: m(2026, 3)
            })
        );
        for bad in [
            "",
            "2026-13",
            "2026-Q5",
            "2026-H3",
            "26",
            "2026-03..2026-01",
            "abc",
            "2020-01..2026-01",
            "1999",
            "2026-1",
        ] {
            let e = parse_period(bad).expect_err(bad);
            assert_eq!(e.code, "invalid_period");
            assert!(e.message_vi.contains("Kỳ báo cáo"));
        }
        for p in ["2026-03", "2026-Q1", "2026-H2", "2026", "2026-01..2026-03"] {
            assert_eq!(period_key(&parse_period(p).expect(p)), p);
        }
    }
}
