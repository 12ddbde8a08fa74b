//! Số điện thoại, thư điện tử — how a citizen is reached and known.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A citizen's login: a Vietnamese mobile number (kept as `+84…`) or an
/// e-mail address (kept in lower case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Contact {
    Phone(String),
    Email(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidContact {
    #[error("not a Vietnamese mobile number (expected 0xxxxxxxxx or +84xxxxxxxxx)")]
    Phone,
    #[error("not an e-mail address")]
    Email,
    #[error("not a stored contact key")]
    Key,
}

impl Contact {
    /// A mobile number: `0912 345 678`, `+84912345678` or `84912345678`
    /// (spaces, dots and dashes ignored); 9 digits after the country code,
    /// starting with 3, 5, 7, 8 or 9 (the mobile ranges of the national
    /// numbering plan since 2018).
    pub fn phone(s: &str) -> Result<Contact, InvalidContact> {
        let digits: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        let national = if let Some(rest) = digits.strip_prefix("+84") {
            rest
        } else if let Some(rest) = digits.strip_prefix("84").filter(|r| r.len() == 9) {
            rest
        } else if let Some(rest) = digits.strip_prefix('0') {
            rest
        } else {
            return Err(InvalidContact::Phone);
        };
        let ok = national.len() == 9
            && national.bytes().all(|b| b.is_ascii_digit())
            && matches!(
                national.as_bytes().first(),
                Some(b'3' | b'5' | b'7' | b'8' | b'9')
            );
        if ok {
            Ok(Contact::Phone(format!("+84{national}")))
        } else {
            Err(InvalidContact::Phone)
        }
    }

    /// An e-mail address: one `@`, a non-empty local part of at most 64
    /// characters, a dotted domain, no spaces, at most 254 characters.
    pub fn email(s: &str) -> Result<Contact, InvalidContact> {
        let e = s.trim().to_lowercase();
        let ok = e.len() <= 254
            && e.is_ascii()
            && !e
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
            && match e.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains("..")
                }
                None => false,
            };
        if ok {
            Ok(Contact::Email(e))
        } else {
            Err(InvalidContact::Email)
        }
    }

    /// The stored form: `phone:+84912345678` or `email:an@example.vn`.
    pub fn key(&self) -> String {
        match self {
            Contact::Phone(p) => format!("phone:{p}"),
            Contact::Email(e) => format!("email:{e}"),
        }
    }

    pub fn from_key(key: &str) -> Result<Contact, InvalidContact> {
        match key.split_once(':') {
            Some(("phone", p)) => Contact::phone(p),
            Some(("email", e)) => Contact::email(e),
            _ => Err(InvalidContact::Key),
        }
    }

    /// A form safe to show or log: `+84******678`, `a***@example.vn`.
    pub fn masked(&self) -> String {
        match self {
            Contact::Phone(p) => {
                let tail = &p[p.len().saturating_sub(3)..];
                format!("+84******{tail}")
            }
            Contact::Email(e) => match e.split_once('@') {
                Some((local, domain)) => {
                    let first = local.chars().next().unwrap_or('*');
                    format!("{first}***@{domain}")
                }
                None => "***".to_string(),
            },
        }
    }
}

impl fmt::Display for Contact {
    /// Masked: a contact is personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}
