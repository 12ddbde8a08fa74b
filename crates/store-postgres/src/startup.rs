//! The start-up lock on PostgreSQL: a session-level advisory lock, taken on
//! a connection of its own (outside the pool, so that it cannot return to
//! the pool still holding the lock). The lock is per schema — two motcua
//! stores in two schemas of one database do not wait for each other — and
//! uses the two-key form of the advisory locks, whose keys never collide
//! with the one-key lock of sqlx's migrator.

use motcua_store::{StartupLock, StoreResult};
use sqlx::{Connection, PgConnection};

use crate::db_err;

/// The first key of motcua's advisory locks ("mcua").
const LOCK_CLASS: i32 = 0x6d63_7561;

/// Waits for the start-up lock of `schema` (None: the connection's current
/// schema) on `conn`, which the returned guard owns.
pub(crate) async fn lock(mut conn: PgConnection, schema: Option<&str>) -> StoreResult<StartupLock> {
    sqlx::query("SELECT pg_advisory_lock($1, hashtext(coalesce($2, current_schema(), '')))")
        .bind(LOCK_CLASS)
        .bind(schema)
        .execute(&mut conn)
        .await
        .map_err(db_err)?;
    Ok(StartupLock::new(async move {
        if let Err(e) = sqlx::query("SELECT pg_advisory_unlock_all()")
            .execute(&mut conn)
            .await
        {
            tracing::warn!(error = %e, "releasing the start-up lock failed; closing its session");
        }
        if let Err(e) = conn.close().await {
            tracing::warn!(error = %e, "closing the start-up lock's session failed");
        }
    }))
}
