//! The report store on SQLite: the facts and rollup rows are written by
//! the command's job on the writer thread (see [`write_delta`]), so they
//! commit or roll back with the events; the reads use the reader
//! connections.

use std::cell::RefCell;

use async_trait::async_trait;
use motcua_domain::dossier::UnitId;
use motcua_domain::procedure::ProcedureCode;
use motcua_domain::reports::{
    DossierFacts, Month, Rollups, Sketch, StepRollup, StepRollups, STEP_SCALARS,
};
use motcua_store::report_support::{
    self as rsup, FactsRow, Rebuild, ReportDelta, RollupColumns, StepColumns, StepTable, StepValues,
};
use motcua_store::{ReportStore, RollupQuery, StoreError, StoreResult};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::{db_err, SqliteStore};

fn text<'a>(r: &'a Row<'_>, i: usize) -> StoreResult<&'a str> {
    r.get_ref(i)
        .map_err(db_err)?
        .as_str()
        .map_err(|e| StoreError::Corrupt(format!("report column {i}: {e}")))
}

fn placeholder(n: usize) -> String {
    format!("?{n}")
}

/// The stored facts of a dossier, if it is counted.
pub(crate) fn stored_facts(conn: &Connection, code: &str) -> StoreResult<Option<DossierFacts>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM report_facts WHERE code = ?1")
        .map_err(db_err)?
        .query_row([code], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    body.map(|b| rsup::facts(code, &b)).transpose()
}

fn put_facts(conn: &Connection, f: &FactsRow) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO report_facts (code, province, receiving_unit, competent_unit, procedure, \
         month, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT (code) DO UPDATE SET province = excluded.province, \
         receiving_unit = excluded.receiving_unit, competent_unit = excluded.competent_unit, \
         procedure = excluded.procedure, month = excluded.month, body = excluded.body",
    )
    .map_err(db_err)?
    .execute(params![
        f.code,
        f.province,
        f.receiving_unit,
        f.competent_unit,
        f.procedure,
        f.month,
        f.body
    ])
    .map_err(db_err)?;
    Ok(())
}

