//! The report store on PostgreSQL. A command writes its facts row and
//! read-modify-writes the rollup rows it changes in its own transaction
//! ([`write_delta`]): each row is locked (`SELECT … FOR UPDATE`) in key
//! order, figures before steps, so concurrent commands serialize on a
//! shared row without deadlocking; a missing row is inserted, and a
//! concurrent insert of the same row makes the loser lock and update it.

use async_trait::async_trait;
use futures_util::TryStreamExt;
use motcua_domain::dossier::UnitId;
use motcua_domain::procedure::ProcedureCode;
use motcua_domain::reports::{
    DossierFacts, Month, Rollup, Rollups, Sketch, StepRollup, StepRollups, STEP_SCALARS,
};
use motcua_store::report_support::{
    self as rsup, FactsRow, Rebuild, ReportDelta, RollupColumns, StepColumns, StepTable, StepValues,
};
use motcua_store::{ReportStore, RollupQuery, StoreError, StoreResult};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::{db_err, PgStore};

fn placeholder(n: usize) -> String {
    format!("${n}")
}

/// The stored facts of a dossier, if it is counted.
pub(crate) async fn stored_facts(
    conn: &mut PgConnection,
    code: &str,
) -> StoreResult<Option<DossierFacts>> {
    let body: Option<String> =
        sqlx::query_scalar("SELECT body::text FROM report_facts WHERE code = $1 FOR UPDATE")
            .bind(code)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
    body.map(|b| rsup::facts(code, &b)).transpose()
}

async fn put_facts(conn: &mut PgConnection, f: &FactsRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO report_facts (code, province, receiving_unit, competent_unit, procedure, \
         month, body) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) \
         ON CONFLICT (code) DO UPDATE SET province = EXCLUDED.province, \
         receiving_unit = EXCLUDED.receiving_unit, competent_unit = EXCLUDED.competent_unit, \
         procedure = EXCLUDED.procedure, month = EXCLUDED.month, body = EXCLUDED.body",
    )
    .bind(&f.code)
    .bind(&f.province)
    .bind(&f.receiving_unit)
    .bind(&f.competent_unit)
    .bind(&f.procedure)
    .bind(&f.month)
    .bind(&f.body)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// How often a row insert may lose to a concurrent one before giving up
/// (each loss means the row now exists and is locked on the next try).
const ATTEMPTS: usize = 8;

fn contended(table: &str) -> StoreError {
    StoreError::Other(anyhow::anyhow!(
        "{table}: a row kept appearing and disappearing under concurrent commands"
    ))
}

async fn add_rollup(conn: &mut PgConnection, c: &RollupColumns, delta: &Rollup) -> StoreResult<()> {
    for _ in 0..ATTEMPTS {
        let stored: Option<String> = sqlx::query_scalar(
            "SELECT body::text FROM report_rollups \
             WHERE unit = $1 AND perspective = $2 AND procedure = $3 AND month = $4 FOR UPDATE",
        )
        .bind(&c.unit)
        .bind(c.perspective)
        .bind(&c.procedure)
        .bind(&c.month)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
        let merged = rsup::merged(stored.as_deref(), delta)?;
        let done = match (stored.is_some(), merged) {
            (true, Some(body)) => sqlx::query(
                "UPDATE report_rollups SET body = $5::jsonb \
                 WHERE unit = $1 AND perspective = $2 AND procedure = $3 AND month = $4",
            )
            .bind(&c.unit)
            .bind(c.perspective)
            .bind(&c.procedure)
            .bind(&c.month)
            .bind(body),
            (true, None) => sqlx::query(
                "DELETE FROM report_rollups \
                 WHERE unit = $1 AND perspective = $2 AND procedure = $3 AND month = $4",
            )
            .bind(&c.unit)
            .bind(c.perspective)
            .bind(&c.procedure)
            .bind(&c.month),
            (false, Some(body)) => sqlx::query(
                "INSERT INTO report_rollups (unit, perspective, procedure, month, province, body) \
                 VALUES ($1, $2, $3, $4, $5, $6::jsonb) \
                 ON CONFLICT (unit, perspective, procedure, month) DO NOTHING",
            )
            .bind(&c.unit)
            .bind(c.perspective)
            .bind(&c.procedure)
            .bind(&c.month)
            .bind(&c.province)
            .bind(body),
            (false, None) => return Ok(()),
        }
        .execute(&mut *conn)
        .await
        .map_err(db_err)?
        .rows_affected();
        if done == 1 {
            return Ok(());
        }
    }
    Err(contended("report_rollups"))
}

