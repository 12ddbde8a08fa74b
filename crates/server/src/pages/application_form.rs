//! Tờ khai trên trang — a procedure's application form (its catalogue
//! [`FormSchema`]) on the citizen's submit page and the officer's intake:
//! rendering with the values typed and each field's error beside it,
//! parsing the posted fields, the "convert an old address" helper (old
//! commune + district + province → the new commune by the registry, a
//! submit button that re-renders the form, so it works without
//! JavaScript), and the display of a dossier's data by name.
//!
//! Posted names: `tk.<key>` for a value, `tk.<key>.street` and
//! `tk.<key>.commune` for an address; `tkcu.<key>.xa|huyen|tinh` for the
//! old address to convert, and the button `doi_dia_chi=<key>`.

use std::collections::BTreeMap;

use askama::Template;
use chrono::NaiveDate;
use motcua_domain::procedure::form::{self, commune_key, street_key, FieldError, FieldKind};
use motcua_domain::procedure::{ApplicationData, FormSchema};
use motcua_domain::units::{Level, Registry, UnitCode};

use super::ui::Lang;

/// Prefix of a form value's posted name.
pub const PREFIX: &str = "tk.";
/// Prefix of an old address part's posted name.
pub const OLD_PREFIX: &str = "tkcu.";
/// The convert button's name (its value: the address field's key).
pub const CONVERT: &str = "doi_dia_chi";

/// What a post carried for the form.
#[derive(Debug, Clone, Default)]
pub struct Posted {
    /// Values by schema key (`child_name`, `address.street`…), as typed.
    pub values: BTreeMap<String, String>,
    /// Old address parts by `<key>.xa|huyen|tinh`.
    pub old: BTreeMap<String, String>,
    /// The address field whose old address is to be converted.
    pub convert: Option<String>,
}

impl Posted {
    /// Picks the form's fields out of every posted field.
    pub fn from_fields(fields: &BTreeMap<String, String>) -> Posted {
        let mut p = Posted::default();
        for (k, v) in fields {
            if let Some(key) = k.strip_prefix(PREFIX) {
                p.values.insert(key.to_string(), v.clone());
            } else if let Some(key) = k.strip_prefix(OLD_PREFIX) {
                p.old.insert(key.to_string(), v.clone());
            } else if k == CONVERT {
                p.convert = Some(v.clone());
            }
        }
        p
    }

    /// The values to validate (none when the procedure has no form and
    /// nothing was posted for one).
    pub fn data(&self, schema: &FormSchema) -> Option<BTreeMap<String, String>> {
        (!schema.is_empty() || !self.values.is_empty()).then(|| self.values.clone())
    }
}

/// The result of the convert button: the message to show by the field.
pub struct Converted {
    pub key: String,
    pub ok: bool,
    pub message: String,
}

