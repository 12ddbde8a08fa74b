//! Shared pieces of the portal's pages: the language of a request, the
//! layout's context (who is logged in, the CSRF token), the one-shot form
//! token of login forms, and date formatting in Vietnam time.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use motcua_domain::access::{constant_time_eq, Principal};
use serde::Deserialize;

use crate::auth::session::MaybeSession;
use crate::auth::AuthContext;
use crate::error::ApiError;

/// Ngôn ngữ — Vietnamese first; English by `?lang=en` or the `lang` cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

pub const LANG_COOKIE: &str = "lang";

impl Lang {
    fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The text in this language.
    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The other language, offered by the switch in the header.
    pub fn other(&self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    pub fn is_en(&self) -> bool {
        *self == Lang::En
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let from_query = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "lang")
                .and_then(|(_, v)| Lang::parse(v))
        });
        Ok(from_query
            .or_else(|| cookie(&parts.headers, LANG_COOKIE).and_then(Lang::parse))
            .unwrap_or(Lang::Vi))
    }
}

tokio::task_local! {
    /// The language, path and session of the request being answered, for
    /// the pages rendered without the handler's context (an error page,
    /// the 404 page): they get the same navigation as every page.
    static REQUEST: RequestInfo;
}

#[derive(Clone)]
struct RequestInfo {
    l: Lang,
    path: String,
    session: Option<std::sync::Arc<AuthContext>>,
}

/// Middleware (inside the session layer): remembers the request's
/// language, path and session while it is answered ([`Ctx::current`]).
pub async fn remember_request(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let Ok(l) = Lang::from_request_parts(&mut parts, &()).await;
    let Ok(session) = MaybeSession::from_request_parts(&mut parts, &()).await;
    let info = RequestInfo {
        l,
        path: parts.uri.path().chars().take(500).collect(),
        session: session.0,
    };
    let req = axum::extract::Request::from_parts(parts, body);
    REQUEST.scope(info, next.run(req)).await
}

/// What the layout needs on every page.
pub struct Ctx {
    pub l: Lang,
    /// The path of this page, for the language switch.
    pub path: String,
    pub session: Option<std::sync::Arc<AuthContext>>,
}

impl Ctx {
    pub fn new(l: Lang, path: &str, session: MaybeSession) -> Ctx {
        Ctx {
            l,
            path: path.to_string(),
            session: session.0,
        }
    }

    /// The context of the request being answered (see
    /// [`remember_request`]); Vietnamese and anonymous outside one.
    pub fn current() -> Ctx {
        REQUEST
            .try_with(|r| Ctx {
                l: r.l,
                path: r.path.clone(),
                session: r.session.clone(),
            })
            .unwrap_or_else(|_| Ctx {
                l: Lang::Vi,
                path: "/".to_string(),
                session: None,
            })
    }

    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.l.t(vi, en)
    }

    /// The style sheet's address (with its content hash).
    pub fn css(&self) -> &'static str {
        super::assets::site_css()
    }

    /// Whether `prefix` is the current section, for `aria-current`.
    pub fn here(&self, prefix: &str) -> bool {
        if prefix == "/" {
            self.path == "/"
        } else {
            self.path == prefix || self.path.starts_with(&format!("{prefix}/"))
        }
    }

    pub fn is_official(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| matches!(s.principal, Principal::Official { .. }))
    }

    pub fn is_citizen(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| matches!(s.principal, Principal::Citizen { .. }))
    }

    /// Whether the session may change a province's settings (the
    /// navigation's link to them).
    pub fn configures(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.principal.configured_province().is_some())
    }

    /// The session's CSRF token, for the forms of a logged-in page.
    pub fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.csrf_token.as_str())
    }

    pub fn who(&self) -> String {
        match &self.session {
            Some(s) => s
                .display_name
                .clone()
                .or_else(|| s.contact.as_ref().map(|c| c.masked()))
                .unwrap_or_default(),
            None => String::new(),
        }
    }
}

#[derive(Deserialize)]
pub struct SwitchQuery {
    next: Option<String>,
}

/// `/ngon-ngu/{vi|en}?next=/path`: remembers the language in a cookie and
/// goes back to the page (a local path only).
pub async fn switch_language(
    axum::extract::Path(lang): axum::extract::Path<String>,
    Query(q): Query<SwitchQuery>,
) -> Response {
    let lang = Lang::parse(&lang).unwrap_or(Lang::Vi);
    let next = safe_next(q.next.as_deref()).unwrap_or_else(|| "/".to_string());
    let cookie = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("lang=vi; Path=/"));
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

/// A page of this site to go back to after a login or a language switch:
/// a local path only (`/…`, not `//host` nor `/\\host`, no control
/// characters), so that a crafted link cannot send the user elsewhere
/// (no open redirect).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let n = next?.trim();
    let local = n.starts_with('/')
        && !n.starts_with("//")
        && !n.contains('\\')
        && !n.chars().any(char::is_control)
        && n.len() <= 2000;
    local.then(|| n.to_string())
}

/// Percent-encodes a query string value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The cookie of the one-shot token that protects the login forms, which
/// are posted before any session (and its CSRF token) exists: the form
/// carries the same value (double-submit).
pub const FORM_COOKIE: &str = "motcua_form";

/// A fresh form token and its `Set-Cookie`.
pub fn form_token() -> Result<(String, HeaderValue), ApiError> {
    let token = crate::auth::secret::random_token().map_err(|_| ApiError::internal())?;
    let cookie = HeaderValue::from_str(&format!(
        "{FORM_COOKIE}={token}; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict"
    ))
    .map_err(|_| ApiError::internal())?;
    Ok((token, cookie))
}

/// Whether a login form's token matches its cookie (or, when a session is
/// already open, the session layer has checked the session's token).
pub fn form_token_ok(headers: &HeaderMap, session: bool, sent: &str) -> bool {
    session
        || cookie(headers, FORM_COOKIE)
            .is_some_and(|c| !c.is_empty() && constant_time_eq(c.as_bytes(), sent.as_bytes()))
}

fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| chrono::Offset::fix(&Utc))
}

/// `dd/mm/yyyy HH:MM`, Vietnam time.
pub fn when<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    t.with_timezone(&vietnam())
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

pub fn when_opt<Tz: TimeZone>(t: Option<&DateTime<Tz>>) -> String {
    t.map(when).unwrap_or_default()
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            safe_next(Some("/can-bo/ho-so/04.01279-261127-0001?vai_tro=leader")).as_deref(),
            Some("/can-bo/ho-so/04.01279-261127-0001?vai_tro=leader")
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "evil",
            "",
            "/a\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(safe_next(None), None);
    }
}
