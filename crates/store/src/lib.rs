//! The storage interface. The server and the CLI talk to a `dyn Store`; each
//! backend crate (`motcua-store-sqlite`, `motcua-store-postgres`) implements
//! it over a real connection with its own migrations.

mod accounts;
pub mod appointments;
pub mod blobs;
pub mod conformance;
mod dossiers;
mod error;
pub mod fixture;
pub mod outbox;
pub mod report_inputs;
pub mod reports;
pub mod rows;
mod units;

pub use accounts::{
    login_client_key, login_key, otp_key, support as account_support, AccountStore, Citizen,
    NewOfficial, NewSession, Official, OfficialLogin, QueueCount, Session, Subject,
};
pub use appointments::{AppointmentStore, Booking, NewBooking, NewTicket, Ticket};
pub use dossiers::{
    effective_limit, support as dossier_support, Applied, CommandError, CommandRequest,
    DossierFilter, DossierStore, DossierSummary, EventStream, Intake, OpenDossier, QueueQuery,
    Target, DEFAULT_LIMIT, MAX_LIMIT, QUEUE_STATUSES,
};
pub use error::{StoreError, StoreResult};
pub use outbox::{support as outbox_support, Contact, OutboxStore};
pub use report_inputs::{InputsScope, NewInputsDeclaration, ReportInputStore};
pub use reports::{support as report_support, ReportStore, RollupQuery};
pub use units::UnitStore;

/// Everything a backend provides. New areas add their own trait here and the
/// blanket list below grows.
pub trait Store:
    UnitStore
    + DossierStore
    + OutboxStore
    + AccountStore
    + AppointmentStore
    + ReportStore
    + ReportInputStore
    + Send
    + Sync
    + 'static
{
    /// The backend's name, for logs and `motcua serve`'s banner.
    fn backend(&self) -> &'static str;
}
