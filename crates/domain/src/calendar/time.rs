//! Vietnam local time. Vietnam uses UTC+7 all year (Indochina Time, no
//! daylight saving), so a fixed offset is exact and needs no time-zone
//! database. Every calendar computation in this module works on
//! [`NaiveDateTime`] values that are *Vietnam local time*; these helpers
//! convert at the boundary (the CLI, the server, the store keep UTC or
//! offset-carrying values).

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

use super::CalendarError;

/// The offset of Vietnam time from UTC, in seconds (+07:00).
pub const VIETNAM_UTC_OFFSET_SECONDS: i32 = 7 * 3600;

/// The fixed offset +07:00.
pub const VIETNAM_OFFSET: FixedOffset = match FixedOffset::east_opt(VIETNAM_UTC_OFFSET_SECONDS) {
    Some(offset) => offset,
    None => panic!("+07:00 is a valid offset"),
};

/// The Vietnam local wall-clock time of any instant, whatever its offset.
pub fn to_vietnam_local<Tz: TimeZone>(instant: &DateTime<Tz>) -> NaiveDateTime {
    instant.with_timezone(&VIETNAM_OFFSET).naive_local()
}

/// A UTC instant as a `+07:00` date-time.
pub fn utc_to_vietnam(instant: DateTime<Utc>) -> DateTime<FixedOffset> {
    instant.with_timezone(&VIETNAM_OFFSET)
}

/// A Vietnam local wall-clock time as a `+07:00` date-time. With a fixed
/// offset every local time exists exactly once; the only failure is leaving
/// chrono's representable range.
pub fn vietnam_local_to_fixed(
    local: NaiveDateTime,
) -> Result<DateTime<FixedOffset>, CalendarError> {
    VIETNAM_OFFSET
        .from_local_datetime(&local)
        .single()
        .ok_or(CalendarError::OutOfRange)
}

/// A Vietnam local wall-clock time as a UTC instant.
pub fn vietnam_local_to_utc(local: NaiveDateTime) -> Result<DateTime<Utc>, CalendarError> {
    Ok(vietnam_local_to_fixed(local)?.with_timezone(&Utc))
}
