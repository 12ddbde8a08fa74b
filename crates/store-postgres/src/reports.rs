//! The report store on PostgreSQL. A command writes its facts row and
//! read-modify-writes the rollup rows it changes in its own transaction
//! ([`write_delta`]): each row is locked (`SELECT … FOR UPDATE`) in key
//! order, figures before steps, so concurrent commands serialize on a
//! shared row without deadlocking; a missing row is inserted, and a
//! concurrent insert of the same row makes the loser lock and update it.

use async_trait::async_trait;
use motcua_domain::reports::{DossierFacts, Rollup, Rollups, StepRollup, StepRollups};
use motcua_store::report_support::{
    self as rsup, FactsRow, Rebuild, ReportDelta, RollupColumns, StepColumns,
};
use motcua_store::{ReportStore, RollupQuery, StoreError, StoreResult};
use sqlx::{PgConnection, Row};

use crate::{db_err, PgStore};

/// Facts rows read per round trip by the full scan (keyset pages by code).
const SCAN_PAGE: usize = 5000;

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

async fn add_step(conn: &mut PgConnection, c: &StepColumns, delta: &StepRollup) -> StoreResult<()> {
    for _ in 0..ATTEMPTS {
        let stored: Option<String> = sqlx::query_scalar(
            "SELECT body::text FROM report_step_rollups \
             WHERE unit = $1 AND procedure = $2 AND step = $3 AND kind = $4 AND month = $5 \
             FOR UPDATE",
        )
        .bind(&c.unit)
        .bind(&c.procedure)
        .bind(c.step)
        .bind(c.kind)
        .bind(&c.month)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
        let merged = rsup::merged(stored.as_deref(), delta)?;
        let done = match (stored.is_some(), merged) {
            (true, Some(body)) => sqlx::query(
                "UPDATE report_step_rollups SET body = $6::jsonb \
                 WHERE unit = $1 AND procedure = $2 AND step = $3 AND kind = $4 AND month = $5",
            )
            .bind(&c.unit)
            .bind(&c.procedure)
            .bind(c.step)
            .bind(c.kind)
            .bind(&c.month)
            .bind(body),
            (true, None) => sqlx::query(
                "DELETE FROM report_step_rollups \
                 WHERE unit = $1 AND procedure = $2 AND step = $3 AND kind = $4 AND month = $5",
            )
            .bind(&c.unit)
            .bind(&c.procedure)
            .bind(c.step)
            .bind(c.kind)
            .bind(&c.month),
            (false, Some(body)) => sqlx::query(
                "INSERT INTO report_step_rollups (unit, procedure, step, kind, month, province, \
                 body) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) \
                 ON CONFLICT (unit, procedure, step, kind, month) DO NOTHING",
            )
            .bind(&c.unit)
            .bind(&c.procedure)
            .bind(c.step)
            .bind(c.kind)
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
    Err(contended("report_step_rollups"))
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
        add_step(conn, &StepColumns::of(k)?, r).await?;
    }
    Ok(())
}

async fn load_in(
    conn: &mut PgConnection,
    facts: &[DossierFacts],
    steps: &StepRollups,
) -> StoreResult<()> {
    let mut sorted: Vec<&DossierFacts> = facts.iter().collect();
    sorted.sort_by(|a, b| a.code.cmp(&b.code));
    let mut rollups = Rollups::new();
    for f in sorted {
        let old = stored_facts(conn, &f.code.to_string()).await?;
        rollups.apply(old.as_ref(), Some(f));
        put_facts(conn, &FactsRow::of(f)?).await?;
    }
    for (k, r) in rollups.rows() {
        add_rollup(conn, &RollupColumns::of(k), r).await?;
    }
    for (k, r) in steps.rows() {
        add_step(conn, &StepColumns::of(k)?, r).await?;
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
    for (k, r) in rebuild.rollups.rows() {
        add_rollup(&mut tx, &RollupColumns::of(k), r).await?;
    }
    for (k, r) in rebuild.steps.rows() {
        add_step(&mut tx, &StepColumns::of(k)?, r).await?;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(count)
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
        let (cond, args) = rsup::rollup_conditions(query, false, placeholder);
        let sql = format!(
            "SELECT unit, procedure, step::bigint, kind, month, body::text \
             FROM report_step_rollups WHERE {cond}"
        );
        let rows = query_with(&sql, &args)
            .fetch_all(self.pool())
            .await
            .map_err(db_err)?;
        let mut out = StepRollups::new();
        for r in &rows {
            let t = |i| r.try_get::<&str, _>(i).map_err(db_err);
            let step: i64 = r.try_get(2).map_err(db_err)?;
            let (k, v) = rsup::step_row(t(0)?, t(1)?, step, t(3)?, t(4)?, t(5)?)?;
            out.insert_row(k, &v);
        }
        Ok(out)
    }

    async fn scan_facts(&self, query: &RollupQuery) -> StoreResult<Rollups> {
        let (cond, mut args) = rsup::facts_conditions(query, placeholder);
        let after = args.len() + 1;
        let sql = format!(
            "SELECT code, body::text FROM report_facts WHERE {cond} AND code > ${after} \
             ORDER BY code LIMIT {SCAN_PAGE}"
        );
        args.push(String::new());
        let mut scan = rsup::FactsScan::new(query);
        loop {
            let rows = query_with(&sql, &args)
                .fetch_all(self.pool())
                .await
                .map_err(db_err)?;
            for r in &rows {
                let code: &str = r.try_get(0).map_err(db_err)?;
                let body: &str = r.try_get(1).map_err(db_err)?;
                scan.add(&rsup::facts(code, body)?);
            }
            match rows.last() {
                Some(r) if rows.len() == SCAN_PAGE => {
                    args[after - 1] = r.try_get::<String, _>(0).map_err(db_err)?;
                }
                _ => return Ok(scan.finish()),
            }
        }
    }

    async fn load_facts(&self, facts: &[DossierFacts], steps: &StepRollups) -> StoreResult<()> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        load_in(&mut tx, facts, steps).await?;
        tx.commit().await.map_err(db_err)
    }
}
