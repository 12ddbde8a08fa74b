//! Phiên bản theo ngày hiệu lực — values versioned by date: each version
//! applies from its `valid_from` day until the next version's. A
//! computation about a day (a report period, a due date) uses the version
//! in force on that day, never simply the newest (issue 11: a 2025 period
//! is not scored with the 2026 rules).
//!
//! The province's settings store feeds the index of Decision 766/QĐ-TTg
//! through [`super::IndexConfigs::from_versions`], a `Versioned<IndexConfig>`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Two versions take effect on the same day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("two versions take effect on {0}")]
pub struct DuplicateValidFrom(pub NaiveDate);

/// Dated versions of a `T`, sorted by `valid_from`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<(NaiveDate, T)>", into = "Vec<(NaiveDate, T)>")]
#[serde(bound(
    serialize = "T: Serialize + Clone",
    deserialize = "T: Deserialize<'de>"
))]
pub struct Versioned<T> {
    versions: Vec<(NaiveDate, T)>,
}

impl<T> Versioned<T> {
    /// Versions in any order; two on the same day are rejected.
    pub fn new(mut versions: Vec<(NaiveDate, T)>) -> Result<Self, DuplicateValidFrom> {
        versions.sort_by_key(|(d, _)| *d);
        if let Some(w) = versions.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(DuplicateValidFrom(w[0].0));
        }
        Ok(Versioned { versions })
    }

    /// The version in force on `date`: the latest whose `valid_from` is on
    /// or before it; None before the first version.
    pub fn at(&self, date: NaiveDate) -> Option<&T> {
        self.at_dated(date).map(|(_, v)| v)
    }

    /// The version in force on `date` with its `valid_from`.
    pub fn at_dated(&self, date: NaiveDate) -> Option<(NaiveDate, &T)> {
        self.versions
            .iter()
            .rev()
            .find(|(d, _)| *d <= date)
            .map(|(d, v)| (*d, v))
    }

    /// All versions, oldest first.
    pub fn versions(&self) -> &[(NaiveDate, T)] {
        &self.versions
    }
}

impl<T> TryFrom<Vec<(NaiveDate, T)>> for Versioned<T> {
    type Error = DuplicateValidFrom;
    fn try_from(v: Vec<(NaiveDate, T)>) -> Result<Self, Self::Error> {
        Versioned::new(v)
    }
}

impl<T> From<Versioned<T>> for Vec<(NaiveDate, T)> {
    fn from(v: Versioned<T>) -> Self {
        v.versions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_version_in_force_is_the_latest_not_after_the_date() {
        let v = Versioned::new(vec![(d(2026, 1, 1), "2026"), (d(2022, 6, 23), "2022")])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.at(d(2022, 6, 22)), None);
        assert_eq!(v.at(d(2022, 6, 23)), Some(&"2022"));
        assert_eq!(v.at(d(2025, 12, 31)), Some(&"2022"));
        assert_eq!(v.at(d(2026, 1, 1)), Some(&"2026"));
        assert_eq!(v.at(d(2030, 5, 1)), Some(&"2026"));
        assert_eq!(
            Versioned::new(vec![(d(2026, 1, 1), 1), (d(2026, 1, 1), 2)]),
            Err(DuplicateValidFrom(d(2026, 1, 1)))
        );
    }
}
