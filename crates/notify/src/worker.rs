//! Người gửi — the delivery worker: claims due outbox rows, renders and
//! sends them, and records the outcome.
//!
//! * A claim is a lease ([`RetryPolicy::lease`]): if the worker dies before
//!   marking a row, the row is due again when the lease ends and another
//!   attempt sends it. Rows left in a batch that has run so long that its
//!   lease is nearly over are not sent (they fall due again at its end), so
//!   a slow server cannot make two workers send the same row.
//! * A failed send is retried after `backoff_base × 2^(attempts − 1)`, at
//!   most `backoff_max`, until `max_attempts`; a permanent error (an SMTP
//!   5xx, an invalid address) fails the row at once. The error is kept in
//!   `last_error`.
//! * Exactly-once delivery is not possible over SMTP or an SMS API: if the
//!   worker dies after the gateway accepted a message but before the row
//!   was marked sent, the message is sent again. That is the only
//!   duplicate, and it carries the same Message-ID / client reference as
//!   the first (see [`crate::mail`] and [`crate::sms`]).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use motcua_store::outbox::{DeliveryChannel, Notification};
use motcua_store::{Store, StoreResult};

use crate::config::{ConfigError, NotifyConfig, SmsChoice};
use crate::mail::{Email, Mailer, SmtpMailer};
use crate::sms::{FileSmsGateway, LogSmsGateway, Sms, SmsGateway};
use crate::templates::{render, TemplateContext};
use crate::SendError;

