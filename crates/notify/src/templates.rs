//! Mẫu thông báo — the texts sent to the applicant, per notification kind,
//! in Vietnamese and English. Pure functions of the outbox row: the
//! variables were captured when the row was written.
//!
//! An e-mail carries the applicant's language first and the other one
//! after it (Vietnamese first unless they chose English); an SMS carries
//! only their language. Times are shown in Vietnam time (UTC+7, no daylight
//! saving). The forms named (Mẫu 01–04) are those of Circular
//! 03/2025/TT-VPCP.

use chrono::{DateTime, Utc};
use motcua_domain::dossier::{ReturnWay, VIETNAM_OFFSET};
use motcua_store::outbox::{Language, Notification, NotificationKind, Payload};

/// What a rendered notification needs besides the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateContext {
    /// The public tracking page, with `{code}` where the dossier code goes.
    pub tracking_url: String,
    /// A booking's page, with `{code}` and `{token}` (the holder's token):
    /// the reminder's link to see, move or cancel the booking.
    pub booking_url: String,
    /// The applicant's own page of a dossier, with `{code}`: where the
    /// rating form is (the link of "result returned, please rate us").
    pub dossier_url: String,
    /// Keep Vietnamese diacritics in SMS. Off by default: unaccented text
    /// fits 160 characters per segment in GSM-7 (70 in UCS-2), and brand
    /// name SMS in Vietnam are usually sent unaccented.
    pub sms_unicode: bool,
}

impl Default for TemplateContext {
    fn default() -> Self {
        TemplateContext {
            tracking_url: crate::config::DEFAULT_TRACKING_URL.to_string(),
            booking_url: crate::config::DEFAULT_BOOKING_URL.to_string(),
            dossier_url: crate::config::DEFAULT_DOSSIER_URL.to_string(),
            sms_unicode: false,
        }
    }
}

/// A notification ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// E-mail subject (the applicant's language).
    pub subject: String,
    /// E-mail body, plain text: the applicant's language, then the other.
    pub text: String,
    /// SMS text (the applicant's language).
    pub sms: String,
}

/// One language's version.
struct Version {
    subject: String,
    body: String,
    sms: String,
}

/// `hh:mm` and `dd/mm/yyyy` in Vietnam time.
fn vn_time(t: DateTime<Utc>) -> (String, String) {
    let local = t.with_timezone(&VIETNAM_OFFSET);
    (
        local.format("%H:%M").to_string(),
        local.format("%d/%m/%Y").to_string(),
    )
}

fn when_vi(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| {
        let (h, d) = vn_time(t);
        format!("{h} ngày {d}")
    })
    .unwrap_or_else(|| "(chưa xác định)".to_string())
}

fn when_en(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| {
        let (h, d) = vn_time(t);
        format!("{h} on {d} (Vietnam time)")
    })
    .unwrap_or_else(|| "(not set)".to_string())
}

/// `1500000` as `1.500.000` (vi) or `1,500,000` (en).
fn money(amount: u64, sep: char) -> String {
    let digits = amount.to_string();
    let mut groups: Vec<&str> = Vec::with_capacity(digits.len() / 3 + 1);
    let mut end = digits.len();
    while end > 3 {
        groups.push(&digits[end - 3..end]);
        end -= 3;
    }
    groups.push(&digits[..end]);
    groups.reverse();
    groups.join(&sep.to_string())
}

fn way_vi(w: Option<ReturnWay>) -> &'static str {
    match w {
        Some(ReturnWay::Counter) => "tại Trung tâm Phục vụ hành chính công",
        Some(ReturnWay::Post) => "qua dịch vụ bưu chính",
        Some(ReturnWay::Online) => "trực tuyến (kết quả điện tử)",
        None => "theo hình thức đã đăng ký",
    }
}

