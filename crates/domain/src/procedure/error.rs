//! Lỗi kiểm tra thủ tục — procedure validation errors with stable codes.

use super::workflow::StepKind;
use crate::dossier::Role;

/// Why a procedure (or its workflow) is invalid. [`ProcedureError::code`] is
/// a stable machine-readable identifier; the message is for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProcedureError {
    #[error("the workflow needs at least a receive and a return step")]
    EmptyWorkflow,
    #[error("the first step must be the receipt (tiếp nhận) at the receiving Center")]
    FirstStepNotReceive,
    #[error("the last step must be the return (trả kết quả) at the receiving Center")]
    LastStepNotReturn,
    #[error("the return step's time does not count against the deadline: its budget must be 0")]
    ReturnBudgetCounted,
    #[error("step {index}: a {kind} step may only be first (receive) or last (return)")]
    MisplacedStep { index: usize, kind: StepKind },
    #[error("step {index}: role {role} may not perform a {kind} step")]
    RoleNotAllowed {
        index: usize,
        kind: StepKind,
        role: Role,
    },
    #[error("step {index}: external steps, and only they, are performed by an external agency")]
    ExternalStepMismatch { index: usize },
    #[error("step {index}: unknown external agency {key:?}")]
    UnknownExternalAgency { index: usize, key: String },
    #[error(
        "step {index}: the agency changes without a transfer, external or clerical step before it"
    )]
    AgencyChangeWithoutHandOver { index: usize },
    #[error("step budgets sum to {total_hours} working hours, more than the legal limit of {limit_hours} h")]
    BudgetExceedsLimit { total_hours: u64, limit_hours: u64 },
    #[error("a same-day cut-off is only meaningful for a same-day time limit")]
    CutoffWithoutSameDay,
    #[error("invalid time of day {0:?}: expected HH:MM")]
    InvalidCutoff(String),
    #[error("a time limit of 0 is not a limit")]
    ZeroTimeLimit,
    #[error("field {field} is empty")]
    EmptyField { field: &'static str },
    #[error("document {index}: the count must be at least 1")]
    ZeroDocumentCount { index: usize },
    #[error("the version must be at least 1")]
    ZeroVersion,
    #[error("effective_until {until} is not after effective_from {from}")]
    EffectiveRange { from: String, until: String },
    #[error("external agency {key:?} is declared twice or its key is not [a-z0-9_]+")]
    BadExternalAgency { key: String },
    #[error("unknown field path {0:?} in the unverified list")]
    UnknownUnverifiedField(String),
    #[error("invalid procedure code: {0}")]
    InvalidCode(String),
    /// A text over its limit or with a refused character (see [`crate::text`]).
    #[error(transparent)]
    Text(#[from] crate::text::TextError),
    #[error("application form: {0}")]
    BadForm(super::form::SchemaError),
}

impl ProcedureError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ProcedureError::EmptyWorkflow => "empty_workflow",
            ProcedureError::FirstStepNotReceive => "first_step_not_receive",
            ProcedureError::LastStepNotReturn => "last_step_not_return",
            ProcedureError::ReturnBudgetCounted => "return_budget_counted",
            ProcedureError::MisplacedStep { .. } => "misplaced_step",
            ProcedureError::RoleNotAllowed { .. } => "role_not_allowed",
            ProcedureError::ExternalStepMismatch { .. } => "external_step_mismatch",
            ProcedureError::UnknownExternalAgency { .. } => "unknown_external_agency",
            ProcedureError::AgencyChangeWithoutHandOver { .. } => "agency_change_without_hand_over",
            ProcedureError::BudgetExceedsLimit { .. } => "budget_exceeds_limit",
            ProcedureError::CutoffWithoutSameDay => "cutoff_without_same_day",
            ProcedureError::InvalidCutoff(_) => "invalid_cutoff",
            ProcedureError::ZeroTimeLimit => "zero_time_limit",
            ProcedureError::EmptyField { .. } => "empty_field",
            ProcedureError::ZeroDocumentCount { .. } => "zero_document_count",
            ProcedureError::ZeroVersion => "zero_version",
            ProcedureError::EffectiveRange { .. } => "effective_range",
            ProcedureError::BadExternalAgency { .. } => "bad_external_agency",
            ProcedureError::UnknownUnverifiedField(_) => "unknown_unverified_field",
            ProcedureError::Text(e) => e.code(),
            ProcedureError::InvalidCode(_) => "invalid_code",
            ProcedureError::BadForm(_) => "bad_form",
        }
    }
}