/// Decodes the value columns starting at `first` ([`rsup::STEP_VALUE_COLUMNS`]).
fn step_values(r: &PgRow, first: usize) -> StoreResult<StepValues> {
    let mut scalars = [0i64; STEP_SCALARS];
    for (i, v) in scalars.iter_mut().enumerate() {
        *v = r.try_get(first + i).map_err(db_err)?;
    }
    Ok(StepValues {
        scalars,
        working: r.try_get(first + STEP_SCALARS).map_err(db_err)?,
        waiting: r.try_get(first + STEP_SCALARS + 1).map_err(db_err)?,
    })
}

const STEP_KEY: &str = "unit = $1 AND procedure = $2 AND step = $3 AND kind = $4 AND month = $5";

async fn add_step(
    conn: &mut PgConnection,
    table: StepTable,
    c: &StepColumns,
    delta: &StepRollup,
) -> StoreResult<()> {
    let t = table.name();
    let select = format!(
        "SELECT {} FROM {t} WHERE {STEP_KEY} FOR UPDATE",
        rsup::STEP_VALUE_COLUMNS
    );
    let update = format!(
        "UPDATE {t} SET dossiers = $6, budgeted = $7, overran = $8, budget_minutes = $9, \
         working_minutes = $10, waiting_minutes = $11, overrun_minutes = $12, \
         late_dossiers = $13, late_overrun_minutes = $14, working = $15, waiting = $16 \
         WHERE {STEP_KEY}"
    );
    let insert = format!(
        "INSERT INTO {t} (unit, procedure, step, kind, month, {}, province) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (unit, procedure, step, kind, month) DO NOTHING",
        rsup::STEP_VALUE_COLUMNS
    );
    let delete = format!("DELETE FROM {t} WHERE {STEP_KEY}");
    let step = i32::try_from(c.step).map_err(|e| StoreError::Other(anyhow::anyhow!("{e}")))?;
    for _ in 0..ATTEMPTS {
        let stored = sqlx::query(&select)
            .bind(&c.unit)
            .bind(&c.procedure)
            .bind(step)
            .bind(c.kind)
            .bind(&c.month)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?
            .map(|r| step_values(&r, 0))
            .transpose()?;
        let exists = stored.is_some();
        let mut row = stored.map(|v| v.decode()).transpose()?.unwrap_or_default();
        row += delta;
        let key = sqlx::query(if row.is_zero() {
            &delete
        } else if exists {
            &update
        } else {
            &insert
        })
        .bind(&c.unit)
        .bind(&c.procedure)
        .bind(step)
        .bind(c.kind)
        .bind(&c.month);
        let q = if row.is_zero() {
            if !exists {
                return Ok(());
            }
            key
        } else {
            let v = StepValues::of(&row)?;
            let q = v.scalars.iter().fold(key, |q, x| q.bind(*x));
            let q = q.bind(v.working).bind(v.waiting);
            if exists {
                q
            } else {
                q.bind(&c.province)
            }
        };
        let done = q.execute(&mut *conn).await.map_err(db_err)?.rows_affected();
        if done == 1 {
            return Ok(());
        }
    }
    Err(contended(t))
}

/// Keys per statement of the bulk paths.
const BULK_CHUNK: usize = 2000;

