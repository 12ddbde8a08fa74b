//! The six forms rendered from sample data, read back from the PDF and
//! compared with text snapshots under `tests/snapshots/`
//! (`UPDATE_SNAPSHOTS=1 cargo test -p motcua-forms` rewrites them).

mod fixtures;
mod pdftext;

use std::path::PathBuf;

use fixtures::{at, date, CODE, URL};
use motcua_forms::*;

fn snapshot(name: &str, pdf: &[u8]) {
    let actual = pdftext::text(pdf);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    if actual != expected {
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .map_or_else(
                || {
                    format!(
                        "lengths differ: {} vs {} lines",
                        actual.lines().count(),
                        expected.lines().count()
                    )
                },
                |i| {
                    format!(
                        "line {}:\n  actual:   {:?}\n  expected: {:?}",
                        i + 1,
                        actual.lines().nth(i).unwrap_or_default(),
                        expected.lines().nth(i).unwrap_or_default()
                    )
                },
            );
        panic!(
            "{name} differs from {} at {line}\n--- actual ---\n{actual}",
            path.display()
        );
    }
}

/// The text with line breaks as spaces: wrapped sentences read whole.
fn flat(text: &str) -> String {
    text.replace('\n', " ")
}

#[test]
fn mau01_receipt_slip() {
    let pdf = receipt_slip(&fixtures::receipt()).expect("pdf");
    assert_eq!(pdftext::pages(&pdf), 1);
    snapshot("mau01", &pdf);
}

#[test]
fn mau02_supplement_request() {
    let pdf = supplement_request(&fixtures::supplement()).expect("pdf");
    assert_eq!(pdftext::pages(&pdf), 1);
    snapshot("mau02", &pdf);
}

#[test]
fn mau03_refusal() {
    let pdf = refusal(&fixtures::refusal()).expect("pdf");
    assert_eq!(pdftext::pages(&pdf), 1);
    snapshot("mau03", &pdf);
}

#[test]
fn mau04_apology() {
    let pdf = apology(&fixtures::apology()).expect("pdf");
    assert_eq!(pdftext::pages(&pdf), 1);
    snapshot("mau04", &pdf);
}

#[test]
fn mau05_stop_notice() {
    let pdf = stop_notice(&fixtures::stop_notice()).expect("pdf");
    assert_eq!(pdftext::pages(&pdf), 1);
    snapshot("mau05", &pdf);
}

#[test]
fn mau06_control_sheet() {
    let pdf = control_sheet(&fixtures::control()).expect("pdf");
    assert_eq!(pdftext::pages(&pdf), 1);
    snapshot("mau06", &pdf);
}

#[test]
fn qr_code_decodes_to_the_tracking_url() {
    let pdf = receipt_slip(&fixtures::receipt()).expect("pdf");
    assert_eq!(pdftext::decode_qr(&pdf).as_deref(), Some(URL));
    assert_eq!(pdftext::link_uris(&pdf), vec![URL.to_string()]);
    assert!(pdftext::text(&pdf).contains(URL));
}

#[test]
fn vietnamese_survives_extraction_exactly() {
    let mut form = fixtures::receipt();
    form.applicant.name = "Nùng Trí Cao".into();
    form.applicant.address = Some("Phường Nùng Trí Cao, tỉnh Cao Bằng".into());
    // Decomposed input (combining marks, as some keyboards type it) comes
    // out precomposed.
    form.procedure = "Đăng ky\u{301} khai sinh cho con ông Ho\u{300}a và bà Ngọc Xuân".into();
    form.applicant.email = Some(
        "ăâđêôơư ĂÂĐÊÔƠƯ àảãáạ ằẳẵắặ ầẩẫấậ ềểễếệ ìỉĩíị ồổỗốộ ờởỡớợ ùủũúụ ừửữứự ỳỷỹýỵ ₫".into(),
    );
    let text = flat(&pdftext::text(&receipt_slip(&form).expect("pdf")));
    for s in [
        "Nùng Trí Cao",
        "Địa chỉ: Phường Nùng Trí Cao, tỉnh Cao Bằng",
        "Đăng ký khai sinh cho con ông Hòa và bà Ngọc Xuân",
        "Email: ăâđêôơư ĂÂĐÊÔƠƯ àảãáạ ằẳẵắặ ầẩẫấậ ềểễếệ ìỉĩíị ồổỗốộ ờởỡớợ ùủũúụ ừửữứự ỳỷỹýỵ ₫",
        "ỦY BAN NHÂN DÂN",
        "PHƯỜNG NÙNG TRÍ CAO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Cao Bằng, ngày 08 tháng 10 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Mẫu số 01",
    ] {
        assert!(text.contains(s), "{s:?} not found in:\n{text}");
    }
}

