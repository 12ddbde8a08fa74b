//! The dossier store on PostgreSQL: one transaction per command. The
//! projection row is locked (`SELECT … FOR UPDATE`), so two officials
//! acting on one dossier are serialized: the second sees the first's
//! result (a version conflict if it named a version, otherwise a decision
//! on the new state). Codes are allocated by an upsert on the unit-day row
//! in the same transaction, so a rolled-back open leaves no gap. The
//! command's staged attachments ([`CommandRequest::blobs`]) are written in
//! that transaction too.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::dossier::{
    to_micros, vietnam_date, ChainedEvent, Command, DossierCode, DossierState, GENESIS,
};
use motcua_domain::procedure::{Procedure, ProcedureCode};
use motcua_store::dossier_support::{self as sup, SummaryRow};
use motcua_store::{
    effective_limit, ApologyQuery, Applied, CommandError, CommandRequest, DossierFilter,
    DossierStore, DossierSummary, EventStream, QueueQuery, StoreError, StoreResult, Target,
    APOLOGY_STATUSES, QUEUE_STATUSES,
};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, QueryBuilder, Row};

use crate::{db_err, PgStore};

pub(crate) const SUMMARY_COLUMNS: &str = "code, procedure_code, procedure_name, applicant_name, \
     receiving_unit, competent_unit, status, step_role, holder_unit, assignee, submitted_at, \
     due, version, step_kind, rescheduled";

pub(crate) fn summary_row(r: &PgRow) -> StoreResult<DossierSummary> {
    SummaryRow {
        code: r.try_get(0).map_err(db_err)?,
        procedure_code: r.try_get(1).map_err(db_err)?,
        procedure_name: r.try_get(2).map_err(db_err)?,
        applicant_name: r.try_get(3).map_err(db_err)?,
        receiving_unit: r.try_get(4).map_err(db_err)?,
        competent_unit: r.try_get(5).map_err(db_err)?,
        status: i64::from(r.try_get::<i16, _>(6).map_err(db_err)?),
        step_role: r.try_get(7).map_err(db_err)?,
        holder_unit: r.try_get(8).map_err(db_err)?,
        assignee: r.try_get(9).map_err(db_err)?,
        submitted_at: r.try_get(10).map_err(db_err)?,
        due: r.try_get(11).map_err(db_err)?,
        version: r.try_get(12).map_err(db_err)?,
        step_kind: r.try_get(13).map_err(db_err)?,
        rescheduled: r.try_get(14).map_err(db_err)?,
    }
    .decode()
}

pub(crate) fn event_row(r: &PgRow) -> StoreResult<ChainedEvent> {
    let dossier: &str = r.try_get(0).map_err(db_err)?;
    let seq: i64 = r.try_get(1).map_err(db_err)?;
    let body: &str = r.try_get(2).map_err(db_err)?;
    let hash: &[u8] = r.try_get(3).map_err(db_err)?;
    sup::decode_event(dossier, seq, body, hash)
}

/// Claims (user, key) for this transaction, or returns the answer it
/// already has. A concurrent claim of the same key waits for the first
/// transaction: if that one commits, this sees its answer.
async fn claim_key(
    conn: &mut PgConnection,
    user: &str,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Result<Applied, CommandError>>> {
    let claimed = sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, fingerprint, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, key) DO NOTHING",
    )
    .bind(user)
    .bind(key)
    .bind(fingerprint)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?
    .rows_affected();
    if claimed == 1 {
        return Ok(None);
    }
    let row: (String, Option<String>) = sqlx::query_as(
        "SELECT fingerprint, response::text FROM idempotency_keys \
         WHERE user_id = $1 AND key = $2",
    )
    .bind(user)
    .bind(key)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    if row.0 != fingerprint {
        return Ok(Some(Err(CommandError::KeyReused)));
    }
    let response = row.1.ok_or_else(|| {
        StoreError::Corrupt(format!(
            "idempotency_keys.response of ({user}, {key}) is empty"
        ))
    })?;
    sup::replayed(&response).map(|a| Some(Ok(a)))
}

