//! Thư điện tử — e-mail over SMTP with lettre.
//!
//! Each message's `Message-ID` is `<outbox id@sender's domain>`: the same
//! for every attempt of one notification, so that a message sent again
//! after a crash (sent, not yet marked) can be recognised as a duplicate by
//! mail systems that drop repeated Message-IDs, and by the reader's client
//! which threads them together. `Auto-Submitted: auto-generated` (RFC 3834)
//! keeps vacation responders quiet.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use motcua_store::outbox::NotificationId;

use crate::config::{ConfigError, SmtpSecurity, SmtpSettings};
use crate::SendError;

/// The longest an SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// An e-mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The outbox id (the Message-ID's local part).
    pub id: NotificationId,
    pub to: String,
    pub subject: String,
    /// Plain text, UTF-8.
    pub text: String,
}

/// Something that sends e-mail.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, email: &Email) -> Result<(), SendError>;
}

/// Parses a sender such as `Một cửa Cao Bằng <motcua@caobang.gov.vn>`.
pub fn parse_mailbox(s: &str) -> Result<Mailbox, ConfigError> {
    s.parse::<Mailbox>()
        .map_err(|e| ConfigError::MailFrom(s.to_string(), e.to_string()))
}

/// E-mail through an SMTP server.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// A mailer for `smtp`, sending as `from`. Connections are opened on
    /// the first send (and pooled).
    pub fn new(
        smtp: &SmtpSettings,
        from: &str,
        hello_name: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let from = parse_mailbox(from)?;
        let host = smtp.host.trim_matches(|c| c == '[' || c == ']').to_string();
        let hello = hello_name.map_or_else(|| from.email.domain().to_string(), str::to_string);
        let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(smtp.port)
            .hello_name(ClientId::Domain(hello))
            .timeout(Some(SMTP_TIMEOUT))
            .pool_config(PoolConfig::new().max_size(4));
        let mut builder = with_tls(builder, &host, smtp.security)?;
        if let Some(user) = &smtp.user {
            builder =
                builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                    user.clone(),
                    smtp.password.clone().unwrap_or_default(),
                ));
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            from,
        })
    }

    /// The message for `email` (public for tests of the headers).
    pub fn message(&self, email: &Email) -> Result<Message, SendError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e| SendError::permanent(format!("invalid recipient: {e}")))?;
        let body = Body::new_with_encoding(email.text.clone(), ContentTransferEncoding::Base64)
            .map_err(|_| SendError::permanent("the body cannot be encoded"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(format!("<{}@{}>", email.id, self.from.email.domain())))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_string(),
            ))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| SendError::permanent(format!("building the message: {e}")))
    }
}

#[cfg(feature = "tls")]
fn with_tls(
    builder: AsyncSmtpTransportBuilder,
    host: &str,
    security: SmtpSecurity,
) -> Result<AsyncSmtpTransportBuilder, ConfigError> {
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    let params = || {
        TlsParameters::new(host.to_string())
            .map_err(|e| ConfigError::SmtpUrl(format!("TLS parameters: {e}")))
    };
    Ok(match security {
        SmtpSecurity::Plain => builder.tls(Tls::None),
        SmtpSecurity::StartTls => builder.tls(Tls::Required(params()?)),
        SmtpSecurity::Tls => builder.tls(Tls::Wrapper(params()?)),
    })
}

/// Without TLS support the connection is plain (the default of the builder).
#[cfg(not(feature = "tls"))]
fn with_tls(
    builder: AsyncSmtpTransportBuilder,
    _host: &str,
    security: SmtpSecurity,
) -> Result<AsyncSmtpTransportBuilder, ConfigError> {
    match security {
        SmtpSecurity::Plain => Ok(builder),
        SmtpSecurity::StartTls | SmtpSecurity::Tls => Err(ConfigError::NoTls),
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &Email) -> Result<(), SendError> {
        let message = self.message(email)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::permanent(format!("SMTP: {e}"))),
            Err(e) => Err(SendError::transient(format!("SMTP: {e}"))),
        }
    }
}
