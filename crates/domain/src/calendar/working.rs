//! Ngày làm việc — the working calendar: which days are working days, and
//! working-time arithmetic over them.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::{parse_holidays, CalendarError, Holiday, WorkingHours};

/// What to do with a date in a year the holiday data does not cover.
///
/// Decision: the default is [`UncoveredYears::Error`]. A receipt slip
/// (Mẫu 01) is a commitment to the citizen; computing it over a year whose
/// Tết break is unknown would silently give a date up to a week early.
/// `WeekendsOnly` exists for explicit estimates (planning, demos, tests);
/// when a deadline computation uses it, its explanation says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UncoveredYears {
    /// Refuse: [`CalendarError::YearNotCovered`].
    #[default]
    Error,
    /// Assume the year has no holidays: only weekends (and configured extra
    /// days) are non-working.
    WeekendsOnly,
}

/// Configuration of a [`WorkingCalendar`], loadable from TOML/JSON; every
/// field has a default, so `{}` is a valid configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarConfig {
    /// Weekly days off. Default Saturday and Sunday (state offices work
    /// Monday–Friday). At most 6 days.
    pub weekend: Vec<Weekday>,
    /// Daily working periods **(configurable per province)**, default
    /// 07:30–11:30 and 13:00–17:00.
    pub working_hours: WorkingHours,
    /// Days declared working days although they fall on a weekend (make-up
    /// Saturdays announced by the government or the province).
    pub extra_working_days: Vec<NaiveDate>,
    /// Additional days off (e.g. a provincial day off) besides the data.
    pub extra_days_off: Vec<NaiveDate>,
    /// Treat the substitute working days named in the holiday data ("Day
    /// off (substituted from …)") as working days. Default `true`.
    pub apply_substitute_working_days: bool,
    /// Years without holiday data. Default: error.
    pub uncovered_years: UncoveredYears,
    /// From this year on the holiday data is provisional (rule-based, not a
    /// government decision); deadlines reaching such a year say so in their
    /// explanation. Default: none (the server config sets it, e.g. 2027 for
    /// the bundled data, whose PROVENANCE marks 2027+ as provisional).
    pub provisional_from: Option<i32>,
    /// Years at or after `provisional_from` whose days off the province has
    /// since entered from the Government's decision: no longer provisional.
    pub confirmed_years: Vec<i32>,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        CalendarConfig {
            weekend: vec![Weekday::Sat, Weekday::Sun],
            working_hours: WorkingHours::default(),
            extra_working_days: Vec::new(),
            extra_days_off: Vec::new(),
            apply_substitute_working_days: true,
            uncovered_years: UncoveredYears::Error,
            provisional_from: None,
            confirmed_years: Vec::new(),
        }
    }
}

/// Why a day is, or is not, a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind<'a> {
    /// An ordinary working day.
    Working,
    /// A weekend day declared a working day (configured, or the substitute
    /// of a swapped holiday in the data).
    DeclaredWorkingDay,
    /// A weekly day off.
    Weekend,
    /// A public holiday (or swapped day off) from the data.
    Holiday(&'a Holiday),
    /// A day off from the configuration.
    ExtraDayOff,
}

impl DayKind<'_> {
    pub fn is_working(&self) -> bool {
        matches!(self, DayKind::Working | DayKind::DeclaredWorkingDay)
    }
}

/// A working calendar: holidays, weekly days off, declared working days and
/// the daily working hours. Immutable once built; cheap to share.
///
/// Legal basis: working days exclude weekends and public holidays including
/// the Tết break and the swaps the government sets each year (Labour Code
/// 2019 Art. 112 and the Government's yearly notice of days off and swapped
/// days for civil servants);
/// time limits of procedures are in working days and the one-stop process of
/// Decree 118/2025/NĐ-CP counts them on this calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    weekend: [bool; 7],
    hours: WorkingHours,
    holidays: BTreeMap<NaiveDate, Holiday>,
    declared_working: BTreeSet<NaiveDate>,
    extra_off: BTreeSet<NaiveDate>,
    covered: BTreeSet<i32>,
    uncovered: UncoveredYears,
    provisional_from: Option<i32>,
    confirmed: BTreeSet<i32>,
}

