//! Tờ khai — the application form of a procedure: the structured details a
//! dossier needs (the child of a birth registration; the organisation, tax
//! code and legal representative of a business), defined per procedure in
//! the catalogue as a [`FormSchema`] and checked by [`validate`].
//!
//! Values travel as text keyed by field key (what a web form or a JSON
//! object gives); an address field has two: `<key>.street` (house, street,
//! hamlet) and `<key>.commune` (the new commune's 5-digit code, picked from
//! the unit registry). [`validate`] returns the normalised
//! [`ApplicationData`] (dates `YYYY-MM-DD`, tax codes `NNNNNNNNNN` or
//! `NNNNNNNNNN-NNN`, trimmed text) or every field's error at once; it is
//! idempotent on its own output, so the decider re-checks what it stores.
//! Whether a commune exists is the registry's business:
//! [`check_units`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::workflow::is_key;
use crate::units::{Level, Registry, UnitCode};

/// Longest text value when a field sets no `max_len`.
pub const DEFAULT_MAX_LEN: u32 = 200;
/// Longest `max_len` a schema may set.
pub const MAX_FIELD_LEN: u32 = 2000;
/// Most fields a schema may have.
pub const MAX_FIELDS: usize = 100;

/// Một lựa chọn — an option of a select field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectOption {
    /// The stored value, `[a-z0-9_]+`.
    pub value: String,
    pub label_vi: String,
    pub label_en: String,
}

/// Loại trường — what a field holds and how it is checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text on one line.
    Text,
    /// A date (`dd/mm/yyyy` or `yyyy-mm-dd` typed; `yyyy-mm-dd` stored).
    Date,
    /// A whole number ≥ 0 (at most 15 digits).
    Number,
    /// One of the options.
    Select { options: Vec<SelectOption> },
    /// Mã số thuế — 10 digits, or 13 for a branch (`10-3`, Circular
    /// 105/2020/TT-BTC).
    TaxCode,
    /// Số định danh cá nhân / CCCD — 12 digits.
    NationalId,
    /// Xã, phường, đặc khu — a commune of the two-level system (5 digits).
    Unit,
    /// Địa chỉ — house/street text and a new commune.
    Address,
}

impl FieldKind {
    fn name(&self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Date => "date",
            FieldKind::Number => "number",
            FieldKind::Select { .. } => "select",
            FieldKind::TaxCode => "tax_code",
            FieldKind::NationalId => "national_id",
            FieldKind::Unit => "unit",
            FieldKind::Address => "address",
        }
    }
}

/// Một trường — a field of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    /// `[a-z0-9_]+`, unique in the schema.
    pub key: String,
    pub label_vi: String,
    pub label_en: String,
    #[serde(flatten)]
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    /// Longest text, in characters (text and address street).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_len: Option<u32>,
}

impl FormField {
    fn max_chars(&self) -> usize {
        self.max_len.unwrap_or(DEFAULT_MAX_LEN) as usize
    }
}

/// Nhóm trường — a titled group, e.g. "Thông tin trẻ".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldGroup {
    pub label_vi: String,
    pub label_en: String,
    pub fields: Vec<FormField>,
}

/// Mẫu tờ khai — the form schema of a procedure (empty: no structured data).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormSchema {
    #[serde(default)]
    pub groups: Vec<FieldGroup>,
}

/// Why a schema is not usable (checked when the catalogue is loaded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("form field {key:?}: {problem}")]
pub struct SchemaError {
    pub key: String,
    pub problem: &'static str,
}

