//! Số liệu — the figures of a unit, a procedure or a field for a period,
//! kept as mergeable monthly [`Rollup`]s.
//!
//! # Counting rule (cohort by receipt month)
//!
//! Every dossier counts in exactly one month: the Vietnam date of its
//! opening event (the date in its dossier code). Its contribution
//! ([`Rollup::of`]) is a function of its current [`DossierFacts`], so
//!
//! * an event changes a rollup by `of(after) − of(before)`, in the same
//!   month row (the month never changes): [`Rollups::apply_event`] does
//!   exactly that, and the storage layer can upsert these deltas
//!   ([`Rollups::deltas`]) in the transaction that records the event;
//! * from scratch, a rollup is the sum of `of(facts)` over the dossiers
//!   ([`Rollups::from_log`]); both paths agree (property-tested);
//! * rollups form a commutative group under `+` (counts are signed so a
//!   delta is itself a rollup): a quarter, a half or a year is the sum of
//!   its monthly rows, a province the sum of its units.
//!
//! "In process within deadline" and "overdue" depend on the day the report
//! is made, not on an event: the rollup keeps the dossiers still in process
//! by their original appointment date ([`Rollup::in_process_by_due`]), and
//! [`Rollup::figures`] splits them against `as_of`. A rollup therefore shows
//! how each month's dossiers stand *now*; the standing on a past day is
//! obtained from scratch by folding the events recorded up to that day.
//!
//! Classification follows domain.md §2 and the dossier view: dates (Vietnam
//! time) are compared with the **original appointment** (Mẫu 01, as
//! recomputed after a supplement; a Mẫu 04 new date does not count) —
//! before = early, same day = on time, after = late; the return step does
//! not count ([`super::finished_at`]). Time awaiting payment is not added
//! to the appointment (the engine records no new appointment for it).
//!
//! Each dossier gives two rows, one for its receiving unit and one for its
//! competent unit ([`Perspective`]): receipt figures belong to the Center
//! that received (boundary-free receipt, Decree 118/2025/NĐ-CP), timeliness
//! to the unit that resolves. Do not add rows of both perspectives
//! together: each dossier would count twice.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use super::facts::DossierFacts;
use super::period::Month;
use crate::calendar::{classify, Timeliness};
use crate::dossier::{Channel, DossierCode, DossierState, Event, Rating, Status, UnitId};
use crate::procedure::ProcedureCode;

/// Counts by channel (domain.md §2: 1 in person, 2 online, 3 post).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChannelCounts {
    /// Trực tiếp.
    pub in_person: i64,
    /// Trực tuyến.
    pub online: i64,
    /// Qua bưu chính công ích.
    pub post: i64,
}

impl ChannelCounts {
    pub fn total(&self) -> i64 {
        self.in_person + self.online + self.post
    }

    fn bump(&mut self, channel: Channel, n: i64) {
        match channel {
            Channel::InPerson => self.in_person += n,
            Channel::Online => self.online += n,
            Channel::Post => self.post += n,
        }
    }

    fn combine(&mut self, o: &Self, sign: i64) {
        self.in_person += sign * o.in_person;
        self.online += sign * o.online;
        self.post += sign * o.post;
    }
}

/// Counts of ratings (mức độ hài lòng).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RatingCounts {
    /// Rất hài lòng.
    pub very_satisfied: i64,
    /// Hài lòng.
    pub satisfied: i64,
    /// Không hài lòng.
    pub not_satisfied: i64,
}

impl RatingCounts {
    pub fn total(&self) -> i64 {
        self.very_satisfied + self.satisfied + self.not_satisfied
    }

    fn combine(&mut self, o: &Self, sign: i64) {
        self.very_satisfied += sign * o.very_satisfied;
        self.satisfied += sign * o.satisfied;
        self.not_satisfied += sign * o.not_satisfied;
    }
}

