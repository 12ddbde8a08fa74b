//! Thời hạn giải quyết — legal time limits and the appointment of the
//! receipt slip (Phiếu tiếp nhận hồ sơ và hẹn trả kết quả, Mẫu 01 of
//! Circular 03/2025/TT-VPCP, issued under Decree 118/2025/NĐ-CP).
//!
//! # The rules, precisely
//!
//! **Start of the clock.** The deadline runs from the receipt of a complete,
//! valid dossier (Decree 118/2025/NĐ-CP; the receipt time is the in-person
//! receipt, the postmark or the time the online system records it
//! complete). The working-time budget of a receipt outside working time —
//! before opening, during lunch, after closing, on a weekend or holiday —
//! starts at the next working period; which *day* counts as the day of
//! receipt is the [`AfterHoursReceipt`] policy (default: the calendar day
//! of receipt, whatever the hour). If the rule has a cut-off (e.g. 15:00 for same-day
//! civil-status procedures) and the (normalised) receipt is *after* it,
//! the dossier counts as received at the start of the next working day:
//! 15:00:00 is not after 15:00, 15:00:01 is.
//!
//! **Working days** ([`Limit::WorkingDays`]), default
//! [`WorkingDayCounting::EndOfDay`]: the day of receipt is not counted and
//! the count starts on the next working day, whatever the hour of receipt
//! (a receipt on Sunday 10:00 with 3 working days is due Wednesday 17:00;
//! one on Monday 18:30 is due Thursday 17:00) (Civil Code 2015 Art. 147(2):
//! a period in days starts the day after the day fixed); the deadline ends
//! at the close of business of the N-th working day (Art. 148(1): a period
//! in days ends at the end of its last day; working days skip weekends and
//! holidays, so the last day is always a working day). This is how time
//! limits "N ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ" are read, and
//! it never shortens the citizen's limit whatever the hour of receipt.
//! The variant [`WorkingDayCounting::SameTimeOfDay`] (N × the working day of
//! working time from the receipt instant, so 10:00 Monday + 3 days =
//! 10:00 Thursday) is what some one-stop software prints; a province that
//! uses it configures it.
//!
//! **Working hours** ([`Limit::WorkingHours`], internal step budgets of
//! 8 h a day): exact working time, counted from the receipt instant across
//! lunch breaks, nights, weekends and holidays.
//!
//! **Same day** ([`Limit::SameDay`]): the close of business of the day of
//! receipt; with a cut-off, received after it → the close of the next
//! working day (e.g. birth and marriage registration, certified copies:
//! "trường hợp nhận hồ sơ sau 15 giờ … thì trả kết quả trong ngày làm việc
//! tiếp theo").
//!
//! All times are Vietnam local time (UTC+7), see [`super::time`].

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::explain::{self, date_en, date_vi, datetime_en, datetime_vi, hours, Step};
use super::{vietnam_local_to_fixed, CalendarError, DayKind, SupplementPolicy, WorkingCalendar};

/// A time limit.
///
/// In TOML/JSON: `{ working_days = 3 }`, `{ working_hours = 4 }`, `"same_day"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// N working days (legal time limits of procedures).
    WorkingDays(u32),
    /// N working hours (internal step budgets, 8 h per working day).
    WorkingHours(u32),
    /// Within the day of receipt.
    SameDay,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::WorkingDays(n) => write!(f, "{n} working day(s)"),
            Limit::WorkingHours(n) => write!(f, "{n} working hour(s)"),
            Limit::SameDay => f.write_str("same day"),
        }
    }
}

/// How a limit in working days is turned into a date and time
/// **(configurable)**; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkingDayCounting {
    /// Day of receipt not counted; due at the close of the N-th following
    /// working day (Civil Code 2015 Art. 147–148). Default.
    #[default]
    EndOfDay,
    /// N × (working hours per day) of working time from the receipt
    /// instant: the same working-time position N working days later.
    SameTimeOfDay,
}

