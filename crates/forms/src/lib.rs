//! # motcua-forms — printable PDF forms of the one-stop shop
//!
//! The forms of **Circular 03/2025/TT-VPCP, Appendix I** (guiding **Decree
//! 118/2025/NĐ-CP** on the one-stop and inter-linked one-stop mechanism),
//! as far as the public record shows:
//!
//! | form | function | data |
//! |---|---|---|
//! | Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả | [`receipt_slip`] | [`ReceiptSlip`] |
//! | Mẫu 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ | [`supplement_request`] | [`SupplementRequest`] |
//! | Mẫu 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ | [`refusal`] | [`Refusal`] |
//! | Mẫu 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả | [`apology`] | [`Apology`] |
//! | Mẫu 05 Thông báo dừng giải quyết hồ sơ | [`stop_notice`] | [`StopNotice`] |
//! | Mẫu 06 Phiếu kiểm soát quá trình giải quyết hồ sơ | [`control_sheet`] | [`ControlSheet`] |
//!
//! Pure functions from data to PDF bytes: no I/O, no clock (every date and
//! time is passed in, as Vietnam local time), and the same input gives the
//! same bytes (document identifiers are content hashes, the creation date
//! is the form's date). A4 portrait, the margins and typeface of Decree
//! 30/2020/NĐ-CP (Liberation Serif, metric-compatible with Times New Roman,
//! compiled into the binary and embedded as a subset: the text is
//! searchable and copies as Vietnamese). Long text wraps and flows onto
//! further pages; a field is cut at 2,000 characters; empty fields print as
//! dotted blanks; no input makes these functions panic.
//!
//! The data types are plain (strings, `chrono` dates): the caller resolves
//! unit and agency names and converts instants to Vietnam time. With the
//! default `domain` feature, `From` conversions take the domain's
//! document forms, return ways, timeliness and applicants (the dependency
//! points inward: this crate depends on `motcua-domain`, never the reverse).
//!
//! ```
//! use chrono::NaiveDate;
//! use motcua_forms::{refusal, Applicant, Heading, Refusal};
//!
//! let form = Refusal {
//!     heading: Heading {
//!         parent: "Ủy ban nhân dân\nphường Nùng Trí Cao".into(),
//!         unit: "Trung tâm Phục vụ hành chính công".into(),
//!         number: None,
//!         place: "Cao Bằng".into(),
//!         date: NaiveDate::from_ymd_opt(2026, 10, 9).expect("date"),
//!     },
//!     dossier_code: None,
//!     applicant: Applicant { name: "Bế Văn Dũng".into(), ..Applicant::default() },
//!     procedure: "Cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
//!     reason: "Không thuộc thẩm quyền giải quyết của phường.".into(),
//!     officer: None,
//! };
//! let pdf: Vec<u8> = refusal(&form)?;
//! assert!(pdf.starts_with(b"%PDF-"));
//! # Ok::<(), motcua_forms::FormError>(())
//! ```

#[cfg(feature = "domain")]
mod convert;
mod forms;
mod layout;
mod model;
mod pdf;
mod qr;
mod report;
mod text;

pub use model::{
    Apology, Applicant, ControlRow, ControlSheet, DocumentForm, Fee, FormSection, Heading,
    ReceiptSlip, ReceivedDocument, Refusal, ReturnWay, Signer, StepResult, StopNotice,
    SupplementRequest,
};
pub use report::{monthly_report, MonthlyReport, ReportColumn, ReportSection};

use layout::Op;

/// Why a form could not be rendered. Not expected with the bundled fonts;
/// reported rather than panicking.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("the bundled font could not be loaded")]
    Font,
    #[error("page layout failed")]
    Layout,
    #[error("PDF serialization failed: {0}")]
    Pdf(String),
}

fn render(
    pages: impl FnOnce(&text::Fonts) -> Vec<Vec<Op>>,
    title: &str,
    code: Option<&str>,
    date: chrono::NaiveDate,
) -> Result<Vec<u8>, FormError> {
    let fonts = text::Fonts::load()?;
    let pages = pages(&fonts);
    let code = code.map(text::clean).filter(|c| !c.is_empty());
    let subject = match &code {
        Some(c) => format!("Mã hồ sơ {c}"),
        None => String::new(),
    };
    let title = match &code {
        Some(c) => format!("{title} – {c}"),
        None => title.to_string(),
    };
    pdf::write(
        &fonts,
        &pages,
        &pdf::Info {
            title: &title,
            subject: &subject,
            date,
        },
    )
}

/// Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả, with a QR code of the
/// tracking address (Circular 03/2025/TT-VPCP, Appendix I; Decree
/// 118/2025/NĐ-CP).
pub fn receipt_slip(form: &ReceiptSlip) -> Result<Vec<u8>, FormError> {
    render(
        |f| forms::receipt(f, form),
        forms::TITLE_01,
        Some(&form.dossier_code),
        form.heading.date,
    )
}

/// Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Circular
/// 03/2025/TT-VPCP, Appendix I).
pub fn supplement_request(form: &SupplementRequest) -> Result<Vec<u8>, FormError> {
    render(
        |f| forms::supplement(f, form),
        forms::TITLE_02,
        form.dossier_code.as_deref(),
        form.heading.date,
    )
}

/// Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ (Circular
/// 03/2025/TT-VPCP, Appendix I).
pub fn refusal(form: &Refusal) -> Result<Vec<u8>, FormError> {
    render(
        |f| forms::refusal(f, form),
        forms::TITLE_03,
        form.dossier_code.as_deref(),
        form.heading.date,
    )
}

/// Mẫu 04 — Phiếu xin lỗi và hẹn lại ngày trả kết quả (Circular
/// 03/2025/TT-VPCP, Appendix I; Decree 118/2025/NĐ-CP: issued no later than
/// one working day before the due date, a new date only once).
pub fn apology(form: &Apology) -> Result<Vec<u8>, FormError> {
    render(
        |f| forms::apology(f, form),
        forms::TITLE_04,
        Some(&form.dossier_code),
        form.heading.date,
    )
}

/// Mẫu 05 — Thông báo dừng giải quyết hồ sơ (Circular 03/2025/TT-VPCP,
/// Appendix I).
pub fn stop_notice(form: &StopNotice) -> Result<Vec<u8>, FormError> {
    render(
        |f| forms::stop(f, form),
        forms::TITLE_05,
        Some(&form.dossier_code),
        form.heading.date,
    )
}

/// Mẫu 06 — Phiếu kiểm soát quá trình giải quyết hồ sơ, one row per
/// hand-over (Circular 03/2025/TT-VPCP, Appendix I).
pub fn control_sheet(form: &ControlSheet) -> Result<Vec<u8>, FormError> {
    render(
        |f| forms::control(f, form),
        forms::TITLE_06,
        Some(&form.dossier_code),
        form.heading.date,
    )
}
