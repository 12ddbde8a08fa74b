//! Dữ kiện hồ sơ — what the reports need to know about one dossier: a small,
//! serializable summary derived from the dossier's state plus the two facts
//! the state does not keep (the pages digitized at receipt, and whether a
//! payment was confirmed by the `system` actor, i.e. paid online).
//!
//! The storage layer keeps the current [`DossierFacts`] of each dossier next
//! to its projection and passes it, with the event being recorded and the
//! new state, to [`DossierFacts::next`] and
//! [`super::Rollups::apply_event`] in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::dossier::{
    vietnam_date, Channel, DocumentKind, Dossier, DossierCode, DossierState, Event, EventData,
    Rating, ReturnWay, Role, Status, UnitId,
};
use crate::procedure::{ProcedureCode, StepKind};

/// When the dossier was finished for the statistics: the result issued
/// (`result_issued`), as the dossier view judges it; failing that (a
/// workflow without a clerical step), the moment it entered the return step
/// (status 9). The return step's own time never counts against the deadline
/// (domain.md §2).
pub fn finished_at(d: &Dossier) -> Option<DateTime<Utc>> {
    d.result.as_ref().map(|r| r.issued_at).or_else(|| {
        d.visits
            .iter()
            .find(|v| v.kind == StepKind::Return)
            .map(|v| v.started_at)
    })
}

/// Dữ kiện hồ sơ cho báo cáo — one dossier as the figures count it. Dates
/// are Vietnam dates (UTC+7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierFacts {
    pub code: DossierCode,
    pub procedure: ProcedureCode,
    pub receiving_unit: UnitId,
    pub competent_unit: UnitId,
    pub channel: Channel,
    /// Ngày tiếp nhận — the date of the opening event (the date in the
    /// dossier code): the dossier's rollup month.
    pub submitted_on: NaiveDate,
    pub status: Status,
    /// Accepted complete (Mẫu 01 issued): counted as received.
    pub accepted: bool,
    /// The appointment of Mẫu 01 (as recomputed after a supplement), the
    /// date every classification compares against; a Mẫu 04 new date does
    /// not change it.
    pub original_due: Option<NaiveDate>,
    /// See [`finished_at`].
    pub finished_on: Option<NaiveDate>,
    /// Pages digitized at acceptance (the `accepted` event; not in the state).
    pub pages_digitized: u32,
    /// Scans attached as [`DocumentKind::Digitized`].
    pub digitized_documents: u32,
    /// A result document attached as an electronic original.
    pub electronic_result: bool,
    /// At least one payment was requested (fee-charging dossier).
    pub payment_requested: bool,
    /// At least one payment was confirmed.
    pub paid: bool,
    /// At least one payment was confirmed by the `system` actor (online
    /// payment through the portal's payment platform).
    pub paid_online: bool,
    pub rating: Option<Rating>,
    pub supplement_requested: bool,
    pub sent_back: bool,
    /// An apology and new appointment (Mẫu 04) was issued.
    pub rescheduled: bool,
    /// The Mẫu 04 issued: (Vietnam date it was issued, Vietnam date of the
    /// appointment it replaced). Whether it was late is judged against the
    /// apology lead time with the calendar ([`super::Rollup::apologies_late`]).
    #[serde(default)]
    pub apology: Option<(NaiveDate, NaiveDate)>,
    /// Awaiting supplement or payment, paused before its due passed: the
    /// clock is stopped, so it is never overdue while paused (Decree
    /// 118/2025/NĐ-CP; domain.md §2). Time already paused and resumed is in
    /// `original_due`, which moved when the clock resumed.
    #[serde(default)]
    pub clock_paused: bool,
}

/// The facts the state does not keep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Extras {
    pages_digitized: u32,
    paid_online: bool,
    apology: Option<(NaiveDate, NaiveDate)>,
}