/// Bảng tổng hợp — the mergeable figures of a set of dossiers (one row per
/// unit, perspective, procedure and month in storage). Counts are signed so
/// that the difference of two rollups (an event's delta) is a rollup; the
/// rollup of a real set of dossiers has only non-negative counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollup {
    /// Hồ sơ đăng ký — every dossier opened (submitted online, received at
    /// the counter or by post), by channel.
    pub dossiers: ChannelCounts,
    /// Hồ sơ tiếp nhận — accepted complete (Mẫu 01), by channel.
    pub received: ChannelCounts,
    /// Chờ tiếp nhận — opened, neither accepted nor closed.
    pub pending: i64,
    /// Từ chối tiếp nhận (Mẫu 03).
    pub refused: i64,
    /// Rút hồ sơ (Mẫu 05), before or after acceptance: withdrawn (status 7)
    /// or stopped at the applicant's request (status 8).
    pub withdrawn: i64,
    /// Withdrawn after acceptance: counted with the on-time dossiers by the
    /// provincial systems (domain.md §3).
    pub withdrawn_after_acceptance: i64,
    /// Đã giải quyết trước hạn.
    pub early: i64,
    /// Đã giải quyết đúng hạn.
    pub on_time: i64,
    /// Đã giải quyết quá hạn.
    pub late: i64,
    /// Đã trả kết quả (status 10).
    pub returned: i64,
    /// Tạm dừng — now awaiting supplement or awaiting payment (statuses 5,
    /// 6), before or after acceptance.
    pub paused: i64,
    /// Đang giải quyết — accepted, not finished, not closed (paused ones
    /// included), counted by the Vietnam date of the original appointment.
    /// Zero entries are never kept.
    pub in_process_by_due: BTreeMap<NaiveDate, i64>,
    /// With an apology and new appointment (Mẫu 04).
    pub rescheduled: i64,
    /// The apologies (Mẫu 04) by the Vietnam date of the appointment they
    /// replaced, then by the date they were issued; zero entries are never
    /// kept. [`Rollup::apologies_late`] judges them against the lead time.
    #[serde(default)]
    pub apologies: BTreeMap<NaiveDate, BTreeMap<NaiveDate, i64>>,
    /// With at least one supplement request (Mẫu 02).
    pub supplement_requested: i64,
    /// Sent back at least once.
    pub sent_back: i64,
    /// Accepted in person or by post (paper dossiers to digitize).
    pub paper_received: i64,
    /// Of which digitized: a scan attached or pages digitized at receipt
    /// (Circular 01/2023/TT-VPCP).
    pub digitized: i64,
    /// Finished with an electronic result document (kết quả điện tử).
    pub electronic_result: i64,
    /// Fee-charging: at least one payment requested.
    pub fee_charging: i64,
    /// Of which paid (a payment confirmed).
    pub paid: i64,
    /// Of which paid online (a payment confirmed by the `system` actor).
    pub paid_online: i64,
    /// Đánh giá mức độ hài lòng.
    pub ratings: RatingCounts,
}

macro_rules! scalar_fields {
    ($m:ident) => {
        $m!(
            pending,
            refused,
            withdrawn,
            withdrawn_after_acceptance,
            early,
            on_time,
            late,
            returned,
            paused,
            rescheduled,
            supplement_requested,
            sent_back,
            paper_received,
            digitized,
            electronic_result,
            fee_charging,
            paid,
            paid_online
        )
    };
}

impl Rollup {
    /// The zero rollup.
    pub fn new() -> Self {
        Self::default()
    }

    /// The contribution of one dossier.
    pub fn of(f: &DossierFacts) -> Rollup {
        let mut r = Rollup::default();
        r.dossiers.bump(f.channel, 1);
        let closed = matches!(
            f.status,
            Status::Refused | Status::Withdrawn | Status::Stopped
        );
        match f.status {
            Status::Refused => r.refused = 1,
            Status::Withdrawn | Status::Stopped => {
                r.withdrawn = 1;
                r.withdrawn_after_acceptance = i64::from(f.accepted);
            }
            Status::ResultReturned => r.returned = 1,
            _ => {}
        }
        r.paused = i64::from(f.status.is_paused());
        if f.accepted {
            r.received.bump(f.channel, 1);
            if f.is_paper() {
                r.paper_received = 1;
                r.digitized = i64::from(f.is_digitized());
            }
            match (f.original_due, f.finished_on) {
                (Some(due), Some(done)) => {
                    match classify(due, Some(done), done) {
                        Timeliness::Early => r.early = 1,
                        Timeliness::OnTime => r.on_time = 1,
                        _ => r.late = 1,
                    }
                    r.electronic_result = i64::from(f.electronic_result);
                }
                (Some(due), None) if !closed => {
                    // A stopped clock has no due date: on track until it runs.
                    let key = if f.clock_paused { NaiveDate::MAX } else { due };
                    r.in_process_by_due.insert(key, 1);
                }
                _ => {}
            }
        } else if !closed {
            r.pending = 1;
        }
        if f.payment_requested {
            r.fee_charging = 1;
            r.paid = i64::from(f.paid);
            r.paid_online = i64::from(f.paid_online);
        }
        match f.rating {
            Some(Rating::VerySatisfied) => r.ratings.very_satisfied = 1,
            Some(Rating::Satisfied) => r.ratings.satisfied = 1,
            Some(Rating::NotSatisfied) => r.ratings.not_satisfied = 1,
            None => {}
        }
        r.rescheduled = i64::from(f.rescheduled);
        if let Some((issued, due)) = f.apology {
            r.apologies.entry(due).or_default().insert(issued, 1);
        }
        r.supplement_requested = i64::from(f.supplement_requested);
        r.sent_back = i64::from(f.sent_back);
        r
    }

