//! motcua's domain: pure functions and types. Nothing here reads a clock,
//! a file, a socket or a database; callers pass `now`, the calendar and the
//! data in, which keeps every rule testable with exact examples and
//! property tests.

pub mod access;
pub mod appointments;
pub mod calendar;
pub mod dossier;
pub mod log;
pub mod procedure;
pub mod reports;
pub mod settings;
pub mod text;
pub mod units;
