//! Trạng thái hồ sơ — dossier statuses, numbered as the National Public
//! Service Portal synchronises them, and their reporting groups.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Trạng thái hồ sơ — the status vocabulary of the national portal.
/// [`Status::code`] is the portal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 1 — Mới đăng ký: submitted (online, or at the counter while being
    /// checked), not yet accepted.
    Submitted,
    /// 2 — Được tiếp nhận: accepted complete (Mẫu 01 issued); the deadline
    /// runs from here. Not yet taken up by the processing agency.
    Accepted,
    /// 3 — Không được tiếp nhận: refused at receipt (Mẫu 03). Final.
    Refused,
    /// 4 — Đang xử lý: processing (transfer, assign, appraise, review, sign,
    /// clerical, external legs).
    Processing,
    /// 5 — Yêu cầu bổ sung: awaiting supplement (Mẫu 02). Paused.
    AwaitingSupplement,
    /// 6 — Chờ thực hiện nghĩa vụ tài chính: awaiting payment. Paused.
    AwaitingPayment,
    /// 7 — Rút hồ sơ / dừng theo đề nghị: withdrawn at the applicant's
    /// request (Mẫu 05 stop notice). Final.
    Withdrawn,
    /// 8 — Dừng xử lý: processing stopped by the competent agency (resumable).
    Stopped,
    /// 9 — Đã có kết quả: result ready at the Center.
    ResultReady,
    /// 10 — Đã trả kết quả: result returned. Final (only a rating may follow).
    ResultReturned,
}

/// Nhóm báo cáo — the reporting groups of domain.md §2: statuses 1–3 are
/// "not received" (not yet received into processing: pending, accepted at
/// the counter but not taken up, refused), 4 processing, 5/6/8 paused,
/// 7/9/10 finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportingGroup {
    NotReceived,
    Processing,
    Paused,
    Finished,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::Accepted,
        Status::Refused,
        Status::Processing,
        Status::AwaitingSupplement,
        Status::AwaitingPayment,
        Status::Withdrawn,
        Status::Stopped,
        Status::ResultReady,
        Status::ResultReturned,
    ];

    /// The national portal number (1–10).
    pub fn code(self) -> u8 {
        match self {
            Status::Submitted => 1,
            Status::Accepted => 2,
            Status::Refused => 3,
            Status::Processing => 4,
            Status::AwaitingSupplement => 5,
            Status::AwaitingPayment => 6,
            Status::Withdrawn => 7,
            Status::Stopped => 8,
            Status::ResultReady => 9,
            Status::ResultReturned => 10,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Accepted => "accepted",
            Status::Refused => "refused",
            Status::Processing => "processing",
            Status::AwaitingSupplement => "awaiting_supplement",
            Status::AwaitingPayment => "awaiting_payment",
            Status::Withdrawn => "withdrawn",
            Status::Stopped => "stopped",
            Status::ResultReady => "result_ready",
            Status::ResultReturned => "result_returned",
        }
    }

    pub fn group(self) -> ReportingGroup {
        match self {
            Status::Submitted | Status::Accepted | Status::Refused => ReportingGroup::NotReceived,
            Status::Processing => ReportingGroup::Processing,
            Status::AwaitingSupplement | Status::AwaitingPayment | Status::Stopped => {
                ReportingGroup::Paused
            }
            Status::Withdrawn | Status::ResultReady | Status::ResultReturned => {
                ReportingGroup::Finished
            }
        }
    }

    /// No status change can follow (a returned dossier may still be rated).
    /// A stop (status 8) answers the applicant's request: final too.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Refused | Status::Withdrawn | Status::Stopped | Status::ResultReturned
        )
    }

    /// Time in these statuses is not counted against the unit: awaiting the
    /// applicant's supplement or payment. (Status 8 is in the national
    /// portal's "paused" reporting group, but it is final here.)
    pub fn is_paused(self) -> bool {
        matches!(self, Status::AwaitingSupplement | Status::AwaitingPayment)
    }

    /// Quá hạn — the one rule of "overdue now" that the work queue, the
    /// dossier page and the dashboard's queue table share: the dossier is
    /// still open, its clock runs (not awaiting the applicant) and its
    /// appointment `due` has passed at `now`. (The figures count dossiers
    /// received in a period against their first appointment, by date; the
    /// dashboard says so.)
    pub fn overdue(
        self,
        due: Option<chrono::DateTime<chrono::Utc>>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> bool {
        !self.is_final() && !self.is_paused() && due.is_some_and(|due| due < now)
    }

    /// Whether a dossier in this status, `rescheduled` or not (a Mẫu 04 new
    /// appointment already set: it may be set only once), still owes the
    /// competent unit's apology when it runs late: accepted and its clock
    /// running, no result yet. The last day to issue it is
    /// [`crate::calendar::apology_deadline`]; where it stands,
    /// [`crate::calendar::ApologyStanding`]. (A notice may still be issued
    /// while the clock is paused or once a late result is ready; it is not
    /// owed then.)
    pub fn owes_apology(self, rescheduled: bool) -> bool {
        !rescheduled && matches!(self, Status::Accepted | Status::Processing)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.as_str(), self.code())
    }
}