#[test]
fn rendering_is_deterministic() {
    let a = receipt_slip(&fixtures::receipt()).expect("pdf");
    let b = receipt_slip(&fixtures::receipt()).expect("pdf");
    assert_eq!(a, b);
    let c = control_sheet(&fixtures::control()).expect("pdf");
    assert_eq!(c, control_sheet(&fixtures::control()).expect("pdf"));
    let mut other = fixtures::receipt();
    other.dossier_code = "H15.50.05.13-261008-0976".into();
    assert_ne!(a, receipt_slip(&other).expect("pdf"));
}

#[test]
fn fonts_are_embedded_as_small_subsets() {
    for pdf in [
        receipt_slip(&fixtures::receipt()).expect("pdf"),
        control_sheet(&fixtures::control()).expect("pdf"),
    ] {
        assert!(pdf.len() < 80_000, "{} bytes", pdf.len());
        let raw = String::from_utf8_lossy(&pdf);
        assert!(raw.contains("LiberationSerif"), "font not embedded");
        assert!(raw.contains("/FontFile2"), "font program not embedded");
    }
}

fn empty_heading() -> Heading {
    Heading {
        parent: String::new(),
        unit: String::new(),
        number: None,
        place: String::new(),
        date: date(2026, 1, 1),
    }
}

#[test]
fn empty_input_renders_blanks() {
    let t = at(2026, 1, 1, 0, 0);
    let pdf = receipt_slip(&ReceiptSlip {
        heading: empty_heading(),
        dossier_code: String::new(),
        tracking_url: String::new(),
        applicant: Applicant::default(),
        procedure: String::new(),
        procedure_code: None,
        documents: vec![],
        sets: 0,
        processing_time: None,
        received_at: t,
        appointment: t,
        appointment_note: None,
        return_place: String::new(),
        return_way: ReturnWay::Online,
        fee: Fee::Text(String::new()),
        register_entry: None,
        receiver: None,
        application_data: vec![],
    })
    .expect("pdf");
    assert_eq!(pdftext::pages(&pdf), 1);
    assert!(pdftext::decode_qr(&pdf).is_none());
    assert!(pdftext::link_uris(&pdf).is_empty());
    let text = pdftext::text(&pdf);
    let blank = "…".repeat(12);
    assert!(text.contains(&format!("Mã hồ sơ: {blank}")), "{text}");
    assert!(text.contains("(Không có giấy tờ)"), "{text}");
    assert!(text.contains("Số: ……/……"), "{text}");
    assert!(text.contains("……………, ngày 01 tháng 01 năm 2026"), "{text}");

    let applicant = Applicant::default();
    supplement_request(&SupplementRequest {
        heading: empty_heading(),
        dossier_code: None,
        applicant: applicant.clone(),
        procedure: String::new(),
        received_at: None,
        items: vec![],
        reason: String::new(),
        contact: None,
        officer: None,
    })
    .expect("pdf");
    refusal(&Refusal {
        heading: empty_heading(),
        dossier_code: None,
        applicant,
        procedure: String::new(),
        reason: String::new(),
        officer: None,
    })
    .expect("pdf");
    let signer = Signer {
        title: String::new(),
        name: None,
    };
    apology(&Apology {
        heading: empty_heading(),
        addressee: String::new(),
        personal_id: None,
        received_on: date(2026, 1, 1),
        procedure: String::new(),
        dossier_code: String::new(),
        original_appointment: t,
        reason: String::new(),
        new_appointment: t,
        signer: signer.clone(),
        recipients: vec![],
    })
    .expect("pdf");
    stop_notice(&StopNotice {
        heading: empty_heading(),
        addressee: String::new(),
        personal_id: None,
        received_on: date(2026, 1, 1),
        procedure: String::new(),
        dossier_code: String::new(),
        basis: None,
        reason: String::new(),
        note: None,
        signer,
        recipients: vec![String::new()],
    })
    .expect("pdf");
    let pdf = control_sheet(&ControlSheet {
        heading: empty_heading(),
        dossier_code: String::new(),
        applicant: String::new(),
        procedure: String::new(),
        received_at: t,
        appointment: t,
        new_appointment: None,
        rows: vec![],
    })
    .expect("pdf");
    assert_eq!(pdftext::pages(&pdf), 1);
}

