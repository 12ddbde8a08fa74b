//! Sổ đơn vị hành chính — the in-memory unit registry: versioned records of
//! both eras, the 2025 merger lineage, name resolution and conversion of
//! legacy addresses (địa chỉ cũ) to the two-level system.
//!
//! Everything a lookup needs is precomputed in [`Registry::new`]: codes index
//! dense arrays, names index hash maps of [`NameKey`] keys, lineage is
//! grouped per unit with the primary successor first. A conversion borrows
//! from the registry and allocates nothing on success (normalization buffers
//! are per thread and reused); only errors, which carry candidates for the
//! user, allocate.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use super::model::{Era, Level, LineageLink, Unit, UnitCode, UnitDataset, UnitType};
use super::normalize::{fold, lower, NameKey};

/// "No such unit" in the internal index arrays.
const NONE: u32 = u32::MAX;
/// How many near matches an unknown name reports.
const NEAREST: usize = 5;

fn era_ix(era: Era) -> usize {
    match era {
        Era::Legacy => 0,
        Era::TwoLevel => 1,
    }
}

fn level_ix(level: Level) -> usize {
    match level {
        Level::Province => 0,
        Level::District => 1,
        Level::Commune => 2,
    }
}

/// Only ASCII digits (a code, or the number of a numbered ward "Phường 5").
fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A code made only of ASCII digits (after trimming), as a number.
fn digits(s: &str) -> Option<usize> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn code_len_ok(len: usize) -> Option<Level> {
    match len {
        2 => Some(Level::Province),
        3 => Some(Level::District),
        5 => Some(Level::Commune),
        _ => None,
    }
}

/// The name without its type label: "Thị trấn Yên Viên" → "Yên Viên"
/// (case-insensitive: the data also has "Thị Trấn Ái Tử").
fn stem(name: &str) -> &str {
    const LABELS: [&str; 9] = [
        "Thành phố",
        "Thị trấn",
        "Thị xã",
        "Đặc khu",
        "Phường",
        "Huyện",
        "Quận",
        "Tỉnh",
        "Xã",
    ];
    LABELS
        .iter()
        .find_map(|l| {
            let head = name.get(..l.len())?;
            let rest = name.get(l.len()..)?;
            (head.to_lowercase() == l.to_lowercase() && rest.starts_with(' ')).then_some(rest)
        })
        .map_or(name, str::trim)
}

/// Items grouped by a dense index (compressed rows): `get(i)` is the slice
/// of items of group `i`, in insertion order.
#[derive(Debug, Clone, Default)]
struct Groups {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Groups {
    fn build(groups: usize, mut pairs: Vec<(u32, u32)>) -> Self {
        pairs.sort_by_key(|&(g, _)| g); // stable: keeps the given order within a group
        let mut offsets = vec![0u32; groups + 1];
        for &(g, _) in &pairs {
            if let Some(o) = offsets.get_mut(g as usize + 1) {
                *o += 1;
            }
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let items = pairs
            .into_iter()
            .filter(|&(g, _)| (g as usize) < groups)
            .map(|(_, item)| item)
            .collect();
        Groups { offsets, items }
    }

    fn get(&self, group: u32) -> &[u32] {
        let g = group as usize;
        match (self.offsets.get(g), self.offsets.get(g + 1)) {
            (Some(&a), Some(&b)) => self.items.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// What the registry precomputes for each unit record.
#[derive(Debug, Clone)]
struct Info {
    era: Era,
    level: Level,
    /// Index of the parent record (district of a legacy commune, province
    /// of a district or of a two-level commune), or [`NONE`].
    parent: u32,
    /// Index of the province record of the same era, or [`NONE`].
    province: u32,
    /// The matching key of the name.
    key: Box<str>,
    /// Compact fold of the full name and of the name without its label.
    folded_name: Box<str>,
    folded_stem: Box<str>,
    /// Lowercase spelling with diacritics of the full name and the stem.
    lower_name: Box<str>,
    lower_stem: Box<str>,
}

/// A unit's code and name, as shown next to a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitLabel {
    pub code: UnitCode,
    pub name: String,
}

impl fmt::Display for UnitLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.code)
    }
}

/// Ứng viên — a unit offered to the user when a name is ambiguous, unknown
/// or out of scope, with its district (huyện, legacy units only) and
/// province so that the user can tell the candidates apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub code: UnitCode,
    pub name: String,
    pub unit_type: UnitType,
    pub era: Era,
    /// The legacy district of a legacy commune.
    pub district: Option<UnitLabel>,
    /// The province (of the same era) of a commune or district.
    pub province: Option<UnitLabel>,
    /// Jaro–Winkler similarity of the normalized names (suggestions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f64>,
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}", self.name, self.code)?;
        if let Some(d) = &self.district {
            write!(f, ", {}", d.name)?;
        }
        if let Some(p) = &self.province {
            write!(f, ", {}", p.name)?;
        }
        f.write_str(")")
    }
}

/// At most ten candidates, then a count of the rest.
fn list(candidates: &[Candidate]) -> String {
    const SHOWN: usize = 10;
    let mut s = candidates
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    if candidates.len() > SHOWN {
        s.push_str(&format!("; and {} more", candidates.len() - SHOWN));
    }
    s
}

fn nearest_hint(nearest: &[Candidate]) -> String {
    if nearest.is_empty() {
        String::new()
    } else {
        format!("; nearest: {}", list(nearest))
    }
}

fn other_era_hint(other: &Option<Box<Candidate>>) -> String {
    match other {
        Some(c) => format!(" (it is the code of {c} in the other system)"),
        None => String::new(),
    }
}

/// Why an address or a name could not be resolved. Each error has a stable
/// machine code ([`ConvertError::code`]) for files, APIs and dashboards;
/// the message is for people and lists what they can choose from.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error_code", rename_all = "snake_case")]
pub enum ConvertError {
    /// No commune (xã) was given.
    #[error("no commune given: expected a commune code or name")]
    MissingCommune,
    /// A code with the wrong number of digits for the level.
    #[error("invalid {} code {input:?}: {reason}", .level.as_str())]
    InvalidCode {
        input: String,
        level: Level,
        reason: String,
    },
    /// A well-formed code that no unit of the era has.
    #[error("no {} with code {code} in the {} system{}", .level.as_str(), .era.as_str(), other_era_hint(.other_era))]
    CodeNotFound {
        code: String,
        level: Level,
        era: Era,
        /// The unit holding the code in the other era, if any.
        other_era: Option<Box<Candidate>>,
    },
    /// No unit has this name (in the given scope).
    #[serde(rename = "unit_not_found")]
    #[error("no {} named {query:?}{}{}", .level.as_str(), .within.as_ref().map(|w| format!(" in {w}")).unwrap_or_default(), nearest_hint(.nearest))]
    NotFound {
        query: String,
        level: Level,
        era: Era,
        /// The scope searched, as the user gave it.
        within: Option<String>,
        /// The closest names, best first.
        nearest: Vec<Candidate>,
    },
    /// The name is shared by several units: the user must add a district or
    /// a province (or use the code).
    #[serde(rename = "ambiguous_name")]
    #[error("{query:?} matches {} {}s: {}; add the district or province, or use the code", .candidates.len(), .level.as_str(), list(.candidates))]
    Ambiguous {
        query: String,
        level: Level,
        era: Era,
        candidates: Vec<Candidate>,
    },
    /// The commune exists, but not in the given district.
    #[error("{query:?} is not in district {district:?}; it is: {}", list(.found))]
    DistrictMismatch {
        query: String,
        district: String,
        found: Vec<Candidate>,
    },
    /// The commune or district exists, but not in the given province.
    #[error("{query:?} is not in province {province:?}; it is: {}", list(.found))]
    ProvinceMismatch {
        query: String,
        province: String,
        found: Vec<Candidate>,
    },
    /// The legacy unit has no successor in the merger map (a data gap).
    #[error("{legacy} has no successor in the 2025 merger map")]
    NoSuccessor { legacy: Box<Candidate> },
    /// The reference data set is inconsistent (a parent is missing).
    #[error("incomplete reference data: {detail}")]
    IncompleteData { detail: String },
}

