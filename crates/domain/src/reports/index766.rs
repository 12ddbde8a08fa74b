//! Bộ chỉ số phục vụ người dân, doanh nghiệp — the service index of
//! Decision 766/QĐ-TTg (23 June 2022), as the National Public Service
//! Portal scores provinces, departments and communes in 2026 (domain.md §3):
//! 100 points in six groups — publicity & transparency 18, progress 20,
//! online services 12, online payment 10, satisfaction 18, digitization 22.
//!
//! Every sub-criterion is reported with its inputs, its formula (Vietnamese
//! and English) and its points. Weights, targets, thresholds, the rule for
//! an empty denominator and the grade bands (Xuất sắc / Tốt / Khá / Trung
//! bình / Yếu) come from a versioned [`IndexConfig`]; the default for 2026
//! ([`DEFAULT_CONFIG_2026_JSON`]) notes for each value whether it comes from
//! domain.md §3 or is **(configurable, unverified)**.
//!
//! Inputs come from three places ([`InputSource`]): the event log (the
//! [`Figures`] of the period), the procedure catalogue
//! ([`CatalogueInputs`]), and [`ExternalInputs`] the engine cannot know
//! (procedures published on time, dossiers synchronized to the national
//! portal, PAKN handling, use of the population database…). An external
//! input left out scores **0** with status [`ScoreStatus::MissingInput`]:
//! never silently full marks.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

use super::figures::{Figures, Rollup};
use crate::procedure::{FeeAmount, OnlineLevel, Procedure, ProcedureCode};

/// The default configuration for 2026 (JSON). Each value carries a `note`
/// with its source or "(configurable, unverified)".
pub const DEFAULT_CONFIG_2026_JSON: &str = include_str!("index766_2026.json");

/// Nhóm chỉ số — the six groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Công khai, minh bạch (18).
    Transparency,
    /// Tiến độ giải quyết (20).
    Progress,
    /// Dịch vụ công trực tuyến (12).
    OnlineServices,
    /// Thanh toán trực tuyến (10).
    OnlinePayment,
    /// Mức độ hài lòng (18).
    Satisfaction,
    /// Số hóa hồ sơ (22).
    Digitization,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::Transparency,
        Group::Progress,
        Group::OnlineServices,
        Group::OnlinePayment,
        Group::Satisfaction,
        Group::Digitization,
    ];

    pub fn label_vi(self) -> &'static str {
        match self {
            Group::Transparency => "Công khai, minh bạch",
            Group::Progress => "Tiến độ giải quyết",
            Group::OnlineServices => "Dịch vụ công trực tuyến",
            Group::OnlinePayment => "Thanh toán trực tuyến",
            Group::Satisfaction => "Mức độ hài lòng",
            Group::Digitization => "Số hóa hồ sơ",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Group::Transparency => "Publicity and transparency",
            Group::Progress => "Progress",
            Group::OnlineServices => "Online services",
            Group::OnlinePayment => "Online payment",
            Group::Satisfaction => "Satisfaction",
            Group::Digitization => "Digitization",
        }
    }
}

/// Tiêu chí thành phần — the sub-criteria of domain.md §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// TTHC được công bố đúng hạn (6).
    PublishedOnTime,
    /// TTHC được cập nhật, công khai đúng hạn (4).
    UpdatedOnTime,
    /// TTHC công khai đầy đủ nội dung (2).
    PublishedComplete,
    /// Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia (6).
    SynchronizedToPortal,
    /// Hồ sơ giải quyết đúng hạn (20).
    OnTime,
    /// TTHC cung cấp dịch vụ công trực tuyến (2).
    ProceduresOnline,
    /// Dịch vụ công trực tuyến có phát sinh hồ sơ (4).
    OnlineServicesUsed,
    /// Hồ sơ nộp trực tuyến (6).
    OnlineDossiers,
    /// TTHC có phí, lệ phí cung cấp thanh toán trực tuyến trên Cổng (2).
    FeeProceduresOnPortal,
    /// TTHC có giao dịch thanh toán trực tuyến (2).
    ProceduresWithOnlinePayment,
    /// Hồ sơ thanh toán trực tuyến (6).
    DossiersPaidOnline,
    /// Hài lòng về tiếp nhận, giải quyết TTHC (6).
    ProcessingSatisfaction,
    /// Phản ánh, kiến nghị xử lý đúng hạn (6).
    PaknOnTime,
    /// Hài lòng về xử lý phản ánh, kiến nghị (6).
    PaknSatisfaction,
    /// Hồ sơ cấp kết quả điện tử (6).
    ElectronicResults,
    /// Hồ sơ được số hóa (4).
    DossiersDigitized,
    /// Tái sử dụng dữ liệu số hóa (2).
    DigitizedDataReused,
    /// Số hóa có kết nối, chia sẻ dữ liệu để tái sử dụng (4).
    DigitizedDataShared,
    /// Khai thác dữ liệu từ CSDL quốc gia về dân cư (2).
    PopulationDataUsed,
    /// TTHC kết nối CSDL quốc gia về dân cư (2).
    ProceduresOnPopulationDb,
    /// Cung cấp chứng thực bản sao điện tử (2).
    ElectronicCertifiedCopies,
}

