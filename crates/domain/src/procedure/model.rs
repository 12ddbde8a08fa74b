//! Thủ tục hành chính — the procedure model and its validation.

use chrono::{NaiveDate, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use super::code::ProcedureCode;
use super::error::ProcedureError;
use super::form::FormSchema;
use super::workflow::{is_key, Workflow};

/// Hours in a working day for internal step budgets (domain.md §2:
/// "internal step budgets in working hours, 8 per day").
pub const HOURS_PER_WORKING_DAY: u32 = 8;

/// The marker the source catalogue appends to values it could not confirm.
pub const UNVERIFIED_MARK: &str = "(unverified)";

/// Thời hạn giải quyết — the legal time limit of a procedure.
///
/// JSON: `{"working_days": 3}`, `{"working_hours": 4}`, `"same_day"`,
/// `{"calendar_days": 15}` or `"not_stated"`. Deadlines themselves are
/// computed by the calendar module; this is data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimit {
    /// N ngày làm việc — working days.
    WorkingDays(u32),
    /// N giờ làm việc — working hours.
    WorkingHours(u32),
    /// Trong ngày — same day (usually with a 15:00 cut-off).
    SameDay,
    /// N ngày — calendar days, where the legal text says "ngày" without
    /// "làm việc" (e.g. building permits, adoption). Kept as the law states
    /// it rather than converted.
    CalendarDays(u32),
    /// Không quy định — the source states no time limit.
    NotStated,
}

impl TimeLimit {
    /// The limit as a person reads it, in Vietnamese ("3 ngày làm việc").
    pub fn text_vi(self) -> String {
        match self {
            TimeLimit::WorkingDays(n) => format!("{n} ngày làm việc"),
            TimeLimit::WorkingHours(n) => format!("{n} giờ làm việc"),
            TimeLimit::SameDay => "Trong ngày".into(),
            TimeLimit::CalendarDays(n) => format!("{n} ngày"),
            TimeLimit::NotStated => "Không quy định".into(),
        }
    }

    /// The limit as a person reads it, in English ("3 working days").
    pub fn text_en(self) -> String {
        match self {
            TimeLimit::WorkingDays(n) => format!("{n} working days"),
            TimeLimit::WorkingHours(n) => format!("{n} working hours"),
            TimeLimit::SameDay => "The same day".into(),
            TimeLimit::CalendarDays(n) => format!("{n} days"),
            TimeLimit::NotStated => "Not stated".into(),
        }
    }

    /// The limit in working hours, against which step budgets are checked:
    /// working days × 8, working hours as is, same day = 8 h. Calendar days
    /// count as the fewest working days any run of that many consecutive
    /// days contains, ignoring holidays (5 per full week, plus the remainder
    /// minus a weekend) — a nominal bound. `None` when no limit is stated.
    pub fn limit_hours(self) -> Option<u64> {
        let h = u64::from(HOURS_PER_WORKING_DAY);
        match self {
            TimeLimit::WorkingDays(n) => Some(u64::from(n) * h),
            TimeLimit::WorkingHours(n) => Some(u64::from(n)),
            TimeLimit::SameDay => Some(h),
            TimeLimit::CalendarDays(n) => {
                let n = u64::from(n);
                Some((n / 7 * 5 + (n % 7).saturating_sub(2)) * h)
            }
            TimeLimit::NotStated => None,
        }
    }

    /// The calendar module's [`crate::calendar::Limit`] for this limit;
    /// `None` for calendar days and for no stated limit, which that module
    /// does not model (the caller decides: e.g. compute calendar days
    /// directly, or set no legal due date).
    pub fn to_calendar_limit(self) -> Option<crate::calendar::Limit> {
        use crate::calendar::Limit;
        match self {
            TimeLimit::WorkingDays(n) => Some(Limit::WorkingDays(n)),
            TimeLimit::WorkingHours(n) => Some(Limit::WorkingHours(n)),
            TimeLimit::SameDay => Some(Limit::SameDay),
            TimeLimit::CalendarDays(_) | TimeLimit::NotStated => None,
        }
    }

