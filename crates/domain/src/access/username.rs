//! Tên đăng nhập và mật khẩu — officials' usernames and password rules.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::dossier::UserId;

/// Tên đăng nhập — 3–64 characters of `a-z 0-9 . _ -`, starting with a
/// letter or digit (typed in any case, kept in lower case). An official's
/// username is their user id in dossier events.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid username: expected 3-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit")]
pub struct InvalidUsername;

impl Username {
    pub fn parse(s: &str) -> Result<Self, InvalidUsername> {
        let u = s.trim().to_ascii_lowercase();
        let ok = (3..=64).contains(&u.len())
            && u.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && u.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if ok {
            Ok(Username(u))
        } else {
            Err(InvalidUsername)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The user id of the official in dossier events.
    pub fn user_id(&self) -> UserId {
        UserId::parse(&self.0).expect("a username is 3-64 printable ASCII characters")
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for Username {
    type Error = InvalidUsername;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Username::parse(&s)
    }
}
impl From<Username> for String {
    fn from(u: Username) -> String {
        u.0
    }
}

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("the password is shorter than {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("the password is longer than 256 characters")]
    TooLong,
    #[error("the password contains the username")]
    ContainsUsername,
}

/// The password rule: 10–256 characters, not containing the username
/// (length over composition, after NIST SP 800-63B §5.1.1).
pub fn check_password(password: &str, username: &Username) -> Result<(), WeakPassword> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(WeakPassword::TooShort);
    }
    if n > 256 {
        return Err(WeakPassword::TooLong);
    }
    if password.to_lowercase().contains(username.as_str()) {
        return Err(WeakPassword::ContainsUsername);
    }
    Ok(())
}
