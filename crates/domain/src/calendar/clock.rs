//! Tạm dừng tính thời gian — the dossier clock with pauses.
//!
//! Time in *awaiting supplement* (status 5) and *awaiting payment* (status 6)
//! is not counted against the unit (Decree 118/2025/NĐ-CP; domain notes §2).
//! A pause removes exactly its working time: a deadline whose clock was
//! stopped for 2 working hours is due 2 working hours later.
//!
//! After a supplement, the clock either restarts from zero — the complete
//! supplement counts as a new receipt of a complete dossier and the whole
//! limit runs again from it, cut-off and day counting included — or simply
//! continues. **(configurable)**, default restart ([`SupplementPolicy`]).
//! Payment pauses never restart the clock.

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::deadline::{due, received_step, serialize_seconds, Due};
use super::explain::{datetime_en, datetime_vi, hours, Step};
use super::{CalendarError, DeadlineRule, WorkingCalendar};

/// Why the clock is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// Chờ bổ sung hồ sơ (status 5): a supplement was requested (Mẫu 02).
    AwaitingSupplement,
    /// Chờ thực hiện nghĩa vụ tài chính (status 6): fees or taxes due.
    AwaitingPayment,
}

impl PauseReason {
    fn en(self) -> &'static str {
        match self {
            PauseReason::AwaitingSupplement => "awaiting supplement",
            PauseReason::AwaitingPayment => "awaiting payment",
        }
    }
    fn vi(self) -> &'static str {
        match self {
            PauseReason::AwaitingSupplement => "chờ bổ sung hồ sơ",
            PauseReason::AwaitingPayment => "chờ thực hiện nghĩa vụ tài chính",
        }
    }
}

/// What happened to the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockEventKind {
    Pause(PauseReason),
    /// The clock runs again (supplement received complete, payment made).
    Resume,
}

/// One pause or resume, at a Vietnam local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClockEvent {
    pub at: NaiveDateTime,
    pub kind: ClockEventKind,
}

impl ClockEvent {
    pub fn pause(at: NaiveDateTime, reason: PauseReason) -> Self {
        ClockEvent {
            at,
            kind: ClockEventKind::Pause(reason),
        }
    }
    pub fn resume(at: NaiveDateTime) -> Self {
        ClockEvent {
            at,
            kind: ClockEventKind::Resume,
        }
    }
}

/// Whether a supplement restarts the clock **(configurable)**.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplementPolicy {
    /// The clock restarts from zero at the time the complete supplement is
    /// received (treated as a new receipt). Default.
    #[default]
    Restart,
    /// The supplement pause is an ordinary pause; time already used stays used.
    Continue,
}

/// A closed pause, as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PauseInterval {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub reason: PauseReason,
    /// Working time inside the pause after the clock start: what it removes.
    #[serde(serialize_with = "serialize_seconds", rename = "working_seconds")]
    pub working_time: TimeDelta,
}

/// A pause still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OpenPause {
    pub since: NaiveDateTime,
    pub reason: PauseReason,
}

/// The clock of a dossier after replaying its pause/resume events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierClock {
    /// The original receipt time.
    pub received: NaiveDateTime,
    /// The deadline computed from the last (re)start, ignoring pauses.
    pub base: Due,
    /// Times the clock restarted from zero (supplements, restart policy).
    pub restarts: Vec<NaiveDateTime>,
    /// Closed pauses since the last (re)start, in order.
    pub pauses: Vec<PauseInterval>,
    /// The pause in progress, if any.
    pub open_pause: Option<OpenPause>,
    /// Explanation of the pauses and restarts, in order.
    pub steps: Vec<Step>,
    /// `steps[..split]` happened up to the last restart.
    #[serde(skip)]
    split: usize,
}

