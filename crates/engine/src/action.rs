//! Thao tác — what a person does to a dossier, as the API and the CLI take
//! it. Unlike a domain [`Command`], an action carries no appointment: the
//! engine computes it from the calendar (acceptance, supplement restart).

use chrono::{DateTime, Utc};
use motcua_domain::dossier::{
    AppraisalOutcome, Command, DocumentRef, DossierState, Rating, ReturnWay, UserId,
};
use motcua_domain::procedure::AgencyRef;
use serde::{Deserialize, Serialize};

use crate::{Engine, EngineError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Tiếp nhận — the dossier is complete: issue Mẫu 01 with the appointment.
    Accept {
        #[serde(default)]
        pages_digitized: u32,
    },
    /// Mẫu 02 — ask for a supplement.
    RequestSupplement {
        reason: String,
        #[serde(default)]
        documents: Vec<String>,
    },
    /// Mẫu 03 — refuse, with the reason.
    Refuse {
        reason: String,
    },
    /// The supplement arrived.
    ProvideSupplement {
        #[serde(default)]
        documents: Vec<String>,
    },
    /// Hand over to the next agency of the workflow.
    Transfer {
        to: AgencyRef,
    },
    Assign {
        assignee: UserId,
    },
    /// Phân công lại — a head moves the dossier to another official.
    Reassign {
        assignee: UserId,
        reason: String,
    },
    Appraise {
        outcome: AppraisalOutcome,
    },
    ReviewOk,
    SendBack {
        reason: String,
    },
    Approve,
    IssueResult {
        number: String,
        register: String,
    },
    RequestPayment {
        amount_vnd: u64,
        description: String,
    },
    ConfirmPayment {
        amount_vnd: u64,
        receipt: String,
    },
    /// Mẫu 04 — apology and new appointment (once per dossier).
    NotifyLate {
        reason: String,
        new_appointment: DateTime<Utc>,
    },
    /// Mẫu 05 — the applicant withdraws.
    Withdraw {
        #[serde(default)]
        reason: Option<String>,
    },
    /// Mẫu 05 — processing stops at the applicant's request (final).
    Stop {
        reason: String,
    },
    ReturnResult {
        way: ReturnWay,
    },
    Rate {
        rating: Rating,
        #[serde(default)]
        comment: Option<String>,
    },
    /// Attach a stored document (use [`Engine::attach`], which stores the
    /// bytes first).
    AttachDocument {
        document: DocumentRef,
    },
    /// Gia hạn — apply the procedure's limit extension number `extension`
    /// (from 0, in catalogue order), with the reason (once per dossier).
    ExtendLimit {
        extension: usize,
        reason: String,
    },
    /// Ngày dấu bưu điện — record a postal dossier's postmark date before
    /// acceptance; the deadline then runs from it.
    RecordPostmark {
        date: chrono::NaiveDate,
    },
}

impl Action {
    /// Whether the engine must read the dossier to build the command (the
    /// appointment is computed from its procedure and history).
    pub fn needs_state(&self) -> bool {
        matches!(
            self,
            Action::Accept { .. }
                | Action::ProvideSupplement { .. }
                | Action::ConfirmPayment { .. }
                | Action::ExtendLimit { .. }
        )
    }
}

impl Engine {
    /// `state` is required for the actions that [`Action::needs_state`].
    pub(crate) fn command_for(
        &self,
        state: Option<&DossierState>,
        action: Action,
        now: DateTime<Utc>,
    ) -> Result<Command, EngineError> {
        let state = || state.ok_or(EngineError::NoDeadline);
        Ok(match action {
            Action::Accept { pages_digitized } => Command::Accept {
                appointment: self.appointment(state()?, now)?,
                pages_digitized,
            },
            Action::RequestSupplement { reason, documents } => {
                Command::RequestSupplement { reason, documents }
            }
            Action::Refuse { reason } => Command::Refuse { reason },
            Action::ProvideSupplement { documents } => Command::ProvideSupplement {
                appointment: self.appointment_after_supplement(state()?, now)?,
                documents,
            },
            Action::Transfer { to } => Command::Transfer { to },
            Action::Assign { assignee } => Command::Assign { assignee },
            Action::Reassign { assignee, reason } => Command::Reassign { assignee, reason },
            Action::Appraise { outcome } => Command::Appraise { outcome },
            Action::ReviewOk => Command::ReviewOk,
            Action::SendBack { reason } => Command::SendBack { reason },
            Action::Approve => Command::Approve,
            Action::IssueResult { number, register } => Command::IssueResult { number, register },
            Action::RequestPayment {
                amount_vnd,
                description,
            } => Command::RequestPayment {
                amount_vnd,
                description,
            },
            Action::ConfirmPayment {
                amount_vnd,
                receipt,
            } => Command::ConfirmPayment {
                amount_vnd,
                receipt,
                appointment: self.appointment_after_payment(state()?, now)?,
            },
            Action::NotifyLate {
                reason,
                new_appointment,
            } => Command::NotifyLate {
                reason,
                new_appointment,
            },
            Action::Withdraw { reason } => Command::Withdraw { reason },
            Action::Stop { reason } => Command::Stop { reason },
            Action::ReturnResult { way } => Command::ReturnResult { way },
            Action::Rate { rating, comment } => Command::Rate { rating, comment },
            Action::AttachDocument { document } => Command::AttachDocument { document },
            Action::ExtendLimit { extension, reason } => Command::ExtendLimit {
                extension,
                reason,
                appointment: self.appointment_with_extension(state()?, extension)?,
            },
            Action::RecordPostmark { date } => Command::RecordPostmark { date },
        })
    }
}
