//! The account store on PostgreSQL. Writes that read first (lockout,
//! one-time codes) lock the row (`SELECT … FOR UPDATE` after an
//! `INSERT … ON CONFLICT DO NOTHING` that makes sure it exists), so
//! concurrent failures are all counted and a code is used once.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
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
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, QueryBuilder, Row};

use crate::account_admin::append_event;
use crate::dossiers::{summary_row, SUMMARY_COLUMNS};
use crate::{db_err, PgStore};

async fn assignments_of(conn: &mut PgConnection, username: &str) -> StoreResult<Vec<Assignment>> {
    let rows = sqlx::query("SELECT role, unit FROM official_roles WHERE username = $1")
        .bind(username)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    let mut out = rows
        .iter()
        .map(|r| {
            let role: &str = r.try_get(0).map_err(db_err)?;
            let unit: &str = r.try_get(1).map_err(db_err)?;
            sup::assignment(role, unit)
        })
        .collect::<StoreResult<Vec<_>>>()?;
    out.sort();
    Ok(out)
}

pub(crate) async fn official_in(
    conn: &mut PgConnection,
    username: &str,
) -> StoreResult<Option<OfficialLogin>> {
    let row = sqlx::query(
        "SELECT username, display_name, password_hash, active, created_at FROM officials \
         WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let Some(r) = row else { return Ok(None) };
    let name: String = r.try_get(0).map_err(db_err)?;
    Ok(Some(OfficialLogin {
        official: Official {
            username: sup::username("officials.username", &name)?,
            display_name: r.try_get(1).map_err(db_err)?,
            active: r.try_get(3).map_err(db_err)?,
            assignments: assignments_of(conn, &name).await?,
            created_at: r.try_get(4).map_err(db_err)?,
        },
        password_hash: r.try_get(2).map_err(db_err)?,
    }))
}

async fn insert_assignments(
    conn: &mut PgConnection,
    username: &str,
    list: &[Assignment],
) -> StoreResult<()> {
    for a in list {
        sqlx::query(
            "INSERT INTO official_roles (username, role, unit, province_code) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(username)
        .bind(a.role.as_str())
        .bind(a.unit.as_str())
        .bind(sup::province(a))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

fn throttle_row(r: &PgRow) -> StoreResult<Throttle> {
    Ok(Throttle {
        failures: sup::count(
            "login_throttle.failures",
            i64::from(r.try_get::<i32, _>(0).map_err(db_err)?),
        )?,
        last_failure_at: r.try_get(1).map_err(db_err)?,
        locked_until: r.try_get(2).map_err(db_err)?,
    })
}

/// The throttle row of `key`, created empty if missing, locked until the
/// transaction ends (concurrent attempts on one key are serialised).
async fn throttle_for_update(conn: &mut PgConnection, key: &str) -> StoreResult<Throttle> {
    sqlx::query("INSERT INTO login_throttle (key, failures) VALUES ($1, 0) ON CONFLICT DO NOTHING")
        .bind(key)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    let row = sqlx::query(
        "SELECT failures, last_failure_at, locked_until FROM login_throttle \
         WHERE key = $1 FOR UPDATE",
    )
    .bind(key)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    throttle_row(&row)
}

async fn put_throttle(conn: &mut PgConnection, key: &str, t: &Throttle) -> StoreResult<()> {
    sqlx::query(
        "UPDATE login_throttle SET failures = $2, last_failure_at = $3, locked_until = $4 \
         WHERE key = $1",
    )
    .bind(key)
    .bind(i32::try_from(t.failures).unwrap_or(i32::MAX))
    .bind(t.last_failure_at)
    .bind(t.locked_until)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

fn otp_row(r: &PgRow) -> StoreResult<OtpChallenge> {
    Ok(OtpChallenge {
        code_hash: r.try_get(0).map_err(db_err)?,
        created_at: r.try_get(1).map_err(db_err)?,
        expires_at: r.try_get(2).map_err(db_err)?,
        attempts_left: sup::count(
            "otp_challenges.attempts_left",
            i64::from(r.try_get::<i32, _>(3).map_err(db_err)?),
        )?,
    })
}

async fn otp_for_update(conn: &mut PgConnection, key: &str) -> StoreResult<Option<OtpChallenge>> {
    sqlx::query(
        "SELECT code_hash, created_at, expires_at, attempts_left FROM otp_challenges \
         WHERE contact = $1 FOR UPDATE",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .as_ref()
    .map(otp_row)
    .transpose()
}

async fn put_otp_row(conn: &mut PgConnection, key: &str, c: &OtpChallenge) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO otp_challenges (contact, code_hash, created_at, expires_at, attempts_left) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (contact) DO UPDATE SET \
         code_hash = excluded.code_hash, created_at = excluded.created_at, \
         expires_at = excluded.expires_at, attempts_left = excluded.attempts_left",
    )
    .bind(key)
    .bind(&c.code_hash)
    .bind(c.created_at)
    .bind(c.expires_at)
    .bind(i32::try_from(c.attempts_left).unwrap_or(i32::MAX))
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

fn citizen_row(r: &PgRow) -> StoreResult<Citizen> {
    let id: &str = r.try_get(0).map_err(db_err)?;
    let contact: &str = r.try_get(1).map_err(db_err)?;
    Ok(Citizen {
        id: sup::user_id("citizens.id", id)?,
        contact: sup::contact("citizens.contact", contact)?,
        created_at: r.try_get(2).map_err(db_err)?,
    })
}

/// Pushes the scope as an SQL condition (OR of its parts); false when empty.
fn push_scope(qb: &mut QueryBuilder<'_, sqlx::Postgres>, scope: &Scope) -> bool {
    let mut first = true;
    let mut or = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(if first { "(" } else { " OR " });
        first = false;
    };
    let units: Vec<String> = scope.units.iter().map(ToString::to_string).collect();
    if !units.is_empty() {
        or(qb);
        qb.push("receiving_unit = ANY(")
            .push_bind(units.clone())
            .push(") OR competent_unit = ANY(")
            .push_bind(units)
            .push(")");
    }
    for province in &scope.provinces {
        let prefix = sup::province_prefix(province);
        let n = i32::try_from(prefix.len()).unwrap_or(i32::MAX);
        or(qb);
        qb.push("receiving_unit = ")
            .push_bind(province.clone())
            .push(" OR competent_unit = ")
            .push_bind(province.clone())
            .push(" OR substr(receiving_unit, 1, ")
            .push_bind(n)
            .push(") = ")
            .push_bind(prefix.clone())
            .push(" OR substr(competent_unit, 1, ")
            .push_bind(n)
            .push(") = ")
            .push_bind(prefix);
    }
    if let Some(user) = &scope.applicant {
        or(qb);
        qb.push("(state -> 'dossier' -> 'applicant' ->> 'user') = ")
            .push_bind(user.to_string());
    }
    if first {
        return false;
    }
    qb.push(")");
    true
}

#[async_trait]
impl AccountStore for PgStore {
    async fn count_officials(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM officials")
            .fetch_one(self.pool())
            .await
            .map_err(db_err)?;
        dsup::version("count(officials)", n)
    }

    async fn create_official_by(
        &self,
        new: &NewOfficial,
        by: Option<&UserId>,
        now: DateTime<Utc>,
    ) -> StoreResult<Official> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        sqlx::query(
            "INSERT INTO officials (username, display_name, password_hash, active, created_at, \
             updated_at) VALUES ($1, $2, $3, TRUE, $4, $4)",
        )
        .bind(new.username.as_str())
        .bind(&new.display_name)
        .bind(&new.password_hash)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        insert_assignments(&mut tx, new.username.as_str(), &new.assignments).await?;
        append_event(
            &mut tx,
            new.username.as_str(),
            AccountEventKind::Created,
            by,
            &sup::new_assignments(&[], &new.assignments),
            now,
        )
        .await?;
        let official = official_in(&mut tx, new.username.as_str())
            .await?
            .map(|o| o.official)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("created official not found")))?;
        tx.commit().await.map_err(db_err)?;
        Ok(official)
    }

    async fn official(&self, username: &Username) -> StoreResult<Option<OfficialLogin>> {
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        official_in(&mut conn, username.as_str()).await
    }

    async fn add_assignments(
        &self,
        username: &Username,
        assignments: &[Assignment],
        by: Option<&UserId>,
        now: DateTime<Utc>,
    ) -> StoreResult<Official> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let n = sqlx::query("UPDATE officials SET updated_at = $2 WHERE username = $1")
            .bind(username.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("official {username}")));
        }
        let held = assignments_of(&mut tx, username.as_str()).await?;
        let added = sup::new_assignments(&held, assignments);
        insert_assignments(&mut tx, username.as_str(), &added).await?;
        if !added.is_empty() {
            append_event(
                &mut tx,
                username.as_str(),
                AccountEventKind::RolesGranted,
                by,
                &added,
                now,
            )
            .await?;
        }
        let official = official_in(&mut tx, username.as_str())
            .await?
            .map(|o| o.official)
            .ok_or_else(|| StoreError::NotFound(format!("official {username}")))?;
        tx.commit().await.map_err(db_err)?;
        Ok(official)
    }

    async fn revoke_assignment(
        &self,
        username: &Username,
        assignment: &Assignment,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Official, ManageRefusal>> {
        self.revoke_in(username.as_str(), assignment, by, now).await
    }

    async fn set_official_active(
        &self,
        username: &Username,
        active: bool,
        by: Option<&Principal>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Official, ManageRefusal>> {
        self.set_active_in(username.as_str(), active, by, now).await
    }

    async fn set_password(
        &self,
        username: &Username,
        password_hash: &str,
        keep: Option<&[u8; 32]>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.set_password_in(username.as_str(), password_hash, keep, now)
            .await
    }

    async fn account_events(&self, username: &Username) -> StoreResult<Vec<AccountEvent>> {
        self.events_in(username.as_str()).await
    }

    async fn officials_in_scope(&self, scope: &Scope) -> StoreResult<Vec<Official>> {
        self.officials_in_scope_in(scope).await
    }

    async fn throttle(&self, key: &str) -> StoreResult<Throttle> {
        sqlx::query(
            "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(self.pool())
        .await
        .map_err(db_err)?
        .as_ref()
        .map(throttle_row)
        .transpose()
        .map(Option::unwrap_or_default)
    }

    async fn record_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
    ) -> StoreResult<Throttle> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let next = throttle_for_update(&mut tx, key)
            .await?
            .after_failure(now, policy);
        put_throttle(&mut tx, key, &next).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(next)
    }

    async fn reserve_attempt(
        &self,
        key: &str,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
    ) -> StoreResult<Result<Throttle, DateTime<Utc>>> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let next = match throttle_for_update(&mut tx, key)
            .await?
            .reserve(now, policy)
        {
            Ok(next) => next,
            Err(until) => return Ok(Err(until)),
        };
        put_throttle(&mut tx, key, &next).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(Ok(next))
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key)
            .execute(self.pool())
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
        let (kind, subject) = s.subject.columns();
        sqlx::query(
            "INSERT INTO sessions (token_hash, subject_kind, subject, csrf_token, created_at, \
             expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $5)",
        )
        .bind(&s.token_hash[..])
        .bind(kind)
        .bind(subject)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &[u8; 32],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        let row = sqlx::query(
            "SELECT subject_kind, subject, csrf_token, created_at, expires_at, last_seen_at \
             FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(&token_hash[..])
        .bind(now)
        .fetch_optional(self.pool())
        .await
        .map_err(db_err)?;
        row.map(|r| {
            let kind: &str = r.try_get(0).map_err(db_err)?;
            let subject: &str = r.try_get(1).map_err(db_err)?;
            Ok(Session {
                subject: Subject::from_columns(kind, subject)?,
                csrf_token: r.try_get(2).map_err(db_err)?,
                created_at: r.try_get(3).map_err(db_err)?,
                expires_at: r.try_get(4).map_err(db_err)?,
                last_seen_at: r.try_get(5).map_err(db_err)?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &[u8; 32]) -> StoreResult<bool> {
        let n = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&token_hash[..])
            .execute(self.pool())
            .await
            .map_err(db_err)?
            .rows_affected();
        Ok(n > 0)
    }

    async fn touch_session(&self, token_hash: &[u8; 32], at: DateTime<Utc>) -> StoreResult<bool> {
        let n = sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(&token_hash[..])
            .bind(at)
            .execute(self.pool())
            .await
            .map_err(db_err)?
            .rows_affected();
        Ok(n > 0)
    }

    async fn delete_idle_sessions(&self, seen_before: DateTime<Utc>) -> StoreResult<u64> {
        Ok(sqlx::query(
            "DELETE FROM sessions WHERE subject_kind = 'official' AND last_seen_at < $1",
        )
        .bind(seen_before)
        .execute(self.pool())
        .await
        .map_err(db_err)?
        .rows_affected())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await
            .map_err(db_err)?
            .rows_affected())
    }

    async fn citizen_for_contact(
        &self,
        contact: &Contact,
        new_id: &UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<Citizen> {
        let key = contact.key();
        sqlx::query(
            "INSERT INTO citizens (id, contact, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (contact) DO NOTHING",
        )
        .bind(new_id.as_str())
        .bind(&key)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(db_err)?;
        let row = sqlx::query("SELECT id, contact, created_at FROM citizens WHERE contact = $1")
            .bind(&key)
            .fetch_one(self.pool())
            .await
            .map_err(db_err)?;
        citizen_row(&row)
    }

    async fn citizen(&self, id: &UserId) -> StoreResult<Option<Citizen>> {
        sqlx::query("SELECT id, contact, created_at FROM citizens WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)?
            .as_ref()
            .map(citizen_row)
            .transpose()
    }

    async fn put_otp(
        &self,
        contact: &Contact,
        challenge: &OtpChallenge,
        policy: &OtpPolicy,
    ) -> StoreResult<Result<(), TimeDelta>> {
        let key = contact.key();
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        // Serialises concurrent requests for one contact, row or no row.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(&key)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let existing = otp_for_update(&mut tx, &key).await?;
        if let Err(wait) = may_send_otp(existing.as_ref(), challenge.created_at, policy) {
            return Ok(Err(wait));
        }
        put_otp_row(&mut tx, &key, challenge).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(Ok(()))
    }

    async fn attempt_otp(
        &self,
        contact: &Contact,
        candidate_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<OtpCheck> {
        let key = contact.key();
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let existing = otp_for_update(&mut tx, &key).await?;
        let (check, next) = check_otp(existing.as_ref(), candidate_hash, now);
        match next {
            Some(OtpNext::Delete) => {
                sqlx::query("DELETE FROM otp_challenges WHERE contact = $1")
                    .bind(&key)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
            }
            Some(OtpNext::Keep(n)) => put_otp_row(&mut tx, &key, &n).await?,
            None => {}
        }
        tx.commit().await.map_err(db_err)?;
        Ok(check)
    }

    async fn search_in_scope(
        &self,
        f: &DossierFilter,
        scope: &Scope,
    ) -> StoreResult<Vec<DossierSummary>> {
        let mut qb: QueryBuilder<sqlx::Postgres> =
            QueryBuilder::new(format!("SELECT {SUMMARY_COLUMNS} FROM dossiers WHERE "));
        if !push_scope(&mut qb, scope) {
            return Ok(Vec::new());
        }
        crate::dossiers::push_filter(&mut qb, f);
        let rows = qb.build().fetch_all(self.pool()).await.map_err(db_err)?;
        rows.iter().map(summary_row).collect()
    }

    async fn queue_in_scope(
        &self,
        scope: &Scope,
        procedure: Option<&ProcedureCode>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<QueueCount>> {
        let (open, paused) = QueueCount::status_lists();
        let mut qb: QueryBuilder<sqlx::Postgres> = QueryBuilder::new(format!(
            "SELECT holder_unit, step_role, assignee, count(*)::bigint, \
             count(*) FILTER (WHERE status IN ({paused}))::bigint, \
             count(*) FILTER (WHERE due < "
        ));
        qb.push_bind(now).push(format!(
            " AND status NOT IN ({paused}))::bigint FROM dossiers WHERE "
        ));
        if !push_scope(&mut qb, scope) {
            return Ok(Vec::new());
        }
        qb.push(format!(" AND status IN ({open})"));
        if let Some(p) = procedure {
            qb.push(" AND procedure_code = ").push_bind(p.to_string());
        }
        qb.push(
            " GROUP BY holder_unit, step_role, assignee \
             ORDER BY holder_unit COLLATE \"C\" NULLS FIRST, step_role COLLATE \"C\" NULLS FIRST, \
             assignee COLLATE \"C\" NULLS FIRST",
        );
        let rows = qb.build().fetch_all(self.pool()).await.map_err(db_err)?;
        rows.iter()
            .map(|r| {
                let n = |i| r.try_get::<i64, _>(i).map_err(db_err);
                sup::queue_count(
                    r.try_get(0).map_err(db_err)?,
                    r.try_get(1).map_err(db_err)?,
                    r.try_get(2).map_err(db_err)?,
                    [n(3)?, n(4)?, n(5)?],
                )
            })
            .collect()
    }
}