impl FormSchema {
    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(|g| g.fields.is_empty())
    }

    /// Every field, in form order.
    pub fn fields(&self) -> impl Iterator<Item = &FormField> {
        self.groups.iter().flat_map(|g| g.fields.iter())
    }

    pub fn field(&self, key: &str) -> Option<&FormField> {
        self.fields().find(|f| f.key == key)
    }

    /// Keys `[a-z0-9_]+` and unique, labels present, select options
    /// present and unique, `max_len` in 1..=[`MAX_FIELD_LEN`].
    pub fn check(&self) -> Result<(), SchemaError> {
        let bad = |key: &str, problem| {
            Err(SchemaError {
                key: key.to_string(),
                problem,
            })
        };
        if self.fields().count() > MAX_FIELDS {
            return bad("", "too many fields");
        }
        for g in &self.groups {
            if g.label_vi.trim().is_empty() || g.label_en.trim().is_empty() {
                return bad("", "a group needs Vietnamese and English labels");
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for f in self.fields() {
            if !is_key(&f.key) {
                return bad(&f.key, "the key must be [a-z0-9_]+");
            }
            if seen.contains(&f.key.as_str()) {
                return bad(&f.key, "the key appears twice");
            }
            seen.push(&f.key);
            if f.label_vi.trim().is_empty() || f.label_en.trim().is_empty() {
                return bad(&f.key, "the field needs Vietnamese and English labels");
            }
            if f.max_len.is_some_and(|m| m == 0 || m > MAX_FIELD_LEN) {
                return bad(&f.key, "max_len must be between 1 and 2000");
            }
            if let FieldKind::Select { options } = &f.kind {
                if options.is_empty() {
                    return bad(&f.key, "a select field needs options");
                }
                for (i, o) in options.iter().enumerate() {
                    if !is_key(&o.value) || options[..i].iter().any(|p| p.value == o.value) {
                        return bad(&f.key, "option values must be [a-z0-9_]+ and unique");
                    }
                    if o.label_vi.trim().is_empty() || o.label_en.trim().is_empty() {
                        return bad(&f.key, "an option needs Vietnamese and English labels");
                    }
                }
            }
        }
        Ok(())
    }
}

/// The keys a field's values come under: the field key, or for an address
/// `<key>.street` and `<key>.commune`.
pub fn street_key(key: &str) -> String {
    format!("{key}.street")
}
pub fn commune_key(key: &str) -> String {
    format!("{key}.commune")
}

/// Dữ liệu tờ khai — validated, normalised values by key (see the module
/// documentation for address keys). Empty optional fields are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApplicationData(BTreeMap<String, String>);

impl ApplicationData {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn values(&self) -> &BTreeMap<String, String> {
        &self.0
    }
}

/// Loại lỗi — why one value is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    Required,
    TooLong {
        max: u32,
    },
    BadCharacter,
    BadDate,
    BadNumber,
    NotAnOption,
    BadTaxCode,
    BadNationalId,
    BadUnit,
    /// The commune is not in the registry, not a commune of the two-level
    /// system in force, or not of the province.
    UnknownUnit,
    UnknownField,
}

/// Lỗi của một trường — a refused value, with the field's labels so the
/// message names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The value's key (`child_name`, `address.commune`…).
    pub field: String,
    pub problem: FieldProblem,
    pub label_vi: String,
    pub label_en: String,
}

impl FieldError {
    fn new(field: impl Into<String>, problem: FieldProblem, f: Option<&FormField>) -> Self {
        let field = field.into();
        let (label_vi, label_en) = match f {
            Some(f) => (f.label_vi.clone(), f.label_en.clone()),
            None => (field.clone(), field.clone()),
        };
        FieldError {
            field,
            problem,
            label_vi,
            label_en,
        }
    }

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self.problem {
            FieldProblem::Required => "required",
            FieldProblem::TooLong { .. } => "too_long",
            FieldProblem::BadCharacter => "bad_character",
            FieldProblem::BadDate => "bad_date",
            FieldProblem::BadNumber => "bad_number",
            FieldProblem::NotAnOption => "not_an_option",
            FieldProblem::BadTaxCode => "bad_tax_code",
            FieldProblem::BadNationalId => "bad_national_id",
            FieldProblem::BadUnit => "bad_unit",
            FieldProblem::UnknownUnit => "unknown_unit",
            FieldProblem::UnknownField => "unknown_field",
        }
    }

    pub fn message_vi(&self) -> String {
        let l = &self.label_vi;
        match &self.problem {
            FieldProblem::Required => format!("{l}: bắt buộc nhập."),
            FieldProblem::TooLong { max } => format!("{l}: dài quá {max} ký tự."),
            FieldProblem::BadCharacter => format!("{l}: có ký tự không hợp lệ."),
            FieldProblem::BadDate => format!("{l}: ngày không hợp lệ (dd/mm/yyyy)."),
            FieldProblem::BadNumber => format!("{l}: phải là số nguyên không âm."),
            FieldProblem::NotAnOption => format!("{l}: hãy chọn một giá trị trong danh sách."),
            FieldProblem::BadTaxCode => {
                format!("{l}: mã số thuế gồm 10 chữ số, hoặc 13 chữ số (10-3) với chi nhánh.")
            }
            FieldProblem::BadNationalId => format!("{l}: số định danh cá nhân gồm 12 chữ số."),
            FieldProblem::BadUnit => format!("{l}: mã xã, phường gồm 5 chữ số."),
            FieldProblem::UnknownUnit => {
                format!("{l}: không phải xã, phường, đặc khu hiện hành của tỉnh.")
            }
            FieldProblem::UnknownField => format!("Trường {l} không có trong tờ khai."),
        }
    }

    pub fn message_en(&self) -> String {
        let l = &self.label_en;
        match &self.problem {
            FieldProblem::Required => format!("{l}: required."),
            FieldProblem::TooLong { max } => format!("{l}: longer than {max} characters."),
            FieldProblem::BadCharacter => format!("{l}: contains a character that is not allowed."),
            FieldProblem::BadDate => format!("{l}: not a valid date (dd/mm/yyyy)."),
            FieldProblem::BadNumber => format!("{l}: must be a whole number ≥ 0."),
            FieldProblem::NotAnOption => format!("{l}: pick one of the listed values."),
            FieldProblem::BadTaxCode => {
                format!("{l}: a tax code has 10 digits, or 13 (10-3) for a branch.")
            }
            FieldProblem::BadNationalId => {
                format!("{l}: a personal identification number has 12 digits.")
            }
            FieldProblem::BadUnit => format!("{l}: a commune code has 5 digits."),
            FieldProblem::UnknownUnit => {
                format!("{l}: not a current commune of the province.")
            }
            FieldProblem::UnknownField => format!("Field {l} is not on the form."),
        }
    }
}

