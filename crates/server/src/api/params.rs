//! Parsing of path and query parameters into domain values, with the
//! bilingual errors the API promises.

use chrono::NaiveDate;
use motcua_domain::units::{Level, UnitCode};

use crate::error::ApiError;

pub fn unit_code(s: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(s).map_err(|_| {
        ApiError::bad_request(
            "invalid_code",
            format!("Mã đơn vị không hợp lệ: {s:?} (cần 2, 3 hoặc 5 chữ số)."),
            format!("Invalid unit code {s:?}: expected 2, 3 or 5 digits."),
        )
    })
}

pub fn unit_code_at(s: &str, level: Level) -> Result<UnitCode, ApiError> {
    UnitCode::parse_at(s, level).map_err(|_| {
        ApiError::bad_request(
            "invalid_code",
            format!(
                "Mã đơn vị không hợp lệ: {s:?} (cần {} chữ số).",
                level.code_len()
            ),
            format!(
                "Invalid {} code {s:?}: expected {} digits.",
                level.as_str(),
                level.code_len()
            ),
        )
    })
}

/// Dates the registry can answer for: from 1945 to 2100.
pub fn date(s: Option<&str>, default: NaiveDate) -> Result<NaiveDate, ApiError> {
    let Some(s) = s else { return Ok(default) };
    let bad = || {
        ApiError::bad_request(
            "invalid_date",
            format!("Ngày không hợp lệ: {s:?} (định dạng YYYY-MM-DD, từ 1945 đến 2100)."),
            format!("Invalid date {s:?}: expected YYYY-MM-DD between 1945 and 2100."),
        )
    };
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?;
    let min = NaiveDate::from_ymd_opt(1945, 9, 2).ok_or_else(bad)?;
    let max = NaiveDate::from_ymd_opt(2100, 12, 31).ok_or_else(bad)?;
    if d < min || d > max {
        return Err(bad());
    }
    Ok(d)
}
