//! Mã thủ tục hành chính — the procedure code.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Mã TTHC — a procedure code.
///
/// Two forms are accepted:
/// * the **national code** of the National Database on Administrative
///   Procedures (Cơ sở dữ liệu quốc gia về TTHC), `D.DDDDDD`, e.g. `1.001193`
///   (birth registration) or `2.000815` (certified copy from the original);
/// * a **local code** `LOCAL-PP-NNNN` (PP = the 2-digit province statistics
///   code, NNNN = a sequence), for demo or provincial items for which no
///   national code was found, e.g. `LOCAL-04-0001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProcedureCode(String);

/// A string that is not a procedure code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid procedure code {0:?}: expected a national code like 1.001193 or a local code like LOCAL-04-0001")]
pub struct InvalidProcedureCode(pub String);

impl ProcedureCode {
    /// Parses either form; surrounding whitespace is not accepted.
    pub fn parse(s: &str) -> Result<Self, InvalidProcedureCode> {
        if Self::is_national_form(s) || Self::is_local_form(s) {
            Ok(ProcedureCode(s.to_string()))
        } else {
            Err(InvalidProcedureCode(s.to_string()))
        }
    }

    /// A local code for province `province` (2-digit statistics code) and a
    /// sequence 1..=9999.
    pub fn local(province: &str, seq: u16) -> Result<Self, InvalidProcedureCode> {
        Self::parse(&format!("LOCAL-{province}-{seq:04}"))
    }

    fn is_national_form(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 8
            && b[0].is_ascii_digit()
            && b[1] == b'.'
            && b[2..].iter().all(u8::is_ascii_digit)
    }

    fn is_local_form(s: &str) -> bool {
        let Some(rest) = s.strip_prefix("LOCAL-") else {
            return false;
        };
        let b = rest.as_bytes();
        b.len() == 7
            && b[0..2].iter().all(u8::is_ascii_digit)
            && b[2] == b'-'
            && b[3..].iter().all(u8::is_ascii_digit)
            && &rest[3..] != "0000"
    }

    /// True for a national code, false for a local one.
    pub fn is_national(&self) -> bool {
        Self::is_national_form(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for ProcedureCode {
    type Error = InvalidProcedureCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ProcedureCode::parse(&s)
    }
}
impl From<ProcedureCode> for String {
    fn from(c: ProcedureCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_codes() {
        for ok in ["1.001193", "2.000815", "3.000412", "1.013978"] {
            let c = ProcedureCode::parse(ok).expect("valid");
            assert!(c.is_national());
            assert_eq!(c.as_str(), ok);
        }
        for bad in [
            "",
            "1001193",
            "1.00119",
            "1.0011934",
            "A.001193",
            " 1.001193",
            "1-001193",
        ] {
            assert!(ProcedureCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_codes() {
        let c = ProcedureCode::local("04", 1).expect("valid");
        assert_eq!(c.as_str(), "LOCAL-04-0001");
        assert!(!c.is_national());
        for bad in [
            "LOCAL-4-0001",
            "LOCAL-04-1",
            "LOCAL-04-0000",
            "local-04-0001",
            "LOCAL-04-00011",
        ] {
            assert!(ProcedureCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serde_validates() {
        let c: ProcedureCode = serde_json::from_str("\"2.000815\"").expect("valid");
        assert_eq!(serde_json::to_string(&c).expect("ser"), "\"2.000815\"");
        assert!(serde_json::from_str::<ProcedureCode>("\"unknown\"").is_err());
    }
}
