//! Liên hệ — the applicant's e-mail and phone as typed on a page (the
//! citizen's submit form and the counter's intake), checked once.

use super::ui::Lang;

/// The contact typed in `email` and `phone` (either may be blank), with
/// the page's language for the notifications; None when one of them is
/// not valid, after pushing its message to `errors`.
pub fn typed(
    l: Lang,
    email: &str,
    phone: &str,
    errors: &mut Vec<&'static str>,
) -> Option<motcua_store::Contact> {
    let (email, phone) = (email.trim(), phone.trim());
    let email = (!email.is_empty())
        .then(|| motcua_store::outbox::EmailAddress::parse(email))
        .transpose();
    let phone = (!phone.is_empty())
        .then(|| motcua_store::outbox::PhoneNumber::parse(phone))
        .transpose();
    if email.is_err() {
        errors.push(l.t(
            "Địa chỉ thư điện tử không hợp lệ.",
            "Not a valid e-mail address.",
        ));
    }
    if phone.is_err() {
        errors.push(l.t("Số điện thoại không hợp lệ.", "Not a valid phone number."));
    }
    Some(motcua_store::Contact {
        email: email.ok()?,
        phone: phone.ok()?,
        language: if l.is_en() {
            motcua_store::outbox::Language::En
        } else {
            motcua_store::outbox::Language::Vi
        },
    })
}
