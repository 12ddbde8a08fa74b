//! Configuration of the notifications: defaults in code, then a `[notify]`
//! table of the TOML file ([`NotifyConfig`] deserializes it), then
//! `MOTCUA_*` environment variables ([`NotifyConfig::apply_env`]).
//!
//! | variable | meaning |
//! | --- | --- |
//! | `MOTCUA_SMTP_URL` | `smtp://[user[:password]@]host[:port]` (plain; `?tls=starttls` to require STARTTLS) or `smtps://host[:port]` (implicit TLS); unset: e-mails wait in the outbox |
//! | `MOTCUA_SMTP_USER`, `MOTCUA_SMTP_PASSWORD` | credentials, if not in the URL |
//! | `MOTCUA_MAIL_FROM` | the sender, e.g. `Một cửa Cao Bằng <motcua@caobang.gov.vn>` |
//! | `MOTCUA_SMS_GATEWAY` | `file` (DATA_DIR/sms.log, the default), `file:PATH`, `log`, or `none` (SMS wait in the outbox) |
//! | `MOTCUA_SMS_UNICODE` | `1` to keep Vietnamese diacritics in SMS |
//! | `MOTCUA_TRACKING_URL` | the public tracking page with `{code}`; or `MOTCUA_PUBLIC_URL`, to which `/tra-cuu/{code}` is appended |
//! | `MOTCUA_BOOKING_URL` | a booking's page with `{code}` and `{token}` (the reminder's link); by default `/dat-lich/{code}?t={token}` under `MOTCUA_PUBLIC_URL`, or under the tracking URL's site when it ends in `/tra-cuu/{code}` |
//! | (derived) | the applicant's own dossier page (the rating link): `/ho-so-cua-toi/{code}` under `MOTCUA_PUBLIC_URL`, or under the tracking URL's site |
//! | `MOTCUA_NOTIFY_MAX_ATTEMPTS` | attempts before a notification is given up |
//!
//! Secrets (the SMTP password, credentials in the URL) are never printed:
//! `Debug` redacts them.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::TimeDelta;
use serde::Deserialize;

/// The tracking link when nothing is configured.
pub const DEFAULT_TRACKING_URL: &str = "http://127.0.0.1:8080/tra-cuu/{code}";
/// The path of the public tracking page under `MOTCUA_PUBLIC_URL`.
pub const TRACKING_PATH: &str = "/tra-cuu/{code}";
/// The booking link when nothing is configured.
pub const DEFAULT_BOOKING_URL: &str = "http://127.0.0.1:8080/dat-lich/{code}?t={token}";
/// The path of a booking's page under `MOTCUA_PUBLIC_URL`.
pub const BOOKING_PATH: &str = "/dat-lich/{code}?t={token}";
/// The applicant's dossier page when nothing is configured.
pub const DEFAULT_DOSSIER_URL: &str = "http://127.0.0.1:8080/ho-so-cua-toi/{code}";
/// The path of the applicant's dossier page under `MOTCUA_PUBLIC_URL`.
pub const DOSSIER_PATH: &str = "/ho-so-cua-toi/{code}";
/// The sender when nothing is configured.
pub const DEFAULT_MAIL_FROM: &str = "Một cửa <no-reply@motcua.localhost>";

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid SMTP URL: {0}")]
    SmtpUrl(String),
    #[error("SMTP over TLS was asked for, but this build has no TLS support (feature `tls` of motcua-notify)")]
    NoTls,
    #[error("refusing to send SMTP credentials unencrypted to {0}: use smtps:// or ?tls=starttls, or a relay on this host")]
    InsecureCredentials(String),
    #[error("invalid sender address {0:?}: {1}")]
    MailFrom(String, String),
    #[error("invalid SMS gateway {0:?}: expected file, file:PATH, log or none")]
    SmsGateway(String),
    #[error("invalid value of {0}: {1:?}")]
    Value(&'static str, String),
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// No encryption (a relay on this host or a trusted network).
    Plain,
    /// STARTTLS, required.
    StartTls,
    /// Implicit TLS (`smtps://`, port 465).
    Tls,
}