/// Which day counts as the day of receipt for a receipt outside working
/// hours **(configurable)**, key `after_hours_receipt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterHoursReceipt {
    /// `day_of_receipt` (default): the calendar day of receipt, whatever the
    /// hour; the period starts the next day (Civil Code 2015 Art. 147(1)) and
    /// ends at the close of its last working day (Art. 148(1)).
    #[default]
    DayOfReceipt,
    /// `next_working_morning`: a receipt outside working hours counts as
    /// received at the opening of the next working day, which is then the
    /// (uncounted) day of receipt — a provincial policy some provinces choose.
    NextWorkingMorning,
}

/// The deadline rule of a procedure (or of a step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub limit: Limit,
    /// Receipt after this time of day → counted from the next working day
    /// (a per-procedure parameter, e.g. 15:00).
    #[serde(default)]
    pub cutoff: Option<NaiveTime>,
    /// How working days are counted. Default: end of day.
    #[serde(default)]
    pub counting: WorkingDayCounting,
    /// Which day is the day of receipt for an after-hours receipt.
    #[serde(default)]
    pub after_hours: AfterHoursReceipt,
}

impl DeadlineRule {
    pub fn new(limit: Limit) -> Self {
        DeadlineRule {
            limit,
            cutoff: None,
            counting: WorkingDayCounting::default(),
            after_hours: AfterHoursReceipt::default(),
        }
    }
    pub fn working_days(n: u32) -> Self {
        Self::new(Limit::WorkingDays(n))
    }
    pub fn working_hours(n: u32) -> Self {
        Self::new(Limit::WorkingHours(n))
    }
    pub fn same_day() -> Self {
        Self::new(Limit::SameDay)
    }
    pub fn with_cutoff(mut self, cutoff: NaiveTime) -> Self {
        self.cutoff = Some(cutoff);
        self
    }
    pub fn with_counting(mut self, counting: WorkingDayCounting) -> Self {
        self.counting = counting;
        self
    }
    pub fn with_after_hours(mut self, after_hours: AfterHoursReceipt) -> Self {
        self.after_hours = after_hours;
        self
    }
}

/// Province-level deadline policy, loadable from TOML/JSON (all fields
/// default): how working days are counted, which day an after-hours receipt
/// belongs to, whether a supplement restarts the clock, the lead time of
/// the apology letter, the limit used when a procedure states none, and
/// the acceptance deadline of online dossiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlinePolicy {
    /// Default [`WorkingDayCounting::EndOfDay`].
    pub counting: WorkingDayCounting,
    /// **(configurable)** Default [`AfterHoursReceipt::DayOfReceipt`].
    pub after_hours_receipt: AfterHoursReceipt,
    /// **(configurable)** Default [`SupplementPolicy::Restart`].
    pub supplement: SupplementPolicy,
    /// **(configurable)** Working days before the due date by which the
    /// apology and new appointment (Mẫu 04) must be issued. Default 1.
    pub apology_lead_working_days: u32,
    /// **(configurable)** The limit, in working days, of a procedure whose
    /// catalogue entry says `"not_stated"`: a province default, printed as
    /// such on Mẫu 01 and the tracking page, never as a legal limit.
    /// Default 15.
    pub unstated_limit_working_days: u32,
    /// **(configurable)** Working hours within which a dossier submitted
    /// online (status 1) must be checked and accepted, refused or sent
    /// back for supplement (the receipt of electronic dossiers, Decree
    /// 45/2020/NĐ-CP; Decree 118/2025/NĐ-CP). Default 8 (one working day).
    pub online_acceptance_working_hours: u32,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            counting: WorkingDayCounting::EndOfDay,
            after_hours_receipt: AfterHoursReceipt::DayOfReceipt,
            supplement: SupplementPolicy::Restart,
            apology_lead_working_days: 1,
            unstated_limit_working_days: 15,
            online_acceptance_working_hours: 8,
        }
    }
}

