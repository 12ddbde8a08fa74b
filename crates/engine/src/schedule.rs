//! Appointments: the due date and time printed on the receipt slip
//! (Mẫu 01), computed from the procedure's limit, the cut-off, the working
//! calendar and the deadline policy (Decree 118/2025/NĐ-CP; domain.md §2),
//! and moved by what the law says moves it: time awaiting payment (not
//! counted against the unit), a restart after a supplement, a legal limit
//! extension applied by the specialist.

use chrono::{DateTime, Days, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use motcua_domain::calendar::{
    due, shift_by_pause, to_vietnam_local, vietnam_local_to_utc, Limit, SupplementPolicy,
};
use motcua_domain::dossier::{vietnam_date, Dossier, DossierState, PauseKind, UnitId};
use motcua_domain::procedure::{ExtensionMode, ProcedureSnapshot, TimeLimit};
use motcua_domain::settings::Rules;

use crate::{Engine, EngineError};

/// How the limit of a procedure is applied: the limit itself, or for a
/// procedure whose catalogue entry says `"not_stated"`, the province
/// default ([`motcua_domain::calendar::DeadlinePolicy::unstated_limit_working_days`]),
/// shown as such on Mẫu 01 and the tracking page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedLimit {
    pub limit: TimeLimit,
    /// False when the procedure states no limit and the province default applies.
    pub stated: bool,
    pub text_vi: String,
    pub text_en: String,
}

impl Engine {
    /// The settings a dossier's deadline is counted with: those in force,
    /// in its competent unit's province, on the day its deadline started
    /// (postmark, acceptance, or submission before acceptance), so that a
    /// later change of the settings never moves it.
    pub fn dossier_rules(&self, d: &Dossier) -> std::sync::Arc<Rules> {
        let day = d
            .postmark
            .or_else(|| d.accepted_at.map(vietnam_date))
            .unwrap_or_else(|| vietnam_date(d.submitted_at));
        self.rules_for(&d.competent_unit, day)
    }

    /// The limit applied to `limit` under `rules` (see [`AppliedLimit`]).
    pub fn applied_limit(&self, limit: TimeLimit, rules: &Rules) -> AppliedLimit {
        match limit {
            TimeLimit::NotStated => {
                let n = rules.policy().unstated_limit_working_days;
                AppliedLimit {
                    limit: TimeLimit::WorkingDays(n),
                    stated: false,
                    text_vi: format!(
                        "Thủ tục không quy định thời hạn; áp dụng thời hạn mặc định của tỉnh: \
                         {n} ngày làm việc"
                    ),
                    text_en: format!(
                        "No time limit stated for the procedure; the province default applies: \
                         {n} working days"
                    ),
                }
            }
            l => AppliedLimit {
                limit: l,
                stated: true,
                text_vi: l.text_vi(),
                text_en: l.text_en(),
            },
        }
    }

