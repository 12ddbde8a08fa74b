//! Lịch làm việc — working calendar and legal deadlines.
//!
//! * [`WorkingCalendar`]: working days (weekends, public holidays and the
//!   Tết break from data, declared working Saturdays, extra days off) and
//!   exact working-time arithmetic over the daily [`WorkingHours`]
//!   (default 07:30–11:30, 13:00–17:00, configurable per province).
//!   Holidays come from CSV text parsed by [`parse_holidays`]; a year
//!   without data is an error unless [`UncoveredYears::WeekendsOnly`] is
//!   configured.
//! * [`due`]: the appointment of the receipt slip (Mẫu 01) for a
//!   [`DeadlineRule`], with a bilingual explanation. The counting rules are
//!   documented in [`deadline`](self::deadline) (working days: day of
//!   receipt not counted, due at the close of the N-th following working
//!   day — Civil Code 2015 Art. 147–148; configurable).
//! * [`effective_due`] / [`DossierClock`]: pauses (awaiting supplement or
//!   payment) and the restart-after-supplement policy.
//! * [`classify`], [`classify_step`], [`apology_deadline`].
//!
//! Legal basis: Decree 118/2025/NĐ-CP (one-stop mechanism), Circular
//! 03/2025/TT-VPCP (forms Mẫu 01–07). Pure: nothing here reads a clock or a
//! file; every time is Vietnam local time ([`time`](self::time) converts).

mod clock;
pub mod deadline;
mod error;
mod explain;
mod holidays;
mod hours;
pub mod time;
mod timeliness;
mod working;

pub use clock::{
    effective_due, shift_by_pause, working_time_excluding, ClockEvent, ClockEventKind,
    DossierClock, EffectiveDue, ElapsedTime, OpenPause, PauseInterval, PauseReason,
    SupplementPolicy,
};
pub use deadline::{
    due, AfterHoursReceipt, DeadlinePolicy, DeadlineRule, Due, Limit, WorkingDayCounting,
};
pub use error::CalendarError;
pub use explain::Step;
pub use holidays::{parse_holidays, Holiday};
pub use hours::{WorkInterval, WorkingHours};
pub use time::{
    to_vietnam_local, utc_to_vietnam, vietnam_local_to_fixed, vietnam_local_to_utc, VIETNAM_OFFSET,
    VIETNAM_UTC_OFFSET_SECONDS,
};
pub use timeliness::{apology_deadline, classify, classify_step, ApologyStanding, Timeliness};
pub use working::{CalendarConfig, DayKind, UncoveredYears, WorkingCalendar};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
