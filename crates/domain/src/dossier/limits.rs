//! The text limits of [`crate::text`] applied to every command, before it
//! is decided: a command carrying a text over its limit, or a character
//! that is refused, produces no event.

use super::command::{AppraisalOutcome, Command, NewDossier};
use crate::text::{self, DocumentName, Field, TextError};

const fn named(name: &'static str, f: Field) -> Field {
    Field { name, ..f }
}

const APPLICANT_NAME: Field = named("applicant.name", text::PERSON_NAME);
const RECEIVED_DOCUMENTS: Field = named("documents.name_vi", text::DOCUMENT_NAME);
const DOCUMENTS: Field = named("documents", text::DOCUMENT_NAME);
const REASON: Field = text::REASON;
const DESCRIPTION: Field = named("description", text::REASON);
const NUMBER: Field = named("number", text::REFERENCE);
const REGISTER: Field = named("register", text::REFERENCE);
const RECEIPT: Field = named("receipt", text::REFERENCE);
const COMMENT: Field = text::COMMENT;
const MEDIA_TYPE: Field = named("document.media_type", text::REFERENCE);

fn new_dossier(n: &NewDossier) -> Result<(), TextError> {
    APPLICANT_NAME.check(&n.applicant.name)?;
    RECEIVED_DOCUMENTS.check_all(n.documents.iter().map(|d| d.name_vi.as_str()))
}

/// Checks the texts a user put in `cmd`.
pub(crate) fn check(cmd: &Command) -> Result<(), TextError> {
    match cmd {
        Command::SubmitOnline { dossier } | Command::ReceiveAtCounter { dossier, .. } => {
            new_dossier(dossier)
        }
        Command::RequestSupplement { reason, documents } => {
            REASON.check(reason)?;
            DOCUMENTS.check_all(documents.iter().map(String::as_str))
        }
        Command::ProvideSupplement { documents, .. } => {
            DOCUMENTS.check_all(documents.iter().map(String::as_str))
        }
        Command::Refuse { reason }
        | Command::SendBack { reason }
        | Command::Stop { reason }
        | Command::NotifyLate { reason, .. }
        | Command::Reassign { reason, .. }
        | Command::ExtendLimit { reason, .. }
        | Command::Appraise {
            outcome: AppraisalOutcome::Ineligible { reason },
        } => REASON.check(reason),
        Command::Withdraw { reason } => REASON.check_opt(reason.as_deref()),
        Command::IssueResult { number, register } => {
            NUMBER.check(number)?;
            REGISTER.check(register)
        }
        Command::RequestPayment { description, .. } => DESCRIPTION.check(description),
        Command::ConfirmPayment { receipt, .. } => RECEIPT.check(receipt),
        Command::Rate { comment, .. } => COMMENT.check_opt(comment.as_deref()),
        Command::AttachDocument { document } => {
            MEDIA_TYPE.check(&document.media_type)?;
            if DocumentName::is_clean(&document.name) {
                Ok(())
            } else {
                // Say why: the name's own check, or the sanitising it lacks.
                text::DOCUMENT_NAME.check(&document.name)?;
                Err(TextError::InvalidCharacters {
                    field: text::DOCUMENT_NAME.name,
                })
            }
        }
        Command::Accept { .. }
        | Command::Transfer { .. }
        | Command::Assign { .. }
        | Command::Appraise {
            outcome: AppraisalOutcome::Eligible,
        }
        | Command::ReviewOk
        | Command::Approve
        | Command::RecordPostmark { .. }
        | Command::ReturnResult { .. } => Ok(()),
    }
}
