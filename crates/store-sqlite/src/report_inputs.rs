//! The declarations of external inputs on SQLite: a write reads the
//! (unit, month)'s highest version and appends the next one in the same
//! job on the writer thread, so concurrent writes serialize and get
//! gap-free versions; reads use the reader connections.

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use motcua_domain::dossier::UnitId;
use motcua_domain::reports::{InputsDeclaration, Month};
use motcua_store::report_inputs::support;
use motcua_store::{
    dossier_support, InputsScope, NewInputsDeclaration, ReportInputStore, StoreError, StoreResult,
};
use rusqlite::{params, Connection, Row};

use crate::{db_err, SqliteStore};

const COLUMNS: &str = "unit, month, version, inputs, entered_by, entered_at, note";

fn time(s: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("report_inputs.entered_at {s:?}: {e}")))
}

/// A row as read: unit, month, version, inputs, entered_by, entered_at, note.
type Raw = (String, String, i64, String, String, String, Option<String>);

fn row(r: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn rows(
    conn: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> StoreResult<Vec<InputsDeclaration>> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let found = stmt
        .query_map(args, row)
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    found
        .into_iter()
        .map(|(unit, month, version, body, by, at, note)| {
            support::declaration(&unit, &month, version, &body, &by, time(&at)?, note)
        })
        .collect()
}

#[async_trait]
impl ReportInputStore for SqliteStore {
    async fn declare_inputs(&self, new: &NewInputsDeclaration) -> StoreResult<InputsDeclaration> {
        let body = support::body(&new.inputs)?;
        let new = new.clone();
        self.write(move |conn| {
            let unit = new.unit.as_str();
            let month = new.month.to_string();
            let last: i64 = conn
                .prepare_cached(
                    "SELECT COALESCE(MAX(version), 0) FROM report_inputs \
                     WHERE unit = ?1 AND month = ?2",
                )
                .map_err(db_err)?
                .query_row(params![unit, month], |r| r.get(0))
                .map_err(db_err)?;
            let version = last + 1;
            conn.prepare_cached(
                "INSERT INTO report_inputs \
                 (province, unit, month, version, inputs, entered_by, entered_at, note) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(db_err)?
            .execute(params![
                dossier_support::province_of(&new.unit),
                unit,
                month,
                version,
                body,
                new.entered_by.as_str(),
                new.entered_at.to_rfc3339_opts(SecondsFormat::Micros, true),
                new.note,
            ])
            .map_err(db_err)?;
            Ok(InputsDeclaration {
                version: u32::try_from(version)
                    .map_err(|e| StoreError::Corrupt(format!("report_inputs.version: {e}")))?,
                unit: new.unit,
                month: new.month,
                inputs: new.inputs,
                entered_by: new.entered_by,
                entered_at: new.entered_at,
                note: new.note,
            })
        })
        .await
    }

    async fn inputs_in_force(
        &self,
        scope: &InputsScope,
        from: Month,
        to: Month,
    ) -> StoreResult<Vec<InputsDeclaration>> {
        let (column, key) = match scope {
            InputsScope::Unit(u) => ("unit", u.to_string()),
            InputsScope::Province(p) => ("province", p.clone()),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM report_inputs r \
             WHERE r.{column} = ?1 AND r.month BETWEEN ?2 AND ?3 \
             AND r.version = (SELECT MAX(x.version) FROM report_inputs x \
                              WHERE x.unit = r.unit AND x.month = r.month) \
             ORDER BY r.unit, r.month"
        );
        let (from, to) = (from.to_string(), to.to_string());
        self.read(move |conn| rows(conn, &sql, &[&key, &from, &to]))
            .await
    }

    async fn inputs_history(
        &self,
        unit: &UnitId,
        month: Month,
    ) -> StoreResult<Vec<InputsDeclaration>> {
        let (unit, month) = (unit.to_string(), month.to_string());
        self.read(move |conn| {
            rows(
                conn,
                &format!(
                    "SELECT {COLUMNS} FROM report_inputs WHERE unit = ?1 AND month = ?2 \
                     ORDER BY version"
                ),
                &[&unit, &month],
            )
        })
        .await
    }
}
