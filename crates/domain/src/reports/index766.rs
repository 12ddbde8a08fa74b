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

use super::figures::{Figures, Rollup};
pub use super::index_config::*;
use super::index_measure::measure;
use crate::procedure::{FeeAmount, OnlineLevel, Procedure, ProcedureCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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

impl ScoreStatus {
    /// What a reader sees (pages, PDF, sheets); the snake_case name is for
    /// the JSON API only.
    pub fn label_vi(self) -> &'static str {
        match self {
            ScoreStatus::Scored => "Đã chấm",
            ScoreStatus::NoData => "Không phát sinh",
            ScoreStatus::MissingInput => "Chưa có số liệu đầu vào",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ScoreStatus::Scored => "Scored",
            ScoreStatus::NoData => "Nothing to assess",
            ScoreStatus::MissingInput => "Input not provided",
        }
    }
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
    /// What the criterion scores when its denominator is 0.
    pub if_empty: IfEmpty,
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
    /// False when the unit had no dossier in the period: the points are
    /// computed (mostly empty denominators) but the unit is "chưa xếp
    /// loại" — not graded and never ranked ([`super::rank`]).
    pub rated: bool,
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

fn round_to(x: f64, decimals: u32) -> f64 {
    let p = 10f64.powi(i32::try_from(decimals).unwrap_or(2));
    (x * p).round() / p
}

/// A number in the reports' one format ([`super::numfmt::number`]).
fn num(x: f64, decimals: u32, vi: bool) -> String {
    super::numfmt::number(x, usize::try_from(decimals).unwrap_or(2), vi)
}

fn pct(x: f64, vi: bool) -> String {
    super::numfmt::percent(x, 2, vi)
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
        if_empty: cfg.if_empty,
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
    let rated = inputs.figures.dossiers.total > 0;
    let (grade_vi, grade_en) = if rated {
        (grade.label_vi(), grade.label_en())
    } else {
        (NOT_RATED_VI, NOT_RATED_EN)
    };
    IndexReport {
        config_version: config.version.clone(),
        as_of: inputs.figures.as_of,
        groups,
        total,
        max_total: config.max_points(),
        grade,
        grade_vi: grade_vi.to_string(),
        grade_en: grade_en.to_string(),
        missing_inputs: missing,
        rated,
    }
}

/// The grade text of a unit with no dossier in the period.
pub const NOT_RATED_VI: &str = "Chưa xếp loại (không phát sinh hồ sơ)";
pub const NOT_RATED_EN: &str = "Not rated (no dossiers)";

/// No configuration of the index is in force on the period's first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no service-index configuration is in force on {0}")]
pub struct NoConfigInForce(pub NaiveDate);

/// Chấm điểm theo kỳ — scores a period with the configuration in force on
/// its first day (`period_start`), never a later one.
pub fn score_period(
    configs: &IndexConfigs,
    period_start: NaiveDate,
    inputs: &IndexInputs,
) -> Result<IndexReport, NoConfigInForce> {
    configs
        .for_date(period_start)
        .map(|c| score(c, inputs))
        .ok_or(NoConfigInForce(period_start))
}
