//! Lịch hẹn — reaching a booking. A booking is seen, cancelled or moved
//! only by whoever [`may_manage`] it: the holder's token, the holder's
//! citizen session, or an official of its Center. To anyone else it does
//! not exist: [`Engine::held_booking`] answers `None` as for a missing
//! code, so the short code (guessable) tells nothing.

use chrono::{DateTime, Utc};
use motcua_domain::access::{Contact, Principal};
use motcua_domain::appointments::{may_manage, BookingCode, HeldBooking, HolderClaim};
use motcua_store::{Booking, StoreError};

use crate::{Engine, EngineError};

/// What a request brings to prove it holds a booking.
#[derive(Debug, Clone, Copy, Default)]
pub struct Holder<'a> {
    /// The token as sent (`?t=` or the `X-Booking-Token` header).
    pub token: Option<&'a str>,
    /// The logged-in person.
    pub principal: Option<&'a Principal>,
    /// A citizen session's login (phone or e-mail).
    pub contact: Option<&'a Contact>,
}

impl<'a> Holder<'a> {
    fn claim(&self) -> HolderClaim<'a> {
        HolderClaim {
            token: self.token,
            principal: self.principal,
            phone: match self.contact {
                Some(Contact::Phone(p)) => Some(p.as_str()),
                _ => None,
            },
            email: match self.contact {
                Some(Contact::Email(e)) => Some(e.as_str()),
                _ => None,
            },
        }
    }

    /// Whether this holder may manage `b`.
    pub fn holds(&self, b: &Booking) -> bool {
        let held = HeldBooking {
            unit: &b.unit,
            account: b.account.as_ref(),
            phone: b.contact.phone.as_ref().map(|p| p.as_str()),
            email: b.contact.email.as_ref().map(|e| e.as_str()),
            token_hash: b.token_hash.as_deref(),
        };
        may_manage(&held, &self.claim())
    }
}

impl Engine {
    /// The booking `code` if `holder` may manage it; `None` when there is
    /// none or the holder does not reach it (the caller answers both the
    /// same way).
    pub async fn held_booking(
        &self,
        code: &BookingCode,
        holder: &Holder<'_>,
    ) -> Result<Option<Booking>, EngineError> {
        Ok(self.store.booking(code).await?.filter(|b| holder.holds(b)))
    }

    /// Cancels a booking its holder reaches (its seat is free again, its
    /// pending reminders withdrawn). Store errors as
    /// [`motcua_store::AppointmentStore::cancel_booking`]; NotFound
    /// `booking` when the holder does not reach it.
    pub async fn cancel_held(
        &self,
        code: &BookingCode,
        holder: &Holder<'_>,
        now: DateTime<Utc>,
    ) -> Result<Booking, StoreError> {
        match self.held_booking(code, holder).await {
            Ok(Some(_)) => self.store.cancel_booking(code, now).await,
            Ok(None) => Err(StoreError::NotFound("booking".into())),
            Err(EngineError::Store(e)) => Err(e),
            Err(e) => Err(StoreError::Other(e.into())),
        }
    }
}
