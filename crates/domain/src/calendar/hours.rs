//! Giờ làm việc — the daily working hours of an office.

use chrono::{NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::CalendarError;

/// One working period of a day, `[start, end)` in local time, e.g. the
/// morning 07:30–11:30. In TOML/JSON: `{ start = "07:30", end = "11:30" }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkInterval {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl WorkInterval {
    /// An interval from hours and minutes. `None` when a value is not a
    /// valid time of day (ordering is checked by [`WorkingHours::new`]).
    pub fn hm(start_h: u32, start_m: u32, end_h: u32, end_m: u32) -> Option<Self> {
        Some(WorkInterval {
            start: NaiveTime::from_hms_opt(start_h, start_m, 0)?,
            end: NaiveTime::from_hms_opt(end_h, end_m, 0)?,
        })
    }

    /// The length of the interval.
    pub fn length(&self) -> TimeDelta {
        self.end - self.start
    }
}

impl fmt::Display for WorkInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}–{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

/// The working periods of a working day: sorted, non-overlapping, each
/// non-empty, at least one. Every working day of a calendar has the same
/// periods.
///
/// **(configurable per province)** — the default is the common schedule of
/// state offices, 07:30–11:30 and 13:00–17:00 = 8 hours (domain notes §2,
/// "Deadlines"). Provinces set their own (some northern provinces shift the
/// hours between summer and winter: load the applicable value).
///
/// In TOML/JSON it is the list of intervals; deserialisation validates it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<WorkInterval>", into = "Vec<WorkInterval>")]
pub struct WorkingHours {
    intervals: Vec<WorkInterval>,
}

impl WorkingHours {
    /// Validates and builds a schedule. Intervals must be given in order;
    /// touching intervals (one ends when the next starts) are allowed.
    pub fn new(intervals: Vec<WorkInterval>) -> Result<Self, CalendarError> {
        if intervals.is_empty() {
            return Err(CalendarError::InvalidWorkingHours(
                "at least one working interval is required".into(),
            ));
        }
        for (i, iv) in intervals.iter().enumerate() {
            if iv.start >= iv.end {
                return Err(CalendarError::InvalidWorkingHours(format!(
                    "interval #{} ({}) is empty or reversed: start must be before end",
                    i + 1,
                    iv
                )));
            }
            if i > 0 && intervals[i - 1].end > iv.start {
                return Err(CalendarError::InvalidWorkingHours(format!(
                    "interval #{} ({}) overlaps or precedes interval #{} ({}): intervals must be \
                     sorted and non-overlapping",
                    i + 1,
                    iv,
                    i,
                    intervals[i - 1]
                )));
            }
        }
        Ok(WorkingHours { intervals })
    }

    /// The working periods, in order.
    pub fn intervals(&self) -> &[WorkInterval] {
        &self.intervals
    }

    /// Working time in one working day (8 h by default).
    pub fn daily(&self) -> TimeDelta {
        self.intervals
            .iter()
            .fold(TimeDelta::zero(), |acc, iv| acc + iv.length())
    }

    /// Start of the first period.
    pub fn day_start(&self) -> NaiveTime {
        // Invariant: `intervals` is non-empty (checked by `new`).
        self.intervals.first().map_or(NaiveTime::MIN, |iv| iv.start)
    }

    /// End of the last period: the close of business.
    pub fn day_end(&self) -> NaiveTime {
        self.intervals.last().map_or(NaiveTime::MIN, |iv| iv.end)
    }

    /// Whether `t` is inside a working period (`start <= t < end`).
    pub fn contains(&self, t: NaiveTime) -> bool {
        self.intervals.iter().any(|iv| iv.start <= t && t < iv.end)
    }

    /// Whether `t` is inside a period or exactly at the end of one — the
    /// instants a due date/time may take (a deadline "at 11:30" or "at 17:00").
    pub fn contains_closed(&self, t: NaiveTime) -> bool {
        self.intervals.iter().any(|iv| iv.start <= t && t <= iv.end)
    }

    /// Working time of a working day inside `[from, to)`; `to = None` means
    /// the end of the day.
    pub fn work_between(&self, from: NaiveTime, to: Option<NaiveTime>) -> TimeDelta {
        self.intervals.iter().fold(TimeDelta::zero(), |acc, iv| {
            let s = iv.start.max(from);
            let e = match to {
                Some(to) => iv.end.min(to),
                None => iv.end,
            };
            if s < e {
                acc + (e - s)
            } else {
                acc
            }
        })
    }

    /// The first instant at or after `t` that is working time, on the same
    /// day; `None` if the day's working periods are over.
    pub fn next_working_time(&self, t: NaiveTime) -> Option<NaiveTime> {
        self.intervals.iter().find_map(|iv| {
            if t < iv.start {
                Some(iv.start)
            } else if t < iv.end {
                Some(t)
            } else {
                None
            }
        })
    }

    /// The earliest time of day at which `amount` of working time counted
    /// from `from` is reached, if it is reached on the same day; otherwise
    /// the working time available from `from` to the end of the day.
    ///
    /// The result lies in `(start, end]` of a period for a positive amount:
    /// a budget that runs out exactly at 11:30 is due at 11:30, not 13:00.
    pub(crate) fn advance(
        &self,
        from: NaiveTime,
        amount: TimeDelta,
    ) -> Result<NaiveTime, TimeDelta> {
        let mut remaining = amount;
        for iv in &self.intervals {
            if from >= iv.end {
                continue;
            }
            let s = iv.start.max(from);
            let available = iv.end - s;
            if remaining <= available {
                return Ok(s + remaining);
            }
            remaining -= available;
        }
        Err(amount - remaining)
    }
}

impl Default for WorkingHours {
    /// 07:30–11:30 and 13:00–17:00 (8 hours).
    fn default() -> Self {
        WorkingHours {
            intervals: vec![
                WorkInterval {
                    start: hm(7, 30),
                    end: hm(11, 30),
                },
                WorkInterval {
                    start: hm(13, 0),
                    end: hm(17, 0),
                },
            ],
        }
    }
}

const fn hm(h: u32, m: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(h, m, 0) {
        Some(t) => t,
        None => panic!("valid time"),
    }
}

impl TryFrom<Vec<WorkInterval>> for WorkingHours {
    type Error = CalendarError;
    fn try_from(intervals: Vec<WorkInterval>) -> Result<Self, Self::Error> {
        WorkingHours::new(intervals)
    }
}

impl From<WorkingHours> for Vec<WorkInterval> {
    fn from(hours: WorkingHours) -> Self {
        hours.intervals
    }
}

impl fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, iv) in self.intervals.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{iv}")?;
        }
        Ok(())
    }
}
