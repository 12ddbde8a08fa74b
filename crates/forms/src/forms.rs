//! The contents of the six forms of Circular 03/2025/TT-VPCP, Appendix I.
//! The wording follows the templates as far as the public record shows
//! (the layouts of the earlier Circular 01/2018/TT-VPCP, whose Mẫu 01–05
//! the 2025 appendix carries over, with the 2025 titles).

use crate::layout::{bold, italic, reg, Align, Column, Layout, Para, Signature, Span, BODY, MM};
use crate::text::{
    clean, clean_multiline, count2, date_vi, datetime_short, datetime_vi, or_blank, vnd, Fonts,
    BLANK,
};
use crate::{
    qr, Apology, Applicant, ControlSheet, Fee, Heading, Op, ReceiptSlip, Refusal, StopNotice,
    SupplementRequest,
};

/// First-line indent of letter paragraphs (Decree 30/2020/NĐ-CP: 1–1.27 cm).
const INDENT: f32 = 10.0 * MM;

pub(crate) const TITLE_01: &str = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ";
pub(crate) const TITLE_02: &str = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ";
pub(crate) const TITLE_03: &str = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ";
pub(crate) const TITLE_04: &str = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ";
pub(crate) const TITLE_05: &str = "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ";
pub(crate) const TITLE_06: &str = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ";

/// The unit as it reads inside a sentence.
fn unit(h: &Heading) -> String {
    let u = clean(&h.unit);
    if u.is_empty() {
        "Bộ phận Một cửa".to_string()
    } else {
        u
    }
}

fn some(s: &Option<String>) -> Option<String> {
    s.as_deref().map(clean).filter(|s| !s.is_empty())
}

/// "{unit} tiếp nhận hồ sơ của: NAME" and the applicant's particulars.
fn applicant_block(l: &mut Layout<'_>, lead: &str, a: &Applicant) {
    l.para(
        &[reg(format!("{lead}: ")), bold(or_blank(&a.name))],
        Para::BODY,
    );
    // Identifier and telephone share a line, address and e-mail another.
    let pairs = [
        (
            ("Số định danh cá nhân", &a.personal_id),
            ("Số điện thoại", &a.phone),
        ),
        (("Địa chỉ", &a.address), ("Email", &a.email)),
    ];
    for ((l1, v1), (l2, v2)) in pairs {
        match (some(v1), some(v2)) {
            (Some(x), Some(y)) => l.para(
                &[reg(format!("{l1}: {x}")), reg(format!("; {l2}: {y}"))],
                Para::BODY,
            ),
            (Some(x), None) => l.field(l1, &x),
            (None, Some(y)) => l.field(l2, &y),
            (None, None) => {}
        }
    }
}

fn code_line(code: &str) -> Vec<Span> {
    vec![reg("Mã hồ sơ: "), bold(or_blank(code))]
}

fn letter(l: &mut Layout<'_>, spans: &[Span]) {
    l.para(
        spans,
        Para {
            first_indent: INDENT,
            space_after: 3.0,
            ..Para::BODY
        },
    );
}

