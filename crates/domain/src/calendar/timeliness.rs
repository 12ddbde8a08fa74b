//! Đúng hạn / trễ hạn — classification of dossiers and steps, and the
//! deadline of the apology letter.

use chrono::{NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use super::{CalendarError, WorkingCalendar};

/// Timeliness of a dossier or a step, as the control sheet (Mẫu 06,
/// Circular 03/2025/TT-VPCP) and the progress score of the service index
/// record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Finished before the due date (trước hạn).
    Early,
    /// Finished on the due date (đúng hạn).
    OnTime,
    /// Finished after the due date (trễ hạn / quá hạn).
    Late,
    /// Not finished, due date not passed (đang xử lý trong hạn).
    InProgressOnTrack,
    /// Not finished, due date passed (đang xử lý quá hạn).
    Overdue,
}

impl Timeliness {
    /// Counts as "on time" for the progress score: early, on time, or still
    /// within the deadline.
    pub fn is_within_deadline(self) -> bool {
        matches!(
            self,
            Timeliness::Early | Timeliness::OnTime | Timeliness::InProgressOnTrack
        )
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Timeliness::Early => "Trước hạn",
            Timeliness::OnTime => "Đúng hạn",
            Timeliness::Late => "Trễ hạn",
            Timeliness::InProgressOnTrack => "Đang xử lý trong hạn",
            Timeliness::Overdue => "Đang xử lý quá hạn",
        }
    }
}

/// Classifies by **dates** (domain notes §2, "Deadlines"): finished before
/// the due date = early, on it = on time, after it = late; unfinished with
/// the due date passed (`today > due`) = overdue, else on track.
pub fn classify(due: NaiveDate, finished: Option<NaiveDate>, today: NaiveDate) -> Timeliness {
    match finished {
        Some(done) if done < due => Timeliness::Early,
        Some(done) if done == due => Timeliness::OnTime,
        Some(_) => Timeliness::Late,
        None if today > due => Timeliness::Overdue,
        None => Timeliness::InProgressOnTrack,
    }
}

/// Classifies a step by working time: `spent` (working hours used by the
/// step, pauses excluded) against its `budget`, compared to the minute:
/// less = early, equal = on time, more = late; an unfinished step that has
/// used more than its budget is overdue.
///
/// For the date-level comparison of a step (as for a dossier), compute the
/// step's due with [`WorkingCalendar::add_working_time`] and use [`classify`].
pub fn classify_step(budget: TimeDelta, spent: TimeDelta, finished: bool) -> Timeliness {
    let (budget, spent) = (budget.num_minutes(), spent.num_minutes());
    match (finished, spent.cmp(&budget)) {
        (true, std::cmp::Ordering::Less) => Timeliness::Early,
        (true, std::cmp::Ordering::Equal) => Timeliness::OnTime,
        (true, std::cmp::Ordering::Greater) => Timeliness::Late,
        (false, std::cmp::Ordering::Greater) => Timeliness::Overdue,
        (false, _) => Timeliness::InProgressOnTrack,
    }
}

/// The last day on which the apology and new appointment (Mẫu 04) may be
/// issued for a dossier expected to be late: `lead_working_days` working
/// days before the due date (Decree 118/2025/NĐ-CP as restated by the
/// provincial regulations: "chậm nhất 01 ngày làm việc trước ngày hết hạn";
/// the lead is **(configurable)**, default 1 — see
/// [`super::DeadlinePolicy::apology_lead_working_days`]). A lead of 0 gives
/// the due date itself.
pub fn apology_deadline(
    due: NaiveDate,
    lead_working_days: u32,
    calendar: &WorkingCalendar,
) -> Result<NaiveDate, CalendarError> {
    calendar.sub_working_days(due, lead_working_days)
}

/// Where a dossier that owes an apology stands against the last day to
/// issue Mẫu 04 ([`apology_deadline`]): the work queue flags
/// [`ApologyStanding::DueToday`] and [`ApologyStanding::Overdue`], and the
/// competent unit's leader sees them in their queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApologyStanding {
    /// The last day to issue it is still ahead.
    Ahead,
    /// Today is the last day to issue it.
    DueToday,
    /// The last day has passed and no notice was issued.
    Overdue,
}

impl ApologyStanding {
    /// Compares the last day `by` with `today` (Vietnam dates).
    pub fn of(by: NaiveDate, today: NaiveDate) -> Self {
        match today.cmp(&by) {
            std::cmp::Ordering::Less => ApologyStanding::Ahead,
            std::cmp::Ordering::Equal => ApologyStanding::DueToday,
            std::cmp::Ordering::Greater => ApologyStanding::Overdue,
        }
    }

    /// Flagged in the work queue: the notice must go out today or is late.
    pub fn is_flagged(self) -> bool {
        !matches!(self, ApologyStanding::Ahead)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ApologyStanding::Ahead => "Chưa đến hạn xin lỗi",
            ApologyStanding::DueToday => "Hôm nay là hạn gửi thư xin lỗi (Mẫu 04)",
            ApologyStanding::Overdue => "Quá hạn gửi thư xin lỗi (Mẫu 04)",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ApologyStanding::Ahead => "Apology not yet due",
            ApologyStanding::DueToday => "Apology (form 04) due today",
            ApologyStanding::Overdue => "Apology (form 04) overdue",
        }
    }
}