impl Criterion {
    pub const ALL: [Criterion; 21] = [
        Criterion::PublishedOnTime,
        Criterion::UpdatedOnTime,
        Criterion::PublishedComplete,
        Criterion::SynchronizedToPortal,
        Criterion::OnTime,
        Criterion::ProceduresOnline,
        Criterion::OnlineServicesUsed,
        Criterion::OnlineDossiers,
        Criterion::FeeProceduresOnPortal,
        Criterion::ProceduresWithOnlinePayment,
        Criterion::DossiersPaidOnline,
        Criterion::ProcessingSatisfaction,
        Criterion::PaknOnTime,
        Criterion::PaknSatisfaction,
        Criterion::ElectronicResults,
        Criterion::DossiersDigitized,
        Criterion::DigitizedDataReused,
        Criterion::DigitizedDataShared,
        Criterion::PopulationDataUsed,
        Criterion::ProceduresOnPopulationDb,
        Criterion::ElectronicCertifiedCopies,
    ];

    /// The group the criterion belongs to.
    pub fn group(self) -> Group {
        use Criterion::*;
        match self {
            PublishedOnTime | UpdatedOnTime | PublishedComplete | SynchronizedToPortal => {
                Group::Transparency
            }
            OnTime => Group::Progress,
            ProceduresOnline | OnlineServicesUsed | OnlineDossiers => Group::OnlineServices,
            FeeProceduresOnPortal | ProceduresWithOnlinePayment | DossiersPaidOnline => {
                Group::OnlinePayment
            }
            ProcessingSatisfaction | PaknOnTime | PaknSatisfaction => Group::Satisfaction,
            ElectronicResults
            | DossiersDigitized
            | DigitizedDataReused
            | DigitizedDataShared
            | PopulationDataUsed
            | ProceduresOnPopulationDb
            | ElectronicCertifiedCopies => Group::Digitization,
        }
    }

    pub fn label_vi(self) -> &'static str {
        use Criterion::*;
        match self {
            PublishedOnTime => "TTHC được công bố đúng hạn",
            UpdatedOnTime => "TTHC được cập nhật, công khai đúng hạn",
            PublishedComplete => "TTHC công khai đầy đủ nội dung",
            SynchronizedToPortal => "Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia",
            OnTime => "Hồ sơ giải quyết đúng hạn",
            ProceduresOnline => "TTHC cung cấp dịch vụ công trực tuyến",
            OnlineServicesUsed => "Dịch vụ công trực tuyến có phát sinh hồ sơ",
            OnlineDossiers => "Hồ sơ nộp trực tuyến",
            FeeProceduresOnPortal => "TTHC có phí, lệ phí thanh toán trực tuyến trên Cổng",
            ProceduresWithOnlinePayment => "TTHC có giao dịch thanh toán trực tuyến",
            DossiersPaidOnline => "Hồ sơ thanh toán trực tuyến",
            ProcessingSatisfaction => "Hài lòng về tiếp nhận, giải quyết TTHC",
            PaknOnTime => "Phản ánh, kiến nghị được xử lý đúng hạn",
            PaknSatisfaction => "Hài lòng về xử lý phản ánh, kiến nghị",
            ElectronicResults => "Hồ sơ cấp kết quả điện tử",
            DossiersDigitized => "Hồ sơ được số hóa",
            DigitizedDataReused => "Tái sử dụng dữ liệu số hóa",
            DigitizedDataShared => "Số hóa có kết nối, chia sẻ dữ liệu",
            PopulationDataUsed => "Khai thác dữ liệu CSDL quốc gia về dân cư",
            ProceduresOnPopulationDb => "TTHC kết nối CSDL quốc gia về dân cư",
            ElectronicCertifiedCopies => "Cung cấp chứng thực bản sao điện tử",
        }
    }

    pub fn label_en(self) -> &'static str {
        use Criterion::*;
        match self {
            PublishedOnTime => "Procedures published on time",
            UpdatedOnTime => "Procedures updated and published on time",
            PublishedComplete => "Procedures published with complete content",
            SynchronizedToPortal => "Dossiers synchronized to the national portal",
            OnTime => "Dossiers handled on time",
            ProceduresOnline => "Procedures offered online",
            OnlineServicesUsed => "Online services that received dossiers",
            OnlineDossiers => "Dossiers submitted online",
            FeeProceduresOnPortal => "Fee-charging procedures with online payment on the portal",
            ProceduresWithOnlinePayment => "Procedures with an online payment transaction",
            DossiersPaidOnline => "Dossiers paid online",
            ProcessingSatisfaction => "Satisfaction with receipt and processing",
            PaknOnTime => "Feedback and complaints handled on time",
            PaknSatisfaction => "Satisfaction with feedback handling",
            ElectronicResults => "Dossiers with an electronic result",
            DossiersDigitized => "Dossiers digitized",
            DigitizedDataReused => "Digitized data reused",
            DigitizedDataShared => "Digitized with data connected and shared",
            PopulationDataUsed => "Population-database data used",
            ProceduresOnPopulationDb => "Procedures connected to the population database",
            ElectronicCertifiedCopies => "Electronic certified copies offered",
        }
    }
}

/// How a ratio becomes points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scoring {
    /// `min(max, ratio ÷ target × max)`; target in (0, 1].
    Proportional { target: f64 },
    /// `max` if `ratio ≥ threshold`, else `below_fraction × max`.
    Threshold { threshold: f64, below_fraction: f64 },
}

/// What a ratio with nothing to count (denominator 0) scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IfEmpty {
    /// Full marks (domain.md §3 for PAKN: a unit with no PAKN gets full
    /// marks on the two PAKN items).
    Full,
    /// No points.
    Zero,
}

/// One sub-criterion's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionConfig {
    pub criterion: Criterion,
    /// Maximum points.
    pub points: f64,
    pub scoring: Scoring,
    pub if_empty: IfEmpty,
    /// Where the values come from, or "(configurable, unverified)".
    #[serde(default)]
    pub note: String,
}

