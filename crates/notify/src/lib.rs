//! Thông báo — notifications to the applicant at every state change that
//! concerns them (received, accepted with the appointment, supplement
//! requested, refused, payment requested, late with a new date, result
//! ready, returned) and appointment reminders: e-mail over SMTP and SMS
//! through a pluggable gateway, in Vietnamese and English.
//!
//! Notifications are written to the store's transactional outbox by the
//! command that changes the dossier (see [`motcua_store::outbox`]); the
//! [`Worker`] started by [`spawn_worker`] delivers them. A crash between
//! the state change and the send loses nothing (the row committed with
//! the event and stays due until marked), and a failed send is retried
//! with exponential back-off. See [`worker`] for the one duplicate that no
//! SMTP or SMS protocol can rule out, and how it is made recognisable.

pub mod config;
pub mod mail;
pub mod sms;
pub mod templates;
pub mod testing;
pub mod worker;

use std::sync::Arc;

pub use config::{ConfigError, NotifyConfig};
pub use mail::{Email, Mailer, SmtpMailer};
pub use sms::{FileSmsGateway, LogSmsGateway, Sms, SmsGateway};
pub use templates::{render, Rendered, TemplateContext};
pub use worker::{Pass, RetryPolicy, Worker};

use motcua_store::Store;

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// Retrying cannot help (a rejected address, a 5xx answer).
    pub permanent: bool,
    pub message: String,
}

impl SendError {
    pub fn transient(message: impl Into<String>) -> Self {
        SendError {
            permanent: false,
            message: message.into(),
        }
    }
    pub fn permanent(message: impl Into<String>) -> Self {
        SendError {
            permanent: true,
            message: message.into(),
        }
    }
}

/// Starts the delivery worker on the current tokio runtime; it runs until
/// the runtime stops (stopping at any point is safe: see [`worker`]).
/// Fails only on a configuration that cannot work (checked before
/// anything is sent).
pub fn spawn_worker(
    store: Arc<dyn Store>,
    config: NotifyConfig,
) -> Result<tokio::task::JoinHandle<()>, ConfigError> {
    let worker = Worker::from_config(store, &config)?;
    Ok(tokio::spawn(worker.run(std::future::pending())))
}
