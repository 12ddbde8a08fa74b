//! Trạng thái — the state of a dossier, obtained by folding its events.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::code::{DossierCode, UnitId};
use super::command::{Applicant, Channel, DocumentKind, DocumentRef, Rating, ReturnWay};
use super::event::{Event, EventData, Opened};
use super::role::UserId;
use super::status::Status;
use super::time::ts;
use crate::procedure::{AgencyRef, ProcedureSnapshot, StepKind};

/// Why the clock is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    /// Chờ bổ sung (status 5).
    Supplement,
    /// Chờ thực hiện nghĩa vụ tài chính (status 6).
    Payment,
}

/// Khoảng tạm dừng — entering and leaving a paused status; the deadline
/// code subtracts these (domain.md §2: time awaiting supplement or payment
/// is not counted against the unit). `until` is None while still paused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub kind: PauseKind,
    #[serde(with = "ts")]
    pub from: DateTime<Utc>,
    #[serde(with = "ts::option")]
    pub until: Option<DateTime<Utc>>,
}

/// One visit of a workflow step (a step may be visited again after a send
/// back): for per-step budget classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepVisit {
    pub index: usize,
    pub kind: StepKind,
    pub agency: AgencyRef,
    #[serde(with = "ts")]
    pub started_at: DateTime<Utc>,
    #[serde(with = "ts::option")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Ended by a send back rather than completion.
    pub sent_back: bool,
}

/// Counters kept for reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub supplement_requests: u32,
    pub send_backs: u32,
    pub transfers: u32,
    pub payment_requests: u32,
    pub late_notices: u32,
}

/// Kết quả đã phát hành — the issued result's number and register book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedResult {
    pub number: String,
    pub register: String,
    #[serde(with = "ts")]
    pub issued_at: DateTime<Utc>,
}

/// An outstanding payment request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRequest {
    pub amount_vnd: u64,
    pub description: String,
}

/// The recorded rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingRecord {
    pub rating: Rating,
    pub comment: Option<String>,
    #[serde(with = "ts")]
    pub at: DateTime<Utc>,
}

/// A document attached to the dossier, with who attached it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedDocument {
    #[serde(flatten)]
    pub document: DocumentRef,
    #[serde(with = "ts")]
    pub at: DateTime<Utc>,
    pub by: UserId,
}

/// Hồ sơ — an open dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub code: DossierCode,
    pub procedure: ProcedureSnapshot,
    pub channel: Channel,
    pub receiving_unit: UnitId,
    pub competent_unit: UnitId,
    pub applicant: Applicant,
    pub status: Status,
    /// Index of the current workflow step.
    pub step: usize,
    /// Which agency holds the dossier (the current step's agency).
    pub holder: AgencyRef,
    /// Officer assigned at the current agency (cleared at every hand-over).
    pub assignee: Option<UserId>,
    /// Where a paused dossier goes back to.
    pub resume_to: Option<Status>,
    #[serde(with = "ts")]
    pub submitted_at: DateTime<Utc>,
    /// Receipt of the complete dossier: the deadline runs from here.
    #[serde(with = "ts::option")]
    pub accepted_at: Option<DateTime<Utc>>,
    /// The appointment of Mẫu 01 (or as recomputed after a supplement).
    #[serde(with = "ts::option")]
    pub original_due: Option<DateTime<Utc>>,
    /// The appointment in force: `original_due`, or the Mẫu 04 new date.
    #[serde(with = "ts::option")]
    pub due: Option<DateTime<Utc>>,
    /// The new appointment of the apology (Mẫu 04), set at most once.
    #[serde(with = "ts::option")]
    pub new_appointment: Option<DateTime<Utc>>,
    pub pauses: Vec<Pause>,
    pub visits: Vec<StepVisit>,
    pub counters: Counters,
    /// Appraisal outcome (false = ineligible, the result is a refusal letter).
    pub eligible: Option<bool>,
    /// When the decision was signed; no withdrawal after it.
    #[serde(with = "ts::option")]
    pub decided_at: Option<DateTime<Utc>>,
    pub result: Option<IssuedResult>,
    pub payment: Option<PaymentRequest>,
    pub paid_vnd: u64,
    #[serde(with = "ts::option")]
    pub returned_at: Option<DateTime<Utc>>,
    pub return_way: Option<ReturnWay>,
    pub rating: Option<RatingRecord>,
    /// Documents attached, in order.
    #[serde(default)]
    pub documents: Vec<AttachedDocument>,
    /// Refused, withdrawn or returned.
    #[serde(with = "ts::option")]
    pub closed_at: Option<DateTime<Utc>>,
    /// The limit extension applied (index into the procedure's extensions).
    #[serde(default)]
    pub limit_extension: Option<usize>,
    /// Ngày dấu bưu điện — postal dossiers: the deadline runs from it.
    #[serde(default)]
    pub postmark: Option<NaiveDate>,
    /// Tờ khai — the application data, read against `procedure.form`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_data: Option<crate::procedure::ApplicationData>,
    /// How many documents were attached when the last supplement was
    /// requested (Mẫu 02): those after it are the supplement
    /// ([`Dossier::supplement_documents`]).
    #[serde(default)]
    pub documents_before_supplement: usize,
}

