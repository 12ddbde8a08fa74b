//! Configuration: defaults in code, then a TOML file, then `MOTCUA_*`
//! environment variables, then command-line flags (clap reads the last two).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::TimeDelta;
use motcua_server::auth::AuthConfig;
use motcua_server::site::{parse_public_url, Site};
use serde::Deserialize;

/// Settings a TOML file may hold (`motcua.toml` in the working directory,
/// or the file named by `--config` / `MOTCUA_CONFIG`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub log: Option<String>,
    /// The `[auth]` table: sign-in and session security settings.
    #[serde(default)]
    pub auth: AuthSettings,
    /// See [`SiteSettings::public_url`].
    pub public_url: Option<String>,
    /// See [`SiteSettings::center`].
    pub center: Option<String>,
    /// See [`SiteSettings::center_address`].
    pub center_address: Option<String>,
}

/// The public side of the deployment, from the file's top-level keys, the
/// `MOTCUA_*` variables and `motcua serve`'s flags (a flag or variable
/// beats the file, which beats the default).
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct SiteSettings {
    /// The public base address citizens reach the portal at (e.g.
    /// https://dichvucong.caobang.gov.vn): used by the QR code of the
    /// forms, the printed "visit" address and the links of SMS and
    /// e-mails. Unset: this machine's development address, with a warning
    /// outside development.
    #[arg(long, env = "MOTCUA_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The Center shown on the portal's first page, `province.commune`
    /// (default 04.01279, the demo's Phường Nùng Trí Cao).
    #[arg(long, env = "MOTCUA_CENTER")]
    pub center: Option<String>,
    /// The Center's street address, shown on the portal's first page.
    #[arg(long, env = "MOTCUA_CENTER_ADDRESS")]
    pub center_address: Option<String>,
}

impl SiteSettings {
    /// `self` (flags and variables) where set, else `file`.
    pub fn over(&self, file: &SiteSettings) -> SiteSettings {
        SiteSettings {
            public_url: self.public_url.clone().or_else(|| file.public_url.clone()),
            center: self.center.clone().or_else(|| file.center.clone()),
            center_address: self
                .center_address
                .clone()
                .or_else(|| file.center_address.clone()),
        }
    }

    /// The server's [`Site`]; an invalid address is an error.
    pub fn resolve(&self) -> anyhow::Result<Site> {
        let mut site = Site::default();
        if let Some(url) = self.public_url.as_deref().filter(|u| !u.trim().is_empty()) {
            site.public_url = parse_public_url(url)
                .map_err(anyhow::Error::msg)
                .context("public_url (MOTCUA_PUBLIC_URL)")?;
            site.configured = true;
        }
        if let Some(c) = self.center.as_deref().filter(|c| !c.trim().is_empty()) {
            motcua_domain::dossier::UnitId::parse(c.trim())
                .map_err(|e| anyhow::anyhow!("center (MOTCUA_CENTER) {c:?}: {e}"))?;
            site.center = c.trim().to_string();
        }
        site.center_address = self
            .center_address
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string);
        Ok(site)
    }
}

/// Security settings of sign-in and sessions, from the `[auth]` table of
/// the file and from `motcua serve`'s flags and their `MOTCUA_*`
/// variables (one struct for both, so that the names cannot drift). Each
/// is optional: a flag or variable beats the file, which beats the default
/// in [`AuthConfig::default`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Mark the session cookie Secure (default true; false only for plain
    /// HTTP on localhost).
    #[arg(long, env = "MOTCUA_COOKIE_SECURE", value_parser = clap::builder::BoolishValueParser::new())]
    pub cookie_secure: Option<bool>,
    /// Session lifetime in hours, 1–720 (default 12).
    #[arg(long, env = "MOTCUA_SESSION_HOURS")]
    pub session_hours: Option<i64>,
    /// An official's session ends after this many idle minutes, 1–1440
    /// (default 30).
    #[arg(long, env = "MOTCUA_SESSION_IDLE_MINUTES")]
    pub session_idle_minutes: Option<i64>,
    /// Failed sign-ins of one account from one address before a lock (default 5).
    #[arg(long, env = "MOTCUA_LOCKOUT_FAILURES")]
    pub lockout_failures: Option<u32>,
    /// Length of a lock in minutes, 1–1440 (default 15).
    #[arg(long, env = "MOTCUA_LOCKOUT_MINUTES")]
    pub lockout_minutes: Option<i64>,
    /// Sign-in attempts per client address per minute; 0 = no limit (default 30).
    #[arg(long, env = "MOTCUA_LOGIN_PER_ADDRESS_PER_MINUTE")]
    pub login_per_address_per_minute: Option<u32>,
    /// Sign-in attempts per account per minute; 0 = no limit (default 10).
    #[arg(long, env = "MOTCUA_LOGIN_PER_ACCOUNT_PER_MINUTE")]
    pub login_per_account_per_minute: Option<u32>,
    /// Distinct addresses failing on one account that raise an alert (default 3).
    #[arg(long, env = "MOTCUA_LOGIN_ALERT_ADDRESSES")]
    pub login_alert_addresses: Option<u32>,
    /// Password verifications at once, 1–1024 (default: the number of CPUs).
    #[arg(long, env = "MOTCUA_PASSWORD_VERIFICATIONS")]
    pub password_verifications: Option<usize>,
    /// Longest wait for a verification slot in ms before 503, ≤ 60000 (default 2000).
    #[arg(long, env = "MOTCUA_PASSWORD_WAIT_MS")]
    pub password_wait_ms: Option<u64>,
    /// One-time codes per contact per hour; 0 = no limit (default 5).
    #[arg(long, env = "MOTCUA_OTP_PER_CONTACT_PER_HOUR")]
    pub otp_per_contact_per_hour: Option<u32>,
    /// One-time codes per client address per hour; 0 = no limit (default 10).
    #[arg(long, env = "MOTCUA_OTP_PER_ADDRESS_PER_HOUR")]
    pub otp_per_address_per_hour: Option<u32>,
    /// One-time codes per hour in all; 0 = no limit (default 1000).
    #[arg(long, env = "MOTCUA_OTP_PER_HOUR")]
    pub otp_per_hour: Option<u32>,
    /// Reverse proxies whose X-Forwarded-For is believed, comma-separated
    /// (default none: the TCP peer is the client).
    #[arg(long, env = "MOTCUA_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<IpAddr>>,
}

