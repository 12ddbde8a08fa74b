//! Văn bản người dùng nhập — the limits on every text a user controls.
//!
//! What a person types ends up in the permanent, hash-chained event log,
//! in the PDF forms and on the officials' screens. A rule here holds for
//! the API, the pages and the CLI alike, because the dossier decider and
//! the procedure import check through it: a bounded length per field, and
//! no control characters (NUL, escapes) nor bidirectional embedding,
//! override or isolate characters (U+202A–U+202E, U+2066–U+2069), which
//! can make a name or a reason read differently from what is stored
//! ("Trojan Source", CVE-2021-42574). Multi-line fields (reasons, notes,
//! comments) may hold line breaks and tabs.
//!
//! Events recorded before these limits existed still decode: the limits
//! apply to what is decided from now on, not to what is read back.

use serde::{Deserialize, Serialize};

/// Why a text was refused. [`TextError::code`] is stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains control or bidirectional-override characters")]
    InvalidCharacters { field: &'static str },
    #[error("{field} has more than {max} items")]
    TooMany { field: &'static str, max: usize },
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
}

impl TextError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            TextError::TooLong { .. } => "field_too_long",
            TextError::InvalidCharacters { .. } => "invalid_characters",
            TextError::TooMany { .. } => "too_many_items",
            TextError::Empty { .. } => "empty_field",
        }
    }

    /// The message in Vietnamese (the English one is the `Display` text).
    pub fn message_vi(&self) -> String {
        match self {
            TextError::TooLong { field, max } => {
                format!("Trường {field} dài quá {max} ký tự.")
            }
            TextError::InvalidCharacters { field } => format!(
                "Trường {field} chứa ký tự điều khiển hoặc ký tự đảo chiều văn bản không được phép."
            ),
            TextError::TooMany { field, max } => {
                format!("Trường {field} có quá {max} mục.")
            }
            TextError::Empty { field } => format!("Trường {field} không được để trống."),
        }
    }

    /// The field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            TextError::TooLong { field, .. }
            | TextError::InvalidCharacters { field }
            | TextError::TooMany { field, .. }
            | TextError::Empty { field } => field,
        }
    }
}

/// A text field a user fills in: its name (as the API spells it), its
/// longest length in characters, and whether it may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub max_chars: usize,
    pub multiline: bool,
}

/// Most items a list a user fills in may hold (documents received, the
/// documents a supplement asks for).
pub const MAX_ITEMS: usize = 100;

impl Field {
    pub const fn line(name: &'static str, max_chars: usize) -> Field {
        Field {
            name,
            max_chars,
            multiline: false,
        }
    }

    pub const fn lines(name: &'static str, max_chars: usize) -> Field {
        Field {
            name,
            max_chars,
            multiline: true,
        }
    }

    /// Checks `s` against the field's rules.
    pub fn check(&self, s: &str) -> Result<(), TextError> {
        if s.chars().any(|c| forbidden(c, self.multiline)) {
            return Err(TextError::InvalidCharacters { field: self.name });
        }
        // Counting stops at the first character over the limit, so a huge
        // text costs no more than a long one.
        if s.chars().nth(self.max_chars).is_some() {
            return Err(TextError::TooLong {
                field: self.name,
                max: self.max_chars,
            });
        }
        Ok(())
    }

    /// Checks an optional value.
    pub fn check_opt(&self, s: Option<&str>) -> Result<(), TextError> {
        s.map_or(Ok(()), |s| self.check(s))
    }

    /// Checks every item of a list, and that there are at most [`MAX_ITEMS`].
    pub fn check_all<'a>(
        &self,
        items: impl ExactSizeIterator<Item = &'a str>,
    ) -> Result<(), TextError> {
        if items.len() > MAX_ITEMS {
            return Err(TextError::TooMany {
                field: self.name,
                max: MAX_ITEMS,
            });
        }
        items.into_iter().try_for_each(|s| self.check(s))
    }
}