impl Extras {
    fn observe(&mut self, e: &Event) {
        match &e.data {
            EventData::Accepted {
                pages_digitized, ..
            } => self.pages_digitized = *pages_digitized,
            EventData::PaymentConfirmed { .. } if e.actor.role == Role::System => {
                self.paid_online = true;
            }
            EventData::LateNotified {
                original_appointment,
                ..
            } => {
                self.apology = Some((vietnam_date(e.at), vietnam_date(*original_appointment)));
            }
            _ => {}
        }
    }
}

impl DossierFacts {
    fn derive(d: &Dossier, x: Extras) -> Self {
        DossierFacts {
            code: d.code.clone(),
            procedure: d.procedure.code.clone(),
            receiving_unit: d.receiving_unit.clone(),
            competent_unit: d.competent_unit.clone(),
            channel: d.channel,
            submitted_on: vietnam_date(d.submitted_at),
            status: d.status,
            accepted: d.accepted_at.is_some(),
            original_due: d.original_due.or(d.due).map(vietnam_date),
            finished_on: finished_at(d).map(vietnam_date),
            pages_digitized: x.pages_digitized,
            digitized_documents: u32::try_from(
                d.documents
                    .iter()
                    .filter(|a| a.document.kind == DocumentKind::Digitized)
                    .count(),
            )
            .unwrap_or(u32::MAX),
            // Decision 766: a result returned online, or attached as an
            // electronic original, is an electronic result.
            electronic_result: d.return_way == Some(ReturnWay::Online)
                || d.documents
                    .iter()
                    .any(|a| a.document.kind == DocumentKind::Result && a.document.electronic),
            payment_requested: d.counters.payment_requests > 0,
            paid: d.paid_vnd > 0,
            paid_online: x.paid_online,
            rating: d.rating.as_ref().map(|r| r.rating),
            supplement_requested: d.counters.supplement_requests > 0,
            sent_back: d.counters.send_backs > 0,
            rescheduled: d.new_appointment.is_some(),
            apology: x.apology,
            clock_paused: matches!(
                d.status,
                Status::AwaitingSupplement | Status::AwaitingPayment
            ) && match (d.pauses.last(), d.original_due) {
                (Some(p), Some(due)) => p.until.is_none() && p.from <= due,
                _ => false,
            },
        }
    }

    /// The facts after `event`, incrementally: `before` are the facts before
    /// it (None before the opening event), `after` the dossier's state with
    /// the event applied. None while the state holds no dossier. For a
    /// dossier whose facts were never stored (e.g. recorded before the
    /// rollups existed), rebuild them once with [`DossierFacts::from_events`].
    pub fn next(
        before: Option<&DossierFacts>,
        event: &Event,
        after: &DossierState,
    ) -> Option<DossierFacts> {
        let d = after.dossier.as_ref()?;
        let mut x = before.map_or_else(Extras::default, |f| Extras {
            pages_digitized: f.pages_digitized,
            paid_online: f.paid_online,
            apology: f.apology,
        });
        if before.is_some() {
            x.observe(event);
        }
        Some(DossierFacts::derive(d, x))
    }

    /// The facts from scratch: folds the dossier's events (in `seq` order).
    /// Events before the opening event are ignored, as [`crate::dossier::apply`]
    /// ignores them.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<DossierFacts> {
        let mut state = DossierState::new();
        let mut x = Extras::default();
        for e in events {
            let opened = state.dossier.is_some();
            state = crate::dossier::apply(state, e);
            if opened {
                x.observe(e);
            }
        }
        state.dossier.as_ref().map(|d| DossierFacts::derive(d, x))
    }

    /// Received in person or by post: the paper dossiers the Center must
    /// digitize (Circular 01/2023/TT-VPCP).
    pub fn is_paper(&self) -> bool {
        matches!(self.channel, Channel::InPerson | Channel::Post)
    }

    /// Digitized: at least one scan attached, or pages digitized at receipt.
    pub fn is_digitized(&self) -> bool {
        self.pages_digitized > 0 || self.digitized_documents > 0
    }
}
