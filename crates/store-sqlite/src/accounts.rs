//! The account store on SQLite. Writes that read first (lockout, one-time
//! codes, get-or-create) run as one job of the writer thread, so they are
//! atomic; reads use the reader connections.

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use motcua_domain::access::{
    check_otp, may_send_otp, AccountEventKind, Assignment, Contact, LockoutPolicy, ManageRefusal,
    OtpChallenge, OtpCheck, OtpNext, OtpPolicy, Principal, Scope, Throttle, Username,
};
use motcua_domain::dossier::UserId;
use motcua_domain::procedure::ProcedureCode;
use motcua_store::account_support as sup;
use motcua_store::dossier_support as dsup;
use motcua_store::{
    AccountEvent, AccountStore, Citizen, DossierFilter, DossierSummary, NewOfficial, NewSession,
    Official, OfficialLogin, QueueCount, Session, StoreError, StoreResult, Subject,
};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use crate::account_admin as admin;
use crate::{db_err, SqliteStore};

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_ts(column: &str, s: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("{column}: {s:?}: {e}")))
}

fn opt_ts(column: &str, s: Option<String>) -> StoreResult<Option<DateTime<Utc>>> {
    s.as_deref().map(|s| parse_ts(column, s)).transpose()
}

/// A uniqueness violation of this module's tables, by its stable name.
fn unique_err(e: rusqlite::Error, name: &str) -> StoreError {
    match db_err(e) {
        StoreError::Conflict(_) => StoreError::Conflict(name.to_string()),
        other => other,
    }
}

fn assignments_of(conn: &Connection, username: &str) -> StoreResult<Vec<Assignment>> {
    let mut stmt = conn
        .prepare_cached("SELECT role, unit FROM official_roles WHERE username = ?1")
        .map_err(db_err)?;
    let mut rows = stmt.query([username]).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        let role: String = r.get(0).map_err(db_err)?;
        let unit: String = r.get(1).map_err(db_err)?;
        out.push(sup::assignment(&role, &unit)?);
    }
    out.sort();
    Ok(out)
}

pub(crate) fn official_in(conn: &Connection, username: &str) -> StoreResult<Option<OfficialLogin>> {
    let row: Option<(String, String, String, bool, String)> = conn
        .prepare_cached(
            "SELECT username, display_name, password_hash, active, created_at FROM officials \
             WHERE username = ?1",
        )
        .map_err(db_err)?
        .query_row([username], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()
        .map_err(db_err)?;
    let Some((name, display_name, password_hash, active, created_at)) = row else {
        return Ok(None);
    };
    Ok(Some(OfficialLogin {
        official: Official {
            username: sup::username("officials.username", &name)?,
            display_name,
            active,
            assignments: assignments_of(conn, &name)?,
            created_at: parse_ts("officials.created_at", &created_at)?,
        },
        password_hash,
    }))
}

fn insert_assignments(conn: &Connection, username: &str, list: &[Assignment]) -> StoreResult<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO official_roles (username, role, unit, province_code) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )
        .map_err(db_err)?;
    for a in list {
        stmt.execute(params![
            username,
            a.role.as_str(),
            a.unit.as_str(),
            sup::province(a)
        ])
        .map_err(db_err)?;
    }
    Ok(())
}

fn put_throttle(conn: &Connection, key: &str, t: &Throttle) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) \
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (key) DO UPDATE SET \
         failures = excluded.failures, last_failure_at = excluded.last_failure_at, \
         locked_until = excluded.locked_until",
    )
    .map_err(db_err)?
    .execute(params![
        key,
        t.failures,
        t.last_failure_at.map(ts),
        t.locked_until.map(ts)
    ])
    .map_err(db_err)?;
    Ok(())
}

fn throttle_in(conn: &Connection, key: &str) -> StoreResult<Throttle> {
    let row: Option<(i64, Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = ?1",
        )
        .map_err(db_err)?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .map_err(db_err)?;
    match row {
        None => Ok(Throttle::default()),
        Some((failures, last, locked)) => Ok(Throttle {
            failures: sup::count("login_throttle.failures", failures)?,
            last_failure_at: opt_ts("login_throttle.last_failure_at", last)?,
            locked_until: opt_ts("login_throttle.locked_until", locked)?,
        }),
    }
}

