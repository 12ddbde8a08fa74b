//! The index of Decision 766 on the settings form: each criterion's points
//! and (for a proportional one) its target, and each grade band's minimum,
//! as fields; a change makes the new version carry its own index, from the
//! version's day. A group's points are the sum of its criteria's; the
//! domain validates the whole ([`IndexConfig::new`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
#[cfg(doc)]
use motcua_domain::reports::IndexConfig;
use motcua_domain::reports::{IndexConfigSpec, IndexConfigs, Scoring};
use motcua_domain::settings::SettingsDocument;

use crate::pages::ui::Lang;

/// A line of the index table on the page.
pub struct IndexRow {
    pub key: String,
    pub group: String,
    pub label: String,
    pub points: String,
    /// The target in percent, for a proportional criterion.
    pub target: Option<String>,
}

/// A grade band's line.
pub struct BandRow {
    pub key: String,
    pub label: String,
    pub min_points: String,
}

/// The index a new version starts from: the version's own, else the
/// shipped one in force on `date`.
pub fn base(doc: &SettingsDocument, date: NaiveDate) -> Option<IndexConfigSpec> {
    doc.index766.clone().or_else(|| {
        IndexConfigs::shipped()
            .for_date(date)
            .map(|c| c.spec().clone())
    })
}

fn code<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A number as the page writes it (Vietnamese decimal comma).
fn shown(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

/// A number as typed (comma or point).
fn typed(s: &str) -> Option<f64> {
    s.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

/// The form's index fields for `spec` (`diem.<criterion>`,
/// `muc_tieu.<criterion>` in percent, `xl.<grade>`).
pub fn fields_of(spec: &IndexConfigSpec) -> BTreeMap<String, String> {
    let mut f = BTreeMap::new();
    for g in &spec.groups {
        for c in &g.criteria {
            let k = code(c.criterion);
            f.insert(format!("diem.{k}"), shown(c.points));
            if let Scoring::Proportional { target } = c.scoring {
                f.insert(format!("muc_tieu.{k}"), shown(target * 100.0));
            }
        }
    }
    for b in &spec.grades {
        f.insert(format!("xl.{}", code(b.grade)), shown(b.min_points));
    }
    f
}

/// The index fields among a posted form's.
pub fn fields_from(form: &std::collections::HashMap<String, String>) -> BTreeMap<String, String> {
    form.iter()
        .filter(|(k, _)| {
            k.starts_with("diem.") || k.starts_with("muc_tieu.") || k.starts_with("xl.")
        })
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect()
}

/// The page's rows for `spec` with the values of `fields`.
pub fn rows(
    l: Lang,
    spec: &IndexConfigSpec,
    fields: &BTreeMap<String, String>,
) -> (Vec<IndexRow>, Vec<BandRow>) {
    let value = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let mut rows = Vec::new();
    for g in &spec.groups {
        for c in &g.criteria {
            let k = code(c.criterion);
            rows.push(IndexRow {
                group: l.t(g.group.label_vi(), g.group.label_en()).to_string(),
                label: l
                    .t(c.criterion.label_vi(), c.criterion.label_en())
                    .to_string(),
                points: value(&format!("diem.{k}")),
                target: matches!(c.scoring, Scoring::Proportional { .. })
                    .then(|| value(&format!("muc_tieu.{k}"))),
                key: k,
            });
        }
    }
    let bands = spec
        .grades
        .iter()
        .map(|b| {
            let k = code(b.grade);
            BandRow {
                label: l.t(b.grade.label_vi(), b.grade.label_en()).to_string(),
                min_points: value(&format!("xl.{k}")),
                key: k,
            }
        })
        .collect();
    (rows, bands)
}

/// Why the typed index cannot be read: (Vietnamese, English).
pub struct Unreadable(pub String, pub String);

/// The index of the new version from `valid_from`: `base` changed by the
/// typed `fields`, or None when nothing differs from it.
pub fn changed(
    base: &IndexConfigSpec,
    fields: &BTreeMap<String, String>,
    valid_from: NaiveDate,
) -> Result<Option<IndexConfigSpec>, Unreadable> {
    let mut spec = base.clone();
    let mut differs = false;
    let mut read = |key: String, old: f64, label: &str| -> Result<f64, Unreadable> {
        let Some(s) = fields.get(&key) else {
            return Ok(old);
        };
        let x = typed(s).ok_or_else(|| {
            Unreadable(
                format!("Bộ chỉ số 766 — «{label}»: cần một số."),
                format!("Index of Decision 766 — “{label}”: a number is needed."),
            )
        })?;
        differs |= (x - old).abs() > 1e-9;
        Ok(x)
    };
    for g in &mut spec.groups {
        for c in &mut g.criteria {
            let k = code(c.criterion);
            c.points = read(format!("diem.{k}"), c.points, c.criterion.label_vi())?;
            if let Scoring::Proportional { target } = &mut c.scoring {
                *target = read(
                    format!("muc_tieu.{k}"),
                    *target * 100.0,
                    c.criterion.label_vi(),
                )? / 100.0;
            }
        }
        g.points = g.criteria.iter().map(|c| c.points).sum();
    }
    for b in &mut spec.grades {
        b.min_points = read(
            format!("xl.{}", code(b.grade)),
            b.min_points,
            b.grade.label_vi(),
        )?;
    }
    if !differs {
        return Ok(None);
    }
    spec.version = format!(
        "{}+{valid_from}",
        base.version.split('+').next().unwrap_or("")
    );
    spec.effective_from = valid_from;
    // A configuration the domain refuses ([`IndexConfig::new`]) is said by
    // the adoption, with its code; this only reads the numbers.
    Ok(Some(spec))
}