/// Checks `values` (text by key, as typed) against `schema`: every error at
/// once, or the normalised data. Pure; does not look communes up (see
/// [`check_units`]).
pub fn validate(
    schema: &FormSchema,
    values: &BTreeMap<String, String>,
) -> Result<ApplicationData, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = BTreeMap::new();
    let mut known: Vec<String> = Vec::new();
    for f in schema.fields() {
        match f.kind {
            FieldKind::Address => {
                let (sk, ck) = (street_key(&f.key), commune_key(&f.key));
                let street = values.get(&sk).map(|s| s.trim()).unwrap_or("");
                let commune = values.get(&ck).map(|s| s.trim()).unwrap_or("");
                if street.is_empty() && commune.is_empty() {
                    if f.required {
                        errors.push(FieldError::new(&sk, FieldProblem::Required, Some(f)));
                    }
                } else {
                    match check_text(f, street) {
                        Err(p) => errors.push(FieldError::new(&sk, p, Some(f))),
                        Ok(()) if street.is_empty() => {
                            errors.push(FieldError::new(&sk, FieldProblem::Required, Some(f)))
                        }
                        Ok(()) => {
                            out.insert(sk.clone(), street.to_string());
                        }
                    }
                    match normalise(&FieldKind::Unit, f, commune) {
                        _ if commune.is_empty() => {
                            errors.push(FieldError::new(&ck, FieldProblem::Required, Some(f)))
                        }
                        Err(p) => errors.push(FieldError::new(&ck, p, Some(f))),
                        Ok(v) => {
                            out.insert(ck.clone(), v);
                        }
                    }
                }
                known.push(sk);
                known.push(ck);
            }
            _ => {
                let v = values.get(&f.key).map(|s| s.trim()).unwrap_or("");
                if v.is_empty() {
                    if f.required {
                        errors.push(FieldError::new(&f.key, FieldProblem::Required, Some(f)));
                    }
                } else {
                    match normalise(&f.kind, f, v) {
                        Ok(v) => {
                            out.insert(f.key.clone(), v);
                        }
                        Err(p) => errors.push(FieldError::new(&f.key, p, Some(f))),
                    }
                }
                known.push(f.key.clone());
            }
        }
    }
    for k in values.keys() {
        if !known.contains(k) {
            errors.push(FieldError::new(
                crate::text::IDENTIFIER
                    .check(k)
                    .map(|_| k.clone())
                    .unwrap_or_else(|_| "?".into()),
                FieldProblem::UnknownField,
                None,
            ));
        }
    }
    if errors.is_empty() {
        Ok(ApplicationData(out))
    } else {
        Err(errors)
    }
}

fn check_text(f: &FormField, v: &str) -> Result<(), FieldProblem> {
    if v.chars().any(|c| crate::text::forbidden(c, false)) {
        return Err(FieldProblem::BadCharacter);
    }
    if v.chars().count() > f.max_chars() {
        return Err(FieldProblem::TooLong {
            max: f.max_chars() as u32,
        });
    }
    Ok(())
}

