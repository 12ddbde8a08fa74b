//! Configuration: defaults in code, then a TOML file, then `MOTCUA_*`
//! environment variables, then command-line flags (clap reads the last two).

use std::path::{Path, PathBuf};

use anyhow::Context;
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
}

impl FileConfig {
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
    fn unknown_keys_in_the_file_are_an_error() {
        assert!(toml::from_str::<FileConfig>("listn = \"x\"").is_err());
    }
}
