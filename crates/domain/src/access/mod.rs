//! Quyền truy cập — accounts and access rules, as pure functions.
//!
//! Who may see and act on what (issue 4, "Accounts and access"):
//! * an official (cán bộ, công chức) holds role assignments per unit
//!   ([`Assignment`]): receiving officer, specialist, department head,
//!   leader, clerical office (the five roles that act on dossiers, see
//!   [`crate::dossier::Role`]), unit administrator, province administrator
//!   and inspector (read-only);
//! * an official sees the dossiers received at or decided by their unit
//!   (a Center sees what it received, a commune what it is competent for);
//!   a province administrator (and a province inspector) sees the whole
//!   province; a citizen sees only the dossiers submitted from their account
//!   ([`Principal::scope`], [`Scope::sees`]);
//! * public tracking by dossier code shows status and dates only
//!   ([`PublicStatus`]), never personal data (Decree 13/2023/NĐ-CP on the
//!   protection of personal data).
//!
//! The rest is the bookkeeping of logins that is worth testing without a
//! database: usernames and passwords ([`Username`], [`check_password`]),
//! citizen contacts ([`Contact`]), lockout after repeated failures
//! ([`Throttle`]) and one-time codes ([`OtpChallenge`]), which
//! administrator manages which account ([`Principal::may_manage`],
//! [`AccountEventKind`]) and when a session is idle ([`IdlePolicy`]).

mod contact;
mod idle;
mod lockout;
mod manage;
mod otp;
mod principal;
mod role;
mod tracking;
mod username;

#[cfg(test)]
mod tests;

pub use contact::{Contact, InvalidContact};
pub use idle::{Activity, IdlePolicy};
pub use lockout::{LockoutPolicy, Throttle};
pub use manage::{AccountChange, AccountEventKind, ManageRefusal};
pub use otp::{
    check_otp, may_send_otp, otp_code_hash, parse_otp_code, OtpChallenge, OtpCheck, OtpNext,
    OtpPolicy, OTP_DIGITS,
};
pub use principal::{AccessError, DossierRef, Principal, Scope};
pub use role::{province_of, Assignment, StaffRole};
pub use tracking::PublicStatus;
pub use username::{check_password, InvalidUsername, Username, WeakPassword, MIN_PASSWORD_CHARS};

/// Compares two byte strings in time that depends only on their lengths
/// (for secrets: CSRF tokens, code hashes).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