    /// The appointment for a dossier of `unit` whose complete receipt is
    /// `now`, under the settings in force that day.
    pub fn appointment_for(
        &self,
        procedure: &ProcedureSnapshot,
        unit: &UnitId,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, EngineError> {
        let rules = self.rules_for(unit, vietnam_date(now));
        self.appointment_from(
            &rules,
            procedure,
            to_vietnam_local(&now),
            procedure.time_limit,
        )
    }

    /// The appointment under `limit` for a receipt at `received` (Vietnam
    /// local time).
    fn appointment_from(
        &self,
        rules: &Rules,
        procedure: &ProcedureSnapshot,
        received: NaiveDateTime,
        limit: TimeLimit,
    ) -> Result<DateTime<Utc>, EngineError> {
        let cutoff = procedure.same_day_cutoff.map(|c| c.time());
        let cal = &rules.calendar;
        let limit = match self.applied_limit(limit, rules).limit {
            TimeLimit::CalendarDays(n) => {
                // Calendar days end at the close of the last day; a last day
                // that is not a working day moves to the next working day
                // (Civil Code 2015, Art. 148).
                let last = received
                    .date()
                    .checked_add_days(Days::new(u64::from(n)))
                    .ok_or(EngineError::NoDeadline)?;
                let day = cal.working_day_on_or_after(last)?;
                return Ok(vietnam_local_to_utc(cal.end_of_day(day))?);
            }
            other => other.to_calendar_limit().ok_or(EngineError::NoDeadline)?,
        };
        let rule = rules.policy().rule(limit, cutoff);
        let due = due(received, &rule, cal)?;
        Ok(vietnam_local_to_utc(due.at)?)
    }

    /// Where the deadline of a dossier runs from: the postmark date of a
    /// postal dossier (day of receipt, not counted), else `now`.
    fn receipt_instant(d: &Dossier, now: DateTime<Utc>) -> NaiveDateTime {
        match d.postmark {
            Some(date) => date.and_time(NaiveTime::MIN),
            None => to_vietnam_local(&now),
        }
    }

    /// The appointment of Mẫu 01 at acceptance (`now`).
    pub(crate) fn appointment(
        &self,
        state: &DossierState,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, EngineError> {
        let d = opened(state)?;
        let receipt = Self::receipt_instant(d, now);
        let rules = self.rules_for(&d.competent_unit, receipt.date());
        self.appointment_from(&rules, &d.procedure, receipt, d.procedure.time_limit)
    }

    /// The appointment moved by the working time of the pause of `kind`
    /// open until `now` (None before acceptance or without such a pause).
    fn shifted_by_open_pause(
        &self,
        d: &Dossier,
        kind: PauseKind,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, EngineError> {
        let Some(current) = d.original_due else {
            return Ok(None);
        };
        let Some(since) = d
            .pauses
            .iter()
            .rev()
            .find(|p| p.kind == kind && p.until.is_none())
            .map(|p| p.from)
        else {
            return Ok(None);
        };
        let moved = shift_by_pause(
            to_vietnam_local(&current),
            to_vietnam_local(&since),
            to_vietnam_local(&now),
            &self.dossier_rules(d).calendar,
        )?;
        Ok(Some(vietnam_local_to_utc(moved)?))
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
        match self.dossier_rules(dossier).policy().supplement {
            SupplementPolicy::Restart => Ok(Some(self.appointment_for(
                &dossier.procedure,
                &dossier.competent_unit,
                now,
            )?)),
            SupplementPolicy::Continue => {
                self.shifted_by_open_pause(dossier, PauseKind::Supplement, now)
            }
        }
    }

    /// After payment: the appointment moves by the working time spent
    /// awaiting payment (status 6 is not counted against the unit, Decree
    /// 118/2025/NĐ-CP; domain.md §2).
    pub(crate) fn appointment_after_payment(
        &self,
        state: &DossierState,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, EngineError> {
        self.shifted_by_open_pause(opened(state)?, PauseKind::Payment, now)
    }

    /// The appointment once the procedure's extension `index` applies: an
    /// additional period is added to the appointment in force; a total
    /// period replaces the limit (the difference with the normal limit,
    /// counted from the same receipt, is added, so pauses already counted
    /// stay counted). Unknown extensions keep the appointment (the domain
    /// refuses them).
    pub(crate) fn appointment_with_extension(
        &self,
        state: &DossierState,
        index: usize,
    ) -> Result<DateTime<Utc>, EngineError> {
        let d = opened(state)?;
        let current = d.original_due.ok_or(EngineError::NoDeadline)?;
        let Some(ext) = d.procedure.extensions.get(index) else {
            return Ok(current);
        };
        let cur = to_vietnam_local(&current);
        let rules = self.dossier_rules(d);
        let cal = &rules.calendar;
        let moved = match ext.mode {
            ExtensionMode::Additional => match ext.limit {
                TimeLimit::WorkingDays(n) => cal.end_of_day(cal.add_working_days(cur.date(), n)?),
                TimeLimit::WorkingHours(h) => {
                    cal.add_working_time(cur, TimeDelta::hours(i64::from(h)))?
                }
                TimeLimit::CalendarDays(n) => {
                    let last = cur
                        .date()
                        .checked_add_days(Days::new(u64::from(n)))
                        .ok_or(EngineError::NoDeadline)?;
                    cal.end_of_day(cal.working_day_on_or_after(last)?)
                }
                TimeLimit::SameDay | TimeLimit::NotStated => cur,
            },
            ExtensionMode::Total => {
                let from = match (d.postmark, d.accepted_at) {
                    (Some(p), _) => p.and_time(NaiveTime::MIN),
                    (None, Some(a)) => to_vietnam_local(&a),
                    (None, None) => return Ok(current),
                };
                let base =
                    self.appointment_from(&rules, &d.procedure, from, d.procedure.time_limit)?;
                let extended = self.appointment_from(&rules, &d.procedure, from, ext.limit)?;
                let extra =
                    cal.working_time_between(to_vietnam_local(&base), to_vietnam_local(&extended))?;
                cal.add_working_time(cur, extra)?
            }
        };
        Ok(vietnam_local_to_utc(moved)?)
    }

    /// Hạn tiếp nhận — the deadline to accept (or refuse, or ask for a
    /// supplement to) a dossier submitted online and still in status 1:
    /// [`motcua_domain::calendar::DeadlinePolicy::online_acceptance_working_hours`]
    /// of working time from its submission.
    pub fn acceptance_due(&self, d: &Dossier) -> Result<Option<DateTime<Utc>>, EngineError> {
        use motcua_domain::dossier::{Channel, Status};
        if d.channel != Channel::Online || d.status != Status::Submitted {
            return Ok(None);
        }
        let rules = self.dossier_rules(d);
        let policy = rules.policy();
        let rule = policy.rule(
            Limit::WorkingHours(policy.online_acceptance_working_hours),
            None,
        );
        let at = due(to_vietnam_local(&d.submitted_at), &rule, &rules.calendar)?.at;
        Ok(Some(vietnam_local_to_utc(at)?))
    }
}

fn opened(state: &DossierState) -> Result<&Dossier, EngineError> {
    state.dossier.as_ref().ok_or(EngineError::NoDeadline)
}
