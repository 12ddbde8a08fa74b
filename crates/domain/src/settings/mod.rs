//! Cấu hình cấp tỉnh — what a province may change without a rebuild: its
//! working hours, the days off of a year the Government has decided (next
//! year's Tết), the deadline policies and the index of Decision 766,
//! versioned by the day each version takes effect.
//!
//! A [`SettingsDocument`] is one whole version: the configuration in force
//! from its `valid_from` until the next version's. The province
//! administrator adopts a version (page, API or `motcua config import`) as
//! an event of the stream (`province_settings`, province code) of the log
//! ([`crate::log`]); [`SettingsBook`] replays that stream into the versions,
//! and every computation asks it for the version in force on its own date
//! (the receipt day for a due date, the first day of a report period for
//! the index), so that a later change never rewrites an earlier deadline.
//!
//! Holidays: the shipped data (`vn_holidays_2024_2030.csv`) is confirmed
//! through a year and provisional after it (rule-based, not yet decided by
//! the Government). A version's `holiday_years` replace the shipped days
//! off of each year they name and make that year confirmed.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{
    CalendarConfig, CalendarError, DeadlinePolicy, Holiday, WorkingCalendar, WorkingHours,
};
use crate::reports::{IndexConfig, IndexConfigError, IndexConfigSpec};

#[cfg(test)]
mod tests;

/// The stream kind of a province's settings in the log.
pub const STREAM_KIND: &str = "province_settings";
/// The event type of an adopted version.
pub const ADOPTED: &str = "settings_adopted";

/// One version of a province's configuration, as exported and imported
/// (JSON). Every field but `valid_from` has the shipped default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsDocument {
    /// The first day this version applies to.
    pub valid_from: NaiveDate,
    /// Daily working periods, default 07:30–11:30 and 13:00–17:00.
    #[serde(default)]
    pub working_hours: WorkingHours,
    /// Counting rules and lead times (see [`DeadlinePolicy`]).
    #[serde(default)]
    pub deadline: DeadlinePolicy,
    /// The days off of a year as the Government decided them (a row per
    /// day, like the shipped CSV): replaces the shipped rows of that year.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub holiday_years: BTreeMap<i32, Vec<Holiday>>,
    /// Weekend days declared working days (make-up Saturdays).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_working_days: Vec<NaiveDate>,
    /// Provincial days off besides the national ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_days_off: Vec<NaiveDate>,
    /// The index of Decision 766 from `valid_from` on (its
    /// `effective_from` must be `valid_from`); absent: the shipped
    /// configuration in force on the period's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index766: Option<IndexConfigSpec>,
}

impl SettingsDocument {
    /// The shipped configuration, in force from `valid_from`.
    pub fn shipped(valid_from: NaiveDate) -> Self {
        SettingsDocument {
            valid_from,
            working_hours: WorkingHours::default(),
            deadline: DeadlinePolicy::default(),
            holiday_years: BTreeMap::new(),
            extra_working_days: Vec::new(),
            extra_days_off: Vec::new(),
            index766: None,
        }
    }
}

/// Why a version is refused. Codes are stable and machine-readable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingsError {
    #[error("settings document: {0}")]
    Parse(String),
    #[error("calendar: {0}")]
    Calendar(#[from] CalendarError),
    #[error("holiday {date} is listed under year {year}")]
    HolidayOutsideYear { year: i32, date: NaiveDate },
    #[error("year {0}: a year's list of days off cannot be empty")]
    EmptyHolidayYear(i32),
    #[error("deadline.{field} = {value}: {why}")]
    Policy {
        field: &'static str,
        value: u32,
        why: &'static str,
    },
    #[error("index766: {0}")]
    Index(#[from] IndexConfigError),
    #[error("index766.effective_from {found} must be the version's valid_from {expected}")]
    IndexDate {
        expected: NaiveDate,
        found: NaiveDate,
    },
    #[error("valid_from {valid_from} is before {today}: a version takes effect today or later")]
    InThePast {
        valid_from: NaiveDate,
        today: NaiveDate,
    },
    #[error("a reason of at most 500 characters is required")]
    Reason,
}

impl SettingsError {
    pub fn code(&self) -> &'static str {
        match self {
            SettingsError::Parse(_) => "settings_parse",
            SettingsError::Calendar(_) => "settings_calendar",
            SettingsError::HolidayOutsideYear { .. } => "holiday_outside_year",
            SettingsError::EmptyHolidayYear(_) => "empty_holiday_year",
            SettingsError::Policy { .. } => "settings_policy",
            SettingsError::Index(e) => e.code(),
            SettingsError::IndexDate { .. } => "index_effective_from",
            SettingsError::InThePast { .. } => "settings_in_the_past",
            SettingsError::Reason => "settings_reason",
        }
    }

    /// The message for a Vietnamese page.
    pub fn message_vi(&self) -> String {
        match self {
            SettingsError::Parse(e) => format!("Tệp cấu hình không đọc được: {e}"),
            SettingsError::Calendar(e) => format!("Lịch làm việc không hợp lệ: {e}"),
            SettingsError::HolidayOutsideYear { year, date } => {
                format!("Ngày nghỉ {date} không thuộc năm {year}.")
            }
            SettingsError::EmptyHolidayYear(y) => {
                format!("Danh sách ngày nghỉ năm {y} không được để trống.")
            }
            SettingsError::Policy { field, value, why } => {
                format!("Giá trị {field} = {value} không hợp lệ ({why}).")
            }
            SettingsError::Index(e) => format!("Cấu hình Chỉ số 766 không hợp lệ: {e}"),
            SettingsError::IndexDate { expected, .. } => format!(
                "Ngày áp dụng của cấu hình Chỉ số 766 phải là ngày hiệu lực của phiên bản ({}).",
                expected.format("%d/%m/%Y")
            ),
            SettingsError::InThePast { today, .. } => format!(
                "Ngày hiệu lực phải từ hôm nay ({}) trở đi: cấu hình đã áp dụng cho ngày đã qua không được sửa.",
                today.format("%d/%m/%Y")
            ),
            SettingsError::Reason => "Cần ghi lý do thay đổi (tối đa 500 ký tự).".into(),
        }
    }
}

