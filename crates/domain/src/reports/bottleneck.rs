//! Điểm nghẽn — where dossiers jam: for each step of each procedure, the
//! working time dossiers spend there (median, p90), the share that overran
//! the step budget (quy trình nội bộ, Decree 118/2025/NĐ-CP; the control
//! sheet Mẫu 06 of Circular 03/2025/TT-VPCP records the same hand-overs),
//! and the step contributing most to lateness; plus the current queue in
//! front of each role and official.
//!
//! # Definitions
//!
//! * **Sample**: one dossier at one step (all its visits of that step
//!   summed: a step visited again after a send back is judged once against
//!   its budget). A step is sampled once the dossier has left it (no visit
//!   of it open); a visit ended by a refusal or withdrawal is left out (the
//!   step was not completed).
//! * **Working** time: working time (the [`WorkingCalendar`], pauses
//!   excluded) from the hand-over into the step to the hand-over out of it,
//!   whole minutes. The event log records hand-overs only — no "taken up"
//!   event — so the time a dossier waits in an official's queue before work
//!   starts is inside it.
//! * **Waiting** time: working time inside pauses during the step (awaiting
//!   supplement, awaiting payment, stopped): the dossier waits on the
//!   applicant or an outside decision; not counted against the unit.
//! * **Overran**: working time above the step budget (`budget_hours` × 60,
//!   compared to the minute like the control sheet). Steps with budget 0
//!   (transfers, the return step) are not classified, as on the control
//!   sheet; `overran_share` is over the budgeted samples.
//! * **Contribution to lateness**: over the dossiers finished late (date
//!   after the original appointment, as in [`super::figures`]), the sum of
//!   each step's overrun `max(0, working − budget)`; the receipt step (before
//!   the deadline starts) and the return step (not counted, domain.md §2)
//!   are excluded. The step with the largest sum is the one contributing
//!   most to lateness ([`BottleneckReport::top`]); a zero-budget step that
//!   took time contributes all of it.
//! * Quantiles come from a mergeable [`Sketch`]: exact below 2048 minutes
//!   (≈ 34 working hours), otherwise at most 1/1024 below the true
//!   nearest-rank value.
//!
//! Rows are kept per (unit performing the step, procedure, step, month of
//! receipt) and merge by `+` like the figures' rollups; external
//! (liên thông) steps are kept under the competent unit.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::ops::{Add, AddAssign, Neg, Sub};

use super::facts::finished_at;
use super::period::Month;
use super::sketch::Sketch;
use crate::calendar::{to_vietnam_local, CalendarError, WorkingCalendar};
use crate::dossier::{
    apply, vietnam_date, Dossier, DossierCode, DossierState, Event, Role, Status, UnitId, UserId,
};
use crate::procedure::{AgencyRef, ProcedureCode, StepKind};

/// The key of a step rollup row.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StepKey {
    /// The unit performing the step (the competent unit for external steps).
    pub unit: UnitId,
    pub procedure: ProcedureCode,
    /// Index in the procedure's workflow.
    pub step: usize,
    pub kind: StepKind,
    /// The dossier's month of receipt.
    pub month: Month,
}

impl StepKey {
    fn sort_key(&self) -> (&UnitId, &ProcedureCode, usize, &'static str, Month) {
        (
            &self.unit,
            &self.procedure,
            self.step,
            self.kind.as_str(),
            self.month,
        )
    }
}

impl PartialOrd for StepKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for StepKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

/// The mergeable statistics of a step (signed counts, like
/// [`super::Rollup`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRollup {
    /// Samples (dossiers that completed the step).
    pub dossiers: i64,
    /// Of which at a step with a budget > 0.
    pub budgeted: i64,
    /// Of which over budget.
    pub overran: i64,
    /// Σ budget, minutes.
    pub budget_minutes: i64,
    /// Σ working time, minutes.
    pub working_minutes: i64,
    /// Σ waiting (paused) time, minutes.
    pub waiting_minutes: i64,
    /// Σ max(0, working − budget), minutes.
    pub overrun_minutes: i64,
    /// Samples of dossiers finished late (receipt and return steps excluded).
    pub late_dossiers: i64,
    /// Σ overrun over the dossiers finished late: the contribution to
    /// lateness.
    pub late_overrun_minutes: i64,
    pub working: Sketch,
    pub waiting: Sketch,
}

