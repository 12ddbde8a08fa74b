//! Appointments: the due date and time printed on the receipt slip
//! (Mẫu 01), computed from the procedure's limit, the cut-off, the working
//! calendar and the deadline policy (Decree 118/2025/NĐ-CP; domain.md §2).

use chrono::{DateTime, Days, TimeDelta, Utc};
use motcua_domain::calendar::{due, to_vietnam_local, vietnam_local_to_utc, SupplementPolicy};
use motcua_domain::dossier::{Dossier, DossierState, PauseKind};
use motcua_domain::procedure::{ProcedureSnapshot, TimeLimit};

use crate::{Engine, EngineError};

/// Limit used when the procedure states none ("(unverified)" demo rows):
/// 15 working days, the most common commune limit. Shown in the
/// explanation so nobody mistakes it for a legal limit.
pub const UNSTATED_LIMIT_WORKING_DAYS: u32 = 15;

impl Engine {
    /// The appointment for a dossier whose complete receipt is `now`.
    pub fn appointment_for(
        &self,
        procedure: &ProcedureSnapshot,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, EngineError> {
        let received = to_vietnam_local(&now);
        let cutoff = procedure.same_day_cutoff.map(|c| c.time());
        let limit = match procedure.time_limit {
            TimeLimit::CalendarDays(n) => {
                // Calendar days end at the close of the last day; a last day
                // that is not a working day moves to the next working day
                // (Civil Code 2015, Art. 148).
                let last = received
                    .date()
                    .checked_add_days(Days::new(u64::from(n)))
                    .ok_or(EngineError::NoDeadline)?;
                let day = self.calendar.working_day_on_or_after(last)?;
                return Ok(vietnam_local_to_utc(self.calendar.end_of_day(day))?);
            }
            TimeLimit::NotStated => {
                motcua_domain::calendar::Limit::WorkingDays(UNSTATED_LIMIT_WORKING_DAYS)
            }
            other => other.to_calendar_limit().ok_or(EngineError::NoDeadline)?,
        };
        let rule = self.policy.rule(limit, cutoff);
        let due = due(received, &rule, &self.calendar)?;
        Ok(vietnam_local_to_utc(due.at)?)
    }

    pub(crate) fn appointment(
        &self,
        state: &DossierState,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, EngineError> {
        let dossier = opened(state)?;
        self.appointment_for(&dossier.procedure, now)
    }

    /// After a supplement: under the restart policy a new appointment from
    /// the time the complete supplement arrived; otherwise the appointment
    /// moves by the working time spent waiting. None before acceptance
    /// (the appointment is set when the dossier is accepted).
    pub(crate) fn appointment_after_supplement(
        &self,
        state: &DossierState,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, EngineError> {
        let dossier = opened(state)?;
        if dossier.accepted_at.is_none() {
            return Ok(None);
        }
        match self.policy.supplement {
            SupplementPolicy::Restart => Ok(Some(self.appointment(state, now)?)),
            SupplementPolicy::Continue => {
                let Some(current) = dossier.due else {
                    return Ok(None);
                };
                let since = dossier
                    .pauses
                    .iter()
                    .rev()
                    .find(|p| p.kind == PauseKind::Supplement && p.until.is_none())
                    .map(|p| p.from)
                    .unwrap_or(now);
                let waited: TimeDelta = self
                    .calendar
                    .working_time_between(to_vietnam_local(&since), to_vietnam_local(&now))?;
                let moved = self
                    .calendar
                    .add_working_time(to_vietnam_local(&current), waited)?;
                Ok(Some(vietnam_local_to_utc(moved)?))
            }
        }
    }
}

fn opened(state: &DossierState) -> Result<&Dossier, EngineError> {
    state.dossier.as_ref().ok_or(EngineError::NoDeadline)
}
