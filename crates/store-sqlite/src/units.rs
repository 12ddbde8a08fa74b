use async_trait::async_trait;
use chrono::NaiveDate;
use motcua_domain::units::{LineageLink, Unit, UnitCode, UnitDataset};
use motcua_store::rows::{LineageRow, UnitRow};
use motcua_store::{StoreResult, UnitStore};
use rusqlite::{params, OptionalExtension, Row};

use crate::{db_err, SqliteStore};

const UNIT_COLUMNS: &str =
    "code, unit_type, name, short_name, parent_code, province_code, valid_from, valid_to";
const LINEAGE_COLUMNS: &str = "legacy_commune_code, legacy_district_code, legacy_province_code, \
     new_commune_code, new_province_code, split, is_primary";

fn unit_row(r: &Row<'_>) -> StoreResult<Unit> {
    let get = |i| r.get::<_, String>(i).map_err(db_err);
    let get_opt = |i| r.get::<_, Option<String>>(i).map_err(db_err);
    let date = |i| r.get::<_, Option<NaiveDate>>(i).map_err(db_err);
    let (code, unit_type, province) = (get(0)?, get(1)?, get(5)?);
    let parent = get_opt(4)?;
    UnitRow {
        code: &code,
        unit_type: &unit_type,
        name: get(2)?,
        short_name: get(3)?,
        parent_code: parent.as_deref(),
        province_code: &province,
        valid_from: date(6)?,
        valid_to: date(7)?,
    }
    .decode()
}

fn lineage_row(r: &Row<'_>) -> StoreResult<LineageLink> {
    let get = |i| r.get::<_, String>(i).map_err(db_err);
    let legacy: Option<String> = r.get(0).map_err(db_err)?;
    let (d, p, nc, np) = (get(1)?, get(2)?, get(3)?, get(4)?);
    LineageRow {
        legacy_commune_code: legacy.as_deref(),
        legacy_district_code: &d,
        legacy_province_code: &p,
        new_commune_code: &nc,
        new_province_code: &np,
        split: r.get(5).map_err(db_err)?,
        primary: r.get(6).map_err(db_err)?,
    }
    .decode()
}

fn query_units(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Vec<Unit>> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let mut rows = stmt.query(params).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        out.push(unit_row(r)?);
    }
    Ok(out)
}

fn query_lineage(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Vec<LineageLink>> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_err)?;
    let mut rows = stmt.query(params).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        out.push(lineage_row(r)?);
    }
    Ok(out)
}

#[async_trait]
impl UnitStore for SqliteStore {
    async fn units_data_version(&self) -> StoreResult<Option<String>> {
        self.read(|c| {
            c.query_row(
                "SELECT value FROM meta WHERE key = 'units_data_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)
        })
        .await
    }

    async fn import_units(&self, version: &str, data: &UnitDataset) -> StoreResult<()> {
        let version = version.to_string();
        let data = data.clone();
        self.write(move |tx| {
            tx.execute_batch("DELETE FROM unit_lineage; DELETE FROM units;")
                .map_err(db_err)?;
            {
                let mut ins = tx
                    .prepare(&format!(
                        "INSERT INTO units (level, era, {UNIT_COLUMNS}) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                    ))
                    .map_err(db_err)?;
                for u in &data.units {
                    ins.execute(params![
                        u.level().as_str(),
                        u.era().as_str(),
                        u.code.as_str(),
                        u.unit_type.as_str(),
                        u.name,
                        u.short_name,
                        u.parent_code.as_ref().map(|c| c.as_str()),
                        u.province_code.as_str(),
                        u.valid_from,
                        u.valid_to,
                    ])
                    .map_err(|e| match e {
                        rusqlite::Error::SqliteFailure(f, _)
                            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                        {
                            motcua_store::StoreError::Conflict(format!(
                                "units_pk: duplicate unit {} ({})",
                                u.code,
                                u.era().as_str()
                            ))
                        }
                        e => db_err(e),
                    })?;
                }
                let mut ins = tx
                    .prepare(&format!(
                        "INSERT INTO unit_lineage ({LINEAGE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                    ))
                    .map_err(db_err)?;
                for l in &data.lineage {
                    ins.execute(params![
                        l.legacy_commune_code.as_ref().map(|c| c.as_str()),
                        l.legacy_district_code.as_str(),
                        l.legacy_province_code.as_str(),
                        l.new_commune_code.as_str(),
                        l.new_province_code.as_str(),
                        l.split,
                        l.primary,
                    ])
                    .map_err(db_err)?;
                }
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('units_data_version', ?1) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [&version],
            )
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    async fn unit_at(&self, code: &UnitCode, at: NaiveDate) -> StoreResult<Option<Unit>> {
        let (code, level) = (code.to_string(), code.level().as_str());
        self.read(move |c| {
            let mut v = query_units(
                c,
                &format!(
                    "SELECT {UNIT_COLUMNS} FROM units WHERE level = ?1 AND code = ?2 \
                     AND (valid_from IS NULL OR valid_from <= ?3) \
                     AND (valid_to IS NULL OR valid_to >= ?3)"
                ),
                params![level, code, at],
            )?;
            Ok(v.pop())
        })
        .await
    }

    async fn unit_history(&self, code: &UnitCode) -> StoreResult<Vec<Unit>> {
        let (code, level) = (code.to_string(), code.level().as_str());
        self.read(move |c| {
            query_units(
                c,
                &format!(
                    "SELECT {UNIT_COLUMNS} FROM units WHERE level = ?1 AND code = ?2 \
                     ORDER BY valid_from IS NOT NULL, valid_from"
                ),
                params![level, code],
            )
        })
        .await
    }

    async fn communes_of_province(
        &self,
        province: &UnitCode,
        at: NaiveDate,
    ) -> StoreResult<Vec<Unit>> {
        let province = province.to_string();
        self.read(move |c| {
            query_units(
                c,
                &format!(
                    "SELECT {UNIT_COLUMNS} FROM units WHERE province_code = ?1 AND level = 'commune' \
                     AND (valid_from IS NULL OR valid_from <= ?2) \
                     AND (valid_to IS NULL OR valid_to >= ?2) ORDER BY code"
                ),
                params![province, at],
            )
        })
        .await
    }

    async fn sources_of(&self, new_commune: &UnitCode) -> StoreResult<Vec<LineageLink>> {
        let code = new_commune.to_string();
        self.read(move |c| {
            query_lineage(
                c,
                &format!(
                    "SELECT {LINEAGE_COLUMNS} FROM unit_lineage WHERE new_commune_code = ?1 \
                     ORDER BY legacy_commune_code, legacy_district_code"
                ),
                [code],
            )
        })
        .await
    }

    async fn successors_of(&self, legacy_commune: &UnitCode) -> StoreResult<Vec<LineageLink>> {
        let code = legacy_commune.to_string();
        self.read(move |c| {
            query_lineage(
                c,
                &format!(
                    "SELECT {LINEAGE_COLUMNS} FROM unit_lineage WHERE legacy_commune_code = ?1 \
                     ORDER BY is_primary DESC, new_commune_code"
                ),
                [code],
            )
        })
        .await
    }

    async fn load_units(&self) -> StoreResult<UnitDataset> {
        self.read(|c| {
            Ok(UnitDataset {
                units: query_units(
                    c,
                    &format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY level, code, era"),
                    [],
                )?,
                lineage: query_lineage(
                    c,
                    &format!("SELECT {LINEAGE_COLUMNS} FROM unit_lineage ORDER BY new_province_code, new_commune_code, legacy_district_code, legacy_commune_code"),
                    [],
                )?,
            })
        })
        .await
    }
}