macro_rules! step_scalars {
    ($m:ident) => {
        $m!(
            dossiers,
            budgeted,
            overran,
            budget_minutes,
            working_minutes,
            waiting_minutes,
            overrun_minutes,
            late_dossiers,
            late_overrun_minutes
        )
    };
}

/// How many scalar counters a [`StepRollup`] has (see
/// [`StepRollup::scalars`]).
pub const STEP_SCALARS: usize = 9;

impl StepRollup {
    /// The scalar counters in declaration order: dossiers, budgeted,
    /// overran, budget, working, waiting and overrun minutes, late dossiers,
    /// late overrun minutes (how a store lays them out in columns).
    pub fn scalars(&self) -> [i64; STEP_SCALARS] {
        macro_rules! arr {
            ($($f:ident),*) => { [$( self.$f ),*] };
        }
        step_scalars!(arr)
    }

    /// The row of [`StepRollup::scalars`] and the two sketches.
    pub fn from_parts(scalars: [i64; STEP_SCALARS], working: Sketch, waiting: Sketch) -> Self {
        let [dossiers, budgeted, overran, budget_minutes, working_minutes, waiting_minutes, overrun_minutes, late_dossiers, late_overrun_minutes] =
            scalars;
        StepRollup {
            dossiers,
            budgeted,
            overran,
            budget_minutes,
            working_minutes,
            waiting_minutes,
            overrun_minutes,
            late_dossiers,
            late_overrun_minutes,
            working,
            waiting,
        }
    }

    /// The same counters without the sketches (quantiles unknown).
    pub fn without_sketches(&self) -> StepRollup {
        StepRollup::from_parts(self.scalars(), Sketch::new(), Sketch::new())
    }

    fn combine(&mut self, o: &StepRollup, sign: i64) {
        macro_rules! add {
            ($($f:ident),*) => { $( self.$f += sign * o.$f; )* };
        }
        step_scalars!(add);
        self.working.combine(&o.working, sign);
        self.waiting.combine(&o.waiting, sign);
    }

    pub fn is_zero(&self) -> bool {
        *self == StepRollup::default()
    }

    fn of(s: &StepSample) -> StepRollup {
        let overrun = (s.working - s.budget).max(0);
        let late = s.late && s.counts_for_lateness;
        let mut working = Sketch::new();
        working.insert(u64::try_from(s.working).unwrap_or(0));
        let mut waiting = Sketch::new();
        waiting.insert(u64::try_from(s.waiting).unwrap_or(0));
        StepRollup {
            dossiers: 1,
            budgeted: i64::from(s.budget > 0),
            overran: i64::from(s.budget > 0 && s.working > s.budget),
            budget_minutes: s.budget,
            working_minutes: s.working,
            waiting_minutes: s.waiting,
            overrun_minutes: overrun,
            late_dossiers: i64::from(late),
            late_overrun_minutes: if late { overrun } else { 0 },
            working,
            waiting,
        }
    }
}

impl AddAssign<&StepRollup> for StepRollup {
    fn add_assign(&mut self, o: &StepRollup) {
        self.combine(o, 1);
    }
}
impl Add for StepRollup {
    type Output = StepRollup;
    fn add(mut self, o: StepRollup) -> StepRollup {
        self.combine(&o, 1);
        self
    }
}
impl Sub for StepRollup {
    type Output = StepRollup;
    fn sub(mut self, o: StepRollup) -> StepRollup {
        self.combine(&o, -1);
        self
    }
}
impl Neg for StepRollup {
    type Output = StepRollup;
    fn neg(self) -> StepRollup {
        StepRollup::default() - self
    }
}