impl Dossier {
    /// The unit an agency reference resolves to for this dossier (external
    /// agencies are outside the system: None).
    pub fn unit_of(&self, agency: &AgencyRef) -> Option<&UnitId> {
        match agency {
            AgencyRef::ReceivingCenter => Some(&self.receiving_unit),
            AgencyRef::Competent => Some(&self.competent_unit),
            AgencyRef::External(_) => None,
        }
    }

    /// The current workflow step.
    pub fn current_step(&self) -> Option<&crate::procedure::WorkflowStep> {
        self.procedure.workflow.get(self.step)
    }

    /// Closed for status changes (a returned dossier may still be rated).
    pub fn is_closed(&self) -> bool {
        self.status.is_final()
    }

    /// Hồ sơ bổ sung — the documents attached since the last supplement
    /// request: components uploaded by the applicant or at the counter, and
    /// scans of paper brought to the Center (never a result).
    pub fn supplement_documents(&self) -> impl Iterator<Item = &AttachedDocument> {
        self.documents
            .get(self.documents_before_supplement..)
            .unwrap_or_default()
            .iter()
            .filter(|a| {
                matches!(
                    a.document.kind,
                    DocumentKind::Component | DocumentKind::Digitized
                )
            })
    }

    /// The documents the applicant may download from their own page: the
    /// result documents once the result is issued (numbered and registered;
    /// a file attached before is still the agency's), and those they
    /// attached themselves.
    pub fn applicant_documents(&self) -> impl Iterator<Item = &AttachedDocument> {
        let own = self.applicant.user.as_ref();
        let issued = self.result.is_some();
        self.documents.iter().filter(move |a| {
            (a.document.kind == DocumentKind::Result && issued) || Some(&a.by) == own
        })
    }
}

/// Trạng thái hồ sơ — the fold of a dossier's events. `version` counts the
/// events applied (the next event's `seq`); `dossier` is None before the
/// first event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierState {
    pub version: u64,
    pub dossier: Option<Dossier>,
}

impl DossierState {
    /// The empty state (no dossier yet).
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds events from the empty state.
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        events.into_iter().fold(DossierState::new(), apply)
    }

    pub fn status(&self) -> Option<Status> {
        self.dossier.as_ref().map(|d| d.status)
    }
}