/// The SMTP server, parsed from the URL.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

/// The SMS gateway to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsChoice {
    /// Appends JSON lines to a file (development).
    File(PathBuf),
    /// Writes to the log only (development).
    Log,
    /// No SMS gateway: SMS stay pending in the outbox.
    None,
}

/// Notification settings.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    pub smtp_url: Option<String>,
    pub smtp_user: Option<String>,
    pub smtp_password: Option<String>,
    pub mail_from: String,
    /// The name given in EHLO (default: the sender's domain).
    pub hello_name: Option<String>,
    /// `file`, `file:PATH`, `log` or `none`.
    pub sms_gateway: String,
    pub sms_unicode: bool,
    /// The public tracking page, with `{code}`.
    pub tracking_url: String,
    /// A booking's page, with `{code}` and `{token}`.
    pub booking_url: String,
    /// The applicant's own page of a dossier, with `{code}`.
    pub dossier_url: String,
    /// Attempts before giving up (a claim is an attempt).
    pub max_attempts: u32,
    /// The first retry delay; it doubles with each failed attempt…
    pub backoff_base_secs: u64,
    /// …up to this.
    pub backoff_max_secs: u64,
    /// How long a claimed notification is reserved for its sender.
    pub lease_secs: u64,
    /// How often the worker looks for due notifications when idle.
    pub poll_secs: u64,
    /// Notifications claimed at once.
    pub batch: u32,
    /// Where `file` puts `sms.log` (the server's DATA_DIR).
    #[serde(skip)]
    pub data_dir: PathBuf,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            smtp_url: None,
            smtp_user: None,
            smtp_password: None,
            mail_from: DEFAULT_MAIL_FROM.to_string(),
            hello_name: None,
            sms_gateway: "file".to_string(),
            sms_unicode: false,
            tracking_url: DEFAULT_TRACKING_URL.to_string(),
            booking_url: DEFAULT_BOOKING_URL.to_string(),
            dossier_url: DEFAULT_DOSSIER_URL.to_string(),
            max_attempts: 8,
            backoff_base_secs: 60,
            backoff_max_secs: 6 * 3600,
            lease_secs: 300,
            poll_secs: 5,
            batch: 50,
            data_dir: PathBuf::from("."),
        }
    }
}

impl fmt::Debug for NotifyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotifyConfig")
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("smtp_user", &self.smtp_user)
            .field("smtp_password", &self.smtp_password.as_ref().map(|_| "***"))
            .field("mail_from", &self.mail_from)
            .field("hello_name", &self.hello_name)
            .field("sms_gateway", &self.sms_gateway)
            .field("sms_unicode", &self.sms_unicode)
            .field("tracking_url", &self.tracking_url)
            .field("booking_url", &self.booking_url)
            .field("dossier_url", &self.dossier_url)
            .field("max_attempts", &self.max_attempts)
            .field("backoff_base_secs", &self.backoff_base_secs)
            .field("backoff_max_secs", &self.backoff_max_secs)
            .field("lease_secs", &self.lease_secs)
            .field("poll_secs", &self.poll_secs)
            .field("batch", &self.batch)
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

/// The URL with any password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

