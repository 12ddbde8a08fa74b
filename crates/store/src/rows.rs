//! Decoding of stored columns into domain values, shared by the backends so
//! that both reject a corrupted row the same way.

use chrono::NaiveDate;
use motcua_domain::units::{LineageLink, Unit, UnitCode, UnitType};

use crate::{StoreError, StoreResult};

pub fn code(column: &str, value: &str) -> StoreResult<UnitCode> {
    UnitCode::parse(value).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

pub fn opt_code(column: &str, value: Option<&str>) -> StoreResult<Option<UnitCode>> {
    value.map(|v| code(column, v)).transpose()
}

/// The columns of one `units` row, as text and dates.
pub struct UnitRow<'a> {
    pub code: &'a str,
    pub unit_type: &'a str,
    pub name: String,
    pub short_name: String,
    pub parent_code: Option<&'a str>,
    pub province_code: &'a str,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl UnitRow<'_> {
    pub fn decode(self) -> StoreResult<Unit> {
        Ok(Unit {
            code: code("units.code", self.code)?,
            unit_type: UnitType::parse(self.unit_type).ok_or_else(|| {
                StoreError::Corrupt(format!("units.unit_type: {:?}", self.unit_type))
            })?,
            name: self.name,
            short_name: self.short_name,
            parent_code: opt_code("units.parent_code", self.parent_code)?,
            province_code: code("units.province_code", self.province_code)?,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        })
    }
}

/// The columns of one `unit_lineage` row.
pub struct LineageRow<'a> {
    pub legacy_commune_code: Option<&'a str>,
    pub legacy_district_code: &'a str,
    pub legacy_province_code: &'a str,
    pub new_commune_code: &'a str,
    pub new_province_code: &'a str,
    pub split: bool,
    pub primary: bool,
}

impl LineageRow<'_> {
    pub fn decode(self) -> StoreResult<LineageLink> {
        Ok(LineageLink {
            legacy_commune_code: opt_code("legacy_commune_code", self.legacy_commune_code)?,
            legacy_district_code: code("legacy_district_code", self.legacy_district_code)?,
            legacy_province_code: code("legacy_province_code", self.legacy_province_code)?,
            new_commune_code: code("new_commune_code", self.new_commune_code)?,
            new_province_code: code("new_province_code", self.new_province_code)?,
            split: self.split,
            primary: self.primary,
        })
    }
}