/// One group's configuration: its points are the sum of its criteria's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    pub group: Group,
    pub points: f64,
    pub criteria: Vec<CriterionConfig>,
}

/// Xếp loại — the grade bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    XuatSac,
    Tot,
    Kha,
    TrungBinh,
    Yeu,
}

impl Grade {
    pub fn label_vi(self) -> &'static str {
        match self {
            Grade::XuatSac => "Xuất sắc",
            Grade::Tot => "Tốt",
            Grade::Kha => "Khá",
            Grade::TrungBinh => "Trung bình",
            Grade::Yeu => "Yếu",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Grade::XuatSac => "Excellent",
            Grade::Tot => "Good",
            Grade::Kha => "Fair",
            Grade::TrungBinh => "Average",
            Grade::Yeu => "Weak",
        }
    }
}

/// A grade band: totals from `min_points` up to the next band's minimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    pub grade: Grade,
    pub min_points: f64,
    #[serde(default)]
    pub note: String,
}

fn two() -> u32 {
    2
}

/// The fields of an index configuration, as written in TOML or JSON. Turn
/// it into an [`IndexConfig`] with [`IndexConfig::new`] (deserializing an
/// `IndexConfig` does that too). Dates are strings `"YYYY-MM-DD"` (in TOML
/// too: quote them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexConfigSpec {
    /// e.g. "766-2026.1".
    pub version: String,
    /// The first day the configuration applies to (periods starting on or
    /// after it).
    pub effective_from: NaiveDate,
    #[serde(default)]
    pub source: String,
    /// Decimals of the points (default 2, at most 6).
    #[serde(default = "two")]
    pub decimals: u32,
    pub groups: Vec<GroupConfig>,
    /// Bands in decreasing order of `min_points`.
    pub grades: Vec<GradeBand>,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Why an index configuration is rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndexConfigError {
    #[error("index configuration: {0}")]
    Parse(String),
    #[error("group {0:?} appears twice")]
    DuplicateGroup(Group),
    #[error("criterion {0:?} appears twice")]
    DuplicateCriterion(Criterion),
    #[error("criterion {criterion:?} belongs to group {expected:?}, not {found:?}")]
    WrongGroup {
        criterion: Criterion,
        expected: Group,
        found: Group,
    },
    #[error("group {group:?}: its criteria sum to {sum} points but the group has {points}")]
    PointsMismatch { group: Group, sum: f64, points: f64 },
    #[error("{what} = {value}: {why}")]
    InvalidValue {
        what: String,
        value: f64,
        why: &'static str,
    },
    #[error("grade bands must be non-empty with strictly decreasing minimums")]
    GradeBands,
    #[error("decimals {0}: at most 6")]
    Decimals(u32),
    #[error("two configurations take effect on {0}")]
    DuplicateEffectiveDate(NaiveDate),
}

impl IndexConfigError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            IndexConfigError::Parse(_) => "index_config_parse",
            IndexConfigError::DuplicateGroup(_) => "duplicate_group",
            IndexConfigError::DuplicateCriterion(_) => "duplicate_criterion",
            IndexConfigError::WrongGroup { .. } => "criterion_wrong_group",
            IndexConfigError::PointsMismatch { .. } => "points_mismatch",
            IndexConfigError::InvalidValue { .. } => "invalid_value",
            IndexConfigError::GradeBands => "invalid_grade_bands",
            IndexConfigError::Decimals(_) => "invalid_decimals",
            IndexConfigError::DuplicateEffectiveDate(_) => "duplicate_effective_date",
        }
    }
}

/// Cấu hình bộ chỉ số — a validated, dated configuration of the index.
/// Read its fields through `Deref` to [`IndexConfigSpec`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "IndexConfigSpec", into = "IndexConfigSpec")]
pub struct IndexConfig(IndexConfigSpec);

impl Deref for IndexConfig {
    type Target = IndexConfigSpec;
    fn deref(&self) -> &IndexConfigSpec {
        &self.0
    }
}

impl TryFrom<IndexConfigSpec> for IndexConfig {
    type Error = IndexConfigError;
    fn try_from(s: IndexConfigSpec) -> Result<Self, Self::Error> {
        IndexConfig::new(s)
    }
}
impl From<IndexConfig> for IndexConfigSpec {
    fn from(c: IndexConfig) -> Self {
        c.0
    }
}

fn check(
    what: impl Into<String>,
    value: f64,
    ok: bool,
    why: &'static str,
) -> Result<(), IndexConfigError> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(IndexConfigError::InvalidValue {
            what: what.into(),
            value,
            why,
        })
    }
}