#[test]
fn hostile_input_wraps_paginates_and_never_panics() {
    let word = "Nùng".repeat(3_000); // one 12,000-character word, cut at 2,000
    let mixed =
        "Hòa 😀 中文 עברית \u{202E}bidi\u{0} tab\tnewline\n \u{FEFF}zero\u{200B}width \u{E000}"
            .repeat(40);
    let mut form = fixtures::receipt();
    form.heading.parent = word.clone();
    form.heading.unit = mixed.clone();
    form.heading.place = word.clone();
    form.applicant.name = word.clone();
    form.procedure = mixed.clone();
    form.tracking_url = format!("https://motcua.example.vn/{}", "x".repeat(5_000)); // too long for a QR code
    form.documents = (0..120)
        .map(|i| ReceivedDocument {
            name: format!(
                "Giấy tờ số {i}: {}",
                if i % 10 == 0 {
                    &word
                } else {
                    "Bản sao Giấy khai sinh"
                }
            ),
            form: DocumentForm::Photocopy,
            count: u32::MAX,
        })
        .collect();
    form.sets = u32::MAX;
    form.fee = Fee::Vnd(u64::MAX);
    let pdf = receipt_slip(&form).expect("pdf");
    let pages = pdftext::pages(&pdf);
    assert!(pages > 3, "{pages} pages");
    let text = pdftext::text(&pdf);
    assert!(text.contains(&format!("Trang 1/{pages}")));
    assert!(text.contains(&format!("Trang {pages}/{pages}")));
    assert!(pdftext::decode_qr(&pdf).is_none());
    assert!(!text.contains('\u{202E}') && !text.contains('\u{0}'));
    // Every run stays on the page.
    for run in pdftext::runs(&pdf) {
        assert!(run.x >= 0.0 && run.x + run.width <= 595.3 + 0.5, "{run:?}");
        assert!(run.y > 0.0 && run.y < 841.9, "{run:?}");
    }

    let mut sheet = fixtures::control();
    sheet.rows = (0..200)
        .map(|i| ControlRow {
            agency: if i == 7 {
                word.clone()
            } else {
                format!("Bộ phận {i}")
            },
            step: Some(mixed.clone()),
            officer: None,
            received_at: Some(at(2026, 10, 8, 9, 15)),
            handed_over_at: None,
            result: Some(StepResult::Overdue),
            note: Some(word.clone()),
        })
        .collect();
    let pdf = control_sheet(&sheet).expect("pdf");
    assert!(pdftext::pages(&pdf) > 10);
    for run in pdftext::runs(&pdf) {
        assert!(run.x + run.width <= 595.3 + 0.5 && run.y < 841.9, "{run:?}");
    }

    let mut letter = fixtures::apology();
    letter.reason = format!("{mixed}\n").repeat(50);
    letter.signer.title = word.clone();
    letter.recipients = vec![word.clone(); 30];
    let pdf = apology(&letter).expect("pdf");
    assert!(pdftext::pages(&pdf) > 1);

    let mut notice = fixtures::stop_notice();
    notice.dossier_code = word.clone();
    notice.basis = Some(mixed.clone());
    stop_notice(&notice).expect("pdf");

    let mut request = fixtures::supplement();
    request.items = vec![word.clone(); 30];
    request.contact = Some(mixed);
    supplement_request(&request).expect("pdf");

    let mut refused = fixtures::refusal();
    refused.reason = word;
    refusal(&refused).expect("pdf");
}

#[test]
fn dates_and_codes_in_the_apology() {
    let text = flat(&pdftext::text(&apology(&fixtures::apology()).expect("pdf")));
    assert!(text.contains(CODE));
    assert!(
        text.contains("16 giờ 00 phút, ngày 13 tháng 10 năm 2026"),
        "{text}"
    );
    assert!(
        text.contains("16 giờ 00 phút, ngày 16 tháng 10 năm 2026"),
        "{text}"
    );
    assert!(
        text.contains("Số định danh cá nhân: 004195001234"),
        "{text}"
    );
}

#[test]
fn mau01_prints_the_application_data() {
    let mut form = fixtures::receipt();
    form.application_data = vec![
        FormSection {
            title: "Thông tin trẻ".into(),
            lines: vec![
                ("Họ, chữ đệm và tên của trẻ".into(), "Nông Minh An".into()),
                ("Ngày, tháng, năm sinh".into(), "03/10/2026".into()),
                ("Giới tính".into(), "Nữ".into()),
            ],
        },
        FormSection {
            title: "Người yêu cầu".into(),
            lines: vec![(
                "Nơi cư trú".into(),
                "Tổ 5, Phường Nùng Trí Cao, Tỉnh Cao Bằng".into(),
            )],
        },
        FormSection {
            title: "Thông tin người cha".into(),
            lines: vec![],
        },
    ];
    let text = flat(&pdftext::text(&receipt_slip(&form).expect("pdf")));
    for want in [
        "Thông tin trong tờ khai:",
        "Thông tin trẻ",
        "- Họ, chữ đệm và tên của trẻ: Nông Minh An",
        "- Ngày, tháng, năm sinh: 03/10/2026",
        "- Giới tính: Nữ",
        "- Nơi cư trú: Tổ 5, Phường Nùng Trí Cao, Tỉnh Cao Bằng",
    ] {
        assert!(text.contains(want), "{want:?} in {text}");
    }
    assert!(
        !text.contains("Thông tin người cha"),
        "an empty group is left out"
    );
    // Without data, the slip is as before.
    let plain = flat(&pdftext::text(
        &receipt_slip(&fixtures::receipt()).expect("pdf"),
    ));
    assert!(!plain.contains("tờ khai:"));
}
