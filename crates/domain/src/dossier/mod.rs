//! Hồ sơ — dossiers: codes, states, transitions, events.
//!
//! A dossier is event-sourced: [`decide`] checks a [`Command`] from an
//! [`Actor`] against the current [`DossierState`] and returns [`Event`]s (or
//! a [`DossierError`] with a stable code and no events); [`apply`] folds an
//! event into the state. Statuses use the national portal numbering
//! ([`Status`]); the processing sub-state is the current workflow step and
//! the agency holding the dossier. Events are chained by SHA-256
//! ([`event_hash`], [`verify_chain`]).
//!
//! Legal basis: Decree 118/2025/NĐ-CP (one-stop mechanism, from 1 July
//! 2025) and Circular 03/2025/TT-VPCP (forms: Mẫu 01 receipt and
//! appointment, 02 supplement request, 03 refusal, 04 apology and new
//! appointment, 05 stop notice, 06 control sheet). Deadlines are computed
//! by the calendar module from the data kept here (acceptance time,
//! appointments, pause intervals, step visits).

mod available;
mod chain;
mod code;
mod command;
mod decide;
mod error;
mod event;
mod limits;
mod role;
mod state;
mod status;
mod time;

#[cfg(test)]
mod tests;

pub use available::{available, KINDS as ACTION_KINDS};
pub use chain::{
    canonical_bytes, canonical_json, chain_events, event_hash, parse_canonical, verify_chain,
    verify_chain_from, BrokenLink, CanonicalError, ChainedEvent, GENESIS,
};
pub use code::{DossierCode, DossierCodeError, UnitId};
pub use command::{
    Applicant, AppraisalOutcome, Channel, Command, DocumentKind, DocumentRef, InvalidPersonalId,
    NewDossier, PersonalId, Rating, ReceivedDocument, ReturnWay,
};
pub use decide::{
    allowed_roles, decide, late_notice_open, reassign_open, stop_open, withdrawal_open,
};
pub use error::{DossierError, Refusal};
pub use event::{Event, EventData, Opened};
pub use role::{Actor, InvalidUserId, Role, UserId};
pub use state::{
    apply, AttachedDocument, Counters, Dossier, DossierState, IssuedResult, Pause, PauseKind,
    PaymentRequest, RatingRecord, StepVisit,
};
pub use status::{ReportingGroup, Status};
pub use time::{to_micros, vietnam_date, VIETNAM_OFFSET};