fn way_en(w: Option<ReturnWay>) -> &'static str {
    match w {
        Some(ReturnWay::Counter) => "at the public administration service centre",
        Some(ReturnWay::Post) => "by post",
        Some(ReturnWay::Online) => "online (electronic result)",
        None => "as you chose",
    }
}

/// The longest reason an SMS quotes (the e-mail and the page carry it whole).
const SMS_REASON_CHARS: usize = 90;

/// The officer's reason as an SMS quotes it: on one line, cut at
/// [`SMS_REASON_CHARS`] with an ellipsis, ending with a full stop.
fn sms_reason(p: &Payload) -> Option<String> {
    let r = p
        .reason
        .as_deref()?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if r.is_empty() {
        return None;
    }
    let mut out: String = r.chars().take(SMS_REASON_CHARS).collect();
    if r.chars().count() > SMS_REASON_CHARS {
        out = format!("{}…", out.trim_end());
    } else if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    Some(out)
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|d| format!("  - {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn vietnamese(
    kind: NotificationKind,
    p: &Payload,
    code: &str,
    link: &str,
    tracking: &str,
) -> Version {
    use NotificationKind as K;
    let procedure = p.procedure_name.as_deref().unwrap_or("");
    let greeting = match p.applicant_name.as_deref() {
        Some(n) if !n.trim().is_empty() => format!("Kính gửi Ông/Bà {n},"),
        _ => "Kính gửi Ông/Bà,".to_string(),
    };
    let reason = p
        .reason
        .as_deref()
        .map(|r| format!("\nLý do: {r}"))
        .unwrap_or_default();
    let appointment = when_vi(p.appointment);
    let (subject, main, sms) = match kind {
        K::Received => (
            format!("Đã nhận hồ sơ {code}"),
            format!(
                "Hệ thống đã nhận hồ sơ {code} của Ông/Bà, thủ tục «{procedure}». \
                 Cán bộ tiếp nhận sẽ kiểm tra hồ sơ và thông báo cho Ông/Bà."
            ),
            format!("Một cửa: Đã nhận hồ sơ {code}. Cán bộ sẽ kiểm tra và thông báo. Tra cứu: {link}"),
        ),
        K::Accepted => (
            format!("Hồ sơ {code} đã được tiếp nhận — hẹn trả kết quả {appointment}"),
            format!(
                "Hồ sơ {code}, thủ tục «{procedure}», đã được tiếp nhận \
                 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả, Mẫu 01).\n\
                 Thời gian hẹn trả kết quả: {appointment} (giờ Việt Nam)."
            ),
            format!("Hồ sơ {code} đã được tiếp nhận. Hẹn trả kết quả: {appointment}. Tra cứu: {link}"),
        ),
        K::SupplementRequested => (
            format!("Yêu cầu bổ sung, hoàn thiện hồ sơ {code}"),
            format!(
                "Hồ sơ {code}, thủ tục «{procedure}», cần được bổ sung, hoàn thiện \
                 (Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, Mẫu 02).{reason}{}\n\
                 Xem lý do, danh sách giấy tờ, tải Mẫu 02 và bổ sung trực tuyến tại trang \
                 hồ sơ của Ông/Bà: {link}\n\
                 Thời gian chờ bổ sung không tính vào thời hạn giải quyết.",
                if p.documents.is_empty() {
                    String::new()
                } else {
                    format!("\nGiấy tờ cần bổ sung:\n{}", list(&p.documents))
                }
            ),
            match sms_reason(p) {
                Some(r) => format!("Hồ sơ {code} cần bổ sung. Lý do: {r} Xem và bổ sung: {link}"),
                None => format!("Hồ sơ {code} cần bổ sung giấy tờ. Xem và bổ sung: {link}"),
            },
        ),
        K::Refused => (
            format!("Từ chối tiếp nhận hồ sơ {code}"),
            format!(
                "Hồ sơ {code}, thủ tục «{procedure}», không được tiếp nhận, giải quyết \
                 (Phiếu từ chối tiếp nhận, giải quyết hồ sơ, Mẫu 03).{reason}"
            ),
            format!("Hồ sơ {code} bị từ chối tiếp nhận. Lý do xem tại: {link}"),
        ),
        K::PaymentRequested => {
            let amount = p
                .amount_vnd
                .map(|a| format!("\nSố tiền: {} đồng.", money(a, '.')))
                .unwrap_or_default();
            let what = p
                .description
                .as_deref()
                .map(|d| format!("\nNội dung: {d}."))
                .unwrap_or_default();
            (
                format!("Đề nghị thực hiện nghĩa vụ tài chính — hồ sơ {code}"),
                format!(
                    "Để tiếp tục giải quyết hồ sơ {code}, thủ tục «{procedure}», \
                     đề nghị Ông/Bà thực hiện nghĩa vụ tài chính.{amount}{what}"
                ),
                format!(
                    "Hồ sơ {code}: đề nghị nộp {} đồng. Chi tiết: {link}",
                    p.amount_vnd.map(|a| money(a, '.')).unwrap_or_default()
                ),
            )
        }
        K::LateNotified => (
            format!("Xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}"),
            format!(
                "Cơ quan giải quyết trân trọng xin lỗi Ông/Bà vì hồ sơ {code}, thủ tục \
                 «{procedure}», chưa có kết quả đúng hẹn ({}) \
                 (Phiếu xin lỗi và hẹn lại ngày trả kết quả, Mẫu 04).{reason}\n\
                 Thời gian hẹn trả kết quả mới: {appointment} (giờ Việt Nam).",
                when_vi(p.original_appointment)
            ),
            format!("Xin lỗi: hồ sơ {code} trễ hẹn. Hẹn trả kết quả mới: {appointment}. Tra cứu: {link}"),
        ),
        K::ResultReady => (
            format!("Đã có kết quả giải quyết hồ sơ {code}"),
            format!(
                "Hồ sơ {code}, thủ tục «{procedure}», đã có kết quả giải quyết{}. \
                 Mời Ông/Bà nhận kết quả theo hình thức đã đăng ký; kết quả trực tuyến \
                 tải về tại trang hồ sơ của Ông/Bà: {link}",
                p.result_number
                    .as_deref()
                    .map(|n| format!(" (số {n})"))
                    .unwrap_or_default()
            ),
            format!("Hồ sơ {code} đã có kết quả. Xem và nhận kết quả: {link}"),
        ),
        K::ResultReturned => (
            format!("Đã trả kết quả hồ sơ {code}"),
            format!(
                "Kết quả giải quyết hồ sơ {code}, thủ tục «{procedure}», đã được trả {}.\n\
                 Mời Ông/Bà đánh giá mức độ hài lòng tại trang hồ sơ của mình: {link}",
                way_vi(p.return_way)
            ),
            format!("Đã trả kết quả hồ sơ {code}. Mời đánh giá mức độ hài lòng: {link}"),
        ),
        K::AppointmentReminder => {
            let place = p.place.as_deref().unwrap_or("Trung tâm Phục vụ hành chính công");
            let booking = p
                .booking_code
                .as_deref()
                .map(|b| format!(" (mã lịch hẹn {b})"))
                .unwrap_or_default();
            let (manage, sms_link) = if link.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    format!("\nXem, đổi hoặc hủy lịch hẹn: {link}"),
                    format!(" Xem/doi/huy: {link}"),
                )
            };
            (
                format!("Nhắc lịch hẹn {appointment}"),
                format!(
                    "Ông/Bà có lịch hẹn{booking} tại {place} lúc {appointment} (giờ Việt Nam). \
                     Đề nghị Ông/Bà mang theo giấy tờ tùy thân và thành phần hồ sơ.{manage}"
                ),
                format!("Nhắc lịch hẹn{booking} tại {place} lúc {appointment}.{sms_link}"),
            )
        }
    };
    let track = if code.is_empty() {
        String::new()
    } else {
        format!("\n\nTra cứu hồ sơ: {tracking}")
    };
    Version {
        subject,
        body: format!(
            "{greeting}\n\n{main}{track}\n\nĐây là thư tự động, xin vui lòng không trả lời thư này."
        ),
        sms,
    }
}

