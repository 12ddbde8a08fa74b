//! Storage of the dashboards (issue 5): the monthly rollups of figures and
//! of workflow steps, maintained by each backend in the same transaction as
//! the events they count, and the per-dossier facts they were derived from.
//!
//! A dossier is counted in the rollups exactly when it has a facts row:
//! each command reads the dossier's stored facts, and the shared
//! [`support`] (through [`crate::dossier_support::decide_and_chain`])
//! computes its new facts and the row deltas, which the backend writes
//! before the transaction commits; a refused or replayed command writes
//! nothing. Step rollups are measured with the shipped working calendar
//! ([`support::calendar`]). A database whose dossiers predate the tables
//! (migration 0006) is filled from the event log when the backend opens it.
//!
//! The rollup path answers a province-year question by reading at most
//! (units × procedures × months) rows, however many dossiers there are; the
//! full-scan path ([`ReportStore::scan_facts`]) folds one row per dossier
//! and is kept as the reference the rollups must agree with (and as the
//! baseline of `motcua bench reports`).

use async_trait::async_trait;
use motcua_domain::dossier::UnitId;
use motcua_domain::procedure::ProcedureCode;
use motcua_domain::reports::{
    BottleneckReport, DossierFacts, Month, Perspective, RollupKey, Rollups, StepKey, StepRollups,
    StepStats,
};
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

    fn matches_unit(&self, unit: &UnitId, month: Month) -> bool {
        self.from <= month
            && month <= self.to
            && self.units.as_ref().is_none_or(|us| us.contains(unit))
            && self
                .province
                .as_deref()
                .is_none_or(|p| crate::dossier_support::province_of(unit) == p)
    }

    /// Whether a figure rollup row is one this query reads: the rule both
    /// backends' SQL implements (and the conformance suite checks).
    pub fn matches(&self, key: &RollupKey) -> bool {
        self.matches_unit(&key.unit, key.month)
            && self.perspective.is_none_or(|p| p == key.perspective)
            && self.procedure.as_ref().is_none_or(|p| *p == key.procedure)
    }

    /// Whether a step rollup row is one this query reads (the perspective
    /// is ignored: a step is performed by one unit).
    pub fn matches_step(&self, key: &StepKey) -> bool {
        self.matches_unit(&key.unit, key.month)
            && self.procedure.as_ref().is_none_or(|p| *p == key.procedure)
    }

    /// The rows of `all` this query reads.
    pub fn filter(&self, all: &Rollups) -> Rollups {
        let mut out = Rollups::new();
        for (k, r) in all.rows().filter(|(k, _)| self.matches(k)) {
            out.insert_row(k.clone(), r);
        }
        out
    }

    /// The step rows of `all` this query reads.
    pub fn filter_steps(&self, all: &StepRollups) -> StepRollups {
        let mut out = StepRollups::new();
        for (k, r) in all.rows().filter(|(k, _)| self.matches_step(k)) {
            out.insert_row(k.clone(), r);
        }
        out
    }
}

#[async_trait]
pub trait ReportStore {
    /// The figure rollups matching `query` (rows keyed as stored).
    async fn rollups(&self, query: &RollupQuery) -> StoreResult<Rollups>;

    /// The step rollups matching `query` (its perspective ignored).
    async fn step_rollups(&self, query: &RollupQuery) -> StoreResult<StepRollups>;

    /// The step rollups summed per province: rows keyed by the province's
    /// id ([`UnitId::province`]) instead of the unit, matching `query` on
    /// that key. Maintained alongside the rows per unit in the same
    /// transaction, so that a province-wide bottleneck table reads one row
    /// per procedure, step and month however many communes and dossiers
    /// the province has. Equals
    /// `query.filter_steps(&step_rollups(all units).by_province())`.
    async fn province_step_rollups(&self, query: &RollupQuery) -> StoreResult<StepRollups>;

    /// The counters of the step rollups matching `query` summed over its
    /// months by the database, per unit, procedure and step, keyed at
    /// `query.from`, without the sketches: what ranking steps by their
    /// contribution to lateness needs, without reading any sketch. Equals
    /// `step_rollups(query).totals(query.from)`.
    async fn step_totals(&self, query: &RollupQuery) -> StoreResult<StepRollups>;