impl Status {
    /// The Vietnamese label shown to officials and applicants.
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Submitted => "Mới đăng ký",
            Status::Accepted => "Đã tiếp nhận",
            Status::Refused => "Không được tiếp nhận",
            Status::Processing => "Đang xử lý",
            Status::AwaitingSupplement => "Chờ bổ sung",
            Status::AwaitingPayment => "Chờ thực hiện nghĩa vụ tài chính",
            Status::Withdrawn => "Đã rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::ResultReady => "Đã có kết quả",
            Status::ResultReturned => "Đã trả kết quả",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Status::Submitted => "Submitted",
            Status::Accepted => "Accepted",
            Status::Refused => "Refused",
            Status::Processing => "Processing",
            Status::AwaitingSupplement => "Awaiting supplement",
            Status::AwaitingPayment => "Awaiting payment",
            Status::Withdrawn => "Withdrawn",
            Status::Stopped => "Stopped",
            Status::ResultReady => "Result ready",
            Status::ResultReturned => "Result returned",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_and_groups() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(usize::from(s.code()), i + 1);
            assert_eq!(Status::from_code(s.code()), Some(*s));
        }
        assert_eq!(Status::from_code(0), None);
        assert_eq!(Status::from_code(11), None);
        assert_eq!(Status::Refused.group(), ReportingGroup::NotReceived);
        assert_eq!(Status::Stopped.group(), ReportingGroup::Paused);
        assert_eq!(Status::Withdrawn.group(), ReportingGroup::Finished);
        assert!(Status::AwaitingPayment.is_paused());
        assert!(!Status::ResultReady.is_final());
    }
}

#[cfg(test)]
mod overdue_tests {
    use super::Status;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn overdue_only_while_open_with_a_running_clock_after_the_appointment() {
        let due = Utc.with_ymd_and_hms(2026, 3, 5, 10, 0, 0).single();
        let before = due.expect("due") - Duration::minutes(1);
        let after = due.expect("due") + Duration::minutes(1);
        for s in Status::ALL {
            assert!(!s.overdue(due, before), "{s}: not before the appointment");
            assert!(
                !s.overdue(None, after),
                "{s}: no appointment, never overdue"
            );
            assert_eq!(
                s.overdue(due, after),
                !s.is_final() && !s.is_paused(),
                "{s} after the appointment"
            );
        }
        assert!(Status::Processing.overdue(due, after));
        assert!(
            Status::ResultReady.overdue(due, after),
            "a result not yet returned"
        );
        assert!(
            !Status::AwaitingSupplement.overdue(due, after),
            "the clock is stopped"
        );
    }
}
