//! Account administration on SQLite: the changes that end sessions or
//! depend on the roles held (each one job of the writer thread, so the
//! check and the change are atomic), the account events appended with
//! them, and the listing of a scope's officials.

use chrono::{DateTime, Utc};
use motcua_domain::access::{
    AccountChange, AccountEventKind, Assignment, ManageRefusal, Principal, Scope,
};
use motcua_domain::dossier::UserId;
use motcua_store::account_support as sup;
use motcua_store::{AccountEvent, Official, StoreError, StoreResult};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection};

use crate::accounts::{official_in, parse_ts, ts};
use crate::db_err;

/// Appends one account event.
pub(crate) fn append_event(
    conn: &Connection,
    username: &str,
    kind: AccountEventKind,
    actor: Option<&UserId>,
    roles: &[Assignment],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO account_events (username, kind, actor, roles, at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .map_err(db_err)?
    .execute(params![
        username,
        kind.as_str(),
        actor.map(UserId::as_str),
        sup::roles_json(roles),
        ts(at)
    ])
    .map_err(db_err)?;
    Ok(())
}

/// Ends the official's sessions but `keep` (a token hash as hex).
fn end_sessions(conn: &Connection, username: &str, keep: Option<&str>) -> StoreResult<()> {
    conn.prepare_cached(
        "DELETE FROM sessions WHERE subject_kind = 'official' AND subject = ?1 \
         AND token_hash IS NOT ?2",
    )
    .map_err(db_err)?
    .execute(params![username, keep])
    .map_err(db_err)?;
    Ok(())
}

fn existing(conn: &Connection, username: &str) -> StoreResult<Official> {
    official_in(conn, username)?
        .map(|o| o.official)
        .ok_or_else(|| StoreError::NotFound(format!("official {username}")))
}

fn touch_official(conn: &Connection, username: &str, now: DateTime<Utc>) -> StoreResult<()> {
    conn.prepare_cached("UPDATE officials SET updated_at = ?2 WHERE username = ?1")
        .map_err(db_err)?
        .execute(params![username, ts(now)])
        .map_err(db_err)?;
    Ok(())
}

pub(crate) fn revoke_in(
    conn: &Connection,
    username: &str,
    revoked: &Assignment,
    by: &Principal,
    now: DateTime<Utc>,
) -> StoreResult<Result<Official, ManageRefusal>> {
    let official = existing(conn, username)?;
    if let Err(refusal) = by.check_account_change(
        &official.username.user_id(),
        &official.assignments,
        AccountChange::Revoke(revoked),
    ) {
        return Ok(Err(refusal));
    }
    conn.prepare_cached(
        "DELETE FROM official_roles WHERE username = ?1 AND role = ?2 AND unit = ?3",
    )
    .map_err(db_err)?
    .execute(params![
        username,
        revoked.role.as_str(),
        revoked.unit.as_str()
    ])
    .map_err(db_err)?;
    touch_official(conn, username, now)?;
    append_event(
        conn,
        username,
        AccountEventKind::RoleRevoked,
        Some(by.user()),
        std::slice::from_ref(revoked),
        now,
    )?;
    end_sessions(conn, username, None)?;
    existing(conn, username).map(Ok)
}

pub(crate) fn set_active_in(
    conn: &Connection,
    username: &str,
    active: bool,
    by: Option<&Principal>,
    now: DateTime<Utc>,
) -> StoreResult<Result<Official, ManageRefusal>> {
    let official = existing(conn, username)?;
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
        conn.prepare_cached(
            "UPDATE officials SET active = ?2, updated_at = ?3 WHERE username = ?1",
        )
        .map_err(db_err)?
        .execute(params![username, active, ts(now)])
        .map_err(db_err)?;
        append_event(conn, username, kind, by.map(Principal::user), &[], now)?;
    }
    if !active {
        end_sessions(conn, username, None)?;
    }
    existing(conn, username).map(Ok)
}

pub(crate) fn set_password_in(
    conn: &Connection,
    username: &str,
    password_hash: &str,
    keep: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let official = existing(conn, username)?;
    conn.prepare_cached(
        "UPDATE officials SET password_hash = ?2, updated_at = ?3 WHERE username = ?1",
    )
    .map_err(db_err)?
    .execute(params![username, password_hash, ts(now)])
    .map_err(db_err)?;
    append_event(
        conn,
        username,
        AccountEventKind::PasswordChanged,
        Some(&official.username.user_id()),
        &[],
        now,
    )?;
    end_sessions(conn, username, keep)
}

pub(crate) fn events_in(conn: &Connection, username: &str) -> StoreResult<Vec<AccountEvent>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, username, kind, actor, roles, at FROM account_events \
             WHERE username = ?1 ORDER BY seq",
        )
        .map_err(db_err)?;
    let mut rows = stmt.query([username]).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        let get = |i| r.get::<_, String>(i).map_err(db_err);
        let actor: Option<String> = r.get(3).map_err(db_err)?;
        out.push(sup::account_event(
            r.get(0).map_err(db_err)?,
            &get(1)?,
            &get(2)?,
            actor.as_deref(),
            &get(4)?,
            parse_ts("account_events.at", &get(5)?)?,
        )?);
    }
    Ok(out)
}

pub(crate) fn officials_in_scope_in(
    conn: &Connection,
    scope: &Scope,
) -> StoreResult<Vec<Official>> {
    let mut args: Vec<Value> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    for u in &scope.units {
        args.push(Value::Text(u.to_string()));
        parts.push(format!("unit = ?{}", args.len()));
    }
    for p in &scope.provinces {
        args.push(Value::Text(p.clone()));
        parts.push(format!("province_code = ?{}", args.len()));
    }
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT username FROM official_roles WHERE {} ORDER BY username",
        parts.join(" OR ")
    );
    let names: Vec<String> = {
        let mut stmt = conn.prepare(&sql).map_err(db_err)?;
        let rows = stmt
            .query_map(params_from_iter(args), |r| r.get(0))
            .map_err(db_err)?;
        rows.collect::<Result<_, _>>().map_err(db_err)?
    };
    names.iter().map(|n| existing(conn, n)).collect()
}