/// One dossier at one step (minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
struct StepSample {
    key: StepKey,
    budget: i64,
    working: i64,
    waiting: i64,
    late: bool,
    counts_for_lateness: bool,
}

fn local_minutes(
    cal: &WorkingCalendar,
    a: DateTime<Utc>,
    b: DateTime<Utc>,
) -> Result<TimeDelta, CalendarError> {
    cal.working_time_between(to_vietnam_local(&a), to_vietnam_local(&b))
}

/// Finished after the original appointment (dates, Vietnam time).
fn finished_late(d: &Dossier) -> bool {
    match (d.original_due.or(d.due), finished_at(d)) {
        (Some(due), Some(done)) => vietnam_date(done) > vietnam_date(due),
        _ => false,
    }
}

fn samples(d: &Dossier, cal: &WorkingCalendar) -> Result<Vec<StepSample>, CalendarError> {
    let month = Month::of(vietnam_date(d.submitted_at));
    let late = finished_late(d);
    let abandoned = matches!(
        d.status,
        Status::Refused | Status::Withdrawn | Status::Stopped
    );
    let mut per_step: BTreeMap<usize, (TimeDelta, TimeDelta, bool)> = BTreeMap::new();
    for v in &d.visits {
        let entry =
            per_step
                .entry(v.index)
                .or_insert((TimeDelta::zero(), TimeDelta::zero(), false));
        let Some(end) = v.ended_at else {
            entry.2 = true;
            continue;
        };
        if abandoned && d.closed_at == Some(end) && !v.sent_back {
            entry.2 = true;
            continue;
        }
        let total = local_minutes(cal, v.started_at, end)?;
        let mut waiting = TimeDelta::zero();
        for p in &d.pauses {
            let from = p.from.max(v.started_at);
            let until = p.until.unwrap_or(end).min(end);
            if from < until {
                waiting += local_minutes(cal, from, until)?;
            }
        }
        let waiting = waiting.min(total);
        entry.0 += total - waiting;
        entry.1 += waiting;
    }
    let mut out = Vec::new();
    for (index, (working, waiting, open)) in per_step {
        let Some(step) = d.procedure.workflow.get(index) else {
            continue;
        };
        if open {
            continue;
        }
        let unit = d.unit_of(&step.agency).unwrap_or(&d.competent_unit).clone();
        out.push(StepSample {
            key: StepKey {
                unit,
                procedure: d.procedure.code.clone(),
                step: index,
                kind: step.kind,
                month,
            },
            budget: i64::from(step.budget_hours) * 60,
            working: working.num_minutes(),
            waiting: waiting.num_minutes(),
            late,
            counts_for_lateness: !matches!(step.kind, StepKind::Receive | StepKind::Return),
        });
    }
    Ok(out)
}

/// Step rollup rows: a commutative group under `+`, maintained
/// incrementally from each event or built from scratch (same contract as
/// [`super::Rollups`]). Computing a dossier's samples needs the working
/// calendar; a calendar error (e.g. a year without holiday data) leaves the
/// rows unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRollups {
    rows: BTreeMap<StepKey, StepRollup>,
}

impl StepRollups {
    pub fn new() -> Self {
        Self::default()
    }

    fn put(&mut self, samples: &[StepSample], sign: i64) {
        for s in samples {
            let row = self.rows.entry(s.key.clone()).or_default();
            row.combine(&StepRollup::of(s), sign);
            if row.is_zero() {
                self.rows.remove(&s.key);
            }
        }
    }

    /// Counts a dossier (from scratch).
    pub fn add_dossier(&mut self, d: &Dossier, cal: &WorkingCalendar) -> Result<(), CalendarError> {
        let s = samples(d, cal)?;
        self.put(&s, 1);
        Ok(())
    }