impl IndexConfig {
    /// Validates: groups and criteria appear at most once, each criterion
    /// in its own group; points are finite and non-negative and a group's
    /// points equal the sum of its criteria's; targets are in (0, 1],
    /// thresholds and fractions in [0, 1]; grade bands are non-empty with
    /// strictly decreasing minimums; at most 6 decimals.
    pub fn new(spec: IndexConfigSpec) -> Result<Self, IndexConfigError> {
        if spec.decimals > 6 {
            return Err(IndexConfigError::Decimals(spec.decimals));
        }
        let mut groups = Vec::new();
        let mut criteria = Vec::new();
        for g in &spec.groups {
            if groups.contains(&g.group) {
                return Err(IndexConfigError::DuplicateGroup(g.group));
            }
            groups.push(g.group);
            check(
                format!("{:?}.points", g.group),
                g.points,
                g.points >= 0.0,
                "must be ≥ 0",
            )?;
            let mut sum = 0.0;
            for c in &g.criteria {
                if criteria.contains(&c.criterion) {
                    return Err(IndexConfigError::DuplicateCriterion(c.criterion));
                }
                criteria.push(c.criterion);
                if c.criterion.group() != g.group {
                    return Err(IndexConfigError::WrongGroup {
                        criterion: c.criterion,
                        expected: c.criterion.group(),
                        found: g.group,
                    });
                }
                let name = format!("{:?}", c.criterion);
                check(
                    format!("{name}.points"),
                    c.points,
                    c.points >= 0.0,
                    "must be ≥ 0",
                )?;
                match c.scoring {
                    Scoring::Proportional { target } => check(
                        format!("{name}.target"),
                        target,
                        target > 0.0 && target <= 1.0,
                        "must be in (0, 1]",
                    )?,
                    Scoring::Threshold {
                        threshold,
                        below_fraction,
                    } => {
                        check(
                            format!("{name}.threshold"),
                            threshold,
                            (0.0..=1.0).contains(&threshold),
                            "must be in [0, 1]",
                        )?;
                        check(
                            format!("{name}.below_fraction"),
                            below_fraction,
                            (0.0..=1.0).contains(&below_fraction),
                            "must be in [0, 1]",
                        )?;
                    }
                }
                sum += c.points;
            }
            if (sum - g.points).abs() > 1e-9 {
                return Err(IndexConfigError::PointsMismatch {
                    group: g.group,
                    sum,
                    points: g.points,
                });
            }
        }
        if spec.grades.is_empty()
            || spec.grades.iter().any(|b| !b.min_points.is_finite())
            || spec
                .grades
                .windows(2)
                .any(|w| w[1].min_points >= w[0].min_points)
        {
            return Err(IndexConfigError::GradeBands);
        }
        Ok(IndexConfig(spec))
    }

    /// Parses and validates a JSON configuration. (TOML: deserialize an
    /// [`IndexConfig`] with the `toml` crate of the caller; it validates.)
    pub fn from_json(text: &str) -> Result<Self, IndexConfigError> {
        serde_json::from_str(text).map_err(|e| IndexConfigError::Parse(e.to_string()))
    }

    /// The shipped configuration for 2026 ([`DEFAULT_CONFIG_2026_JSON`]).
    #[allow(clippy::expect_used)]
    pub fn default_2026() -> Self {
        Self::from_json(DEFAULT_CONFIG_2026_JSON).expect("the shipped 2026 configuration is valid")
    }

    pub fn spec(&self) -> &IndexConfigSpec {
        &self.0
    }

    /// The maximum total (100 for the 2026 configuration).
    pub fn max_points(&self) -> f64 {
        self.0.groups.iter().map(|g| g.points).sum()
    }

    /// The grade of a total: the first band whose minimum it reaches, else
    /// the last band.
    pub fn grade(&self, total: f64) -> Grade {
        self.0
            .grades
            .iter()
            .find(|b| total >= b.min_points)
            .or(self.0.grades.last())
            .map_or(Grade::Yeu, |b| b.grade)
    }
}

/// Dated configurations: the one in force for a period is the latest whose
/// `effective_from` is on or before the period's first day.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexConfigs {
    configs: Vec<IndexConfig>,
}

impl IndexConfigs {
    pub fn new(mut configs: Vec<IndexConfig>) -> Result<Self, IndexConfigError> {
        configs.sort_by_key(|c| c.effective_from);
        if let Some(w) = configs
            .windows(2)
            .find(|w| w[0].effective_from == w[1].effective_from)
        {
            return Err(IndexConfigError::DuplicateEffectiveDate(
                w[0].effective_from,
            ));
        }
        Ok(IndexConfigs { configs })
    }

    /// The configuration in force on `date`.
    pub fn for_date(&self, date: NaiveDate) -> Option<&IndexConfig> {
        self.configs.iter().rev().find(|c| c.effective_from <= date)
    }

    pub fn all(&self) -> &[IndexConfig] {
        &self.configs
    }
}

/// A numerator over a denominator (counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ratio {
    pub numerator: u64,
    pub denominator: u64,
}

impl Ratio {
    pub fn new(numerator: u64, denominator: u64) -> Self {
        Ratio {
            numerator,
            denominator,
        }
    }
}

/// Phản ánh, kiến nghị — feedback and complaints of the period (handled
/// outside the dossier engine).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaknInputs {
    /// PAKN received (0: the unit gets full marks on both PAKN items).
    pub received: u64,
    /// Of which handled within their deadline.
    pub handled_on_time: u64,
    /// Handlings rated by the sender.
    pub rated: u64,
    /// Of which rated satisfied or very satisfied.
    pub satisfied: u64,
}

/// Inputs derived from the procedure catalogue of the unit (the procedures
/// under its competence, in force in the period) and the period's
/// per-procedure rollups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CatalogueInputs {
    /// Procedures under the unit's competence.
    pub procedures: u64,
    /// Of which offered online (full-process or partial, Decree 42/2022/NĐ-CP;
    /// an unknown level counts as not offered).
    pub online: u64,
    /// Online ones with at least one dossier submitted online in the period.
    pub online_used: u64,
    /// Fee-charging procedures (a fee line with a non-zero amount or set by
    /// the provincial council).
    pub fee_charging: u64,
    /// Fee-charging ones with at least one dossier paid online in the period.
    pub fee_charging_paid_online: u64,
}

