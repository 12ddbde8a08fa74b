//! Read models: the dossier as an official or an applicant sees it — its
//! state, its deadline and timeliness, and the control sheet (Phiếu kiểm
//! soát quá trình giải quyết hồ sơ, Mẫu 06), all derived from the events.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Utc};
use motcua_domain::calendar::{
    apology_deadline, classify, classify_step, to_vietnam_local, utc_to_vietnam,
    working_time_excluding, ApologyStanding, Timeliness,
};
use motcua_domain::dossier::{vietnam_date, Dossier, DossierState, PauseKind, Status, UnitId};
use motcua_domain::procedure::AgencyRef;
use serde::Serialize;

use crate::{Engine, EngineError};

#[derive(Debug, Clone, Serialize)]
pub struct DossierView {
    pub version: u64,
    /// Portal status number (1–10) and labels.
    pub status_code: u8,
    pub status_vi: &'static str,
    pub status_en: &'static str,
    pub dossier: Dossier,
    pub deadline: Option<DeadlineView>,
    /// The time limit as applied: the procedure's, or the province default
    /// when the procedure states none (then `stated` is false).
    pub limit: crate::AppliedLimit,
    /// Hạn tiếp nhận — for a dossier submitted online and not yet accepted
    /// (status 1): when it must be accepted, refused or sent back.
    pub acceptance_due: Option<DateTime<FixedOffset>>,
    /// The acceptance deadline has passed.
    pub acceptance_overdue: bool,
    pub control_sheet: Vec<ControlSheetRow>,
}

/// Hạn giải quyết — the appointment in force and how the dossier stands.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineView {
    /// The appointment in force (Vietnam time).
    pub due: DateTime<FixedOffset>,
    /// The appointment of Mẫu 01, kept for the statistics after a Mẫu 04.
    pub original_due: Option<DateTime<FixedOffset>>,
    pub new_appointment: Option<DateTime<FixedOffset>>,
    /// Early / on time / late (finished) or on track / overdue (in process),
    /// comparing dates against the original appointment.
    pub timeliness: Option<Timeliness>,
    /// Last day to issue the apology and new appointment (Mẫu 04).
    pub apology_by: Option<NaiveDate>,
    /// Where the owed apology stands (due today, overdue), when one is owed.
    pub apology: Option<ApologyStanding>,
    /// The limit extension applied (its condition as the catalogue words it).
    pub extension_vi: Option<String>,
    /// The due date's year when its days off are not yet decided by the
    /// Government (provisional data): the date is an estimate.
    pub provisional_year: Option<i32>,
}

/// One row of Mẫu 06: a step, who held it, when it was handed over, and
/// how its time compares with the step's budget.
#[derive(Debug, Clone, Serialize)]
pub struct ControlSheetRow {
    pub step: usize,
    pub kind: String,
    pub label_vi: Option<String>,
    pub role: String,
    pub agency: AgencyRef,
    pub received_at: DateTime<FixedOffset>,
    pub handed_over_at: Option<DateTime<FixedOffset>>,
    pub budget_hours: u32,
    /// Working time spent at the step (until now if still there).
    pub working_minutes: i64,
    pub timeliness: Option<Timeliness>,
    pub sent_back: bool,
}

pub(crate) fn build(
    engine: &Engine,
    state: DossierState,
    now: DateTime<Utc>,
) -> Result<DossierView, EngineError> {
    let version = state.version;
    let dossier = state.dossier.ok_or(EngineError::NoDeadline)?;
    let deadline = deadline(engine, &dossier, now)?;
    let control_sheet = control_sheet(engine, &dossier, now)?;
    let limit = engine.applied_limit(
        dossier.procedure.time_limit,
        &engine.dossier_rules(&dossier),
    );
    let acceptance = engine.acceptance_due(&dossier)?;
    Ok(DossierView {
        limit,
        acceptance_due: acceptance.map(utc_to_vietnam),
        acceptance_overdue: acceptance.is_some_and(|a| now > a),
        version,
        status_code: dossier.status.code(),
        status_vi: dossier.status.label_vi(),
        status_en: dossier.status.label_en(),
        dossier,
        deadline,
        control_sheet,
    })
}