    /// Replaces a dossier's contribution `before` by `after`.
    pub fn apply(
        &mut self,
        before: Option<&Dossier>,
        after: Option<&Dossier>,
        cal: &WorkingCalendar,
    ) -> Result<(), CalendarError> {
        let b = before
            .map(|d| samples(d, cal))
            .transpose()?
            .unwrap_or_default();
        let a = after
            .map(|d| samples(d, cal))
            .transpose()?
            .unwrap_or_default();
        if a != b {
            self.put(&b, -1);
            self.put(&a, 1);
        }
        Ok(())
    }

    /// Incremental maintenance from the states before and after an event.
    pub fn apply_event(
        &mut self,
        before: &DossierState,
        after: &DossierState,
        cal: &WorkingCalendar,
    ) -> Result<(), CalendarError> {
        self.apply(before.dossier.as_ref(), after.dossier.as_ref(), cal)
    }

    /// From scratch: an event log of many dossiers (each dossier's events
    /// in `seq` order).
    pub fn from_log<'a>(
        events: impl IntoIterator<Item = &'a Event>,
        cal: &WorkingCalendar,
    ) -> Result<Self, CalendarError> {
        let mut states: HashMap<&DossierCode, DossierState> = HashMap::new();
        for e in events {
            let s = states.remove(&e.dossier).unwrap_or_default();
            states.insert(&e.dossier, apply(s, e));
        }
        let mut r = StepRollups::new();
        for s in states.values() {
            if let Some(d) = &s.dossier {
                r.add_dossier(d, cal)?;
            }
        }
        Ok(r)
    }

    pub fn rows(&self) -> impl Iterator<Item = (&StepKey, &StepRollup)> {
        self.rows.iter()
    }

    pub fn get(&self, key: &StepKey) -> Option<&StepRollup> {
        self.rows.get(key)
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds a stored row.
    pub fn insert_row(&mut self, key: StepKey, row: &StepRollup) {
        let r = self.rows.entry(key.clone()).or_default();
        r.combine(row, 1);
        if r.is_zero() {
            self.rows.remove(&key);
        }
    }

    /// The rows summed per province: each key's unit replaced by its
    /// province ([`UnitId::province`]). What a store keeps alongside the
    /// rows per unit so that a province-wide table reads one row per
    /// procedure, step and month however many units the province has.
    pub fn by_province(&self) -> StepRollups {
        let mut out = StepRollups::new();
        for (k, r) in &self.rows {
            out.insert_row(
                StepKey {
                    unit: k.unit.province(),
                    ..k.clone()
                },
                r,
            );
        }
        out
    }

    /// The rows summed over the months, keyed at month `at`, without the
    /// sketches: per unit, procedure and step, the counters a ranking of
    /// steps by their contribution to lateness needs.
    pub fn totals(&self, at: Month) -> StepRollups {
        let mut out = StepRollups::new();
        for (k, r) in &self.rows {
            out.insert_row(
                StepKey {
                    month: at,
                    ..k.clone()
                },
                &r.without_sketches(),
            );
        }
        out
    }

    fn combine(&mut self, o: &StepRollups, sign: i64) {
        for (k, r) in &o.rows {
            self.rows.entry(k.clone()).or_default().combine(r, sign);
        }
        self.rows.retain(|_, v| !v.is_zero());
    }
}

impl AddAssign<&StepRollups> for StepRollups {
    fn add_assign(&mut self, o: &StepRollups) {
        self.combine(o, 1);
    }
}
impl Add for StepRollups {
    type Output = StepRollups;
    fn add(mut self, o: StepRollups) -> StepRollups {
        self.combine(&o, 1);
        self
    }
}
impl Sub for StepRollups {
    type Output = StepRollups;
    fn sub(mut self, o: StepRollups) -> StepRollups {
        self.combine(&o, -1);
        self
    }
}
impl Neg for StepRollups {
    type Output = StepRollups;
    fn neg(self) -> StepRollups {
        StepRollups::default() - self
    }
}