impl DeadlinePolicy {
    /// A rule for a procedure's limit and cut-off, counted per this policy.
    pub fn rule(&self, limit: Limit, cutoff: Option<NaiveTime>) -> DeadlineRule {
        DeadlineRule {
            limit,
            cutoff,
            counting: self.counting,
            after_hours: self.after_hours_receipt,
        }
    }
}

/// A computed deadline: the appointment of the receipt slip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    /// The receipt time given (Vietnam local time).
    pub received: NaiveDateTime,
    /// When the clock starts: the receipt, moved to the next working period
    /// and past the cut-off when applicable.
    pub clock_start: NaiveDateTime,
    /// The due date and time (Vietnam local time).
    pub at: NaiveDateTime,
    /// Working time from `clock_start` to `at`: the unit's budget, which
    /// pauses do not consume.
    #[serde(serialize_with = "serialize_seconds", rename = "budget_seconds")]
    pub budget: TimeDelta,
    /// How the result was obtained, step by step.
    pub explanation: Vec<Step>,
}

impl Due {
    /// The due date.
    pub fn date(&self) -> NaiveDate {
        self.at.date()
    }
    /// The due date and time with its `+07:00` offset.
    pub fn at_vietnam(&self) -> Result<DateTime<FixedOffset>, CalendarError> {
        vietnam_local_to_fixed(self.at)
    }
}

pub(crate) fn serialize_seconds<S: serde::Serializer>(
    d: &TimeDelta,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_i64(d.num_seconds())
}

/// The first step of every explanation.
pub(crate) fn received_step(received: NaiveDateTime) -> Step {
    Step::new(
        format!("received {} (Vietnam time, UTC+7)", datetime_en(received)),
        format!(
            "Tiếp nhận hồ sơ lúc {} (giờ Việt Nam)",
            datetime_vi(received)
        ),
    )
}

/// The clock start of a receipt (see the module documentation), with the
/// steps explaining it.
pub(crate) fn clock_start(
    received: NaiveDateTime,
    rule: &DeadlineRule,
    cal: &WorkingCalendar,
) -> Result<(NaiveDateTime, Vec<Step>), CalendarError> {
    let mut steps = Vec::new();
    let mut start = cal.next_working_instant(received)?;
    if start != received {
        let kind = cal.day_kind(received.date())?;
        let hours = cal.working_hours();
        let (why_en, why_vi) = match kind {
            DayKind::Holiday(h) => (
                format!("on a holiday ({})", h.name),
                format!("vào ngày nghỉ lễ ({})", h.name_vi),
            ),
            DayKind::Weekend | DayKind::ExtraDayOff => (
                "on a non-working day".to_owned(),
                "vào ngày nghỉ".to_owned(),
            ),
            DayKind::Working | DayKind::DeclaredWorkingDay => {
                let t = received.time();
                if t < hours.day_start() {
                    (
                        "before office hours".to_owned(),
                        "trước giờ làm việc".to_owned(),
                    )
                } else if t >= hours.day_end() {
                    (
                        "after office hours".to_owned(),
                        "sau giờ làm việc".to_owned(),
                    )
                } else {
                    (
                        "during the midday break".to_owned(),
                        "trong giờ nghỉ trưa".to_owned(),
                    )
                }
            }
        };
        steps.push(Step::new(
            format!(
                "received {why_en}: the clock starts at the next working period, {}",
                datetime_en(start)
            ),
            format!(
                "Tiếp nhận {why_vi}: thời hạn bắt đầu từ giờ làm việc tiếp theo, {}",
                datetime_vi(start)
            ),
        ));
    }
    // The cut-off judges the hour of the receipt itself, on a working day
    // (as `receipt_day` does), never the opening a receipt out of hours was
    // moved to: otherwise a cut-off before the opening would push a weekend
    // receipt past its own due.
    if let Some(cutoff) = rule.cutoff {
        let next_day = if received.time() > cutoff && cal.is_working_day(received.date())? {
            Some(cal.start_of_day(cal.next_working_day(received.date())?))
        } else {
            None
        };
        if let Some(next_day) = next_day.filter(|&d| d > start) {
            start = next_day;
            steps.push(Step::new(
                format!(
                    "received after the {} cut-off: counted as received on the next working day, {}",
                    cutoff.format("%H:%M"),
                    datetime_en(start)
                ),
                format!(
                    "Tiếp nhận sau {}: tính như tiếp nhận vào ngày làm việc tiếp theo, {}",
                    cutoff.format("%H:%M"),
                    datetime_vi(start)
                ),
            ));
        }
    }
    Ok((start, steps))
}