impl CatalogueInputs {
    /// Counts from the unit's procedures and the period's rollups by
    /// procedure (e.g. `Rollups::group_by(|k| Some(k.procedure.clone()))`
    /// over the unit's rows of the period).
    pub fn from_catalogue<'a>(
        procedures: impl IntoIterator<Item = &'a Procedure>,
        by_procedure: &BTreeMap<ProcedureCode, Rollup>,
    ) -> Self {
        let mut c = CatalogueInputs::default();
        let mut seen: BTreeSet<&ProcedureCode> = BTreeSet::new();
        for p in procedures {
            if !seen.insert(&p.code) {
                continue;
            }
            let rollup = by_procedure.get(&p.code);
            c.procedures += 1;
            if matches!(
                p.online_level,
                OnlineLevel::FullProcess | OnlineLevel::Partial
            ) {
                c.online += 1;
                if rollup.is_some_and(|r| r.dossiers.online > 0) {
                    c.online_used += 1;
                }
            }
            let charges = p.fees.iter().any(|f| match f.amount {
                FeeAmount::Vnd(v) => v > 0,
                FeeAmount::SetByProvincialCouncil => true,
            });
            if charges {
                c.fee_charging += 1;
                if rollup.is_some_and(|r| r.paid_online > 0) {
                    c.fee_charging_paid_online += 1;
                }
            }
        }
        c
    }
}

/// Inputs the engine cannot know. Every field defaults to None ("not
/// provided"), which scores 0 with [`ScoreStatus::MissingInput`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalInputs {
    /// Procedures published on time ÷ procedures to publish.
    pub published_on_time: Option<Ratio>,
    /// Procedures updated and published on time ÷ procedures to update.
    pub updated_on_time: Option<Ratio>,
    /// Procedures published with complete content ÷ procedures published.
    pub published_complete: Option<Ratio>,
    /// Dossiers synchronized to the national portal (the denominator is
    /// the dossiers opened in the period, from the figures).
    pub synchronized_dossiers: Option<u64>,
    /// Fee-charging procedures with online payment integrated on the portal
    /// (the denominator is the catalogue's fee-charging procedures).
    pub fee_procedures_on_portal: Option<u64>,
    pub pakn: Option<PaknInputs>,
    /// Dossiers reusing digitized data ÷ dossiers.
    pub digitized_data_reused: Option<Ratio>,
    /// Dossiers digitized with data connected and shared ÷ dossiers digitized.
    pub digitized_data_shared: Option<Ratio>,
    /// Dossiers using population-database data ÷ dossiers that could.
    pub population_data_used: Option<Ratio>,
    /// Procedures connected to the population database ÷ procedures that
    /// should be.
    pub procedures_on_population_db: Option<Ratio>,
    /// Certified copies issued electronically ÷ certified copies (or the
    /// procedures offering them, as the province reports it).
    pub electronic_certified_copies: Option<Ratio>,
}

/// Everything the index of one unit for one period needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexInputs {
    pub figures: Figures,
    pub catalogue: CatalogueInputs,
    pub external: ExternalInputs,
}

/// Where an input value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSource {
    /// Computed from the event log.
    Events,
    /// From the procedure catalogue (and the period's per-procedure rollups).
    Catalogue,
    /// Given by the caller ([`ExternalInputs`]).
    External,
}

/// One input of a sub-criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputValue {
    /// Stable key, e.g. `received`.
    pub key: String,
    pub label_vi: String,
    pub label_en: String,
    /// None when an external input was not provided.
    pub value: Option<u64>,
    pub source: InputSource,
}

/// How a sub-criterion was scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreStatus {
    /// From its ratio.
    Scored,
    /// Nothing to count (denominator 0): the configured `if_empty` applied.
    NoData,
    /// An external input was not provided: 0 points.
    MissingInput,
}

/// Điểm tiêu chí thành phần — one sub-criterion's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionScore {
    pub criterion: Criterion,
    pub label_vi: String,
    pub label_en: String,
    pub max_points: f64,
    pub points: f64,
    /// numerator ÷ denominator, when there is one.
    pub ratio: Option<f64>,
    pub status: ScoreStatus,
    pub inputs: Vec<InputValue>,
    /// The formula with the inputs filled in.
    pub formula_vi: String,
    pub formula_en: String,
    /// The configuration's note (source, or "(configurable, unverified)").
    pub note: String,
}

/// Điểm nhóm — one group's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupScore {
    pub group: Group,
    pub label_vi: String,
    pub label_en: String,
    pub max_points: f64,
    /// The sum of the (rounded) sub-criteria points.
    pub points: f64,
    pub criteria: Vec<CriterionScore>,
}

/// Kết quả bộ chỉ số — the index of one unit for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexReport {
    pub config_version: String,
    pub as_of: NaiveDate,
    pub groups: Vec<GroupScore>,
    pub total: f64,
    pub max_total: f64,
    pub grade: Grade,
    pub grade_vi: String,
    pub grade_en: String,
    /// Sub-criteria scored 0 because an external input was not provided.
    pub missing_inputs: Vec<Criterion>,
}

impl IndexReport {
    /// A group's result.
    pub fn group(&self, g: Group) -> Option<&GroupScore> {
        self.groups.iter().find(|s| s.group == g)
    }

    /// A sub-criterion's result.
    pub fn criterion(&self, c: Criterion) -> Option<&CriterionScore> {
        self.groups
            .iter()
            .flat_map(|g| g.criteria.iter())
            .find(|s| s.criterion == c)
    }
}

/// What a criterion measures: inputs and the ratio's parts.
struct Measure {
    inputs: Vec<InputValue>,
    /// (numerator, denominator) or None if an external input is missing.
    ratio: Option<(u64, u64)>,
    num_vi: &'static str,
    num_en: &'static str,
    den_vi: &'static str,
    den_en: &'static str,
}