/// The shipped holiday data and how far it is confirmed.
#[derive(Debug, Clone)]
pub struct ShippedCalendar {
    pub holidays: Vec<Holiday>,
    /// The last year whose days off the Government has decided; later
    /// years are provisional until a version confirms them.
    pub confirmed_through: i32,
    /// The first day of the shipped data (the shipped version's `valid_from`).
    pub from: NaiveDate,
}

/// A validated version, ready to compute with.
#[derive(Debug, Clone)]
pub struct Rules {
    pub document: SettingsDocument,
    pub calendar: WorkingCalendar,
    pub index: Option<IndexConfig>,
}

impl Rules {
    pub fn policy(&self) -> &DeadlinePolicy {
        &self.document.deadline
    }

    pub fn valid_from(&self) -> NaiveDate {
        self.document.valid_from
    }

    /// Rules from a calendar and a policy made outside the settings (tests
    /// and benchmarks), in force from the beginning of time.
    pub fn from_parts(calendar: WorkingCalendar, policy: DeadlinePolicy) -> Rules {
        let mut document = SettingsDocument::shipped(NaiveDate::MIN);
        document.working_hours = calendar.working_hours().clone();
        document.deadline = policy;
        Rules {
            document,
            calendar,
            index: None,
        }
    }

    /// Checks `doc` and builds its calendar over `shipped`.
    pub fn build(doc: SettingsDocument, shipped: &ShippedCalendar) -> Result<Rules, SettingsError> {
        for (year, days) in &doc.holiday_years {
            if days.is_empty() {
                return Err(SettingsError::EmptyHolidayYear(*year));
            }
            if let Some(h) = days.iter().find(|h| h.date.year() != *year) {
                return Err(SettingsError::HolidayOutsideYear {
                    year: *year,
                    date: h.date,
                });
            }
        }
        let p = &doc.deadline;
        let limits: [(&'static str, u32, u32, u32); 3] = [
            (
                "apology_lead_working_days",
                p.apology_lead_working_days,
                0,
                10,
            ),
            (
                "unstated_limit_working_days",
                p.unstated_limit_working_days,
                1,
                90,
            ),
            (
                "online_acceptance_working_hours",
                p.online_acceptance_working_hours,
                1,
                80,
            ),
        ];
        for (field, value, lo, hi) in limits {
            if value < lo || value > hi {
                return Err(SettingsError::Policy {
                    field,
                    value,
                    why: match field {
                        "apology_lead_working_days" => "0–10 working days",
                        "unstated_limit_working_days" => "1–90 working days",
                        _ => "1–80 working hours",
                    },
                });
            }
        }
        let index = match &doc.index766 {
            None => None,
            Some(spec) if spec.effective_from != doc.valid_from => {
                return Err(SettingsError::IndexDate {
                    expected: doc.valid_from,
                    found: spec.effective_from,
                })
            }
            Some(spec) => Some(IndexConfig::new(spec.clone())?),
        };
        let holidays: Vec<Holiday> = shipped
            .holidays
            .iter()
            .filter(|h| !doc.holiday_years.contains_key(&h.date.year()))
            .cloned()
            .chain(doc.holiday_years.values().flatten().cloned())
            .collect();
        let config = CalendarConfig {
            working_hours: doc.working_hours.clone(),
            extra_working_days: doc.extra_working_days.clone(),
            extra_days_off: doc.extra_days_off.clone(),
            provisional_from: Some(shipped.confirmed_through + 1),
            confirmed_years: doc.holiday_years.keys().copied().collect(),
            ..CalendarConfig::default()
        };
        let calendar = WorkingCalendar::new(holidays, config)?;
        Ok(Rules {
            document: doc,
            calendar,
            index,
        })
    }
}

/// One adopted version as recorded: the document, when and by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adopted {
    pub document: SettingsDocument,
}

