//! Ngày nghỉ lễ, Tết — the public-holiday data.
//!
//! The input is CSV text `date,name,name_vi` (one row per day off, ISO
//! dates), e.g. `motcua_refdata::HOLIDAYS`
//! (`data/vn-admin/vn_holidays_2024_2030.csv`). The parser takes `&str`: the
//! domain reads no files.
//!
//! Swapped days: when the government moves a working day to bridge a holiday
//! (e.g. 2025: day off Friday 2 May, worked Saturday 26 April), the data file
//! names the day off "Day off (substituted from 04/26/2025)" / "Ngày nghỉ
//! (thay cho ngày 26/04/2025)". The parser extracts that date into
//! [`Holiday::substitute_working_day`]; the calendar then treats it as a
//! working day (configurable, see [`super::CalendarConfig`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::CalendarError;

/// One day off of the holiday data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// For a swapped day off: the (normally weekend) day worked instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute_working_day: Option<NaiveDate>,
}

/// Parses the holiday CSV (`date,name,name_vi`, header required, columns
/// found by name, extra columns ignored). Errors carry the 1-based line.
/// Duplicate dates are an error: one row per date.
pub fn parse_holidays(csv_text: &str) -> Result<Vec<Holiday>, CalendarError> {
    let err = |line: u64, message: String| CalendarError::HolidayData { line, message };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(csv_text.as_bytes());
    let headers = reader.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| {
                err(
                    1,
                    format!("missing column {name:?} (expected header date,name,name_vi)"),
                )
            })
    };
    let (c_date, c_name, c_vi) = (column("date")?, column("name")?, column("name_vi")?);

    let mut out: Vec<Holiday> = Vec::new();
    let mut seen: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        // Fallback when csv gives no position: header is line 1, rows follow.
        let fallback_line = i as u64 + 2;
        let record = record.map_err(|e| {
            let line = e.position().map_or(fallback_line, |p| p.line());
            err(line, e.to_string())
        })?;
        let line = record.position().map_or(fallback_line, |p| p.line());
        let field = |c: usize, what: &str| {
            record
                .get(c)
                .ok_or_else(|| err(line, format!("missing field {what:?}")))
        };
        let date_text = field(c_date, "date")?;
        let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
            .map_err(|e| err(line, format!("date {date_text:?} is not YYYY-MM-DD: {e}")))?;
        if let Some(first) = seen.insert(date, line) {
            return Err(err(
                line,
                format!("date {date} already listed on line {first}"),
            ));
        }
        let name = field(c_name, "name")?.to_owned();
        let name_vi = field(c_vi, "name_vi")?.to_owned();
        if name.is_empty() && name_vi.is_empty() {
            return Err(err(line, format!("holiday {date} has no name")));
        }
        let substitute_working_day = substitute_of(&name, &name_vi).map_err(|m| err(line, m))?;
        out.push(Holiday {
            date,
            name,
            name_vi,
            substitute_working_day,
        });
    }
    out.sort_by_key(|h| h.date);
    Ok(out)
}

/// The working day named by "substituted from MM/DD/YYYY" (English, US
/// order) and/or "thay cho ngày DD/MM/YYYY" (Vietnamese order). Both, when
/// present, must agree.
fn substitute_of(name: &str, name_vi: &str) -> Result<Option<NaiveDate>, String> {
    let en = date_after(name, "substituted from ", "%m/%d/%Y")?;
    let vi = date_after(name_vi, "thay cho ngày ", "%d/%m/%Y")?;
    match (en, vi) {
        (Some(a), Some(b)) if a != b => Err(format!(
            "the English name gives substitute working day {a}, the Vietnamese name {b}"
        )),
        (a, b) => Ok(a.or(b)),
    }
}

fn date_after(text: &str, marker: &str, format: &str) -> Result<Option<NaiveDate>, String> {
    let lower = text.to_lowercase();
    let Some(pos) = lower.find(marker) else {
        return Ok(None);
    };
    // Search and slice the same (lowercased) string: byte offsets agree.
    let rest = &lower[pos + marker.len()..];
    let token: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '/')
        .collect();
    NaiveDate::parse_from_str(&token, format)
        .map(Some)
        .map_err(|e| format!("cannot read the substitute date {token:?} after {marker:?}: {e}"))
}