fn english(kind: NotificationKind, p: &Payload, code: &str, link: &str, tracking: &str) -> Version {
    use NotificationKind as K;
    let procedure = p.procedure_name.as_deref().unwrap_or("");
    let greeting = match p.applicant_name.as_deref() {
        Some(n) if !n.trim().is_empty() => format!("Dear {n},"),
        _ => "Dear applicant,".to_string(),
    };
    let reason = p
        .reason
        .as_deref()
        .map(|r| format!("\nReason: {r}"))
        .unwrap_or_default();
    let appointment = when_en(p.appointment);
    let (subject, main, sms) = match kind {
        K::Received => (
            format!("Dossier {code} received"),
            format!(
                "We have received your dossier {code} for the procedure “{procedure}”. \
                 An officer will check it and let you know."
            ),
            format!("Motcua: dossier {code} received; an officer will check it. Track: {link}"),
        ),
        K::Accepted => (
            format!("Dossier {code} accepted — result due {appointment}"),
            format!(
                "Your dossier {code} for the procedure “{procedure}” has been accepted \
                 (receipt and appointment slip, form 01).\n\
                 The result is due at {appointment}."
            ),
            format!("Dossier {code} accepted. Result due {appointment}. Track: {link}"),
        ),
        K::SupplementRequested => (
            format!("Dossier {code}: documents needed"),
            format!(
                "Your dossier {code} for the procedure “{procedure}” needs to be completed \
                 (request for supplement, form 02).{reason}{}\n\
                 See the reason and the documents, download form 02 and upload the \
                 documents on your dossier's page: {link}\n\
                 The time spent waiting for the documents does not count against the time limit.",
                if p.documents.is_empty() {
                    String::new()
                } else {
                    format!("\nDocuments needed:\n{}", list(&p.documents))
                }
            ),
            match sms_reason(p) {
                Some(r) => {
                    format!("Dossier {code} needs a supplement. Reason: {r} Upload it: {link}")
                }
                None => format!("Dossier {code} needs more documents. Upload them: {link}"),
            },
        ),
        K::Refused => (
            format!("Dossier {code} refused"),
            format!(
                "Your dossier {code} for the procedure “{procedure}” cannot be accepted \
                 (notice of refusal, form 03).{reason}"
            ),
            format!("Dossier {code} was refused. See why: {link}"),
        ),
        K::PaymentRequested => {
            let amount = p
                .amount_vnd
                .map(|a| format!("\nAmount: {} VND.", money(a, ',')))
                .unwrap_or_default();
            let what = p
                .description
                .as_deref()
                .map(|d| format!("\nFor: {d}."))
                .unwrap_or_default();
            (
                format!("Dossier {code}: payment requested"),
                format!(
                    "To continue processing your dossier {code} for the procedure \
                     “{procedure}”, please pay the fees due.{amount}{what}"
                ),
                format!(
                    "Dossier {code}: please pay {} VND. Details: {link}",
                    p.amount_vnd.map(|a| money(a, ',')).unwrap_or_default()
                ),
            )
        }
        K::LateNotified => (
            format!("Apology and new date for dossier {code}"),
            format!(
                "We apologise: your dossier {code} for the procedure “{procedure}” was not \
                 resolved by the date promised ({}) (apology and new appointment, form 04).\
                 {reason}\nThe new date for the result is {appointment}.",
                when_en(p.original_appointment)
            ),
            format!("We apologise: dossier {code} is late. New date: {appointment}. Track: {link}"),
        ),
        K::ResultReady => (
            format!("Result ready for dossier {code}"),
            format!(
                "The result of your dossier {code} for the procedure “{procedure}” is ready{}. \
                 Please collect it as you chose; an online result downloads from your \
                 dossier's page: {link}",
                p.result_number
                    .as_deref()
                    .map(|n| format!(" (no. {n})"))
                    .unwrap_or_default()
            ),
            format!("The result of dossier {code} is ready. See and get it: {link}"),
        ),
        K::ResultReturned => (
            format!("Result of dossier {code} returned"),
            format!(
                "The result of your dossier {code} for the procedure “{procedure}” was \
                 returned {}.\nPlease rate the service on your dossier's page: {link}",
                way_en(p.return_way)
            ),
            format!("The result of dossier {code} was returned. Please rate us: {link}"),
        ),
        K::AppointmentReminder => {
            let place = p
                .place
                .as_deref()
                .unwrap_or("the public administration service centre");
            let booking = p
                .booking_code
                .as_deref()
                .map(|b| format!(" (booking {b})"))
                .unwrap_or_default();
            let (manage, sms_link) = if link.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    format!("\nSee, move or cancel the booking: {link}"),
                    format!(" Manage: {link}"),
                )
            };
            (
                format!("Reminder: appointment at {appointment}"),
                format!(
                    "You have an appointment{booking} at {place} at {appointment}. \
                     Please bring your identity document and the dossier's documents.{manage}"
                ),
                format!("Reminder: appointment{booking} at {place}, {appointment}.{sms_link}"),
            )
        }
    };
    let track = if code.is_empty() {
        String::new()
    } else {
        format!("\n\nTrack your dossier: {tracking}")
    };
    Version {
        subject,
        body: format!(
            "{greeting}\n\n{main}{track}\n\nThis is an automatic message; please do not reply."
        ),
        sms,
    }
}

