//! Xếp hạng — the communes of a province ranked by their service index
//! total (Decision 766/QĐ-TTg), with the grade bands of the configuration
//! (the bands are not published: **(configurable, unverified)**, see
//! [`super::IndexConfig`]).

use serde::{Deserialize, Serialize};

use super::index766::{Grade, Group, IndexReport};
use crate::dossier::UnitId;

/// One unit's index for the period being ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitIndex {
    pub unit: UnitId,
    pub name_vi: String,
    pub report: IndexReport,
}

/// One row of the ranking table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedUnit {
    /// 1-based; units with equal totals share a rank and the next rank is
    /// skipped (standard competition ranking: 1, 2, 2, 4). None for a unit
    /// not rated (no dossier in the period): listed after the ranked ones,
    /// never given a rank.
    pub rank: Option<u32>,
    pub unit: UnitId,
    pub name_vi: String,
    pub total: f64,
    pub max_total: f64,
    pub grade: Grade,
    pub grade_vi: String,
    pub grade_en: String,
    /// Points per group, in the configuration's order.
    pub groups: Vec<(Group, f64)>,
}

/// Ranks the rated units by total, highest first (ties keep the unit-code
/// order), then lists the units not rated (no dossier in the period, see
/// [`IndexReport::rated`]) without a rank.
pub fn rank(units: &[UnitIndex]) -> Vec<RankedUnit> {
    let mut sorted: Vec<&UnitIndex> = units.iter().collect();
    sorted.sort_by(|a, b| {
        b.report
            .rated
            .cmp(&a.report.rated)
            .then_with(|| b.report.total.total_cmp(&a.report.total))
            .then_with(|| a.unit.cmp(&b.unit))
    });
    let mut out: Vec<RankedUnit> = Vec::with_capacity(sorted.len());
    for (i, u) in sorted.iter().enumerate() {
        let rank = if !u.report.rated {
            None
        } else {
            match out.last() {
                Some(prev) if prev.total.total_cmp(&u.report.total).is_eq() => prev.rank,
                _ => Some(u32::try_from(i + 1).unwrap_or(u32::MAX)),
            }
        };
        out.push(RankedUnit {
            rank,
            unit: u.unit.clone(),
            name_vi: u.name_vi.clone(),
            total: u.report.total,
            max_total: u.report.max_total,
            grade: u.report.grade,
            grade_vi: u.report.grade_vi.clone(),
            grade_en: u.report.grade_en.clone(),
            groups: u
                .report
                .groups
                .iter()
                .map(|g| (g.group, g.points))
                .collect(),
        });
    }
    out
}
