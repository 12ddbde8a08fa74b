//! Parsing of the reference CSV files (see `data/vn-admin/PROVENANCE.md`)
//! into versioned unit records and lineage links.

use super::model::*;

/// The six CSV texts that make up the unit reference data.
#[derive(Debug, Clone, Copy)]
pub struct UnitSources<'a> {
    pub provinces_2025: &'a str,
    pub communes_2025: &'a str,
    pub provinces_legacy: &'a str,
    pub districts_legacy: &'a str,
    pub communes_legacy: &'a str,
    pub merger_2025: &'a str,
}

/// A reference file that does not parse. Carries the file, the 1-based line
/// and what is wrong, so a bad import can be fixed from the message alone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}: {message}")]
pub struct DatasetError {
    pub file: &'static str,
    pub line: u64,
    pub message: String,
}

fn rows<'a>(
    file: &'static str,
    text: &'a str,
    columns: usize,
) -> impl Iterator<Item = Result<(u64, csv::StringRecord), DatasetError>> + 'a {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let records: Vec<_> = reader.records().collect();
    records.into_iter().enumerate().map(move |(i, r)| {
        let line = i as u64 + 2;
        let rec = r.map_err(|e| DatasetError {
            file,
            line,
            message: e.to_string(),
        })?;
        if rec.len() < columns {
            return Err(DatasetError {
                file,
                line,
                message: format!("expected {columns} columns, found {}", rec.len()),
            });
        }
        Ok((line, rec))
    })
}

fn field_code(
    file: &'static str,
    line: u64,
    value: &str,
    level: Level,
) -> Result<UnitCode, DatasetError> {
    UnitCode::parse_at(value, level).map_err(|e| DatasetError {
        file,
        line,
        message: e.to_string(),
    })
}

fn field_type(file: &'static str, line: u64, value: &str) -> Result<UnitType, DatasetError> {
    UnitType::parse(value).ok_or_else(|| DatasetError {
        file,
        line,
        message: format!("unknown unit type {value:?}"),
    })
}

fn field_bool(file: &'static str, line: u64, value: &str) -> Result<bool, DatasetError> {
    match value {
        "1" => Ok(true),
        "0" => Ok(false),
        other => Err(DatasetError {
            file,
            line,
            message: format!("expected 0 or 1, found {other:?}"),
        }),
    }
}