fn otp_in(conn: &Connection, contact: &str) -> StoreResult<Option<OtpChallenge>> {
    let row: Option<(String, String, String, i64)> = conn
        .prepare_cached(
            "SELECT code_hash, created_at, expires_at, attempts_left FROM otp_challenges \
             WHERE contact = ?1",
        )
        .map_err(db_err)?
        .query_row([contact], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()
        .map_err(db_err)?;
    row.map(|(code_hash, created, expires, left)| {
        Ok(OtpChallenge {
            code_hash,
            created_at: parse_ts("otp_challenges.created_at", &created)?,
            expires_at: parse_ts("otp_challenges.expires_at", &expires)?,
            attempts_left: sup::count("otp_challenges.attempts_left", left)?,
        })
    })
    .transpose()
}

fn put_otp_row(conn: &Connection, contact: &str, c: &OtpChallenge) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO otp_challenges (contact, code_hash, created_at, expires_at, attempts_left) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (contact) DO UPDATE SET \
         code_hash = excluded.code_hash, created_at = excluded.created_at, \
         expires_at = excluded.expires_at, attempts_left = excluded.attempts_left",
    )
    .map_err(db_err)?
    .execute(params![
        contact,
        c.code_hash,
        ts(c.created_at),
        ts(c.expires_at),
        c.attempts_left
    ])
    .map_err(db_err)?;
    Ok(())
}

fn citizen_row(conn: &Connection, sql: &str, arg: &str) -> StoreResult<Option<Citizen>> {
    let row: Option<(String, String, String)> = conn
        .prepare_cached(sql)
        .map_err(db_err)?
        .query_row([arg], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .map_err(db_err)?;
    row.map(|(id, contact, created)| {
        Ok(Citizen {
            id: sup::user_id("citizens.id", &id)?,
            contact: sup::contact("citizens.contact", &contact)?,
            created_at: parse_ts("citizens.created_at", &created)?,
        })
    })
    .transpose()
}

/// The scope as an SQL condition (OR of its parts); `None` when empty.
fn scope_condition(scope: &Scope, args: &mut Vec<Value>) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let arg = |args: &mut Vec<Value>, v: String| {
        args.push(Value::Text(v));
        format!("?{}", args.len())
    };
    for u in &scope.units {
        let p = arg(args, u.to_string());
        parts.push(format!("receiving_unit = {p} OR competent_unit = {p}"));
    }
    for province in &scope.provinces {
        let exact = arg(args, province.clone());
        let prefix = sup::province_prefix(province);
        let n = prefix.len();
        let prefix = arg(args, prefix);
        parts.push(format!(
            "receiving_unit = {exact} OR competent_unit = {exact} \
             OR substr(receiving_unit, 1, {n}) = {prefix} OR substr(competent_unit, 1, {n}) = {prefix}"
        ));
    }
    if let Some(user) = &scope.applicant {
        let p = arg(args, user.to_string());
        parts.push(format!(
            "json_extract(state, '$.dossier.applicant.user') = {p}"
        ));
    }
    (!parts.is_empty()).then(|| format!("({})", parts.join(" OR ")))
}

fn search_in_scope_in(
    conn: &Connection,
    f: &DossierFilter,
    scope: &Scope,
) -> StoreResult<Vec<DossierSummary>> {
    let mut args: Vec<Value> = Vec::new();
    let Some(cond) = scope_condition(scope, &mut args) else {
        return Ok(Vec::new());
    };
    crate::dossiers::search_where(conn, &cond, args, f)
}

