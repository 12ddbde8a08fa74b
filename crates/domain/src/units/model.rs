use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The last day of the three-level system.
pub const LEGACY_LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 6, 30) {
    Some(d) => d,
    None => panic!("valid date"),
};
/// The first day of the two-level system.
pub const REFORM_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 7, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// Cấp — the level of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Tỉnh / thành phố trực thuộc trung ương.
    Province,
    /// Huyện / quận / thị xã / thành phố thuộc tỉnh — abolished 2025-07-01.
    District,
    /// Xã / phường / thị trấn / đặc khu.
    Commune,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "province" => Some(Level::Province),
            "district" => Some(Level::District),
            "commune" => Some(Level::Commune),
            _ => None,
        }
    }
    /// Number of digits of a national statistics code at this level.
    pub fn code_len(self) -> usize {
        match self {
            Level::Province => 2,
            Level::District => 3,
            Level::Commune => 5,
        }
    }
}

/// Loại đơn vị — the kind of unit, as the national statistics catalogue names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitType {
    /// Tỉnh.
    Tinh,
    /// Thành phố trực thuộc trung ương.
    ThanhPhoTrucThuocTrungUong,
    /// Huyện (legacy).
    Huyen,
    /// Quận (legacy).
    Quan,
    /// Thị xã (legacy).
    ThiXa,
    /// Thành phố thuộc tỉnh (legacy).
    ThanhPhoThuocTinh,
    /// Thành phố thuộc thành phố trực thuộc trung ương (legacy: Thủ Đức, Thủy Nguyên).
    ThanhPhoThuocTpTrungUong,
    /// Xã.
    Xa,
    /// Phường.
    Phuong,
    /// Thị trấn (legacy only).
    ThiTran,
    /// Đặc khu — special zone (former island districts).
    DacKhu,
}

impl UnitType {
    /// The ASCII identifier used in the data files and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitType::Tinh => "tinh",
            UnitType::ThanhPhoTrucThuocTrungUong => "thanh_pho_truc_thuoc_trung_uong",
            UnitType::Huyen => "huyen",
            UnitType::Quan => "quan",
            UnitType::ThiXa => "thi_xa",
            UnitType::ThanhPhoThuocTinh => "thanh_pho_thuoc_tinh",
            UnitType::ThanhPhoThuocTpTrungUong => "thanh_pho_thuoc_tp_trung_uong",
            UnitType::Xa => "xa",
            UnitType::Phuong => "phuong",
            UnitType::ThiTran => "thi_tran",
            UnitType::DacKhu => "dac_khu",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "tinh" => UnitType::Tinh,
            "thanh_pho_truc_thuoc_trung_uong" => UnitType::ThanhPhoTrucThuocTrungUong,
            "huyen" => UnitType::Huyen,
            "quan" => UnitType::Quan,
            "thi_xa" => UnitType::ThiXa,
            "thanh_pho_thuoc_tinh" => UnitType::ThanhPhoThuocTinh,
            "thanh_pho_thuoc_tp_trung_uong" => UnitType::ThanhPhoThuocTpTrungUong,
            "xa" => UnitType::Xa,
            "phuong" => UnitType::Phuong,
            "thi_tran" => UnitType::ThiTran,
            "dac_khu" => UnitType::DacKhu,
            _ => return None,
        })
    }
    /// The level this kind of unit belongs to.
    pub fn level(self) -> Level {
        match self {
            UnitType::Tinh | UnitType::ThanhPhoTrucThuocTrungUong => Level::Province,
            UnitType::Huyen
            | UnitType::Quan
            | UnitType::ThiXa
            | UnitType::ThanhPhoThuocTinh
            | UnitType::ThanhPhoThuocTpTrungUong => Level::District,
            UnitType::Xa | UnitType::Phuong | UnitType::ThiTran | UnitType::DacKhu => {
                Level::Commune
            }
        }
    }
    /// Vietnamese label, e.g. "Phường".
    pub fn label_vi(self) -> &'static str {
        match self {
            UnitType::Tinh => "Tỉnh",
            UnitType::ThanhPhoTrucThuocTrungUong => "Thành phố trực thuộc trung ương",
            UnitType::Huyen => "Huyện",
            UnitType::Quan => "Quận",
            UnitType::ThiXa => "Thị xã",
            UnitType::ThanhPhoThuocTinh => "Thành phố thuộc tỉnh",
            UnitType::ThanhPhoThuocTpTrungUong => "Thành phố thuộc thành phố trực thuộc trung ương",
            UnitType::Xa => "Xã",
            UnitType::Phuong => "Phường",
            UnitType::ThiTran => "Thị trấn",
            UnitType::DacKhu => "Đặc khu",
        }
    }
}