    fn is_zero(self) -> bool {
        matches!(
            self,
            TimeLimit::WorkingDays(0) | TimeLimit::WorkingHours(0) | TimeLimit::CalendarDays(0)
        )
    }
}

/// Flat text form used in the CSV export: `working_days:3`, `same_day`…
impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeLimit::WorkingDays(n) => write!(f, "working_days:{n}"),
            TimeLimit::WorkingHours(n) => write!(f, "working_hours:{n}"),
            TimeLimit::SameDay => f.write_str("same_day"),
            TimeLimit::CalendarDays(n) => write!(f, "calendar_days:{n}"),
            TimeLimit::NotStated => f.write_str("not_stated"),
        }
    }
}

impl FromStr for TimeLimit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "same_day" => return Ok(TimeLimit::SameDay),
            "not_stated" => return Ok(TimeLimit::NotStated),
            _ => {}
        }
        let (kind, n) = s
            .split_once(':')
            .ok_or_else(|| format!("bad time limit {s:?}"))?;
        let n: u32 = n.parse().map_err(|_| format!("bad time limit {s:?}"))?;
        match kind {
            "working_days" => Ok(TimeLimit::WorkingDays(n)),
            "working_hours" => Ok(TimeLimit::WorkingHours(n)),
            "calendar_days" => Ok(TimeLimit::CalendarDays(n)),
            _ => Err(format!("bad time limit {s:?}")),
        }
    }
}

/// Giờ trong ngày — a time of day `HH:MM`, e.g. the 15:00 cut-off of
/// same-day procedures ("nhận hồ sơ sau 15 giờ … trả kết quả trong ngày làm
/// việc tiếp theo").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay(NaiveTime);

impl TimeOfDay {
    pub fn parse(s: &str) -> Result<Self, ProcedureError> {
        let b = s.as_bytes();
        if b.len() != 5 || b[2] != b':' {
            return Err(ProcedureError::InvalidCutoff(s.to_string()));
        }
        NaiveTime::parse_from_str(s, "%H:%M")
            .map(TimeOfDay)
            .map_err(|_| ProcedureError::InvalidCutoff(s.to_string()))
    }
    pub fn new(hour: u32, minute: u32) -> Option<Self> {
        NaiveTime::from_hms_opt(hour, minute, 0).map(TimeOfDay)
    }
    pub fn time(self) -> NaiveTime {
        self.0
    }
}
impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}
impl TryFrom<String> for TimeOfDay {
    type Error = ProcedureError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        TimeOfDay::parse(&s)
    }
}
impl From<TimeOfDay> for String {
    fn from(t: TimeOfDay) -> String {
        t.to_string()
    }
}

/// How an extension relates to the normal limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionMode {
    /// "không quá N ngày" — the whole limit becomes N.
    Total,
    /// "kéo dài thêm không quá N ngày" — N more.
    Additional,
}

/// Trường hợp kéo dài thời hạn — a legal extension of the time limit under
/// a condition (e.g. verification needed). Data only; applying it to a
/// dossier is a decision recorded by the deadline code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitExtension {
    pub condition_vi: String,
    pub mode: ExtensionMode,
    pub limit: TimeLimit,
}

/// Mức phí, lệ phí — an amount in VND, or "set by the provincial People's
/// Council" (do HĐND cấp tỉnh quy định) when the catalogue gives none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeAmount {
    /// Đồng; 0 = miễn (exempt).
    Vnd(u64),
    /// Theo mức HĐND cấp tỉnh quy định.
    SetByProvincialCouncil,
}

/// Phí, lệ phí — one fee line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    pub description_vi: String,
    pub amount: FeeAmount,
    /// Đơn vị tính, e.g. "bản", "trang", "trường hợp".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_vi: Option<String>,
}

/// Bản chính / bản sao — which form of a document is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentForm {
    /// Bản chính.
    Original,
    /// Bản sao (không cần chứng thực).
    Copy,
    /// Bản sao có chứng thực.
    CertifiedCopy,
    /// Bản chính hoặc bản sao có chứng thực.
    OriginalOrCertifiedCopy,
}

