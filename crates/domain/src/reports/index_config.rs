//! Cấu hình bộ chỉ số — the configuration of the service index of
//! Decision 766/QĐ-TTg: points, targets, thresholds, the rule for an empty
//! denominator and the grade bands, each configuration dated; the one in
//! force for a period is chosen by the period's first day
//! ([`IndexConfigs::for_date`], built on [`super::Versioned`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::ops::Deref;

use super::index766::{Criterion, Group};
use super::versioned::Versioned;

/// The default configuration for 2026 (JSON). Each value carries a `note`
/// with its source or "(configurable, unverified)".
pub const DEFAULT_CONFIG_2026_JSON: &str = include_str!("index766_2026.json");

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

impl IfEmpty {
    /// "Nothing to count → …", stated with every criterion.
    pub fn label_vi(self) -> &'static str {
        match self {
            IfEmpty::Full => "Không phát sinh: đủ điểm",
            IfEmpty::Zero => "Không phát sinh: 0 điểm",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            IfEmpty::Full => "Nothing to assess: full marks",
            IfEmpty::Zero => "Nothing to assess: 0 points",
        }
    }
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

    /// The shipped configuration for periods from Decision 766/QĐ-TTg
    /// (23 June 2022) to the end of 2025, version "766-2022.1": the same
    /// six groups and points (18/20/12/10/18/22, set by the Decision) and
    /// the same sub-criteria as [`Self::default_2026`]; the sub-criterion
    /// scoring the national portal used before 2026 is not in our sources,
    /// so it is **(configurable, unverified)**: a province replaces it
    /// through its dated settings.
    #[allow(clippy::expect_used)]
    pub fn default_2022() -> Self {
        let mut spec = Self::default_2026().0;
        spec.version = "766-2022.1".to_string();
        spec.effective_from = NaiveDate::from_ymd_opt(2022, 6, 23).expect("23 June 2022 is a date");
        spec.source = format!(
            "Decision 766/QĐ-TTg (23 June 2022), in force for periods before 2026; \
             sub-criteria as in 766-2026.1 (configurable, unverified). {}",
            spec.source
        );
        Self::new(spec).expect("the shipped 2022 configuration is valid")
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
/// `effective_from` is on or before the period's first day
/// ([`super::Versioned::at`]). A period before every configuration has
/// none: it is not scored rather than scored with later rules.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexConfigs {
    configs: Versioned<IndexConfig>,
}

impl IndexConfigs {
    /// Configurations dated by their own `effective_from`.
    pub fn new(configs: Vec<IndexConfig>) -> Result<Self, IndexConfigError> {
        Self::from_versions(configs.into_iter().map(|c| (c.effective_from, c)).collect())
    }

    /// Configurations dated by the settings store (`valid_from`, config);
    /// a config's own `effective_from` must equal its `valid_from`.
    pub fn from_versions(
        versions: Vec<(NaiveDate, IndexConfig)>,
    ) -> Result<Self, IndexConfigError> {
        if let Some((d, _)) = versions.iter().find(|(d, c)| *d != c.effective_from) {
            return Err(IndexConfigError::InvalidValue {
                what: format!("valid_from {d}"),
                value: 0.0,
                why: "must equal the configuration's effective_from",
            });
        }
        let configs =
            Versioned::new(versions).map_err(|e| IndexConfigError::DuplicateEffectiveDate(e.0))?;
        Ok(IndexConfigs { configs })
    }

    /// The shipped configurations: [`IndexConfig::default_2022`] (in force
    /// from 23 June 2022 until 2025 included) and
    /// [`IndexConfig::default_2026`] (from 1 January 2026).
    #[allow(clippy::expect_used)]
    pub fn shipped() -> Self {
        Self::new(vec![
            IndexConfig::default_2022(),
            IndexConfig::default_2026(),
        ])
        .expect("the shipped configurations have distinct dates")
    }

    /// The configuration in force on `date`.
    pub fn for_date(&self, date: NaiveDate) -> Option<&IndexConfig> {
        self.configs.at(date)
    }

    /// All configurations, oldest first.
    pub fn all(&self) -> Vec<&IndexConfig> {
        self.configs.versions().iter().map(|(_, c)| c).collect()
    }

    pub fn versioned(&self) -> &Versioned<IndexConfig> {
        &self.configs
    }
}