impl WorkingCalendar {
    /// Builds a calendar from parsed holidays and a configuration. The
    /// covered years are the years that have at least one holiday row.
    ///
    /// Contradictions are errors: a date both declared working and a day
    /// off, a declared working day on a holiday, a week without working days.
    pub fn new(holidays: Vec<Holiday>, config: CalendarConfig) -> Result<Self, CalendarError> {
        let mut weekend = [false; 7];
        for d in &config.weekend {
            weekend[d.num_days_from_monday() as usize] = true;
        }
        if weekend.iter().all(|w| *w) {
            return Err(CalendarError::InvalidConfig(
                "the weekend covers all seven days: no day would ever be a working day".into(),
            ));
        }
        let mut map = BTreeMap::new();
        let mut covered = BTreeSet::new();
        for h in holidays {
            covered.insert(h.date.year());
            if let Some(prev) = map.insert(h.date, h) {
                return Err(CalendarError::InvalidConfig(format!(
                    "holiday {} listed twice",
                    prev.date
                )));
            }
        }
        let extra_off: BTreeSet<NaiveDate> = config.extra_days_off.iter().copied().collect();
        let mut declared_working = BTreeSet::new();
        for d in &config.extra_working_days {
            if let Some(h) = map.get(d) {
                return Err(CalendarError::InvalidConfig(format!(
                    "{d} is declared a working day but is the holiday {:?}",
                    h.name
                )));
            }
            declared_working.insert(*d);
        }
        if config.apply_substitute_working_days {
            for h in map.values() {
                if let Some(d) = h.substitute_working_day {
                    if let Some(other) = map.get(&d) {
                        return Err(CalendarError::InvalidConfig(format!(
                            "{d} is the substitute working day of {} but is itself the holiday {:?}",
                            h.date, other.name
                        )));
                    }
                    declared_working.insert(d);
                }
            }
        }
        if let Some(d) = declared_working.intersection(&extra_off).next() {
            return Err(CalendarError::InvalidConfig(format!(
                "{d} is both a declared working day and an extra day off"
            )));
        }
        Ok(WorkingCalendar {
            weekend,
            hours: config.working_hours,
            holidays: map,
            declared_working,
            extra_off,
            covered,
            uncovered: config.uncovered_years,
            provisional_from: config.provisional_from,
            confirmed: config.confirmed_years.iter().copied().collect(),
        })
    }

    /// Parses the holiday CSV (see [`parse_holidays`]) and builds the calendar.
    pub fn from_csv(csv_text: &str, config: CalendarConfig) -> Result<Self, CalendarError> {
        Self::new(parse_holidays(csv_text)?, config)
    }

    /// The daily working periods.
    pub fn working_hours(&self) -> &WorkingHours {
        &self.hours
    }

