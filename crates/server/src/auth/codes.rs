//! Gửi mã xác thực — delivery of one-time codes. `motcua serve` sends
//! them through the notification channels it is configured with
//! ([`ChannelCodeSender`]: the SMS gateway — by default the file
//! `DATA_DIR/sms.log`, the demo's "phone" — and SMTP e-mail), at once and
//! not through the outbox, so that the code is never stored in clear. The
//! code is never logged. There are also a development sender that only
//! warns ([`LogCodeSender`]) and an in-memory one for tests.

use std::sync::{Arc, Mutex};

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

/// The one-time codes over the notification channels: SMS to a phone, an
/// e-mail to an address. A contact whose channel is not configured gets
/// an error (the login page says the code could not be sent), never a
/// silent success. The SMS `log` gateway, which writes the text to the
/// server's log, is not used for codes.
pub struct ChannelCodeSender {
    sms: Option<Arc<dyn motcua_notify::SmsGateway>>,
    mail: Option<Arc<dyn motcua_notify::Mailer>>,
}

impl ChannelCodeSender {
    pub fn new(
        sms: Option<Arc<dyn motcua_notify::SmsGateway>>,
        mail: Option<Arc<dyn motcua_notify::Mailer>>,
    ) -> Self {
        ChannelCodeSender { sms, mail }
    }

    /// The channels of the notification settings (the same SMS gateway
    /// and SMTP server as the notifications).
    pub fn from_config(
        config: &motcua_notify::NotifyConfig,
    ) -> Result<Self, motcua_notify::ConfigError> {
        use motcua_notify::config::SmsChoice;
        let sms: Option<Arc<dyn motcua_notify::SmsGateway>> = match config.sms()? {
            SmsChoice::File(path) => Some(Arc::new(motcua_notify::FileSmsGateway::new(path))),
            SmsChoice::Log => {
                tracing::warn!(
                    "one-time codes: the SMS gateway `log` would write codes to the log; \
                     codes to phones cannot be sent"
                );
                None
            }
            SmsChoice::None => None,
        };
        let mail: Option<Arc<dyn motcua_notify::Mailer>> = match config.smtp()? {
            Some(smtp) => Some(Arc::new(motcua_notify::SmtpMailer::new(
                &smtp,
                &config.mail_from,
                config.hello_name.as_deref(),
            )?)),
            None => None,
        };
        Ok(ChannelCodeSender { sms, mail })
    }

    /// Which channels can carry codes: (SMS, e-mail).
    pub fn channels(&self) -> (bool, bool) {
        (self.sms.is_some(), self.mail.is_some())
    }
}

/// A fresh id for a message that is not in the outbox (the gateway's
/// client reference, the e-mail's Message-ID).
fn message_id() -> Result<motcua_store::outbox::NotificationId, SendError> {
    let bytes =
        super::secret::random_bytes::<16>().map_err(|_| SendError("no randomness".into()))?;
    motcua_store::outbox::NotificationId::parse(&hex::encode(bytes))
        .ok_or_else(|| SendError("message id".into()))
}

#[async_trait]
impl CodeSender for ChannelCodeSender {
    async fn send_code(
        &self,
        contact: &Contact,
        code: &str,
        valid_for: TimeDelta,
    ) -> Result<(), SendError> {
        let id = message_id()?;
        let text = message(code, valid_for);
        let sent = match contact {
            Contact::Phone(number) => {
                let gateway = self
                    .sms
                    .as_ref()
                    .ok_or_else(|| SendError("no SMS gateway is configured".into()))?;
                gateway
                    .send(&motcua_notify::Sms {
                        id,
                        to: number.clone(),
                        text: sms_text(code, valid_for),
                    })
                    .await
            }
            Contact::Email(address) => {
                let mailer = self
                    .mail
                    .as_ref()
                    .ok_or_else(|| SendError("no SMTP server is configured".into()))?;
                mailer
                    .send(&motcua_notify::Email {
                        id,
                        to: address.clone(),
                        subject: "Mã xác thực motcua / Your motcua code".to_string(),
                        text,
                    })
                    .await
            }
        };
        sent.map_err(|e| SendError(e.message))
    }
}

/// The SMS text: unaccented (one GSM-7 segment, as the notifications'
/// SMS by default), Vietnamese then English.
pub fn sms_text(code: &str, valid_for: TimeDelta) -> String {
    let minutes = valid_for.num_minutes().max(1);
    format!(
        "Ma xac thuc motcua: {code} (hieu luc {minutes} phut). Khong chia se ma nay. \
         Your code: {code}"
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
