//! Trang công khai — what the public side of a deployment says about
//! itself: the public base address (`MOTCUA_PUBLIC_URL`) that the QR code
//! of the forms, the printed "visit" text and the links of SMS and e-mails
//! use, so that they work outside the building; and the Center whose
//! address and opening hours the portal's first page shows.

/// The address used when none is configured (a developer's machine).
pub const DEVELOPMENT_URL: &str = "http://127.0.0.1:8080";

/// The public side of the deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The base address citizens reach the portal at, without a trailing
    /// slash, e.g. `https://dichvucong.caobang.gov.vn`.
    pub public_url: String,
    /// Whether `public_url` was configured (else it is a development
    /// default that works on this machine only).
    pub configured: bool,
    /// The Center shown on the portal's first page (`province.commune`,
    /// e.g. `04.01279`); by default the demo Center.
    pub center: String,
    /// Its street address, as configured (`MOTCUA_CENTER_ADDRESS`).
    pub center_address: Option<String>,
}

impl Default for Site {
    fn default() -> Self {
        Site {
            public_url: DEVELOPMENT_URL.to_string(),
            configured: false,
            center: DEFAULT_CENTER.to_string(),
            center_address: None,
        }
    }
}

/// The demo Center: Phường Nùng Trí Cao, Cao Bằng.
pub const DEFAULT_CENTER: &str = "04.01279";

/// A public base address: `http(s)://host[:port][/path]`, no query, no
/// fragment; the trailing slash dropped.
pub fn parse_public_url(s: &str) -> Result<String, String> {
    let s = s.trim();
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| format!("{s:?} must start with https:// or http://"))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty()
        || rest.contains(['?', '#', ' ', '"', '<', '>', '\\'])
        || rest.chars().any(char::is_control)
        || host.contains('@')
    {
        return Err(format!(
            "{s:?} is not a base address (scheme://host[:port][/path])"
        ));
    }
    Ok(s.trim_end_matches('/').to_string())
}

impl Site {
    /// The absolute address of `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// The public tracking page of a dossier.
    pub fn tracking(&self, code: &str) -> String {
        self.link(&format!("/tra-cuu/{code}"))
    }

    /// The citizen's own page of a dossier (documents, supplement,
    /// payment, the rating form).
    pub fn dossier(&self, code: &str) -> String {
        self.link(&format!("/ho-so-cua-toi/{code}"))
    }

    /// The start-up warning when no public address is configured outside
    /// development (a real store, or a server reachable from other
    /// machines): the QR codes and links would then point at this machine.
    pub fn startup_warning(&self, production: bool, loopback_only: bool) -> Option<String> {
        (!self.configured && (production || !loopback_only)).then(|| {
            format!(
                "MOTCUA_PUBLIC_URL is not set: the QR codes of the forms, the printed addresses \
                 and the links in SMS and e-mails point at {} and will not work outside this \
                 machine. Set MOTCUA_PUBLIC_URL (or public_url in motcua.toml) to the address \
                 citizens use, e.g. https://dichvucong.caobang.gov.vn",
                self.public_url
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls() {
        assert_eq!(
            parse_public_url("https://dichvucong.caobang.gov.vn/").as_deref(),
            Ok("https://dichvucong.caobang.gov.vn")
        );
        assert_eq!(
            parse_public_url("http://10.0.0.5:8080/motcua").as_deref(),
            Ok("http://10.0.0.5:8080/motcua")
        );
        for bad in [
            "dichvucong.vn",
            "ftp://x",
            "https://",
            "https://a.vn?x=1",
            "https://u@a.vn",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
        let site = Site {
            public_url: "https://a.vn".into(),
            configured: true,
            ..Site::default()
        };
        assert_eq!(site.tracking("X"), "https://a.vn/tra-cuu/X");
        assert_eq!(site.dossier("X"), "https://a.vn/ho-so-cua-toi/X");
    }

    #[test]
    fn the_warning_is_given_outside_development_only() {
        let dev = Site::default();
        assert!(dev.startup_warning(false, true).is_none());
        assert!(dev.startup_warning(true, true).is_some());
        assert!(dev.startup_warning(false, false).is_some());
        let set = Site {
            configured: true,
            ..Site::default()
        };
        assert!(set.startup_warning(true, false).is_none());
    }
}