/// Thành phần hồ sơ — a required document component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRequirement {
    pub name_vi: String,
    pub form: DocumentForm,
    /// Số lượng — number of copies, ≥ 1.
    pub count: u32,
    /// Bắt buộc — false for "nếu có" (if any) components.
    pub mandatory: bool,
}

/// Mức độ dịch vụ công trực tuyến (Decree 42/2022/NĐ-CP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Toàn trình — submitted, processed and returned online or by post.
    FullProcess,
    /// Một phần — part of the process online.
    Partial,
    /// Không có dịch vụ trực tuyến.
    None,
    /// Not known from the sources (the catalogue says "unknown").
    Unknown,
}

/// Cấp thực hiện — the competent level after 1 July 2025 (two-level
/// government: province and commune).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompetentLevel {
    /// Cấp tỉnh.
    Province,
    /// Cấp xã.
    Commune,
}

/// Cơ quan có thẩm quyền — the competent agency and the office holder who
/// decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetentAgency {
    /// e.g. "Ủy ban nhân dân xã".
    pub name_vi: String,
    /// Người có thẩm quyền quyết định, e.g. "Chủ tịch UBND xã".
    pub decision_maker_vi: String,
}

/// Cơ quan phối hợp — an external agency of a liên thông procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalAgency {
    /// `[a-z0-9_]+`, referred to by workflow steps.
    pub key: String,
    pub name_vi: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
}

/// The import/export form of a procedure (the JSON object in the
/// catalogue). Turn it into a [`Procedure`] with [`Procedure::new`], which
/// validates it.
///
/// Unverified values: free-text fields keep the source's trailing
/// "(unverified)" verbatim; typed fields are listed by path in
/// `unverified` (`"time_limit"`, `"fees"`, `"documents[1]"`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureSpec {
    pub code: ProcedureCode,
    pub version: u32,
    pub effective_from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_until: Option<NaiveDate>,
    /// Tên thủ tục.
    pub name_vi: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Lĩnh vực.
    pub field_vi: String,
    pub level: CompetentLevel,
    pub competent_agency: CompetentAgency,
    pub time_limit: TimeLimit,
    /// The limit as the source words it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_text_vi: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<LimitExtension>,
    /// Same-day cut-off: received after it → due the next working day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_day_cutoff: Option<TimeOfDay>,
    pub fees: Vec<Fee>,
    pub documents: Vec<DocumentRequirement>,
    pub online_level: OnlineLevel,
    /// Tiếp nhận không phụ thuộc địa giới hành chính.
    pub boundary_free: bool,
    /// Căn cứ pháp lý.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis_vi: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_agencies: Vec<ExternalAgency>,
    pub workflow: Workflow,
    #[serde(default)]
    pub unverified: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Tờ khai — the structured details an application gives (none when
    /// empty).
    #[serde(default, skip_serializing_if = "FormSchema::is_empty")]
    pub form: FormSchema,
}

/// Top-level field names that may appear in `unverified`.
pub const UNVERIFIABLE_FIELDS: &[&str] = &[
    "code",
    "version",
    "effective_from",
    "effective_until",
    "name_vi",
    "name_en",
    "field_vi",
    "level",
    "competent_agency",
    "time_limit",
    "extensions",
    "same_day_cutoff",
    "fees",
    "documents",
    "online_level",
    "boundary_free",
    "legal_basis_vi",
    "external_agencies",
    "workflow",
    "form",
];

/// Thủ tục hành chính — a validated procedure. Read its fields through
/// `Deref` to [`ProcedureSpec`]; build one with [`Procedure::new`] or by
/// deserializing (which validates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ProcedureSpec", into = "ProcedureSpec")]
pub struct Procedure(ProcedureSpec);

impl Deref for Procedure {
    type Target = ProcedureSpec;
    fn deref(&self) -> &ProcedureSpec {
        &self.0
    }
}