fn open(o: &Opened, e: &Event) -> Dossier {
    Dossier {
        code: e.dossier.clone(),
        procedure: o.procedure.clone(),
        channel: o.channel,
        receiving_unit: o.receiving_unit.clone(),
        competent_unit: o.competent_unit.clone(),
        applicant: o.applicant.clone(),
        status: Status::Submitted,
        step: 0,
        holder: AgencyRef::ReceivingCenter,
        assignee: None,
        resume_to: None,
        submitted_at: e.at,
        accepted_at: None,
        original_due: None,
        due: None,
        new_appointment: None,
        pauses: Vec::new(),
        visits: vec![StepVisit {
            index: 0,
            kind: StepKind::Receive,
            agency: AgencyRef::ReceivingCenter,
            started_at: e.at,
            ended_at: None,
            sent_back: false,
        }],
        counters: Counters::default(),
        eligible: None,
        decided_at: None,
        result: None,
        payment: None,
        paid_vnd: 0,
        returned_at: None,
        return_way: None,
        rating: None,
        documents: Vec::new(),
        closed_at: None,
        limit_extension: None,
        postmark: None,
        application_data: o.application_data.clone(),
        documents_before_supplement: 0,
    }
}

fn end_visit(d: &mut Dossier, at: DateTime<Utc>, sent_back: bool) {
    if let Some(v) = d.visits.last_mut() {
        if v.ended_at.is_none() {
            v.ended_at = Some(at);
            v.sent_back = sent_back;
        }
    }
}

/// Moves to step `index`: new visit, holder = its agency (assignee cleared
/// if the agency changes), status 9 on reaching the return step, else
/// `status`.
fn enter_step(d: &mut Dossier, index: usize, at: DateTime<Utc>, status: Status) {
    let Some(step) = d.procedure.workflow.get(index) else {
        return;
    };
    let (kind, agency) = (step.kind, step.agency.clone());
    if agency != d.holder {
        d.assignee = None;
    }
    d.step = index;
    d.holder = agency.clone();
    d.status = if kind == StepKind::Return {
        Status::ResultReady
    } else {
        status
    };
    d.visits.push(StepVisit {
        index,
        kind,
        agency,
        started_at: at,
        ended_at: None,
        sent_back: false,
    });
}

fn complete_step(d: &mut Dossier, at: DateTime<Utc>) {
    end_visit(d, at, false);
    let next = d.step + 1;
    enter_step(d, next, at, Status::Processing);
}

fn pause(d: &mut Dossier, kind: PauseKind, status: Status, at: DateTime<Utc>) {
    d.resume_to = Some(d.status);
    d.status = status;
    d.pauses.push(Pause {
        kind,
        from: at,
        until: None,
    });
}

fn end_pause(d: &mut Dossier, at: DateTime<Utc>) {
    if let Some(p) = d.pauses.last_mut() {
        if p.until.is_none() {
            p.until = Some(at);
        }
    }
}

fn resume(d: &mut Dossier, at: DateTime<Utc>) {
    end_pause(d, at);
    d.status = d.resume_to.take().unwrap_or(Status::Processing);
}

fn close(d: &mut Dossier, status: Status, at: DateTime<Utc>) {
    end_pause(d, at);
    end_visit(d, at, false);
    d.resume_to = None;
    d.status = status;
    d.closed_at = Some(at);
}

/// Applies one event (total: an event that does not fit the state — which
/// [`super::decide`] never produces — leaves it unchanged except for the
/// version).
pub fn apply(mut state: DossierState, e: &Event) -> DossierState {
    state.version += 1;
    let at = e.at;
    match (&mut state.dossier, &e.data) {
        (None, EventData::Submitted(o) | EventData::Received(o)) => {
            state.dossier = Some(open(o, e));
        }
        (None, _) => {}
        (Some(_), EventData::Submitted(_) | EventData::Received(_)) => {}
        (Some(d), data) => apply_to(d, data, e, at),
    }
    state
}