/// Mẫu 01.
pub(crate) fn receipt(fonts: &Fonts, f: &ReceiptSlip) -> Vec<Vec<Op>> {
    let mut l = Layout::new(fonts);
    l.heading(&f.heading, "01");
    l.title(TITLE_01, &[]);

    // The QR code of the tracking address at the right; the dossier code,
    // the address and the applicant's particulars flow beside it.
    let url = clean(&f.tracking_url);
    let matrix = qr::encode(&url);
    if let Some(m) = &matrix {
        let size = 25.0 * MM;
        let (x, top) = (l.left() + l.content_width() - size, l.y());
        l.push(Op::Fill {
            rects: m.rects(x, top, size),
        });
        l.push(Op::Link {
            rect: [x, top, size, size],
            uri: url.clone(),
        });
        l.float_right(top + size + 12.0, size + 12.0);
    }
    l.para(&code_line(&f.dossier_code), Para::BODY);
    if !url.is_empty() {
        let lead = if matrix.is_some() {
            "Tra cứu hồ sơ: quét mã QR hoặc truy cập "
        } else {
            "Tra cứu hồ sơ tại "
        };
        l.para(
            &[italic(lead), italic(url.clone())],
            Para {
                size: 11.0,
                ..Para::BODY
            },
        );
    }
    applicant_block(
        &mut l,
        &format!("{} tiếp nhận hồ sơ của", unit(&f.heading)),
        &f.applicant,
    );
    let mut proc = vec![
        reg("Nội dung yêu cầu giải quyết: "),
        reg(or_blank(&f.procedure)),
    ];
    if let Some(code) = some(&f.procedure_code) {
        proc.push(reg(format!(" (mã thủ tục {code})")));
    }
    l.para(&proc, Para::BODY);
    if f.application_data.iter().any(|s| !s.lines.is_empty()) {
        l.para(&[reg("Thông tin trong tờ khai:")], Para::BODY);
        for s in f.application_data.iter().filter(|s| !s.lines.is_empty()) {
            if !s.title.trim().is_empty() {
                l.para(&[bold(clean(&s.title))], Para::BODY);
            }
            for (label, value) in &s.lines {
                l.para(
                    &[reg(format!("- {}: ", clean(label))), reg(or_blank(value))],
                    Para::BODY,
                );
            }
        }
    }

    l.para(&[reg("1. Thành phần hồ sơ nộp gồm:")], Para::BODY);
    let cols = [
        Column {
            header: "TT",
            share: 0.07,
            align: Align::Center,
        },
        Column {
            header: "Tên loại giấy tờ",
            share: 0.50,
            align: Align::Left,
        },
        Column {
            header: "Hình thức (bản chính, bản sao hoặc bản chụp)",
            share: 0.30,
            align: Align::Center,
        },
        Column {
            header: "Số lượng",
            share: 0.13,
            align: Align::Center,
        },
    ];
    let rows: Vec<Vec<Vec<Span>>> = if f.documents.is_empty() {
        vec![vec![
            vec![],
            vec![italic("(Không có giấy tờ)")],
            vec![],
            vec![],
        ]]
    } else {
        f.documents
            .iter()
            .enumerate()
            .map(|(i, d)| {
                vec![
                    vec![reg((i + 1).to_string())],
                    vec![reg(or_blank(&d.name))],
                    vec![reg(d.form.label_vi())],
                    vec![reg(count2(d.count))],
                ]
            })
            .collect()
    };
    l.table(&cols, &rows, 12.0);

    l.para(
        &[reg(format!(
            "2. Số lượng hồ sơ: {} (bộ).",
            if f.sets == 0 {
                "……".to_string()
            } else {
                count2(f.sets)
            }
        ))],
        Para::BODY,
    );
    let time = some(&f.processing_time).unwrap_or_else(|| BLANK.to_string());
    l.para(
        &[reg(format!(
            "3. Thời gian giải quyết hồ sơ theo quy định: {time}."
        ))],
        Para::BODY,
    );
    l.para(
        &[reg(format!(
            "4. Thời gian nhận hồ sơ: {}.",
            datetime_vi(f.received_at)
        ))],
        Para::BODY,
    );
    l.para(
        &[
            reg("5. Thời gian trả kết quả giải quyết hồ sơ: "),
            bold(datetime_vi(f.appointment)),
            reg("."),
        ],
        Para::BODY,
    );
    if let Some(note) = some(&f.appointment_note) {
        l.para(&[italic(format!("({note})"))], Para::BODY);
    }
    l.para(
        &[reg(format!(
            "6. Nơi trả kết quả: {}.",
            or_blank(&f.return_place)
        ))],
        Para::BODY,
    );
    l.para(
        &[reg(format!(
            "7. Hình thức nhận kết quả: {}.",
            f.return_way.label_vi()
        ))],
        Para::BODY,
    );
    let fee = match &f.fee {
        Fee::None => "Không thu".to_string(),
        Fee::Vnd(v) => vnd(*v),
        Fee::Text(t) => or_blank(t),
    };
    l.para(&[reg(format!("8. Phí, lệ phí: {fee}."))], Para::BODY);
    if let Some(entry) = some(&f.register_entry) {
        l.para(
            &[italic(format!("Vào Sổ theo dõi hồ sơ: {entry}."))],
            Para::BODY,
        );
    }

    l.signatures(
        &[
            Signature {
                title: "NGƯỜI NỘP HỒ SƠ".into(),
                note: "(Ký và ghi rõ họ tên)".into(),
                name: Some(clean(&f.applicant.name)),
            },
            Signature {
                title: "NGƯỜI TIẾP NHẬN HỒ SƠ".into(),
                note: "(Ký và ghi rõ họ tên)".into(),
                name: f.receiver.clone(),
            },
        ],
        &[],
    );
    l.finish()
}