fn add_rollup(
    conn: &Connection,
    c: &RollupColumns,
    delta: &motcua_domain::reports::Rollup,
) -> StoreResult<()> {
    let stored: Option<String> = conn
        .prepare_cached(
            "SELECT body FROM report_rollups \
             WHERE unit = ?1 AND perspective = ?2 AND procedure = ?3 AND month = ?4",
        )
        .map_err(db_err)?
        .query_row(params![c.unit, c.perspective, c.procedure, c.month], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db_err)?;
    match rsup::merged(stored.as_deref(), delta)? {
        Some(body) if stored.is_some() => conn
            .prepare_cached(
                "UPDATE report_rollups SET body = ?5 \
                 WHERE unit = ?1 AND perspective = ?2 AND procedure = ?3 AND month = ?4",
            )
            .map_err(db_err)?
            .execute(params![c.unit, c.perspective, c.procedure, c.month, body]),
        Some(body) => conn
            .prepare_cached(
                "INSERT INTO report_rollups (unit, perspective, procedure, month, province, body) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(db_err)?
            .execute(params![
                c.unit,
                c.perspective,
                c.procedure,
                c.month,
                c.province,
                body
            ]),
        None => conn
            .prepare_cached(
                "DELETE FROM report_rollups \
                 WHERE unit = ?1 AND perspective = ?2 AND procedure = ?3 AND month = ?4",
            )
            .map_err(db_err)?
            .execute(params![c.unit, c.perspective, c.procedure, c.month]),
    }
    .map_err(db_err)?;
    Ok(())
}

/// Decodes the value columns starting at `first` ([`rsup::STEP_VALUE_COLUMNS`]).
fn step_values(r: &Row<'_>, first: usize) -> StoreResult<StepValues> {
    let mut scalars = [0i64; STEP_SCALARS];
    for (i, v) in scalars.iter_mut().enumerate() {
        *v = r.get(first + i).map_err(db_err)?;
    }
    Ok(StepValues {
        scalars,
        working: r.get(first + STEP_SCALARS).map_err(db_err)?,
        waiting: r.get(first + STEP_SCALARS + 1).map_err(db_err)?,
    })
}

fn add_step(
    conn: &Connection,
    table: StepTable,
    c: &StepColumns,
    delta: &StepRollup,
) -> StoreResult<()> {
    let t = table.name();
    const KEY: &str = "unit = ?1 AND procedure = ?2 AND step = ?3 AND kind = ?4 AND month = ?5";
    let stored: Option<StepValues> = conn
        .prepare_cached(&format!(
            "SELECT {} FROM {t} WHERE {KEY}",
            rsup::STEP_VALUE_COLUMNS
        ))
        .map_err(db_err)?
        .query_row(params![c.unit, c.procedure, c.step, c.kind, c.month], |r| {
            Ok(step_values(r, 0))
        })
        .optional()
        .map_err(db_err)?
        .transpose()?;
    let exists = stored.is_some();
    let mut row = stored.map(|v| v.decode()).transpose()?.unwrap_or_default();
    row += delta;
    if row.is_zero() {
        if exists {
            conn.prepare_cached(&format!("DELETE FROM {t} WHERE {KEY}"))
                .map_err(db_err)?
                .execute(params![c.unit, c.procedure, c.step, c.kind, c.month])
                .map_err(db_err)?;
        }
        return Ok(());
    }
    let v = StepValues::of(&row)?;
    let mut args: Vec<&dyn rusqlite::ToSql> = vec![
        &c.unit,
        &c.procedure,
        &c.step,
        &c.kind,
        &c.month,
        &c.province,
    ];
    args.extend(v.scalars.iter().map(|x| x as &dyn rusqlite::ToSql));
    args.push(&v.working);
    args.push(&v.waiting);
    conn.prepare_cached(&format!(
        "INSERT INTO {t} (unit, procedure, step, kind, month, province, {}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) \
         ON CONFLICT (unit, procedure, step, kind, month) DO UPDATE SET {}",
        rsup::STEP_VALUE_COLUMNS,
        rsup::step_values_from_excluded()
    ))
    .map_err(db_err)?
    .execute(params_from_iter(args))
    .map_err(db_err)?;
    Ok(())
}

/// Adds step deltas (per unit) to both step tables.
fn add_steps(conn: &Connection, steps: &StepRollups) -> StoreResult<()> {
    for (k, r) in steps.rows() {
        add_step(conn, StepTable::Unit, &StepColumns::of(k)?, r)?;
    }
    for (k, r) in steps.by_province().rows() {
        add_step(conn, StepTable::Province, &StepColumns::of(k)?, r)?;
    }
    Ok(())
}

/// The rollup deltas of the writer's current batch: those of the running
/// job, and the sum of those of the jobs kept so far. The writer thread
/// owns it (see [`crate::writer`]): concurrent commands of one group
/// commit mostly touch the same few rows (a unit, a procedure, a month),
/// so their deltas are summed in memory and each row is read and written
/// once per batch, just before `COMMIT`, instead of once per command.
#[derive(Default)]
struct Pending {
    job_rollups: Rollups,
    job_steps: StepRollups,
    batch_rollups: Rollups,
    batch_steps: StepRollups,
}

thread_local! {
    static PENDING: RefCell<Pending> = RefCell::new(Pending::default());
}

/// A batch starts: nothing pending.
pub(crate) fn batch_started() {
    PENDING.with(|p| *p.borrow_mut() = Pending::default());
}

/// A job ends: its deltas join the batch's if its changes are kept, and
/// are dropped with its savepoint otherwise.
pub(crate) fn job_ended(kept: bool) {
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let rollups = std::mem::take(&mut p.job_rollups);
        let steps = std::mem::take(&mut p.job_steps);
        if kept {
            p.batch_rollups += &rollups;
            p.batch_steps += &steps;
        }
    });
}

/// Writes the batch's summed deltas (in the batch transaction, before
/// `COMMIT`; an error fails the whole batch).
pub(crate) fn flush(conn: &Connection) -> StoreResult<()> {
    let (rollups, steps) = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        (
            std::mem::take(&mut p.batch_rollups),
            std::mem::take(&mut p.batch_steps),
        )
    });
    for (k, r) in rollups.rows() {
        add_rollup(conn, &RollupColumns::of(k), r)?;
    }
    add_steps(conn, &steps)
}

/// Writes a command's report changes, inside its savepoint: the facts row
/// now, the rollup deltas at the end of the batch ([`flush`]). A stored
/// facts row only changes its body (the key columns are fixed at opening),
/// so its indexes are not touched.
pub(crate) fn write_delta(conn: &Connection, d: &ReportDelta) -> StoreResult<()> {
    match &d.facts {
        Some(f) if d.facts_stored => {
            conn.prepare_cached("UPDATE report_facts SET body = ?2 WHERE code = ?1")
                .map_err(db_err)?
                .execute(params![f.code, f.body])
                .map_err(db_err)?;
        }
        Some(f) => put_facts(conn, f)?,
        None => {}
    }
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        for (k, r) in &d.rollups {
            p.job_rollups.insert_row(k.clone(), r);
        }
        for (k, r) in &d.steps {
            p.job_steps.insert_row(k.clone(), r);
        }
    });
    Ok(())
}

