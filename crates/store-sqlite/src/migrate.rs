//! Schema migrations, numbered like the PostgreSQL ones, tracked in
//! SQLite's `user_version` and applied each in its own transaction.

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_units.sql")),
    (2, include_str!("../migrations/0002_dossiers.sql")),
    (3, include_str!("../migrations/0003_accounts.sql")),
    (4, include_str!("../migrations/0004_outbox.sql")),
    (5, include_str!("../migrations/0005_appointments.sql")),
    (6, include_str!("../migrations/0006_reports.sql")),
    (
        7,
        include_str!("../migrations/0007_step_rollup_columns.sql"),
    ),
    (8, include_str!("../migrations/0008_report_inputs.sql")),
    (9, include_str!("../migrations/0009_step_kind.sql")),
    (11, include_str!("../migrations/0011_account_events.sql")),
    (12, include_str!("../migrations/0012_booking_holders.sql")),
    (13, include_str!("../migrations/0013_blobs.sql")),
    (16, include_str!("../migrations/0016_rescheduled.sql")),
    (17, include_str!("../migrations/0017_event_log.sql")),
];

pub fn run(conn: &mut rusqlite::Connection) -> rusqlite::Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}