    /// Years with holiday data, ascending.
    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.covered.iter().copied()
    }

    /// Whether the holiday data covers `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.covered.contains(&year)
    }

    /// Whether `year` is computed on provisional data or on the
    /// weekends-only fallback — a deadline in it is an estimate.
    pub fn is_provisional(&self, year: i32) -> bool {
        !self.covers(year)
            || (self.provisional_from.is_some_and(|from| year >= from)
                && !self.confirmed.contains(&year))
    }

    /// The holiday on `date`, if any.
    pub fn holiday(&self, date: NaiveDate) -> Option<&Holiday> {
        self.holidays.get(&date)
    }

    /// Whether `day` is a weekly day off (ignoring holidays and declarations).
    pub fn is_weekend(&self, day: Weekday) -> bool {
        self.weekend[day.num_days_from_monday() as usize]
    }

    /// Why `date` is or is not a working day. Errors for a year without
    /// data unless the weekends-only fallback is configured.
    pub fn day_kind(&self, date: NaiveDate) -> Result<DayKind<'_>, CalendarError> {
        if !self.covers(date.year()) && self.uncovered == UncoveredYears::Error {
            return Err(CalendarError::YearNotCovered {
                year: date.year(),
                date,
            });
        }
        Ok(if self.declared_working.contains(&date) {
            DayKind::DeclaredWorkingDay
        } else if let Some(h) = self.holidays.get(&date) {
            DayKind::Holiday(h)
        } else if self.extra_off.contains(&date) {
            DayKind::ExtraDayOff
        } else if self.is_weekend(date.weekday()) {
            DayKind::Weekend
        } else {
            DayKind::Working
        })
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.day_kind(date)?.is_working())
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut d = succ(date)?;
        while !self.is_working_day(d)? {
            d = succ(d)?;
        }
        Ok(d)
    }

    /// `date` if it is a working day, else the next one.
    pub fn working_day_on_or_after(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        if self.is_working_day(date)? {
            Ok(date)
        } else {
            self.next_working_day(date)
        }
    }

    /// The last working day strictly before `date`.
    pub fn previous_working_day(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut d = pred(date)?;
        while !self.is_working_day(d)? {
            d = pred(d)?;
        }
        Ok(d)
    }

    /// The `n`-th working day strictly after `date` (`date` itself is not
    /// counted, whether or not it is a working day); `n = 0` gives `date`.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        for _ in 0..n {
            d = self.next_working_day(d)?;
        }
        Ok(d)
    }

    /// The `n`-th working day strictly before `date`; `n = 0` gives `date`.
    pub fn sub_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        for _ in 0..n {
            d = self.previous_working_day(d)?;
        }
        Ok(d)
    }

    /// The number of working days `d` with `a < d <= b` (negative when
    /// `b < a`), so that `working_days_between(a, add_working_days(a, n)) == n`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        if b < a {
            return Ok(-self.working_days_between(b, a)?);
        }
        let mut count = 0;
        let mut d = a;
        while d < b {
            d = succ(d)?;
            if self.is_working_day(d)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Start of the first working period of `date` (whatever the day is).
    pub fn start_of_day(&self, date: NaiveDate) -> NaiveDateTime {
        date.and_time(self.hours.day_start())
    }

    /// Close of business of `date` (end of its last working period).
    pub fn end_of_day(&self, date: NaiveDate) -> NaiveDateTime {
        date.and_time(self.hours.day_end())
    }

    /// Whether `t` is working time (a working day, inside a period).
    pub fn is_working_time(&self, t: NaiveDateTime) -> Result<bool, CalendarError> {
        Ok(self.is_working_day(t.date())? && self.hours.contains(t.time()))
    }

    /// `t` if it is working time, else the start of the next working period
    /// (after lunch, the next morning, after a weekend or holiday).
    pub fn next_working_instant(&self, t: NaiveDateTime) -> Result<NaiveDateTime, CalendarError> {
        if self.is_working_day(t.date())? {
            if let Some(time) = self.hours.next_working_time(t.time()) {
                return Ok(t.date().and_time(time));
            }
        }
        Ok(self.start_of_day(self.next_working_day(t.date())?))
    }

    /// Working time inside `[a, b)`; zero when `b <= a`. Exact to the
    /// nanosecond: lunch breaks, nights, weekends and holidays count zero.
    pub fn working_time_between(
        &self,
        a: NaiveDateTime,
        b: NaiveDateTime,
    ) -> Result<TimeDelta, CalendarError> {
        if b <= a {
            return Ok(TimeDelta::zero());
        }
        let mut total = TimeDelta::zero();
        let mut d = a.date();
        loop {
            if self.is_working_day(d)? {
                let from = if d == a.date() {
                    a.time()
                } else {
                    NaiveTime::MIN
                };
                let to = if d == b.date() { Some(b.time()) } else { None };
                total += self.hours.work_between(from, to);
            }
            if d >= b.date() {
                break;
            }
            d = succ(d)?;
        }
        Ok(total)
    }

    /// The earliest instant `s >= t` with `working_time_between(t, s) ==
    /// amount`. For a positive amount `s` is working time or the end of a
    /// working period (a budget running out at lunch is due at 11:30, not at
    /// 13:00); a zero amount gives `t` itself. This makes the operation
    /// additive: `add(t, a + b) == add(add(t, a), b)`.
    pub fn add_working_time(
        &self,
        t: NaiveDateTime,
        amount: TimeDelta,
    ) -> Result<NaiveDateTime, CalendarError> {
        if amount < TimeDelta::zero() {
            return Err(CalendarError::NegativeDuration(format!(
                "cannot add {amount} of working time"
            )));
        }
        if amount.is_zero() {
            return Ok(t);
        }
        let mut remaining = amount;
        let mut d = t.date();
        let mut from = t.time();
        loop {
            if self.is_working_day(d)? {
                match self.hours.advance(from, remaining) {
                    Ok(time) => return Ok(d.and_time(time)),
                    Err(used) => remaining -= used,
                }
            }
            d = succ(d)?;
            from = NaiveTime::MIN;
        }
    }
}

fn succ(d: NaiveDate) -> Result<NaiveDate, CalendarError> {
    d.succ_opt().ok_or(CalendarError::OutOfRange)
}

fn pred(d: NaiveDate) -> Result<NaiveDate, CalendarError> {
    d.pred_opt().ok_or(CalendarError::OutOfRange)
}
