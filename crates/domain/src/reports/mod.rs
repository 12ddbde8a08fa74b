//! Báo cáo — the pure half of the dashboards (issue 5): figures, the
//! service index of Decision 766/QĐ-TTg, bottlenecks and the ranking of
//! communes. Everything here is computed from the event log (through
//! [`DossierFacts`] and the dossier state), from the procedure catalogue and
//! from explicitly given inputs; nothing reads a clock, a file or a
//! database.
//!
//! * [`figures`]: mergeable monthly [`Rollup`]s per unit,
//!   perspective (receiving / competent), procedure and month, maintained
//!   incrementally from each event or built from scratch.
//! * [`index766`]: the six groups of the service index
//!   (Decision 766/QĐ-TTg, 2022, as the national portal scores them in
//!   2026) with inputs, bilingual formulas and points, from a versioned
//!   [`IndexConfig`].
//! * [`bottleneck`]: time at each workflow step (median,
//!   p90), budget overruns, the step contributing most to lateness, and the
//!   current queue.
//! * [`ranking`]: the communes of a province by index total
//!   with grade bands.

pub mod bottleneck;
mod facts;
pub mod figures;
pub mod index766;
mod index_config;
mod index_measure;
pub mod inputs;
pub mod numfmt;
mod period;
pub mod ranking;
mod sketch;
mod versioned;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests766;

pub use bottleneck::{
    queue_snapshot, BottleneckReport, QueueRow, StepKey, StepRollup, StepRollups, StepStats,
    STEP_SCALARS,
};
pub use facts::{finished_at, DossierFacts};
pub use figures::{
    ChannelCounts, ChannelFigures, Figures, Perspective, RatingCounts, RatingFigures, Rollup,
    RollupKey, Rollups, Shares,
};
pub use index766::{
    score, score_period, CatalogueInputs, Criterion, CriterionConfig, CriterionScore,
    ExternalInputs, Grade, GradeBand, Group, GroupConfig, GroupScore, IfEmpty, IndexConfig,
    IndexConfigError, IndexConfigSpec, IndexConfigs, IndexInputs, IndexReport, InputSource,
    InputValue, NoConfigInForce, PaknInputs, Ratio, ScoreStatus, Scoring, DEFAULT_CONFIG_2026_JSON,
    NOT_RATED_EN, NOT_RATED_VI,
};
pub use inputs::{InputField, InputsDeclaration, InputsError};
pub use period::{InvalidMonth, Month, Period};
pub use ranking::{rank, RankedUnit, UnitIndex};
pub use sketch::{Sketch, SketchError};
pub use versioned::{DuplicateValidFrom, Versioned};