/// One row of the bottleneck table (times in working minutes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepStats {
    /// The unit; None in the table across units.
    pub unit: Option<UnitId>,
    pub procedure: ProcedureCode,
    pub step: usize,
    pub kind: StepKind,
    pub dossiers: u64,
    /// Mean budget of the samples (the procedure's `budget_hours` × 60 when
    /// one version is involved).
    pub budget_minutes: Option<u64>,
    pub working_median: Option<u64>,
    pub working_p90: Option<u64>,
    pub working_mean: Option<f64>,
    pub waiting_median: Option<u64>,
    pub waiting_p90: Option<u64>,
    pub overran: u64,
    /// Over budget ÷ samples at a budgeted step.
    pub overran_share: Option<f64>,
    pub late_dossiers: u64,
    /// Contribution to lateness (minutes).
    pub late_overrun_minutes: u64,
    /// This step's share of its procedure's contribution to lateness (in
    /// the same unit, or across units).
    pub lateness_share: Option<f64>,
}

#[allow(clippy::cast_precision_loss)]
fn ratio(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n.max(0) as f64 / d as f64)
}

fn nn(x: i64) -> u64 {
    u64::try_from(x).unwrap_or(0)
}

/// Bảng điểm nghẽn — the bottleneck table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BottleneckReport {
    /// Ordered by unit, procedure, step.
    pub rows: Vec<StepStats>,
}

type GroupKey = (Option<UnitId>, ProcedureCode, usize, &'static str);

impl BottleneckReport {
    fn build(
        rollups: &StepRollups,
        filter: impl Fn(&StepKey) -> bool,
        per_unit: bool,
    ) -> BottleneckReport {
        let mut groups: BTreeMap<GroupKey, (StepKind, StepRollup)> = BTreeMap::new();
        for (k, r) in rollups.rows.iter().filter(|(k, _)| filter(k)) {
            let unit = per_unit.then(|| k.unit.clone());
            let g = groups
                .entry((unit, k.procedure.clone(), k.step, k.kind.as_str()))
                .or_insert_with(|| (k.kind, StepRollup::default()));
            g.1 += r;
        }
        let mut late_totals: BTreeMap<(Option<UnitId>, ProcedureCode), i64> = BTreeMap::new();
        for ((unit, proc, _, _), (_, r)) in &groups {
            *late_totals.entry((unit.clone(), proc.clone())).or_insert(0) += r.late_overrun_minutes;
        }
        let rows = groups
            .into_iter()
            .map(|((unit, procedure, step, _), (kind, r))| {
                let total = late_totals
                    .get(&(unit.clone(), procedure.clone()))
                    .copied()
                    .unwrap_or(0);
                StepStats {
                    budget_minutes: (r.dossiers > 0).then(|| nn(r.budget_minutes / r.dossiers)),
                    working_median: r.working.median(),
                    working_p90: r.working.p90(),
                    working_mean: ratio(r.working_minutes, r.dossiers),
                    waiting_median: r.waiting.median(),
                    waiting_p90: r.waiting.p90(),
                    dossiers: nn(r.dossiers),
                    overran: nn(r.overran),
                    overran_share: ratio(r.overran, r.budgeted),
                    late_dossiers: nn(r.late_dossiers),
                    late_overrun_minutes: nn(r.late_overrun_minutes),
                    lateness_share: ratio(r.late_overrun_minutes, total),
                    unit,
                    procedure,
                    step,
                    kind,
                }
            })
            .collect();
        BottleneckReport { rows }
    }

    /// The table per unit, over the rows passing `filter` (e.g. a period's
    /// months, a unit, a procedure).
    pub fn per_unit(rollups: &StepRollups, filter: impl Fn(&StepKey) -> bool) -> Self {
        Self::build(rollups, filter, true)
    }

    /// The table across units (province-wide).
    pub fn across_units(rollups: &StepRollups, filter: impl Fn(&StepKey) -> bool) -> Self {
        Self::build(rollups, filter, false)
    }

    /// The step contributing most to lateness in the whole table (largest
    /// late overrun; ties: first in table order). None if nothing was late
    /// because of a step overrun.
    pub fn top(&self) -> Option<&StepStats> {
        Self::max_late(self.rows.iter())
    }

    /// The step contributing most to lateness for each (unit, procedure).
    pub fn top_by_procedure(&self) -> Vec<&StepStats> {
        let mut by: BTreeMap<(Option<&UnitId>, &ProcedureCode), Vec<&StepStats>> = BTreeMap::new();
        for r in &self.rows {
            by.entry((r.unit.as_ref(), &r.procedure))
                .or_default()
                .push(r);
        }
        by.into_values()
            .filter_map(|rows| Self::max_late(rows.into_iter()))
            .collect()
    }

    /// The step contributing most to lateness for each unit (all its
    /// procedures).
    pub fn top_by_unit(&self) -> Vec<&StepStats> {
        let mut by: BTreeMap<Option<&UnitId>, Vec<&StepStats>> = BTreeMap::new();
        for r in &self.rows {
            by.entry(r.unit.as_ref()).or_default().push(r);
        }
        by.into_values()
            .filter_map(|rows| Self::max_late(rows.into_iter()))
            .collect()
    }

    fn max_late<'a>(rows: impl Iterator<Item = &'a StepStats>) -> Option<&'a StepStats> {
        let mut best: Option<&StepStats> = None;
        for r in rows {
            if r.late_overrun_minutes > 0
                && best.is_none_or(|b| r.late_overrun_minutes > b.late_overrun_minutes)
            {
                best = Some(r);
            }
        }
        best
    }
}

