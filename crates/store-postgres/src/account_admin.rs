//! Account administration on PostgreSQL: the changes that end sessions or
//! depend on the roles held (in one transaction that locks the official's
//! row, so the check and the change are atomic), the account events
//! appended with them, and the listing of a scope's officials.

use chrono::{DateTime, Utc};
use motcua_domain::access::{
    AccountChange, AccountEventKind, Assignment, ManageRefusal, Principal, Scope,
};
use motcua_domain::dossier::UserId;
use motcua_store::account_support as sup;
use motcua_store::{AccountEvent, Official, StoreError, StoreResult};
use sqlx::{PgConnection, Row};

use crate::accounts::official_in;
use crate::{db_err, PgStore};

/// Appends one account event.
pub(crate) async fn append_event(
    conn: &mut PgConnection,
    username: &str,
    kind: AccountEventKind,
    actor: Option<&UserId>,
    roles: &[Assignment],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO account_events (username, kind, actor, roles, at) \
         VALUES ($1, $2, $3, $4::jsonb, $5)",
    )
    .bind(username)
    .bind(kind.as_str())
    .bind(actor.map(UserId::as_str))
    .bind(sup::roles_json(roles))
    .bind(at)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Ends the official's sessions but `keep`.
async fn end_sessions(
    conn: &mut PgConnection,
    username: &str,
    keep: Option<&[u8; 32]>,
) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM sessions WHERE subject_kind = 'official' AND subject = $1 \
         AND token_hash IS DISTINCT FROM $2",
    )
    .bind(username)
    .bind(keep.map(|k| k.to_vec()))
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// The official, their row locked until the end of the transaction.
async fn locked(conn: &mut PgConnection, username: &str) -> StoreResult<Official> {
    let found = sqlx::query("SELECT 1 FROM officials WHERE username = $1 FOR UPDATE")
        .bind(username)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    if found.is_none() {
        return Err(StoreError::NotFound(format!("official {username}")));
    }
    existing(conn, username).await
}

async fn existing(conn: &mut PgConnection, username: &str) -> StoreResult<Official> {
    official_in(conn, username)
        .await?
        .map(|o| o.official)
        .ok_or_else(|| StoreError::NotFound(format!("official {username}")))
}

impl PgStore {
    pub(crate) async fn revoke_in(
        &self,
        username: &str,
        revoked: &Assignment,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Official, ManageRefusal>> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let official = locked(&mut tx, username).await?;
        if let Err(refusal) = by.check_account_change(
            &official.username.user_id(),
            &official.assignments,
            AccountChange::Revoke(revoked),
        ) {
            return Ok(Err(refusal));
        }
        sqlx::query("DELETE FROM official_roles WHERE username = $1 AND role = $2 AND unit = $3")
            .bind(username)
            .bind(revoked.role.as_str())
            .bind(revoked.unit.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query("UPDATE officials SET updated_at = $2 WHERE username = $1")
            .bind(username)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        append_event(
            &mut tx,
            username,
            AccountEventKind::RoleRevoked,
            Some(by.user()),
            std::slice::from_ref(revoked),
            now,
        )
        .await?;
        end_sessions(&mut tx, username, None).await?;
        let after = existing(&mut tx, username).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(Ok(after))
    }

    pub(crate) async fn set_active_in(
        &self,
        username: &str,
        active: bool,
        by: Option<&Principal>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Official, ManageRefusal>> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let official = locked(&mut tx, username).await?;
        if let Some(p) = by {
            let change = if active {
                AccountChange::Reactivate
            } else {
                AccountChange::Deactivate
            };
            if let Err(refusal) =
                p.check_account_change(&official.username.user_id(), &official.assignments, change)
            {
                return Ok(Err(refusal));
            }
        }
        if let Some(kind) = sup::activation_event(official.active, active) {
            sqlx::query("UPDATE officials SET active = $2, updated_at = $3 WHERE username = $1")
                .bind(username)
                .bind(active)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            append_event(&mut tx, username, kind, by.map(Principal::user), &[], now).await?;
        }
        if !active {
            end_sessions(&mut tx, username, None).await?;
        }
        let after = existing(&mut tx, username).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(Ok(after))
    }

    pub(crate) async fn set_password_in(
        &self,
        username: &str,
        password_hash: &str,
        keep: Option<&[u8; 32]>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let official = locked(&mut tx, username).await?;
        sqlx::query("UPDATE officials SET password_hash = $2, updated_at = $3 WHERE username = $1")
            .bind(username)
            .bind(password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        append_event(
            &mut tx,
            username,
            AccountEventKind::PasswordChanged,
            Some(&official.username.user_id()),
            &[],
            now,
        )
        .await?;
        end_sessions(&mut tx, username, keep).await?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn events_in(&self, username: &str) -> StoreResult<Vec<AccountEvent>> {
        let rows = sqlx::query(
            "SELECT seq, username, kind, actor, roles::text, at FROM account_events \
             WHERE username = $1 ORDER BY seq",
        )
        .bind(username)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                sup::account_event(
                    r.try_get(0).map_err(db_err)?,
                    r.try_get(1).map_err(db_err)?,
                    r.try_get(2).map_err(db_err)?,
                    r.try_get(3).map_err(db_err)?,
                    r.try_get(4).map_err(db_err)?,
                    r.try_get(5).map_err(db_err)?,
                )
            })
            .collect()
    }

    pub(crate) async fn officials_in_scope_in(&self, scope: &Scope) -> StoreResult<Vec<Official>> {
        if scope.units.is_empty() && scope.provinces.is_empty() {
            return Ok(Vec::new());
        }
        let units: Vec<String> = scope.units.iter().map(ToString::to_string).collect();
        let provinces: Vec<String> = scope.provinces.iter().cloned().collect();
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT username FROM official_roles \
             WHERE unit = ANY($1) OR province_code = ANY($2) ORDER BY username",
        )
        .bind(units)
        .bind(provinces)
        .fetch_all(self.pool())
        .await
        .map_err(db_err)?;
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        let mut out = Vec::with_capacity(names.len());
        for n in &names {
            out.push(existing(&mut conn, n).await?);
        }
        Ok(out)
    }
}