impl ConvertError {
    /// Stable machine-readable code, e.g. `ambiguous_name`.
    pub fn code(&self) -> &'static str {
        match self {
            ConvertError::MissingCommune => "missing_commune",
            ConvertError::InvalidCode { .. } => "invalid_code",
            ConvertError::CodeNotFound { .. } => "code_not_found",
            ConvertError::NotFound { .. } => "unit_not_found",
            ConvertError::Ambiguous { .. } => "ambiguous_name",
            ConvertError::DistrictMismatch { .. } => "district_mismatch",
            ConvertError::ProvinceMismatch { .. } => "province_mismatch",
            ConvertError::NoSuccessor { .. } => "no_successor",
            ConvertError::IncompleteData { .. } => "incomplete_data",
        }
    }

    /// The message in Vietnamese, for people at a counter or on the portal
    /// (the English one is the `Display` text). Candidates are listed by
    /// [`ConvertError::candidates`].
    pub fn message_vi(&self) -> String {
        let level_vi = |l: &Level| match l {
            Level::Province => "tỉnh",
            Level::District => "huyện",
            Level::Commune => "xã",
        };
        match self {
            ConvertError::MissingCommune => "Chưa nhập xã: cần mã hoặc tên xã.".to_string(),
            ConvertError::InvalidCode { input, level, .. } => format!(
                "Mã {} không hợp lệ: {input:?} (cần {} chữ số).",
                level_vi(level),
                level.code_len()
            ),
            ConvertError::CodeNotFound { code, level, .. } => {
                format!("Không có {} mã {code} trong danh mục.", level_vi(level))
            }
            ConvertError::NotFound {
                query,
                level,
                nearest,
                ..
            } => {
                let mut m = format!("Không tìm thấy {} tên {query:?}.", level_vi(level));
                if !nearest.is_empty() {
                    m.push_str(&format!(" Tên gần nhất: {}.", list(nearest)));
                }
                m
            }
            ConvertError::Ambiguous {
                query,
                level,
                candidates,
                ..
            } => format!(
                "Có {} {} tên {query:?}: {}. Hãy nhập thêm huyện hoặc tỉnh, hoặc dùng mã.",
                candidates.len(),
                level_vi(level),
                list(candidates)
            ),
            ConvertError::DistrictMismatch {
                query,
                district,
                found,
            } => format!(
                "{query:?} không thuộc huyện {district:?}; đơn vị tìm thấy: {}.",
                list(found)
            ),
            ConvertError::ProvinceMismatch {
                query,
                province,
                found,
            } => format!(
                "{query:?} không thuộc tỉnh {province:?}; đơn vị tìm thấy: {}.",
                list(found)
            ),
            ConvertError::NoSuccessor { legacy } => {
                format!("{legacy} không có đơn vị kế thừa trong danh mục sắp xếp 2025.")
            }
            ConvertError::IncompleteData { detail } => {
                format!("Dữ liệu danh mục chưa đầy đủ: {detail}.")
            }
        }
    }

    /// The units offered to the user: candidates of an ambiguity, nearest
    /// names of an unknown one, where a mismatched unit actually is.
    pub fn candidates(&self) -> &[Candidate] {
        match self {
            ConvertError::NotFound { nearest, .. } => nearest,
            ConvertError::Ambiguous { candidates, .. } => candidates,
            ConvertError::DistrictMismatch { found, .. }
            | ConvertError::ProvinceMismatch { found, .. } => found,
            _ => &[],
        }
    }
}

/// Địa chỉ cũ — an address in the three-level system. Each part is a code
/// or a name, with or without diacritics or type prefix. District (huyện)
/// and province (tỉnh) are optional and only narrow the search; the
/// province may also be the name or code of the province it merged into.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyAddress {
    pub commune: String,
    #[serde(default)]
    pub district: Option<String>,
    #[serde(default)]
    pub province: Option<String>,
}

impl LegacyAddress {
    pub fn new(commune: impl Into<String>) -> Self {
        LegacyAddress {
            commune: commune.into(),
            district: None,
            province: None,
        }
    }
    pub fn with_district(mut self, district: impl Into<String>) -> Self {
        self.district = Some(district.into());
        self
    }
    pub fn with_province(mut self, province: impl Into<String>) -> Self {
        self.province = Some(province.into());
        self
    }
}

/// Đơn vị kế thừa — one new commune that (part of) a legacy unit went into.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Successor<'r> {
    pub commune: &'r Unit,
    pub province: &'r Unit,
    pub link: &'r LineageLink,
}

impl Successor<'_> {
    /// The merger map's default successor of a split commune.
    pub fn is_primary(&self) -> bool {
        self.link.primary
    }
}

/// The result of converting a legacy address: the legacy unit as resolved
/// and its successor(s). A split commune (xã bị chia tách) has several
/// successors; `split` is set and the primary one comes first — the
/// conversion never silently picks one.
#[derive(Clone, Copy)]
pub struct Conversion<'r> {
    /// The legacy commune; `None` for the island districts without communes
    /// (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo), converted as a whole.
    pub legacy_commune: Option<&'r Unit>,
    pub legacy_district: &'r Unit,
    pub legacy_province: &'r Unit,
    /// Province of the primary successor.
    pub new_province: &'r Unit,
    /// The legacy commune was divided among several new communes.
    pub split: bool,
    registry: &'r Registry,
    links: &'r [u32],
}

impl<'r> Conversion<'r> {
    /// The legacy unit converted: the commune, or the island district.
    pub fn legacy_unit(&self) -> &'r Unit {
        self.legacy_commune.unwrap_or(self.legacy_district)
    }

    /// Every successor, the primary first.
    pub fn successors(&self) -> impl ExactSizeIterator<Item = Successor<'r>> + 'r {
        let registry = self.registry;
        self.links.iter().map(move |&l| registry.successor(l))
    }

    /// The primary (default) successor.
    pub fn primary(&self) -> Successor<'r> {
        // A Conversion is only built with at least one link.
        self.registry
            .successor(self.links.first().copied().unwrap_or(NONE))
    }

    /// The successors other than the primary one (empty unless split).
    pub fn others(&self) -> impl ExactSizeIterator<Item = Successor<'r>> + 'r {
        let registry = self.registry;
        self.links
            .iter()
            .skip(1)
            .map(move |&l| registry.successor(l))
    }
}

impl fmt::Debug for Conversion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conversion")
            .field("legacy_commune", &self.legacy_commune.map(|u| &u.name))
            .field("legacy_district", &self.legacy_district.name)
            .field("legacy_province", &self.legacy_province.name)
            .field("new_province", &self.new_province.name)
            .field("split", &self.split)
            .field(
                "successors",
                &self
                    .successors()
                    .map(|s| (s.commune.code.as_str(), s.commune.name.as_str()))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Serialize for Conversion<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct All<'a, 'r>(&'a Conversion<'r>);
        impl Serialize for All<'_, '_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.successors())
            }
        }
        let mut s = serializer.serialize_struct("Conversion", 6)?;
        s.serialize_field("legacy_commune", &self.legacy_commune)?;
        s.serialize_field("legacy_district", self.legacy_district)?;
        s.serialize_field("legacy_province", self.legacy_province)?;
        s.serialize_field("new_province", self.new_province)?;
        s.serialize_field("split", &self.split)?;
        s.serialize_field("successors", &All(self))?;
        s.end()
    }
}

/// The province part of an address: legacy provinces by that name or code,
/// and, as a fallback, the legacy parts of the new province by that name.
#[derive(Clone, Copy)]
struct ProvinceScope<'r> {
    legacy: &'r [u32],
    via_new: &'r [u32],
}

thread_local! {
    /// Normalization buffers of the conversion hot path, reused per thread.
    static SCRATCH: RefCell<NameKey> = RefCell::new(NameKey::new());
}

