//! Bilingual explanations of deadline computations (printed by
//! `motcua calendar due`, shown next to a receipt slip's appointment).

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::{CalendarError, DayKind, WorkingCalendar};

/// One human-readable step of a computation, in English and Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub en: String,
    pub vi: String,
}

impl Step {
    pub fn new(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Step {
            en: en.into(),
            vi: vi.into(),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.en, self.vi)
    }
}

pub(crate) fn weekday_en(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

pub(crate) fn weekday_vi(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Thứ Hai",
        Weekday::Tue => "Thứ Ba",
        Weekday::Wed => "Thứ Tư",
        Weekday::Thu => "Thứ Năm",
        Weekday::Fri => "Thứ Sáu",
        Weekday::Sat => "Thứ Bảy",
        Weekday::Sun => "Chủ Nhật",
    }
}

/// "Friday 2026-02-13"
pub(crate) fn date_en(d: NaiveDate) -> String {
    format!("{} {}", weekday_en(d.weekday()), d.format("%Y-%m-%d"))
}

/// "Thứ Sáu 13/02/2026"
pub(crate) fn date_vi(d: NaiveDate) -> String {
    format!("{} {}", weekday_vi(d.weekday()), d.format("%d/%m/%Y"))
}

/// "Friday 2026-02-13 10:00"
pub(crate) fn datetime_en(t: NaiveDateTime) -> String {
    format!("{} {}", date_en(t.date()), t.format("%H:%M"))
}

/// "10:00 Thứ Sáu 13/02/2026"
pub(crate) fn datetime_vi(t: NaiveDateTime) -> String {
    format!("{} {}", t.format("%H:%M"), date_vi(t.date()))
}

/// "5h30" (hours and minutes; seconds shown only when present).
pub(crate) fn hours(d: TimeDelta) -> String {
    let secs = d.num_seconds();
    let (sign, secs) = if secs < 0 { ("-", -secs) } else { ("", secs) };
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if s == 0 {
        format!("{sign}{h}h{m:02}")
    } else {
        format!("{sign}{h}h{m:02}m{s:02}s")
    }
}

/// Steps describing the non-working days strictly between `from` and `to`:
/// one step per run of consecutive non-working days that contains a holiday
/// or a configured day off, and (to keep long limits readable) one summary
/// step for ordinary weekends when there are more than three of them.
pub(crate) fn skipped_days(
    cal: &WorkingCalendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Step>, CalendarError> {
    struct Run {
        first: NaiveDate,
        last: NaiveDate,
        weekend: usize,
        extra: usize,
        names_en: Vec<String>,
        names_vi: Vec<String>,
    }
    let mut runs: Vec<Run> = Vec::new();
    let mut open: Option<Run> = None;
    let mut d = from;
    while let Some(next) = d.succ_opt() {
        d = next;
        if d >= to {
            break;
        }
        let kind = cal.day_kind(d)?;
        if kind.is_working() {
            if let Some(run) = open.take() {
                runs.push(run);
            }
            continue;
        }
        let run = open.get_or_insert_with(|| Run {
            first: d,
            last: d,
            weekend: 0,
            extra: 0,
            names_en: Vec::new(),
            names_vi: Vec::new(),
        });
        run.last = d;
        match kind {
            DayKind::Holiday(h) => {
                if !run.names_en.contains(&h.name) {
                    run.names_en.push(h.name.clone());
                }
                if !run.names_vi.contains(&h.name_vi) {
                    run.names_vi.push(h.name_vi.clone());
                }
            }
            DayKind::ExtraDayOff => run.extra += 1,
            _ => run.weekend += 1,
        }
    }
    if let Some(run) = open.take() {
        runs.push(run);
    }

    let plain_weekends = runs
        .iter()
        .filter(|r| r.names_en.is_empty() && r.extra == 0)
        .count();
    let summarize_weekends = plain_weekends > 3;
    let mut steps = Vec::new();
    for r in &runs {
        let plain = r.names_en.is_empty() && r.extra == 0;
        if plain && summarize_weekends {
            continue;
        }
        let days = (r.last - r.first).num_days() + 1;
        let span_en = if r.first == r.last {
            r.first.format("%Y-%m-%d").to_string()
        } else {
            format!(
                "{}..{}",
                r.first.format("%Y-%m-%d"),
                r.last.format("%Y-%m-%d")
            )
        };
        let span_vi = if r.first == r.last {
            r.first.format("%d/%m/%Y").to_string()
        } else {
            format!(
                "{}–{}",
                r.first.format("%d/%m/%Y"),
                r.last.format("%d/%m/%Y")
            )
        };
        let mut what_en = Vec::new();
        let mut what_vi = Vec::new();
        if !r.names_en.is_empty() {
            what_en.push(format!("holidays: {}", r.names_en.join(", ")));
            what_vi.push(format!("nghỉ lễ, Tết: {}", r.names_vi.join(", ")));
        }
        if r.weekend > 0 {
            what_en.push(format!("{} weekend day(s)", r.weekend));
            what_vi.push(format!("{} ngày nghỉ cuối tuần", r.weekend));
        }
        if r.extra > 0 {
            what_en.push(format!("{} extra day(s) off", r.extra));
            what_vi.push(format!("{} ngày nghỉ bổ sung", r.extra));
        }
        steps.push(Step::new(
            format!(
                "{span_en} skipped: {days} non-working day(s) ({})",
                what_en.join("; ")
            ),
            format!(
                "Bỏ qua {span_vi}: {days} ngày không làm việc ({})",
                what_vi.join("; ")
            ),
        ));
    }
    if summarize_weekends {
        steps.push(Step::new(
            format!("{plain_weekends} ordinary weekend(s) skipped"),
            format!("Bỏ qua {plain_weekends} kỳ nghỉ cuối tuần"),
        ));
    }
    Ok(steps)
}

/// A warning step when a year in `[from, to]` is computed on provisional
/// data or on the weekends-only fallback.
pub(crate) fn provisional_years(
    cal: &WorkingCalendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Step> {
    let mut steps = Vec::new();
    for year in from.year()..=to.year() {
        if !cal.covers(year) {
            steps.push(Step::new(
                format!("warning: no holiday data for {year}; only weekends were skipped (estimate)"),
                format!(
                    "Lưu ý: chưa có dữ liệu ngày nghỉ lễ năm {year}; chỉ trừ ngày nghỉ cuối tuần (ước tính)"
                ),
            ));
        } else if cal.is_provisional(year) {
            steps.push(Step::new(
                format!("warning: the {year} holiday data is provisional (not yet set by the Government)"),
                format!("Lưu ý: dữ liệu ngày nghỉ lễ năm {year} là tạm tính (chưa có quyết định chính thức)"),
            ));
        }
    }
    steps
}