fn queue_in_scope_in(
    conn: &Connection,
    scope: &Scope,
    procedure: Option<&ProcedureCode>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<QueueCount>> {
    let mut args: Vec<Value> = Vec::new();
    let Some(cond) = scope_condition(scope, &mut args) else {
        return Ok(Vec::new());
    };
    let (open, paused) = QueueCount::status_lists();
    args.push(Value::Text(ts(now)));
    let now_arg = args.len();
    let mut sql = format!(
        "SELECT holder_unit, step_role, assignee, count(*), \
         sum(CASE WHEN status IN ({paused}) THEN 1 ELSE 0 END), \
         sum(CASE WHEN due < ?{now_arg} AND status NOT IN ({paused}) THEN 1 ELSE 0 END) \
         FROM dossiers WHERE {cond} AND status IN ({open})"
    );
    if let Some(p) = procedure {
        args.push(Value::Text(p.to_string()));
        sql.push_str(&format!(" AND procedure_code = ?{}", args.len()));
    }
    sql.push_str(
        " GROUP BY holder_unit, step_role, assignee \
         ORDER BY holder_unit IS NOT NULL, holder_unit, step_role IS NOT NULL, step_role, \
         assignee IS NOT NULL, assignee",
    );
    let mut stmt = conn.prepare(&sql).map_err(db_err)?;
    let mut rows = stmt.query(params_from_iter(args)).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        let opt = |i| r.get::<_, Option<String>>(i).map_err(db_err);
        let n = |i| r.get::<_, i64>(i).map_err(db_err);
        out.push(sup::queue_count(
            opt(0)?.as_deref(),
            opt(1)?.as_deref(),
            opt(2)?,
            [n(3)?, n(4)?, n(5)?],
        )?);
    }
    Ok(out)
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn count_officials(&self) -> StoreResult<u64> {
        self.read(|c| {
            let n: i64 = c
                .query_row("SELECT count(*) FROM officials", [], |r| r.get(0))
                .map_err(db_err)?;
            dsup::version("count(officials)", n)
        })
        .await
    }

    async fn create_official_by(
        &self,
        new: &NewOfficial,
        by: Option<&UserId>,
        now: DateTime<Utc>,
    ) -> StoreResult<Official> {
        let new = new.clone();
        let by = by.cloned();
        self.write(move |c| {
            let at = ts(now);
            c.prepare_cached(
                "INSERT INTO officials (username, display_name, password_hash, active, \
                 created_at, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?4)",
            )
            .map_err(db_err)?
            .execute(params![
                new.username.as_str(),
                new.display_name,
                new.password_hash,
                at
            ])
            .map_err(|e| unique_err(e, "officials_pk"))?;
            insert_assignments(c, new.username.as_str(), &new.assignments)?;
            admin::append_event(
                c,
                new.username.as_str(),
                AccountEventKind::Created,
                by.as_ref(),
                &sup::new_assignments(&[], &new.assignments),
                now,
            )?;
            official_in(c, new.username.as_str())?
                .map(|o| o.official)
                .ok_or_else(|| StoreError::Other(anyhow::anyhow!("created official not found")))
        })
        .await
    }

    async fn official(&self, username: &Username) -> StoreResult<Option<OfficialLogin>> {
        let name = username.to_string();
        self.read(move |c| official_in(c, &name)).await
    }

    async fn add_assignments(
        &self,
        username: &Username,
        assignments: &[Assignment],
        by: Option<&UserId>,
        now: DateTime<Utc>,
    ) -> StoreResult<Official> {
        let name = username.to_string();
        let list = assignments.to_vec();
        let by = by.cloned();
        self.write(move |c| {
            let n = c
                .prepare_cached("UPDATE officials SET updated_at = ?2 WHERE username = ?1")
                .map_err(db_err)?
                .execute(params![name, ts(now)])
                .map_err(db_err)?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("official {name}")));
            }
            let added = sup::new_assignments(&assignments_of(c, &name)?, &list);
            insert_assignments(c, &name, &added)?;
            if !added.is_empty() {
                admin::append_event(
                    c,
                    &name,
                    AccountEventKind::RolesGranted,
                    by.as_ref(),
                    &added,
                    now,
                )?;
            }
            official_in(c, &name)?
                .map(|o| o.official)
                .ok_or_else(|| StoreError::NotFound(format!("official {name}")))
        })
        .await
    }

    async fn revoke_assignment(
        &self,
        username: &Username,
        assignment: &Assignment,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Official, ManageRefusal>> {
        let name = username.to_string();
        let (assignment, by) = (assignment.clone(), by.clone());
        self.write(move |c| admin::revoke_in(c, &name, &assignment, &by, now))
            .await
    }

    async fn set_official_active(
        &self,
        username: &Username,
        active: bool,
        by: Option<&Principal>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Official, ManageRefusal>> {
        let name = username.to_string();
        let by = by.cloned();
        self.write(move |c| admin::set_active_in(c, &name, active, by.as_ref(), now))
            .await
    }

    async fn set_password(
        &self,
        username: &Username,
        password_hash: &str,
        keep: Option<&[u8; 32]>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let name = username.to_string();
        let hash = password_hash.to_string();
        let keep = keep.map(sup::hex32);
        self.write(move |c| admin::set_password_in(c, &name, &hash, keep.as_deref(), now))
            .await
    }

    async fn account_events(&self, username: &Username) -> StoreResult<Vec<AccountEvent>> {
        let name = username.to_string();
        self.read(move |c| admin::events_in(c, &name)).await
    }

    async fn officials_in_scope(&self, scope: &Scope) -> StoreResult<Vec<Official>> {
        let scope = scope.clone();
        self.read(move |c| admin::officials_in_scope_in(c, &scope))
            .await
    }

    async fn throttle(&self, key: &str) -> StoreResult<Throttle> {
        let key = key.to_string();
        self.read(move |c| throttle_in(c, &key)).await
    }

    async fn record_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
    ) -> StoreResult<Throttle> {
        let key = key.to_string();
        let policy = *policy;
        self.write(move |c| {
            let next = throttle_in(c, &key)?.after_failure(now, &policy);
            put_throttle(c, &key, &next)?;
            Ok(next)
        })
        .await
    }

    async fn reserve_attempt(
        &self,
        key: &str,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
    ) -> StoreResult<Result<Throttle, DateTime<Utc>>> {
        let key = key.to_string();
        let policy = *policy;
        self.write(move |c| {
            let next = match throttle_in(c, &key)?.reserve(now, &policy) {
                Ok(next) => next,
                Err(until) => return Ok(Err(until)),
            };
            put_throttle(c, &key, &next)?;
            Ok(Ok(next))
        })
        .await
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        let key = key.to_string();
        self.write(move |c| {
            c.prepare_cached("DELETE FROM login_throttle WHERE key = ?1")
                .map_err(db_err)?
                .execute([&key])
                .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        let s = session.clone();
        self.write(move |c| {
            let (kind, subject) = s.subject.columns();
            c.prepare_cached(
                "INSERT INTO sessions (token_hash, subject_kind, subject, csrf_token, \
                 created_at, expires_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5)",
            )
            .map_err(db_err)?
            .execute(params![
                sup::hex32(&s.token_hash),
                kind,
                subject,
                s.csrf_token,
                ts(s.created_at),
                ts(s.expires_at)
            ])
            .map_err(|e| unique_err(e, "sessions_pk"))?;
            Ok(())
        })
        .await
    }

    async fn session(
        &self,
        token_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        let hash = sup::hex32(token_hash);
        self.read(move |c| {
            type Row = (String, String, String, String, String, String);
            let row: Option<Row> = c
                .prepare_cached(
                    "SELECT subject_kind, subject, csrf_token, created_at, expires_at, \
                     coalesce(last_seen_at, created_at) \
                     FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
                )
                .map_err(db_err)?
                .query_row(params![hash, ts(now)], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })
                .optional()
                .map_err(db_err)?;
            row.map(|(kind, subject, csrf_token, created, expires, seen)| {
                Ok(Session {
                    subject: Subject::from_columns(&kind, &subject)?,
                    csrf_token,
                    created_at: parse_ts("sessions.created_at", &created)?,
                    expires_at: parse_ts("sessions.expires_at", &expires)?,
                    last_seen_at: parse_ts("sessions.last_seen_at", &seen)?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn delete_session(&self, token_hash: &[u8; 32]) -> StoreResult<bool> {
        let hash = sup::hex32(token_hash);
        self.write(move |c| {
            let n = c
                .prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")
                .map_err(db_err)?
                .execute([&hash])
                .map_err(db_err)?;
            Ok(n > 0)
        })
        .await
    }

    async fn touch_session(&self, token_hash: &[u8; 32], at: DateTime<Utc>) -> StoreResult<bool> {
        let hash = sup::hex32(token_hash);
        self.write(move |c| {
            let n = c
                .prepare_cached("UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1")
                .map_err(db_err)?
                .execute(params![hash, ts(at)])
                .map_err(db_err)?;
            Ok(n > 0)
        })
        .await
    }

    async fn delete_idle_sessions(&self, seen_before: DateTime<Utc>) -> StoreResult<u64> {
        self.write(move |c| {
            let n = c
                .prepare_cached(
                    "DELETE FROM sessions WHERE subject_kind = 'official' \
                     AND last_seen_at < ?1",
                )
                .map_err(db_err)?
                .execute([ts(seen_before)])
                .map_err(db_err)?;
            Ok(n as u64)
        })
        .await
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.write(move |c| {
            let n = c
                .prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1")
                .map_err(db_err)?
                .execute([ts(now)])
                .map_err(db_err)?;
            Ok(n as u64)
        })
        .await
    }

    async fn citizen_for_contact(
        &self,
        contact: &Contact,
        new_id: &UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Citizen> {
        let key = contact.key();
        let id = new_id.to_string();
        self.write(move |c| {
            c.prepare_cached(
                "INSERT INTO citizens (id, contact, created_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (contact) DO NOTHING",
            )
            .map_err(db_err)?
            .execute(params![id, key, ts(now)])
            .map_err(|e| unique_err(e, "citizens_pk"))?;
            citizen_row(
                c,
                "SELECT id, contact, created_at FROM citizens WHERE contact = ?1",
                &key,
            )?
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("created citizen not found")))
        })
        .await
    }

    async fn citizen(&self, id: &UserId) -> StoreResult<Option<Citizen>> {
        let id = id.to_string();
        self.read(move |c| {
            citizen_row(
                c,
                "SELECT id, contact, created_at FROM citizens WHERE id = ?1",
                &id,
            )
        })
        .await
    }

    async fn put_otp(
        &self,
        contact: &Contact,
        challenge: &OtpChallenge,
        policy: &OtpPolicy,
    ) -> StoreResult<Result<(), TimeDelta>> {
        let key = contact.key();
        let challenge = challenge.clone();
        let policy = *policy;
        self.write(move |c| {
            let existing = otp_in(c, &key)?;
            if let Err(wait) = may_send_otp(existing.as_ref(), challenge.created_at, &policy) {
                return Ok(Err(wait));
            }
            put_otp_row(c, &key, &challenge)?;
            Ok(Ok(()))
        })
        .await
    }

    async fn attempt_otp(
        &self,
        contact: &Contact,
        candidate_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<OtpCheck> {
        let key = contact.key();
        let candidate = candidate_hash.to_string();
        self.write(move |c| {
            let existing = otp_in(c, &key)?;
            let (check, next) = check_otp(existing.as_ref(), &candidate, now);
            match next {
                Some(OtpNext::Delete) => {
                    c.prepare_cached("DELETE FROM otp_challenges WHERE contact = ?1")
                        .map_err(db_err)?
                        .execute([&key])
                        .map_err(db_err)?;
                }
                Some(OtpNext::Keep(n)) => put_otp_row(c, &key, &n)?,
                None => {}
            }
            Ok(check)
        })
        .await
    }

    async fn search_in_scope(
        &self,
        filter: &DossierFilter,
        scope: &Scope,
    ) -> StoreResult<Vec<DossierSummary>> {
        let filter = filter.clone();
        let scope = scope.clone();
        self.read(move |c| search_in_scope_in(c, &filter, &scope))
            .await
    }

    async fn queue_in_scope(
        &self,
        scope: &Scope,
        procedure: Option<&ProcedureCode>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<QueueCount>> {
        let scope = scope.clone();
        let procedure = procedure.cloned();
        self.read(move |c| queue_in_scope_in(c, &scope, procedure.as_ref(), now))
            .await
    }
}