/// Sổ đơn vị — the in-memory unit registry. Build it once from a
/// [`UnitDataset`] (about 14,000 records, a few milliseconds) and share it.
pub struct Registry {
    units: Vec<Unit>,
    lineage: Vec<LineageLink>,
    info: Vec<Info>,
    /// `[era][level][code as number]` → unit index.
    by_code: [[Vec<u32>; 3]; 2],
    /// `[era][level]`: key → unit indices, ordered by province and code.
    names: [[HashMap<Box<str>, Vec<u32>>; 3]; 2],
    /// `[era][level]`: all unit indices, by code.
    members: [[Vec<u32>; 3]; 2],
    /// Unit → units whose parent it is.
    children: Groups,
    /// Province → communes of the same era.
    province_communes: Groups,
    /// Legacy commune (or island district) → lineage rows, primary first.
    successors: Groups,
    /// Two-level commune → lineage rows.
    sources: Groups,
    /// Per lineage row: legacy unit (commune, or island district) and new commune.
    link_legacy: Vec<u32>,
    link_new: Vec<u32>,
    /// Legacy districts converted as a whole (no commune level).
    islands: Vec<u32>,
    /// Two-level province → the legacy provinces merged into it.
    province_parts: Groups,
    /// Legacy province → the two-level province(s) it went into.
    province_successors: Groups,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("units", &self.units.len())
            .field("lineage", &self.lineage.len())
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// Indexes `dataset`. Records whose code repeats within an era keep the
    /// first; lineage rows naming unknown units are kept in
    /// [`Registry::lineage`] but not indexed.
    pub fn new(dataset: &UnitDataset) -> Registry {
        let units = dataset.units.clone();
        let lineage = dataset.lineage.clone();

        let mut by_code: [[Vec<u32>; 3]; 2] = Default::default();
        for era in &mut by_code {
            for level in [Level::Province, Level::District, Level::Commune] {
                era[level_ix(level)] = vec![NONE; 10usize.pow(level.code_len() as u32)];
            }
        }
        let code_slot = |code: &UnitCode| -> Option<(usize, usize)> {
            let level = code_len_ok(code.as_str().len())?;
            Some((level_ix(level), digits(code.as_str())?))
        };
        for (i, u) in units.iter().enumerate() {
            if u.level() != u.code.level() {
                continue;
            }
            if let Some((l, n)) = code_slot(&u.code) {
                if let Some(slot) = by_code[era_ix(u.era())][l].get_mut(n) {
                    if *slot == NONE {
                        *slot = i as u32;
                    }
                }
            }
        }
        let lookup = |code: &UnitCode, era: Era| -> u32 {
            code_slot(code)
                .and_then(|(l, n)| by_code[era_ix(era)][l].get(n).copied())
                .unwrap_or(NONE)
        };

        let mut key = NameKey::new();
        let mut info = Vec::with_capacity(units.len());
        for u in &units {
            let era = u.era();
            let stem = stem(&u.name);
            info.push(Info {
                era,
                level: u.level(),
                parent: u.parent_code.as_ref().map_or(NONE, |p| lookup(p, era)),
                province: lookup(&u.province_code, era),
                key: key.set(&u.name, u.level()).into(),
                folded_name: fold(&u.name).into(),
                folded_stem: fold(stem).into(),
                lower_name: lower(&u.name).into(),
                lower_stem: lower(stem).into(),
            });
        }

        let mut names: [[HashMap<Box<str>, Vec<u32>>; 3]; 2] = Default::default();
        let mut members: [[Vec<u32>; 3]; 2] = Default::default();
        for (i, u) in units.iter().enumerate() {
            let (e, l) = (era_ix(info[i].era), level_ix(info[i].level));
            members[e][l].push(i as u32);
            let map = &mut names[e][l];
            for alias in [u.name.as_str(), u.short_name.as_str()] {
                let k = key.set(alias, u.level());
                if k.is_empty() {
                    continue;
                }
                let entry = map.entry(k.into()).or_default();
                if !entry.contains(&(i as u32)) {
                    entry.push(i as u32);
                }
            }
        }
        let order = |&i: &u32| {
            let u = &units[i as usize];
            (u.province_code.clone(), u.code.clone())
        };
        for era in &mut names {
            for map in era.iter_mut() {
                for v in map.values_mut() {
                    v.sort_by_key(order);
                }
            }
        }
        for era in &mut members {
            for v in era.iter_mut() {
                v.sort_by_key(|&i| units[i as usize].code.clone());
            }
        }

        let n = units.len();
        let children = Groups::build(
            n,
            (0..n as u32)
                .filter(|&i| info[i as usize].parent != NONE)
                .map(|i| (info[i as usize].parent, i))
                .collect(),
        );
        let province_communes = Groups::build(
            n,
            (0..n as u32)
                .filter(|&i| {
                    info[i as usize].level == Level::Commune && info[i as usize].province != NONE
                })
                .map(|i| (info[i as usize].province, i))
                .collect(),
        );

        let mut link_legacy = Vec::with_capacity(lineage.len());
        let mut link_new = Vec::with_capacity(lineage.len());
        let mut succ = Vec::new();
        let mut src = Vec::new();
        let mut islands = Vec::new();
        let mut parts = Vec::new();
        for (li, link) in lineage.iter().enumerate() {
            let legacy = match &link.legacy_commune_code {
                Some(c) => lookup(c, Era::Legacy),
                None => lookup(&link.legacy_district_code, Era::Legacy),
            };
            let new = lookup(&link.new_commune_code, Era::TwoLevel);
            link_legacy.push(legacy);
            link_new.push(new);
            let new_ok = new != NONE && info[new as usize].province != NONE;
            if legacy != NONE && new_ok {
                succ.push((legacy, li as u32));
                if link.legacy_commune_code.is_none() && !islands.contains(&legacy) {
                    islands.push(legacy);
                }
            }
            if new_ok {
                src.push((new, li as u32));
            }
            let (lp, np) = (
                lookup(&link.legacy_province_code, Era::Legacy),
                lookup(&link.new_province_code, Era::TwoLevel),
            );
            if lp != NONE && np != NONE && !parts.contains(&(np, lp)) {
                parts.push((np, lp));
            }
        }
        // Primary first, then by new code.
        succ.sort_by_key(|&(legacy, li)| {
            let l = &lineage[li as usize];
            (legacy, !l.primary, l.new_commune_code.clone())
        });
        src.sort_by_key(|&(new, li)| {
            let l = &lineage[li as usize];
            (
                new,
                l.legacy_commune_code.is_none(),
                l.legacy_commune_code.clone(),
            )
        });
        parts.sort_unstable();
        let province_successors =
            Groups::build(n, parts.iter().map(|&(np, lp)| (lp, np)).collect());

        Registry {
            by_code,
            names,
            members,
            children,
            province_communes,
            successors: Groups::build(n, succ),
            sources: Groups::build(n, src),
            link_legacy,
            link_new,
            islands,
            province_parts: Groups::build(n, parts),
            province_successors,
            info,
            units,
            lineage,
        }
    }

    // ---------------------------------------------------------------- records

    /// Every record, both eras.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// The merger map, one row per (legacy commune, new commune).
    pub fn lineage(&self) -> &[LineageLink] {
        &self.lineage
    }

    fn unit(&self, i: u32) -> Option<&Unit> {
        self.units.get(i as usize)
    }

    fn index(&self, code: &str, era: Era) -> u32 {
        let Some(level) = code_len_ok(code.len()) else {
            return NONE;
        };
        digits(code)
            .and_then(|n| self.by_code[era_ix(era)][level_ix(level)].get(n).copied())
            .unwrap_or(NONE)
    }

    /// The index slot of a code: a one-element slice borrowed from the code
    /// table, so that scopes can be slices without allocating.
    fn slot(&self, code: &str, era: Era) -> &[u32] {
        let Some(level) = code_len_ok(code.len()) else {
            return &[];
        };
        digits(code)
            .and_then(|n| self.by_code[era_ix(era)][level_ix(level)].get(n))
            .filter(|&&i| i != NONE)
            .map_or(&[], std::slice::from_ref)
    }

    fn index_of(&self, unit: &Unit) -> u32 {
        self.index(unit.code.as_str(), unit.era())
    }

    /// The record holding `code` on `date` (codes are reused across eras:
    /// the date picks the record).
    pub fn unit_at(&self, code: &UnitCode, date: NaiveDate) -> Option<&Unit> {
        self.unit_in(code, Era::of(date))
            .filter(|u| u.valid_on(date))
    }

    /// The record holding `code` in `era`.
    pub fn unit_in(&self, code: &UnitCode, era: Era) -> Option<&Unit> {
        self.unit(self.index(code.as_str(), era))
    }

    /// Every record ever held under `code`, oldest first.
    pub fn unit_history(&self, code: &UnitCode) -> Vec<&Unit> {
        [Era::Legacy, Era::TwoLevel]
            .into_iter()
            .filter_map(|era| self.unit_in(code, era))
            .collect()
    }

    /// The province (tỉnh) with `code` in `era`.
    pub fn province(&self, code: &UnitCode, era: Era) -> Option<&Unit> {
        self.unit_in(code, era)
            .filter(|u| u.level() == Level::Province)
    }