/// The day of receipt under [`AfterHoursReceipt::DayOfReceipt`]: the
/// calendar day of `received` whatever the hour, or the next calendar day
/// when received on a working day after the rule's cut-off (as if received
/// that night: never later than a receipt made the next morning).
pub(crate) fn receipt_day(
    received: NaiveDateTime,
    cutoff: Option<NaiveTime>,
    cal: &WorkingCalendar,
) -> Result<NaiveDate, CalendarError> {
    let day = received.date();
    match cutoff {
        Some(c) if received.time() > c && cal.is_working_day(day)? => {
            day.succ_opt().ok_or(CalendarError::OutOfRange)
        }
        _ => Ok(day),
    }
}

/// The due date and time of a dossier received at `received` (Vietnam local
/// time) under `rule`, with a bilingual explanation. See the module
/// documentation for the exact rules.
pub fn due(
    received: NaiveDateTime,
    rule: &DeadlineRule,
    calendar: &WorkingCalendar,
) -> Result<Due, CalendarError> {
    let cal = calendar;
    let mut steps = vec![received_step(received)];
    let (start, start_steps) = clock_start(received, rule, cal)?;
    steps.extend(start_steps);

    let at = match rule.limit {
        Limit::SameDay => {
            let at = cal.end_of_day(start.date());
            steps.push(Step::new(
                format!(
                    "same-day limit: due at the close of business of the day of receipt, {}",
                    date_en(start.date())
                ),
                format!(
                    "Giải quyết trong ngày: hẹn trả vào cuối giờ làm việc của ngày tiếp nhận, {}",
                    date_vi(start.date())
                ),
            ));
            at
        }
        Limit::WorkingDays(n) => match rule.counting {
            WorkingDayCounting::EndOfDay => {
                let day = match rule.after_hours {
                    AfterHoursReceipt::DayOfReceipt if n > 0 => {
                        receipt_day(received, rule.cutoff, cal)?
                    }
                    _ => start.date(),
                };
                let last = cal.add_working_days(day, n)?;
                steps.push(Step::new(
                    format!(
                        "limit {n} working day(s): the day of receipt {} is not counted, the count \
                         starts the next working day; due at the close of the last one \
                         (Civil Code 2015 Art. 147(2), 148(1))",
                        day.format("%Y-%m-%d")
                    ),
                    format!(
                        "Thời hạn {n} ngày làm việc: không tính ngày tiếp nhận {}, bắt đầu từ ngày \
                         làm việc tiếp theo; hết hạn vào cuối giờ làm việc của ngày cuối cùng \
                         (Điều 147 khoản 2, Điều 148 khoản 1 Bộ luật Dân sự 2015)",
                        day.format("%d/%m/%Y")
                    ),
                ));
                steps.extend(explain::skipped_days(cal, day, last)?);
                if n > 0 {
                    let first = cal.next_working_day(day)?;
                    steps.push(Step::new(
                        if n == 1 {
                            format!("working day 1: {}", date_en(first))
                        } else {
                            format!(
                                "working day 1: {}; working day {n}: {}",
                                date_en(first),
                                date_en(last)
                            )
                        },
                        if n == 1 {
                            format!("Ngày làm việc thứ 1: {}", date_vi(first))
                        } else {
                            format!(
                                "Ngày làm việc thứ 1: {}; ngày làm việc thứ {n}: {}",
                                date_vi(first),
                                date_vi(last)
                            )
                        },
                    ));
                }
                cal.end_of_day(last)
            }
            WorkingDayCounting::SameTimeOfDay => {
                let daily = cal.working_hours().daily();
                let factor = i32::try_from(n).map_err(|_| CalendarError::OutOfRange)?;
                let amount = daily.checked_mul(factor).ok_or(CalendarError::OutOfRange)?;
                let at = cal.add_working_time(start, amount)?;
                steps.push(Step::new(
                    format!(
                        "limit {n} working day(s) = {} of working time ({n} × {}), counted from {}",
                        hours(amount),
                        hours(daily),
                        datetime_en(start)
                    ),
                    format!(
                        "Thời hạn {n} ngày làm việc = {} giờ làm việc ({n} × {}), tính từ {}",
                        hours(amount),
                        hours(daily),
                        datetime_vi(start)
                    ),
                ));
                steps.extend(explain::skipped_days(cal, start.date(), at.date())?);
                at
            }
        },
        Limit::WorkingHours(h) => {
            let amount = TimeDelta::try_hours(i64::from(h)).ok_or(CalendarError::OutOfRange)?;
            let at = cal.add_working_time(start, amount)?;
            steps.push(Step::new(
                format!(
                    "limit {h} working hour(s), counted from {}; working hours {}",
                    datetime_en(start),
                    cal.working_hours()
                ),
                format!(
                    "Thời hạn {h} giờ làm việc, tính từ {}; giờ làm việc {}",
                    datetime_vi(start),
                    cal.working_hours()
                ),
            ));
            steps.extend(explain::skipped_days(cal, start.date(), at.date())?);
            steps.extend(time_breakdown(cal, start, at)?);
            at
        }
    };
    steps.extend(explain::provisional_years(cal, received.date(), at.date()));
    steps.push(Step::new(
        format!(
            "due (appointment on the receipt slip, Mẫu 01): {}",
            datetime_en(at)
        ),
        format!(
            "Hẹn trả kết quả (Phiếu tiếp nhận và hẹn trả kết quả, Mẫu 01): {}",
            datetime_vi(at)
        ),
    ));
    Ok(Due {
        received,
        clock_start: start,
        at,
        budget: cal.working_time_between(start, at)?,
        explanation: steps,
    })
}