/// When to try again and when to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub backoff_base: TimeDelta,
    pub backoff_max: TimeDelta,
    pub lease: TimeDelta,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        NotifyConfig::default().policy()
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempts` (from 1):
    /// `backoff_base × 2^(attempts − 1)`, at most `backoff_max`.
    pub fn backoff(&self, attempts: u32) -> TimeDelta {
        let exp = attempts.saturating_sub(1).min(30);
        self.backoff_base
            .checked_mul(1_i32 << exp)
            .map_or(self.backoff_max, |d| d.min(self.backoff_max))
    }
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub claimed: usize,
    pub sent: usize,
    /// Failed and due again later.
    pub retried: usize,
    /// Given up.
    pub failed: usize,
    /// Left for the next lease (the batch ran out of time).
    pub skipped: usize,
}

/// The delivery worker.
pub struct Worker {
    store: Arc<dyn Store>,
    mailer: Option<Arc<dyn Mailer>>,
    sms: Option<Arc<dyn SmsGateway>>,
    templates: TemplateContext,
    policy: RetryPolicy,
    batch: u32,
    poll: Duration,
}

impl Worker {
    /// A worker with no channel yet (add them with [`Self::with_mailer`] and
    /// [`Self::with_sms`]; rows of a channel without a sender stay pending).
    pub fn new(store: Arc<dyn Store>, templates: TemplateContext, policy: RetryPolicy) -> Self {
        Worker {
            store,
            mailer: None,
            sms: None,
            templates,
            policy,
            batch: 50,
            poll: Duration::from_secs(5),
        }
    }

    /// The worker the configuration describes.
    pub fn from_config(store: Arc<dyn Store>, config: &NotifyConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut w = Worker::new(store, config.templates(), config.policy());
        w.batch = config.batch.max(1);
        w.poll = Duration::from_secs(config.poll_secs.max(1));
        if let Some(smtp) = config.smtp()? {
            tracing::info!(
                host = %smtp.host, port = smtp.port, security = ?smtp.security,
                "notifications: e-mail over SMTP"
            );
            w.mailer = Some(Arc::new(SmtpMailer::new(
                &smtp,
                &config.mail_from,
                config.hello_name.as_deref(),
            )?));
        } else {
            tracing::warn!("notifications: MOTCUA_SMTP_URL is not set; e-mails wait in the outbox");
        }
        match config.sms()? {
            SmsChoice::File(path) => {
                tracing::info!(path = %path.display(), "notifications: SMS to a file (development)");
                w.sms = Some(Arc::new(FileSmsGateway::new(path)));
            }
            SmsChoice::Log => w.sms = Some(Arc::new(LogSmsGateway)),
            SmsChoice::None => {
                tracing::warn!("notifications: no SMS gateway; SMS wait in the outbox")
            }
        }
        Ok(w)
    }

    pub fn with_mailer(mut self, mailer: Arc<dyn Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    pub fn with_sms(mut self, gateway: Arc<dyn SmsGateway>) -> Self {
        self.sms = Some(gateway);
        self
    }

    pub fn with_batch(mut self, batch: u32, poll: Duration) -> Self {
        self.batch = batch.max(1);
        self.poll = poll;
        self
    }

    /// The channels this worker can send on.
    pub fn channels(&self) -> Vec<DeliveryChannel> {
        let mut c = Vec::with_capacity(2);
        if self.mailer.is_some() {
            c.push(DeliveryChannel::Email);
        }
        if self.sms.is_some() {
            c.push(DeliveryChannel::Sms);
        }
        c
    }

    async fn deliver(&self, n: &Notification) -> Result<(), SendError> {
        let r = render(n, &self.templates);
        match n.channel {
            DeliveryChannel::Email => match &self.mailer {
                Some(m) => {
                    m.send(&Email {
                        id: n.id.clone(),
                        to: n.recipient.clone(),
                        subject: r.subject,
                        text: r.text,
                    })
                    .await
                }
                None => Err(SendError::transient("no e-mail sender configured")),
            },
            DeliveryChannel::Sms => match &self.sms {
                Some(g) => {
                    g.send(&Sms {
                        id: n.id.clone(),
                        to: n.recipient.clone(),
                        text: r.sms,
                    })
                    .await
                }
                None => Err(SendError::transient("no SMS gateway configured")),
            },
        }
    }

    /// Claims one batch of rows due at `now` and delivers them.
    pub async fn run_once(&self, now: DateTime<Utc>) -> StoreResult<Pass> {
        let channels = self.channels();
        let mut pass = Pass::default();
        if channels.is_empty() {
            return Ok(pass);
        }
        let started = tokio::time::Instant::now();
        let lease = self.policy.lease;
        // Stop sending when less than a fifth of the lease is left.
        let budget = (lease - lease / 5).to_std().unwrap_or(Duration::ZERO);
        let claimed = self
            .store
            .claim_due(now, &channels, self.batch, lease)
            .await?;
        pass.claimed = claimed.len();
        for n in claimed {
            if started.elapsed() > budget {
                pass.skipped += 1;
                continue;
            }
            if n.attempts > self.policy.max_attempts {
                let why = format!(
                    "gave up after {} attempts (the last leases ended without an answer)",
                    n.attempts - 1
                );
                self.record(&n, Err(SendError::permanent(why)), now, &mut pass)
                    .await;
                continue;
            }
            let outcome = self.deliver(&n).await;
            self.record(&n, outcome, now, &mut pass).await;
        }
        Ok(pass)
    }

    async fn record(
        &self,
        n: &Notification,
        outcome: Result<(), SendError>,
        now: DateTime<Utc>,
        pass: &mut Pass,
    ) {
        let marked = match outcome {
            Ok(()) => {
                pass.sent += 1;
                tracing::debug!(id = %n.id, kind = n.kind.as_str(), channel = n.channel.as_str(), "notification sent");
                self.store.mark_sent(&n.id, now).await
            }
            Err(e) => {
                let retry_at = (!e.permanent && n.attempts < self.policy.max_attempts)
                    .then(|| now + self.policy.backoff(n.attempts));
                if retry_at.is_some() {
                    pass.retried += 1;
                } else {
                    pass.failed += 1;
                }
                tracing::warn!(
                    id = %n.id, kind = n.kind.as_str(), channel = n.channel.as_str(),
                    attempts = n.attempts, retry_at = ?retry_at, error = %e.message,
                    "notification not sent"
                );
                self.store
                    .mark_failed(&n.id, n.attempts, &e.message, retry_at)
                    .await
            }
        };
        match marked {
            Ok(true) => {}
            Ok(false) => tracing::warn!(id = %n.id, "notification changed under its lease"),
            Err(e) => {
                tracing::error!(id = %n.id, error = %e, "recording a notification's outcome failed")
            }
        }
    }

    /// Runs until `shutdown` completes: a pass, then another at once if the
    /// batch was full, else after the poll interval.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let pause = match self.run_once(Utc::now()).await {
                Ok(p) if p.claimed >= self.batch as usize => Duration::ZERO,
                Ok(_) => self.poll,
                Err(e) => {
                    tracing::warn!(error = %e, "notifications: claiming from the outbox failed");
                    self.poll
                }
            };
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_the_cap() {
        let p = RetryPolicy {
            max_attempts: 8,
            backoff_base: TimeDelta::minutes(1),
            backoff_max: TimeDelta::hours(1),
            lease: TimeDelta::minutes(5),
        };
        let mins: Vec<i64> = (1..=9).map(|a| p.backoff(a).num_minutes()).collect();
        assert_eq!(mins, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(p.backoff(0), TimeDelta::minutes(1));
        assert_eq!(p.backoff(u32::MAX), TimeDelta::hours(1));
    }
}
