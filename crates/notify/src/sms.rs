//! Tin nhắn SMS — through a pluggable gateway. A carrier's or an
//! aggregator's HTTP API implements [`SmsGateway`]; for development the
//! file gateway appends one JSON line per message to `DATA_DIR/sms.log`,
//! and the log gateway only logs (with the number masked).
//!
//! Every message carries the outbox id as its client reference
//! ([`Sms::id`]): gateways that deduplicate by reference drop the resend
//! of a message whose success was not recorded before a crash.

use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use motcua_store::outbox::NotificationId;
use serde::{Deserialize, Serialize};

use crate::SendError;

/// An SMS to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sms {
    /// The client reference: the outbox id.
    pub id: NotificationId,
    /// E.164, e.g. `+84912345678`.
    pub to: String,
    pub text: String,
}

/// Something that sends SMS.
#[async_trait]
pub trait SmsGateway: Send + Sync {
    /// A short name for logs.
    fn name(&self) -> &'static str;
    async fn send(&self, sms: &Sms) -> Result<(), SendError>;
}

/// One line of the file gateway's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsLine {
    pub id: NotificationId,
    pub to: String,
    pub text: String,
    /// When the gateway wrote it.
    pub at: DateTime<Utc>,
}

/// Appends each SMS as a JSON line ([`SmsLine`]) to a file.
#[derive(Debug, Clone)]
pub struct FileSmsGateway {
    path: PathBuf,
}

impl FileSmsGateway {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileSmsGateway { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the lines written so far (for tests and the demo).
    pub fn read(path: &Path) -> std::io::Result<Vec<SmsLine>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
            })
            .collect()
    }
}

#[async_trait]
impl SmsGateway for FileSmsGateway {
    fn name(&self) -> &'static str {
        "file"
    }

    async fn send(&self, sms: &Sms) -> Result<(), SendError> {
        let line = SmsLine {
            id: sms.id.clone(),
            to: sms.to.clone(),
            text: sms.text.clone(),
            at: Utc::now(),
        };
        let mut text = serde_json::to_string(&line)
            .map_err(|e| SendError::permanent(format!("encoding the SMS line: {e}")))?;
        text.push('\n');
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)?;
            // One write of the whole line: appends do not interleave.
            f.write_all(text.as_bytes())?;
            f.sync_data()
        })
        .await
        .map_err(|e| SendError::transient(format!("SMS file task: {e}")))?
        .map_err(|e| SendError::transient(format!("writing {}: {e}", self.path.display())))
    }
}

/// Logs each SMS (the number masked, the text in full) and drops it.
#[derive(Debug, Clone, Default)]
pub struct LogSmsGateway;

/// `+84912345678` as `+849…678`.
pub fn mask_number(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    if chars.len() <= 7 {
        return "***".to_string();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}…{tail}")
}

#[async_trait]
impl SmsGateway for LogSmsGateway {
    fn name(&self) -> &'static str {
        "log"
    }

    async fn send(&self, sms: &Sms) -> Result<(), SendError> {
        tracing::info!(id = %sms.id, to = %mask_number(&sms.to), text = %sms.text, "SMS (log gateway)");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_in_logs() {
        assert_eq!(mask_number("+84912345678"), "+849…678");
        assert_eq!(mask_number("+8491"), "***");
    }
}
