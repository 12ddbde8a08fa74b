//! The declarations of external inputs on PostgreSQL: a write takes a
//! transaction-scoped advisory lock of its (unit, month), reads the highest
//! version and appends the next one, so concurrent writes serialize and
//! get gap-free versions.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_domain::dossier::UnitId;
use motcua_domain::reports::{InputsDeclaration, Month};
use motcua_store::report_inputs::support;
use motcua_store::{
    dossier_support, InputsScope, NewInputsDeclaration, ReportInputStore, StoreError, StoreResult,
};
use sqlx::postgres::PgRow;
use sqlx::Row;

use crate::{db_err, PgStore};

const COLUMNS: &str = "unit, month, version, inputs::text AS inputs, entered_by, entered_at, note";

fn declaration(r: &PgRow) -> StoreResult<InputsDeclaration> {
    let unit: String = r.try_get("unit").map_err(db_err)?;
    let month: String = r.try_get("month").map_err(db_err)?;
    let version: i32 = r.try_get("version").map_err(db_err)?;
    let body: String = r.try_get("inputs").map_err(db_err)?;
    let by: String = r.try_get("entered_by").map_err(db_err)?;
    let at: DateTime<Utc> = r.try_get("entered_at").map_err(db_err)?;
    let note: Option<String> = r.try_get("note").map_err(db_err)?;
    support::declaration(&unit, &month, i64::from(version), &body, &by, at, note)
}

#[async_trait]
impl ReportInputStore for PgStore {
    async fn declare_inputs(&self, new: &NewInputsDeclaration) -> StoreResult<InputsDeclaration> {
        let body = support::body(&new.inputs)?;
        let unit = new.unit.as_str();
        let month = new.month.to_string();
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 766))")
            .bind(format!("report_inputs|{unit}|{month}"))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let version: i32 = sqlx::query_scalar(
            "INSERT INTO report_inputs \
             (province, unit, month, version, inputs, entered_by, entered_at, note) \
             SELECT $1, $2, $3, COALESCE(MAX(version), 0) + 1, $4::jsonb, $5, $6, $7 \
             FROM report_inputs WHERE unit = $2 AND month = $3 \
             RETURNING version",
        )
        .bind(dossier_support::province_of(&new.unit))
        .bind(unit)
        .bind(&month)
        .bind(&body)
        .bind(new.entered_by.as_str())
        .bind(new.entered_at)
        .bind(&new.note)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(InputsDeclaration {
            version: u32::try_from(version)
                .map_err(|e| StoreError::Corrupt(format!("report_inputs.version: {e}")))?,
            ..declared(new)
        })
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
            "SELECT DISTINCT ON (unit, month) {COLUMNS} FROM report_inputs \
             WHERE {column} = $1 AND month BETWEEN $2 AND $3 \
             ORDER BY unit, month, version DESC"
        );
        sqlx::query(&sql)
            .bind(key)
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(declaration)
            .collect()
    }

    async fn inputs_history(
        &self,
        unit: &UnitId,
        month: Month,
    ) -> StoreResult<Vec<InputsDeclaration>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM report_inputs WHERE unit = $1 AND month = $2 ORDER BY version"
        ))
        .bind(unit.as_str())
        .bind(month.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(declaration)
        .collect()
    }
}

fn declared(new: &NewInputsDeclaration) -> InputsDeclaration {
    InputsDeclaration {
        unit: new.unit.clone(),
        month: new.month,
        version: 0,
        inputs: new.inputs,
        entered_by: new.entered_by.clone(),
        entered_at: new.entered_at,
        note: new.note.clone(),
    }
}
