use chrono::{NaiveDate, NaiveDateTime};

/// Everything that can go wrong in the calendar and deadline computations.
///
/// Every variant carries enough context to fix the input from the message
/// alone (the 1-based CSV line, the offending date, the event index).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar has no holiday data for this year and is configured to
    /// refuse rather than guess (see [`super::UncoveredYears`]).
    #[error(
        "no calendar data for year {year} (needed for {date}); load that year's holidays \
         or configure the weekends-only fallback"
    )]
    YearNotCovered { year: i32, date: NaiveDate },
    /// The holiday CSV does not parse. `line` is 1-based, the header is line 1.
    #[error("holiday data, line {line}: {message}")]
    HolidayData { line: u64, message: String },
    /// A [`super::WorkingHours`] value that is empty, unsorted or overlapping.
    #[error("invalid working hours: {0}")]
    InvalidWorkingHours(String),
    /// A calendar configuration that contradicts itself or the holiday data.
    #[error("invalid calendar configuration: {0}")]
    InvalidConfig(String),
    /// The pause/resume events of a dossier are out of order or unbalanced.
    /// `index` is the 0-based position in the list given.
    #[error("invalid pause/resume events: event #{index}: {message}")]
    InvalidEvents { index: usize, message: String },
    /// Elapsed time asked for an instant before the last recorded event.
    #[error("now ({now}) is earlier than the last pause/resume event ({last})")]
    NowBeforeLastEvent {
        now: NaiveDateTime,
        last: NaiveDateTime,
    },
    /// A negative amount of working time was asked for.
    #[error("negative working time: {0}")]
    NegativeDuration(String),
    /// The computation left the range of dates chrono can represent.
    #[error("date or time out of the supported range")]
    OutOfRange,
}