    /// For each unit matching `query`, the step contributing most to its
    /// lateness over the query's months among the rows passing `keep`
    /// ([`BottleneckReport::top_by_unit`] of the table per unit), with its
    /// quantiles. Equals
    /// `BottleneckReport::per_unit(&step_rollups(query), keep).top_by_unit()`
    /// but reads no sketch to rank: the ranking comes from
    /// [`ReportStore::step_totals`], then only each unit's top procedure is
    /// read whole.
    async fn top_steps_by_unit(
        &self,
        query: &RollupQuery,
        keep: &(dyn for<'k> Fn(&'k StepKey) -> bool + Send + Sync),
    ) -> StoreResult<Vec<StepStats>> {
        let totals = self.step_totals(query).await?;
        let ranked = BottleneckReport::per_unit(&totals, |k| keep(k));
        let tops = ranked.top_by_unit();
        let pairs: Vec<(UnitId, ProcedureCode)> = tops
            .iter()
            .filter_map(|t| t.unit.clone().map(|u| (u, t.procedure.clone())))
            .collect();
        // One read for every unit's top procedure, whole: a step's share of
        // lateness is of its procedure's.
        let rows = self
            .unit_procedure_steps(&pairs, query.from, query.to)
            .await?;
        let whole = BottleneckReport::per_unit(&rows, |k| keep(k));
        Ok(tops
            .iter()
            .filter_map(|t| {
                whole
                    .rows
                    .iter()
                    .find(|r| {
                        r.unit == t.unit
                            && r.procedure == t.procedure
                            && r.step == t.step
                            && r.kind == t.kind
                    })
                    .cloned()
            })
            .collect())
    }

    /// The step rows per unit of the given (unit, procedure) pairs from
    /// `from` to `to`, in one read (none for no pair).
    async fn unit_procedure_steps(
        &self,
        pairs: &[(UnitId, ProcedureCode)],
        from: Month,
        to: Month,
    ) -> StoreResult<StepRollups>;

    /// The full-scan path: the rollups of the stored per-dossier facts that
    /// match `query`, folded one dossier at a time without the rollup
    /// tables. Must equal [`ReportStore::rollups`].
    async fn scan_facts(&self, query: &RollupQuery) -> StoreResult<Rollups>;

    /// Bulk load, in one transaction: stores `facts` (one row per dossier;
    /// an existing dossier's facts are replaced and its old contribution
    /// removed) and adds their contributions and `steps` to the rollups.
    /// For rebuilds and benchmarks; commands maintain the same rows as
    /// they append events. `steps` are added as given, to the rows per unit
    /// and per province (step rows cannot be taken back from facts): load
    /// a dossier's steps once.
    async fn load_facts(&self, facts: &[DossierFacts], steps: &StepRollups) -> StoreResult<()>;
}

/// What both backends share of the report store: the working calendar of
/// the step rollups, the columns of each row, the merge of a delta into a
/// stored row, the query's SQL conditions and the full-scan fold. A backend
/// only moves text between these and its tables, so the two cannot disagree
/// on a key, a filter or a sum.
pub mod support {
    use std::sync::OnceLock;

    use motcua_domain::calendar::{CalendarConfig, WorkingCalendar};
    use motcua_domain::dossier::{DossierState, Event, UnitId};
    use motcua_domain::procedure::ProcedureCode;
    use motcua_domain::reports::{
        DossierFacts, Month, Perspective, Rollup, RollupKey, Rollups, Sketch, StepKey, StepRollup,
        StepRollups, STEP_SCALARS,
    };
    use serde::de::DeserializeOwned;
    use serde::Serialize;

    use super::RollupQuery;
    use crate::dossier_support::province_of;
    use crate::{StoreError, StoreResult};

    fn corrupt(what: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(what.to_string())
    }

    fn internal(what: impl std::fmt::Display) -> StoreError {
        StoreError::Other(anyhow::anyhow!("{what}"))
    }