/// Working time used and left at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ElapsedTime {
    /// The working-time budget of the running clock.
    #[serde(serialize_with = "serialize_seconds", rename = "budget_seconds")]
    pub budget: TimeDelta,
    /// Working time counted against the unit since the last (re)start.
    #[serde(serialize_with = "serialize_seconds", rename = "consumed_seconds")]
    pub consumed: TimeDelta,
    /// Working time inside pauses since the last (re)start (not counted).
    #[serde(serialize_with = "serialize_seconds", rename = "paused_seconds")]
    pub paused: TimeDelta,
    /// `budget - consumed`; negative once the budget is exceeded.
    #[serde(serialize_with = "serialize_seconds", rename = "remaining_seconds")]
    pub remaining: TimeDelta,
}

/// The deadline after pauses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EffectiveDue {
    /// The clock is running (or the deadline passed before the current
    /// pause began): due at `at`.
    Due {
        at: NaiveDateTime,
        explanation: Vec<Step>,
    },
    /// The clock is stopped; no due date exists until it resumes.
    Paused {
        since: NaiveDateTime,
        reason: PauseReason,
        /// Working time left when the pause began (a supplement under the
        /// restart policy will start a fresh budget instead).
        #[serde(serialize_with = "serialize_seconds", rename = "remaining_seconds")]
        remaining: TimeDelta,
        explanation: Vec<Step>,
    },
}

impl DossierClock {
    /// Replays `events` (ordered by time, not before `received`, pauses and
    /// resumes alternating) over the deadline of a dossier received at
    /// `received` under `rule`.
    pub fn replay(
        received: NaiveDateTime,
        rule: &DeadlineRule,
        calendar: &WorkingCalendar,
        policy: SupplementPolicy,
        events: &[ClockEvent],
    ) -> Result<Self, CalendarError> {
        let mut base = due(received, rule, calendar)?;
        let mut restarts = Vec::new();
        let mut pauses: Vec<PauseInterval> = Vec::new();
        let mut open: Option<OpenPause> = None;
        let mut steps = Vec::new();
        let mut split = 0;
        let mut last = received;
        for (index, ev) in events.iter().enumerate() {
            if ev.at < last {
                return Err(CalendarError::InvalidEvents {
                    index,
                    message: format!(
                        "at {} is earlier than the receipt or the previous event ({}); events \
                         must be in time order",
                        ev.at, last
                    ),
                });
            }
            last = ev.at;
            match ev.kind {
                ClockEventKind::Pause(reason) => {
                    if let Some(p) = open {
                        return Err(CalendarError::InvalidEvents {
                            index,
                            message: format!(
                                "pause at {} while already paused since {}",
                                ev.at, p.since
                            ),
                        });
                    }
                    open = Some(OpenPause {
                        since: ev.at,
                        reason,
                    });
                }
                ClockEventKind::Resume => {
                    let Some(p) = open.take() else {
                        return Err(CalendarError::InvalidEvents {
                            index,
                            message: format!("resume at {} without a pause before it", ev.at),
                        });
                    };
                    if p.reason == PauseReason::AwaitingSupplement
                        && policy == SupplementPolicy::Restart
                    {
                        base = due(ev.at, rule, calendar)?;
                        pauses.clear();
                        restarts.push(ev.at);
                        split = steps.len() + 1;
                        steps.push(Step::new(
                            format!(
                                "awaiting supplement from {}; complete supplement received {}: \
                                 the clock restarts from zero, new due {}",
                                datetime_en(p.since),
                                datetime_en(ev.at),
                                datetime_en(base.at)
                            ),
                            format!(
                                "Chờ bổ sung hồ sơ từ {}; nhận đủ hồ sơ bổ sung lúc {}: tính lại \
                                 thời hạn từ đầu, hẹn trả mới {}",
                                datetime_vi(p.since),
                                datetime_vi(ev.at),
                                datetime_vi(base.at)
                            ),
                        ));
                    } else {
                        let from = p.since.max(base.clock_start);
                        let to = ev.at.max(base.clock_start);
                        let working_time = calendar.working_time_between(from, to)?;
                        pauses.push(PauseInterval {
                            from: p.since,
                            to: ev.at,
                            reason: p.reason,
                            working_time,
                        });
                        steps.push(Step::new(
                            format!(
                                "paused ({}) {} – {}: {} of working time not counted",
                                p.reason.en(),
                                datetime_en(p.since),
                                datetime_en(ev.at),
                                hours(working_time)
                            ),
                            format!(
                                "Tạm dừng ({}) {} – {}: không tính {} giờ làm việc",
                                p.reason.vi(),
                                datetime_vi(p.since),
                                datetime_vi(ev.at),
                                hours(working_time)
                            ),
                        ));
                    }
                }
            }
        }
        Ok(DossierClock {
            received,
            base,
            restarts,
            pauses,
            open_pause: open,
            steps,
            split,
        })
    }

