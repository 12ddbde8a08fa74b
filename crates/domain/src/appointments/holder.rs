//! Người giữ lịch hẹn — who may see, cancel or move a booking.
//!
//! The short booking code (`LH-260315-7K3Q`) is said aloud at the counter
//! and is guessable (31⁴ per day), so it proves nothing. A booking made
//! online also gets a [`BookingToken`]: 128 random bits, shown once in the
//! booking's answer and carried by the reminder's link; the store keeps
//! only its SHA-256 ([`BookingToken::hash`]). [`may_manage`] is the rule:
//! the token, the holder's citizen session (the account that booked, or a
//! citizen whose phone or e-mail is the booking's), or an official of the
//! booking's Center (any role assigned at its unit, or the province
//! administrator of its province). Anyone else is told nothing: the API
//! answers as for a missing booking.
//!
//! Bookings made before tokens existed have no hash: only the holder's
//! session and the Center's officials reach them.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::access::{Principal, StaffRole};
use crate::dossier::{UnitId, UserId};

/// Mã bí mật của lịch hẹn — the holder's secret, 32 lowercase hex digits
/// (128 bits).
#[derive(Clone, PartialEq, Eq)]
pub struct BookingToken(String);

impl BookingToken {
    /// Bytes the caller drew from a cryptographic random source.
    pub fn from_random(bytes: [u8; 16]) -> Self {
        BookingToken(hex::encode(bytes))
    }

    /// A presented token: exactly 32 hex digits (any case).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        (s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| BookingToken(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the store keeps: SHA-256 of the token, hex.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// Never printed: a token in a log would be a key left at the door.
impl fmt::Debug for BookingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BookingToken(***)")
    }
}

/// What a booking shows of itself to [`may_manage`].
#[derive(Debug, Clone, Copy)]
pub struct HeldBooking<'a> {
    /// The Center.
    pub unit: &'a UnitId,
    /// The citizen account that booked, if logged in.
    pub account: Option<&'a UserId>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    /// SHA-256 (hex) of its token; `None` for bookings made before tokens.
    pub token_hash: Option<&'a str>,
}

/// What the request brings.
#[derive(Debug, Clone, Copy, Default)]
pub struct HolderClaim<'a> {
    /// `?t=` or the `X-Booking-Token` header, as sent.
    pub token: Option<&'a str>,
    /// The logged-in person.
    pub principal: Option<&'a Principal>,
    /// A citizen session's phone (normalised, `+84…`) …
    pub phone: Option<&'a str>,
    /// … or e-mail address.
    pub email: Option<&'a str>,
}

/// Equal strings, in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether `claim` may see, cancel or move `booking`. See the module
/// documentation.
pub fn may_manage(booking: &HeldBooking<'_>, claim: &HolderClaim<'_>) -> bool {
    if let (Some(hash), Some(token)) = (
        booking.token_hash,
        claim.token.and_then(BookingToken::parse),
    ) {
        if same(hash, &token.hash()) {
            return true;
        }
    }
    match claim.principal {
        Some(Principal::Citizen { user }) => {
            booking.account == Some(user)
                || matches!((booking.phone, claim.phone), (Some(a), Some(b)) if a == b)
                || matches!((booking.email, claim.email), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
        }
        Some(Principal::Official { assignments, .. }) => {
            let province = booking.unit.province_code();
            assignments.iter().any(|a| match a.role {
                StaffRole::ProvinceAdmin => a.unit.as_str() == province,
                _ => &a.unit == booking.unit,
            })
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Assignment;

    fn unit(s: &str) -> UnitId {
        UnitId::parse(s).expect("unit")
    }

    #[test]
    fn the_token_opens_its_booking_only() {
        let t = BookingToken::from_random([7; 16]);
        assert_eq!(t.as_str().len(), 32);
        let hash = t.hash();
        let center = unit("04.01279");
        let b = HeldBooking {
            unit: &center,
            account: None,
            phone: None,
            email: None,
            token_hash: Some(&hash),
        };
        let upper = t.as_str().to_ascii_uppercase();
        assert!(may_manage(
            &b,
            &HolderClaim {
                token: Some(t.as_str()),
                ..Default::default()
            }
        ));
        assert!(may_manage(
            &b,
            &HolderClaim {
                token: Some(&upper),
                ..Default::default()
            }
        ));
        let other = BookingToken::from_random([8; 16]);
        assert!(!may_manage(
            &b,
            &HolderClaim {
                token: Some(other.as_str()),
                ..Default::default()
            }
        ));
        assert!(
            !may_manage(
                &b,
                &HolderClaim {
                    token: Some(&hash),
                    ..Default::default()
                }
            ),
            "the hash is not the token"
        );
        assert!(!may_manage(&b, &HolderClaim::default()));
        let legacy = HeldBooking {
            token_hash: None,
            ..b
        };
        assert!(!may_manage(
            &legacy,
            &HolderClaim {
                token: Some(t.as_str()),
                ..Default::default()
            }
        ));
        assert_eq!(format!("{t:?}"), "BookingToken(***)");
    }

    #[test]
    fn the_holders_session_and_the_centers_officials_may_manage() {
        let center = unit("04.01279");
        let lan = UserId::parse("cd-lan").expect("user");
        let b = HeldBooking {
            unit: &center,
            account: None,
            phone: Some("+84912345678"),
            email: Some("lan@example.vn"),
            token_hash: None,
        };
        let citizen = Principal::Citizen { user: lan.clone() };
        let by_phone = HolderClaim {
            principal: Some(&citizen),
            phone: Some("+84912345678"),
            ..Default::default()
        };
        let by_mail = HolderClaim {
            principal: Some(&citizen),
            email: Some("LAN@example.vn"),
            ..Default::default()
        };
        let stranger = HolderClaim {
            principal: Some(&citizen),
            phone: Some("+84987654321"),
            ..Default::default()
        };
        assert!(may_manage(&b, &by_phone) && may_manage(&b, &by_mail));
        assert!(!may_manage(&b, &stranger));
        let booked_by = HeldBooking {
            account: Some(&lan),
            ..b
        };
        assert!(may_manage(
            &booked_by,
            &HolderClaim {
                principal: Some(&citizen),
                ..Default::default()
            }
        ));

        let official = |role, at: &str| Principal::Official {
            user: UserId::parse("cb-1").expect("user"),
            assignments: vec![Assignment::new(role, unit(at)).expect("assignment")],
        };
        let claim = |p: &Principal| {
            may_manage(
                &b,
                &HolderClaim {
                    principal: Some(p),
                    ..Default::default()
                },
            )
        };
        assert!(claim(&official(StaffRole::ReceivingOfficer, "04.01279")));
        assert!(claim(&official(StaffRole::UnitAdmin, "04.01279")));
        assert!(claim(&official(StaffRole::ProvinceAdmin, "04")));
        assert!(!claim(&official(StaffRole::ReceivingOfficer, "04.01273")));
        assert!(!claim(&official(StaffRole::ProvinceAdmin, "01")));
    }
}