impl TryFrom<ProcedureSpec> for Procedure {
    type Error = ProcedureError;
    fn try_from(s: ProcedureSpec) -> Result<Self, Self::Error> {
        Procedure::new(s)
    }
}
impl From<Procedure> for ProcedureSpec {
    fn from(p: Procedure) -> Self {
        p.0
    }
}

/// A required text of the catalogue: not empty, and within the limits of
/// [`crate::text::PROCEDURE_TEXT`].
fn non_empty(s: &str, field: &'static str) -> Result<(), ProcedureError> {
    if s.trim().is_empty() {
        return Err(ProcedureError::EmptyField { field });
    }
    optional_text(Some(s), field)
}

fn optional_text(s: Option<&str>, field: &'static str) -> Result<(), ProcedureError> {
    let f = crate::text::Field {
        name: field,
        ..crate::text::PROCEDURE_TEXT
    };
    Ok(f.check_opt(s)?)
}

impl Procedure {
    /// Validates a spec. Rules: non-empty names; version ≥ 1;
    /// `effective_until` after `effective_from`; a non-zero limit; a cut-off
    /// only with a same-day limit; step budgets summing to at most the limit
    /// in hours (8 per working day); document counts ≥ 1; external agencies
    /// declared once and every external step's agency declared; every
    /// `unverified` path known. The workflow's structure is already checked
    /// by [`Workflow::new`].
    pub fn new(spec: ProcedureSpec) -> Result<Self, ProcedureError> {
        non_empty(&spec.name_vi, "name_vi")?;
        non_empty(&spec.field_vi, "field_vi")?;
        non_empty(&spec.competent_agency.name_vi, "competent_agency.name_vi")?;
        non_empty(
            &spec.competent_agency.decision_maker_vi,
            "competent_agency.decision_maker_vi",
        )?;
        if spec.version == 0 {
            return Err(ProcedureError::ZeroVersion);
        }
        if let Some(until) = spec.effective_until {
            if until <= spec.effective_from {
                return Err(ProcedureError::EffectiveRange {
                    from: spec.effective_from.to_string(),
                    until: until.to_string(),
                });
            }
        }
        if spec.time_limit.is_zero() {
            return Err(ProcedureError::ZeroTimeLimit);
        }
        for e in &spec.extensions {
            non_empty(&e.condition_vi, "extensions.condition_vi")?;
            if e.limit.is_zero() || e.limit == TimeLimit::NotStated {
                return Err(ProcedureError::ZeroTimeLimit);
            }
        }
        if spec.same_day_cutoff.is_some() && spec.time_limit != TimeLimit::SameDay {
            return Err(ProcedureError::CutoffWithoutSameDay);
        }
        if let Some(limit_hours) = spec.time_limit.limit_hours() {
            let total_hours = spec.workflow.total_budget_hours();
            if total_hours > limit_hours {
                return Err(ProcedureError::BudgetExceedsLimit {
                    total_hours,
                    limit_hours,
                });
            }
        }
        for f in &spec.fees {
            non_empty(&f.description_vi, "fees.description_vi")?;
        }
        for (index, d) in spec.documents.iter().enumerate() {
            non_empty(&d.name_vi, "documents.name_vi")?;
            if d.count == 0 {
                return Err(ProcedureError::ZeroDocumentCount { index });
            }
        }
        for (i, a) in spec.external_agencies.iter().enumerate() {
            let dup = spec.external_agencies[..i].iter().any(|b| b.key == a.key);
            if dup || !is_key(&a.key) {
                return Err(ProcedureError::BadExternalAgency { key: a.key.clone() });
            }
            non_empty(&a.name_vi, "external_agencies.name_vi")?;
        }
        for (index, key) in spec.workflow.external_keys() {
            if !spec.external_agencies.iter().any(|a| a.key == key) {
                return Err(ProcedureError::UnknownExternalAgency {
                    index,
                    key: key.to_string(),
                });
            }
        }
        optional_text(spec.name_en.as_deref(), "name_en")?;
        optional_text(spec.time_limit_text_vi.as_deref(), "time_limit_text_vi")?;
        optional_text(spec.legal_basis_vi.as_deref(), "legal_basis_vi")?;
        optional_text(spec.source.as_deref(), "source")?;
        for n in &spec.notes {
            optional_text(Some(n), "notes")?;
        }
        spec.form.check().map_err(ProcedureError::BadForm)?;
        for path in &spec.unverified {
            if !spec.is_known_path(path) {
                return Err(ProcedureError::UnknownUnverifiedField(path.clone()));
            }
        }
        Ok(Procedure(spec))
    }