/// The tracking link of a dossier code.
pub fn tracking_link(ctx: &TemplateContext, code: &str) -> String {
    ctx.tracking_url.replace("{code}", code)
}

/// The applicant's own page of a dossier (with the rating form).
pub fn dossier_link(ctx: &TemplateContext, code: &str) -> String {
    ctx.dossier_url.replace("{code}", code)
}

/// The link of a booking's page for its holder.
pub fn booking_link(ctx: &TemplateContext, code: &str, token: &str) -> String {
    ctx.booking_url
        .replace("{code}", code)
        .replace("{token}", token)
}

/// Renders a notification. A reminder links to the booking's page with
/// the holder's token (none for a booking made before tokens); "result
/// returned", "result ready", "payment requested" and "supplement
/// requested" link to the applicant's own dossier page, where the rating
/// form, the result file, the amount, and the reason, the documents asked
/// for, Mẫu 02 and the upload form are; the others to the public
/// tracking page (which every e-mail also names at its end).
pub fn render(n: &Notification, ctx: &TemplateContext) -> Rendered {
    let code = n
        .payload
        .dossier
        .clone()
        .or_else(|| n.dossier.as_ref().map(|d| d.to_string()))
        .unwrap_or_default();
    let link = match (
        n.kind,
        n.payload.booking_code.as_deref(),
        n.payload.booking_token.as_deref(),
    ) {
        (NotificationKind::AppointmentReminder, Some(b), Some(t)) => booking_link(ctx, b, t),
        (NotificationKind::AppointmentReminder, _, _) => String::new(),
        (
            NotificationKind::ResultReturned
            | NotificationKind::ResultReady
            | NotificationKind::PaymentRequested
            | NotificationKind::SupplementRequested,
            _,
            _,
        ) => dossier_link(ctx, &code),
        _ => tracking_link(ctx, &code),
    };
    let tracking = tracking_link(ctx, &code);
    let vi = vietnamese(n.kind, &n.payload, &code, &link, &tracking);
    let en = english(n.kind, &n.payload, &code, &link, &tracking);
    let (first, second) = match n.language {
        Language::Vi => (vi, en),
        Language::En => (en, vi),
    };
    let sms = if ctx.sms_unicode || n.language == Language::En {
        first.sms
    } else {
        deunicode::deunicode(&first.sms)
    };
    Rendered {
        subject: first.subject,
        text: format!(
            "{}\n\n————————————————————\n\n{}\n",
            first.body, second.body
        ),
        sms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use motcua_store::outbox::{DeliveryChannel, NotificationId, OutboxStatus};

    fn row(kind: NotificationKind, payload: Payload, language: Language) -> Notification {
        let t = Utc
            .with_ymd_and_hms(2025, 7, 15, 2, 0, 0)
            .single()
            .expect("time");
        Notification {
            id: NotificationId::parse("0123456789abcdef0123456789abcdef").expect("id"),
            dedup_key: "04.01273-250715-0001#1".to_string(),
            dossier: None,
            event_seq: Some(1),
            kind,
            channel: DeliveryChannel::Email,
            recipient: "lan@example.vn".to_string(),
            language,
            payload,
            status: OutboxStatus::Pending,
            attempts: 1,
            next_attempt_at: t,
            last_error: None,
            created_at: t,
            sent_at: None,
        }
    }

    fn payload() -> Payload {
        Payload {
            dossier: Some("04.01273-250715-0001".to_string()),
            procedure_name: Some("Đăng ký khai sinh".to_string()),
            applicant_name: Some("Nguyễn Thị Lan".to_string()),
            // 09:30 UTC is 16:30 in Vietnam.
            appointment: Utc.with_ymd_and_hms(2025, 7, 15, 9, 30, 0).single(),
            ..Payload::default()
        }
    }

    fn ctx() -> TemplateContext {
        TemplateContext {
            tracking_url: "https://dichvucong.example.vn/tra-cuu/{code}".to_string(),
            booking_url: "https://dichvucong.example.vn/dat-lich/{code}?t={token}".to_string(),
            dossier_url: "https://dichvucong.example.vn/ho-so-cua-toi/{code}".to_string(),
            sms_unicode: false,
        }
    }

    #[test]
    fn acceptance_in_vietnamese_then_english() {
        let r = render(
            &row(NotificationKind::Accepted, payload(), Language::Vi),
            &ctx(),
        );
        assert_eq!(
            r.subject,
            "Hồ sơ 04.01273-250715-0001 đã được tiếp nhận — hẹn trả kết quả 16:30 ngày 15/07/2025"
        );
        assert!(r.text.starts_with("Kính gửi Ông/Bà Nguyễn Thị Lan,"));
        assert!(r.text.contains("thủ tục «Đăng ký khai sinh»"));
        assert!(r.text.contains("Mẫu 01"));
        assert!(r
            .text
            .contains("Tra cứu hồ sơ: https://dichvucong.example.vn/tra-cuu/04.01273-250715-0001"));
        let vi = r.text.find("Kính gửi").expect("vi");
        let en = r.text.find("Dear Nguyễn Thị Lan,").expect("en");
        assert!(vi < en, "Vietnamese first");
        assert!(r.text.contains("16:30 on 15/07/2025 (Vietnam time)"));
        assert_eq!(
            r.sms,
            "Ho so 04.01273-250715-0001 da duoc tiep nhan. Hen tra ket qua: 16:30 ngay \
             15/07/2025. Tra cuu: https://dichvucong.example.vn/tra-cuu/04.01273-250715-0001"
        );
    }

    #[test]
    fn the_rating_link_goes_to_the_applicants_own_dossier_page() {
        let r = render(
            &row(NotificationKind::ResultReturned, payload(), Language::Vi),
            &ctx(),
        );
        let page = "https://dichvucong.example.vn/ho-so-cua-toi/04.01273-250715-0001";
        assert!(r.sms.contains(page), "{}", r.sms);
        assert!(
            r.text.contains(&format!(
                "đánh giá mức độ hài lòng tại trang hồ sơ của mình: {page}"
            )),
            "{}",
            r.text
        );
        assert!(r.text.contains(&format!(
            "Please rate the service on your dossier's page: {page}"
        )));
        assert!(!r.sms.contains("/tra-cuu/"), "{}", r.sms);
    }

    #[test]
    fn a_supplement_request_carries_the_reason_and_links_to_the_applicants_page() {
        let p = Payload {
            reason: Some("Thiếu bản sao giấy chứng sinh có chứng thực".to_string()),
            documents: vec!["Giấy chứng sinh (bản sao)".to_string()],
            ..payload()
        };
        let page = "https://dichvucong.example.vn/ho-so-cua-toi/04.01273-250715-0001";
        let track = "https://dichvucong.example.vn/tra-cuu/04.01273-250715-0001";
        let r = render(
            &row(
                NotificationKind::SupplementRequested,
                p.clone(),
                Language::Vi,
            ),
            &ctx(),
        );
        assert_eq!(
            r.sms,
            format!(
                "Ho so 04.01273-250715-0001 can bo sung. Ly do: Thieu ban sao giay chung sinh co \
                 chung thuc. Xem va bo sung: {page}"
            )
        );
        assert!(r
            .text
            .contains("Lý do: Thiếu bản sao giấy chứng sinh có chứng thực"));
        assert!(r.text.contains("  - Giấy chứng sinh (bản sao)"));
        assert!(
            r.text.contains(&format!(
                "bổ sung trực tuyến tại trang hồ sơ của Ông/Bà: {page}"
            )),
            "{}",
            r.text
        );
        assert!(r.text.contains(&format!("Tra cứu hồ sơ: {track}")));
        assert!(r.text.contains(&format!(
            "upload the documents on your dossier's page: {page}"
        )));
        let en = render(
            &row(
                NotificationKind::SupplementRequested,
                p.clone(),
                Language::En,
            ),
            &ctx(),
        );
        assert!(en.sms.contains("Reason: Thiếu bản sao"), "{}", en.sms);
        assert!(en.sms.ends_with(page), "{}", en.sms);
        // A long reason is cut in the SMS, never in the e-mail.
        let long = "Thiếu giấy tờ ".repeat(20);
        let r = render(
            &row(
                NotificationKind::SupplementRequested,
                Payload {
                    reason: Some(long.clone()),
                    ..p
                },
                Language::Vi,
            ),
            &ctx(),
        );
        assert!(r.sms.contains("...") && r.sms.ends_with(page), "{}", r.sms);
        assert!(r.sms.chars().count() <= 230, "{}", r.sms);
        assert!(r.text.contains(long.trim_end()));
    }

    #[test]
    fn result_ready_and_payment_link_to_the_applicants_page() {
        let page = "https://dichvucong.example.vn/ho-so-cua-toi/04.01273-250715-0001";
        for kind in [
            NotificationKind::ResultReady,
            NotificationKind::PaymentRequested,
        ] {
            for lang in [Language::Vi, Language::En] {
                let r = render(&row(kind, payload(), lang), &ctx());
                assert!(r.sms.ends_with(page), "{kind:?}: {}", r.sms);
                assert!(!r.sms.contains("/tra-cuu/"), "{kind:?}: {}", r.sms);
            }
        }
        let r = render(
            &row(NotificationKind::ResultReady, payload(), Language::Vi),
            &ctx(),
        );
        assert!(
            r.text
                .contains(&format!("tải về tại trang hồ sơ của Ông/Bà: {page}")),
            "{}",
            r.text
        );
        assert!(r.text.contains(&format!(
            "an online result downloads from your dossier's page: {page}"
        )));
    }

    #[test]
    fn english_first_when_chosen() {
        let r = render(
            &row(NotificationKind::Received, payload(), Language::En),
            &ctx(),
        );
        assert_eq!(r.subject, "Dossier 04.01273-250715-0001 received");
        assert!(r.text.starts_with("Dear Nguyễn Thị Lan,"));
        assert!(r
            .sms
            .starts_with("Motcua: dossier 04.01273-250715-0001 received"));
    }

    #[test]
    fn every_kind_renders_in_both_languages() {
        let mut p = payload();
        p.original_appointment = Utc.with_ymd_and_hms(2025, 7, 14, 9, 30, 0).single();
        p.reason = Some("Thiếu tờ khai".to_string());
        p.documents = vec!["Tờ khai đăng ký khai sinh".to_string()];
        p.amount_vnd = Some(1_500_000);
        p.result_number = Some("125/2025/KS".to_string());
        for kind in NotificationKind::ALL {
            for lang in [Language::Vi, Language::En] {
                let r = render(&row(kind, p.clone(), lang), &ctx());
                assert!(!r.subject.is_empty() && !r.sms.is_empty(), "{kind:?}");
                assert!(
                    r.text.contains("Kính gửi") && r.text.contains("Dear"),
                    "{kind:?}"
                );
                if kind != NotificationKind::AppointmentReminder {
                    assert!(
                        r.subject.contains("04.01273-250715-0001"),
                        "{kind:?} {lang:?}"
                    );
                }
                assert!(!r.text.contains('{'), "no placeholder left: {}", r.text);
                assert!(r.sms.is_ascii() || lang == Language::En, "{}", r.sms);
            }
        }
        let late = render(
            &row(NotificationKind::LateNotified, p.clone(), Language::Vi),
            &ctx(),
        );
        assert!(late.text.contains("xin lỗi"));
        assert!(late.text.contains("(16:30 ngày 14/07/2025)"));
        assert!(late
            .text
            .contains("Thời gian hẹn trả kết quả mới: 16:30 ngày 15/07/2025"));
        assert!(late.text.contains("Lý do: Thiếu tờ khai"));
        let pay = render(
            &row(NotificationKind::PaymentRequested, p, Language::Vi),
            &ctx(),
        );
        assert!(pay.text.contains("Số tiền: 1.500.000 đồng."));
        assert!(pay.text.contains("Amount: 1,500,000 VND."));
    }

    #[test]
    fn a_reminder_links_to_the_booking_with_its_token() {
        let p = Payload {
            booking_code: Some("LH-260302-7K3Q".to_string()),
            booking_token: Some("0123456789abcdef0123456789abcdef".to_string()),
            place: Some("Trung tâm xã Hòa An".to_string()),
            ..payload()
        };
        let link = "https://dichvucong.example.vn/dat-lich/LH-260302-7K3Q?t=0123456789abcdef0123456789abcdef";
        for language in [Language::Vi, Language::En] {
            let r = render(
                &row(NotificationKind::AppointmentReminder, p.clone(), language),
                &ctx(),
            );
            assert!(r.sms.contains(link), "{}", r.sms);
            assert!(r.text.contains(link), "{}", r.text);
        }
        let legacy = Payload {
            booking_token: None,
            ..p
        };
        let r = render(
            &row(NotificationKind::AppointmentReminder, legacy, Language::Vi),
            &ctx(),
        );
        assert!(
            !r.sms.contains("http") && !r.text.contains("dat-lich"),
            "{}",
            r.sms
        );
    }

    #[test]
    fn sms_keeps_diacritics_when_asked() {
        let ctx = TemplateContext {
            sms_unicode: true,
            ..ctx()
        };
        let r = render(
            &row(NotificationKind::Accepted, payload(), Language::Vi),
            &ctx,
        );
        assert!(r.sms.starts_with(
            "Hồ sơ 04.01273-250715-0001 đã được tiếp nhận. Hẹn trả kết quả: 16:30 ngày"
        ));
        assert_eq!(money(0, '.'), "0");
        assert_eq!(money(999, '.'), "999");
        assert_eq!(money(1000, '.'), "1.000");
        assert_eq!(money(12_345_678, ','), "12,345,678");
    }
}