/// Mẫu 02.
pub(crate) fn supplement(fonts: &Fonts, f: &SupplementRequest) -> Vec<Vec<Op>> {
    let mut l = Layout::new(fonts);
    l.heading(&f.heading, "02");
    let under: Vec<Vec<Span>> = f.dossier_code.iter().map(|c| code_line(c)).collect();
    l.title(TITLE_02, &under);

    let u = unit(&f.heading);
    applicant_block(&mut l, &format!("{u} tiếp nhận hồ sơ của"), &f.applicant);
    l.field("Nội dung yêu cầu giải quyết", &f.procedure);
    if let Some(at) = f.received_at {
        l.field("Thời gian tiếp nhận hồ sơ", &datetime_vi(at));
    }
    l.gap(2.0);
    l.para(
        &[reg("Sau khi xem xét, hồ sơ chưa đầy đủ, hợp lệ. Đề nghị ông/bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:")],
        Para::BODY,
    );
    let items: Vec<String> = f
        .items
        .iter()
        .map(|i| clean(i))
        .filter(|i| !i.is_empty())
        .collect();
    if items.is_empty() {
        for n in 1..=2 {
            l.item(&format!("{n}."), &[reg(BLANK)], 10.0);
        }
    } else {
        for (n, item) in items.iter().enumerate() {
            l.item(&format!("{}.", n + 1), &[reg(item.clone())], 10.0);
        }
    }
    l.para(
        &[bold("Lý do: "), reg(multiline_or_blank(&f.reason))],
        Para::BODY,
    );
    let contact = some(&f.contact).unwrap_or_else(|| u.clone());
    l.para(
        &[reg(format!(
            "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ {contact} để được hướng dẫn."
        ))],
        Para::BODY,
    );
    l.para(&[reg("Xin trân trọng cảm ơn ông/bà.")], Para::BODY);
    l.signatures(
        &[Signature {
            title: "NGƯỜI HƯỚNG DẪN".into(),
            note: "(Ký và ghi rõ họ tên)".into(),
            name: f.officer.clone(),
        }],
        &[],
    );
    l.finish()
}

/// Mẫu 03.
pub(crate) fn refusal(fonts: &Fonts, f: &Refusal) -> Vec<Vec<Op>> {
    let mut l = Layout::new(fonts);
    l.heading(&f.heading, "03");
    let under: Vec<Vec<Span>> = f.dossier_code.iter().map(|c| code_line(c)).collect();
    l.title(TITLE_03, &under);

    let u = unit(&f.heading);
    applicant_block(&mut l, &format!("{u} tiếp nhận hồ sơ của"), &f.applicant);
    l.field("Nội dung yêu cầu giải quyết", &f.procedure);
    l.gap(2.0);
    l.para(
        &[reg(format!(
            "Sau khi xem xét, đối chiếu với quy định hiện hành, {u} từ chối tiếp nhận, giải quyết hồ sơ này vì lý do sau:"
        ))],
        Para::BODY,
    );
    l.para(&[reg(multiline_or_blank(&f.reason))], Para::indented(10.0));
    l.para(&[reg("Xin lỗi ông/bà và trân trọng cảm ơn.")], Para::BODY);
    l.signatures(
        &[Signature {
            title: "NGƯỜI TIẾP NHẬN HỒ SƠ".into(),
            note: "(Ký và ghi rõ họ tên)".into(),
            name: f.officer.clone(),
        }],
        &[],
    );
    l.finish()
}

