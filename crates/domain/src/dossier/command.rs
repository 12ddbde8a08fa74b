//! Lệnh — what actors ask of a dossier. [`super::decide`] turns a command
//! into events or refuses it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::code::{DossierCode, UnitId};
use super::role::UserId;
use super::time::ts;
use crate::procedure::{AgencyRef, ApplicationData, DocumentForm, ProcedureSnapshot};

/// Kênh nộp — how the dossier arrived (domain.md §2: 1 in person, 2 online,
/// 3 public postal service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 1 — trực tiếp.
    InPerson,
    /// 2 — trực tuyến.
    Online,
    /// 3 — qua dịch vụ bưu chính công ích.
    Post,
}

impl Channel {
    pub fn code(self) -> u8 {
        match self {
            Channel::InPerson => 1,
            Channel::Online => 2,
            Channel::Post => 3,
        }
    }

    /// Hình thức trả kết quả mặc định — a dossier's result goes back the
    /// way it came unless the applicant chose otherwise: a fully online
    /// (toàn trình) dossier's online (Decree 42/2022/NĐ-CP), a postal one's
    /// by post, a paper one's at the counter.
    pub fn default_return_way(self) -> ReturnWay {
        match self {
            Channel::InPerson => ReturnWay::Counter,
            Channel::Online => ReturnWay::Online,
            Channel::Post => ReturnWay::Post,
        }
    }
}

/// Số định danh cá nhân — the 12-digit personal identification number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonalId(String);

/// A string that is not a 12-digit personal identification number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid personal identification number: expected 12 digits")]
pub struct InvalidPersonalId;

impl PersonalId {
    pub fn parse(s: &str) -> Result<Self, InvalidPersonalId> {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(PersonalId(s.to_string()))
        } else {
            Err(InvalidPersonalId)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for PersonalId {
    type Error = InvalidPersonalId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PersonalId::parse(&s)
    }
}
impl From<PersonalId> for String {
    fn from(p: PersonalId) -> String {
        p.0
    }
}

/// Người nộp hồ sơ — the applicant (person or organisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub name: String,
    pub personal_id: Option<PersonalId>,
    /// The portal account, if any; applicant commands must come from it.
    pub user: Option<UserId>,
}

/// Giấy tờ đã nhận — a document received (a line of Mẫu 01).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedDocument {
    pub name_vi: String,
    pub form: DocumentForm,
    pub count: u32,
}

/// The data that opens a dossier. The code is allocated by the store
/// (atomic daily sequence per unit); its unit is the receiving unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDossier {
    pub code: DossierCode,
    pub procedure: ProcedureSnapshot,
    /// Cơ quan có thẩm quyền giải quyết — differs from the receiving unit
    /// for boundary-free receipt.
    pub competent_unit: UnitId,
    pub applicant: Applicant,
    pub documents: Vec<ReceivedDocument>,
    /// Tờ khai — the structured details, checked against the snapshot's
    /// form schema. `None`: none given in structured form (the declaration
    /// is on paper among the documents, or the client predates form
    /// schemas); `Some` must satisfy the schema whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_data: Option<ApplicationData>,
}

/// Kết quả thẩm định.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppraisalOutcome {
    /// Đủ điều kiện — draft the result.
    Eligible,
    /// Không đủ điều kiện — the result is a written answer with reasons.
    Ineligible { reason: String },
}

/// Hình thức trả kết quả.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnWay {
    /// Tại Trung tâm.
    Counter,
    /// Qua bưu chính.
    Post,
    /// Trực tuyến (kết quả điện tử).
    Online,
}

/// Mức độ hài lòng.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Rất hài lòng.
    VerySatisfied,
    /// Hài lòng.
    Satisfied,
    /// Không hài lòng.
    NotSatisfied,
}

/// Loại tài liệu — what a stored document is to the dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Thành phần hồ sơ — a component uploaded by the applicant or at the counter.
    Component,
    /// Bản số hóa — a scan of a paper component made at the Center
    /// (Circular 01/2023/TT-VPCP).
    Digitized,
    /// Kết quả giải quyết — the result document.
    Result,
}

/// Tài liệu — a stored file, addressed by its SHA-256: the bytes live in the
/// blob store, this reference in the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    /// Lowercase hex SHA-256 of the content (64 characters).
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    /// The document's name, e.g. "Giấy chứng sinh".
    pub name: String,
    pub kind: DocumentKind,
    /// An electronic original (kết quả điện tử / bản điện tử) rather than a
    /// scan of paper.
    pub electronic: bool,
}

impl DocumentRef {
    pub(crate) fn is_valid_hash(&self) -> bool {
        self.sha256.len() == 64
            && self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }
}