/// Hàng chờ — dossiers currently in front of one role (and official) at
/// one agency and step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    /// The unit holding the dossiers (None for an external agency).
    pub unit: Option<UnitId>,
    pub agency: AgencyRef,
    pub kind: StepKind,
    /// The role that must act.
    pub role: Role,
    /// The official assigned, if any.
    pub assignee: Option<UserId>,
    pub dossiers: u64,
    /// Of which paused (awaiting supplement or payment, stopped).
    pub paused: u64,
    /// Of which unfinished with the original appointment passed on `today`.
    pub overdue: u64,
}

/// The current queue: open dossiers (not refused, withdrawn or returned)
/// counted by holder unit, step, role and assignee. Paused dossiers are
/// counted (and counted again under `paused`).
pub fn queue_snapshot<'a>(
    dossiers: impl IntoIterator<Item = &'a Dossier>,
    today: NaiveDate,
) -> Vec<QueueRow> {
    type Key = (Option<UnitId>, String, &'static str, Role, Option<UserId>);
    let mut rows: BTreeMap<Key, QueueRow> = BTreeMap::new();
    for d in dossiers {
        if d.status.is_final() {
            continue;
        }
        let Some(step) = d.current_step() else {
            continue;
        };
        let unit = d.unit_of(&step.agency).cloned();
        let key = (
            unit.clone(),
            step.agency.to_string(),
            step.kind.as_str(),
            step.role,
            d.assignee.clone(),
        );
        let row = rows.entry(key).or_insert_with(|| QueueRow {
            unit,
            agency: step.agency.clone(),
            kind: step.kind,
            role: step.role,
            assignee: d.assignee.clone(),
            dossiers: 0,
            paused: 0,
            overdue: 0,
        });
        row.dossiers += 1;
        row.paused += u64::from(d.status.is_paused());
        let due = d.original_due.or(d.due).map(vietnam_date);
        if finished_at(d).is_none() && due.is_some_and(|due| today > due) {
            row.overdue += 1;
        }
    }
    rows.into_values().collect()
}