fn addressee(l: &mut Layout<'_>, name: &str, personal_id: &Option<String>) {
    l.para(
        &[reg("Kính gửi: Ông/Bà "), bold(or_blank(name))],
        Para::centered(BODY),
    );
    if let Some(id) = some(personal_id) {
        l.para(
            &[reg(format!("Số định danh cá nhân: {id}"))],
            Para::centered(BODY),
        );
    }
    l.gap(6.0);
}

/// Mẫu 04.
pub(crate) fn apology(fonts: &Fonts, f: &Apology) -> Vec<Vec<Op>> {
    let mut l = Layout::new(fonts);
    l.heading(&f.heading, "04");
    l.title(TITLE_04, &[]);
    addressee(&mut l, &f.addressee, &f.personal_id);

    let u = unit(&f.heading);
    let received = date_vi(f.received_on);
    let received = capitalize(&received);
    letter(
        &mut l,
        &[reg(format!(
            "{received}, {u} tiếp nhận hồ sơ đề nghị {} của ông/bà.",
            or_blank(&f.procedure)
        ))],
    );
    letter(
        &mut l,
        &[reg("Mã hồ sơ: "), bold(or_blank(&f.dossier_code)), reg(".")],
    );
    letter(
        &mut l,
        &[reg(format!(
            "Thời hạn trả kết quả giải quyết hồ sơ: {}.",
            datetime_vi(f.original_appointment)
        ))],
    );
    letter(
        &mut l,
        &[
            reg(format!("Tuy nhiên đến nay, {u} chưa trả kết quả giải quyết hồ sơ cho ông/bà đúng hẹn. Lý do: ")),
            reg(multiline_or_blank(&f.reason)),
        ],
    );
    letter(
        &mut l,
        &[
            reg(format!(
                "Sự chậm trễ này đã gây phiền hà cho ông/bà. {u} xin lỗi ông/bà và hẹn trả kết quả giải quyết hồ sơ vào "
            )),
            bold(datetime_vi(f.new_appointment)),
            reg("."),
        ],
    );
    letter(
        &mut l,
        &[reg("Kính mong nhận được sự cảm thông của ông/bà vì sự chậm trễ này. Xin trân trọng cảm ơn.")],
    );
    l.signatures(
        &[Signature {
            title: f.signer.title.clone(),
            note: "(Ký, ghi rõ họ tên và đóng dấu)".into(),
            name: f.signer.name.clone(),
        }],
        &f.recipients,
    );
    l.finish()
}

/// Mẫu 05.
pub(crate) fn stop(fonts: &Fonts, f: &StopNotice) -> Vec<Vec<Op>> {
    let mut l = Layout::new(fonts);
    l.heading(&f.heading, "05");
    l.title(TITLE_05, &[]);
    addressee(&mut l, &f.addressee, &f.personal_id);

    let u = unit(&f.heading);
    let received = capitalize(&date_vi(f.received_on));
    letter(
        &mut l,
        &[
            reg(format!(
                "{received}, {u} tiếp nhận hồ sơ đề nghị {} của ông/bà, mã hồ sơ ",
                or_blank(&f.procedure)
            )),
            bold(or_blank(&f.dossier_code)),
            reg("."),
        ],
    );
    let from = date_vi(f.heading.date);
    let stop = match some(&f.basis) {
        Some(basis) => {
            format!("Căn cứ {basis}, {u} thông báo dừng giải quyết hồ sơ nêu trên kể từ {from}.")
        }
        None => format!("{u} thông báo dừng giải quyết hồ sơ nêu trên kể từ {from}."),
    };
    letter(&mut l, &[reg(stop)]);
    letter(
        &mut l,
        &[reg("Lý do: "), reg(multiline_or_blank(&f.reason))],
    );
    if let Some(note) = f
        .note
        .as_deref()
        .map(clean_multiline)
        .filter(|n| !n.is_empty())
    {
        letter(&mut l, &[reg(note)]);
    }
    letter(
        &mut l,
        &[reg(format!(
            "{u} trân trọng thông báo để ông/bà được biết."
        ))],
    );
    l.signatures(
        &[Signature {
            title: f.signer.title.clone(),
            note: "(Ký, ghi rõ họ tên và đóng dấu)".into(),
            name: f.signer.name.clone(),
        }],
        &f.recipients,
    );
    l.finish()
}