fn load_in(conn: &Connection, facts: &[DossierFacts], steps: &StepRollups) -> StoreResult<()> {
    // A dossier already stored has its old contribution taken back; on a
    // fresh load the lookup finds nothing and the rows are plain inserts.
    let mut rollups = Rollups::new();
    for f in facts {
        let old = stored_facts(conn, &f.code.to_string())?;
        rollups.apply(old.as_ref(), Some(f));
        put_facts(conn, &FactsRow::of(f)?)?;
    }
    for (k, r) in rollups.rows() {
        add_rollup(conn, &RollupColumns::of(k), r)?;
    }
    add_steps(conn, steps)
}

fn rollups_in(conn: &Connection, q: &RollupQuery) -> StoreResult<Rollups> {
    let (cond, args) = rsup::rollup_conditions(q, true, placeholder);
    let sql = format!(
        "SELECT unit, perspective, procedure, month, body FROM report_rollups WHERE {cond}"
    );
    let mut stmt = conn.prepare(&sql).map_err(db_err)?;
    let mut rows = stmt.query(params_from_iter(args)).map_err(db_err)?;
    let mut out = Rollups::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        let (k, v) = rsup::rollup_row(
            text(r, 0)?,
            text(r, 1)?,
            text(r, 2)?,
            text(r, 3)?,
            text(r, 4)?,
        )?;
        out.insert_row(k, &v);
    }
    Ok(out)
}

fn step_rows_in(conn: &Connection, table: StepTable, q: &RollupQuery) -> StoreResult<StepRollups> {
    let (cond, args) = rsup::rollup_conditions(q, false, placeholder);
    step_rows_where(conn, table, &cond, args)
}

fn step_rows_where(
    conn: &Connection,
    table: StepTable,
    cond: &str,
    args: Vec<String>,
) -> StoreResult<StepRollups> {
    let sql = format!(
        "SELECT unit, procedure, step, kind, month, {} FROM {} WHERE {cond}",
        rsup::STEP_VALUE_COLUMNS,
        table.name()
    );
    let mut stmt = conn.prepare(&sql).map_err(db_err)?;
    let mut rows = stmt.query(params_from_iter(args)).map_err(db_err)?;
    let mut out = StepRollups::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        let step: i64 = r.get(2).map_err(db_err)?;
        let key = rsup::step_key(text(r, 0)?, text(r, 1)?, step, text(r, 3)?, text(r, 4)?)?;
        out.insert_row(key, &step_values(r, 5)?.decode()?);
    }
    Ok(out)
}

fn step_totals_in(conn: &Connection, q: &RollupQuery) -> StoreResult<StepRollups> {
    let (cond, args) = rsup::rollup_conditions(q, false, placeholder);
    let sql = format!(
        "SELECT unit, procedure, step, kind, {} FROM report_step_rollups WHERE {cond} \
         GROUP BY unit, procedure, step, kind",
        rsup::STEP_SUM_COLUMNS
    );
    let mut stmt = conn.prepare(&sql).map_err(db_err)?;
    let mut rows = stmt.query(params_from_iter(args)).map_err(db_err)?;
    let mut out = StepRollups::new();
    let month = q.from.to_string();
    while let Some(r) = rows.next().map_err(db_err)? {
        let step: i64 = r.get(2).map_err(db_err)?;
        let key = rsup::step_key(text(r, 0)?, text(r, 1)?, step, text(r, 3)?, &month)?;
        let mut scalars = [0i64; STEP_SCALARS];
        for (i, v) in scalars.iter_mut().enumerate() {
            *v = r.get(4 + i).map_err(db_err)?;
        }
        out.insert_row(
            key,
            &StepRollup::from_parts(scalars, Sketch::new(), Sketch::new()),
        );
    }
    Ok(out)
}