/// The working periods used between `from` and `to`, per day, when they
/// span at most five days (longer spans are summarised by the other steps).
fn time_breakdown(
    cal: &WorkingCalendar,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<Step>, CalendarError> {
    if to <= from || (to.date() - from.date()).num_days() > 5 {
        return Ok(Vec::new());
    }
    let mut parts_en = Vec::new();
    let mut parts_vi = Vec::new();
    let mut d = from.date();
    while d <= to.date() {
        if cal.is_working_day(d)? {
            let lo = if d == from.date() {
                from.time()
            } else {
                NaiveTime::MIN
            };
            let segments: Vec<String> = cal
                .working_hours()
                .intervals()
                .iter()
                .filter_map(|iv| {
                    let s = iv.start.max(lo);
                    let e = if d == to.date() {
                        iv.end.min(to.time())
                    } else {
                        iv.end
                    };
                    (s < e).then(|| format!("{}–{}", s.format("%H:%M"), e.format("%H:%M")))
                })
                .collect();
            if !segments.is_empty() {
                parts_en.push(format!("{} {}", d.format("%Y-%m-%d"), segments.join(", ")));
                parts_vi.push(format!("{} {}", d.format("%d/%m/%Y"), segments.join(", ")));
            }
        }
        d = d.succ_opt().ok_or(CalendarError::OutOfRange)?;
    }
    Ok(vec![Step::new(
        format!("working time counted: {}", parts_en.join("; ")),
        format!("Thời gian làm việc được tính: {}", parts_vi.join("; ")),
    )])
}
