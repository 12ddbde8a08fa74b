//! Tệp tĩnh — the style sheets, addressed by a hash of their content
//! (`/static/site.3f2a…c1.css`), so that an upgrade never shows a page
//! with yesterday's style sheet: a new content is a new address, and an
//! address is cached for a year (`immutable`). The plain address
//! (`/static/site.css`) and an address with any other hash still answer,
//! with the current content and `no-cache`, so an old cached page or a
//! bookmark never gets a stale sheet either.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// A style sheet compiled into the binary.
pub struct Asset {
    /// `site` for `site.css`.
    pub stem: &'static str,
    pub body: &'static str,
    /// The first 16 hex digits of the SHA-256 of `body`.
    pub hash: String,
    /// `/static/site.<hash>.css`.
    pub url: String,
}

impl Asset {
    fn new(stem: &'static str, body: &'static str) -> Asset {
        let hash: String = hex::encode(Sha256::digest(body.as_bytes()))
            .chars()
            .take(16)
            .collect();
        let url = format!("/static/{stem}.{hash}.css");
        Asset {
            stem,
            body,
            hash,
            url,
        }
    }
}

pub static SITE_CSS: LazyLock<Asset> =
    LazyLock::new(|| Asset::new("site", include_str!("../../templates/site.css")));
pub static BOARD_CSS: LazyLock<Asset> =
    LazyLock::new(|| Asset::new("board", include_str!("../../templates/board.css")));

/// The address of the site's style sheet, for the layout.
pub fn site_css() -> &'static str {
    &SITE_CSS.url
}

/// The address of the waiting-room board's style sheet.
pub fn board_css() -> &'static str {
    &BOARD_CSS.url
}

/// A year: the longest lifetime RFC 9111 §5.2.2.1 suggests.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "public, no-cache";

/// `GET /static/{file}`: `site.css`, `site.<hash>.css`, `board.css`,
/// `board.<hash>.css`.
pub async fn static_file(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(name) = file.strip_suffix(".css") else {
        return super::not_found_page().await;
    };
    let (stem, hash) = match name.split_once('.') {
        Some((s, h)) => (s, Some(h)),
        None => (name, None),
    };
    let asset: &Asset = match stem {
        "site" => &SITE_CSS,
        "board" => &BOARD_CSS,
        _ => return super::not_found_page().await,
    };
    let cache = if hash == Some(asset.hash.as_str()) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let etag = format!("\"{}\"", asset.hash);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let etag = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let common = [
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::ETAG, etag),
    ];
    if matches {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        common,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        )],
        asset.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_changes_with_the_content() {
        let a = Asset::new("site", "a{color:red}");
        let b = Asset::new("site", "a{color:blue}");
        assert_ne!(a.url, b.url);
        assert!(a.url.starts_with("/static/site.") && a.url.ends_with(".css"));
        assert_eq!(a.hash.len(), 16);
        assert!(site_css().contains(&SITE_CSS.hash));
        assert_eq!(SITE_CSS.stem, "site");
    }
}