/// Mã đơn vị hành chính — a national statistics code: 2 digits for a
/// province, 3 for a district, 5 for a commune. Leading zeros are significant.
/// A code is reused across eras, so a code never identifies a unit without a
/// date (see [`Unit::valid_on`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid unit code {0:?}: expected 2 (province), 3 (district) or 5 (commune) digits")]
pub struct InvalidUnitCode(pub String);

impl UnitCode {
    /// Parses a code of any level (2, 3 or 5 ASCII digits).
    pub fn parse(s: &str) -> Result<Self, InvalidUnitCode> {
        let t = s.trim();
        if matches!(t.len(), 2 | 3 | 5) && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(UnitCode(t.to_string()))
        } else {
            Err(InvalidUnitCode(s.to_string()))
        }
    }
    /// Parses a code that must be of `level`.
    pub fn parse_at(s: &str, level: Level) -> Result<Self, InvalidUnitCode> {
        let c = Self::parse(s)?;
        if c.0.len() == level.code_len() {
            Ok(c)
        } else {
            Err(InvalidUnitCode(s.to_string()))
        }
    }
    /// The level implied by the code's length.
    pub fn level(&self) -> Level {
        match self.0.len() {
            2 => Level::Province,
            3 => Level::District,
            _ => Level::Commune,
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for UnitCode {
    type Error = InvalidUnitCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        UnitCode::parse(&s)
    }
}
impl From<UnitCode> for String {
    fn from(c: UnitCode) -> String {
        c.0
    }
}

/// Thời kỳ — which system a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Era {
    /// Three-level system, valid until 2025-06-30.
    Legacy,
    /// Two-level system, valid from 2025-07-01.
    TwoLevel,
}

impl Era {
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Legacy => "legacy",
            Era::TwoLevel => "two_level",
        }
    }
    /// The era a date falls in.
    pub fn of(date: NaiveDate) -> Era {
        if date < REFORM_DAY {
            Era::Legacy
        } else {
            Era::TwoLevel
        }
    }
}

/// Đơn vị hành chính — one versioned record of a unit: a code, a name and a
/// parent over a validity period `[valid_from, valid_to]` (inclusive; open-ended
/// when `valid_to` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub code: UnitCode,
    pub unit_type: UnitType,
    /// Full name with its type prefix, e.g. "Phường Nùng Trí Cao".
    pub name: String,
    /// Name without the type prefix, e.g. "Nùng Trí Cao".
    pub short_name: String,
    /// Province of a district or a two-level commune; district of a legacy commune.
    pub parent_code: Option<UnitCode>,
    /// Province of the unit (itself for a province).
    pub province_code: UnitCode,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl Unit {
    pub fn level(&self) -> Level {
        self.unit_type.level()
    }
    pub fn era(&self) -> Era {
        if self.valid_to.is_some_and(|d| d < REFORM_DAY) {
            Era::Legacy
        } else {
            Era::TwoLevel
        }
    }
    /// Whether this record is the valid one on `date`.
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= date) && self.valid_to.is_none_or(|t| date <= t)
    }
}

/// One row of the 2025 merger map: a legacy commune (or, for the five island
/// districts without communes, a legacy district) went wholly or partly into
/// a new commune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageLink {
    /// `None` for the island districts that had no commune level.
    pub legacy_commune_code: Option<UnitCode>,
    pub legacy_district_code: UnitCode,
    pub legacy_province_code: UnitCode,
    pub new_commune_code: UnitCode,
    pub new_province_code: UnitCode,
    /// The legacy commune was divided among several new communes.
    pub split: bool,
    /// For a split commune, the successor taken by default.
    pub primary: bool,
}

/// The whole reference set: every unit record of both eras and the lineage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitDataset {
    pub units: Vec<Unit>,
    pub lineage: Vec<LineageLink>,
}
