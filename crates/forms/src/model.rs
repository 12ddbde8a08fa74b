//! The data each form prints. Plain strings and dates: the caller (engine,
//! server) resolves names and converts instants to Vietnam local time
//! (UTC+7) before rendering; this crate reads no clock.
//!
//! Text is printed as given after clean-up (Unicode NFC, control characters
//! dropped, at most 2,000 characters per field); an empty field prints as a
//! dotted blank to be filled in by hand.

use chrono::{NaiveDate, NaiveDateTime};

/// Phần đầu — the heading shared by every form of Circular 03/2025/TT-VPCP,
/// Appendix I: the issuing body top left, the national title top right, and
/// the place and date line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// Cơ quan chủ quản, e.g. "Ủy ban nhân dân\nphường Nùng Trí Cao"
    /// (printed in capitals; a line break chooses where the line breaks).
    pub parent: String,
    /// Cơ quan, đơn vị ban hành, e.g. "Trung tâm Phục vụ hành chính
    /// công\nphường Nùng Trí Cao" (printed in bold capitals). Also used
    /// inside sentences ("… tiếp nhận hồ sơ của …", line breaks become
    /// spaces), so give it in sentence case.
    pub unit: String,
    /// Số, ký hiệu, e.g. "125/PTN"; None prints "Số: …/…".
    pub number: Option<String>,
    /// Địa danh, e.g. "Cao Bằng".
    pub place: String,
    /// The date of the form.
    pub date: NaiveDate,
}

/// The person or organisation the dossier belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applicant {
    /// Họ và tên / tên tổ chức.
    pub name: String,
    /// Số định danh cá nhân (12 digits) or the organisation's code.
    pub personal_id: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Hình thức of a document received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentForm {
    /// Bản chính.
    Original,
    /// Bản sao.
    Copy,
    /// Bản sao có chứng thực.
    CertifiedCopy,
    /// Bản chính hoặc bản sao có chứng thực.
    OriginalOrCertifiedCopy,
    /// Bản chụp.
    Photocopy,
    /// Bản điện tử.
    Electronic,
}

impl DocumentForm {
    /// The label printed in the documents table of Mẫu 01.
    pub fn label_vi(self) -> &'static str {
        match self {
            DocumentForm::Original => "Bản chính",
            DocumentForm::Copy => "Bản sao",
            DocumentForm::CertifiedCopy => "Bản sao có chứng thực",
            DocumentForm::OriginalOrCertifiedCopy => "Bản chính hoặc bản sao có chứng thực",
            DocumentForm::Photocopy => "Bản chụp",
            DocumentForm::Electronic => "Bản điện tử",
        }
    }
}

/// A line of the documents table of Mẫu 01.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedDocument {
    /// Tên loại giấy tờ, e.g. "Tờ khai đăng ký khai sinh".
    pub name: String,
    pub form: DocumentForm,
    /// Số lượng.
    pub count: u32,
}

/// Hình thức nhận kết quả.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnWay {
    /// Trực tiếp tại Bộ phận Một cửa.
    Counter,
    /// Qua dịch vụ bưu chính công ích.
    Post,
    /// Trực tuyến (kết quả điện tử).
    Online,
}

impl ReturnWay {
    pub fn label_vi(self) -> &'static str {
        match self {
            ReturnWay::Counter => "Nhận trực tiếp tại Bộ phận Một cửa",
            ReturnWay::Post => "Nhận qua dịch vụ bưu chính công ích",
            ReturnWay::Online => "Nhận trực tuyến (kết quả điện tử)",
        }
    }
}

/// Phí, lệ phí.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fee {
    /// Không thu phí, lệ phí.
    None,
    /// An amount in đồng.
    Vnd(u64),
    /// Free text, e.g. "Theo Nghị quyết số 12/2025/NQ-HĐND".
    Text(String),
}

/// Mẫu số 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Circular
/// 03/2025/TT-VPCP, Appendix I; issued when a complete dossier is received,
/// Decree 118/2025/NĐ-CP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptSlip {
    pub heading: Heading,
    /// Mã hồ sơ, e.g. "H15.50.05.13-261008-0975".
    pub dossier_code: String,
    /// Public tracking address encoded in the QR code (and printed).
    pub tracking_url: String,
    pub applicant: Applicant,
    /// Nội dung yêu cầu giải quyết: the procedure's name.
    pub procedure: String,
    /// National procedure code, e.g. "1.001193".
    pub procedure_code: Option<String>,
    /// Thành phần hồ sơ: the documents received.
    pub documents: Vec<ReceivedDocument>,
    /// Số lượng hồ sơ (bộ).
    pub sets: u32,
    /// Thời gian giải quyết theo quy định, e.g. "03 ngày làm việc".
    pub processing_time: Option<String>,
    /// Thời gian nhận hồ sơ (Vietnam time).
    pub received_at: NaiveDateTime,
    /// Thời gian trả kết quả (Vietnam time).
    pub appointment: NaiveDateTime,
    /// Printed under the appointment when it is an estimate, e.g. its
    /// year's days off are not yet decided by the Government.
    pub appointment_note: Option<String>,
    /// Nơi trả kết quả, e.g. "Trung tâm Phục vụ hành chính công phường
    /// Nùng Trí Cao, số 1 Hoàng Đình Giong".
    pub return_place: String,
    pub return_way: ReturnWay,
    pub fee: Fee,
    /// Vào sổ theo dõi hồ sơ: quyển số, số thứ tự (free text).
    pub register_entry: Option<String>,
    /// Người tiếp nhận hồ sơ (name printed under the signature).
    pub receiver: Option<String>,
    /// Thông tin tờ khai — the application data, by group, as a person
    /// reads it (names, not codes; dates dd/mm/yyyy). Printed after the
    /// procedure line when not empty.
    pub application_data: Vec<FormSection>,
}