fn scan_in(conn: &Connection, q: &RollupQuery) -> StoreResult<Rollups> {
    let (cond, args) = rsup::facts_conditions(q, placeholder);
    let sql = format!("SELECT code, body FROM report_facts WHERE {cond}");
    let mut stmt = conn.prepare(&sql).map_err(db_err)?;
    let mut rows = stmt.query(params_from_iter(args)).map_err(db_err)?;
    let mut scan = rsup::FactsScan::new(q);
    while let Some(r) = rows.next().map_err(db_err)? {
        scan.add(&rsup::facts(text(r, 0)?, text(r, 1)?)?);
    }
    Ok(scan.finish())
}

fn rebuild_one(
    conn: &Connection,
    rebuild: &mut Rebuild,
    events: &mut Vec<motcua_domain::dossier::Event>,
) -> StoreResult<()> {
    if let Some(row) = rebuild.add(events)? {
        put_facts(conn, &row)?;
    }
    events.clear();
    Ok(())
}

/// Fills the report tables from the event log when the database has
/// dossiers and no facts at all (dossiers recorded before migration 0006),
/// inside the caller's transaction. Returns the number of dossiers counted.
pub(crate) fn backfill(conn: &Connection) -> StoreResult<u64> {
    let needed: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM dossiers) AND NOT EXISTS (SELECT 1 FROM report_facts)",
            [],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    if !needed {
        return Ok(0);
    }
    let mut rebuild = Rebuild::default();
    let mut count = 0;
    {
        let mut stmt = conn
            .prepare("SELECT dossier, seq, body, hash FROM dossier_events ORDER BY dossier, seq")
            .map_err(db_err)?;
        let mut rows = stmt.query([]).map_err(db_err)?;
        let mut current: Option<String> = None;
        let mut events = Vec::new();
        while let Some(r) = rows.next().map_err(db_err)? {
            let dossier = text(r, 0)?;
            if current.as_deref() != Some(dossier) {
                rebuild_one(conn, &mut rebuild, &mut events)?;
                current = Some(dossier.to_string());
                count += 1;
            }
            events.push(crate::dossiers::event_row(r)?.event);
        }
        rebuild_one(conn, &mut rebuild, &mut events)?;
    }
    for (k, r) in rebuild.rollups.rows() {
        add_rollup(conn, &RollupColumns::of(k), r)?;
    }
    add_steps(conn, &rebuild.steps)?;
    Ok(count)
}

impl SqliteStore {
    /// Fills `dossiers.step_kind` of open dossiers written before it
    /// existed (done on open; see migration 0009). Returns the number of
    /// rows filled.
    pub async fn fill_step_kinds(&self) -> StoreResult<u64> {
        self.write_solo(crate::dossiers::fill_step_kinds).await
    }

    /// Fills the report tables from the event log if the database has
    /// dossiers and no report facts (done on open; see migration 0006).
    /// Returns the number of dossiers counted (0: nothing to do).
    pub async fn fill_reports(&self) -> StoreResult<u64> {
        self.write_solo(backfill).await
    }
}

#[async_trait]
impl ReportStore for SqliteStore {
    async fn rollups(&self, query: &RollupQuery) -> StoreResult<Rollups> {
        let q = query.clone();
        self.read(move |c| rollups_in(c, &q)).await
    }

    async fn step_rollups(&self, query: &RollupQuery) -> StoreResult<StepRollups> {
        let q = query.clone();
        self.read(move |c| step_rows_in(c, StepTable::Unit, &q))
            .await
    }

    async fn province_step_rollups(&self, query: &RollupQuery) -> StoreResult<StepRollups> {
        let q = query.clone();
        self.read(move |c| step_rows_in(c, StepTable::Province, &q))
            .await
    }

    async fn unit_procedure_steps(
        &self,
        pairs: &[(UnitId, ProcedureCode)],
        from: Month,
        to: Month,
    ) -> StoreResult<StepRollups> {
        let Some((cond, args)) = rsup::pairs_conditions(pairs, from, to, placeholder) else {
            return Ok(StepRollups::new());
        };
        self.read(move |c| step_rows_where(c, StepTable::Unit, &cond, args))
            .await
    }

    async fn step_totals(&self, query: &RollupQuery) -> StoreResult<StepRollups> {
        let q = query.clone();
        self.read(move |c| step_totals_in(c, &q)).await
    }

    async fn scan_facts(&self, query: &RollupQuery) -> StoreResult<Rollups> {
        let q = query.clone();
        self.read(move |c| scan_in(c, &q)).await
    }

    async fn load_facts(&self, facts: &[DossierFacts], steps: &StepRollups) -> StoreResult<()> {
        let (facts, steps) = (facts.to_vec(), steps.clone());
        self.write_solo(move |c| load_in(c, &facts, &steps)).await
    }
}
