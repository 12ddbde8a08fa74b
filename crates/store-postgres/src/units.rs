use async_trait::async_trait;
use chrono::NaiveDate;
use motcua_domain::units::{LineageLink, Unit, UnitCode, UnitDataset};
use motcua_store::rows::{LineageRow, UnitRow};
use motcua_store::{StoreResult, UnitStore};
use sqlx::postgres::PgRow;
use sqlx::Row;

use crate::{db_err, PgStore};

const UNIT_COLUMNS: &str =
    "code, unit_type, name, short_name, parent_code, province_code, valid_from, valid_to";
const LINEAGE_COLUMNS: &str = "legacy_commune_code, legacy_district_code, legacy_province_code, \
     new_commune_code, new_province_code, split, is_primary";

fn unit_row(r: &PgRow) -> StoreResult<Unit> {
    UnitRow {
        code: r.try_get(0).map_err(db_err)?,
        unit_type: r.try_get(1).map_err(db_err)?,
        name: r.try_get(2).map_err(db_err)?,
        short_name: r.try_get(3).map_err(db_err)?,
        parent_code: r.try_get(4).map_err(db_err)?,
        province_code: r.try_get(5).map_err(db_err)?,
        valid_from: r.try_get(6).map_err(db_err)?,
        valid_to: r.try_get(7).map_err(db_err)?,
    }
    .decode()
}

fn lineage_row(r: &PgRow) -> StoreResult<LineageLink> {
    LineageRow {
        legacy_commune_code: r.try_get(0).map_err(db_err)?,
        legacy_district_code: r.try_get(1).map_err(db_err)?,
        legacy_province_code: r.try_get(2).map_err(db_err)?,
        new_commune_code: r.try_get(3).map_err(db_err)?,
        new_province_code: r.try_get(4).map_err(db_err)?,
        split: r.try_get(5).map_err(db_err)?,
        primary: r.try_get(6).map_err(db_err)?,
    }
    .decode()
}

impl PgStore {
    async fn fetch_units(&self, query: PgQuery<'_>) -> StoreResult<Vec<Unit>> {
        let rows = query.fetch_all(self.pool()).await.map_err(db_err)?;
        rows.iter().map(unit_row).collect()
    }

    async fn fetch_lineage(&self, query: PgQuery<'_>) -> StoreResult<Vec<LineageLink>> {
        let rows = query.fetch_all(self.pool()).await.map_err(db_err)?;
        rows.iter().map(lineage_row).collect()
    }
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

fn units_sql(tail: &str) -> String {
    format!("SELECT {UNIT_COLUMNS} FROM units {tail}")
}

fn lineage_sql(tail: &str) -> String {
    format!("SELECT {LINEAGE_COLUMNS} FROM unit_lineage {tail}")
}

/// Rows per multi-row INSERT: well under PostgreSQL's 65,535 bind parameters.
const CHUNK: usize = 2_000;
const LINEAGE_ORDER: &str =
    "ORDER BY new_province_code, new_commune_code, legacy_district_code, legacy_commune_code";

#[async_trait]
impl UnitStore for PgStore {
    async fn units_data_version(&self) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'units_data_version'")
            .fetch_optional(self.pool())
            .await
            .map_err(db_err)
    }

    async fn import_units(&self, version: &str, data: &UnitDataset) -> StoreResult<()> {
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        sqlx::query("DELETE FROM unit_lineage")
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query("DELETE FROM units")
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        for chunk in data.units.chunks(CHUNK) {
            let mut qb =
                sqlx::QueryBuilder::new(format!("INSERT INTO units (level, era, {UNIT_COLUMNS}) "));
            qb.push_values(chunk, |mut b, u| {
                b.push_bind(u.level().as_str())
                    .push_bind(u.era().as_str())
                    .push_bind(u.code.as_str())
                    .push_bind(u.unit_type.as_str())
                    .push_bind(&u.name)
                    .push_bind(&u.short_name)
                    .push_bind(u.parent_code.as_ref().map(|c| c.as_str()))
                    .push_bind(u.province_code.as_str())
                    .push_bind(u.valid_from)
                    .push_bind(u.valid_to);
            });
            qb.build().execute(&mut *tx).await.map_err(db_err)?;
        }
        for chunk in data.lineage.chunks(CHUNK) {
            let mut qb =
                sqlx::QueryBuilder::new(format!("INSERT INTO unit_lineage ({LINEAGE_COLUMNS}) "));
            qb.push_values(chunk, |mut b, l| {
                b.push_bind(l.legacy_commune_code.as_ref().map(|c| c.as_str()))
                    .push_bind(l.legacy_district_code.as_str())
                    .push_bind(l.legacy_province_code.as_str())
                    .push_bind(l.new_commune_code.as_str())
                    .push_bind(l.new_province_code.as_str())
                    .push_bind(l.split)
                    .push_bind(l.primary);
            });
            qb.build().execute(&mut *tx).await.map_err(db_err)?;
        }
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('units_data_version', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn unit_at(&self, code: &UnitCode, at: NaiveDate) -> StoreResult<Option<Unit>> {
        let sql = units_sql(
            "WHERE level = $1 AND code = $2 \
             AND (valid_from IS NULL OR valid_from <= $3) \
             AND (valid_to IS NULL OR valid_to >= $3)",
        );
        let q = sqlx::query(&sql)
            .bind(code.level().as_str())
            .bind(code.as_str())
            .bind(at);
        Ok(self.fetch_units(q).await?.pop())
    }

    async fn unit_history(&self, code: &UnitCode) -> StoreResult<Vec<Unit>> {
        let sql = units_sql("WHERE level = $1 AND code = $2 ORDER BY valid_from NULLS FIRST");
        let q = sqlx::query(&sql)
            .bind(code.level().as_str())
            .bind(code.as_str());
        self.fetch_units(q).await
    }

    async fn communes_of_province(
        &self,
        province: &UnitCode,
        at: NaiveDate,
    ) -> StoreResult<Vec<Unit>> {
        let sql = units_sql(
            "WHERE province_code = $1 AND level = 'commune' \
             AND (valid_from IS NULL OR valid_from <= $2) \
             AND (valid_to IS NULL OR valid_to >= $2) ORDER BY code",
        );
        let q = sqlx::query(&sql).bind(province.as_str()).bind(at);
        self.fetch_units(q).await
    }

    async fn sources_of(&self, new_commune: &UnitCode) -> StoreResult<Vec<LineageLink>> {
        let sql = lineage_sql(
            "WHERE new_commune_code = $1 ORDER BY legacy_commune_code, legacy_district_code",
        );
        self.fetch_lineage(sqlx::query(&sql).bind(new_commune.as_str()))
            .await
    }

    async fn successors_of(&self, legacy_commune: &UnitCode) -> StoreResult<Vec<LineageLink>> {
        let sql = lineage_sql(
            "WHERE legacy_commune_code = $1 ORDER BY is_primary DESC, new_commune_code",
        );
        self.fetch_lineage(sqlx::query(&sql).bind(legacy_commune.as_str()))
            .await
    }

    async fn load_units(&self) -> StoreResult<UnitDataset> {
        let units_q = units_sql("ORDER BY level, code, era");
        let lineage_q = lineage_sql(LINEAGE_ORDER);
        Ok(UnitDataset {
            units: self.fetch_units(sqlx::query(&units_q)).await?,
            lineage: self.fetch_lineage(sqlx::query(&lineage_q)).await?,
        })
    }
}
