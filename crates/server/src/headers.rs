//! Response headers every answer carries, and the `Content-Disposition`
//! of files.
//!
//! The pages use no script, no frame and no inline style: a strict
//! Content-Security-Policy costs them nothing and stops injected markup from
//! running or loading anything. Nothing is framed (clickjacking of the
//! officials' pages), no referrer leaves the site (dossier codes are in the
//! paths), and what is not meant to be cached — dossiers, events, documents,
//! forms, anything behind a session — is `no-store`: a response that sets
//! its own `Cache-Control` (the style sheet) keeps it.

use axum::http::{header, HeaderValue};
use axum::response::Response;

/// The Content-Security-Policy of every response. `img-src data:` is for
/// QR codes and charts rendered inline; the waiting-room board refreshes
/// itself with `<meta http-equiv="refresh">`, which CSP does not govern.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to a response (see the module doc).
pub async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// How a browser should present a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Shown in the browser (a PDF form).
    Inline,
    /// Saved (an uploaded document, a spreadsheet).
    Attachment,
}

/// `Content-Disposition` with `filename` (an ASCII fallback: the name
/// without diacritics) and
/// `filename*` (the UTF-8 name, RFC 5987 percent-encoding), as RFC 6266
/// §4.3 recommends; path separators, quotes and control characters never
/// reach the header.
pub fn content_disposition(disposition: Disposition, name: &str) -> HeaderValue {
    let kind = match disposition {
        Disposition::Inline => "inline",
        Disposition::Attachment => "attachment",
    };
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let fallback: String = deunicode::deunicode(&name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        // attr-char of RFC 5987 §3.2.1.
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded_both_ways() {
        let v = content_disposition(Disposition::Attachment, "Giấy chứng sinh.pdf");
        assert_eq!(
            v.to_str().expect("ascii"),
            "attachment; filename=\"Giay chung sinh.pdf\"; \
             filename*=UTF-8''Gi%E1%BA%A5y%20ch%E1%BB%A9ng%20sinh.pdf"
        );
        let v = content_disposition(Disposition::Inline, "a\"b/..\\c\r\n.pdf");
        let v = v.to_str().expect("ascii");
        assert!(v.starts_with("inline; filename=\"a_b_.._c__.pdf\""), "{v}");
        assert!(!v.contains('\r') && !v.contains('/'), "{v}");
    }
}