/// Bulk load of step deltas into one table (for `load_facts` and the
/// rebuild; the tables are locked by the caller): the stored rows of the
/// keys read in one statement per chunk, merged in memory, then written
/// back with one upsert and one delete per chunk.
async fn bulk_steps(
    conn: &mut PgConnection,
    table: StepTable,
    steps: &StepRollups,
) -> StoreResult<()> {
    let t = table.name();
    let rows: Vec<_> = steps.rows().collect();
    for chunk in rows.chunks(BULK_CHUNK) {
        let cols: Vec<StepColumns> = chunk
            .iter()
            .map(|(k, _)| StepColumns::of(k))
            .collect::<StoreResult<_>>()?;
        let units: Vec<&str> = cols.iter().map(|c| c.unit.as_str()).collect();
        let procs: Vec<&str> = cols.iter().map(|c| c.procedure.as_str()).collect();
        let step_nos: Vec<i32> = cols
            .iter()
            .map(|c| i32::try_from(c.step).unwrap_or(i32::MAX))
            .collect();
        let kinds: Vec<&str> = cols.iter().map(|c| c.kind).collect();
        let months: Vec<&str> = cols.iter().map(|c| c.month.as_str()).collect();
        let stored = sqlx::query(&format!(
            "SELECT r.unit, r.procedure, r.step::bigint, r.kind, r.month, {} FROM {t} r \
             JOIN UNNEST($1::text[], $2::text[], $3::int[], $4::text[], $5::text[]) \
               AS k(unit, procedure, step, kind, month) \
             ON r.unit = k.unit AND r.procedure = k.procedure AND r.step = k.step \
                AND r.kind = k.kind AND r.month = k.month \
             FOR UPDATE OF r",
            rsup::STEP_VALUE_COLUMNS
                .split(", ")
                .map(|c| format!("r.{}", c.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(&units)
        .bind(&procs)
        .bind(&step_nos)
        .bind(&kinds)
        .bind(&months)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let mut merged = StepRollups::new();
        for r in &stored {
            let t = |i| r.try_get::<&str, _>(i).map_err(db_err);
            let step: i64 = r.try_get(2).map_err(db_err)?;
            let key = rsup::step_key(t(0)?, t(1)?, step, t(3)?, t(4)?)?;
            merged.insert_row(key, &step_values(r, 5)?.decode()?);
        }
        let mut upsert: Vec<(usize, StepValues)> = Vec::new();
        let mut gone: Vec<usize> = Vec::new();
        for (i, (k, delta)) in chunk.iter().enumerate() {
            let mut row = merged.get(k).cloned().unwrap_or_default();
            row += delta;
            if row.is_zero() {
                gone.push(i);
            } else {
                upsert.push((i, StepValues::of(&row)?));
            }
        }
        if !upsert.is_empty() {
            let pick = |f: &dyn Fn(usize) -> String| -> Vec<String> {
                upsert.iter().map(|(i, _)| f(*i)).collect()
            };
            let scalar =
                |j: usize| -> Vec<i64> { upsert.iter().map(|(_, v)| v.scalars[j]).collect() };
            let sql = format!(
                "INSERT INTO {t} (unit, procedure, step, kind, month, province, {}) \
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], \
                   $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], \
                   $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], \
                   $16::bytea[], $17::bytea[]) \
                 ON CONFLICT (unit, procedure, step, kind, month) DO UPDATE SET {}",
                rsup::STEP_VALUE_COLUMNS,
                rsup::step_values_from_excluded()
            );
            let mut q = sqlx::query(&sql)
                .bind(pick(&|i| cols[i].unit.clone()))
                .bind(pick(&|i| cols[i].procedure.clone()))
                .bind(
                    upsert
                        .iter()
                        .map(|(i, _)| step_nos[*i])
                        .collect::<Vec<i32>>(),
                )
                .bind(pick(&|i| cols[i].kind.to_string()))
                .bind(pick(&|i| cols[i].month.clone()))
                .bind(pick(&|i| cols[i].province.clone()));
            for j in 0..STEP_SCALARS {
                q = q.bind(scalar(j));
            }
            q.bind(
                upsert
                    .iter()
                    .map(|(_, v)| v.working.clone())
                    .collect::<Vec<_>>(),
            )
            .bind(
                upsert
                    .iter()
                    .map(|(_, v)| v.waiting.clone())
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        if !gone.is_empty() {
            let pick = |f: &dyn Fn(usize) -> String| -> Vec<String> {
                gone.iter().map(|i| f(*i)).collect()
            };
            sqlx::query(&format!(
                "DELETE FROM {t} r USING UNNEST($1::text[], $2::text[], $3::int[], $4::text[], \
                   $5::text[]) AS k(unit, procedure, step, kind, month) \
                 WHERE r.unit = k.unit AND r.procedure = k.procedure AND r.step = k.step \
                   AND r.kind = k.kind AND r.month = k.month"
            ))
            .bind(pick(&|i| cols[i].unit.clone()))
            .bind(pick(&|i| cols[i].procedure.clone()))
            .bind(gone.iter().map(|i| step_nos[*i]).collect::<Vec<i32>>())
            .bind(pick(&|i| cols[i].kind.to_string()))
            .bind(pick(&|i| cols[i].month.clone()))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
    }
    Ok(())
}

/// Bulk load of figure rollup deltas (as [`bulk_steps`]).
async fn bulk_rollups(conn: &mut PgConnection, rollups: &Rollups) -> StoreResult<()> {
    let rows: Vec<_> = rollups.rows().collect();
    for chunk in rows.chunks(BULK_CHUNK) {
        let cols: Vec<RollupColumns> = chunk.iter().map(|(k, _)| RollupColumns::of(k)).collect();
        let col =
            |f: &dyn Fn(&RollupColumns) -> String| -> Vec<String> { cols.iter().map(f).collect() };
        let stored = sqlx::query(
            "SELECT r.unit, r.perspective, r.procedure, r.month, r.body::text FROM report_rollups r \
             JOIN UNNEST($1::text[], $2::text[], $3::text[], $4::text[]) \
               AS k(unit, perspective, procedure, month) \
             ON r.unit = k.unit AND r.perspective = k.perspective \
                AND r.procedure = k.procedure AND r.month = k.month \
             FOR UPDATE OF r",
        )
        .bind(col(&|c| c.unit.clone()))
        .bind(col(&|c| c.perspective.to_string()))
        .bind(col(&|c| c.procedure.clone()))
        .bind(col(&|c| c.month.clone()))
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let mut bodies = std::collections::HashMap::new();
        for r in &stored {
            let t = |i| r.try_get::<&str, _>(i).map_err(db_err);
            let (k, _) = rsup::rollup_row(t(0)?, t(1)?, t(2)?, t(3)?, t(4)?)?;
            bodies.insert(k, t(4)?.to_string());
        }
        let mut upsert: Vec<(usize, String)> = Vec::new();
        let mut gone: Vec<usize> = Vec::new();
        for (i, (k, delta)) in chunk.iter().enumerate() {
            match rsup::merged(bodies.get(*k).map(String::as_str), *delta)? {
                Some(body) => upsert.push((i, body)),
                None => gone.push(i),
            }
        }
        let pick = |ix: &[usize], f: &dyn Fn(&RollupColumns) -> String| -> Vec<String> {
            ix.iter().map(|i| f(&cols[*i])).collect()
        };
        let up: Vec<usize> = upsert.iter().map(|(i, _)| *i).collect();
        if !up.is_empty() {
            sqlx::query(
                "INSERT INTO report_rollups (unit, perspective, procedure, month, province, body) \
                 SELECT u, p, pr, m, pv, b::jsonb FROM UNNEST($1::text[], $2::text[], $3::text[], \
                   $4::text[], $5::text[], $6::text[]) AS k(u, p, pr, m, pv, b) \
                 ON CONFLICT (unit, perspective, procedure, month) DO UPDATE SET body = EXCLUDED.body",
            )
            .bind(pick(&up, &|c| c.unit.clone()))
            .bind(pick(&up, &|c| c.perspective.to_string()))
            .bind(pick(&up, &|c| c.procedure.clone()))
            .bind(pick(&up, &|c| c.month.clone()))
            .bind(pick(&up, &|c| c.province.clone()))
            .bind(upsert.into_iter().map(|(_, b)| b).collect::<Vec<String>>())
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        if !gone.is_empty() {
            sqlx::query(
                "DELETE FROM report_rollups r USING UNNEST($1::text[], $2::text[], $3::text[], \
                   $4::text[]) AS k(unit, perspective, procedure, month) \
                 WHERE r.unit = k.unit AND r.perspective = k.perspective \
                   AND r.procedure = k.procedure AND r.month = k.month",
            )
            .bind(pick(&gone, &|c| c.unit.clone()))
            .bind(pick(&gone, &|c| c.perspective.to_string()))
            .bind(pick(&gone, &|c| c.procedure.clone()))
            .bind(pick(&gone, &|c| c.month.clone()))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
    }
    Ok(())
}

/// Facts rows per statement of the bulk load.
const FACTS_CHUNK: usize = 5000;

/// Bulk load: the stored facts of the dossiers read in one statement per
/// chunk (their old contribution taken back), the new ones written with
/// one upsert per chunk, then the rollup and step deltas in bulk. The
/// rollup tables are locked first (commands wait for the load).
async fn load_in(
    conn: &mut PgConnection,
    facts: &[DossierFacts],
    steps: &StepRollups,
) -> StoreResult<()> {
    sqlx::query(
        "LOCK TABLE report_rollups, report_step_rollups, report_province_step_rollups \
         IN SHARE ROW EXCLUSIVE MODE",
    )
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut sorted: Vec<&DossierFacts> = facts.iter().collect();
    sorted.sort_by(|a, b| a.code.cmp(&b.code));
    sorted.dedup_by(|a, b| a.code == b.code);
    let mut rollups = Rollups::new();
    for chunk in sorted.chunks(FACTS_CHUNK) {
        let rows: Vec<FactsRow> = chunk
            .iter()
            .map(|f| FactsRow::of(f))
            .collect::<StoreResult<_>>()?;
        let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        let old = sqlx::query(
            "SELECT code, body::text FROM report_facts WHERE code = ANY($1) ORDER BY code FOR UPDATE",
        )
        .bind(&codes)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        let mut old_by_code = std::collections::HashMap::new();
        for r in &old {
            let code: &str = r.try_get(0).map_err(db_err)?;
            let body: &str = r.try_get(1).map_err(db_err)?;
            old_by_code.insert(code.to_string(), rsup::facts(code, body)?);
        }
        for f in chunk {
            rollups.apply(old_by_code.get(&f.code.to_string()), Some(f));
        }
        let col = |g: &dyn Fn(&FactsRow) -> &str| -> Vec<&str> { rows.iter().map(g).collect() };
        sqlx::query(
            "INSERT INTO report_facts (code, province, receiving_unit, competent_unit, procedure, \
             month, body) SELECT c, p, r, cu, pr, m, b::jsonb FROM UNNEST($1::text[], $2::text[], \
             $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS k(c, p, r, cu, pr, m, b) \
             ON CONFLICT (code) DO UPDATE SET province = EXCLUDED.province, \
             receiving_unit = EXCLUDED.receiving_unit, competent_unit = EXCLUDED.competent_unit, \
             procedure = EXCLUDED.procedure, month = EXCLUDED.month, body = EXCLUDED.body",
        )
        .bind(col(&|r| &r.code))
        .bind(col(&|r| &r.province))
        .bind(col(&|r| &r.receiving_unit))
        .bind(col(&|r| &r.competent_unit))
        .bind(col(&|r| &r.procedure))
        .bind(col(&|r| &r.month))
        .bind(col(&|r| &r.body))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    bulk_rollups(conn, &rollups).await?;
    bulk_steps(conn, StepTable::Unit, steps).await?;
    bulk_steps(conn, StepTable::Province, &steps.by_province()).await
}

/// Writes a command's report changes in its transaction (the rows come in
/// key order from the shared support).
pub(crate) async fn write_delta(conn: &mut PgConnection, d: &ReportDelta) -> StoreResult<()> {
    match &d.facts {
        Some(f) if d.facts_stored => {
            sqlx::query("UPDATE report_facts SET body = $2::jsonb WHERE code = $1")
                .bind(&f.code)
                .bind(&f.body)
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
        Some(f) => put_facts(conn, f).await?,
        None => {}
    }
    for (k, r) in &d.rollups {
        add_rollup(conn, &RollupColumns::of(k), r).await?;
    }
    for (k, r) in &d.steps {
        add_step(conn, StepTable::Unit, &StepColumns::of(k)?, r).await?;
    }
    for (k, r) in &d.province_steps {
        add_step(conn, StepTable::Province, &StepColumns::of(k)?, r).await?;
    }
    Ok(())
}

fn query_with<'q>(
    sql: &'q str,
    args: &'q [String],
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    args.iter().fold(sqlx::query(sql), |q, a| q.bind(a))
}

/// Dossiers whose events the backfill reads per round trip.
const BACKFILL_PAGE: i64 = 500;

/// Fills the report tables from the event log when the database has
/// dossiers and no facts at all (dossiers recorded before migration 0006),
/// in one transaction; the facts table is locked meanwhile (only when the
/// check finds work), so a second instance starting at the same time waits
/// and then finds it done.
/// Returns the number of dossiers counted.
pub(crate) async fn backfill(pool: &sqlx::PgPool) -> StoreResult<u64> {
    const NEEDED: &str =
        "SELECT EXISTS (SELECT 1 FROM dossiers) AND NOT EXISTS (SELECT 1 FROM report_facts)";
    let needed: bool = sqlx::query_scalar(NEEDED)
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    if !needed {
        return Ok(0);
    }
    let mut tx = pool.begin().await.map_err(db_err)?;
    sqlx::query("LOCK TABLE report_facts IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    let needed: bool = sqlx::query_scalar(NEEDED)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
    if !needed {
        return Ok(0);
    }
    let mut rebuild = Rebuild::default();
    let mut count = 0;
    let mut after = String::new();
    loop {
        let rows = sqlx::query(
            "SELECT dossier, seq, body, hash FROM dossier_events WHERE dossier IN \
             (SELECT code FROM dossiers WHERE code > $1 ORDER BY code LIMIT $2) \
             ORDER BY dossier, seq",
        )
        .bind(&after)
        .bind(BACKFILL_PAGE)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.try_get::<String, _>(0).map_err(db_err)?;
        let mut events = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            events.push(crate::dossiers::event_row(r)?.event);
            let next: Option<&str> = match rows.get(i + 1) {
                Some(n) => Some(n.try_get(0).map_err(db_err)?),
                None => None,
            };
            let this: &str = r.try_get(0).map_err(db_err)?;
            if next != Some(this) {
                if let Some(row) = rebuild.add(&events)? {
                    put_facts(&mut tx, &row).await?;
                }
                events.clear();
                count += 1;
            }
        }
    }
    bulk_rollups(&mut tx, &rebuild.rollups).await?;
    bulk_steps(&mut tx, StepTable::Unit, &rebuild.steps).await?;
    bulk_steps(&mut tx, StepTable::Province, &rebuild.steps.by_province()).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(count)
}

impl PgStore {
    async fn step_rows(&self, table: StepTable, query: &RollupQuery) -> StoreResult<StepRollups> {
        let (cond, args) = rsup::rollup_conditions(query, false, placeholder);
        self.step_rows_where(table, &cond, &args).await
    }

    async fn step_rows_where(
        &self,
        table: StepTable,
        cond: &str,
        args: &[String],
    ) -> StoreResult<StepRollups> {
        let sql = format!(
            "SELECT unit, procedure, step::bigint, kind, month, {} FROM {} WHERE {cond}",
            rsup::STEP_VALUE_COLUMNS,
            table.name()
        );
        let rows = query_with(&sql, args)
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?;
        let mut out = StepRollups::new();
        for r in &rows {
            let t = |i| r.try_get::<&str, _>(i).map_err(db_err);
            let step: i64 = r.try_get(2).map_err(db_err)?;
            let key = rsup::step_key(t(0)?, t(1)?, step, t(3)?, t(4)?)?;
            out.insert_row(key, &step_values(r, 5)?.decode()?);
        }
        Ok(out)
    }
}

#[async_trait]
impl ReportStore for PgStore {
    async fn rollups(&self, query: &RollupQuery) -> StoreResult<Rollups> {
        let (cond, args) = rsup::rollup_conditions(query, true, placeholder);
        let sql = format!(
            "SELECT unit, perspective, procedure, month, body::text FROM report_rollups \
             WHERE {cond}"
        );
        let rows = query_with(&sql, &args)
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?;
        let mut out = Rollups::new();
        for r in &rows {
            let t = |i| r.try_get::<&str, _>(i).map_err(db_err);
            let (k, v) = rsup::rollup_row(t(0)?, t(1)?, t(2)?, t(3)?, t(4)?)?;
            out.insert_row(k, &v);
        }
        Ok(out)
    }

    async fn step_rollups(&self, query: &RollupQuery) -> StoreResult<StepRollups> {
        self.step_rows(StepTable::Unit, query).await
    }

    async fn province_step_rollups(&self, query: &RollupQuery) -> StoreResult<StepRollups> {
        self.step_rows(StepTable::Province, query).await
    }

    async fn unit_procedure_steps(
        &self,
        pairs: &[(UnitId, ProcedureCode)],
        from: Month,
        to: Month,
    ) -> StoreResult<StepRollups> {
        match rsup::pairs_conditions(pairs, from, to, placeholder) {
            Some((cond, args)) => self.step_rows_where(StepTable::Unit, &cond, &args).await,
            None => Ok(StepRollups::new()),
        }
    }

    async fn step_totals(&self, query: &RollupQuery) -> StoreResult<StepRollups> {
        let (cond, args) = rsup::rollup_conditions(query, false, placeholder);
        let sql = format!(
            "SELECT unit, procedure, step::bigint, kind, {} FROM report_step_rollups \
             WHERE {cond} GROUP BY unit, procedure, step, kind",
            rsup::STEP_SUM_COLUMNS.replace(')', ")::bigint")
        );
        let rows = query_with(&sql, &args)
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?;
        let month = query.from.to_string();
        let mut out = StepRollups::new();
        for r in &rows {
            let t = |i| r.try_get::<&str, _>(i).map_err(db_err);
            let step: i64 = r.try_get(2).map_err(db_err)?;
            let key = rsup::step_key(t(0)?, t(1)?, step, t(3)?, &month)?;
            let mut scalars = [0i64; STEP_SCALARS];
            for (i, v) in scalars.iter_mut().enumerate() {
                *v = r.try_get(4 + i).map_err(db_err)?;
            }
            out.insert_row(
                key,
                &StepRollup::from_parts(scalars, Sketch::new(), Sketch::new()),
            );
        }
        Ok(out)
    }

    async fn scan_facts(&self, query: &RollupQuery) -> StoreResult<Rollups> {
        // One query whose rows are streamed and folded as they arrive (no
        // ORDER BY: pages ordered by code made PostgreSQL sort every
        // matching row again for each page).
        let (cond, args) = rsup::facts_conditions(query, placeholder);
        let sql = format!("SELECT code, body::text FROM report_facts WHERE {cond}");
        let mut scan = rsup::FactsScan::new(query);
        let mut rows = query_with(&sql, &args).fetch(self.pool());
        while let Some(r) = rows.try_next().await.map_err(db_err)? {
            let code: &str = r.try_get(0).map_err(db_err)?;
            let body: &str = r.try_get(1).map_err(db_err)?;
            scan.add(&rsup::facts(code, body)?);
        }
        Ok(scan.finish())
    }

    async fn load_facts(&self, facts: &[DossierFacts], steps: &StepRollups) -> StoreResult<()> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        load_in(&mut tx, facts, steps).await?;
        tx.commit().await.map_err(db_err)
    }
}
