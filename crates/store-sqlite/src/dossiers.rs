//! The dossier store on SQLite. Commands run on the writer thread, each in
//! its own savepoint of a group commit; reads use the reader connections.

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
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::{db_err, SqliteStore};

/// Timestamps as text: UTC, microseconds, sortable
/// (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, what `%Y-%m-%dT%H:%M:%S%.6fZ` gives,
/// without parsing a format string on every call: this is on the writer's
/// hot path).
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let (date, time) = (t.date_naive(), t.time());
    let nanos = time.nanosecond();
    let (leap, nanos) = if nanos >= 1_000_000_000 {
        (1, nanos - 1_000_000_000)
    } else {
        (0, nanos)
    };
    let mut s = String::with_capacity(27);
    let _ = write!(
        s,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        date.year(),
        date.month(),
        date.day(),
        time.hour(),
        time.minute(),
        time.second() + leap,
        nanos / 1000
    );
    s
}

pub(crate) fn parse_ts(column: &str, s: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("{column}: {s:?}: {e}")))
}

fn day(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

const SUMMARY_COLUMNS: &str = "code, procedure_code, procedure_name, applicant_name, \
     receiving_unit, competent_unit, status, step_role, holder_unit, assignee, submitted_at, \
     due, version, step_kind, rescheduled";

fn summary_row(r: &Row<'_>) -> StoreResult<DossierSummary> {
    let text = |i| r.get::<_, String>(i).map_err(db_err);
    let opt = |i| r.get::<_, Option<String>>(i).map_err(db_err);
    let due = opt(11)?;
    SummaryRow {
        code: text(0)?,
        procedure_code: text(1)?,
        procedure_name: text(2)?,
        applicant_name: text(3)?,
        receiving_unit: text(4)?,
        competent_unit: text(5)?,
        status: r.get(6).map_err(db_err)?,
        step_role: opt(7)?,
        holder_unit: opt(8)?,
        assignee: opt(9)?,
        submitted_at: parse_ts("dossiers.submitted_at", &text(10)?)?,
        due: due
            .as_deref()
            .map(|d| parse_ts("dossiers.due", d))
            .transpose()?,
        version: r.get(12).map_err(db_err)?,
        step_kind: opt(13)?,
        rescheduled: r.get(14).map_err(db_err)?,
    }
    .decode()
}

fn query_summaries(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> StoreResult<Vec<DossierSummary>> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let mut rows = stmt.query(args).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        out.push(summary_row(r)?);
    }
    Ok(out)
}

pub(crate) fn event_row(r: &Row<'_>) -> StoreResult<ChainedEvent> {
    let dossier: String = r.get(0).map_err(db_err)?;
    let seq: i64 = r.get(1).map_err(db_err)?;
    let body: String = r.get(2).map_err(db_err)?;
    let hash: String = r.get(3).map_err(db_err)?;
    let hash = sup::decode_hex_hash(&dossier, seq, &hash)?;
    sup::decode_event(&dossier, seq, &body, &hash)
}

