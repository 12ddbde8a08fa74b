//! Mã hồ sơ — the dossier code and the unit identifier in it.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Mã định danh đơn vị tiếp nhận — the receiving (or competent) unit's
/// identifier as it appears in dossier codes, e.g. `H15.50.05.13`:
/// dot-separated non-empty segments of `[A-Z0-9]`, at most 40 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitId(String);

/// Why a dossier code or unit identifier is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierCodeError {
    #[error("invalid unit identifier {0:?}: expected dot-separated segments of [A-Z0-9]")]
    Unit(String),
    #[error("invalid dossier code {0:?}: expected <unit>-<YYMMDD>-<NNNN>")]
    Shape(String),
    #[error("invalid receipt date in dossier code {0:?}")]
    Date(String),
    #[error("invalid sequence in dossier code {0:?}: expected 0001-9999")]
    Sequence(String),
}

impl DossierCodeError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DossierCodeError::Unit(_) => "invalid_unit_id",
            DossierCodeError::Shape(_) => "invalid_dossier_code",
            DossierCodeError::Date(_) => "invalid_dossier_date",
            DossierCodeError::Sequence(_) => "invalid_dossier_sequence",
        }
    }
}

impl UnitId {
    pub fn parse(s: &str) -> Result<Self, DossierCodeError> {
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.split('.').all(|seg| {
                !seg.is_empty()
                    && seg
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            });
        if ok {
            Ok(UnitId(s.to_string()))
        } else {
            Err(DossierCodeError::Unit(s.to_string()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The province code: the identifier's first segment (`04` of
    /// `04.01273`; a province's own id is its code).
    pub fn province_code(&self) -> &str {
        self.0.split('.').next().unwrap_or(&self.0)
    }
    /// The province's id ([`UnitId::province_code`] as a unit id).
    pub fn province(&self) -> UnitId {
        UnitId(self.province_code().to_string())
    }
}
impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for UnitId {
    type Error = DossierCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        UnitId::parse(&s)
    }
}
impl From<UnitId> for String {
    fn from(u: UnitId) -> String {
        u.0
    }
}

/// Mã hồ sơ — `<receiving unit identifier>-<YYMMDD>-<NNNN>`, e.g.
/// `H15.50.05.13-261008-0975`: the receiving unit, the receipt date in
/// Vietnam time (UTC+7) and a 4-digit sequence restarting every day per
/// unit (Circular 03/2025/TT-VPCP). The sequence is allocated atomically by
/// the store; this type only formats and parses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DossierCode {
    unit: UnitId,
    date: NaiveDate,
    seq: u16,
}

impl DossierCode {
    /// Builds a code; `date` must be in 2000–2099 and `seq` in 1..=9999.
    pub fn format(unit_id: &UnitId, date: NaiveDate, seq: u16) -> Result<Self, DossierCodeError> {
        if !(2000..=2099).contains(&date.year()) {
            return Err(DossierCodeError::Date(date.to_string()));
        }
        if !(1..=9999).contains(&seq) {
            return Err(DossierCodeError::Sequence(seq.to_string()));
        }
        Ok(DossierCode {
            unit: unit_id.clone(),
            date,
            seq,
        })
    }

    /// Parses `<unit>-<YYMMDD>-<NNNN>`.
    pub fn parse(s: &str) -> Result<Self, DossierCodeError> {
        let mut parts = s.split('-');
        let (Some(unit), Some(date), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DossierCodeError::Shape(s.to_string()));
        };
        let unit = UnitId::parse(unit)?;
        if date.len() != 6 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DossierCodeError::Date(s.to_string()));
        }
        let date = NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d")
            .map_err(|_| DossierCodeError::Date(s.to_string()))?;
        if seq.len() != 4 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DossierCodeError::Sequence(s.to_string()));
        }
        let seq: u16 = seq
            .parse()
            .map_err(|_| DossierCodeError::Sequence(s.to_string()))?;
        if seq == 0 {
            return Err(DossierCodeError::Sequence(s.to_string()));
        }
        Ok(DossierCode { unit, date, seq })
    }

    pub fn unit(&self) -> &UnitId {
        &self.unit
    }
    /// Receipt date (Vietnam time).
    pub fn date(&self) -> NaiveDate {
        self.date
    }
    pub fn seq(&self) -> u16 {
        self.seq
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:02}{:02}{:02}-{:04}",
            self.unit,
            self.date.year() % 100,
            self.date.month(),
            self.date.day(),
            self.seq
        )
    }
}
impl TryFrom<String> for DossierCode {
    type Error = DossierCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        DossierCode::parse(&s)
    }
}
impl From<DossierCode> for String {
    fn from(c: DossierCode) -> String {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn parses_the_example() {
        let c = DossierCode::parse("H15.50.05.13-261008-0975").expect("valid");
        assert_eq!(c.unit().as_str(), "H15.50.05.13");
        assert_eq!(c.date(), d(2026, 10, 8));
        assert_eq!(c.seq(), 975);
        assert_eq!(c.to_string(), "H15.50.05.13-261008-0975");
    }

    #[test]
    fn formats() {
        let u = UnitId::parse("04.01273").expect("unit");
        let c = DossierCode::format(&u, d(2025, 7, 1), 1).expect("valid");
        assert_eq!(c.to_string(), "04.01273-250701-0001");
        assert_eq!(DossierCode::parse(&c.to_string()).expect("round trip"), c);
        assert_eq!(
            DossierCode::format(&u, d(2025, 7, 1), 0)
                .expect_err("seq")
                .code(),
            "invalid_dossier_sequence"
        );
        assert!(DossierCode::format(&u, d(2025, 7, 1), 10000).is_err());
        assert!(DossierCode::format(&u, d(1999, 7, 1), 1).is_err());
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "H15.50.05.13-261008",
            "H15.50.05.13-261008-975",
            "H15.50.05.13-261308-0975",
            "H15.50.05.13-260230-0975",
            "H15.50.05.13-261008-0000",
            "h15.50.05.13-261008-0975",
            "H15..50-261008-0975",
            "-261008-0975",
            "H15-261008-0975-1",
            "H15-26100a-0975",
            "H15-261008-+975",
        ] {
            assert!(DossierCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serde_is_the_string() {
        let c: DossierCode = serde_json::from_str("\"H15.50.05.13-261008-0975\"").expect("de");
        assert_eq!(
            serde_json::to_string(&c).expect("ser"),
            "\"H15.50.05.13-261008-0975\""
        );
        assert!(serde_json::from_str::<DossierCode>("\"X-1-2\"").is_err());
    }
}