/// Lệnh — a command on a dossier. Timestamps are UTC; they are truncated to
/// microseconds when recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Nộp trực tuyến — submitted on the portal (status 1).
    SubmitOnline { dossier: NewDossier },
    /// Tiếp nhận trực tiếp / qua bưu chính — received at the counter or by
    /// post, to be checked (status 1).
    ReceiveAtCounter { dossier: NewDossier, by_post: bool },
    /// Tiếp nhận hồ sơ đầy đủ — accept the complete dossier and issue Mẫu 01
    /// with the appointment (computed by the caller from the calendar).
    Accept {
        #[serde(with = "ts")]
        appointment: DateTime<Utc>,
        /// Số trang đã số hóa.
        pages_digitized: u32,
    },
    /// Yêu cầu bổ sung, hoàn thiện hồ sơ — Mẫu 02 (at receipt, or while
    /// appraising).
    RequestSupplement {
        reason: String,
        documents: Vec<String>,
    },
    /// Từ chối tiếp nhận — Mẫu 03, with the reason.
    Refuse { reason: String },
    /// Đã bổ sung — the supplement arrived. `appointment`: the recomputed
    /// appointment when the clock restarts (configurable policy; the
    /// caller computes it).
    ProvideSupplement {
        documents: Vec<String>,
        #[serde(with = "ts::option")]
        appointment: Option<DateTime<Utc>>,
    },
    /// Chuyển hồ sơ — hand over to the next agency of the workflow (Mẫu 06
    /// row); also closes an external (liên thông) leg.
    Transfer { to: AgencyRef },
    /// Phân công — assign to an officer.
    Assign { assignee: UserId },
    /// Phân công lại — a head of the competent unit moves the dossier from
    /// its assignee (absent, or the wrong official) to another, with why.
    Reassign { assignee: UserId, reason: String },
    /// Thẩm định xong.
    Appraise { outcome: AppraisalOutcome },
    /// Xem xét — đồng ý.
    ReviewOk,
    /// Trả lại để thẩm định lại.
    SendBack { reason: String },
    /// Phê duyệt, ký số.
    Approve,
    /// Vào số, đóng dấu, phát hành kết quả.
    IssueResult { number: String, register: String },
    /// Yêu cầu thực hiện nghĩa vụ tài chính.
    RequestPayment {
        amount_vnd: u64,
        description: String,
    },
    /// Đã thanh toán. `appointment`: the appointment moved by the working
    /// time spent awaiting payment (the caller computes it; the pause does
    /// not count against the unit, Decree 118/2025/NĐ-CP).
    ConfirmPayment {
        amount_vnd: u64,
        receipt: String,
        #[serde(default, with = "ts::option")]
        appointment: Option<DateTime<Utc>>,
    },
    /// Phiếu xin lỗi và hẹn lại ngày trả kết quả — Mẫu 04; at most once.
    NotifyLate {
        reason: String,
        #[serde(with = "ts")]
        new_appointment: DateTime<Utc>,
    },
    /// Đề nghị dừng / rút hồ sơ — Mẫu 05; only while no decision exists.
    Withdraw { reason: Option<String> },
    /// Dừng xử lý — processing stops at the applicant's request, made in
    /// writing to the Center (at the counter, by post) or from their portal
    /// account, after acceptance and while no decision exists; final
    /// (status 8), answered by the stop notice, Mẫu 05 (Decree
    /// 118/2025/NĐ-CP; Circular 03/2025/TT-VPCP, Appendix I). `reason`: what
    /// the applicant's request says. Not a switch of the agency: nothing
    /// resumes a stopped dossier; the applicant files a new one.
    Stop { reason: String },
    /// Trả kết quả.
    ReturnResult { way: ReturnWay },
    /// Đính kèm tài liệu — attach a stored document (component, scan or result).
    AttachDocument { document: DocumentRef },
    /// Đánh giá mức độ hài lòng — only after return, once.
    Rate {
        rating: Rating,
        comment: Option<String>,
    },
    /// Gia hạn thời hạn giải quyết — apply the procedure's limit extension
    /// number `extension` (e.g. verification needed: 3 → 23 days), with a
    /// reason; at most once per dossier. The caller computes `appointment`.
    ExtendLimit {
        extension: usize,
        reason: String,
        #[serde(with = "ts")]
        appointment: DateTime<Utc>,
    },
    /// Ngày dấu bưu điện — the postmark date of a postal dossier, recorded
    /// before acceptance: the deadline runs from it.
    RecordPostmark { date: NaiveDate },
}

impl Command {
    /// Stable name of the command (snake_case).
    pub fn name(&self) -> &'static str {
        match self {
            Command::SubmitOnline { .. } => "submit_online",
            Command::ReceiveAtCounter { .. } => "receive_at_counter",
            Command::Accept { .. } => "accept",
            Command::RequestSupplement { .. } => "request_supplement",
            Command::Refuse { .. } => "refuse",
            Command::ProvideSupplement { .. } => "provide_supplement",
            Command::Transfer { .. } => "transfer",
            Command::Assign { .. } => "assign",
            Command::Reassign { .. } => "reassign",
            Command::Appraise { .. } => "appraise",
            Command::ReviewOk => "review_ok",
            Command::SendBack { .. } => "send_back",
            Command::Approve => "approve",
            Command::IssueResult { .. } => "issue_result",
            Command::RequestPayment { .. } => "request_payment",
            Command::ConfirmPayment { .. } => "confirm_payment",
            Command::NotifyLate { .. } => "notify_late",
            Command::Withdraw { .. } => "withdraw",
            Command::Stop { .. } => "stop",
            Command::ReturnResult { .. } => "return_result",
            Command::AttachDocument { .. } => "attach_document",
            Command::Rate { .. } => "rate",
            Command::ExtendLimit { .. } => "extend_limit",
            Command::RecordPostmark { .. } => "record_postmark",
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