/// Mẫu 06.
pub(crate) fn control(fonts: &Fonts, f: &ControlSheet) -> Vec<Vec<Op>> {
    let mut l = Layout::new(fonts);
    l.heading(&f.heading, "06");
    l.title(
        TITLE_06,
        &[
            code_line(&f.dossier_code),
            vec![italic("(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả)")],
        ],
    );
    l.para(
        &[reg("Hồ sơ của: "), bold(or_blank(&f.applicant))],
        Para::BODY,
    );
    l.field("Nội dung yêu cầu giải quyết", &f.procedure);
    l.field("Thời gian nhận hồ sơ", &datetime_vi(f.received_at));
    l.field("Thời gian hẹn trả kết quả", &datetime_vi(f.appointment));
    if let Some(at) = f.new_appointment {
        l.field(
            "Thời gian hẹn lại (Phiếu xin lỗi và hẹn lại)",
            &datetime_vi(at),
        );
    }
    l.gap(4.0);

    let cols = [
        Column {
            header: "TT",
            share: 0.06,
            align: Align::Center,
        },
        Column {
            header: "Tên cơ quan, bộ phận;\nbước xử lý",
            share: 0.28,
            align: Align::Left,
        },
        Column {
            header: "Thời gian nhận,\ngiao hồ sơ",
            share: 0.27,
            align: Align::Left,
        },
        Column {
            header: "Kết quả\n(trước hạn/\nđúng hạn/\nquá hạn)",
            share: 0.17,
            align: Align::Center,
        },
        Column {
            header: "Ghi chú",
            share: 0.22,
            align: Align::Left,
        },
    ];
    let rows: Vec<Vec<Vec<Span>>> = if f.rows.is_empty() {
        // Blank rows to be filled in by hand.
        (0..4)
            .map(|_| vec![vec![reg("\n")], vec![], vec![], vec![], vec![]])
            .collect()
    } else {
        f.rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut who = vec![bold(or_blank(&r.agency))];
                let detail: Vec<String> = [some(&r.step), some(&r.officer)]
                    .into_iter()
                    .flatten()
                    .collect();
                if !detail.is_empty() {
                    who.push(reg(format!("\n{}", detail.join(" – "))));
                }
                let recv = r
                    .received_at
                    .map(datetime_short)
                    .unwrap_or_else(|| "—".into());
                let gave = r
                    .handed_over_at
                    .map(datetime_short)
                    .unwrap_or_else(|| "—".into());
                let times = vec![reg(format!("Nhận: {recv}\nGiao: {gave}"))];
                let result = r
                    .result
                    .map(|x| vec![reg(x.label_vi())])
                    .unwrap_or_default();
                let note = r
                    .note
                    .as_deref()
                    .map(clean_multiline)
                    .map(|n| vec![reg(n)])
                    .unwrap_or_default();
                vec![vec![reg((i + 1).to_string())], who, times, result, note]
            })
            .collect()
    };
    l.table(&cols, &rows, 11.5);
    l.finish()
}

fn multiline_or_blank(s: &str) -> String {
    let c = clean_multiline(s);
    if c.is_empty() {
        BLANK.to_string()
    } else {
        c
    }
}

/// "ngày 08 …" → "Ngày 08 …" at the start of a sentence.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
