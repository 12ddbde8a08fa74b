use motcua_domain::calendar::CalendarError;
use motcua_store::{CommandError, StoreError};

/// Why an engine call failed. [`EngineError::code`] is stable; storage
/// failures are `internal` and never shown in detail.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error("calendar: {0}")]
    Calendar(#[from] CalendarError),
    #[error("no procedure {0} in force")]
    ProcedureNotFound(String),
    #[error("no dossier {0}")]
    DossierNotFound(String),
    #[error("the dossier has no deadline yet (not accepted)")]
    NoDeadline,
    /// An upload that cannot be attached; the code says why.
    #[error("document refused: {0}")]
    InvalidDocument(&'static str),
    /// A text a user gave is over its limit or holds a refused character.
    #[error(transparent)]
    Text(#[from] motcua_domain::text::TextError),
    /// The application data does not fit the procedure's form: every
    /// field's error.
    #[error("the application data does not fit the procedure's form")]
    InvalidApplicationData(Vec<motcua_domain::procedure::FieldError>),
    /// The competent unit is neither the receiving Center's province nor
    /// a commune of it (in force today).
    #[error("{0} is neither the receiving Center's province nor one of its communes")]
    CompetentUnitOutsideProvince(String),
}

impl EngineError {
    /// The per-field errors of refused application data (from the engine's
    /// check or the decider's), if that is what this is.
    pub fn field_errors(&self) -> Option<&[motcua_domain::procedure::FieldError]> {
        use motcua_domain::dossier::DossierError;
        match self {
            EngineError::InvalidApplicationData(e)
            | EngineError::Command(CommandError::Refused(DossierError::InvalidApplicationData(
                e,
            ))) => Some(e),
            _ => None,
        }
    }
}

impl EngineError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::Store(StoreError::NotFound(_)) => "not_found",
            EngineError::Store(StoreError::Conflict(_)) => "conflict",
            EngineError::Store(_) => "internal_error",
            EngineError::Command(CommandError::NotFound(_)) => "dossier_not_found",
            EngineError::Command(CommandError::VersionConflict { .. }) => "version_conflict",
            EngineError::Command(CommandError::Refused(e)) => e.code(),
            EngineError::Command(CommandError::KeyReused) => "idempotency_key_reused",
            EngineError::Command(CommandError::SequenceExhausted { .. }) => "sequence_exhausted",
            EngineError::Calendar(_) => "calendar_error",
            EngineError::ProcedureNotFound(_) => "procedure_not_found",
            EngineError::DossierNotFound(_) => "dossier_not_found",
            EngineError::NoDeadline => "no_deadline",
            EngineError::InvalidDocument(code) => code,
            EngineError::Text(e) => e.code(),
            EngineError::InvalidApplicationData(_) => "invalid_application_data",
            EngineError::CompetentUnitOutsideProvince(_) => "competent_unit_outside_province",
        }
    }

    /// The message in Vietnamese (the English one is the `Display` text).
    pub fn message_vi(&self) -> String {
        match self {
            EngineError::Store(StoreError::NotFound(w)) => format!("Không tìm thấy: {w}."),
            EngineError::Store(StoreError::Conflict(w)) => format!("Xung đột dữ liệu: {w}."),
            EngineError::Store(_) => "Lỗi hệ thống. Vui lòng thử lại sau.".into(),
            EngineError::Command(CommandError::NotFound(c)) => format!("Không có hồ sơ {c}."),
            EngineError::DossierNotFound(c) => format!("Không có hồ sơ {c}."),
            EngineError::Command(CommandError::VersionConflict { code, .. }) => {
                format!("Hồ sơ {code} vừa được người khác cập nhật. Vui lòng tải lại và thử lại.")
            }
            EngineError::Command(CommandError::Refused(e)) => e.message_vi(),
            EngineError::Command(CommandError::KeyReused) => {
                "Khóa Idempotency-Key đã được dùng cho một yêu cầu khác.".into()
            }
            EngineError::Command(CommandError::SequenceExhausted { unit, date }) => {
                format!("Đơn vị {unit} đã hết số hồ sơ trong ngày {date}.")
            }
            EngineError::Calendar(e) => format!("Lỗi lịch làm việc: {e}."),
            EngineError::ProcedureNotFound(c) => format!("Không có thủ tục {c} đang có hiệu lực."),
            EngineError::NoDeadline => "Hồ sơ chưa được tiếp nhận nên chưa có hạn xử lý.".into(),
            EngineError::InvalidDocument("empty_document") => "Tệp rỗng.".into(),
            EngineError::InvalidDocument("document_too_large") => {
                "Tệp quá lớn (tối đa 20 MB).".into()
            }
            EngineError::Text(e) => e.message_vi(),
            EngineError::InvalidApplicationData(errors) => {
                motcua_domain::dossier::DossierError::InvalidApplicationData(errors.clone())
                    .message_vi()
            }
            EngineError::CompetentUnitOutsideProvince(u) => {
                format!("{u} không phải là tỉnh hay xã, phường của tỉnh nơi tiếp nhận hồ sơ.")
            }
            EngineError::InvalidDocument(_) => {
                "Loại tệp không được chấp nhận (PDF, JPEG, PNG, TIFF, WebP, DOCX, XLSX).".into()
            }
        }
    }
}