impl Engine {
    /// The apology (Mẫu 04) a dossier owes at `now`, if any: the last day to
    /// issue it and where it stands. One rule for the dossier page, the
    /// work queue and the leader's list: owed per
    /// [`Status::owes_apology`], due per the province's lead time.
    ///
    /// A period shorter than the lead time (a same-day procedure, with a
    /// lead of 1 working day) cannot give notice before its last day: such
    /// a dossier, `received` after that day, owes its apology only once its
    /// appointment has passed, and is not flagged before.
    pub fn apology(
        &self,
        unit: &UnitId,
        status: Status,
        rescheduled: bool,
        received: DateTime<Utc>,
        due: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<(NaiveDate, ApologyStanding)> {
        let due = due.filter(|_| status.owes_apology(rescheduled))?;
        let rules = self.rules_for(unit, vietnam_date(received));
        let by = apology_deadline(
            vietnam_date(due),
            rules.policy().apology_lead_working_days,
            &rules.calendar,
        )
        .ok()?;
        if by < vietnam_date(received) {
            let standing = if now > due {
                ApologyStanding::Overdue
            } else {
                ApologyStanding::Ahead
            };
            return Some((vietnam_date(due), standing));
        }
        Some((by, ApologyStanding::of(by, vietnam_date(now))))
    }
}

/// When the dossier was finished for the statistics: the result ready.
/// The return step does not count against the deadline (domain.md §2).
fn finished(d: &Dossier) -> Option<DateTime<Utc>> {
    d.result.as_ref().map(|r| r.issued_at)
}

fn deadline(
    engine: &Engine,
    d: &Dossier,
    now: DateTime<Utc>,
) -> Result<Option<DeadlineView>, EngineError> {
    let Some(due) = d.due else { return Ok(None) };
    let judged = d.original_due.unwrap_or(due);
    let timeliness = match d.status {
        Status::Refused | Status::Withdrawn | Status::Stopped => None,
        _ => Some(classify(
            vietnam_date(judged),
            finished(d).map(vietnam_date),
            vietnam_date(now),
        )),
    };
    let rules = engine.dossier_rules(d);
    let owed = engine.apology(
        &d.competent_unit,
        d.status,
        d.new_appointment.is_some(),
        d.accepted_at.unwrap_or(d.submitted_at),
        Some(due),
        now,
    );
    // The last day is shown while the dossier is open and not rescheduled,
    // owed or not yet (a paused clock still has one).
    let apology_by = match owed {
        Some((by, _)) => Some(by),
        None if d.new_appointment.is_none() && finished(d).is_none() => apology_deadline(
            vietnam_date(due),
            rules.policy().apology_lead_working_days,
            &rules.calendar,
        )
        .ok(),
        None => None,
    };
    let year = vietnam_date(due).year();
    Ok(Some(DeadlineView {
        provisional_year: rules.calendar.is_provisional(year).then_some(year),
        due: utc_to_vietnam(due),
        original_due: d.original_due.map(utc_to_vietnam),
        new_appointment: d.new_appointment.map(utc_to_vietnam),
        timeliness,
        apology_by,
        apology: owed.map(|(_, standing)| standing),
        extension_vi: d
            .limit_extension
            .and_then(|i| d.procedure.extensions.get(i))
            .map(|e| e.condition_vi.clone()),
    }))
}

fn control_sheet(
    engine: &Engine,
    d: &Dossier,
    now: DateTime<Utc>,
) -> Result<Vec<ControlSheetRow>, EngineError> {
    // Time awaiting supplement or payment is not counted against the
    // step (Decree 118/2025/NĐ-CP; domain.md §2).
    let pauses: Vec<_> = d
        .pauses
        .iter()
        .filter(|p| matches!(p.kind, PauseKind::Supplement | PauseKind::Payment))
        .map(|p| {
            (
                to_vietnam_local(&p.from),
                to_vietnam_local(&p.until.unwrap_or(now)),
            )
        })
        .collect();
    let rules = engine.dossier_rules(d);
    d.visits
        .iter()
        .map(|v| {
            let step = d.procedure.workflow.get(v.index);
            let end = v.ended_at.unwrap_or(now);
            let spent = working_time_excluding(
                to_vietnam_local(&v.started_at),
                to_vietnam_local(&end),
                &pauses,
                &rules.calendar,
            )
            .unwrap_or(TimeDelta::zero());
            let budget_hours = step.map(|s| s.budget_hours).unwrap_or(0);
            let timeliness = (budget_hours > 0).then(|| {
                classify_step(
                    TimeDelta::hours(i64::from(budget_hours)),
                    spent,
                    v.ended_at.is_some(),
                )
            });
            Ok(ControlSheetRow {
                step: v.index,
                kind: v.kind.as_str().to_string(),
                label_vi: step.and_then(|s| s.label_vi.clone()),
                role: step
                    .map(|s| s.role.as_str().to_string())
                    .unwrap_or_default(),
                agency: v.agency.clone(),
                received_at: utc_to_vietnam(v.started_at),
                handed_over_at: v.ended_at.map(utc_to_vietnam),
                budget_hours,
                working_minutes: spent.num_minutes(),
                timeliness,
                sent_back: v.sent_back,
            })
        })
        .collect()
}