async fn last_hash(conn: &mut PgConnection, code: &str, version: i64) -> StoreResult<[u8; 32]> {
    if version == 0 {
        return Ok(GENESIS);
    }
    let hash: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT hash FROM dossier_events WHERE dossier = $1 AND seq = $2")
            .bind(code)
            .bind(version - 1)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
    let hash = hash.ok_or_else(|| {
        StoreError::Corrupt(format!(
            "dossier {code} is at version {version} but has no event #{}",
            version - 1
        ))
    })?;
    hash.as_slice()
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("dossier_events.hash of {code} #{}", version - 1)))
}

/// Runs one command inside the caller's transaction (see the trait's doc).
async fn execute_in(
    conn: &mut PgConnection,
    req: &CommandRequest,
) -> StoreResult<Result<Applied, CommandError>> {
    let user = req.actor.user.as_str();
    let now = to_micros(req.now);
    if let Some(idem) = &req.idempotency {
        if let Some(answer) = claim_key(conn, user, &idem.key, &idem.fingerprint, now).await? {
            return Ok(answer);
        }
    }

    let opened: Command;
    let (state, command, old_version) = match &req.target {
        Target::New(open) => {
            let today = vietnam_date(req.now);
            let seq: i32 = sqlx::query_scalar(
                "INSERT INTO dossier_sequences (unit, day, last) VALUES ($1, $2, 1) \
                 ON CONFLICT (unit, day) DO UPDATE SET last = dossier_sequences.last + 1 \
                 RETURNING last",
            )
            .bind(open.receiving_unit.as_str())
            .bind(today)
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
            let code = match sup::allocated_code(&open.receiving_unit, today, i64::from(seq))? {
                Ok(code) => code,
                Err(e) => return Ok(Err(e)),
            };
            opened = sup::open_command(open, code);
            (DossierState::new(), &opened, None)
        }
        Target::Existing {
            code,
            expected_version,
            command,
        } => {
            let code_text = code.to_string();
            let row: Option<(String, i64)> = sqlx::query_as(
                "SELECT state::text, version FROM dossiers WHERE code = $1 FOR UPDATE",
            )
            .bind(&code_text)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
            let Some((state_json, version)) = row else {
                return Ok(Err(CommandError::NotFound(code.clone())));
            };
            let actual = sup::version("dossiers.version", version)?;
            if let Some(expected) = expected_version {
                if *expected != actual {
                    return Ok(Err(CommandError::VersionConflict {
                        code: code.clone(),
                        expected: *expected,
                        actual,
                    }));
                }
            }
            let state = sup::decode_state(&code_text, &state_json, version)?;
            (state, command, Some((code_text, version)))
        }
    };

    let (prev, facts) = match &old_version {
        Some((code, v)) => (
            last_hash(conn, code, *v).await?,
            crate::reports::stored_facts(conn, code).await?,
        ),
        None => (GENESIS, None),
    };
    let decided = match sup::decide_and_chain(state, facts, command, &req.actor, req.now, prev)? {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let p = &decided.projection;

    for blob in &req.blobs {
        crate::blobs::write(conn, blob).await?;
    }
    for (ce, body) in decided.applied.events.iter().zip(&decided.bodies) {
        let e = &ce.event;
        sqlx::query(
            "INSERT INTO dossier_events \
             (dossier, seq, type, at, actor_role, actor_user, actor_unit, body, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&p.code)
        .bind(sup::db_version(e.seq)?)
        .bind(e.type_name())
        .bind(e.at)
        .bind(e.actor.role.as_str())
        .bind(e.actor.user.as_str())
        .bind(e.actor.unit.as_ref().map(|u| u.as_str()))
        .bind(body)
        .bind(ce.hash.as_slice())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }

    let version = sup::db_version(p.version)?;
    let status = i16::from(p.status);
    match &old_version {
        None => {
            sqlx::query(
                "INSERT INTO dossiers (code, province_code, receiving_unit, competent_unit, \
                 procedure_code, procedure_version, procedure_name, applicant_name, \
                 applicant_fold, status, step_role, holder_unit, assignee, submitted_at, due, \
                 version, state, updated_at, step_kind, rescheduled) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17::jsonb, $18, $19, $20)",
            )
            .bind(&p.code)
            .bind(&p.province_code)
            .bind(&p.receiving_unit)
            .bind(&p.competent_unit)
            .bind(&p.procedure_code)
            .bind(i64::from(p.procedure_version))
            .bind(&p.procedure_name)
            .bind(&p.applicant_name)
            .bind(&p.applicant_fold)
            .bind(status)
            .bind(p.step_role)
            .bind(&p.holder_unit)
            .bind(&p.assignee)
            .bind(p.submitted_at)
            .bind(p.due)
            .bind(version)
            .bind(&p.state_json)
            .bind(now)
            .bind(p.step_kind)
            .bind(p.rescheduled)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        Some((_, old)) => {
            let n = sqlx::query(
                "UPDATE dossiers SET status = $2, step_role = $3, holder_unit = $4, \
                 assignee = $5, due = $6, version = $7, state = $8::jsonb, updated_at = $9, \
                 applicant_name = $10, applicant_fold = $11, step_kind = $13, \
                 rescheduled = $14 WHERE code = $1 AND version = $12",
            )
            .bind(&p.code)
            .bind(status)
            .bind(p.step_role)
            .bind(&p.holder_unit)
            .bind(&p.assignee)
            .bind(p.due)
            .bind(version)
            .bind(&p.state_json)
            .bind(now)
            .bind(&p.applicant_name)
            .bind(&p.applicant_fold)
            .bind(*old)
            .bind(p.step_kind)
            .bind(p.rescheduled)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?
            .rows_affected();
            if n != 1 {
                return Err(StoreError::Conflict("dossiers_version".into()));
            }
        }
    }

    crate::reports::write_delta(conn, &decided.reports).await?;
    crate::outbox::write_for_command(conn, &req.target, &decided, now).await?;

    if let Some(idem) = &req.idempotency {
        sqlx::query(
            "UPDATE idempotency_keys SET dossier = $3, response = $4::jsonb \
             WHERE user_id = $1 AND key = $2",
        )
        .bind(user)
        .bind(&idem.key)
        .bind(&p.code)
        .bind(&decided.response_json)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    tracing::debug!(
        dossier = %p.code,
        version = p.version,
        command = command.name(),
        "dossier command applied"
    );
    Ok(Ok(decided.applied))
}

async fn put_procedures_in(conn: &mut PgConnection, procedures: &[Procedure]) -> StoreResult<()> {
    for p in procedures {
        let body = sup::procedure_body(p)?;
        let inserted = sqlx::query(
            "INSERT INTO procedures (code, version, effective_from, effective_until, name_vi, \
             body) VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (code, version) DO NOTHING",
        )
        .bind(p.code.as_str())
        .bind(i64::from(p.version))
        .bind(p.effective_from)
        .bind(p.effective_until)
        .bind(&p.name_vi)
        .bind(&body)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?
        .rows_affected();
        if inserted == 0 {
            let stored: String = sqlx::query_scalar(
                "SELECT body::text FROM procedures WHERE code = $1 AND version = $2",
            )
            .bind(p.code.as_str())
            .bind(i64::from(p.version))
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
            if &sup::procedure(&stored)? != p {
                return Err(sup::procedure_conflict(p));
            }
        }
    }
    Ok(())
}

fn procedures_of(rows: Vec<String>) -> StoreResult<Vec<Procedure>> {
    rows.iter().map(|b| sup::procedure(b)).collect()
}

#[async_trait]
impl DossierStore for PgStore {
    async fn put_procedures(&self, procedures: &[Procedure]) -> StoreResult<()> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        put_procedures_in(&mut tx, procedures).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn procedures(&self) -> StoreResult<Vec<Procedure>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT body::text FROM procedures ORDER BY code, version")
                .fetch_all(self.pool())
                .await
                .map_err(db_err)?;
        procedures_of(rows)
    }

    async fn procedure(
        &self,
        code: &ProcedureCode,
        on: NaiveDate,
    ) -> StoreResult<Option<Procedure>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT body::text FROM procedures WHERE code = $1 AND effective_from <= $2 \
             AND (effective_until IS NULL OR effective_until > $2) \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(code.as_str())
        .bind(on)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        Ok(procedures_of(rows)?.pop())
    }

    async fn execute(&self, request: CommandRequest) -> StoreResult<Result<Applied, CommandError>> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let result = execute_in(&mut tx, &request).await;
        match result {
            Ok(Ok(applied)) if !applied.replayed => {
                tx.commit().await.map_err(db_err)?;
                Ok(Ok(applied))
            }
            other => {
                if let Err(e) = tx.rollback().await {
                    tracing::warn!(error = %e, "rolling back a dossier command failed");
                }
                other
            }
        }
    }

    async fn dossier(&self, code: &DossierCode) -> StoreResult<Option<DossierState>> {
        let code = code.to_string();
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT state::text, version FROM dossiers WHERE code = $1")
                .bind(&code)
                .fetch_optional(self.pool())
                .await
                .map_err(db_err)?;
        row.map(|(state, version)| sup::decode_state(&code, &state, version))
            .transpose()
    }

    async fn events(&self, code: &DossierCode) -> StoreResult<Vec<ChainedEvent>> {
        let rows = sqlx::query(
            "SELECT dossier, seq, body, hash FROM dossier_events WHERE dossier = $1 ORDER BY seq",
        )
        .bind(code.to_string())
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        rows.iter().map(event_row).collect()
    }

    async fn search(&self, f: &DossierFilter) -> StoreResult<Vec<DossierSummary>> {
        let mut qb: QueryBuilder<sqlx::Postgres> =
            QueryBuilder::new(format!("SELECT {SUMMARY_COLUMNS} FROM dossiers WHERE TRUE"));
        push_filter(&mut qb, f);
        let rows = qb.build().fetch_all(self.pool()).await.map_err(db_err)?;
        rows.iter().map(summary_row).collect()
    }

    async fn queue(&self, q: &QueueQuery) -> StoreResult<Vec<DossierSummary>> {
        let statuses: Vec<i16> = QUEUE_STATUSES.iter().map(|s| i16::from(s.code())).collect();
        let mut qb: QueryBuilder<sqlx::Postgres> = QueryBuilder::new(format!(
            "SELECT {SUMMARY_COLUMNS} FROM dossiers WHERE holder_unit = "
        ));
        qb.push_bind(q.unit.to_string())
            .push(" AND step_role = ")
            .push_bind(q.role.as_str())
            .push(" AND status = ANY(")
            .push_bind(statuses)
            .push(")");
        if let Some(a) = &q.assignee {
            qb.push(" AND assignee = ").push_bind(a.clone());
        }
        qb.push(" ORDER BY due ASC NULLS LAST, code LIMIT ")
            .push_bind(i64::from(effective_limit(q.limit)));
        let rows = qb.build().fetch_all(self.pool()).await.map_err(db_err)?;
        rows.iter().map(summary_row).collect()
    }

    async fn apologies_owed(&self, q: &ApologyQuery) -> StoreResult<Vec<DossierSummary>> {
        let statuses: Vec<i16> = APOLOGY_STATUSES
            .iter()
            .map(|s| i16::from(s.code()))
            .collect();
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM dossiers \
             WHERE competent_unit = $1 AND NOT rescheduled AND due IS NOT NULL AND due < $2 \
             AND status = ANY($3) ORDER BY due, code LIMIT $4"
        ))
        .bind(q.unit.to_string())
        .bind(q.due_before)
        .bind(statuses)
        .bind(i64::from(effective_limit(q.limit)))
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        rows.iter().map(summary_row).collect()
    }

    async fn event_streams(
        &self,
        after: Option<&DossierCode>,
        limit: u32,
    ) -> StoreResult<Vec<EventStream>> {
        let after = after.map(|c| c.to_string()).unwrap_or_default();
        let rows = sqlx::query(
            "SELECT dossier, seq, body, hash FROM dossier_events WHERE dossier IN \
             (SELECT DISTINCT dossier FROM dossier_events WHERE dossier > $1 \
              ORDER BY dossier LIMIT $2) \
             ORDER BY dossier, seq",
        )
        .bind(after)
        .bind(i64::from(effective_limit(limit)))
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        let mut out: Vec<EventStream> = Vec::new();
        for r in &rows {
            let dossier: &str = r.try_get(0).map_err(db_err)?;
            let event = event_row(r)?;
            match out.last_mut() {
                Some(s) if s.code.to_string() == dossier => s.events.push(event),
                _ => out.push(EventStream {
                    code: sup::dossier_code("dossier_events.dossier", dossier)?,
                    events: vec![event],
                }),
            }
        }
        Ok(out)
    }
}