/// A version of the history, for the page and the API.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub seq: u64,
    pub valid_from: NaiveDate,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    pub recorded_by: String,
    pub reason: Option<String>,
    /// Replaced by a later adoption with the same `valid_from`.
    pub superseded: bool,
}

/// A province's versions: the shipped one, then every adopted one; a
/// later adoption with the same `valid_from` replaces the earlier.
#[derive(Debug, Clone)]
pub struct SettingsBook {
    versions: Vec<Arc<Rules>>,
    history: Vec<HistoryEntry>,
}

impl SettingsBook {
    /// Only the shipped version.
    pub fn shipped(shipped: &ShippedCalendar) -> Result<Self, SettingsError> {
        let base = Rules::build(SettingsDocument::shipped(shipped.from), shipped)?;
        Ok(SettingsBook {
            versions: vec![Arc::new(base)],
            history: Vec::new(),
        })
    }

    /// A book of one version made outside the log (tests, benchmarks).
    pub fn from_rules(rules: Rules) -> Self {
        SettingsBook {
            versions: vec![Arc::new(rules)],
            history: Vec::new(),
        }
    }

    /// Replays a stream's events (oldest first). An event whose document
    /// no longer validates is an error: the log is the truth and must
    /// stay readable.
    pub fn replay(
        shipped: &ShippedCalendar,
        events: &[crate::log::LogEvent],
    ) -> Result<Self, SettingsError> {
        let mut book = Self::shipped(shipped)?;
        for e in events.iter().filter(|e| e.kind == ADOPTED) {
            let adopted: Adopted = serde_json::from_value(e.payload.clone())
                .map_err(|err| SettingsError::Parse(err.to_string()))?;
            let valid_from = adopted.document.valid_from;
            book.insert(Rules::build(adopted.document, shipped)?);
            for h in book
                .history
                .iter_mut()
                .filter(|h| h.valid_from == valid_from)
            {
                h.superseded = true;
            }
            book.history.push(HistoryEntry {
                seq: e.seq,
                valid_from,
                recorded_at: e.at,
                recorded_by: e.actor.user.clone(),
                reason: e.reason.clone(),
                superseded: false,
            });
        }
        Ok(book)
    }

    fn insert(&mut self, rules: Rules) {
        let from = rules.valid_from();
        self.versions.retain(|v| v.valid_from() != from);
        let at = self.versions.partition_point(|v| v.valid_from() < from);
        self.versions.insert(at, Arc::new(rules));
    }

    /// The version in force on `date`: the latest whose `valid_from` is on
    /// or before it (the earliest for a date before every version).
    pub fn at(&self, date: NaiveDate) -> Arc<Rules> {
        let i = self.versions.partition_point(|v| v.valid_from() <= date);
        self.versions[i.saturating_sub(1)].clone()
    }

    /// Every version in force at some time, oldest first.
    pub fn versions(&self) -> &[Arc<Rules>] {
        &self.versions
    }

    /// The adoptions, oldest first.
    pub fn history(&self) -> &[HistoryEntry] {
        &self.history
    }

    /// The index configurations adopted by the province, dated by their
    /// version's `valid_from`.
    pub fn index_configs(&self) -> Vec<IndexConfig> {
        self.versions
            .iter()
            .filter_map(|v| v.index.clone())
            .collect()
    }

    /// Decides an adoption at `today`: the document validates and takes
    /// effect today or later (a version never rewrites a day already
    /// computed), and a reason is given. Returns the event payload.
    pub fn decide_adopt(
        &self,
        shipped: &ShippedCalendar,
        document: SettingsDocument,
        reason: &str,
        today: NaiveDate,
    ) -> Result<serde_json::Value, SettingsError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(SettingsError::Reason);
        }
        if document.valid_from < today {
            return Err(SettingsError::InThePast {
                valid_from: document.valid_from,
                today,
            });
        }
        let rules = Rules::build(document, shipped)?;
        serde_json::to_value(Adopted {
            document: rules.document,
        })
        .map_err(|e| SettingsError::Parse(e.to_string()))
    }
}

/// Parses a document from JSON text (import, API), with a clear error.
pub fn parse_document(text: &str) -> Result<SettingsDocument, SettingsError> {
    serde_json::from_str(text).map_err(|e| SettingsError::Parse(e.to_string()))
}
