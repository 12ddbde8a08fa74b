//! What an actor may do on a dossier now: the one answer the pages, the
//! CLI and the demo planner ask, so none of them keeps its own copy of the
//! rules. It is [`decide`] itself, tried on a representative command of
//! each kind: a kind is available when the decider refuses it for nothing
//! but what the actor has still to type or attach (a reason, an amount,
//! the supplement's document, the result file).

use chrono::{DateTime, Duration, Utc};

use super::command::{AppraisalOutcome, Command, Rating, ReturnWay};
use super::decide::decide;
use super::error::DossierError;
use super::role::{Actor, UserId};
use super::state::DossierState;
use super::time::vietnam_date;

/// The kinds of command tried, in the order a page lists them. Opening
/// commands and attachments are not actions on a dossier's page.
pub const KINDS: [&str; 21] = [
    "accept",
    "record_postmark",
    "request_supplement",
    "refuse",
    "provide_supplement",
    "transfer",
    "assign",
    "appraise",
    "review_ok",
    "send_back",
    "approve",
    "issue_result",
    "request_payment",
    "confirm_payment",
    "extend_limit",
    "return_result",
    "reassign",
    "notify_late",
    "stop",
    "withdraw",
    "rate",
];

impl DossierError {
    /// Whether the refusal is about what the actor typed or has still to
    /// attach, rather than about who they are or where the dossier is: the
    /// action is offered, and the form shows the refusal.
    pub fn concerns_input(&self) -> bool {
        matches!(
            self,
            DossierError::AppointmentNotLater
                | DossierError::AppointmentInPast
                | DossierError::MissingReason
                | DossierError::EmptyField { .. }
                | DossierError::InvalidAmount
                | DossierError::PaymentMismatch { .. }
                | DossierError::Text(_)
                | DossierError::InvalidApplicationData(_)
                | DossierError::SupplementWithoutDocument
                | DossierError::SameAssignee
                | DossierError::ResultFileMissing
                | DossierError::PostmarkInFuture
        )
    }
}

/// A probe's placeholder official and text (an assignee who happens to be
/// the holder is a [`DossierError::SameAssignee`], about the input).
const PROBE_USER: &str = "probe.available";
const PROBE_TEXT: &str = "probe";

/// The representative command of `kind` on `state` at `now`, or None when
/// the dossier offers none (e.g. a transfer past the last step).
fn probe(kind: &str, state: &DossierState, now: DateTime<Utc>) -> Option<Command> {
    let later = now + Duration::days(3650);
    let text = || PROBE_TEXT.to_string();
    let user = || UserId::parse(PROBE_USER).ok();
    let d = state.dossier.as_ref();
    Some(match kind {
        "accept" => Command::Accept {
            appointment: later,
            pages_digitized: 0,
        },
        "record_postmark" => Command::RecordPostmark {
            date: vietnam_date(now),
        },
        "request_supplement" => Command::RequestSupplement {
            reason: text(),
            documents: vec![text()],
        },
        "refuse" => Command::Refuse { reason: text() },
        "provide_supplement" => Command::ProvideSupplement {
            documents: Vec::new(),
            appointment: None,
        },
        "transfer" => {
            let d = d?;
            Command::Transfer {
                to: d.procedure.workflow.get(d.step + 1)?.agency.clone(),
            }
        }
        "assign" => Command::Assign { assignee: user()? },
        "reassign" => Command::Reassign {
            assignee: user()?,
            reason: text(),
        },
        "appraise" => Command::Appraise {
            outcome: AppraisalOutcome::Eligible,
        },
        "review_ok" => Command::ReviewOk,
        "send_back" => Command::SendBack { reason: text() },
        "approve" => Command::Approve,
        "issue_result" => Command::IssueResult {
            number: text(),
            register: text(),
        },
        "request_payment" => Command::RequestPayment {
            amount_vnd: 1,
            description: text(),
        },
        "confirm_payment" => Command::ConfirmPayment {
            amount_vnd: 1,
            receipt: text(),
            appointment: None,
        },
        "extend_limit" => Command::ExtendLimit {
            extension: 0,
            reason: text(),
            appointment: later,
        },
        "return_result" => Command::ReturnResult {
            way: ReturnWay::Counter,
        },
        "notify_late" => Command::NotifyLate {
            reason: text(),
            new_appointment: later,
        },
        "stop" => Command::Stop { reason: text() },
        "withdraw" => Command::Withdraw { reason: None },
        "rate" => Command::Rate {
            rating: Rating::Satisfied,
            comment: None,
        },
        _ => return None,
    })
}

/// The kinds of [`KINDS`] that `actor` may take on `state` at `now`.
/// Pure; the engine decides again when the action is posted.
pub fn available(state: &DossierState, actor: &Actor, now: DateTime<Utc>) -> Vec<&'static str> {
    KINDS
        .into_iter()
        .filter(|kind| {
            probe(kind, state, now).is_some_and(|cmd| match decide(state, &cmd, actor, now) {
                Ok(_) => true,
                Err(e) => e.concerns_input(),
            })
        })
        .collect()
}