fn percent_decode(s: &str) -> Result<String, ConfigError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| ConfigError::SmtpUrl("bad percent-encoding".into()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ConfigError::SmtpUrl("credentials are not UTF-8".into()))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Parses `smtp://[user[:password]@]host[:port][?tls=starttls|none]` or
/// `smtps://[user[:password]@]host[:port]`.
pub fn parse_smtp_url(url: &str) -> Result<SmtpSettings, ConfigError> {
    let bad = |why: &str| ConfigError::SmtpUrl(format!("{why} ({})", redact_url(url)));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("expected smtp://host:port"))?;
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let rest = rest.trim_end_matches('/');
    let (userinfo, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(|| bad("unclosed ["))?;
        (format!("[{h}]"), after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (hostport.to_string(), None),
        }
    };
    if host.is_empty() || host.contains('/') {
        return Err(bad("no host"));
    }
    let mut security = match scheme {
        "smtp" => SmtpSecurity::Plain,
        "smtps" => SmtpSecurity::Tls,
        _ => return Err(bad("the scheme must be smtp or smtps")),
    };
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair {
            "tls=starttls" | "tls=required" if security == SmtpSecurity::Plain => {
                security = SmtpSecurity::StartTls
            }
            "tls=none" if security == SmtpSecurity::Plain => {}
            _ => return Err(bad(&format!("unknown parameter {pair:?}"))),
        }
    }
    let port = match port {
        Some(p) => p.parse::<u16>().map_err(|_| bad("invalid port"))?,
        None => match security {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Plain => 25,
        },
    };
    let (user, password) = match userinfo {
        None => (None, None),
        Some(u) => match u.split_once(':') {
            Some((u, p)) => (Some(percent_decode(u)?), Some(percent_decode(p)?)),
            None => (Some(percent_decode(u)?), None),
        },
    };
    Ok(SmtpSettings {
        host,
        port,
        security,
        user,
        password,
    })
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn flag(name: &'static str, v: &str) -> Result<bool, ConfigError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Value(name, v.to_string())),
    }
}

impl NotifyConfig {
    /// The defaults with `data_dir`, then the environment.
    pub fn from_env(data_dir: &Path) -> Result<Self, ConfigError> {
        NotifyConfig {
            data_dir: data_dir.to_path_buf(),
            ..NotifyConfig::default()
        }
        .apply_env()
    }

    /// Overrides with the `MOTCUA_*` variables that are set, then checks
    /// the result.
    pub fn apply_env(self) -> Result<Self, ConfigError> {
        self.apply(env)
    }

    /// [`Self::apply_env`] with the variables read by `get` (for tests).
    pub fn apply(mut self, get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        if let Some(v) = get("MOTCUA_SMTP_URL") {
            self.smtp_url = Some(v);
        }
        if let Some(v) = get("MOTCUA_SMTP_USER") {
            self.smtp_user = Some(v);
        }
        if let Some(v) = get("MOTCUA_SMTP_PASSWORD") {
            self.smtp_password = Some(v);
        }
        if let Some(v) = get("MOTCUA_MAIL_FROM") {
            self.mail_from = v;
        }
        if let Some(v) = get("MOTCUA_SMS_GATEWAY") {
            self.sms_gateway = v;
        }
        if let Some(v) = get("MOTCUA_SMS_UNICODE") {
            self.sms_unicode = flag("MOTCUA_SMS_UNICODE", &v)?;
        }
        if let Some(v) = get("MOTCUA_TRACKING_URL") {
            self.tracking_url = v;
        } else if let Some(v) = get("MOTCUA_PUBLIC_URL") {
            self.tracking_url = format!("{}{TRACKING_PATH}", v.trim_end_matches('/'));
        }
        if let Some(v) = get("MOTCUA_BOOKING_URL") {
            self.booking_url = v;
        } else if let Some(v) = get("MOTCUA_PUBLIC_URL") {
            self.booking_url = format!("{}{BOOKING_PATH}", v.trim_end_matches('/'));
        } else if let Some(site) = self.tracking_url.strip_suffix(TRACKING_PATH) {
            self.booking_url = format!("{site}{BOOKING_PATH}");
        }
        if let Some(v) = get("MOTCUA_PUBLIC_URL") {
            self.dossier_url = format!("{}{DOSSIER_PATH}", v.trim_end_matches('/'));
        } else if let Some(site) = self.tracking_url.strip_suffix(TRACKING_PATH) {
            self.dossier_url = format!("{site}{DOSSIER_PATH}");
        }
        if let Some(v) = get("MOTCUA_NOTIFY_MAX_ATTEMPTS") {
            self.max_attempts = v
                .trim()
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or(ConfigError::Value("MOTCUA_NOTIFY_MAX_ATTEMPTS", v))?;
        }
        self.validate()?;
        Ok(self)
    }

