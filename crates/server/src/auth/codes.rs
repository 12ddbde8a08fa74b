//! Gửi mã xác thực — delivery of one-time codes. The notification
//! channel (SMTP e-mail, SMS gateway) implements [`CodeSender`]; until
//! then there are a development sender that writes codes to the log and
//! an in-memory one for tests.

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::TimeDelta;
use motcua_domain::access::Contact;

/// Sends a one-time code to a citizen. Implementations must never log the
/// code.
#[async_trait]
pub trait CodeSender: Send + Sync {
    async fn send_code(
        &self,
        contact: &Contact,
        code: &str,
        valid_for: TimeDelta,
    ) -> Result<(), SendError>;
}

#[derive(Debug, thiserror::Error)]
#[error("the code could not be sent: {0}")]
pub struct SendError(pub String);

/// The text of the message, in Vietnamese then English.
pub fn message(code: &str, valid_for: TimeDelta) -> String {
    let minutes = valid_for.num_minutes().max(1);
    format!(
        "Mã xác thực motcua của bạn là {code}, có hiệu lực {minutes} phút. Không chia sẻ mã này.\n\
         Your motcua code is {code}, valid for {minutes} minutes. Do not share it."
    )
}

/// The `tracing` target of the development sender's codes
/// ([`LogCodeSender`]): off unless asked for by name at TRACE level.
pub const DEV_CODES_TARGET: &str = "motcua::dev_codes";

/// Development only, until a delivery channel is configured: warns that
/// the code was not delivered, without the code. The code itself is
/// emitted only at TRACE level on [`DEV_CODES_TARGET`], which the default
/// log filter never shows; a developer who needs it on their own machine
/// asks for it (`MOTCUA_LOG=info,motcua::dev_codes=trace`). Never use it
/// where real people log in.
pub struct LogCodeSender;

#[async_trait]
impl CodeSender for LogCodeSender {
    async fn send_code(
        &self,
        contact: &Contact,
        code: &str,
        valid_for: TimeDelta,
    ) -> Result<(), SendError> {
        tracing::warn!(
            to = %contact.masked(),
            "DEVELOPMENT code sender: no delivery channel, the one-time code was not sent"
        );
        tracing::trace!(
            target: DEV_CODES_TARGET,
            to = %contact.masked(),
            message = %message(code, valid_for),
            "development one-time code"
        );
        Ok(())
    }
}

/// Keeps the codes sent, for tests.
#[derive(Default)]
pub struct MemoryCodeSender {
    sent: Mutex<Vec<(Contact, String)>>,
}

impl MemoryCodeSender {
    pub fn new() -> Self {
        Self::default()
    }

    /// The last code sent to `contact`.
    pub fn last_code(&self, contact: &Contact) -> Option<String> {
        let sent = self.sent.lock().ok()?;
        sent.iter()
            .rev()
            .find(|(c, _)| c == contact)
            .map(|(_, code)| code.clone())
    }

    /// How many codes were sent in all.
    pub fn count(&self) -> usize {
        self.sent.lock().map(|s| s.len()).unwrap_or(0)
    }
}

#[async_trait]
impl CodeSender for MemoryCodeSender {
    async fn send_code(
        &self,
        contact: &Contact,
        code: &str,
        _valid_for: TimeDelta,
    ) -> Result<(), SendError> {
        self.sent
            .lock()
            .map_err(|_| SendError("poisoned".into()))?
            .push((contact.clone(), code.to_string()));
        Ok(())
    }
}