/// Narrows a dossier query by the filter, then orders and pages it; shared
/// by the plain and the scoped searches.
pub(crate) fn push_filter(qb: &mut QueryBuilder<'_, sqlx::Postgres>, f: &DossierFilter) {
    if let Some(code) = &f.code {
        qb.push(" AND strpos(code, ")
            .push_bind(code.trim().to_uppercase())
            .push(") > 0");
    }
    if let Some(unit) = &f.unit {
        qb.push(" AND (receiving_unit = ")
            .push_bind(unit.to_string())
            .push(" OR competent_unit = ")
            .push_bind(unit.to_string())
            .push(")");
    }
    if let Some(p) = &f.procedure {
        qb.push(" AND procedure_code = ").push_bind(p.to_string());
    }
    if let Some(a) = &f.applicant {
        qb.push(" AND strpos(applicant_fold, ")
            .push_bind(sup::fold(a.trim()))
            .push(") > 0");
    }
    if let Some(s) = f.status {
        qb.push(" AND status = ").push_bind(i16::from(s.code()));
    }
    if let Some(t) = f.submitted_from {
        qb.push(" AND submitted_at >= ").push_bind(t);
    }
    if let Some(t) = f.submitted_to {
        qb.push(" AND submitted_at < ").push_bind(t);
    }
    qb.push(" ORDER BY submitted_at DESC, code DESC LIMIT ")
        .push_bind(i64::from(effective_limit(f.limit)))
        .push(" OFFSET ")
        .push_bind(i64::from(f.offset));
}

/// Fills `dossiers.step_kind` of the open dossiers written before it
/// existed (migration 0009) from their stored state, in one transaction.
/// Returns the number of rows filled.
pub(crate) async fn fill_step_kinds(pool: &sqlx::PgPool) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let todo = sqlx::query(
        "SELECT code, state::text FROM dossiers \
         WHERE step_kind IS NULL AND step_role IS NOT NULL FOR UPDATE",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    let mut filled = 0;
    for r in &todo {
        let code: &str = r.try_get(0).map_err(db_err)?;
        let state: &str = r.try_get(1).map_err(db_err)?;
        if let Some(kind) = sup::step_kind_of_state(code, state)? {
            sqlx::query("UPDATE dossiers SET step_kind = $2 WHERE code = $1")
                .bind(code)
                .bind(kind)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            filled += 1;
        }
    }
    tx.commit().await.map_err(db_err)?;
    Ok(filled)
}
