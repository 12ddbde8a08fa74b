//! Storage of the dashboards (issue 5): the monthly rollups of figures and
//! of workflow steps, maintained by each backend in the same transaction as
//! the events they count, and the per-dossier facts they were derived from.
//!
//! The rollup path answers a province-year question by reading at most
//! (units × procedures × months) rows, however many dossiers there are; the
//! full-scan path ([`ReportStore::scan_facts`]) folds one row per dossier
//! and is kept as the reference the rollups must agree with (and as the
//! baseline of `motcua bench reports`).

use async_trait::async_trait;
use motcua_domain::dossier::UnitId;
use motcua_domain::procedure::ProcedureCode;
use motcua_domain::reports::{DossierFacts, Month, Perspective, Rollups, StepRollups};
use serde::{Deserialize, Serialize};

use crate::StoreResult;

/// Which rollup rows to read. Every field narrows; months are inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupQuery {
    /// Only these units (None: every unit, or every unit of `province`).
    pub units: Option<Vec<UnitId>>,
    /// Only units whose identifier's first segment is this province code
    /// (see [`crate::dossier_support::province_of`]).
    pub province: Option<String>,
    /// Only rows of this perspective (step rollups have none and ignore it).
    pub perspective: Option<Perspective>,
    pub procedure: Option<ProcedureCode>,
    pub from: Month,
    pub to: Month,
}

impl RollupQuery {
    /// Every row from `from` to `to`.
    pub fn months(from: Month, to: Month) -> Self {
        RollupQuery {
            units: None,
            province: None,
            perspective: None,
            procedure: None,
            from,
            to,
        }
    }
}

#[async_trait]
pub trait ReportStore {
    /// The figure rollups matching `query` (rows keyed as stored).
    async fn rollups(&self, query: &RollupQuery) -> StoreResult<Rollups>;

    /// The step rollups matching `query` (its perspective ignored).
    async fn step_rollups(&self, query: &RollupQuery) -> StoreResult<StepRollups>;

    /// The full-scan path: the rollups of the stored per-dossier facts that
    /// match `query`, folded one dossier at a time without the rollup
    /// tables. Must equal [`ReportStore::rollups`].
    async fn scan_facts(&self, query: &RollupQuery) -> StoreResult<Rollups>;

    /// Bulk load, in one transaction: stores `facts` (one row per dossier;
    /// an existing dossier's facts are replaced and its old contribution
    /// removed) and adds their contributions and `steps` to the rollups.
    /// For rebuilds and benchmarks; commands maintain the same rows as
    /// they append events.
    async fn load_facts(&self, facts: &[DossierFacts], steps: &StepRollups) -> StoreResult<()>;
}
