//! Lỗi — why a command is refused. Every refusal produces no event.

use super::role::Role;
use super::status::Status;
use crate::procedure::{AgencyRef, StepKind};

/// A refused command. [`DossierError::code`] is stable and machine-readable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DossierError {
    #[error("no dossier exists yet: open one with submit_online or receive_at_counter")]
    NoDossier,
    #[error("the dossier already exists")]
    AlreadyExists,
    #[error("{command} is not allowed in status {status}")]
    IllegalTransition {
        status: Status,
        command: &'static str,
    },
    #[error("{command} does not fit the current step {current} (step {index})")]
    WrongStep {
        command: &'static str,
        current: StepKind,
        index: usize,
    },
    #[error("role {role} may not {command}")]
    ForbiddenRole { role: Role, command: &'static str },
    #[error("the actor's unit is not the unit that holds this dossier for {command}")]
    WrongUnit { command: &'static str },
    #[error("only the assigned officer may appraise")]
    NotAssignee,
    #[error("only the applicant who submitted the dossier may do this")]
    NotApplicant,
    #[error("the next agency of the workflow is {expected}, not {got}")]
    WrongAgency { expected: AgencyRef, got: AgencyRef },
    #[error("a new appointment (Mẫu 04) has already been issued: it may be set only once")]
    AlreadyRescheduled,
    #[error("the result was ready by its appointment: no apology is owed")]
    ResultNotLate,
    #[error("the new appointment must be later than the current one")]
    AppointmentNotLater,
    #[error("the appointment is in the past")]
    AppointmentInPast,
    #[error("no appointment can be set before the dossier is accepted")]
    UnexpectedAppointment,
    #[error("a decision exists: the dossier can no longer be withdrawn")]
    DecisionExists,
    #[error("the dossier has already been rated")]
    AlreadyRated,
    #[error("a reason is required")]
    MissingReason,
    #[error("{field} must not be empty")]
    EmptyField { field: &'static str },
    #[error("the amount must be greater than 0")]
    InvalidAmount,
    #[error("the amount paid ({paid}) differs from the amount requested ({requested})")]
    PaymentMismatch { requested: u64, paid: u64 },
    #[error("there is no earlier appraisal step to send the dossier back to")]
    NoStepToSendBack,
    #[error("the procedure does not allow boundary-free receipt: the receiving and competent units must be the same")]
    NotBoundaryFree,
    #[error("the procedure version is not in force on the receipt date")]
    ProcedureNotInForce,
    #[error("the dossier code does not match the receipt (unit or Vietnam date)")]
    CodeMismatch,
    #[error("a limit extension has already been applied: it counts once")]
    AlreadyExtended,
    #[error("the procedure has no limit extension number {index}")]
    NoSuchExtension { index: usize },
    #[error("the postmark date is after today")]
    PostmarkInFuture,
    #[error("a postmark is recorded only for a dossier received by post")]
    NotPostal,
    /// A text over its limit or with a refused character (see [`crate::text`]).
    #[error(transparent)]
    Text(#[from] crate::text::TextError),
    /// The application data does not fit the procedure's form (every
    /// field's error; empty when the data is not in normal form).
    #[error("the application data does not fit the procedure's form{}", first_en(.0))]
    InvalidApplicationData(Vec<crate::procedure::FieldError>),
    /// "Supplement provided" with no document attached since the request.
    #[error("attach at least one new document of the supplement before marking it provided")]
    SupplementWithoutDocument,
    /// A reassignment of a dossier that has no assignee (or is closed).
    #[error("the dossier is not assigned to an official at this step")]
    NotAssigned,
    /// An online return with no result file attached to download.
    #[error("attach the result file before returning the result online")]
    ResultFileMissing,
    /// A reassignment to the official who already holds it.
    #[error("the dossier is already assigned to this official")]
    SameAssignee,
}

/// What kind of refusal a [`DossierError`] is, for a caller that answers
/// with a status (HTTP 403, 409, 422): decided here, by variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The actor may not do this (role, unit, assignee, applicant).
    Forbidden,
    /// The dossier is not where the command applies (status, step, done
    /// once already).
    Conflict,
    /// What was given is not acceptable.
    Invalid,
}

impl DossierError {
    /// The kind of this refusal.
    pub fn refusal(&self) -> Refusal {
        use DossierError::*;
        match self {
            ForbiddenRole { .. } | WrongUnit { .. } | NotAssignee | NotApplicant => {
                Refusal::Forbidden
            }
            IllegalTransition { .. }
            | WrongStep { .. }
            | AlreadyExists
            | AlreadyRescheduled
            | ResultNotLate
            | AlreadyRated
            | DecisionExists => Refusal::Conflict,
            NoDossier
            | WrongAgency { .. }
            | AppointmentNotLater
            | AppointmentInPast
            | UnexpectedAppointment
            | MissingReason
            | EmptyField { .. }
            | InvalidAmount
            | PaymentMismatch { .. }
            | NoStepToSendBack
            | NotBoundaryFree
            | ProcedureNotInForce
            | CodeMismatch
            | AlreadyExtended
            | NoSuchExtension { .. }
            | PostmarkInFuture
            | NotPostal
            | Text(_)
            | InvalidApplicationData(_)
            | SupplementWithoutDocument
            | NotAssigned
            | SameAssignee
            | ResultFileMissing => Refusal::Invalid,
        }
    }
}

fn first_en(errors: &[crate::procedure::FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!(" {}", e.message_en()))
        .collect()
}

impl DossierError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DossierError::NoDossier => "no_dossier",
            DossierError::AlreadyExists => "already_exists",
            DossierError::IllegalTransition { .. } => "illegal_transition",
            DossierError::WrongStep { .. } => "wrong_step",
            DossierError::ForbiddenRole { .. } => "forbidden_role",
            DossierError::WrongUnit { .. } => "wrong_unit",
            DossierError::NotAssignee => "not_assignee",
            DossierError::NotApplicant => "not_applicant",
            DossierError::WrongAgency { .. } => "wrong_agency",
            DossierError::AlreadyRescheduled => "already_rescheduled",
            DossierError::ResultNotLate => "result_not_late",
            DossierError::AppointmentNotLater => "appointment_not_later",
            DossierError::AppointmentInPast => "appointment_in_past",
            DossierError::UnexpectedAppointment => "unexpected_appointment",
            DossierError::DecisionExists => "decision_exists",
            DossierError::AlreadyRated => "already_rated",
            DossierError::MissingReason => "missing_reason",
            DossierError::EmptyField { .. } => "empty_field",
            DossierError::InvalidAmount => "invalid_amount",
            DossierError::PaymentMismatch { .. } => "payment_mismatch",
            DossierError::NoStepToSendBack => "no_step_to_send_back",
            DossierError::NotBoundaryFree => "not_boundary_free",
            DossierError::ProcedureNotInForce => "procedure_not_in_force",
            DossierError::CodeMismatch => "code_mismatch",
            DossierError::AlreadyExtended => "already_extended",
            DossierError::NoSuchExtension { .. } => "no_such_extension",
            DossierError::PostmarkInFuture => "postmark_in_future",
            DossierError::NotPostal => "not_postal",
            DossierError::Text(e) => e.code(),
            DossierError::InvalidApplicationData(_) => "invalid_application_data",
            DossierError::SupplementWithoutDocument => "supplement_without_document",
            DossierError::NotAssigned => "not_assigned",
            DossierError::SameAssignee => "same_assignee",
            DossierError::ResultFileMissing => "result_file_missing",
        }
    }
}