/// The idempotency record of (user, key), if any.
fn stored_answer(
    conn: &Connection,
    user: &str,
    key: &str,
    fingerprint: &str,
) -> StoreResult<Option<Result<Applied, CommandError>>> {
    let row: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT fingerprint, response FROM idempotency_keys WHERE user_id = ?1 AND key = ?2",
        )
        .map_err(db_err)?
        .query_row(params![user, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(db_err)?;
    row.map(|(stored, response)| {
        if stored == fingerprint {
            sup::replayed(&response).map(Ok)
        } else {
            Ok(Err(CommandError::KeyReused))
        }
    })
    .transpose()
}

/// The last stored hash of a dossier at `version` (GENESIS at 0).
fn last_hash(conn: &Connection, code: &str, version: i64) -> StoreResult<[u8; 32]> {
    if version == 0 {
        return Ok(GENESIS);
    }
    let hash: Option<String> = conn
        .prepare_cached("SELECT hash FROM dossier_events WHERE dossier = ?1 AND seq = ?2")
        .map_err(db_err)?
        .query_row(params![code, version - 1], |r| r.get(0))
        .optional()
        .map_err(db_err)?;
    let hash = hash.ok_or_else(|| {
        StoreError::Corrupt(format!(
            "dossier {code} is at version {version} but has no event #{}",
            version - 1
        ))
    })?;
    sup::decode_hex_hash(code, version - 1, &hash)
}

/// Runs one command inside the writer's savepoint (see the trait's doc).
fn execute_in(
    conn: &Connection,
    req: &CommandRequest,
) -> StoreResult<Result<Applied, CommandError>> {
    let user = req.actor.user.as_str();
    let key = match &req.idempotency {
        Some(idem) => {
            let (key, fp) = (idem.key.as_str(), idem.fingerprint.as_str());
            if let Some(answer) = stored_answer(conn, user, key, fp)? {
                return Ok(answer);
            }
            Some((key, fp))
        }
        None => None,
    };

    let opened: Command;
    let (state, facts, command, old_version, prev) = match &req.target {
        Target::New(open) => {
            let today = vietnam_date(req.now);
            let seq: i64 = conn
                .prepare_cached(
                    "INSERT INTO dossier_sequences (unit, day, last) VALUES (?1, ?2, 1) \
                     ON CONFLICT (unit, day) DO UPDATE SET last = last + 1 RETURNING last",
                )
                .map_err(db_err)?
                .query_row(params![open.receiving_unit.as_str(), day(today)], |r| {
                    r.get(0)
                })
                .map_err(db_err)?;
            let code = match sup::allocated_code(&open.receiving_unit, today, seq)? {
                Ok(code) => code,
                Err(e) => return Ok(Err(e)),
            };
            opened = sup::open_command(open, code);
            (DossierState::new(), None, &opened, None, GENESIS)
        }
        Target::Existing {
            code,
            expected_version,
            command,
        } => {
            let code_text = code.to_string();
            let row: Option<(String, i64, Option<String>)> = conn
                .prepare_cached(
                    "SELECT d.state, d.version, f.body FROM dossiers d \
                     LEFT JOIN report_facts f ON f.code = d.code WHERE d.code = ?1",
                )
                .map_err(db_err)?
                .query_row([&code_text], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()
                .map_err(db_err)?;
            let Some((state_json, version, facts)) = row else {
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
            let prev = last_hash(conn, &code_text, version)?;
            let facts = facts
                .map(|f| motcua_store::report_support::facts(&code_text, &f))
                .transpose()?;
            (state, facts, command, Some(version), prev)
        }
    };

    let decided = match sup::decide_and_chain(state, facts, command, &req.actor, req.now, prev)? {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let now = ts(to_micros(req.now));
    let p = &decided.projection;

    {
        let mut ins = conn
            .prepare_cached(
                "INSERT INTO dossier_events \
                 (dossier, seq, type, at, actor_role, actor_user, actor_unit, body, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(db_err)?;
        for (ce, body) in decided.applied.events.iter().zip(&decided.bodies) {
            let e = &ce.event;
            ins.execute(params![
                p.code,
                sup::db_version(e.seq)?,
                e.type_name(),
                ts(e.at),
                e.actor.role.as_str(),
                e.actor.user.as_str(),
                e.actor.unit.as_ref().map(|u| u.as_str()),
                body,
                hex_lower(&ce.hash),
            ])
            .map_err(db_err)?;
        }
    }

    let version = sup::db_version(p.version)?;
    let due = p.due.map(ts);
    match old_version {
        None => {
            conn.prepare_cached(
                "INSERT INTO dossiers (code, province_code, receiving_unit, competent_unit, \
                 procedure_code, procedure_version, procedure_name, applicant_name, applicant_fold, \
                 status, step_role, holder_unit, assignee, submitted_at, due, version, state, \
                 updated_at, step_kind, rescheduled) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
                 ?17, ?18, ?19, ?20)",
            )
            .map_err(db_err)?
            .execute(params![
                p.code,
                p.province_code,
                p.receiving_unit,
                p.competent_unit,
                p.procedure_code,
                p.procedure_version,
                p.procedure_name,
                p.applicant_name,
                p.applicant_fold,
                p.status,
                p.step_role,
                p.holder_unit,
                p.assignee,
                ts(p.submitted_at),
                due,
                version,
                p.state_json,
                now,
                p.step_kind,
                p.rescheduled,
            ])
            .map_err(db_err)?;
        }
        Some(old) => {
            let n = conn
                .prepare_cached(
                    "UPDATE dossiers SET status = ?2, step_role = ?3, holder_unit = ?4, \
                     assignee = ?5, due = ?6, version = ?7, state = ?8, updated_at = ?9, \
                     applicant_name = ?10, applicant_fold = ?11, step_kind = ?13, \
                     rescheduled = ?14 WHERE code = ?1 AND version = ?12",
                )
                .map_err(db_err)?
                .execute(params![
                    p.code,
                    p.status,
                    p.step_role,
                    p.holder_unit,
                    p.assignee,
                    due,
                    version,
                    p.state_json,
                    now,
                    p.applicant_name,
                    p.applicant_fold,
                    old,
                    p.step_kind,
                    p.rescheduled,
                ])
                .map_err(db_err)?;
            if n != 1 {
                return Err(StoreError::Conflict("dossiers_version".into()));
            }
        }
    }

    crate::reports::write_delta(conn, &decided.reports)?;
    crate::outbox::write_for_command(conn, &req.target, &decided, to_micros(req.now))?;

    if let Some((key, fp)) = key {
        conn.prepare_cached(
            "INSERT INTO idempotency_keys (user_id, key, fingerprint, dossier, response, \
             created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(db_err)?
        .execute(params![user, key, fp, p.code, decided.response_json, now])
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

fn hex_lower(h: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(64);
    for b in h {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

fn put_procedures_in(conn: &Connection, procedures: &[Procedure]) -> StoreResult<()> {
    for p in procedures {
        let body = sup::procedure_body(p)?;
        let inserted = conn
            .prepare_cached(
                "INSERT INTO procedures (code, version, effective_from, effective_until, name_vi, \
                 body) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (code, version) DO NOTHING",
            )
            .map_err(db_err)?
            .execute(params![
                p.code.as_str(),
                p.version,
                day(p.effective_from),
                p.effective_until.map(day),
                p.name_vi,
                body,
            ])
            .map_err(db_err)?;
        if inserted == 0 {
            let stored: String = conn
                .prepare_cached("SELECT body FROM procedures WHERE code = ?1 AND version = ?2")
                .map_err(db_err)?
                .query_row(params![p.code.as_str(), p.version], |r| r.get(0))
                .map_err(db_err)?;
            if &sup::procedure(&stored)? != p {
                return Err(sup::procedure_conflict(p));
            }
        }
    }
    Ok(())
}

fn query_procedures(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> StoreResult<Vec<Procedure>> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let mut rows = stmt.query(args).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        let body: String = r.get(0).map_err(db_err)?;
        out.push(sup::procedure(&body)?);
    }
    Ok(out)
}

fn search_in(conn: &Connection, f: &DossierFilter) -> StoreResult<Vec<DossierSummary>> {
    search_where(conn, "1 = 1", Vec::new(), f)
}

/// Search within `cond` (an SQL condition whose placeholders `?1…?n` are
/// `args`), narrowed by the filter; shared by the plain and scoped searches.
pub(crate) fn search_where(
    conn: &Connection,
    cond: &str,
    mut args: Vec<Value>,
    f: &DossierFilter,
) -> StoreResult<Vec<DossierSummary>> {
    let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM dossiers WHERE {cond}");
    let mut arg = |sql: &mut String, clause: &str, v: Value| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(code) = &f.code {
        arg(
            &mut sql,
            " AND instr(code, ?) > 0",
            Value::Text(code.trim().to_uppercase()),
        );
    }
    if let Some(unit) = &f.unit {
        arg(
            &mut sql,
            " AND (receiving_unit = ? OR competent_unit = ?)",
            Value::Text(unit.to_string()),
        );
    }
    if let Some(p) = &f.procedure {
        arg(
            &mut sql,
            " AND procedure_code = ?",
            Value::Text(p.to_string()),
        );
    }
    if let Some(a) = &f.applicant {
        arg(
            &mut sql,
            " AND instr(applicant_fold, ?) > 0",
            Value::Text(sup::fold(a.trim())),
        );
    }
    if let Some(s) = f.status {
        arg(
            &mut sql,
            " AND status = ?",
            Value::Integer(i64::from(s.code())),
        );
    }
    if let Some(t) = f.submitted_from {
        arg(&mut sql, " AND submitted_at >= ?", Value::Text(ts(t)));
    }
    if let Some(t) = f.submitted_to {
        arg(&mut sql, " AND submitted_at < ?", Value::Text(ts(t)));
    }
    sql.push_str(" ORDER BY submitted_at DESC, code DESC");
    arg(
        &mut sql,
        " LIMIT ?",
        Value::Integer(i64::from(effective_limit(f.limit))),
    );
    arg(&mut sql, " OFFSET ?", Value::Integer(i64::from(f.offset)));
    query_summaries(conn, &sql, params_from_iter(args))
}

fn queue_sql(with_assignee: bool) -> String {
    let statuses = QUEUE_STATUSES
        .iter()
        .map(|s| s.code().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {SUMMARY_COLUMNS} FROM dossiers \
         WHERE holder_unit = ?1 AND step_role = ?2 AND status IN ({statuses}){} \
         ORDER BY due IS NULL, due, code LIMIT ?3",
        if with_assignee {
            " AND assignee = ?4"
        } else {
            ""
        }
    )
}

fn event_streams_in(conn: &Connection, after: &str, limit: u32) -> StoreResult<Vec<EventStream>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT dossier, seq, body, hash FROM dossier_events WHERE dossier IN \
             (SELECT DISTINCT dossier FROM dossier_events WHERE dossier > ?1 \
              ORDER BY dossier LIMIT ?2) \
             ORDER BY dossier, seq",
        )
        .map_err(db_err)?;
    let mut rows = stmt.query(params![after, limit]).map_err(db_err)?;
    let mut out: Vec<EventStream> = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        let dossier: String = r.get(0).map_err(db_err)?;
        let event = event_row(r)?;
        match out.last_mut() {
            Some(s) if s.code.to_string() == dossier => s.events.push(event),
            _ => out.push(EventStream {
                code: sup::dossier_code("dossier_events.dossier", &dossier)?,
                events: vec![event],
            }),
        }
    }
    Ok(out)
}

fn is_applied(r: &Result<Applied, CommandError>) -> bool {
    matches!(r, Ok(a) if !a.replayed)
}

#[async_trait]
impl DossierStore for SqliteStore {
    async fn put_procedures(&self, procedures: &[Procedure]) -> StoreResult<()> {
        let procedures = procedures.to_vec();
        self.write(move |c| put_procedures_in(c, &procedures)).await
    }

    async fn procedures(&self) -> StoreResult<Vec<Procedure>> {
        self.read(|c| query_procedures(c, "SELECT body FROM procedures ORDER BY code, version", []))
            .await
    }

    async fn procedure(
        &self,
        code: &ProcedureCode,
        on: NaiveDate,
    ) -> StoreResult<Option<Procedure>> {
        let code = code.to_string();
        self.read(move |c| {
            let mut v = query_procedures(
                c,
                "SELECT body FROM procedures WHERE code = ?1 AND effective_from <= ?2 \
                 AND (effective_until IS NULL OR effective_until > ?2) \
                 ORDER BY version DESC LIMIT 1",
                params![code, day(on)],
            )?;
            Ok(v.pop())
        })
        .await
    }

    async fn execute(&self, request: CommandRequest) -> StoreResult<Result<Applied, CommandError>> {
        if !request.blobs.is_empty() {
            return Err(StoreError::Other(anyhow::anyhow!(
                "the SQLite store keeps no blobs: attachments are files stored before the command"
            )));
        }
        self.write_if(move |c| execute_in(c, &request), is_applied)
            .await
    }

    async fn dossier(&self, code: &DossierCode) -> StoreResult<Option<DossierState>> {
        let code = code.to_string();
        self.read(move |c| {
            let row: Option<(String, i64)> = c
                .prepare_cached("SELECT state, version FROM dossiers WHERE code = ?1")
                .map_err(db_err)?
                .query_row([&code], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(db_err)?;
            row.map(|(state, version)| sup::decode_state(&code, &state, version))
                .transpose()
        })
        .await
    }

    async fn events(&self, code: &DossierCode) -> StoreResult<Vec<ChainedEvent>> {
        let code = code.to_string();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT dossier, seq, body, hash FROM dossier_events WHERE dossier = ?1 \
                     ORDER BY seq",
                )
                .map_err(db_err)?;
            let mut rows = stmt.query([&code]).map_err(db_err)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(db_err)? {
                out.push(event_row(r)?);
            }
            Ok(out)
        })
        .await
    }

    async fn search(&self, filter: &DossierFilter) -> StoreResult<Vec<DossierSummary>> {
        let filter = filter.clone();
        self.read(move |c| search_in(c, &filter)).await
    }

    async fn queue(&self, query: &QueueQuery) -> StoreResult<Vec<DossierSummary>> {
        let q = query.clone();
        self.read(move |c| {
            let limit = i64::from(effective_limit(q.limit));
            let (unit, role) = (q.unit.to_string(), q.role.as_str());
            match &q.assignee {
                Some(a) => query_summaries(c, &queue_sql(true), params![unit, role, limit, a]),
                None => query_summaries(c, &queue_sql(false), params![unit, role, limit]),
            }
        })
        .await
    }

    async fn apologies_owed(&self, query: &ApologyQuery) -> StoreResult<Vec<DossierSummary>> {
        let q = query.clone();
        self.read(move |c| {
            let statuses = APOLOGY_STATUSES
                .iter()
                .map(|s| s.code().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS} FROM dossiers \
                 WHERE competent_unit = ?1 AND rescheduled = 0 AND due IS NOT NULL \
                 AND due < ?2 AND status IN ({statuses}) ORDER BY due, code LIMIT ?3"
            );
            let limit = i64::from(effective_limit(q.limit));
            query_summaries(
                c,
                &sql,
                params![q.unit.to_string(), ts(q.due_before), limit],
            )
        })
        .await
    }

    async fn event_streams(
        &self,
        after: Option<&DossierCode>,
        limit: u32,
    ) -> StoreResult<Vec<EventStream>> {
        let after = after.map(|c| c.to_string()).unwrap_or_default();
        let limit = effective_limit(limit);
        self.read(move |c| event_streams_in(c, &after, limit)).await
    }
}

/// Fills `dossiers.step_kind` of the open dossiers written before it
/// existed (migration 0009) from their stored state, inside the caller's
/// transaction. Returns the number of rows filled.
pub(crate) fn fill_step_kinds(conn: &Connection) -> StoreResult<u64> {
    let todo: Vec<(String, String)> = {
        let mut stmt = conn
            .prepare("SELECT code, state FROM dossiers WHERE step_kind IS NULL AND step_role IS NOT NULL")
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db_err)?;
        rows.collect::<Result<_, _>>().map_err(db_err)?
    };
    let mut filled = 0;
    for (code, state) in &todo {
        if let Some(kind) = sup::step_kind_of_state(code, state)? {
            conn.prepare_cached("UPDATE dossiers SET step_kind = ?2 WHERE code = ?1")
                .map_err(db_err)?
                .execute(params![code, kind])
                .map_err(db_err)?;
            filled += 1;
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use chrono::{SubsecRound, TimeZone, Utc};

    #[test]
    fn timestamps_are_written_as_the_format_says() {
        let t = Utc
            .with_ymd_and_hms(2025, 7, 15, 2, 3, 4)
            .single()
            .expect("time")
            + chrono::Duration::microseconds(56);
        for t in [
            t,
            t.trunc_subsecs(0),
            t + chrono::Duration::nanoseconds(999),
        ] {
            assert_eq!(super::ts(t), t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
        }
        let d = chrono::NaiveDate::from_ymd_opt(2025, 1, 2).expect("date");
        assert_eq!(super::day(d), "2025-01-02");
    }
}