    pub fn spec(&self) -> &ProcedureSpec {
        &self.0
    }

    pub fn into_spec(self) -> ProcedureSpec {
        self.0
    }

    /// Whether the procedure is in force on `date`.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        date >= self.effective_from && self.effective_until.is_none_or(|u| date < u)
    }

    /// What a dossier keeps of its procedure at receipt.
    pub fn snapshot(&self) -> ProcedureSnapshot {
        ProcedureSnapshot {
            code: self.code.clone(),
            version: self.version,
            name_vi: self.name_vi.clone(),
            level: self.level,
            time_limit: self.time_limit,
            extensions: self.extensions.clone(),
            same_day_cutoff: self.same_day_cutoff,
            boundary_free: self.boundary_free,
            effective_from: self.effective_from,
            effective_until: self.effective_until,
            workflow: self.workflow.clone(),
            form: self.form.clone(),
        }
    }
}

impl ProcedureSpec {
    fn is_known_path(&self, path: &str) -> bool {
        if UNVERIFIABLE_FIELDS.contains(&path) {
            return true;
        }
        let Some((field, rest)) = path.split_once('[') else {
            return false;
        };
        let Some(idx) = rest.strip_suffix(']').and_then(|i| i.parse::<usize>().ok()) else {
            return false;
        };
        let len = match field {
            "fees" => self.fees.len(),
            "documents" => self.documents.len(),
            "extensions" => self.extensions.len(),
            "workflow" => self.workflow.len(),
            "external_agencies" => self.external_agencies.len(),
            _ => return false,
        };
        idx < len
    }

    /// Whether a value is marked unverified: its path, or (for an indexed
    /// path) its whole list, is listed.
    pub fn is_unverified(&self, path: &str) -> bool {
        self.unverified.iter().any(|p| p == path)
            || path
                .split_once('[')
                .is_some_and(|(field, _)| self.unverified.iter().any(|p| p == field))
    }

    /// Every unverified marking, for display: the listed paths followed by
    /// the free-text fields whose text carries the "(unverified)" mark.
    pub fn unverified_notes(&self) -> Vec<String> {
        let mut out = self.unverified.clone();
        let mut text = |path: String, s: &str| {
            if s.contains(UNVERIFIED_MARK) && !out.contains(&path) {
                out.push(path);
            }
        };
        text("name_vi".into(), &self.name_vi);
        if let Some(t) = &self.time_limit_text_vi {
            text("time_limit_text_vi".into(), t);
        }
        if let Some(t) = &self.legal_basis_vi {
            text("legal_basis_vi".into(), t);
        }
        for (i, f) in self.fees.iter().enumerate() {
            text(format!("fees[{i}]"), &f.description_vi);
        }
        for (i, d) in self.documents.iter().enumerate() {
            text(format!("documents[{i}]"), &d.name_vi);
        }
        out
    }
}

/// What a dossier keeps of its procedure (the version in force at receipt):
/// enough to drive the workflow and, for the calendar module, the deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureSnapshot {
    pub code: ProcedureCode,
    pub version: u32,
    pub name_vi: String,
    pub level: CompetentLevel,
    pub time_limit: TimeLimit,
    /// The legal extensions of the limit (applied by a specialist, once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<LimitExtension>,
    pub same_day_cutoff: Option<TimeOfDay>,
    pub boundary_free: bool,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub workflow: Workflow,
    /// The application form at receipt (old events: none).
    #[serde(default, skip_serializing_if = "FormSchema::is_empty")]
    pub form: FormSchema,
}

impl ProcedureSnapshot {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        date >= self.effective_from && self.effective_until.is_none_or(|u| date < u)
    }
}