/// Parses the reference files. Legacy records are valid until 2025-06-30,
/// two-level records from 2025-07-01.
pub fn parse_dataset(src: &UnitSources<'_>) -> Result<UnitDataset, DatasetError> {
    let mut units = Vec::with_capacity(14_200);
    let legacy = (None, Some(LEGACY_LAST_DAY));
    let current = (Some(REFORM_DAY), None);

    for (file, text, period) in [
        ("provinces_legacy.csv", src.provinces_legacy, legacy),
        ("provinces_2025.csv", src.provinces_2025, current),
    ] {
        for row in rows(file, text, 4) {
            let (line, r) = row?;
            let code = field_code(file, line, &r[0], Level::Province)?;
            units.push(Unit {
                province_code: code.clone(),
                code,
                unit_type: field_type(file, line, &r[2])?,
                name: r[1].to_string(),
                short_name: r[3].to_string(),
                parent_code: None,
                valid_from: period.0,
                valid_to: period.1,
            });
        }
    }

    let file = "districts_legacy.csv";
    let mut district_province = std::collections::HashMap::new();
    for row in rows(file, src.districts_legacy, 5) {
        let (line, r) = row?;
        let code = field_code(file, line, &r[0], Level::District)?;
        let parent = field_code(file, line, &r[3], Level::Province)?;
        district_province.insert(code.clone(), parent.clone());
        units.push(Unit {
            code,
            unit_type: field_type(file, line, &r[2])?,
            name: r[1].to_string(),
            short_name: r[4].to_string(),
            parent_code: Some(parent.clone()),
            province_code: parent,
            valid_from: legacy.0,
            valid_to: legacy.1,
        });
    }

    let file = "communes_legacy.csv";
    for row in rows(file, src.communes_legacy, 5) {
        let (line, r) = row?;
        let code = field_code(file, line, &r[0], Level::Commune)?;
        let district = field_code(file, line, &r[3], Level::District)?;
        let province = district_province
            .get(&district)
            .cloned()
            .ok_or_else(|| DatasetError {
                file,
                line,
                message: format!("unknown district {district}"),
            })?;
        units.push(Unit {
            code,
            unit_type: field_type(file, line, &r[2])?,
            name: r[1].to_string(),
            short_name: r[4].to_string(),
            parent_code: Some(district),
            province_code: province,
            valid_from: legacy.0,
            valid_to: legacy.1,
        });
    }

    let file = "communes_2025.csv";
    for row in rows(file, src.communes_2025, 5) {
        let (line, r) = row?;
        let province = field_code(file, line, &r[3], Level::Province)?;
        units.push(Unit {
            code: field_code(file, line, &r[0], Level::Commune)?,
            unit_type: field_type(file, line, &r[2])?,
            name: r[1].to_string(),
            short_name: r[4].to_string(),
            parent_code: Some(province.clone()),
            province_code: province,
            valid_from: current.0,
            valid_to: current.1,
        });
    }

    let file = "merger_2025.csv";
    let mut lineage = Vec::with_capacity(10_700);
    for row in rows(file, src.merger_2025, 7) {
        let (line, r) = row?;
        lineage.push(LineageLink {
            legacy_commune_code: if r[0].is_empty() {
                None
            } else {
                Some(field_code(file, line, &r[0], Level::Commune)?)
            },
            new_commune_code: field_code(file, line, &r[1], Level::Commune)?,
            legacy_district_code: field_code(file, line, &r[2], Level::District)?,
            legacy_province_code: field_code(file, line, &r[3], Level::Province)?,
            new_province_code: field_code(file, line, &r[4], Level::Province)?,
            split: field_bool(file, line, &r[5])?,
            primary: field_bool(file, line, &r[6])?,
        });
    }

    Ok(UnitDataset { units, lineage })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn shipped() -> UnitDataset {
        parse_dataset(&UnitSources {
            provinces_2025: motcua_refdata::PROVINCES_2025,
            communes_2025: motcua_refdata::COMMUNES_2025,
            provinces_legacy: motcua_refdata::PROVINCES_LEGACY,
            districts_legacy: motcua_refdata::DISTRICTS_LEGACY,
            communes_legacy: motcua_refdata::COMMUNES_LEGACY,
            merger_2025: motcua_refdata::MERGER_2025,
        })
        .expect("shipped data parses")
    }

    #[test]
    fn shipped_data_has_the_official_counts() {
        let d = shipped();
        let count = |era: Era, t: UnitType| {
            d.units
                .iter()
                .filter(|u| u.era() == era && u.unit_type == t)
                .count()
        };
        let provinces_now = d
            .units
            .iter()
            .filter(|u| u.era() == Era::TwoLevel && u.level() == Level::Province)
            .count();
        assert_eq!(provinces_now, 34);
        assert_eq!(count(Era::TwoLevel, UnitType::Xa), 2621);
        assert_eq!(count(Era::TwoLevel, UnitType::Phuong), 687);
        assert_eq!(count(Era::TwoLevel, UnitType::DacKhu), 13);
        let legacy_communes = d
            .units
            .iter()
            .filter(|u| u.era() == Era::Legacy && u.level() == Level::Commune)
            .count();
        assert_eq!(legacy_communes, 10_035);
        assert_eq!(d.lineage.len(), 10_602);
    }

    #[test]
    fn a_bad_row_names_its_file_and_line() {
        let bad = "code,name,type,short_name\n01,Thành phố Hà Nội,thanh_pho_truc_thuoc_trung_uong,Hà Nội\n4,Tỉnh Cao Bằng,tinh,Cao Bằng\n";
        let err = parse_dataset(&UnitSources {
            provinces_2025: bad,
            communes_2025: "code,name,type,province_code,short_name\n",
            provinces_legacy: "code,name,type,short_name\n",
            districts_legacy: "code,name,type,parent_code,short_name\n",
            communes_legacy: "code,name,type,parent_code,short_name\n",
            merger_2025: "legacy_commune_code,new_commune_code,legacy_district_code,legacy_province_code,new_province_code,split,primary\n",
        })
        .unwrap_err();
        assert_eq!(err.file, "provinces_2025.csv");
        assert_eq!(err.line, 3);
    }
}