impl DossierError {
    /// The message in Vietnamese (the English one is the `Display` text).
    pub fn message_vi(&self) -> String {
        match self {
            DossierError::NoDossier => "Chưa có hồ sơ: hãy nộp hoặc tiếp nhận hồ sơ trước.".into(),
            DossierError::AlreadyExists => "Hồ sơ đã tồn tại.".into(),
            DossierError::IllegalTransition { status, command } => format!(
                "Không thể thực hiện thao tác {command} khi hồ sơ đang ở trạng thái {}.",
                status.label_vi()
            ),
            DossierError::WrongStep { command, index, .. } => format!(
                "Thao tác {command} không phù hợp với bước xử lý hiện tại (bước {}).",
                index + 1
            ),
            DossierError::ForbiddenRole { role, command } => {
                format!("Vai trò {} không được thực hiện thao tác {command}.", role.label_vi())
            }
            DossierError::WrongUnit { command } => format!(
                "Đơn vị của người thực hiện không phải đơn vị đang giữ hồ sơ ({command})."
            ),
            DossierError::NotAssignee => "Chỉ công chức được phân công mới được thẩm định.".into(),
            DossierError::NotApplicant => "Chỉ người nộp hồ sơ mới được thực hiện thao tác này.".into(),
            DossierError::WrongAgency { expected, got } => {
                format!("Cơ quan tiếp theo của quy trình là {expected}, không phải {got}.")
            }
            DossierError::AlreadyRescheduled => {
                "Đã có phiếu xin lỗi và hẹn lại (Mẫu 04): chỉ được hẹn lại một lần.".into()
            }
            DossierError::ResultNotLate => {
                "Kết quả đã có trước hoặc đúng ngày hẹn: không cần phiếu xin lỗi (Mẫu 04).".into()
            }
            DossierError::AppointmentNotLater => "Ngày hẹn mới phải sau ngày hẹn hiện tại.".into(),
            DossierError::AppointmentInPast => "Ngày hẹn đã qua.".into(),
            DossierError::UnexpectedAppointment => {
                "Chưa tiếp nhận hồ sơ nên chưa thể đặt ngày hẹn.".into()
            }
            DossierError::DecisionExists => "Đã có quyết định: không thể rút hồ sơ.".into(),
            DossierError::AlreadyRated => "Hồ sơ đã được đánh giá.".into(),
            DossierError::MissingReason => "Cần nêu lý do.".into(),
            DossierError::EmptyField { field } => format!("Trường {field} không được để trống."),
            DossierError::InvalidAmount => "Số tiền phải lớn hơn 0.".into(),
            DossierError::PaymentMismatch { requested, paid } => format!(
                "Số tiền đã nộp ({paid} đồng) khác số tiền phải nộp ({requested} đồng)."
            ),
            DossierError::NoStepToSendBack => "Không có bước thẩm định trước đó để trả lại.".into(),
            DossierError::NotBoundaryFree => "Thủ tục này không tiếp nhận phi địa giới: đơn vị tiếp nhận và đơn vị giải quyết phải là một.".into(),
            DossierError::ProcedureNotInForce => "Phiên bản thủ tục không còn hiệu lực vào ngày tiếp nhận.".into(),
            DossierError::CodeMismatch => "Mã hồ sơ không khớp với đơn vị hoặc ngày tiếp nhận.".into(),
            DossierError::AlreadyExtended => {
                "Hồ sơ đã được gia hạn thời hạn giải quyết: chỉ được gia hạn một lần.".into()
            }
            DossierError::NoSuchExtension { index } => {
                format!("Thủ tục không có trường hợp gia hạn số {}.", index + 1)
            }
            DossierError::PostmarkInFuture => "Ngày dấu bưu điện không được sau ngày hôm nay.".into(),
            DossierError::NotPostal => {
                "Chỉ ghi ngày dấu bưu điện cho hồ sơ nhận qua bưu chính.".into()
            }
            DossierError::Text(e) => e.message_vi(),
            DossierError::InvalidApplicationData(errors) => {
                let mut m = "Tờ khai chưa hợp lệ.".to_string();
                for e in errors {
                    m.push(' ');
                    m.push_str(&e.message_vi());
                }
                m
            }
            DossierError::SupplementWithoutDocument => {
                "Hãy tải lên ít nhất một giấy tờ bổ sung mới trước khi báo đã bổ sung.".into()
            }
            DossierError::NotAssigned => {
                "Hồ sơ chưa được phân công cho cán bộ nào ở bước này.".into()
            }
            DossierError::SameAssignee => "Hồ sơ đã được phân công cho cán bộ này.".into(),
            DossierError::ResultFileMissing => {
                "Hãy đính kèm tệp kết quả (bản điện tử) trước khi trả kết quả trực tuyến.".into()
            }
        }
    }
}