impl AuthSettings {
    /// `self` (flags and variables) where set, else `file`.
    pub fn over(&self, file: &AuthSettings) -> AuthSettings {
        fn pick<T: Clone>(a: &Option<T>, b: &Option<T>) -> Option<T> {
            a.clone().or_else(|| b.clone())
        }
        AuthSettings {
            cookie_secure: pick(&self.cookie_secure, &file.cookie_secure),
            session_hours: pick(&self.session_hours, &file.session_hours),
            session_idle_minutes: pick(&self.session_idle_minutes, &file.session_idle_minutes),
            lockout_failures: pick(&self.lockout_failures, &file.lockout_failures),
            lockout_minutes: pick(&self.lockout_minutes, &file.lockout_minutes),
            login_per_address_per_minute: pick(
                &self.login_per_address_per_minute,
                &file.login_per_address_per_minute,
            ),
            login_per_account_per_minute: pick(
                &self.login_per_account_per_minute,
                &file.login_per_account_per_minute,
            ),
            login_alert_addresses: pick(&self.login_alert_addresses, &file.login_alert_addresses),
            password_verifications: pick(
                &self.password_verifications,
                &file.password_verifications,
            ),
            password_wait_ms: pick(&self.password_wait_ms, &file.password_wait_ms),
            otp_per_contact_per_hour: pick(
                &self.otp_per_contact_per_hour,
                &file.otp_per_contact_per_hour,
            ),
            otp_per_address_per_hour: pick(
                &self.otp_per_address_per_hour,
                &file.otp_per_address_per_hour,
            ),
            otp_per_hour: pick(&self.otp_per_hour, &file.otp_per_hour),
            trusted_proxies: pick(&self.trusted_proxies, &file.trusted_proxies),
        }
    }

    /// The server's settings: the defaults with every value given here;
    /// a value out of its range is an error (never silently ignored).
    pub fn resolve(&self) -> anyhow::Result<AuthConfig> {
        fn within<T: PartialOrd + std::fmt::Display + Copy>(
            name: &str,
            v: T,
            lo: T,
            hi: T,
        ) -> anyhow::Result<T> {
            if v < lo || v > hi {
                bail!("{name} = {v} is out of range ({lo}–{hi})");
            }
            Ok(v)
        }
        let mut c = AuthConfig::default();
        if let Some(v) = self.cookie_secure {
            c.cookie_secure = v;
        }
        if let Some(h) = self.session_hours {
            c.session_ttl = TimeDelta::hours(within("session_hours", h, 1, 24 * 30)?);
        }
        if let Some(m) = self.session_idle_minutes {
            c.idle_timeout = TimeDelta::minutes(within("session_idle_minutes", m, 1, 24 * 60)?);
        }
        if let Some(n) = self.lockout_failures {
            c.lockout.max_failures = within("lockout_failures", n, 1, 1000)?;
        }
        if let Some(m) = self.lockout_minutes {
            c.lockout.lock_for = TimeDelta::minutes(within("lockout_minutes", m, 1, 24 * 60)?);
        }
        let l = &mut c.limits;
        if let Some(n) = self.login_per_address_per_minute {
            l.login_per_address_per_minute = n;
        }
        if let Some(n) = self.login_per_account_per_minute {
            l.login_per_account_per_minute = n;
        }
        if let Some(n) = self.login_alert_addresses {
            l.alert_addresses = within("login_alert_addresses", n, 2, 1000)?;
        }
        if let Some(n) = self.password_verifications {
            l.password_verifications = within("password_verifications", n, 1, 1024)?;
        }
        if let Some(ms) = self.password_wait_ms {
            l.password_wait =
                std::time::Duration::from_millis(within("password_wait_ms", ms, 0, 60_000)?);
        }
        if let Some(n) = self.otp_per_contact_per_hour {
            l.otp_per_contact_per_hour = n;
        }
        if let Some(n) = self.otp_per_address_per_hour {
            l.otp_per_address_per_hour = n;
        }
        if let Some(n) = self.otp_per_hour {
            l.otp_per_hour = n;
        }
        if let Some(p) = &self.trusted_proxies {
            l.trusted_proxies = p.clone();
        }
        Ok(c)
    }
}