    /// The running segments' walk: returns `Ok(due)` if the budget runs out,
    /// or `Err(remaining)` if it is still left when the open pause began.
    fn walk(
        &self,
        cal: &WorkingCalendar,
    ) -> Result<Result<NaiveDateTime, TimeDelta>, CalendarError> {
        let mut cursor = self.base.clock_start;
        let mut remaining = self.base.budget;
        let stops = self
            .pauses
            .iter()
            .map(|p| (p.from, Some(p.to)))
            .chain(self.open_pause.map(|p| (p.since, None)));
        for (from, to) in stops {
            let from = from.max(cursor);
            let worked = cal.working_time_between(cursor, from)?;
            if worked >= remaining {
                return Ok(Ok(cal.add_working_time(cursor, remaining)?));
            }
            remaining -= worked;
            match to {
                Some(to) => cursor = to.max(cursor),
                None => return Ok(Err(remaining)),
            }
        }
        Ok(Ok(cal.add_working_time(cursor, remaining)?))
    }

    /// The effective due date and time, `None` while paused (unless the
    /// deadline had already passed when the pause began).
    pub fn due(&self, calendar: &WorkingCalendar) -> Result<Option<NaiveDateTime>, CalendarError> {
        Ok(self.walk(calendar)?.ok())
    }

    /// Working time consumed, paused and left at `now` (which must not be
    /// earlier than the last event). Before the clock start nothing is
    /// consumed.
    pub fn elapsed_at(
        &self,
        now: NaiveDateTime,
        calendar: &WorkingCalendar,
    ) -> Result<ElapsedTime, CalendarError> {
        let last_event = self
            .open_pause
            .map(|p| p.since)
            .into_iter()
            .chain(self.pauses.last().map(|p| p.to))
            .chain(self.restarts.last().copied())
            .max();
        if let Some(last) = last_event {
            if now < last {
                return Err(CalendarError::NowBeforeLastEvent { now, last });
            }
        }
        let start = self.base.clock_start;
        let total = calendar.working_time_between(start, now)?;
        let mut paused = TimeDelta::zero();
        for p in &self.pauses {
            paused += calendar.working_time_between(p.from.max(start), p.to.min(now))?;
        }
        if let Some(p) = self.open_pause {
            paused += calendar.working_time_between(p.since.max(start), now)?;
        }
        let consumed = total - paused;
        Ok(ElapsedTime {
            budget: self.base.budget,
            consumed,
            paused,
            remaining: self.base.budget - consumed,
        })
    }

