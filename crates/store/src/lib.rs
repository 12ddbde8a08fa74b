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
pub mod log;
pub mod meta;
pub mod outbox;
pub mod report_inputs;
pub mod reports;
pub mod rows;
mod startup;
mod units;

pub use accounts::{
    login_client_key, login_key, otp_key, support as account_support, AccountEvent, AccountStore,
    Citizen, NewOfficial, NewSession, Official, OfficialLogin, QueueCount, Session, Subject,
};
pub use appointments::{AppointmentStore, Booking, NewBooking, NewTicket, Ticket};
pub use dossiers::{
    effective_limit, support as dossier_support, ApologyQuery, Applied, CommandError,
    CommandRequest, DossierFilter, DossierStore, DossierSummary, EventStream, IdempotencyKey,
    Intake, OpenDossier, QueueQuery, Target, APOLOGY_STATUSES, DEFAULT_LIMIT, MAX_LIMIT,
    QUEUE_STATUSES,
};
pub use error::{StoreError, StoreResult};
pub use log::EventLogStore;
pub use meta::{DeploymentKind, MetaStore};
pub use outbox::{support as outbox_support, Contact, OutboxStore};
pub use report_inputs::{InputsScope, NewInputsDeclaration, ReportInputStore};
pub use reports::{support as report_support, ReportStore, RollupQuery};
pub use startup::StartupLock;
pub use units::UnitStore;

/// Everything a backend provides. New areas add their own trait here and the
/// blanket list below grows.
#[async_trait::async_trait]
pub trait Store:
    UnitStore
    + DossierStore
    + OutboxStore
    + AccountStore
    + AppointmentStore
    + ReportStore
    + ReportInputStore
    + MetaStore
    + EventLogStore
    + Send
    + Sync
    + 'static
{
    /// The backend's name, for logs and `motcua serve`'s banner.
    fn backend(&self) -> &'static str;

    /// Waits for and takes the database-wide start-up lock (see
    /// [`StartupLock`]): the composition root holds it while it imports
    /// the reference data and creates the first accounts, so that servers
    /// started at once on one database do that work once, one after the
    /// other. Not reentrant: take it once per start-up.
    async fn startup_lock(&self) -> StoreResult<StartupLock>;

    /// The blob store every server of this database shares, kept in the
    /// database itself, when the backend has one (PostgreSQL); None when
    /// attachments are files of the one server's data directory (SQLite:
    /// see [`blobs::FsBlobStore`]).
    fn shared_blobs(&self) -> Option<std::sync::Arc<dyn blobs::BlobStore>> {
        None
    }
}