    /// The working calendar the step rollups measure time with: the
    /// shipped holidays and the default hours, built once. None when the
    /// shipped data does not make a calendar; the step rows are then left
    /// unchanged, as they are on a [`motcua_domain::calendar::CalendarError`].
    pub fn calendar() -> Option<&'static WorkingCalendar> {
        static CALENDAR: OnceLock<Option<WorkingCalendar>> = OnceLock::new();
        CALENDAR
            .get_or_init(|| {
                WorkingCalendar::from_csv(motcua_refdata::HOLIDAYS, CalendarConfig::default()).ok()
            })
            .as_ref()
    }

    /// What a command changes in the report tables: the dossier's new facts
    /// (None when they did not change) and the rollup, step rollup and
    /// province step rollup row deltas (non-zero ones, each list in key
    /// order: the PostgreSQL backend locks them in that order, figures,
    /// then steps per unit, then steps per province).
    #[derive(Debug, Clone, Default)]
    pub struct ReportDelta {
        pub facts: Option<FactsRow>,
        /// Whether the dossier already had a facts row (so `facts` updates
        /// its body; otherwise it is inserted).
        pub facts_stored: bool,
        pub rollups: Vec<(RollupKey, Rollup)>,
        pub steps: Vec<(StepKey, StepRollup)>,
        /// `steps` summed per province ([`StepRollups::by_province`]).
        pub province_steps: Vec<(StepKey, StepRollup)>,
    }

    impl ReportDelta {
        pub fn is_empty(&self) -> bool {
            self.facts.is_none()
                && self.rollups.is_empty()
                && self.steps.is_empty()
                && self.province_steps.is_empty()
        }
    }

    /// The columns of a `report_facts` row.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct FactsRow {
        pub code: String,
        /// The receiving unit's province (the distribution key, as
        /// `dossiers.province_code`).
        pub province: String,
        pub receiving_unit: String,
        pub competent_unit: String,
        pub procedure: String,
        /// `YYYY-MM`, the month of receipt.
        pub month: String,
        /// The [`DossierFacts`] as JSON.
        pub body: String,
    }

    impl FactsRow {
        pub fn of(f: &DossierFacts) -> StoreResult<FactsRow> {
            Ok(FactsRow {
                code: f.code.to_string(),
                province: province_of(&f.receiving_unit).to_string(),
                receiving_unit: f.receiving_unit.to_string(),
                competent_unit: f.competent_unit.to_string(),
                procedure: f.procedure.to_string(),
                month: Month::of(f.submitted_on).to_string(),
                body: serde_json::to_string(f).map_err(internal)?,
            })
        }
    }

    /// Decodes a stored `report_facts.body`.
    pub fn facts(code: &str, body: &str) -> StoreResult<DossierFacts> {
        let f: DossierFacts = serde_json::from_str(body)
            .map_err(|e| corrupt(format!("report_facts.body of {code}: {e}")))?;
        if f.code.to_string() != code {
            return Err(corrupt(format!(
                "report_facts.body of {code} names {}",
                f.code
            )));
        }
        Ok(f)
    }

    pub fn perspective_str(p: Perspective) -> &'static str {
        match p {
            Perspective::Receiving => "receiving",
            Perspective::Competent => "competent",
        }
    }

    fn perspective(s: &str) -> StoreResult<Perspective> {
        match s {
            "receiving" => Ok(Perspective::Receiving),
            "competent" => Ok(Perspective::Competent),
            _ => Err(corrupt(format!("report_rollups.perspective: {s:?}"))),
        }
    }

    /// The key columns of a `report_rollups` row (its province for the
    /// filters, derived from the unit).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RollupColumns {
        pub unit: String,
        pub perspective: &'static str,
        pub procedure: String,
        pub month: String,
        pub province: String,
    }

    impl RollupColumns {
        pub fn of(k: &RollupKey) -> Self {
            RollupColumns {
                unit: k.unit.to_string(),
                perspective: perspective_str(k.perspective),
                procedure: k.procedure.to_string(),
                month: k.month.to_string(),
                province: province_of(&k.unit).to_string(),
            }
        }
    }

    /// The key columns of a `report_step_rollups` row.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct StepColumns {
        pub unit: String,
        pub procedure: String,
        pub step: i64,
        pub kind: &'static str,
        pub month: String,
        pub province: String,
    }

    impl StepColumns {
        pub fn of(k: &StepKey) -> StoreResult<Self> {
            Ok(StepColumns {
                unit: k.unit.to_string(),
                procedure: k.procedure.to_string(),
                step: i64::try_from(k.step).map_err(internal)?,
                kind: k.kind.as_str(),
                month: k.month.to_string(),
                province: province_of(&k.unit).to_string(),
            })
        }
    }

    fn unit(table: &str, s: &str) -> StoreResult<UnitId> {
        UnitId::parse(s).map_err(|e| corrupt(format!("{table}.unit: {e}")))
    }

    fn procedure(table: &str, s: &str) -> StoreResult<ProcedureCode> {
        ProcedureCode::parse(s).map_err(|e| corrupt(format!("{table}.procedure: {e}")))
    }

    fn month(table: &str, s: &str) -> StoreResult<Month> {
        Month::parse(s).map_err(|e| corrupt(format!("{table}.month: {e}")))
    }

    /// Decodes a stored `report_rollups` row.
    pub fn rollup_row(
        unit_col: &str,
        perspective_col: &str,
        procedure_col: &str,
        month_col: &str,
        body: &str,
    ) -> StoreResult<(RollupKey, Rollup)> {
        const T: &str = "report_rollups";
        let key = RollupKey {
            unit: unit(T, unit_col)?,
            perspective: perspective(perspective_col)?,
            procedure: procedure(T, procedure_col)?,
            month: month(T, month_col)?,
        };
        let row = serde_json::from_str(body).map_err(|e| corrupt(format!("{T}.body: {e}")))?;
        Ok((key, row))
    }

    /// The key of a stored step rollup row (of `report_step_rollups` or
    /// of `report_province_step_rollups`, whose unit is the province id).
    pub fn step_key(
        unit_col: &str,
        procedure_col: &str,
        step: i64,
        kind: &str,
        month_col: &str,
    ) -> StoreResult<StepKey> {
        const T: &str = "report_step_rollups";
        let kind = crate::dossier_support::step_kind(&format!("{T}.kind"), kind)?;
        Ok(StepKey {
            unit: unit(T, unit_col)?,
            procedure: procedure(T, procedure_col)?,
            step: usize::try_from(step).map_err(|_| corrupt(format!("{T}.step: {step}")))?,
            kind,
            month: month(T, month_col)?,
        })
    }

    /// The two step rollup tables: per unit, and summed per province
    /// (same columns; the province's `unit` is its id).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum StepTable {
        Unit,
        Province,
    }

    impl StepTable {
        pub fn name(self) -> &'static str {
            match self {
                StepTable::Unit => "report_step_rollups",
                StepTable::Province => "report_province_step_rollups",
            }
        }
    }

    /// The value columns of a step rollup row, in this order: the
    /// [`StepRollup::scalars`] as integers, then the working and waiting
    /// sketches as BLOB / BYTEA ([`encode_sketch`]).
    pub const STEP_VALUE_COLUMNS: &str = "dossiers, budgeted, overran, budget_minutes, \
        working_minutes, waiting_minutes, overrun_minutes, late_dossiers, late_overrun_minutes, \
        working, waiting";

    /// `col = excluded.col` for each of [`STEP_VALUE_COLUMNS`]: the `SET`
    /// of an upsert of a whole step row (same syntax on both backends).
    pub fn step_values_from_excluded() -> String {
        STEP_VALUE_COLUMNS
            .split(',')
            .map(str::trim)
            .map(|c| format!("{c} = excluded.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The value columns summed over rows (the sketches left out): what a
    /// table of totals selects with a `GROUP BY` of the key columns.
    pub const STEP_SUM_COLUMNS: &str = "SUM(dossiers), SUM(budgeted), SUM(overran), \
        SUM(budget_minutes), SUM(working_minutes), SUM(waiting_minutes), SUM(overrun_minutes), \
        SUM(late_dossiers), SUM(late_overrun_minutes)";

    /// The value columns of a step rollup row.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct StepValues {
        pub scalars: [i64; STEP_SCALARS],
        pub working: Vec<u8>,
        pub waiting: Vec<u8>,
    }

    impl StepValues {
        pub fn of(r: &StepRollup) -> StoreResult<Self> {
            Ok(StepValues {
                scalars: r.scalars(),
                working: encode_sketch(&r.working)?,
                waiting: encode_sketch(&r.waiting)?,
            })
        }

        pub fn decode(&self) -> StoreResult<StepRollup> {
            Ok(StepRollup::from_parts(
                self.scalars,
                decode_sketch(&self.working)?,
                decode_sketch(&self.waiting)?,
            ))
        }
    }

    /// A sketch's stored form: its (bucket, count) pairs in postcard
    /// (varints: a few bytes per bucket).
    pub fn encode_sketch(s: &Sketch) -> StoreResult<Vec<u8>> {
        postcard::to_allocvec(s.pairs()).map_err(internal)
    }

    /// Decodes [`encode_sketch`]'s bytes (checked: sorted, no zero count).
    pub fn decode_sketch(bytes: &[u8]) -> StoreResult<Sketch> {
        let pairs: Vec<(u32, i64)> = postcard::from_bytes(bytes)
            .map_err(|e| corrupt(format!("report_step_rollups sketch: {e}")))?;
        Sketch::from_pairs(pairs).map_err(|e| corrupt(format!("report_step_rollups sketch: {e}")))
    }

    /// A row kept as a running sum (a [`Rollup`]).
    pub trait Summed: Serialize + DeserializeOwned + Default {
        const TABLE: &'static str;
        fn add(&mut self, delta: &Self);
        fn is_zero(&self) -> bool;
    }

    impl Summed for Rollup {
        const TABLE: &'static str = "report_rollups";
        fn add(&mut self, delta: &Self) {
            *self += delta;
        }
        fn is_zero(&self) -> bool {
            Rollup::is_zero(self)
        }
    }

    /// The body a row has after adding `delta` to its stored body (None:
    /// no row), or None when the sum is zero and the row is to be deleted.
    pub fn merged<T: Summed>(stored: Option<&str>, delta: &T) -> StoreResult<Option<String>> {
        let mut row: T = match stored {
            Some(body) => serde_json::from_str(body)
                .map_err(|e| corrupt(format!("{}.body: {e}", T::TABLE)))?,
            None => T::default(),
        };
        row.add(delta);
        if row.is_zero() {
            return Ok(None);
        }
        serde_json::to_string(&row).map(Some).map_err(internal)
    }

    /// The SQL conditions of a query on a rollup table (`perspective`:
    /// whether the table has that column), with `placeholder(n)` naming the
    /// n-th argument (1-based) in the backend's syntax. Every argument is
    /// text. The same rule as [`RollupQuery::matches`].
    pub fn rollup_conditions(
        q: &RollupQuery,
        with_perspective: bool,
        placeholder: impl Fn(usize) -> String,
    ) -> (String, Vec<String>) {
        let mut args: Vec<String> = Vec::new();
        let mut sql = String::new();
        let arg = |sql: &mut String, args: &mut Vec<String>, clause: &str, v: String| {
            args.push(v);
            sql.push_str(&clause.replace('?', &placeholder(args.len())));
        };
        arg(&mut sql, &mut args, "month >= ?", q.from.to_string());
        arg(&mut sql, &mut args, " AND month <= ?", q.to.to_string());
        if let Some(p) = &q.province {
            arg(&mut sql, &mut args, " AND province = ?", p.clone());
        }
        if let (true, Some(p)) = (with_perspective, q.perspective) {
            arg(
                &mut sql,
                &mut args,
                " AND perspective = ?",
                perspective_str(p).to_string(),
            );
        }
        if let Some(p) = &q.procedure {
            arg(&mut sql, &mut args, " AND procedure = ?", p.to_string());
        }
        if let Some(units) = &q.units {
            if units.is_empty() {
                sql.push_str(" AND 1 = 0");
            } else {
                sql.push_str(" AND unit IN (");
                for (i, u) in units.iter().enumerate() {
                    let sep = if i == 0 { "?" } else { ", ?" };
                    arg(&mut sql, &mut args, sep, u.to_string());
                }
                sql.push(')');
            }
        }
        (sql, args)
    }

    /// The SQL conditions of [`super::ReportStore::unit_procedure_steps`]:
    /// the months, and `(unit, procedure)` among the pairs (row values, the
    /// same syntax on both backends); every argument is text. None for no
    /// pair.
    pub fn pairs_conditions(
        pairs: &[(UnitId, ProcedureCode)],
        from: Month,
        to: Month,
        placeholder: impl Fn(usize) -> String,
    ) -> Option<(String, Vec<String>)> {
        if pairs.is_empty() {
            return None;
        }
        let mut args = vec![from.to_string(), to.to_string()];
        let mut sql = format!(
            "month >= {} AND month <= {} AND (unit, procedure) IN (VALUES ",
            placeholder(1),
            placeholder(2)
        );
        for (i, (u, p)) in pairs.iter().enumerate() {
            args.push(u.to_string());
            let a = placeholder(args.len());
            args.push(p.to_string());
            let b = placeholder(args.len());
            sql.push_str(&format!("{}({a}, {b})", if i == 0 { "" } else { ", " }));
        }
        sql.push(')');
        Some((sql, args))
    }

    /// The SQL conditions that pre-select the `report_facts` rows a query
    /// may count (a superset: a dossier counts under two units; the fold
    /// keeps the matching rows, [`fold_facts`]).
    pub fn facts_conditions(
        q: &RollupQuery,
        placeholder: impl Fn(usize) -> String,
    ) -> (String, Vec<String>) {
        let mut args: Vec<String> = Vec::new();
        let mut sql = String::new();
        let arg = |sql: &mut String, args: &mut Vec<String>, clause: &str, v: String| {
            args.push(v);
            sql.push_str(&clause.replace('?', &placeholder(args.len())));
        };
        arg(&mut sql, &mut args, "month >= ?", q.from.to_string());
        arg(&mut sql, &mut args, " AND month <= ?", q.to.to_string());
        if let Some(p) = &q.procedure {
            arg(&mut sql, &mut args, " AND procedure = ?", p.to_string());
        }
        if let Some(p) = &q.province {
            arg(&mut sql, &mut args, " AND (province = ?", p.clone());
            arg(&mut sql, &mut args, " OR competent_unit = ?", p.clone());
            arg(
                &mut sql,
                &mut args,
                " OR competent_unit LIKE ?)",
                format!("{p}.%"),
            );
        }
        if let Some(units) = &q.units {
            if units.is_empty() {
                sql.push_str(" AND 1 = 0");
            } else {
                for col in ["receiving_unit", "competent_unit"] {
                    sql.push_str(if col == "receiving_unit" {
                        " AND ("
                    } else {
                        " OR "
                    });
                    sql.push_str(col);
                    sql.push_str(" IN (");
                    for (i, u) in units.iter().enumerate() {
                        let sep = if i == 0 { "?" } else { ", ?" };
                        arg(&mut sql, &mut args, sep, u.to_string());
                    }
                    sql.push(')');
                }
                sql.push(')');
            }
        }
        (sql, args)
    }

    /// The full-scan fold: the rollups of `facts` that `q` reads.
    pub fn fold_facts<'a>(
        q: &RollupQuery,
        facts: impl IntoIterator<Item = &'a DossierFacts>,
    ) -> Rollups {
        let mut scan = FactsScan::new(q);
        for f in facts {
            scan.add(f);
        }
        scan.finish()
    }

    /// [`fold_facts`] one row at a time, as a backend streams them.
    pub struct FactsScan<'q> {
        query: &'q RollupQuery,
        out: Rollups,
    }

    impl<'q> FactsScan<'q> {
        pub fn new(query: &'q RollupQuery) -> Self {
            FactsScan {
                query,
                out: Rollups::new(),
            }
        }

        pub fn add(&mut self, f: &DossierFacts) {
            let keys = RollupKey::for_dossier(f);
            if keys.iter().any(|k| self.query.matches(k)) {
                let r = Rollup::of(f);
                for k in keys.into_iter().filter(|k| self.query.matches(k)) {
                    self.out.insert_row(k, &r);
                }
            }
        }

        pub fn finish(self) -> Rollups {
            self.out
        }
    }

    /// Rebuilds the report tables from the event log, one dossier at a
    /// time: for a database whose dossiers were recorded before the report
    /// tables existed (the backends run it when they find dossiers and no
    /// facts at all, after migration 0006).
    #[derive(Debug, Default)]
    pub struct Rebuild {
        pub rollups: Rollups,
        pub steps: StepRollups,
    }

    impl Rebuild {
        /// Counts one dossier's events (in `seq` order); returns its facts
        /// row to store.
        pub fn add(&mut self, events: &[Event]) -> StoreResult<Option<FactsRow>> {
            let Some(f) = DossierFacts::from_events(events) else {
                return Ok(None);
            };
            self.rollups.add_dossier(&f);
            if let Some(cal) = calendar() {
                let state = DossierState::fold(events.iter());
                if let Some(d) = &state.dossier {
                    // A calendar error leaves the step rows unchanged.
                    let _ = self.steps.add_dossier(d, cal);
                }
            }
            FactsRow::of(&f).map(Some)
        }
    }
}