/// Accepts `dd/mm/yyyy` (also with `-` or `.`) and `yyyy-mm-dd`.
pub fn parse_date(v: &str) -> Option<NaiveDate> {
    let v = v.trim();
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .filter(|_| v.len() == 10)
        .or_else(|| {
            let parts: Vec<&str> = v.split(['/', '-', '.']).collect();
            match parts.as_slice() {
                [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => {
                    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
                }
                _ => None,
            }
        })
}

fn digits(v: &str) -> String {
    v.chars().filter(|c| !matches!(c, ' ' | '.')).collect()
}

fn normalise(kind: &FieldKind, f: &FormField, v: &str) -> Result<String, FieldProblem> {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match kind {
        FieldKind::Text | FieldKind::Address => check_text(f, v).map(|_| v.to_string()),
        FieldKind::Date => parse_date(v)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .ok_or(FieldProblem::BadDate),
        FieldKind::Number => {
            let d = digits(v);
            if all_digits(&d) && d.len() <= 15 {
                Ok(d)
            } else {
                Err(FieldProblem::BadNumber)
            }
        }
        FieldKind::Select { options } => options
            .iter()
            .find(|o| o.value == v)
            .map(|o| o.value.clone())
            .ok_or(FieldProblem::NotAnOption),
        FieldKind::TaxCode => {
            let d = digits(v);
            match d.split_once('-') {
                None if all_digits(&d) && d.len() == 10 => Ok(d),
                None if all_digits(&d) && d.len() == 13 => Ok(format!("{}-{}", &d[..10], &d[10..])),
                Some((a, b)) if all_digits(a) && a.len() == 10 && all_digits(b) && b.len() == 3 => {
                    Ok(d)
                }
                _ => Err(FieldProblem::BadTaxCode),
            }
        }
        FieldKind::NationalId => {
            let d = digits(v);
            if all_digits(&d) && d.len() == 12 {
                Ok(d)
            } else {
                Err(FieldProblem::BadNationalId)
            }
        }
        FieldKind::Unit => UnitCode::parse_at(v, Level::Commune)
            .map(|c| c.as_str().to_string())
            .map_err(|_| FieldProblem::BadUnit),
    }
}

/// The registry's half of validation: every commune value (unit fields
/// and addresses) is a commune of the two-level system valid on `date`,
/// and, with `province`, of that province.
pub fn check_units(
    schema: &FormSchema,
    data: &ApplicationData,
    registry: &Registry,
    date: NaiveDate,
    province: Option<&str>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for f in schema.fields() {
        let key = match f.kind {
            FieldKind::Unit => f.key.clone(),
            FieldKind::Address => commune_key(&f.key),
            _ => continue,
        };
        let Some(code) = data.get(&key) else { continue };
        let ok = UnitCode::parse_at(code, Level::Commune)
            .ok()
            .and_then(|c| registry.unit_at(&c, date).cloned())
            .is_some_and(|u| {
                u.level() == Level::Commune
                    && u.era() == crate::units::Era::TwoLevel
                    && province.is_none_or(|p| u.province_code.as_str() == p)
            });
        if !ok {
            errors.push(FieldError::new(key, FieldProblem::UnknownUnit, Some(f)));
        }
    }
    errors
}

/// Một dòng hiển thị — a field as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownField {
    pub label_vi: String,
    pub label_en: String,
    pub value_vi: String,
    pub value_en: String,
}

/// A group as a person reads it (only fields with a value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownGroup {
    pub label_vi: String,
    pub label_en: String,
    pub fields: Vec<ShownField>,
}

/// The data as a person reads it: option labels, dates `dd/mm/yyyy`,
/// communes by name (`commune_name` looks a code up; the code is shown
/// when it finds nothing). Groups without a value are left out.
pub fn show(
    schema: &FormSchema,
    data: &ApplicationData,
    commune_name: &dyn Fn(&str) -> Option<String>,
) -> Vec<ShownGroup> {
    let mut out = Vec::new();
    for g in &schema.groups {
        let mut fields = Vec::new();
        for f in &g.fields {
            let (vi, en) = match &f.kind {
                FieldKind::Address => {
                    let street = data.get(&street_key(&f.key));
                    let commune = data
                        .get(&commune_key(&f.key))
                        .map(|c| commune_name(c).unwrap_or_else(|| c.to_string()));
                    let parts: Vec<String> = street
                        .map(str::to_string)
                        .into_iter()
                        .chain(commune)
                        .collect();
                    if parts.is_empty() {
                        continue;
                    }
                    let t = parts.join(", ");
                    (t.clone(), t)
                }
                kind => {
                    let Some(v) = data.get(&f.key) else { continue };
                    match kind {
                        FieldKind::Select { options } => options
                            .iter()
                            .find(|o| o.value == v)
                            .map(|o| (o.label_vi.clone(), o.label_en.clone()))
                            .unwrap_or_else(|| (v.to_string(), v.to_string())),
                        FieldKind::Date => {
                            let t = parse_date(v)
                                .map(|d| d.format("%d/%m/%Y").to_string())
                                .unwrap_or_else(|| v.to_string());
                            (t.clone(), t)
                        }
                        FieldKind::Unit => {
                            let t = commune_name(v).unwrap_or_else(|| v.to_string());
                            (t.clone(), t)
                        }
                        _ => (v.to_string(), v.to_string()),
                    }
                }
            };
            fields.push(ShownField {
                label_vi: f.label_vi.clone(),
                label_en: f.label_en.clone(),
                value_vi: vi,
                value_en: en,
            });
        }
        if !fields.is_empty() {
            out.push(ShownGroup {
                label_vi: g.label_vi.clone(),
                label_en: g.label_en.clone(),
                fields,
            });
        }
    }
    out
}

/// The kind's name (`text`, `tax_code`…), for the pages' input types.
pub fn kind_name(kind: &FieldKind) -> &'static str {
    kind.name()
}