impl FileConfig {
    /// The file's public-side keys.
    pub fn site(&self) -> SiteSettings {
        SiteSettings {
            public_url: self.public_url.clone(),
            center: self.center.clone(),
            center_address: self.center_address.clone(),
        }
    }

    /// Reads `path` if given (it must exist), else `./motcua.toml` if present.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("motcua.toml"), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .with_context(|| format!("reading configuration file {}", path.display())),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e).with_context(|| format!("opening {}", path.display())),
        }
    }
}

/// The resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: String,
}

pub const DEFAULT_DATA_DIR: &str = "motcua-data";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Settings {
    pub fn resolve(
        file: &FileConfig,
        data_dir: Option<PathBuf>,
        database_url: Option<String>,
        listen: Option<String>,
    ) -> Self {
        let data_dir = data_dir
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = database_url
            .or_else(|| file.database_url.clone())
            .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("motcua.db").display()));
        let listen = listen
            .or_else(|| file.listen.clone())
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        Settings {
            data_dir,
            database_url,
            listen,
        }
    }

    /// The URL with any password replaced, for logs and banners.
    pub fn redacted_database_url(&self) -> String {
        redact(&self.database_url)
    }
}

fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_beats_defaults() {
        let file = FileConfig {
            data_dir: Some("/srv/motcua".into()),
            listen: Some("0.0.0.0:9000".into()),
            ..Default::default()
        };
        let s = Settings::resolve(&file, None, None, Some("127.0.0.1:1".into()));
        assert_eq!(s.data_dir, PathBuf::from("/srv/motcua"));
        assert_eq!(s.database_url, "sqlite:/srv/motcua/motcua.db");
        assert_eq!(s.listen, "127.0.0.1:1");
        let d = Settings::resolve(&FileConfig::default(), None, None, None);
        assert_eq!(d.listen, DEFAULT_LISTEN);
        assert_eq!(d.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
    }

    #[test]
    fn passwords_are_never_printed() {
        assert_eq!(
            redact("postgres://motcua:s3cret@db:5432/motcua"),
            "postgres://motcua:***@db:5432/motcua"
        );
        assert_eq!(
            redact("sqlite:motcua-data/motcua.db"),
            "sqlite:motcua-data/motcua.db"
        );
    }

    #[test]
    fn the_public_url_comes_from_the_file_unless_a_flag_or_variable_says_otherwise() {
        let file: FileConfig =
            toml::from_str("public_url = \"https://dichvucong.caobang.gov.vn/\"\n").expect("file");
        let site = SiteSettings::default()
            .over(&file.site())
            .resolve()
            .expect("valid");
        assert_eq!(site.public_url, "https://dichvucong.caobang.gov.vn");
        assert!(site.configured);
        let flag = SiteSettings {
            public_url: Some("https://motcua.example.vn".into()),
            ..SiteSettings::default()
        };
        assert_eq!(
            flag.over(&file.site()).resolve().expect("valid").public_url,
            "https://motcua.example.vn"
        );
        let unset = SiteSettings::default()
            .over(&SiteSettings::default())
            .resolve()
            .expect("valid");
        assert!(!unset.configured);
        let bad = SiteSettings {
            public_url: Some("dichvucong.caobang.gov.vn".into()),
            ..SiteSettings::default()
        };
        assert!(bad.resolve().is_err());
    }

    #[test]
    fn unknown_keys_in_the_file_are_an_error() {
        assert!(toml::from_str::<FileConfig>("listn = \"x\"").is_err());
        assert!(toml::from_str::<FileConfig>("[auth]\nlockout_failure = 3").is_err());
    }

    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        auth: AuthSettings,
    }

    fn flags(args: &[&str]) -> AuthSettings {
        use clap::Parser;
        Flags::try_parse_from(std::iter::once("motcua").chain(args.iter().copied()))
            .expect("flags")
            .auth
    }

    const FILE: &str = r#"
        [auth]
        cookie_secure = false
        session_hours = 8
        session_idle_minutes = 20
        lockout_failures = 3
        lockout_minutes = 30
        login_per_address_per_minute = 40
        login_per_account_per_minute = 7
        login_alert_addresses = 4
        password_verifications = 3
        password_wait_ms = 500
        otp_per_contact_per_hour = 2
        otp_per_address_per_hour = 6
        otp_per_hour = 100
        trusted_proxies = ["10.0.0.1"]
    "#;

    #[test]
    fn every_auth_setting_comes_from_the_file() {
        let file: FileConfig = toml::from_str(FILE).expect("file");
        let c = AuthSettings::default()
            .over(&file.auth)
            .resolve()
            .expect("valid");
        assert!(!c.cookie_secure);
        assert_eq!(c.session_ttl, TimeDelta::hours(8));
        assert_eq!(c.idle_timeout, TimeDelta::minutes(20));
        assert_eq!(c.lockout.max_failures, 3);
        assert_eq!(c.lockout.lock_for, TimeDelta::minutes(30));
        let l = &c.limits;
        assert_eq!(l.login_per_address_per_minute, 40);
        assert_eq!(l.login_per_account_per_minute, 7);
        assert_eq!(l.alert_addresses, 4);
        assert_eq!(l.password_verifications, 3);
        assert_eq!(l.password_wait, std::time::Duration::from_millis(500));
        assert_eq!(l.otp_per_contact_per_hour, 2);
        assert_eq!(l.otp_per_address_per_hour, 6);
        assert_eq!(l.otp_per_hour, 100);
        assert_eq!(
            l.trusted_proxies,
            vec!["10.0.0.1".parse::<IpAddr>().expect("ip")]
        );
    }

    #[test]
    fn auth_flags_beat_the_file_which_beats_the_defaults() {
        let file: FileConfig = toml::from_str(FILE).expect("file");
        let f = flags(&[
            "--cookie-secure",
            "yes",
            "--session-hours",
            "2",
            "--lockout-failures",
            "2",
            "--lockout-minutes",
            "1",
            "--login-per-address-per-minute",
            "0",
            "--login-per-account-per-minute",
            "1",
            "--login-alert-addresses",
            "9",
            "--password-verifications",
            "1",
            "--password-wait-ms",
            "0",
            "--otp-per-contact-per-hour",
            "1",
            "--otp-per-address-per-hour",
            "0",
            "--otp-per-hour",
            "0",
            "--trusted-proxies",
            "10.0.0.2,10.0.0.3",
        ]);
        let c = f.over(&file.auth).resolve().expect("valid");
        assert!(c.cookie_secure);
        assert_eq!(c.session_ttl, TimeDelta::hours(2));
        assert_eq!(c.lockout.max_failures, 2);
        assert_eq!(c.lockout.lock_for, TimeDelta::minutes(1));
        let l = &c.limits;
        assert_eq!(l.login_per_address_per_minute, 0);
        assert_eq!(l.login_per_account_per_minute, 1);
        assert_eq!(l.alert_addresses, 9);
        assert_eq!(l.password_verifications, 1);
        assert_eq!(l.password_wait, std::time::Duration::ZERO);
        assert_eq!(l.otp_per_contact_per_hour, 1);
        assert_eq!(l.otp_per_address_per_hour, 0);
        assert_eq!(l.otp_per_hour, 0);
        assert_eq!(l.trusted_proxies.len(), 2);

        let partial = flags(&["--lockout-failures", "4"])
            .over(&file.auth)
            .resolve()
            .expect("valid");
        assert_eq!(partial.lockout.max_failures, 4, "the flag");
        assert_eq!(partial.lockout.lock_for, TimeDelta::minutes(30), "the file");
        let d = AuthSettings::default()
            .over(&AuthSettings::default())
            .resolve()
            .expect("valid");
        let defaults = AuthConfig::default();
        assert_eq!(
            (d.cookie_secure, d.session_ttl, d.lockout, d.limits),
            (
                defaults.cookie_secure,
                defaults.session_ttl,
                defaults.lockout,
                defaults.limits
            )
        );
    }

    #[test]
    fn out_of_range_auth_settings_are_errors() {
        for args in [
            &["--session-hours", "0"][..],
            &["--lockout-failures", "0"],
            &["--lockout-minutes", "100000"],
            &["--password-verifications", "0"],
            &["--login-alert-addresses", "1"],
        ] {
            assert!(flags(args).resolve().is_err(), "{args:?}");
        }
        use clap::Parser;
        assert!(Flags::try_parse_from(["motcua", "--cookie-secure", "perhaps"]).is_err());
        assert!(Flags::try_parse_from(["motcua", "--trusted-proxies", "not-an-ip"]).is_err());
    }
}