fn input(key: &str, vi: &str, en: &str, value: Option<u64>, source: InputSource) -> InputValue {
    InputValue {
        key: key.to_string(),
        label_vi: vi.to_string(),
        label_en: en.to_string(),
        value,
        source,
    }
}

/// A ratio measure with two inputs.
fn ratio_measure(
    num: (
        &'static str,
        &'static str,
        &'static str,
        Option<u64>,
        InputSource,
    ),
    den: (
        &'static str,
        &'static str,
        &'static str,
        Option<u64>,
        InputSource,
    ),
) -> Measure {
    let ratio = num.3.zip(den.3);
    Measure {
        inputs: vec![
            input(num.0, num.1, num.2, num.3, num.4),
            input(den.0, den.1, den.2, den.3, den.4),
        ],
        ratio,
        num_vi: num.1,
        num_en: num.2,
        den_vi: den.1,
        den_en: den.2,
    }
}

fn external_ratio(
    r: Option<Ratio>,
    num: (&'static str, &'static str, &'static str),
    den: (&'static str, &'static str, &'static str),
) -> Measure {
    use InputSource::External;
    ratio_measure(
        (num.0, num.1, num.2, r.map(|r| r.numerator), External),
        (den.0, den.1, den.2, r.map(|r| r.denominator), External),
    )
}

fn measure(c: Criterion, i: &IndexInputs) -> Measure {
    use InputSource::{Catalogue, Events, External};
    let f = &i.figures;
    let cat = &i.catalogue;
    let x = &i.external;
    match c {
        Criterion::PublishedOnTime => external_ratio(
            x.published_on_time,
            (
                "published_on_time",
                "TTHC công bố đúng hạn",
                "procedures published on time",
            ),
            ("to_publish", "TTHC phải công bố", "procedures to publish"),
        ),
        Criterion::UpdatedOnTime => external_ratio(
            x.updated_on_time,
            (
                "updated_on_time",
                "TTHC cập nhật, công khai đúng hạn",
                "procedures updated on time",
            ),
            ("to_update", "TTHC phải cập nhật", "procedures to update"),
        ),
        Criterion::PublishedComplete => external_ratio(
            x.published_complete,
            (
                "published_complete",
                "TTHC công khai đầy đủ",
                "procedures published completely",
            ),
            ("published", "TTHC công khai", "procedures published"),
        ),
        Criterion::SynchronizedToPortal => ratio_measure(
            (
                "synchronized",
                "hồ sơ đồng bộ lên Cổng DVC quốc gia",
                "dossiers synchronized to the portal",
                x.synchronized_dossiers,
                External,
            ),
            (
                "dossiers",
                "hồ sơ phát sinh",
                "dossiers opened",
                Some(f.dossiers.total),
                Events,
            ),
        ),
        Criterion::OnTime => {
            let mut m = ratio_measure(
                (
                    "within_deadline",
                    "hồ sơ đúng hạn",
                    "dossiers on time",
                    Some(f.within_deadline),
                    Events,
                ),
                (
                    "received",
                    "hồ sơ tiếp nhận",
                    "dossiers received",
                    Some(f.received.total),
                    Events,
                ),
            );
            m.inputs.extend([
                input(
                    "early",
                    "đã giải quyết trước hạn",
                    "done early",
                    Some(f.early),
                    Events,
                ),
                input(
                    "on_time",
                    "đã giải quyết đúng hạn",
                    "done on time",
                    Some(f.on_time),
                    Events,
                ),
                input(
                    "in_process_on_track",
                    "đang giải quyết trong hạn",
                    "in process within deadline",
                    Some(f.in_process_on_track),
                    Events,
                ),
                input(
                    "withdrawn_after_acceptance",
                    "rút hồ sơ sau tiếp nhận",
                    "withdrawn after acceptance",
                    Some(f.withdrawn_after_acceptance),
                    Events,
                ),
                input(
                    "late",
                    "đã giải quyết quá hạn",
                    "done late",
                    Some(f.late),
                    Events,
                ),
                input(
                    "overdue",
                    "đang giải quyết quá hạn",
                    "overdue in process",
                    Some(f.overdue),
                    Events,
                ),
            ]);
            m
        }
        Criterion::ProceduresOnline => ratio_measure(
            (
                "online",
                "TTHC cung cấp DVC trực tuyến",
                "procedures offered online",
                Some(cat.online),
                Catalogue,
            ),
            (
                "procedures",
                "TTHC thuộc thẩm quyền",
                "procedures under the unit",
                Some(cat.procedures),
                Catalogue,
            ),
        ),
        Criterion::OnlineServicesUsed => ratio_measure(
            (
                "online_used",
                "DVC trực tuyến có phát sinh hồ sơ",
                "online services with online dossiers",
                Some(cat.online_used),
                Catalogue,
            ),
            (
                "online",
                "DVC trực tuyến",
                "online services",
                Some(cat.online),
                Catalogue,
            ),
        ),
        Criterion::OnlineDossiers => ratio_measure(
            (
                "received_online",
                "hồ sơ trực tuyến",
                "dossiers received online",
                Some(f.received.online),
                Events,
            ),
            (
                "received",
                "hồ sơ tiếp nhận",
                "dossiers received",
                Some(f.received.total),
                Events,
            ),
        ),
        Criterion::FeeProceduresOnPortal => ratio_measure(
            (
                "fee_procedures_on_portal",
                "TTHC có phí tích hợp thanh toán trên Cổng",
                "fee-charging procedures payable on the portal",
                x.fee_procedures_on_portal,
                External,
            ),
            (
                "fee_charging_procedures",
                "TTHC có phí, lệ phí",
                "fee-charging procedures",
                Some(cat.fee_charging),
                Catalogue,
            ),
        ),
        Criterion::ProceduresWithOnlinePayment => ratio_measure(
            (
                "fee_charging_paid_online",
                "TTHC có giao dịch thanh toán trực tuyến",
                "procedures with an online payment",
                Some(cat.fee_charging_paid_online),
                Catalogue,
            ),
            (
                "fee_charging_procedures",
                "TTHC có phí, lệ phí",
                "fee-charging procedures",
                Some(cat.fee_charging),
                Catalogue,
            ),
        ),
        Criterion::DossiersPaidOnline => ratio_measure(
            (
                "paid_online",
                "hồ sơ thanh toán trực tuyến",
                "dossiers paid online",
                Some(f.paid_online),
                Events,
            ),
            (
                "fee_charging",
                "hồ sơ có nghĩa vụ tài chính",
                "fee-charging dossiers",
                Some(f.fee_charging),
                Events,
            ),
        ),
        Criterion::ProcessingSatisfaction => {
            let mut m = ratio_measure(
                (
                    "satisfied",
                    "đánh giá hài lòng, rất hài lòng",
                    "rated satisfied or very satisfied",
                    Some(f.ratings.very_satisfied + f.ratings.satisfied),
                    Events,
                ),
                (
                    "rated",
                    "lượt đánh giá",
                    "ratings",
                    Some(f.ratings.total),
                    Events,
                ),
            );
            m.inputs.extend([
                input(
                    "very_satisfied",
                    "rất hài lòng",
                    "very satisfied",
                    Some(f.ratings.very_satisfied),
                    Events,
                ),
                input(
                    "not_satisfied",
                    "không hài lòng",
                    "not satisfied",
                    Some(f.ratings.not_satisfied),
                    Events,
                ),
            ]);
            m
        }
        Criterion::PaknOnTime => ratio_measure(
            (
                "pakn_on_time",
                "PAKN xử lý đúng hạn",
                "feedback handled on time",
                x.pakn.map(|p| p.handled_on_time),
                External,
            ),
            (
                "pakn_received",
                "PAKN tiếp nhận",
                "feedback received",
                x.pakn.map(|p| p.received),
                External,
            ),
        ),
        Criterion::PaknSatisfaction => {
            let mut m = ratio_measure(
                (
                    "pakn_satisfied",
                    "đánh giá hài lòng về xử lý PAKN",
                    "satisfied with feedback handling",
                    x.pakn.map(|p| p.satisfied),
                    External,
                ),
                (
                    "pakn_rated",
                    "lượt đánh giá xử lý PAKN",
                    "feedback handlings rated",
                    x.pakn.map(|p| p.rated),
                    External,
                ),
            );
            m.inputs.push(input(
                "pakn_received",
                "PAKN tiếp nhận",
                "feedback received",
                x.pakn.map(|p| p.received),
                External,
            ));
            if x.pakn.is_some_and(|p| p.received == 0) {
                m.ratio = Some((0, 0));
            }
            m
        }
        Criterion::ElectronicResults => ratio_measure(
            (
                "electronic_result",
                "hồ sơ có kết quả điện tử",
                "dossiers with an electronic result",
                Some(f.electronic_result),
                Events,
            ),
            (
                "finished",
                "hồ sơ đã giải quyết",
                "dossiers finished",
                Some(f.finished),
                Events,
            ),
        ),
        Criterion::DossiersDigitized => ratio_measure(
            (
                "digitized",
                "hồ sơ được số hóa",
                "dossiers digitized",
                Some(f.digitized),
                Events,
            ),
            (
                "paper_received",
                "hồ sơ tiếp nhận trực tiếp, bưu chính",
                "dossiers received in person or by post",
                Some(f.paper_received),
                Events,
            ),
        ),
        Criterion::DigitizedDataReused => external_ratio(
            x.digitized_data_reused,
            (
                "reused",
                "hồ sơ tái sử dụng dữ liệu số hóa",
                "dossiers reusing digitized data",
            ),
            ("dossiers", "hồ sơ", "dossiers"),
        ),
        Criterion::DigitizedDataShared => external_ratio(
            x.digitized_data_shared,
            (
                "shared",
                "hồ sơ số hóa có kết nối, chia sẻ",
                "digitized dossiers with data shared",
            ),
            ("digitized", "hồ sơ số hóa", "digitized dossiers"),
        ),
        Criterion::PopulationDataUsed => external_ratio(
            x.population_data_used,
            (
                "population_data_used",
                "hồ sơ khai thác dữ liệu dân cư",
                "dossiers using population data",
            ),
            ("dossiers", "hồ sơ có thể khai thác", "dossiers that could"),
        ),
        Criterion::ProceduresOnPopulationDb => external_ratio(
            x.procedures_on_population_db,
            (
                "connected",
                "TTHC đã kết nối CSDL dân cư",
                "procedures connected",
            ),
            ("to_connect", "TTHC phải kết nối", "procedures to connect"),
        ),
        Criterion::ElectronicCertifiedCopies => external_ratio(
            x.electronic_certified_copies,
            (
                "electronic",
                "chứng thực bản sao điện tử",
                "electronic certified copies",
            ),
            ("certified_copies", "chứng thực bản sao", "certified copies"),
        ),
    }
}

fn round_to(x: f64, decimals: u32) -> f64 {
    let p = 10f64.powi(i32::try_from(decimals).unwrap_or(2));
    (x * p).round() / p
}

/// A number with at most `decimals` decimals, trailing zeros trimmed;
/// Vietnamese uses a decimal comma.
fn num(x: f64, decimals: u32, vi: bool) -> String {
    let s = format!("{:.*}", usize::try_from(decimals).unwrap_or(2), x);
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if vi {
        s.replace('.', ",")
    } else {
        s
    }
}

fn pct(x: f64, vi: bool) -> String {
    format!("{}%", num(x * 100.0, 2, vi))
}

#[allow(clippy::cast_precision_loss)]
fn score_criterion(cfg: &CriterionConfig, inputs: &IndexInputs, decimals: u32) -> CriterionScore {
    let m = measure(cfg.criterion, inputs);
    let max = cfg.points;
    let (vi, en) = (
        format!("{} ÷ {}: ", m.num_vi, m.den_vi),
        format!("{} ÷ {}: ", m.num_en, m.den_en),
    );
    let (points, ratio, status, fvi, fen) = match m.ratio {
        None => (
            0.0,
            None,
            ScoreStatus::MissingInput,
            "chưa cung cấp số liệu đầu vào → 0 điểm (không mặc định đủ điểm)".to_string(),
            "input not provided → 0 points (never assumed)".to_string(),
        ),
        Some((n, 0)) => {
            let (p, wvi, wen) = match cfg.if_empty {
                IfEmpty::Full => (max, "đủ điểm", "full marks"),
                IfEmpty::Zero => (0.0, "0 điểm", "0 points"),
            };
            (
                p,
                None,
                ScoreStatus::NoData,
                format!(
                    "{n} ÷ 0: không phát sinh → {wvi} = {} (cấu hình if_empty)",
                    num(p, decimals, true)
                ),
                format!(
                    "{n} ÷ 0: nothing to assess → {wen} = {} (configured if_empty)",
                    num(p, decimals, false)
                ),
            )
        }
        Some((n, d)) => {
            let r = n as f64 / d as f64;
            let (raw, fvi, fen) = match cfg.scoring {
                Scoring::Proportional { target } => {
                    let raw = (r / target * max).min(max);
                    let p = round_to(raw, decimals);
                    (
                        raw,
                        format!(
                            "min({}; {n} ÷ {d} ÷ {} × {}) = {}",
                            num(max, decimals, true),
                            pct(target, true),
                            num(max, decimals, true),
                            num(p, decimals, true)
                        ),
                        format!(
                            "min({}, {n} ÷ {d} ÷ {} × {}) = {}",
                            num(max, decimals, false),
                            pct(target, false),
                            num(max, decimals, false),
                            num(p, decimals, false)
                        ),
                    )
                }
                Scoring::Threshold {
                    threshold,
                    below_fraction,
                } => {
                    let reached = r + 1e-12 >= threshold;
                    let raw = if reached { max } else { below_fraction * max };
                    let p = round_to(raw, decimals);
                    let (op, tail_vi, tail_en) = if reached {
                        ("≥", num(p, decimals, true), num(p, decimals, false))
                    } else {
                        (
                            "<",
                            format!(
                                "{} × {} = {}",
                                pct(below_fraction, true),
                                num(max, decimals, true),
                                num(p, decimals, true)
                            ),
                            format!(
                                "{} × {} = {}",
                                pct(below_fraction, false),
                                num(max, decimals, false),
                                num(p, decimals, false)
                            ),
                        )
                    };
                    (
                        raw,
                        format!(
                            "{n} ÷ {d} = {} {op} {} → {tail_vi}",
                            pct(r, true),
                            pct(threshold, true)
                        ),
                        format!(
                            "{n} ÷ {d} = {} {op} {} → {tail_en}",
                            pct(r, false),
                            pct(threshold, false)
                        ),
                    )
                }
            };
            (raw, Some(r), ScoreStatus::Scored, fvi, fen)
        }
    };
    let points = round_to(points, decimals).clamp(0.0, max);
    CriterionScore {
        criterion: cfg.criterion,
        label_vi: cfg.criterion.label_vi().to_string(),
        label_en: cfg.criterion.label_en().to_string(),
        max_points: max,
        points,
        ratio,
        status,
        inputs: m.inputs,
        formula_vi: vi + &fvi,
        formula_en: en + &fen,
        note: cfg.note.clone(),
    }
}

/// Chấm điểm — scores a unit's period under `config`.
pub fn score(config: &IndexConfig, inputs: &IndexInputs) -> IndexReport {
    let d = config.decimals;
    let mut groups = Vec::new();
    let mut missing = Vec::new();
    for g in &config.groups {
        let criteria: Vec<CriterionScore> = g
            .criteria
            .iter()
            .map(|c| score_criterion(c, inputs, d))
            .collect();
        missing.extend(
            criteria
                .iter()
                .filter(|c| c.status == ScoreStatus::MissingInput)
                .map(|c| c.criterion),
        );
        let points = round_to(criteria.iter().map(|c| c.points).sum(), d).clamp(0.0, g.points);
        groups.push(GroupScore {
            group: g.group,
            label_vi: g.group.label_vi().to_string(),
            label_en: g.group.label_en().to_string(),
            max_points: g.points,
            points,
            criteria,
        });
    }
    let total = round_to(groups.iter().map(|g| g.points).sum(), d);
    let grade = config.grade(total);
    IndexReport {
        config_version: config.version.clone(),
        as_of: inputs.figures.as_of,
        groups,
        total,
        max_total: config.max_points(),
        grade,
        grade_vi: grade.label_vi().to_string(),
        grade_en: grade.label_en().to_string(),
        missing_inputs: missing,
    }
}