    /// The effective due with its explanation (see [`effective_due`]).
    pub fn effective_due(&self, calendar: &WorkingCalendar) -> Result<EffectiveDue, CalendarError> {
        let explanation = if self.restarts.is_empty() {
            // The original computation, then the pauses.
            let mut e = self.base.explanation.clone();
            e.extend(self.steps.iter().cloned());
            e
        } else {
            // The original receipt, the history up to the last restart, then
            // the restarted computation (its "received" step is replaced by
            // the restart step, which names the supplement time).
            let (before, after) = self.steps.split_at(self.split.min(self.steps.len()));
            let mut e = vec![received_step(self.received)];
            e.extend(before.iter().cloned());
            e.extend(self.base.explanation.iter().skip(1).cloned());
            e.extend(after.iter().cloned());
            e
        };
        let mut explanation = explanation;
        match self.walk(calendar)? {
            Ok(at) => {
                let paused: TimeDelta = self
                    .pauses
                    .iter()
                    .fold(TimeDelta::zero(), |acc, p| acc + p.working_time);
                if at != self.base.at {
                    explanation.push(Step::new(
                        format!(
                            "effective due after pauses ({} of paused working time): {}",
                            hours(paused),
                            datetime_en(at)
                        ),
                        format!(
                            "Hạn giải quyết sau khi trừ thời gian tạm dừng ({}): {}",
                            hours(paused),
                            datetime_vi(at)
                        ),
                    ));
                }
                Ok(EffectiveDue::Due { at, explanation })
            }
            Err(remaining) => {
                let (since, reason) = match self.open_pause {
                    Some(p) => (p.since, p.reason),
                    // `walk` only reports a remaining budget at an open pause.
                    None => return Err(CalendarError::OutOfRange),
                };
                explanation.push(Step::new(
                    format!(
                        "paused ({}) since {}: {} of working time left; no due date until the \
                         clock resumes",
                        reason.en(),
                        datetime_en(since),
                        hours(remaining)
                    ),
                    format!(
                        "Đang tạm dừng ({}) từ {}: còn {} giờ làm việc; chưa có hạn cho đến khi \
                         tiếp tục",
                        reason.vi(),
                        datetime_vi(since),
                        hours(remaining)
                    ),
                ));
                Ok(EffectiveDue::Paused {
                    since,
                    reason,
                    remaining,
                    explanation,
                })
            }
        }
    }
}

/// The effective due of a dossier: received at `received` (Vietnam local
/// time) under `rule`, with the ordered pause/resume `events`, under the
/// supplement `policy`. Paused working time never counts; under
/// [`SupplementPolicy::Restart`] the clock restarts from zero when a
/// supplement pause ends.
pub fn effective_due(
    received: NaiveDateTime,
    rule: &DeadlineRule,
    calendar: &WorkingCalendar,
    policy: SupplementPolicy,
    events: &[ClockEvent],
) -> Result<EffectiveDue, CalendarError> {
    DossierClock::replay(received, rule, calendar, policy, events)?.effective_due(calendar)
}

/// The due `due` after a pause from `from` to `to` (Vietnam local times):
/// later by exactly the working time inside the pause, which is not counted
/// against the unit (awaiting supplement or payment; Decree
/// 118/2025/NĐ-CP, domain notes §2). A pause that began once the due had
/// passed moves nothing: the dossier was already late.
pub fn shift_by_pause(
    due: NaiveDateTime,
    from: NaiveDateTime,
    to: NaiveDateTime,
    calendar: &WorkingCalendar,
) -> Result<NaiveDateTime, CalendarError> {
    if from >= due || to <= from {
        return Ok(due);
    }
    let paused = calendar.working_time_between(from, to)?;
    calendar.add_working_time(due, paused)
}

/// Working time from `from` to `to` minus the working time inside the
/// given `pauses` (each `(start, end)`): what a step or a dossier spent
/// counted against the unit (Mẫu 06 per-step figures).
pub fn working_time_excluding(
    from: NaiveDateTime,
    to: NaiveDateTime,
    pauses: &[(NaiveDateTime, NaiveDateTime)],
    calendar: &WorkingCalendar,
) -> Result<TimeDelta, CalendarError> {
    if to <= from {
        return Ok(TimeDelta::zero());
    }
    let mut spent = calendar.working_time_between(from, to)?;
    for &(a, b) in pauses {
        let (a, b) = (a.max(from), b.min(to));
        if a < b {
            spent -= calendar.working_time_between(a, b)?;
        }
    }
    Ok(spent.max(TimeDelta::zero()))
}