/// Một nhóm thông tin tờ khai — a titled group of (label, value) lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormSection {
    pub title: String,
    pub lines: Vec<(String, String)>,
}

/// Mẫu số 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Circular
/// 03/2025/TT-VPCP, Appendix I): what the applicant must supply and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplementRequest {
    pub heading: Heading,
    pub dossier_code: Option<String>,
    pub applicant: Applicant,
    pub procedure: String,
    /// When the dossier was received, if it was (Vietnam time).
    pub received_at: Option<NaiveDateTime>,
    /// Nội dung yêu cầu bổ sung, hoàn thiện: one line per item.
    pub items: Vec<String>,
    /// Lý do.
    pub reason: String,
    /// Whom to contact with questions, e.g. "Bà Hoàng Thị Mai, số điện
    /// thoại 0206 3852 xxx".
    pub contact: Option<String>,
    /// Người hướng dẫn (name printed under the signature).
    pub officer: Option<String>,
}

/// Mẫu số 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ (Circular
/// 03/2025/TT-VPCP, Appendix I).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub heading: Heading,
    pub dossier_code: Option<String>,
    pub applicant: Applicant,
    pub procedure: String,
    /// Lý do từ chối (may hold several lines).
    pub reason: String,
    /// Người tiếp nhận hồ sơ (name printed under the signature).
    pub officer: Option<String>,
}

/// The signer of a letter: title line(s) and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// Quyền hạn, chức vụ, e.g. "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH" or "GIÁM ĐỐC"
    /// (line breaks kept).
    pub title: String,
    pub name: Option<String>,
}

/// Mẫu số 04 — the apology with a new appointment (Phiếu xin lỗi và hẹn lại
/// ngày trả kết quả; Circular 03/2025/TT-VPCP, Appendix I, which lists this
/// form as "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết").
/// Issued no later than one working day before the due date (Decree
/// 118/2025/NĐ-CP); a new date may be set only once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apology {
    pub heading: Heading,
    /// Kính gửi: the applicant's name ("Ông/Bà …" is added).
    pub addressee: String,
    pub personal_id: Option<String>,
    /// Ngày tiếp nhận hồ sơ.
    pub received_on: NaiveDate,
    pub procedure: String,
    pub dossier_code: String,
    /// Thời hạn trả kết quả in Mẫu 01 (Vietnam time).
    pub original_appointment: NaiveDateTime,
    /// Lý do chậm trễ.
    pub reason: String,
    /// Ngày hẹn trả kết quả mới (Vietnam time).
    pub new_appointment: NaiveDateTime,
    pub signer: Signer,
    /// Nơi nhận, e.g. ["Như trên", "Lưu: VT"].
    pub recipients: Vec<String>,
}

/// Mẫu số 05 — Thông báo dừng giải quyết hồ sơ (Circular 03/2025/TT-VPCP,
/// Appendix I): the applicant withdrew, or processing stops, before a
/// decision exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopNotice {
    pub heading: Heading,
    pub addressee: String,
    pub personal_id: Option<String>,
    pub received_on: NaiveDate,
    pub procedure: String,
    pub dossier_code: String,
    /// Căn cứ, e.g. "Đơn đề nghị dừng giải quyết hồ sơ của ông/bà ngày
    /// 10/10/2026".
    pub basis: Option<String>,
    /// Lý do dừng giải quyết.
    pub reason: String,
    /// What happens to the documents, e.g. "Hồ sơ được trả lại tại Bộ phận
    /// Một cửa".
    pub note: Option<String>,
    pub signer: Signer,
    pub recipients: Vec<String>,
}

/// Kết quả of one step on the control sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepResult {
    /// Trước hạn.
    Early,
    /// Đúng hạn.
    OnTime,
    /// Quá hạn (finished late).
    Late,
    /// Đang xử lý (in time so far).
    InProgress,
    /// Đang xử lý, quá hạn.
    Overdue,
}

impl StepResult {
    pub fn label_vi(self) -> &'static str {
        match self {
            StepResult::Early => "Trước hạn",
            StepResult::OnTime => "Đúng hạn",
            StepResult::Late => "Quá hạn",
            StepResult::InProgress => "Đang xử lý",
            StepResult::Overdue => "Đang xử lý, quá hạn",
        }
    }
}

/// One hand-over on the control sheet: the agency or step that held the
/// dossier, when it received it and when it handed it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRow {
    /// Tên cơ quan / bộ phận, e.g. "Trung tâm Phục vụ hành chính công".
    pub agency: String,
    /// The step, e.g. "Tiếp nhận", "Thẩm định".
    pub step: Option<String>,
    /// Người xử lý.
    pub officer: Option<String>,
    /// Nhận hồ sơ (Vietnam time).
    pub received_at: Option<NaiveDateTime>,
    /// Giao hồ sơ (Vietnam time); None while the agency still holds it.
    pub handed_over_at: Option<NaiveDateTime>,
    pub result: Option<StepResult>,
    /// Ghi chú, e.g. "Chuyển trả để bổ sung".
    pub note: Option<String>,
}

/// Mẫu số 06 — Phiếu kiểm soát quá trình giải quyết hồ sơ (Circular
/// 03/2025/TT-VPCP, Appendix I): travels with the dossier, one row per
/// hand-over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlSheet {
    pub heading: Heading,
    pub dossier_code: String,
    pub applicant: String,
    pub procedure: String,
    pub received_at: NaiveDateTime,
    /// Ngày hẹn trả kết quả (Mẫu 01).
    pub appointment: NaiveDateTime,
    /// Ngày hẹn lại (Mẫu 04), if any.
    pub new_appointment: Option<NaiveDateTime>,
    pub rows: Vec<ControlRow>,
}
