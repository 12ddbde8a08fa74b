//! Kỳ báo cáo — reporting periods. Rollups are kept per calendar month
//! (Vietnam time); a quarter, a half, a year or a custom run of months is a
//! sum of monthly rows (Decision 766/QĐ-TTg scores units per month,
//! quarter, half and year).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::dossier::vietnam_date;

/// Tháng — a calendar month, the rollup bucket. Serialized as `"YYYY-MM"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: i32,
    month: u32,
}

/// A string that is not a month `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid month {0:?}: expected YYYY-MM")]
pub struct InvalidMonth(pub String);

impl Month {
    /// `month` in 1..=12; the year must be representable as a date.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| Month { year, month })
    }

    /// The month of a date.
    pub fn of(date: NaiveDate) -> Self {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The month of an instant, in Vietnam time (UTC+7).
    pub fn of_instant(t: DateTime<Utc>) -> Self {
        Month::of(vietnam_date(t))
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// 1..=12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.succ()
            .first_day()
            .pred_opt()
            .unwrap_or_else(|| self.first_day())
    }

    /// The next month (saturating at the end of chrono's range).
    pub fn succ(self) -> Self {
        let (y, m) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        Month::new(y, m).unwrap_or(self)
    }

    pub fn parse(s: &str) -> Result<Self, InvalidMonth> {
        let bad = || InvalidMonth(s.to_string());
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
impl TryFrom<String> for Month {
    type Error = InvalidMonth;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Month::parse(&s)
    }
}
impl From<Month> for String {
    fn from(m: Month) -> String {
        m.to_string()
    }
}

/// Kỳ báo cáo — a reporting period made of whole months.
///
/// Day-precise custom periods are not month-aligned: compute them from
/// scratch (fold the dossiers whose receipt date falls in the range) rather
/// than from monthly rollups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Period {
    /// Tháng.
    Month { month: Month },
    /// Quý 1–4.
    Quarter { year: i32, quarter: u32 },
    /// 6 tháng (1 = January–June, 2 = July–December).
    Half { year: i32, half: u32 },
    /// Năm.
    Year { year: i32 },
    /// Tùy chọn — from `from` to `to`, both included.
    Months { from: Month, to: Month },
}

impl Period {
    /// The first month of the period (None for an invalid quarter or half).
    pub fn first_month(&self) -> Option<Month> {
        match *self {
            Period::Month { month } => Some(month),
            Period::Quarter { year, quarter } if (1..=4).contains(&quarter) => {
                Month::new(year, quarter * 3 - 2)
            }
            Period::Half { year, half } if (1..=2).contains(&half) => {
                Month::new(year, half * 6 - 5)
            }
            Period::Year { year } => Month::new(year, 1),
            Period::Months { from, .. } => Some(from),
            _ => None,
        }
    }

    /// The last month of the period.
    pub fn last_month(&self) -> Option<Month> {
        match *self {
            Period::Month { month } => Some(month),
            Period::Quarter { year, quarter } if (1..=4).contains(&quarter) => {
                Month::new(year, quarter * 3)
            }
            Period::Half { year, half } if (1..=2).contains(&half) => Month::new(year, half * 6),
            Period::Year { year } => Month::new(year, 12),
            Period::Months { to, .. } => Some(to),
            _ => None,
        }
    }

    /// Whether `month` is in the period.
    pub fn contains(&self, month: Month) -> bool {
        match (self.first_month(), self.last_month()) {
            (Some(a), Some(b)) => a <= month && month <= b,
            _ => false,
        }
    }

    /// The months of the period, in order (empty for an invalid period).
    pub fn months(&self) -> Vec<Month> {
        let mut out = Vec::new();
        if let (Some(mut m), Some(last)) = (self.first_month(), self.last_month()) {
            while m <= last {
                out.push(m);
                let next = m.succ();
                if next == m {
                    break;
                }
                m = next;
            }
        }
        out
    }

    /// The first day of the period.
    pub fn first_day(&self) -> Option<NaiveDate> {
        self.first_month().map(Month::first_day)
    }

    /// The last day of the period.
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.last_month().map(Month::last_day)
    }

    /// The Vietnamese label, e.g. "Quý 3/2026".
    pub fn label_vi(&self) -> String {
        match *self {
            Period::Month { month } => format!("Tháng {}/{}", month.month(), month.year()),
            Period::Quarter { year, quarter } => format!("Quý {quarter}/{year}"),
            Period::Half { year, half } => format!(
                "6 tháng {} năm {year}",
                ["đầu", "cuối"][usize::from(half == 2)]
            ),
            Period::Year { year } => format!("Năm {year}"),
            Period::Months { from, to } => format!("Từ tháng {from} đến tháng {to}"),
        }
    }

    /// The English label, e.g. "Q3 2026".
    pub fn label_en(&self) -> String {
        match *self {
            Period::Month { month } => month.to_string(),
            Period::Quarter { year, quarter } => format!("Q{quarter} {year}"),
            Period::Half { year, half } => format!("H{half} {year}"),
            Period::Year { year } => year.to_string(),
            Period::Months { from, to } => format!("{from} to {to}"),
        }
    }
}