/// Converts the old address of `posted.convert` and, when the registry
/// finds its new commune, puts it in the field's commune picker (the
/// rest of what was typed is kept).
pub fn convert(
    registry: &Registry,
    schema: &FormSchema,
    posted: &mut Posted,
    l: Lang,
) -> Option<Converted> {
    let key = posted.convert.clone()?;
    let f = schema.field(&key)?;
    if f.kind != FieldKind::Address {
        return None;
    }
    let part = |p: &str| {
        posted
            .old
            .get(&format!("{key}.{p}"))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let (xa, huyen, tinh) = (part("xa"), part("huyen"), part("tinh"));
    if xa.is_empty() {
        return Some(Converted {
            key,
            ok: false,
            message: l
                .t(
                    "Hãy nhập tên xã, phường cũ để chuyển đổi.",
                    "Enter the old commune's name to convert it.",
                )
                .into(),
        });
    }
    if [&xa, &huyen, &tinh].iter().any(|s| s.chars().count() > 100) {
        return Some(Converted {
            key,
            ok: false,
            message: l
                .t("Tên đơn vị quá dài.", "A unit name is too long.")
                .into(),
        });
    }
    match registry.convert_parts(&xa, Some(&huyen), Some(&tinh)) {
        Ok(c) => {
            let primary = c.primary();
            posted
                .values
                .insert(commune_key(&key), primary.commune.code.as_str().to_string());
            let old = c.legacy_unit();
            let mut message = format!(
                "{}: {}, {} → {}, {}",
                l.t("Đã chuyển đổi", "Converted"),
                old.name,
                c.legacy_district.name,
                primary.commune.name,
                primary.province.name
            );
            if c.split {
                message.push_str(l.t(
                    " (đơn vị cũ đã chia cho nhiều xã, phường: hãy kiểm tra lại).",
                    " (the old unit was split among several communes: check it).",
                ));
            }
            Some(Converted {
                key,
                ok: true,
                message,
            })
        }
        Err(e) => Some(Converted {
            key,
            ok: false,
            message: if l.is_en() {
                e.to_string()
            } else {
                e.message_vi()
            },
        }),
    }
}

/// The communes in force of a province, as (code, name), for the pickers.
pub fn communes(registry: &Registry, province: &str, today: NaiveDate) -> Vec<(String, String)> {
    let Ok(p) = UnitCode::parse_at(province, Level::Province) else {
        return Vec::new();
    };
    registry
        .communes_of_province(&p, today)
        .into_iter()
        .map(|c| (c.code.as_str().to_string(), c.name.clone()))
        .collect()
}

/// A commune's full name ("Phường Nùng Trí Cao, Tỉnh Cao Bằng").
pub fn commune_name(registry: &Registry, code: &str, date: NaiveDate) -> Option<String> {
    let c = UnitCode::parse_at(code, Level::Commune).ok()?;
    let u = registry.unit_at(&c, date)?;
    let province = registry
        .unit_at(&u.province_code, date)
        .map(|p| format!(", {}", p.name))
        .unwrap_or_default();
    Some(format!("{}{province}", u.name))
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct FieldView {
    key: String,
    /// The posted name (without the address suffixes).
    name: String,
    id: String,
    label: String,
    kind: &'static str,
    required: bool,
    max_len: u32,
    value: String,
    choices: Vec<Choice>,
    error: String,
    street: String,
    street_error: String,
    old_xa: String,
    old_huyen: String,
    old_tinh: String,
    note: String,
    note_ok: bool,
}

struct GroupView {
    legend: String,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "application_form.html")]
struct FormView {
    l: Lang,
    groups: Vec<GroupView>,
    /// Errors of posted keys that are not on the form.
    other_errors: Vec<String>,
}

/// The form's fields as HTML (to put inside the page's `<form>`), with
/// what was typed, each field's error and the conversion's message.
pub fn render(
    schema: &FormSchema,
    l: Lang,
    posted: &Posted,
    errors: &[FieldError],
    communes: &[(String, String)],
    converted: Option<&Converted>,
) -> String {
    let en = l.is_en();
    let msg = |e: &FieldError| if en { e.message_en() } else { e.message_vi() };
    let error_of = |key: &str| {
        errors
            .iter()
            .filter(|e| e.field == key)
            .map(msg)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let typed = |key: &str| posted.values.get(key).cloned().unwrap_or_default();
    let mut groups = Vec::new();
    let mut known = Vec::new();
    for g in &schema.groups {
        let mut fields = Vec::new();
        for f in &g.fields {
            let label = if en { &f.label_en } else { &f.label_vi }.clone();
            let is_address = f.kind == FieldKind::Address;
            let value_key = if is_address {
                commune_key(&f.key)
            } else {
                f.key.clone()
            };
            let value = typed(&value_key);
            let choices = match &f.kind {
                FieldKind::Select { options } => options
                    .iter()
                    .map(|o| Choice {
                        value: o.value.clone(),
                        label: if en { &o.label_en } else { &o.label_vi }.clone(),
                        selected: o.value == value,
                    })
                    .collect(),
                FieldKind::Unit | FieldKind::Address => communes
                    .iter()
                    .map(|(code, name)| Choice {
                        value: code.clone(),
                        label: name.clone(),
                        selected: *code == value.trim(),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let old = |p: &str| {
                posted
                    .old
                    .get(&format!("{}.{p}", f.key))
                    .cloned()
                    .unwrap_or_default()
            };
            let (note, note_ok) = match converted {
                Some(c) if c.key == f.key => (c.message.clone(), c.ok),
                _ => (String::new(), false),
            };
            known.push(value_key.clone());
            if is_address {
                known.push(street_key(&f.key));
            }
            fields.push(FieldView {
                key: f.key.clone(),
                name: format!("{PREFIX}{}", f.key),
                id: format!("tk-{}", f.key),
                label,
                kind: form::kind_name(&f.kind),
                required: f.required,
                max_len: f.max_len.unwrap_or(form::DEFAULT_MAX_LEN),
                value,
                choices,
                error: error_of(&value_key),
                street: typed(&street_key(&f.key)),
                street_error: if is_address {
                    error_of(&street_key(&f.key))
                } else {
                    String::new()
                },
                old_xa: old("xa"),
                old_huyen: old("huyen"),
                old_tinh: old("tinh"),
                note,
                note_ok,
            });
        }
        groups.push(GroupView {
            legend: if en { &g.label_en } else { &g.label_vi }.clone(),
            fields,
        });
    }
    let other_errors = errors
        .iter()
        .filter(|e| !known.contains(&e.field))
        .map(msg)
        .collect();
    let view = FormView {
        l,
        groups,
        other_errors,
    };
    view.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "application form rendering failed");
        String::new()
    })
}

#[derive(Template)]
#[template(path = "application_data.html")]
struct DataView {
    l: Lang,
    groups: Vec<form::ShownGroup>,
}

/// A dossier's application data as HTML (a titled list per group),
/// communes by name as they were on `date`; empty when there is none.
pub fn show(
    registry: &Registry,
    schema: &FormSchema,
    data: Option<&ApplicationData>,
    date: NaiveDate,
    l: Lang,
) -> String {
    let Some(data) = data.filter(|d| !d.is_empty()) else {
        return String::new();
    };
    let names = |code: &str| commune_name(registry, code, date);
    let groups = form::show(schema, data, &names);
    DataView { l, groups }.render().unwrap_or_default()
}

/// The data as Mẫu 01 prints it (Vietnamese labels and values).
pub fn sections(
    registry: &Registry,
    schema: &FormSchema,
    data: Option<&ApplicationData>,
    date: NaiveDate,
) -> Vec<motcua_forms::FormSection> {
    let Some(data) = data else {
        return Vec::new();
    };
    let names = |code: &str| commune_name(registry, code, date);
    form::show(schema, data, &names)
        .into_iter()
        .map(|g| motcua_forms::FormSection {
            title: g.label_vi,
            lines: g
                .fields
                .into_iter()
                .map(|f| (f.label_vi, f.value_vi))
                .collect(),
        })
        .collect()
}