    fn combine(&mut self, o: &Rollup, sign: i64) {
        macro_rules! add {
            ($($f:ident),*) => { $( self.$f += sign * o.$f; )* };
        }
        scalar_fields!(add);
        self.dossiers.combine(&o.dossiers, sign);
        self.received.combine(&o.received, sign);
        self.ratings.combine(&o.ratings, sign);
        for (due, n) in &o.in_process_by_due {
            let e = self.in_process_by_due.entry(*due).or_insert(0);
            *e += sign * n;
            if *e == 0 {
                self.in_process_by_due.remove(due);
            }
        }
        for (due, by_issue) in &o.apologies {
            let mine = self.apologies.entry(*due).or_default();
            for (issued, n) in by_issue {
                let e = mine.entry(*issued).or_insert(0);
                *e += sign * n;
                if *e == 0 {
                    mine.remove(issued);
                }
            }
            if mine.is_empty() {
                self.apologies.remove(due);
            }
        }
    }

    /// Apologies (Mẫu 04) issued.
    pub fn apologies_issued(&self) -> i64 {
        self.apologies.values().flat_map(|m| m.values()).sum()
    }

    /// Apologies issued after their deadline: `deadline(due)` is the last
    /// day an apology for an appointment on `due` may be issued — no later
    /// than [`crate::calendar::DeadlinePolicy::apology_lead_working_days`]
    /// working days before it (Decree 118/2025/NĐ-CP, see
    /// [`crate::calendar::apology_deadline`]); None (the calendar cannot
    /// tell) counts the apology as not late.
    pub fn apologies_late(&self, deadline: impl Fn(NaiveDate) -> Option<NaiveDate>) -> i64 {
        self.apologies
            .iter()
            .filter_map(|(due, by_issue)| {
                let last = deadline(*due)?;
                Some(
                    by_issue
                        .range(last.succ_opt()?..)
                        .map(|(_, n)| n)
                        .sum::<i64>(),
                )
            })
            .sum()
    }

    /// All counts zero.
    pub fn is_zero(&self) -> bool {
        *self == Rollup::default()
    }

    /// Dossiers finished (early + on time + late).
    pub fn finished(&self) -> i64 {
        self.early + self.on_time + self.late
    }

    /// Dossiers in process (accepted, unfinished, not closed).
    pub fn in_process(&self) -> i64 {
        self.in_process_by_due.values().sum()
    }

    /// In process with the original appointment not passed on `as_of`
    /// (domain.md §2: overdue when the due date has passed).
    pub fn in_process_on_track(&self, as_of: NaiveDate) -> i64 {
        self.in_process_by_due.range(as_of..).map(|(_, n)| n).sum()
    }

    /// In process with the original appointment passed on `as_of`.
    pub fn overdue(&self, as_of: NaiveDate) -> i64 {
        self.in_process_by_due.range(..as_of).map(|(_, n)| n).sum()
    }

    /// Đúng hạn for the progress score (Decision 766/QĐ-TTg, as the
    /// provincial systems count it, domain.md §3): finished early or on
    /// time, withdrawn after acceptance, or in process within the deadline.
    pub fn within_deadline(&self, as_of: NaiveDate) -> i64 {
        self.early
            + self.on_time
            + self.withdrawn_after_acceptance
            + self.in_process_on_track(as_of)
    }