/// Tên người nộp — an applicant's or a citizen's name.
pub const PERSON_NAME: Field = Field::line("applicant.name", 200);
/// Địa chỉ — an address.
pub const ADDRESS: Field = Field::line("address", 500);
/// Lý do, ghi chú — a reason, a note, a description.
pub const REASON: Field = Field::lines("reason", 2000);
/// Ý kiến — a rating comment.
pub const COMMENT: Field = Field::lines("comment", 2000);
/// Tên giấy tờ — the name of a document (received, asked for, attached).
pub const DOCUMENT_NAME: Field = Field::line("document.name", 200);
/// Số, ký hiệu — a result number, a register, a receipt number.
pub const REFERENCE: Field = Field::line("reference", 100);
/// A search parameter (part of a name, a code).
pub const SEARCH: Field = Field::line("search", 200);
/// A short identifier a user gives (an assignee, a username).
pub const IDENTIFIER: Field = Field::line("identifier", 100);
/// Tên thủ tục — a procedure's name, its agency, a legal basis line.
pub const PROCEDURE_TEXT: Field = Field::lines("procedure", 2000);

/// Whether `c` may not appear in a user's text: control characters
/// (line breaks and tabs only in multi-line fields) and the bidirectional
/// embedding, override and isolate controls.
pub fn forbidden(c: char, multiline: bool) -> bool {
    if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
        return true;
    }
    if multiline && matches!(c, '\n' | '\r' | '\t') {
        return false;
    }
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Tên tài liệu — the name an attached document is shown and downloaded
/// under: no path separators, no leading dots, no control characters,
/// at most [`DOCUMENT_NAME`]'s length. Parsed once at the edge; a value of
/// this type is always safe to show and to put in a file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentName(String);

impl DocumentName {
    /// Sanitises a name a user gave (a file name from a browser may carry
    /// a path: only its last segment is kept); refuses control and
    /// bidirectional-override characters, an empty name and a long one.
    pub fn parse(s: &str) -> Result<DocumentName, TextError> {
        let last = s.rsplit(['/', '\\']).next().unwrap_or(s);
        let name = last.trim().trim_start_matches('.').trim();
        if name.is_empty() {
            return Err(TextError::Empty {
                field: DOCUMENT_NAME.name,
            });
        }
        DOCUMENT_NAME.check(name)?;
        Ok(DocumentName(name.to_string()))
    }

    /// Whether `s` is already a sanitised name (what the decider accepts
    /// in an attachment).
    pub fn is_clean(s: &str) -> bool {
        DocumentName::parse(s).is_ok_and(|n| n.0 == s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DocumentName {
    type Error = TextError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        DocumentName::parse(&s)
    }
}

impl From<DocumentName> for String {
    fn from(n: DocumentName) -> String {
        n.0
    }
}

impl std::fmt::Display for DocumentName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_counted_in_characters() {
        let f = Field::line("x", 3);
        assert_eq!(f.check("Ước"), Ok(()));
        assert_eq!(
            f.check("Ước!"),
            Err(TextError::TooLong { field: "x", max: 3 })
        );
    }

    #[test]
    fn controls_and_bidi_overrides_are_refused() {
        for bad in ["a\0b", "a\u{202E}b", "a\u{2066}b", "a\u{1b}[31m", "a\u{7f}"] {
            assert_eq!(
                REASON.check(bad),
                Err(TextError::InvalidCharacters { field: "reason" }),
                "{bad:?}"
            );
        }
        assert_eq!(REASON.check("dòng 1\r\ndòng 2\tx"), Ok(()));
        assert!(
            PERSON_NAME.check("Nông\nThị").is_err(),
            "a name is one line"
        );
        assert_eq!(PERSON_NAME.check("Nông Thị Minh Trang"), Ok(()));
    }

    #[test]
    fn document_names_are_sanitised() {
        let n = |s: &str| DocumentName::parse(s).map(String::from);
        assert_eq!(
            n("C:\\Users\\a\\giay-khai-sinh.pdf"),
            Ok("giay-khai-sinh.pdf".into())
        );
        assert_eq!(n("../../etc/passwd"), Ok("passwd".into()));
        assert_eq!(n("  .hidden "), Ok("hidden".into()));
        assert!(n("../").is_err());
        assert!(n("a\u{202E}fdp.exe").is_err());
        assert!(n(&"a".repeat(201)).is_err());
        assert!(DocumentName::is_clean("Giấy chứng sinh"));
        assert!(!DocumentName::is_clean("a/b"));
    }

    #[test]
    fn lists_are_bounded() {
        let many = vec!["x"; MAX_ITEMS + 1];
        assert!(DOCUMENT_NAME.check_all(many.iter().copied()).is_err());
        assert!(DOCUMENT_NAME.check_all(["a", "b"].into_iter()).is_ok());
    }
}
