use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use motcua_domain::units::Registry;
use motcua_engine::Engine;
use motcua_store::Store;

/// What every handler can reach: the store and the in-memory unit registry
/// (built from the store at start-up; used for name look-ups and conversion).
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub registry: Arc<Registry>,
    pub engine: Engine,
    /// Login, session and one-time code settings.
    pub auth: crate::auth::Auth,
    /// Development and tests only: accept the caller's word for who acts
    /// (`X-Actor-Role`, `X-Actor-User`, `X-Actor-Unit`) and let requests
    /// without a session read everything, as before accounts existed.
    /// Default false: every request then needs a session.
    pub insecure_actor_headers: bool,
    /// Where applicants pay (by default the simulated provider).
    pub payments: Arc<dyn crate::payment::PaymentProvider>,
    /// The catalogue in force today, folded for search.
    pub catalogue: crate::catalogue::CatalogueCache,
    /// The limits of the public booking routes and their look-up counters.
    pub bookings: crate::api::appointments::BookingGuard,
    /// The public base address and the portal's Center.
    pub site: crate::site::Site,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, registry: Arc<Registry>, engine: Engine) -> Self {
        AppState {
            store,
            engine: engine.with_units(registry.clone()),
            registry,
            auth: crate::auth::Auth::default(),
            insecure_actor_headers: false,
            payments: Arc::new(crate::payment::SimulatedProvider),
            catalogue: crate::catalogue::CatalogueCache::default(),
            bookings: crate::api::appointments::BookingGuard::default(),
            site: crate::site::Site::default(),
        }
    }

    /// See [`crate::api::appointments::BookingLimits`] (new counters).
    pub fn with_booking_limits(mut self, limits: crate::api::appointments::BookingLimits) -> Self {
        self.bookings = crate::api::appointments::BookingGuard::new(limits);
        self
    }

    /// The public base address and the portal's Center.
    pub fn with_site(mut self, site: crate::site::Site) -> Self {
        self.site = site;
        self
    }

    /// See [`AppState::insecure_actor_headers`].
    pub fn with_insecure_actor_headers(mut self, on: bool) -> Self {
        self.insecure_actor_headers = on;
        self
    }

    pub fn with_auth_config(mut self, config: crate::auth::AuthConfig) -> Self {
        self.auth = crate::auth::Auth::new(config, self.auth.codes.clone());
        self
    }

    /// Where one-time codes go (the notification channel; by default the
    /// development [`crate::auth::LogCodeSender`]).
    pub fn with_code_sender(mut self, codes: Arc<dyn crate::auth::CodeSender>) -> Self {
        self.auth.codes = codes;
        self
    }

    /// Plugs a payment provider in.
    pub fn with_payment_provider(
        mut self,
        payments: Arc<dyn crate::payment::PaymentProvider>,
    ) -> Self {
        self.payments = payments;
        self
    }

    /// Today in Vietnam (UTC+7, no daylight saving).
    pub fn today(&self) -> NaiveDate {
        motcua_domain::dossier::vietnam_date(Utc::now())
    }
}