    /// [`Self::figures`] with the apologies judged against their lead
    /// time on `calendar` (Decree 118/2025/NĐ-CP: Mẫu 04 no later than
    /// `lead_working_days` working days before the due date).
    pub fn figures_with_calendar(
        &self,
        as_of: NaiveDate,
        calendar: &crate::calendar::WorkingCalendar,
        lead_working_days: u32,
    ) -> Figures {
        let mut f = self.figures(as_of);
        f.apologies_late = Some(nn(self.apologies_late(|due| {
            crate::calendar::apology_deadline(due, lead_working_days, calendar).ok()
        })));
        f
    }

    /// The report view on `as_of` (the day the report is made).
    pub fn figures(&self, as_of: NaiveDate) -> Figures {
        let within = self.within_deadline(as_of);
        let satisfied = self.ratings.very_satisfied + self.ratings.satisfied;
        Figures {
            as_of,
            dossiers: ChannelFigures::of(&self.dossiers),
            received: ChannelFigures::of(&self.received),
            pending: nn(self.pending),
            refused: nn(self.refused),
            withdrawn: nn(self.withdrawn),
            withdrawn_after_acceptance: nn(self.withdrawn_after_acceptance),
            early: nn(self.early),
            on_time: nn(self.on_time),
            late: nn(self.late),
            finished: nn(self.finished()),
            returned: nn(self.returned),
            in_process: nn(self.in_process()),
            in_process_on_track: nn(self.in_process_on_track(as_of)),
            overdue: nn(self.overdue(as_of)),
            paused: nn(self.paused),
            within_deadline: nn(within),
            rescheduled: nn(self.rescheduled),
            apologies: nn(self.apologies_issued()),
            apologies_late: None,
            supplement_requested: nn(self.supplement_requested),
            sent_back: nn(self.sent_back),
            paper_received: nn(self.paper_received),
            digitized: nn(self.digitized),
            electronic_result: nn(self.electronic_result),
            fee_charging: nn(self.fee_charging),
            paid: nn(self.paid),
            paid_online: nn(self.paid_online),
            ratings: RatingFigures {
                very_satisfied: nn(self.ratings.very_satisfied),
                satisfied: nn(self.ratings.satisfied),
                not_satisfied: nn(self.ratings.not_satisfied),
                total: nn(self.ratings.total()),
            },
            shares: Shares {
                within_deadline: share(within, self.received.total()),
                online: share(self.received.online, self.received.total()),
                digitization: share(self.digitized, self.paper_received),
                electronic_result: share(self.electronic_result, self.finished()),
                paid_online: share(self.paid_online, self.fee_charging),
                satisfaction: share(satisfied, self.ratings.total()),
            },
        }
    }
}

fn nn(x: i64) -> u64 {
    u64::try_from(x).unwrap_or(0)
}

#[allow(clippy::cast_precision_loss)]
fn share(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num.max(0) as f64 / den as f64)
}

impl AddAssign<&Rollup> for Rollup {
    fn add_assign(&mut self, o: &Rollup) {
        self.combine(o, 1);
    }
}
impl AddAssign for Rollup {
    fn add_assign(&mut self, o: Rollup) {
        self.combine(&o, 1);
    }
}
impl SubAssign<&Rollup> for Rollup {
    fn sub_assign(&mut self, o: &Rollup) {
        self.combine(o, -1);
    }
}
impl Add for Rollup {
    type Output = Rollup;
    fn add(mut self, o: Rollup) -> Rollup {
        self += &o;
        self
    }
}
impl Sub for Rollup {
    type Output = Rollup;
    fn sub(mut self, o: Rollup) -> Rollup {
        self -= &o;
        self
    }
}
impl Neg for Rollup {
    type Output = Rollup;
    fn neg(self) -> Rollup {
        Rollup::default() - self
    }
}
impl std::iter::Sum for Rollup {
    fn sum<I: Iterator<Item = Rollup>>(iter: I) -> Rollup {
        iter.fold(Rollup::default(), Add::add)
    }
}
impl<'a> std::iter::Sum<&'a Rollup> for Rollup {
    fn sum<I: Iterator<Item = &'a Rollup>>(iter: I) -> Rollup {
        iter.fold(Rollup::default(), |mut a, r| {
            a += r;
            a
        })
    }
}

/// Counts by channel, for display.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelFigures {
    pub in_person: u64,
    pub online: u64,
    pub post: u64,
    pub total: u64,
}