fn apply_to(d: &mut Dossier, data: &EventData, e: &Event, at: DateTime<Utc>) {
    match data {
        EventData::Submitted(_) | EventData::Received(_) => {}
        EventData::Accepted { appointment, .. } => {
            d.accepted_at = Some(at);
            d.original_due = Some(*appointment);
            d.due = Some(*appointment);
            end_visit(d, at, false);
            enter_step(d, 1, at, Status::Accepted);
        }
        EventData::SupplementRequested { .. } => {
            d.counters.supplement_requests += 1;
            d.documents_before_supplement = d.documents.len();
            pause(d, PauseKind::Supplement, Status::AwaitingSupplement, at);
        }
        EventData::SupplementProvided { appointment, .. } => {
            resume(d, at);
            if let Some(a) = appointment {
                d.original_due = Some(*a);
                d.due = Some(*a);
            }
        }
        EventData::Refused {} => close(d, Status::Refused, at),
        EventData::Transferred { .. } => {
            d.counters.transfers += 1;
            complete_step(d, at);
        }
        EventData::Assigned { assignee, .. } => {
            complete_step(d, at);
            d.assignee = Some(assignee.clone());
        }
        EventData::Reassigned { to, .. } => {
            d.assignee = Some(to.clone());
        }
        EventData::Appraised { eligible, .. } => {
            d.eligible = Some(*eligible);
            complete_step(d, at);
        }
        EventData::Reviewed { .. } => complete_step(d, at),
        EventData::SentBack { to_step, .. } => {
            d.counters.send_backs += 1;
            end_visit(d, at, true);
            enter_step(d, *to_step, at, Status::Processing);
        }
        EventData::Approved { .. } => {
            d.decided_at = Some(at);
            complete_step(d, at);
        }
        EventData::ResultIssued {
            number, register, ..
        } => {
            d.result = Some(IssuedResult {
                number: number.clone(),
                register: register.clone(),
                issued_at: at,
            });
            complete_step(d, at);
        }
        EventData::PaymentRequested {
            amount_vnd,
            description,
        } => {
            d.counters.payment_requests += 1;
            d.payment = Some(PaymentRequest {
                amount_vnd: *amount_vnd,
                description: description.clone(),
            });
            pause(d, PauseKind::Payment, Status::AwaitingPayment, at);
        }
        EventData::PaymentConfirmed {
            amount_vnd,
            appointment,
            ..
        } => {
            d.paid_vnd = d.paid_vnd.saturating_add(*amount_vnd);
            d.payment = None;
            resume(d, at);
            if let Some(a) = appointment {
                move_appointment(d, *a);
            }
        }
        EventData::LateNotified {
            new_appointment, ..
        } => {
            d.counters.late_notices += 1;
            d.new_appointment = Some(*new_appointment);
            d.due = Some(*new_appointment);
        }
        EventData::Withdrawn {} => close(d, Status::Withdrawn, at),
        EventData::Stopped {} => close(d, Status::Stopped, at),
        EventData::ResultReturned { way } => {
            d.returned_at = Some(at);
            d.return_way = Some(*way);
            close(d, Status::ResultReturned, at);
        }
        EventData::DocumentAttached { document } => {
            d.documents.push(AttachedDocument {
                document: document.clone(),
                at,
                by: e.actor.user.clone(),
            });
        }
        EventData::Rated { rating, comment } => {
            d.rating = Some(RatingRecord {
                rating: *rating,
                comment: comment.clone(),
                at,
            });
        }
        EventData::LimitExtended {
            extension,
            appointment,
            ..
        } => {
            d.limit_extension = Some(*extension);
            move_appointment(d, *appointment);
        }
        EventData::PostmarkRecorded { date } => d.postmark = Some(*date),
    }
}

/// The appointment of Mẫu 01 becomes `a` (after a pause or an extension);
/// a Mẫu 04 new date stays in force unless `a` is later.
fn move_appointment(d: &mut Dossier, a: DateTime<Utc>) {
    let shift = d.original_due.map(|o| a - o);
    d.original_due = Some(a);
    d.due = Some(match (d.new_appointment, shift) {
        (Some(n), Some(s)) if s > chrono::TimeDelta::zero() => {
            let moved = n + s;
            d.new_appointment = Some(moved);
            moved
        }
        (Some(n), _) => n.max(a),
        (None, _) => a,
    });
}