    /// Checks everything that can be checked without connecting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.smtp()?;
        self.sms()?;
        crate::mail::parse_mailbox(&self.mail_from)?;
        if self.max_attempts == 0 {
            return Err(ConfigError::Value("max_attempts", "0".into()));
        }
        if self.batch == 0 {
            return Err(ConfigError::Value("batch", "0".into()));
        }
        Ok(())
    }

    /// The SMTP server, if e-mail is configured.
    pub fn smtp(&self) -> Result<Option<SmtpSettings>, ConfigError> {
        let Some(url) = &self.smtp_url else {
            return Ok(None);
        };
        let mut s = parse_smtp_url(url)?;
        if s.user.is_none() {
            s.user.clone_from(&self.smtp_user);
        }
        if s.password.is_none() {
            s.password.clone_from(&self.smtp_password);
        }
        if s.security != SmtpSecurity::Plain && !cfg!(feature = "tls") {
            return Err(ConfigError::NoTls);
        }
        if s.security == SmtpSecurity::Plain && s.user.is_some() && !is_loopback(&s.host) {
            return Err(ConfigError::InsecureCredentials(s.host));
        }
        Ok(Some(s))
    }

    /// The SMS gateway chosen.
    pub fn sms(&self) -> Result<SmsChoice, ConfigError> {
        let g = self.sms_gateway.trim();
        match g {
            "file" => Ok(SmsChoice::File(self.data_dir.join("sms.log"))),
            "log" => Ok(SmsChoice::Log),
            "none" | "" => Ok(SmsChoice::None),
            _ => match g.strip_prefix("file:") {
                Some(p) if !p.is_empty() => Ok(SmsChoice::File(PathBuf::from(p))),
                _ => Err(ConfigError::SmsGateway(g.to_string())),
            },
        }
    }

    /// The links under the public base address `base` (the one
    /// `public_url` of `motcua serve`'s configuration): tracking, booking
    /// and dossier pages, except a tracking or booking address given
    /// explicitly (`MOTCUA_TRACKING_URL`, `MOTCUA_BOOKING_URL`).
    pub fn with_public_url(mut self, base: &str, explicit: impl Fn(&str) -> bool) -> Self {
        let base = base.trim_end_matches('/');
        if !explicit("MOTCUA_TRACKING_URL") {
            self.tracking_url = format!("{base}{TRACKING_PATH}");
        }
        if !explicit("MOTCUA_BOOKING_URL") {
            self.booking_url = format!("{base}{BOOKING_PATH}");
        }
        self.dossier_url = format!("{base}{DOSSIER_PATH}");
        self
    }

    /// The retry policy.
    pub fn policy(&self) -> crate::RetryPolicy {
        let secs = |s: u64| TimeDelta::seconds(i64::try_from(s).unwrap_or(i64::MAX / 1000));
        crate::RetryPolicy {
            max_attempts: self.max_attempts.max(1),
            backoff_base: secs(self.backoff_base_secs.max(1)),
            backoff_max: secs(self.backoff_max_secs.max(self.backoff_base_secs).max(1)),
            lease: secs(self.lease_secs.max(1)),
        }
    }

    pub fn templates(&self) -> crate::TemplateContext {
        crate::TemplateContext {
            tracking_url: self.tracking_url.clone(),
            booking_url: self.booking_url.clone(),
            dossier_url: self.dossier_url.clone(),
            sms_unicode: self.sms_unicode,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> Result<NotifyConfig, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        NotifyConfig {
            data_dir: PathBuf::from("/srv/motcua"),
            ..NotifyConfig::default()
        }
        .apply(|k| vars.get(k).cloned())
    }

    #[test]
    fn smtp_urls() {
        let s = parse_smtp_url("smtp://127.0.0.1:2525").expect("url");
        assert_eq!(
            (s.host.as_str(), s.port, s.security),
            ("127.0.0.1", 2525, SmtpSecurity::Plain)
        );
        let s = parse_smtp_url("smtps://mailer%40tinh:p%40ss@mail.caobang.gov.vn").expect("url");
        assert_eq!(s.port, 465);
        assert_eq!(s.user.as_deref(), Some("mailer@tinh"));
        assert_eq!(s.password.as_deref(), Some("p@ss"));
        let s = parse_smtp_url("smtp://relay.example.vn?tls=starttls").expect("url");
        assert_eq!((s.port, s.security), (587, SmtpSecurity::StartTls));
        let s = parse_smtp_url("smtp://[::1]:25").expect("url");
        assert_eq!(s.host, "[::1]");
        for bad in [
            "relay:25",
            "http://x",
            "smtp://",
            "smtp://h:99999",
            "smtp://h?x=1",
        ] {
            assert!(parse_smtp_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn environment_overrides_and_checks() {
        let c = with(&[
            ("MOTCUA_SMTP_URL", "smtp://127.0.0.1:2525"),
            (
                "MOTCUA_MAIL_FROM",
                "Một cửa Cao Bằng <motcua@caobang.gov.vn>",
            ),
            ("MOTCUA_PUBLIC_URL", "https://dichvucong.caobang.gov.vn/"),
            ("MOTCUA_NOTIFY_MAX_ATTEMPTS", "3"),
        ])
        .expect("config");
        assert_eq!(
            c.tracking_url,
            "https://dichvucong.caobang.gov.vn/tra-cuu/{code}"
        );
        assert_eq!(
            c.booking_url,
            "https://dichvucong.caobang.gov.vn/dat-lich/{code}?t={token}"
        );
        assert_eq!(
            c.dossier_url,
            "https://dichvucong.caobang.gov.vn/ho-so-cua-toi/{code}"
        );
        let t = with(&[("MOTCUA_TRACKING_URL", "https://a.vn/tra-cuu/{code}")]).expect("config");
        assert_eq!(t.booking_url, "https://a.vn/dat-lich/{code}?t={token}");
        assert_eq!(t.dossier_url, "https://a.vn/ho-so-cua-toi/{code}");
        let p = NotifyConfig::default().with_public_url("https://b.vn/", |_| false);
        assert_eq!(
            (p.tracking_url.as_str(), p.dossier_url.as_str()),
            (
                "https://b.vn/tra-cuu/{code}",
                "https://b.vn/ho-so-cua-toi/{code}"
            )
        );
        assert_eq!(c.max_attempts, 3);
        assert_eq!(
            c.sms().expect("sms"),
            SmsChoice::File("/srv/motcua/sms.log".into())
        );
        assert!(c.smtp().expect("smtp").is_some());
        assert_eq!(with(&[]).expect("defaults").smtp(), Ok(None));
        assert!(matches!(
            with(&[("MOTCUA_SMTP_URL", "smtp://u:secret@mail.example.vn:25")]),
            Err(ConfigError::InsecureCredentials(_))
        ));
        assert!(with(&[("MOTCUA_SMTP_URL", "smtp://u:secret@localhost:25")]).is_ok());
        assert!(with(&[("MOTCUA_SMS_GATEWAY", "carrier-pigeon")]).is_err());
        assert!(with(&[("MOTCUA_MAIL_FROM", "not an address")]).is_err());
        assert!(with(&[("MOTCUA_NOTIFY_MAX_ATTEMPTS", "0")]).is_err());
        if !cfg!(feature = "tls") {
            assert_eq!(
                with(&[("MOTCUA_SMTP_URL", "smtps://mail.example.vn")]),
                Err(ConfigError::NoTls)
            );
        }
    }

    #[test]
    fn secrets_are_never_printed() {
        let c = with(&[
            ("MOTCUA_SMTP_URL", "smtp://mailer:hunter2@localhost:25"),
            ("MOTCUA_SMTP_PASSWORD", "s3cret"),
        ])
        .expect("config");
        let shown = format!("{c:?} {:?}", c.smtp());
        assert!(
            !shown.contains("hunter2") && !shown.contains("s3cret"),
            "{shown}"
        );
        assert!(shown.contains("mailer:***@localhost"));
    }
}