impl ChannelFigures {
    fn of(c: &ChannelCounts) -> Self {
        ChannelFigures {
            in_person: nn(c.in_person),
            online: nn(c.online),
            post: nn(c.post),
            total: nn(c.total()),
        }
    }
}

/// Ratings, for display.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingFigures {
    pub very_satisfied: u64,
    pub satisfied: u64,
    pub not_satisfied: u64,
    pub total: u64,
}

/// Tỷ lệ — shares in [0, 1]; None when the denominator is zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Shares {
    /// Within the deadline ÷ received (the progress ratio of Decision 766).
    pub within_deadline: Option<f64>,
    /// Received online ÷ received.
    pub online: Option<f64>,
    /// Digitized ÷ received in person or by post.
    pub digitization: Option<f64>,
    /// With an electronic result ÷ finished.
    pub electronic_result: Option<f64>,
    /// Paid online ÷ fee-charging.
    pub paid_online: Option<f64>,
    /// (Very satisfied + satisfied) ÷ rated.
    pub satisfaction: Option<f64>,
}

/// Số liệu — the figures of a rollup on a day ([`Rollup::figures`]); see
/// the field docs of [`Rollup`] for each count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// The day the in-process dossiers are judged on.
    pub as_of: NaiveDate,
    pub dossiers: ChannelFigures,
    pub received: ChannelFigures,
    pub pending: u64,
    pub refused: u64,
    pub withdrawn: u64,
    pub withdrawn_after_acceptance: u64,
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
    pub finished: u64,
    pub returned: u64,
    pub in_process: u64,
    /// Đang giải quyết trong hạn.
    pub in_process_on_track: u64,
    /// Đang giải quyết quá hạn.
    pub overdue: u64,
    pub paused: u64,
    /// The progress numerator: early + on time + withdrawn after
    /// acceptance + in process within the deadline.
    pub within_deadline: u64,
    pub rescheduled: u64,
    /// Apologies (Mẫu 04) issued.
    #[serde(default)]
    pub apologies: u64,
    /// Of which issued after their deadline (None: not judged, no calendar
    /// given; see [`Rollup::figures_with_calendar`]).
    #[serde(default)]
    pub apologies_late: Option<u64>,
    pub supplement_requested: u64,
    pub sent_back: u64,
    pub paper_received: u64,
    pub digitized: u64,
    pub electronic_result: u64,
    pub fee_charging: u64,
    pub paid: u64,
    pub paid_online: u64,
    pub ratings: RatingFigures,
    pub shares: Shares,
}

/// Whose row: the unit that received the dossier, or the unit competent to
/// resolve it (they differ for boundary-free receipt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perspective {
    /// Đơn vị tiếp nhận.
    Receiving,
    /// Đơn vị có thẩm quyền giải quyết.
    Competent,
}

/// The key of a rollup row.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RollupKey {
    pub unit: UnitId,
    pub perspective: Perspective,
    pub procedure: ProcedureCode,
    /// The month of receipt (Vietnam time).
    pub month: Month,
}

impl RollupKey {
    /// The two rows a dossier counts in.
    pub fn for_dossier(f: &DossierFacts) -> [RollupKey; 2] {
        let month = Month::of(f.submitted_on);
        [
            RollupKey {
                unit: f.receiving_unit.clone(),
                perspective: Perspective::Receiving,
                procedure: f.procedure.clone(),
                month,
            },
            RollupKey {
                unit: f.competent_unit.clone(),
                perspective: Perspective::Competent,
                procedure: f.procedure.clone(),
                month,
            },
        ]
    }
}

/// A set of rollup rows (what the storage layer keeps): a commutative group
/// under `+`. Rows that become zero are dropped, so two equal sets of
/// dossiers give equal values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollups {
    rows: BTreeMap<RollupKey, Rollup>,
}

impl Rollups {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `sign` × a dossier's contribution.
    fn put(&mut self, f: &DossierFacts, sign: i64) {
        let r = Rollup::of(f);
        for key in RollupKey::for_dossier(f) {
            self.add_row(key, &r, sign);
        }
    }

    fn add_row(&mut self, key: RollupKey, r: &Rollup, sign: i64) {
        let row = self.rows.entry(key.clone()).or_default();
        row.combine(r, sign);
        if row.is_zero() {
            self.rows.remove(&key);
        }
    }