    /// The provinces of `era`, by code (63 legacy, 34 two-level).
    pub fn provinces(&self, era: Era) -> Vec<&Unit> {
        self.level_members(era, Level::Province)
    }

    /// The units of a level in an era, by code.
    pub fn level_members(&self, era: Era, level: Level) -> Vec<&Unit> {
        self.members[era_ix(era)][level_ix(level)]
            .iter()
            .filter_map(|&i| self.unit(i))
            .collect()
    }

    /// The communes of `province` valid on `date`, by code.
    pub fn communes_of_province(&self, province: &UnitCode, date: NaiveDate) -> Vec<&Unit> {
        let p = self.index(province.as_str(), Era::of(date));
        let mut v: Vec<&Unit> = self
            .province_communes
            .get(p)
            .iter()
            .filter_map(|&i| self.unit(i))
            .filter(|u| u.valid_on(date))
            .collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    }

    /// The direct children of a unit in its era: districts of a legacy
    /// province, communes of a district or of a two-level province.
    pub fn children_of(&self, parent: &Unit) -> Vec<&Unit> {
        self.children
            .get(self.index_of(parent))
            .iter()
            .filter_map(|&i| self.unit(i))
            .collect()
    }

    // ---------------------------------------------------------------- lineage

    fn successor(&self, link: u32) -> Successor<'_> {
        let li = link as usize;
        let new = self.link_new.get(li).copied().unwrap_or(NONE) as usize;
        // Only links whose new commune and province resolve are indexed.
        let commune = &self.units[new];
        Successor {
            commune,
            province: &self.units[self.info[new].province as usize],
            link: &self.lineage[li],
        }
    }

    /// Nguồn gốc — the legacy units a two-level commune was formed from, by
    /// legacy code: communes, or for the five island districts without
    /// communes, the legacy district.
    pub fn sources_of(&self, new_commune: &UnitCode) -> Vec<(&LineageLink, &Unit)> {
        let i = self.index(new_commune.as_str(), Era::TwoLevel);
        self.sources
            .get(i)
            .iter()
            .filter_map(|&l| {
                let legacy = self.unit(self.link_legacy[l as usize])?;
                Some((&self.lineage[l as usize], legacy))
            })
            .collect()
    }

    /// Kế thừa — the two-level communes a legacy commune (or island district,
    /// by its 3-digit code) went into, the primary successor first.
    pub fn successors_of(&self, legacy: &UnitCode) -> Vec<(&LineageLink, &Unit)> {
        let i = self.index(legacy.as_str(), Era::Legacy);
        self.successors
            .get(i)
            .iter()
            .map(|&l| {
                let s = self.successor(l);
                (s.link, s.commune)
            })
            .collect()
    }

    // ------------------------------------------------------------- candidates

    /// A unit as offered to the user, with its district and province.
    pub fn candidate(&self, unit: &Unit) -> Candidate {
        self.candidate_at(self.index_of(unit), None)
            .unwrap_or_else(|| Candidate {
                code: unit.code.clone(),
                name: unit.name.clone(),
                unit_type: unit.unit_type,
                era: unit.era(),
                district: None,
                province: None,
                similarity: None,
            })
    }

    fn label(&self, i: u32) -> Option<UnitLabel> {
        self.unit(i).map(|u| UnitLabel {
            code: u.code.clone(),
            name: u.name.clone(),
        })
    }

    fn candidate_at(&self, i: u32, similarity: Option<f64>) -> Option<Candidate> {
        let u = self.unit(i)?;
        let info = &self.info[i as usize];
        let district = match (info.era, info.level) {
            (Era::Legacy, Level::Commune) => self.label(info.parent),
            _ => None,
        };
        let province = match info.level {
            Level::Province => None,
            _ => self.label(info.province),
        };
        Some(Candidate {
            code: u.code.clone(),
            name: u.name.clone(),
            unit_type: u.unit_type,
            era: info.era,
            district,
            province,
            similarity,
        })
    }

    fn candidates(&self, idx: impl IntoIterator<Item = u32>) -> Vec<Candidate> {
        idx.into_iter()
            .filter_map(|i| self.candidate_at(i, None))
            .collect()
    }

    /// The `NEAREST` units of `era`/`level` accepted by `scope` whose keys
    /// are closest to `key` (Jaro–Winkler), best first; the whole level if
    /// the scope holds none.
    fn nearest(
        &self,
        key: &str,
        era: Era,
        level: Level,
        scope: impl Fn(u32) -> bool,
    ) -> Vec<Candidate> {
        let all = &self.members[era_ix(era)][level_ix(level)];
        let scored = |filter: &dyn Fn(u32) -> bool| {
            let mut v: Vec<(f64, u32)> = all
                .iter()
                .copied()
                .filter(|&i| filter(i))
                .map(|i| (strsim::jaro_winkler(key, &self.info[i as usize].key), i))
                .collect();
            v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            v.truncate(NEAREST);
            v
        };
        let mut best = scored(&scope);
        if best.is_empty() {
            best = scored(&|_| true);
        }
        best.into_iter()
            .filter_map(|(s, i)| self.candidate_at(i, Some((s * 1000.0).round() / 1000.0)))
            .collect()
    }

    // ------------------------------------------------------------- resolution

    /// Among `cands`, the units accepted by `ok`: exactly one, or the set of
    /// best-ranked ones (empty if none is in scope). Ranking, used only when
    /// several share the key: exact spelling (3) > folded full name or
    /// stem (2) > key only (1).
    fn pick(
        &self,
        cands: &[u32],
        ok: impl Fn(u32) -> bool,
        raw: &str,
        folded: &str,
    ) -> Result<u32, Vec<u32>> {
        let mut in_scope = cands.iter().copied().filter(|&c| ok(c));
        let Some(first) = in_scope.next() else {
            return Err(Vec::new());
        };
        if in_scope.next().is_none() {
            return Ok(first);
        }
        // The exact spelling only counts when the query has diacritics: an
        // unaccented "Vinh Quang" is as likely "Vĩnh Quang" as "Vinh Quang".
        let low = if raw.is_ascii() {
            None
        } else {
            Some(lower(raw))
        };
        let rank = |c: u32| {
            let i = &self.info[c as usize];
            if low
                .as_deref()
                .is_some_and(|l| *i.lower_name == *l || *i.lower_stem == *l)
            {
                3
            } else if *i.folded_name == *folded || *i.folded_stem == *folded {
                2
            } else {
                1
            }
        };
        let best = cands
            .iter()
            .filter(|&&c| ok(c))
            .map(|&c| rank(c))
            .max()
            .unwrap_or(1);
        let best_set: Vec<u32> = cands
            .iter()
            .copied()
            .filter(|&c| ok(c) && rank(c) == best)
            .collect();
        match best_set.as_slice() {
            [one] => Ok(*one),
            _ => Err(best_set),
        }
    }

    fn name_candidates(&self, key: &str, era: Era, level: Level) -> &[u32] {
        self.names[era_ix(era)][level_ix(level)]
            .get(key)
            .map_or(&[], Vec::as_slice)
    }

    /// Every unit of `era` and `level` matching `query` (a code or a name,
    /// tolerant as [`NameKey`]), inside `within` (a province, or a legacy
    /// district) if given. Several units mean the name is ambiguous there.
    pub fn find(&self, query: &str, era: Era, level: Level, within: Option<&Unit>) -> Vec<&Unit> {
        let scope = self.within(within);
        let query = query.trim();
        if all_digits(query) && query.len() == level.code_len() {
            let i = self.index(query, era);
            return match self.unit(i) {
                Some(u) if u.level() == level && scope(i) => vec![u],
                _ => Vec::new(),
            };
        }
        let key = NameKey::of(query, level);
        let cands = self.name_candidates(key.key(), era, level);
        match self.pick(cands, &scope, query, key.folded()) {
            Ok(i) => self.unit(i).into_iter().collect(),
            Err(v) => v.into_iter().filter_map(|i| self.unit(i)).collect(),
        }
    }

    fn within(&self, within: Option<&Unit>) -> impl Fn(u32) -> bool + '_ {
        let w = within.map(|u| self.index_of(u));
        move |i: u32| match w {
            None => true,
            Some(NONE) => false,
            Some(w) => {
                let info = &self.info[i as usize];
                info.parent == w || info.province == w
            }
        }
    }

    /// Exactly one unit of `era` and `level` for `query` (code or name),
    /// inside `within` if given; otherwise an error listing the candidates
    /// (ambiguous) or the nearest names (unknown).
    pub fn resolve(
        &self,
        query: &str,
        era: Era,
        level: Level,
        within: Option<&Unit>,
    ) -> Result<&Unit, ConvertError> {
        let scope = self.within(within);
        let query = query.trim();
        // One or two digits at commune or district level are a number name
        // ("5" for Phường 5, "3" for Quận 3), not a code.
        let number_name = query.len() <= 2 && level != Level::Province;
        if all_digits(query) && !number_name {
            if query.len() != level.code_len() {
                return Err(ConvertError::InvalidCode {
                    input: query.to_string(),
                    level,
                    reason: format!("a {} code has {} digits", level.as_str(), level.code_len()),
                });
            }
            let i = self.index(query, era);
            return match self.unit(i) {
                Some(u) if scope(i) => Ok(u),
                Some(_) => Err(ConvertError::NotFound {
                    query: query.to_string(),
                    level,
                    era,
                    within: within.map(|w| w.name.clone()),
                    nearest: self.candidates([i]),
                }),
                None => Err(self.code_not_found(query, level, era)),
            };
        }
        let key = NameKey::of(query, level);
        let cands = self.name_candidates(key.key(), era, level);
        match self.pick(cands, &scope, query, key.folded()) {
            Ok(i) => self
                .unit(i)
                .ok_or_else(|| self.code_not_found(query, level, era)),
            Err(v) if v.is_empty() => Err(ConvertError::NotFound {
                query: query.to_string(),
                level,
                era,
                within: within.map(|w| w.name.clone()),
                nearest: self.nearest(key.key(), era, level, &scope),
            }),
            Err(v) => Err(ConvertError::Ambiguous {
                query: query.to_string(),
                level,
                era,
                candidates: self.candidates(v),
            }),
        }
    }

    /// A two-level commune (xã/phường/đặc khu mới) by code or name, e.g.
    /// `resolve_new("Nùng Trí Cao")`, for `motcua units lineage CODE_OR_NAME`.
    pub fn resolve_new(&self, query: &str) -> Result<&Unit, ConvertError> {
        self.resolve(query, Era::TwoLevel, Level::Commune, None)
    }

    fn code_not_found(&self, code: &str, level: Level, era: Era) -> ConvertError {
        let other = match era {
            Era::Legacy => Era::TwoLevel,
            Era::TwoLevel => Era::Legacy,
        };
        ConvertError::CodeNotFound {
            code: code.to_string(),
            level,
            era,
            other_era: self
                .candidate_at(self.index(code, other), None)
                .map(Box::new),
        }
    }

    // ------------------------------------------------------------- conversion

    /// Converts a legacy address to the two-level system.
    pub fn convert(&self, address: &LegacyAddress) -> Result<Conversion<'_>, ConvertError> {
        self.convert_parts(
            &address.commune,
            address.district.as_deref(),
            address.province.as_deref(),
        )
    }

    /// [`Registry::convert`] on borrowed parts, for batch conversion without
    /// building a [`LegacyAddress`] per row. Blank parts count as absent.
    pub fn convert_parts(
        &self,
        commune: &str,
        district: Option<&str>,
        province: Option<&str>,
    ) -> Result<Conversion<'_>, ConvertError> {
        let commune = commune.trim();
        let district = district.map(str::trim).filter(|s| !s.is_empty());
        let province = province.map(str::trim).filter(|s| !s.is_empty());
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut key) => self.convert_with(&mut key, commune, district, province),
            // Unreachable (no re-entry), but never panic on it.
            Err(_) => self.convert_with(&mut NameKey::new(), commune, district, province),
        })
    }

    fn convert_with(
        &self,
        key: &mut NameKey,
        commune: &str,
        district: Option<&str>,
        province: Option<&str>,
    ) -> Result<Conversion<'_>, ConvertError> {
        // "5" is Phường 5; three or more digits are a code.
        if all_digits(commune) && commune.len() > 2 {
            let i = self.legacy_by_code(commune)?;
            self.check_scope(key, i, commune, district, province)?;
            return self.conversion(i);
        }

        let pscope = match province {
            Some(p) => Some(self.province_scope(key, p)?),
            None => None,
        };
        let dscope = match district {
            Some(d) => Some(self.district_scope(key, d, pscope, province)?),
            None => None,
        };

        if commune.is_empty() {
            // "No commune" is fine only for an island district given as the district.
            if let Some(&d) = dscope.and_then(|ds| ds.iter().find(|d| self.islands.contains(d))) {
                return self.conversion(d);
            }
            return Err(ConvertError::MissingCommune);
        }

        let info = &self.info;
        let province_of = |c: u32| info[c as usize].province;
        let in_district = |c: u32| dscope.is_none_or(|ds| ds.contains(&info[c as usize].parent));
        key.set(commune, Level::Commune);
        let k = key.key();
        let cands = self.name_candidates(k, Era::Legacy, Level::Commune);
        // Legacy province by that name first; the parts of the new province
        // by that name only if the legacy one holds no candidate.
        let pset: Option<&[u32]> = pscope.map(|ps| {
            let legacy_hit = cands
                .iter()
                .any(|&c| in_district(c) && ps.legacy.contains(&province_of(c)));
            if legacy_hit || ps.via_new.is_empty() {
                ps.legacy
            } else {
                ps.via_new
            }
        });
        let in_province = |c: u32| pset.is_none_or(|ps| ps.contains(&province_of(c)));
        let ok = |c: u32| in_district(c) && in_province(c);

        match self.pick(cands, ok, commune, key.folded()) {
            Ok(c) => self.conversion(c),
            Err(v) if !v.is_empty() => Err(ConvertError::Ambiguous {
                query: commune.to_string(),
                level: Level::Commune,
                era: Era::Legacy,
                candidates: self.candidates(v),
            }),
            Err(_) if !cands.is_empty() => {
                // The name exists, but not where the address says.
                if let Some(d) = district {
                    let in_prov: Vec<u32> =
                        cands.iter().copied().filter(|&c| in_province(c)).collect();
                    let found = if in_prov.is_empty() {
                        cands.to_vec()
                    } else {
                        in_prov
                    };
                    Err(ConvertError::DistrictMismatch {
                        query: commune.to_string(),
                        district: d.to_string(),
                        found: self.candidates(found),
                    })
                } else {
                    Err(ConvertError::ProvinceMismatch {
                        query: commune.to_string(),
                        province: province.unwrap_or_default().to_string(),
                        found: self.candidates(cands.iter().copied()),
                    })
                }
            }
            Err(_) => {
                let k = k.to_string();
                // An island district named in the commune column?
                let dk = key.set(commune, Level::District);
                let island = self.islands.iter().copied().find(|&d| {
                    self.name_candidates(dk, Era::Legacy, Level::District)
                        .contains(&d)
                        && dscope.is_none_or(|ds| ds.contains(&d))
                        && pset.is_none_or(|ps| ps.contains(&province_of(d)))
                });
                if let Some(d) = island {
                    return self.conversion(d);
                }
                Err(ConvertError::NotFound {
                    query: commune.to_string(),
                    level: Level::Commune,
                    era: Era::Legacy,
                    within: match (district, province) {
                        (Some(d), Some(p)) => Some(format!("{d}, {p}")),
                        (Some(d), None) => Some(d.to_string()),
                        (None, p) => p.map(str::to_string),
                    },
                    nearest: self.nearest(&k, Era::Legacy, Level::Commune, ok),
                })
            }
        }
    }

    /// A legacy commune by 5-digit code, or an island district by 3 digits.
    fn legacy_by_code(&self, code: &str) -> Result<u32, ConvertError> {
        let invalid = |reason: &str| ConvertError::InvalidCode {
            input: code.to_string(),
            level: Level::Commune,
            reason: reason.to_string(),
        };
        match code.len() {
            5 => match self.index(code, Era::Legacy) {
                NONE => Err(self.code_not_found(code, Level::Commune, Era::Legacy)),
                i => Ok(i),
            },
            3 => match self.index(code, Era::Legacy) {
                NONE => Err(self.code_not_found(code, Level::District, Era::Legacy)),
                i if self.islands.contains(&i) => Ok(i),
                _ => Err(invalid(
                    "a 3-digit code is a district; give the commune (5 digits), since districts were abolished, not mapped",
                )),
            },
            _ => Err(invalid(
                "a commune code has 5 digits with leading zeros (e.g. 01270); a spreadsheet may have dropped them",
            )),
        }
    }

    /// Whether `query` (a code or a name) names unit `i`.
    fn names_unit(&self, key: &mut NameKey, i: u32, query: &str) -> bool {
        let Some(u) = self.unit(i) else {
            return false;
        };
        if all_digits(query) && query.len() == u.code.as_str().len() {
            return u.code.as_str() == query;
        }
        let k = key.set(query, u.level());
        self.name_candidates(k, u.era(), u.level()).contains(&i)
    }

    /// For a commune given by code: the district and province given with it
    /// must be its own (the province may be the new one it went into).
    fn check_scope(
        &self,
        key: &mut NameKey,
        i: u32,
        commune: &str,
        district: Option<&str>,
        province: Option<&str>,
    ) -> Result<(), ConvertError> {
        let info = &self.info[i as usize];
        let own_district = if info.level == Level::District {
            i
        } else {
            info.parent
        };
        if let Some(d) = district {
            if !self.names_unit(key, own_district, d) {
                return Err(ConvertError::DistrictMismatch {
                    query: commune.to_string(),
                    district: d.to_string(),
                    found: self.candidates([i]),
                });
            }
        }
        if let Some(p) = province {
            let own = info.province;
            let ok = self.names_unit(key, own, p)
                || self
                    .province_successors
                    .get(own)
                    .iter()
                    .any(|&np| self.names_unit(key, np, p));
            if !ok {
                return Err(ConvertError::ProvinceMismatch {
                    query: commune.to_string(),
                    province: p.to_string(),
                    found: self.candidates([i]),
                });
            }
        }
        Ok(())
    }

    fn province_scope(
        &self,
        key: &mut NameKey,
        query: &str,
    ) -> Result<ProvinceScope<'_>, ConvertError> {
        let (legacy, new) = if all_digits(query) {
            if query.len() != 2 {
                return Err(ConvertError::InvalidCode {
                    input: query.to_string(),
                    level: Level::Province,
                    reason: "a province code has 2 digits".to_string(),
                });
            }
            (
                self.slot(query, Era::Legacy),
                self.slot(query, Era::TwoLevel),
            )
        } else {
            let k = key.set(query, Level::Province);
            (
                self.name_candidates(k, Era::Legacy, Level::Province),
                self.name_candidates(k, Era::TwoLevel, Level::Province),
            )
        };
        let via_new = new
            .first()
            .map_or(&[][..], |&np| self.province_parts.get(np));
        if legacy.is_empty() && via_new.is_empty() {
            if all_digits(query) {
                return Err(self.code_not_found(query, Level::Province, Era::Legacy));
            }
            let k = key.key().to_string();
            let mut nearest = self.nearest(&k, Era::Legacy, Level::Province, |_| true);
            nearest.extend(self.nearest(&k, Era::TwoLevel, Level::Province, |_| true));
            nearest.sort_by(|a, b| {
                b.similarity
                    .unwrap_or(0.0)
                    .total_cmp(&a.similarity.unwrap_or(0.0))
            });
            nearest.truncate(NEAREST);
            return Err(ConvertError::NotFound {
                query: query.to_string(),
                level: Level::Province,
                era: Era::Legacy,
                within: None,
                nearest,
            });
        }
        Ok(ProvinceScope { legacy, via_new })
    }

    /// Legacy districts named `query`, which must lie in the province scope.
    fn district_scope(
        &self,
        key: &mut NameKey,
        query: &str,
        pscope: Option<ProvinceScope<'_>>,
        province: Option<&str>,
    ) -> Result<&[u32], ConvertError> {
        let ds = if all_digits(query) && query.len() > 2 {
            if query.len() != 3 {
                return Err(ConvertError::InvalidCode {
                    input: query.to_string(),
                    level: Level::District,
                    reason: "a district code has 3 digits".to_string(),
                });
            }
            let ds = self.slot(query, Era::Legacy);
            if ds.is_empty() {
                return Err(self.code_not_found(query, Level::District, Era::Legacy));
            }
            ds
        } else {
            key.set(query, Level::District);
            self.name_candidates(key.key(), Era::Legacy, Level::District)
        };
        let province_of = |d: u32| self.info[d as usize].province;
        let in_scope = |d: &u32| {
            pscope.is_none_or(|ps| {
                ps.legacy.contains(&province_of(*d)) || ps.via_new.contains(&province_of(*d))
            })
        };
        if ds.is_empty() {
            let k = key.key().to_string();
            return Err(ConvertError::NotFound {
                query: query.to_string(),
                level: Level::District,
                era: Era::Legacy,
                within: province.map(str::to_string),
                nearest: self.nearest(&k, Era::Legacy, Level::District, |d| in_scope(&d)),
            });
        }
        if !ds.iter().any(in_scope) {
            return Err(ConvertError::ProvinceMismatch {
                query: query.to_string(),
                province: province.unwrap_or_default().to_string(),
                found: self.candidates(ds.iter().copied()),
            });
        }
        Ok(ds)
    }

    fn conversion(&self, legacy: u32) -> Result<Conversion<'_>, ConvertError> {
        let incomplete = |what: &str| ConvertError::IncompleteData {
            detail: format!(
                "{} of {} is missing",
                what,
                self.unit(legacy).map_or("?", |u| u.code.as_str())
            ),
        };
        let info = self
            .info
            .get(legacy as usize)
            .ok_or_else(|| incomplete("record"))?;
        let unit = self.unit(legacy).ok_or_else(|| incomplete("record"))?;
        let links = self.successors.get(legacy);
        let Some(&first) = links.first() else {
            return Err(ConvertError::NoSuccessor {
                legacy: Box::new(self.candidate(unit)),
            });
        };
        let (commune, district) = match info.level {
            Level::Commune => (
                Some(unit),
                self.unit(info.parent)
                    .ok_or_else(|| incomplete("district"))?,
            ),
            _ => (None, unit),
        };
        let primary = self.successor(first);
        Ok(Conversion {
            legacy_commune: commune,
            legacy_district: district,
            legacy_province: self
                .unit(info.province)
                .ok_or_else(|| incomplete("province"))?,
            new_province: primary.province,
            split: links.len() > 1 || primary.link.split,
            registry: self,
            links,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::dataset::{parse_dataset, UnitSources};
    use super::*;
    use std::sync::OnceLock;

    /// The registry of the shipped reference data, built once for all the
    /// crate's tests.
    pub(crate) fn registry() -> &'static Registry {
        static R: OnceLock<Registry> = OnceLock::new();
        R.get_or_init(|| {
            let d = parse_dataset(&UnitSources {
                provinces_2025: motcua_refdata::PROVINCES_2025,
                communes_2025: motcua_refdata::COMMUNES_2025,
                provinces_legacy: motcua_refdata::PROVINCES_LEGACY,
                districts_legacy: motcua_refdata::DISTRICTS_LEGACY,
                communes_legacy: motcua_refdata::COMMUNES_LEGACY,
                merger_2025: motcua_refdata::MERGER_2025,
            })
            .expect("shipped data parses");
            Registry::new(&d)
        })
    }

    fn code(s: &str) -> UnitCode {
        UnitCode::parse(s).expect("valid code")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn names(v: &[(&LineageLink, &Unit)]) -> Vec<String> {
        let mut n: Vec<String> = v.iter().map(|(_, u)| u.name.clone()).collect();
        n.sort();
        n
    }

    fn sorted(v: &[&str]) -> Vec<String> {
        let mut n: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        n.sort();
        n
    }

    #[test]
    fn official_counts() {
        let r = registry();
        assert_eq!(r.provinces(Era::TwoLevel).len(), 34);
        assert_eq!(r.provinces(Era::Legacy).len(), 63);
        assert_eq!(r.level_members(Era::TwoLevel, Level::Commune).len(), 3321);
        assert_eq!(r.level_members(Era::Legacy, Level::Commune).len(), 10_035);
        let total: usize = r
            .provinces(Era::TwoLevel)
            .iter()
            .map(|p| r.communes_of_province(&p.code, day(2025, 7, 1)).len())
            .sum();
        assert_eq!(total, 3321);
    }

    #[test]
    fn cao_bang_has_56_communes_after_the_merger() {
        let r = registry();
        assert_eq!(
            r.communes_of_province(&code("04"), day(2025, 7, 1)).len(),
            56
        );
        assert_eq!(
            r.communes_of_province(&code("04"), day(2026, 1, 1)).len(),
            56
        );
        // Before the merger, the legacy province had its own communes.
        let legacy = r.communes_of_province(&code("04"), day(2025, 6, 30));
        assert!(legacy.len() > 56);
        assert!(legacy.iter().all(|u| u.era() == Era::Legacy));
        assert_eq!(
            r.province(&code("04"), Era::TwoLevel)
                .map(|p| p.name.as_str()),
            Some("Tỉnh Cao Bằng")
        );
    }

    #[test]
    fn nung_tri_cao_was_formed_from_song_bang_ngoc_xuan_vinh_quang() {
        let r = registry();
        let ntc = r.resolve_new("Nùng Trí Cao").expect("unique new name");
        assert_eq!(ntc.name, "Phường Nùng Trí Cao");
        assert_eq!(ntc.province_code, code("04"));
        let sources = r.sources_of(&ntc.code);
        assert_eq!(
            names(&sources),
            sorted(&["Phường Sông Bằng", "Phường Ngọc Xuân", "Xã Vĩnh Quang"])
        );
        assert!(sources
            .iter()
            .all(|(_, u)| u.era() == Era::Legacy && u.province_code == code("04")));
        // Unaccented, with prefix, by code: the same unit.
        assert_eq!(
            r.resolve_new("phuong nung tri cao").map(|u| &u.code),
            Ok(&ntc.code)
        );
        assert_eq!(
            r.resolve_new(ntc.code.as_str()).map(|u| &u.name),
            Ok(&ntc.name)
        );
    }

    #[test]
    fn tan_giang_was_formed_from_five_units() {
        let r = registry();
        let cao_bang = r.province(&code("04"), Era::TwoLevel).expect("Cao Bằng");
        let tg = r
            .resolve(
                "Phường Tân Giang",
                Era::TwoLevel,
                Level::Commune,
                Some(cao_bang),
            )
            .expect("Tân Giang in Cao Bằng");
        assert_eq!(
            names(&r.sources_of(&tg.code)),
            sorted(&[
                "Phường Tân Giang",
                "Phường Duyệt Trung",
                "Phường Hòa Chung",
                "Xã Chu Trinh",
                "Xã Lê Chung"
            ])
        );
    }

    #[test]
    fn a_code_picks_the_record_of_the_date() {
        let r = registry();
        // 01279 was Phường Ngọc Xuân, and is Phường Nùng Trí Cao since 2025-07-01.
        let c = code("01279");
        assert_eq!(
            r.unit_at(&c, day(2025, 6, 30)).map(|u| u.name.as_str()),
            Some("Phường Ngọc Xuân")
        );
        assert_eq!(
            r.unit_at(&c, day(2025, 7, 1)).map(|u| u.name.as_str()),
            Some("Phường Nùng Trí Cao")
        );
        assert_eq!(r.unit_history(&c).len(), 2);
        assert!(r.unit_at(&code("99999"), day(2025, 7, 1)).is_none());
    }

    #[test]
    fn successors_put_the_primary_first() {
        let r = registry();
        let s = r.successors_of(&code("00007")); // Phường Cống Vị, split
        assert!(s.len() >= 2);
        assert!(s[0].0.primary && s[0].0.split);
        assert!(s[1..].iter().all(|(l, _)| !l.primary));
        assert_eq!(s[0].1.code, code("00008"));
        let whole = r.successors_of(&code("01270"));
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].1.name, "Phường Nùng Trí Cao");
    }

    #[test]
    fn converts_by_code() {
        let r = registry();
        let c = r.convert(&LegacyAddress::new("01270")).expect("converts");
        assert_eq!(
            c.legacy_commune.map(|u| u.name.as_str()),
            Some("Phường Sông Bằng")
        );
        assert_eq!(c.legacy_district.name, "Thành phố Cao Bằng");
        assert_eq!(c.legacy_province.name, "Tỉnh Cao Bằng");
        assert_eq!(c.primary().commune.name, "Phường Nùng Trí Cao");
        assert_eq!(c.new_province.code, code("04"));
        assert!(!c.split);
        assert_eq!(c.successors().len(), 1);
        // With a consistent district and province (the new one is fine too).
        assert!(r
            .convert(
                &LegacyAddress::new(" 01270 ")
                    .with_district("040")
                    .with_province("Cao Bang")
            )
            .is_ok());
    }

    #[test]
    fn converts_by_exact_name_with_district_and_province() {
        let r = registry();
        // Xã Vĩnh Quang exists in several districts: the district decides.
        let a = LegacyAddress::new("Xã Vĩnh Quang")
            .with_district("Thành phố Cao Bằng")
            .with_province("Tỉnh Cao Bằng");
        let c = r.convert(&a).expect("converts");
        assert_eq!(c.legacy_commune.map(|u| u.code.as_str()), Some("01693"));
        assert_eq!(c.primary().commune.name, "Phường Nùng Trí Cao");
        let other = LegacyAddress::new("Xã Vĩnh Quang")
            .with_district("Huyện Bảo Lâm")
            .with_province("Tỉnh Cao Bằng");
        assert_eq!(
            r.convert(&other).map(|c| c.legacy_unit().code.as_str()),
            Ok("01300")
        );
    }

    #[test]
    fn converts_an_unaccented_name_without_prefix() {
        let r = registry();
        let c = r
            .convert(&LegacyAddress::new("song bang").with_province("cao bang"))
            .expect("converts");
        assert_eq!(c.legacy_unit().code, code("01270"));
        let c = r
            .convert(&LegacyAddress::new("LE CHUNG").with_district("hoa an"))
            .expect("converts");
        assert_eq!(c.primary().commune.name, "Phường Tân Giang");
    }

    #[test]
    fn converts_i_y_variants() {
        let r = registry();
        // Shipped as "Xã Lam Vỹ" (Định Hóa, Thái Nguyên).
        for q in ["Lam Vĩ", "lam vi", "Xã Lam Vy", "LAM VỸ"] {
            let c = r
                .convert(&LegacyAddress::new(q).with_province("Thái Nguyên"))
                .expect(q);
            assert_eq!(c.legacy_unit().name, "Xã Lam Vỹ", "{q}");
        }
        // Shipped as "Xã Sỹ Bình" (Bạch Thông, Bắc Kạn).
        let c = r
            .convert(&LegacyAddress::new("Si Binh").with_province("Bac Kan"))
            .expect("Sĩ Bình");
        assert_eq!(c.legacy_unit().name, "Xã Sỹ Bình");
    }

    #[test]
    fn a_split_commune_lists_every_successor_primary_first() {
        let r = registry();
        let c = r
            .convert(&LegacyAddress::new("Phường Cống Vị").with_province("Hà Nội"))
            .expect("converts");
        assert!(c.split);
        let all: Vec<Successor<'_>> = c.successors().collect();
        assert_eq!(all.len(), r.successors_of(&code("00007")).len());
        assert!(all[0].is_primary());
        assert_eq!(all[0].commune.code, code("00008"));
        assert!(all[1..].iter().all(|s| !s.is_primary()));
        assert_eq!(c.others().len(), all.len() - 1);
        let json = serde_json::to_value(c).expect("serializes");
        assert_eq!(json["split"], true);
        assert_eq!(json["successors"][0]["commune"]["code"], "00008");
    }

    #[test]
    fn an_ambiguous_name_lists_candidates_with_district_and_province() {
        let r = registry();
        let err = r
            .convert(&LegacyAddress::new("Vinh Quang"))
            .expect_err("ambiguous");
        assert_eq!(err.code(), "ambiguous_name");
        let c = err.candidates();
        assert!(c.len() >= 5, "{c:?}");
        assert!(c
            .iter()
            .all(|c| c.district.is_some() && c.province.is_some()));
        assert!(c.iter().any(|c| c.code == code("01693")));
        assert!(err.to_string().contains("add the district or province"));
        // With the province, still two in Cao Bằng; with the district, one.
        let err = r
            .convert(&LegacyAddress::new("Vinh Quang").with_province("Cao Bang"))
            .expect_err("two in Cao Bằng");
        assert_eq!(err.candidates().len(), 2);
    }

    #[test]
    fn an_unknown_name_suggests_the_nearest() {
        let r = registry();
        let err = r
            .convert(&LegacyAddress::new("Song Bangg").with_province("Cao Bang"))
            .expect_err("unknown");
        assert_eq!(err.code(), "unit_not_found");
        let near = err.candidates();
        assert!(!near.is_empty() && near.len() <= 5);
        assert_eq!(near[0].name, "Phường Sông Bằng");
        assert!(near[0].similarity.unwrap_or(0.0) > 0.9);
        // Without scope too.
        let err = r
            .convert(&LegacyAddress::new("Nguoc Xuan"))
            .expect_err("unknown");
        assert!(
            err.candidates()
                .iter()
                .any(|c| c.name == "Phường Ngọc Xuân"),
            "{err}"
        );
    }

    #[test]
    fn codes_are_checked() {
        let r = registry();
        let err = r
            .convert(&LegacyAddress::new("99999"))
            .expect_err("no such code");
        assert_eq!(err.code(), "code_not_found");
        for bad in ["1270", "012700"] {
            assert_eq!(
                r.convert(&LegacyAddress::new(bad))
                    .map(|_| ())
                    .map_err(|e| e.code()),
                Err("invalid_code")
            );
        }
        assert_eq!(
            r.convert(&LegacyAddress::new("040"))
                .map_err(|e| e.code())
                .err(),
            Some("invalid_code")
        );
        assert_eq!(
            r.convert(&LegacyAddress::new("  "))
                .map_err(|e| e.code())
                .err(),
            Some("missing_commune")
        );
        // One or two digits are a numbered ward: "Phường 4" exists in many districts.
        assert_eq!(
            r.convert(&LegacyAddress::new("04"))
                .map_err(|e| e.code())
                .err(),
            Some("ambiguous_name")
        );
        let q3 = r
            .convert(
                &LegacyAddress::new("4")
                    .with_district("3")
                    .with_province("Hồ Chí Minh"),
            )
            .expect("P4 Q3");
        assert_eq!(q3.legacy_unit().name, "Phường 4");
        assert_eq!(q3.legacy_district.name, "Quận 3");
    }

    #[test]
    fn a_commune_outside_the_given_district_or_province_is_a_mismatch() {
        let r = registry();
        let err = r
            .convert(&LegacyAddress::new("Sông Bằng").with_district("Hòa An"))
            .expect_err("mismatch");
        assert_eq!(err.code(), "district_mismatch");
        assert!(err.candidates().iter().any(|c| c.code == code("01270")));
        let err = r
            .convert(&LegacyAddress::new("01270").with_district("Hòa An"))
            .expect_err("mismatch");
        assert_eq!(err.code(), "district_mismatch");
        let err = r
            .convert(&LegacyAddress::new("Sông Bằng").with_province("Hà Nội"))
            .expect_err("mismatch");
        assert_eq!(err.code(), "province_mismatch");
        let err = r
            .convert(&LegacyAddress::new("01270").with_province("Hà Giang"))
            .expect_err("mismatch");
        assert_eq!(err.code(), "province_mismatch");
        let err = r
            .convert(&LegacyAddress::new("Sông Bằng").with_province("Atlantis"))
            .expect_err("unknown province");
        assert_eq!(err.code(), "unit_not_found");
    }

    #[test]
    fn the_new_province_name_narrows_a_legacy_address() {
        let r = registry();
        // Hà Giang merged into Tuyên Quang: a Hà Giang commune given with
        // the new province still converts.
        let hg = r
            .provinces(Era::Legacy)
            .into_iter()
            .find(|p| p.name == "Tỉnh Hà Giang")
            .expect("Hà Giang");
        let commune = r
            .level_members(Era::Legacy, Level::Commune)
            .into_iter()
            .find(|u| {
                u.province_code == hg.code
                    && r.find(&u.name, Era::Legacy, Level::Commune, None).len() == 1
            })
            .expect("a uniquely named Hà Giang commune");
        let c = r
            .convert(&LegacyAddress::new(commune.name.clone()).with_province("Tuyên Quang"))
            .expect("converts via the new province");
        assert_eq!(c.legacy_unit().code, commune.code);
    }

    #[test]
    fn an_island_district_converts_as_a_whole() {
        let r = registry();
        let expect = |c: Conversion<'_>| {
            assert!(c.legacy_commune.is_none());
            assert_eq!(c.legacy_district.code, code("755"));
            assert_eq!(c.primary().commune.name, "Đặc khu Côn Đảo");
            assert_eq!(c.new_province.name, "Thành phố Hồ Chí Minh");
        };
        expect(r.convert(&LegacyAddress::new("755")).expect("by code"));
        expect(
            r.convert(&LegacyAddress::new("Côn Đảo").with_province("Bà Rịa - Vũng Tàu"))
                .expect("by name"),
        );
        expect(
            r.convert(&LegacyAddress::new("Huyen Con Dao"))
                .expect("with prefix"),
        );
        expect(
            r.convert(&LegacyAddress::new("").with_district("Huyện Côn Đảo"))
                .expect("district only"),
        );
        let s = r.sources_of(&code("26732"));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].1.code, code("755"));
        assert!(s[0].0.legacy_commune_code.is_none());
        assert_eq!(r.successors_of(&code("755")).len(), 1);
    }

    #[test]
    fn numbered_wards_resolve_within_their_district() {
        let r = registry();
        let q3 = r
            .resolve("Quận 3", Era::Legacy, Level::District, None)
            .expect("Quận 3");
        for q in ["Phường 5", "5", "P.5", "phuong 05"] {
            let u = r
                .resolve(q, Era::Legacy, Level::Commune, Some(q3))
                .expect(q);
            assert_eq!(u.name, "Phường 5");
        }
        let p5 = r.find("Phường 5", Era::Legacy, Level::Commune, None);
        let p15 = r.find("Phường 15", Era::Legacy, Level::Commune, None);
        assert!(p5.len() > 1 && p15.len() > 1);
        assert!(p5.iter().all(|u| u.name == "Phường 5"));
        assert!(p15.iter().all(|u| u.name == "Phường 15"));
    }

    #[test]
    fn every_legacy_commune_converts_by_full_name_district_and_province() {
        let r = registry();
        let mut ascii_ambiguous = 0;
        for u in r.level_members(Era::Legacy, Level::Commune) {
            let d = r
                .unit_in(u.parent_code.as_ref().expect("parent"), Era::Legacy)
                .expect("district");
            let p = r.province(&u.province_code, Era::Legacy).expect("province");
            let c = r
                .convert(
                    &LegacyAddress::new(u.name.clone())
                        .with_district(d.name.clone())
                        .with_province(p.name.clone()),
                )
                .unwrap_or_else(|e| panic!("{}: {e}", u.name));
            assert_eq!(c.legacy_unit().code, u.code);
            assert!(c.successors().len() >= 1);
            assert_eq!(
                c.successors().filter(|s| s.is_primary()).count(),
                1,
                "{}",
                u.name
            );
            let by_code = r
                .convert(&LegacyAddress::new(u.code.as_str()))
                .expect("by code");
            assert_eq!(by_code.legacy_unit().code, u.code);
            // Unaccented stem, district and province: itself, or an honest ambiguity.
            let a = LegacyAddress::new(deunicode::deunicode(stem(&u.name)))
                .with_district(deunicode::deunicode(&d.short_name))
                .with_province(deunicode::deunicode(&p.short_name));
            match r.convert(&a) {
                Ok(c) => assert_eq!(c.legacy_unit().code, u.code, "{a:?}"),
                Err(ConvertError::Ambiguous { candidates, .. }) => {
                    // Twins: a thị trấn and a xã of one name, or names that
                    // differ only by diacritics (Hoằng Đồng, Hoằng Đông).
                    assert!(candidates.iter().any(|c| c.code == u.code));
                    assert!(candidates
                        .iter()
                        .all(|c| c.district.as_ref().map(|d| &d.code) == u.parent_code.as_ref()));
                    ascii_ambiguous += 1;
                }
                Err(e) => panic!("{a:?}: {e}"),
            }
        }
        // 88 in the shipped data: 44 pairs of twins in one district.
        assert!(ascii_ambiguous <= 100, "{ascii_ambiguous}");
    }

    #[test]
    fn errors_serialize_with_their_code() {
        let r = registry();
        let err = r
            .convert(&LegacyAddress::new("Vinh Quang"))
            .expect_err("ambiguous");
        let json = serde_json::to_value(&err).expect("serializes");
        assert_eq!(json["error_code"], "ambiguous_name");
        let back: ConvertError = serde_json::from_value(json).expect("round trip");
        assert_eq!(back, err);
    }
}