    /// Counts a dossier (from scratch).
    pub fn add_dossier(&mut self, f: &DossierFacts) {
        self.put(f, 1);
    }

    /// Replaces a dossier's contribution `before` by `after` (None: not
    /// counted, e.g. before its opening event).
    pub fn apply(&mut self, before: Option<&DossierFacts>, after: Option<&DossierFacts>) {
        if before == after {
            return;
        }
        if let Some(b) = before {
            self.put(b, -1);
        }
        if let Some(a) = after {
            self.put(a, 1);
        }
    }

    /// Incremental maintenance: records `event`, given the dossier's facts
    /// before it and its state after it. Returns the facts after the event,
    /// for the caller to keep for the next one.
    pub fn apply_event(
        &mut self,
        before: Option<&DossierFacts>,
        event: &Event,
        after: &DossierState,
    ) -> Option<DossierFacts> {
        let next = DossierFacts::next(before, event, after);
        self.apply(before, next.as_ref());
        next
    }

    /// The row deltas of replacing `before` by `after` (non-zero ones only):
    /// what the storage layer adds to its rows (`UPDATE … SET x = x + Δ`).
    pub fn deltas(
        before: Option<&DossierFacts>,
        after: Option<&DossierFacts>,
    ) -> Vec<(RollupKey, Rollup)> {
        let mut r = Rollups::new();
        r.apply(before, after);
        r.rows.into_iter().collect()
    }

    /// From scratch: the rollups of one dossier's events.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut r = Rollups::new();
        if let Some(f) = DossierFacts::from_events(events) {
            r.add_dossier(&f);
        }
        r
    }

    /// From scratch: the rollups of an event log of many dossiers (each
    /// dossier's events in `seq` order; dossiers may interleave).
    pub fn from_log<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut by_dossier: HashMap<&DossierCode, Vec<&Event>> = HashMap::new();
        for e in events {
            by_dossier.entry(&e.dossier).or_default().push(e);
        }
        let mut r = Rollups::new();
        for evs in by_dossier.values() {
            if let Some(f) = DossierFacts::from_events(evs.iter().copied()) {
                r.add_dossier(&f);
            }
        }
        r
    }

    /// The rows, in key order.
    pub fn rows(&self) -> impl Iterator<Item = (&RollupKey, &Rollup)> {
        self.rows.iter()
    }

    pub fn get(&self, key: &RollupKey) -> Option<&Rollup> {
        self.rows.get(key)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds a stored row (e.g. loaded from the database).
    pub fn insert_row(&mut self, key: RollupKey, row: &Rollup) {
        self.add_row(key, row, 1);
    }

    /// The sum of the rows whose key passes `filter`.
    pub fn total(&self, filter: impl Fn(&RollupKey) -> bool) -> Rollup {
        self.rows
            .iter()
            .filter(|(k, _)| filter(k))
            .map(|(_, r)| r)
            .sum()
    }

    /// Sums rows by a grouping key (None = left out): e.g. by month for a
    /// trend, by procedure, or by field with a procedure → field lookup
    /// from the catalogue.
    pub fn group_by<K: Ord>(&self, key: impl Fn(&RollupKey) -> Option<K>) -> BTreeMap<K, Rollup> {
        let mut out: BTreeMap<K, Rollup> = BTreeMap::new();
        for (k, r) in &self.rows {
            if let Some(g) = key(k) {
                *out.entry(g).or_default() += r;
            }
        }
        out
    }

    fn combine(&mut self, o: &Rollups, sign: i64) {
        for (k, r) in &o.rows {
            let row = self.rows.entry(k.clone()).or_default();
            row.combine(r, sign);
        }
        self.rows.retain(|_, v| !v.is_zero());
    }
}

impl AddAssign<&Rollups> for Rollups {
    fn add_assign(&mut self, o: &Rollups) {
        self.combine(o, 1);
    }
}
impl Add for Rollups {
    type Output = Rollups;
    fn add(mut self, o: Rollups) -> Rollups {
        self.combine(&o, 1);
        self
    }
}
impl Sub for Rollups {
    type Output = Rollups;
    fn sub(mut self, o: Rollups) -> Rollups {
        self.combine(&o, -1);
        self
    }
}
impl Neg for Rollups {
    type Output = Rollups;
    fn neg(self) -> Rollups {
        Rollups::default() - self
    }
}
