//! Phiên làm việc — finding the session of a request, the CSRF check, and
//! what handlers extract from it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use motcua_domain::access::{constant_time_eq, Activity, Contact, Principal, Scope};
use motcua_domain::dossier::Dossier;
use motcua_store::{NewSession, StoreResult, Subject};

use super::identity::{AuthError, Identity};
use super::secret::{self, HashError};
use super::{CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE};
use crate::error::ApiError;
use crate::AppState;

/// How the request presented its session token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The `motcua_session` cookie: unsafe requests need the CSRF token.
    Cookie,
    /// `Authorization: Bearer`: exempt from CSRF (not sent by browsers on
    /// their own).
    Bearer,
}

/// A valid session and the person behind it.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub principal: Principal,
    pub subject: Subject,
    /// An official's name.
    pub display_name: Option<String>,
    /// A citizen's phone or e-mail.
    pub contact: Option<Contact>,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub token_hash: [u8; 32],
    pub via: Via,
}

/// What the session layer found, kept in the request's extensions.
#[derive(Debug, Clone)]
pub enum SessionState {
    Valid(Arc<AuthContext>),
    /// A token was presented but is unknown, expired or its account
    /// inactive.
    Invalid,
}

pub fn authentication_required() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "authentication_required",
        "Vui lòng đăng nhập.",
        "Please log in.",
    )
}

pub fn session_expired() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "session_expired",
        "Phiên làm việc đã hết hạn hoặc không hợp lệ. Vui lòng đăng nhập lại.",
        "The session has expired or is not valid. Please log in again.",
    )
}

pub fn csrf_failed() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf_failed",
        "Thiếu hoặc sai mã chống giả mạo yêu cầu (X-CSRF-Token). Vui lòng tải lại trang.",
        "Missing or wrong CSRF token (X-CSRF-Token). Please reload the page.",
    )
}

pub fn forbidden() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        "Bạn không có quyền thực hiện thao tác này.",
        "You are not allowed to do this.",
    )
}

/// The session token of a request: a bearer token first, else the cookie.
pub fn credentials(headers: &HeaderMap) -> Option<(String, Via)> {
    if let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, token) = auth.trim().split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| (token.trim().to_string(), Via::Bearer));
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| (v.trim().to_string(), Via::Cookie))
}

/// Looks a token up now: see [`resolve_at`].
pub async fn resolve(state: &AppState, token: &str, via: Via) -> StoreResult<Option<AuthContext>> {
    resolve_at(state, token, via, Utc::now()).await
}

/// Looks a token up at `now`: the session and its account, or None if the
/// token is unknown or expired, the official's session idle for longer
/// than [`crate::auth::AuthConfig::idle_timeout`] (it is then deleted), or
/// the official deactivated. An official's session in use has its last
/// activity written at most once a minute ([`motcua_domain::access::IdlePolicy`]).
pub async fn resolve_at(
    state: &AppState,
    token: &str,
    via: Via,
    now: DateTime<Utc>,
) -> StoreResult<Option<AuthContext>> {
    if !secret::is_token(token) {
        return Ok(None);
    }
    let token_hash = secret::sha256(token.as_bytes());
    let Some(session) = state.store.session(&token_hash, now).await? else {
        return Ok(None);
    };
    if matches!(session.subject, Subject::Official(_)) {
        match state
            .auth
            .config
            .idle_policy()
            .activity(session.last_seen_at, now)
        {
            Activity::Recent => {}
            Activity::Touch => {
                state.store.touch_session(&token_hash, now).await?;
            }
            Activity::Idle => {
                state.store.delete_session(&token_hash).await?;
                return Ok(None);
            }
        }
    }
    let (principal, display_name, contact) = match &session.subject {
        Subject::Official(username) => match state.store.official(username).await? {
            Some(l) if l.official.active => (
                Principal::Official {
                    user: username.user_id(),
                    assignments: l.official.assignments,
                },
                Some(l.official.display_name),
                None,
            ),
            _ => return Ok(None),
        },
        Subject::Citizen(id) => {
            let contact = state.store.citizen(id).await?.map(|c| c.contact);
            (Principal::Citizen { user: id.clone() }, None, contact)
        }
    };
    Ok(Some(AuthContext {
        principal,
        subject: session.subject,
        display_name,
        contact,
        csrf_token: session.csrf_token,
        expires_at: session.expires_at,
        token_hash,
        via,
    }))
}

/// Requests that open a session rather than use one: no CSRF token yet.
pub const CSRF_EXEMPT: &[&str] = &[
    "/api/v1/auth/login",
    "/api/v1/auth/otp/request",
    "/api/v1/auth/otp/verify",
];

/// The largest form body read to find a `csrf_token` field (a form route's
/// whole body: see [`crate::limits`]).
const MAX_FORM_BYTES: usize = crate::limits::DEFAULT_BODY_BYTES;

/// The most of a `multipart/form-data` body read to find its `csrf_token`
/// part, which must come first (the pages' upload forms put it first): the
/// token is checked before the file is read.
const MAX_CSRF_HEAD_BYTES: usize = 8 << 10;

/// The boundary of a `multipart/form-data` content type.
pub fn multipart_boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|b| !b.is_empty() && b.len() <= 200)
}

/// A part of a `multipart/form-data` body.
#[derive(Debug, PartialEq, Eq)]
pub struct Part<'a> {
    pub name: String,
    pub filename: Option<String>,
    pub data: &'a [u8],
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn disposition_param(line: &str, key: &str) -> Option<String> {
    line.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The text of the form field `name` among `parts` (not a file), trimmed;
/// empty when absent.
pub fn text_field(parts: &[Part<'_>], name: &str) -> String {
    parts
        .iter()
        .find(|p| p.name == name && p.filename.is_none())
        .map(|p| String::from_utf8_lossy(p.data).trim().to_string())
        .unwrap_or_default()
}

/// The parts of a `multipart/form-data` body (RFC 7578); a malformed body
/// yields the parts read before the fault.
pub fn multipart_parts<'a>(body: &'a [u8], boundary: &str) -> Vec<Part<'a>> {
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut out = Vec::new();
    let Some(start) = find(body, delimiter.as_bytes()) else {
        return out;
    };
    let mut rest = &body[start + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return out;
        }
        let Some(rest2) = rest.strip_prefix(b"\r\n") else {
            return out;
        };
        let Some(head_end) = find(rest2, b"\r\n\r\n") else {
            return out;
        };
        let head = String::from_utf8_lossy(&rest2[..head_end]);
        let content = &rest2[head_end + 4..];
        let Some(end) = find(content, next_delimiter.as_bytes()) else {
            return out;
        };
        let disposition = head
            .split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .unwrap_or("");
        if let Some(name) = disposition_param(disposition, "name") {
            out.push(Part {
                name,
                filename: disposition_param(disposition, "filename"),
                data: &content[..end],
            });
        }
        rest = &content[end + next_delimiter.len()..];
    }
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

fn form_field<'a>(body: &'a [u8], name: &str) -> Option<&'a [u8]> {
    body.split(|b| *b == b'&').find_map(|pair| {
        let mut kv = pair.splitn(2, |b| *b == b'=');
        match (kv.next(), kv.next()) {
            (Some(k), Some(v)) if k == name.as_bytes() => Some(v),
            _ => None,
        }
    })
}

/// Checks the CSRF token of an unsafe cookie request: the header, or the
/// `csrf_token` field of an `application/x-www-form-urlencoded` body (the
/// body is read and put back).
async fn csrf_ok(req: Request, expected: &str) -> (bool, Request) {
    if let Some(v) = req.headers().get(CSRF_HEADER) {
        let ok = constant_time_eq(v.as_bytes(), expected.as_bytes());
        return (ok, req);
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let boundary = multipart_boundary(&content_type);
    if !is_form && boundary.is_none() {
        return (false, req);
    }
    let (parts, body) = req.into_parts();
    if let Some(b) = boundary {
        let (ok, body) = multipart_csrf_ok(body, &b, expected).await;
        return (ok, Request::from_parts(parts, body));
    }
    match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => {
            let ok = form_field(&bytes, CSRF_FIELD)
                .is_some_and(|v| constant_time_eq(v, expected.as_bytes()));
            (ok, Request::from_parts(parts, Body::from(bytes)))
        }
        Err(_) => (false, Request::from_parts(parts, Body::empty())),
    }
}

/// Whether the headers of the first part have arrived and name another
/// field than `csrf_token` (or a file): no need to read on.
fn first_part_is_not_csrf(body: &[u8], boundary: &str) -> bool {
    let delimiter = format!("--{boundary}\r\n");
    let Some(start) = find(body, delimiter.as_bytes()) else {
        return false;
    };
    let rest = &body[start + delimiter.len()..];
    let Some(head_end) = find(rest, b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&rest[..head_end]);
    let disposition = head
        .split("\r\n")
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
        .unwrap_or("");
    disposition_param(disposition, "name").as_deref() != Some(CSRF_FIELD)
        || disposition_param(disposition, "filename").is_some()
}

/// Reads a multipart body only as far as its first part, which must be the
/// `csrf_token`; the body is given back whole (what was read, then the
/// rest, unread).
async fn multipart_csrf_ok(body: Body, boundary: &str, expected: &str) -> (bool, Body) {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut head = Vec::new();
    let ok = loop {
        if first_part_is_not_csrf(&head, boundary) {
            break false;
        }
        if let Some(first) = multipart_parts(&head, boundary).into_iter().next() {
            break first.name == CSRF_FIELD
                && first.filename.is_none()
                && constant_time_eq(first.data, expected.as_bytes());
        }
        if head.len() >= MAX_CSRF_HEAD_BYTES {
            break false;
        }
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            _ => break false,
        }
    };
    if !ok {
        return (false, Body::empty());
    }
    let head = futures_util::stream::iter([Ok::<_, axum::Error>(axum::body::Bytes::from(head))]);
    (true, Body::from_stream(head.chain(stream)))
}

/// Finds the session of every request (one look-up), enforces CSRF on
/// unsafe cookie requests, and leaves a [`SessionState`] for the
/// extractors.
pub async fn session_layer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some((token, via)) = credentials(req.headers()) else {
        return next.run(req).await;
    };
    match resolve(&state, &token, via).await {
        Ok(Some(ctx)) => {
            if via == Via::Cookie
                && is_unsafe(req.method())
                && !CSRF_EXEMPT.contains(&req.uri().path())
            {
                let (ok, checked) = csrf_ok(req, &ctx.csrf_token).await;
                if !ok {
                    return csrf_failed().into_response();
                }
                req = checked;
            }
            req.extensions_mut()
                .insert(SessionState::Valid(Arc::new(ctx)));
        }
        Ok(None) => {
            req.extensions_mut().insert(SessionState::Invalid);
        }
        Err(e) => return ApiError::from(e).into_response(),
    }
    next.run(req).await
}

/// Who reads: a session (whose access rules apply), or — only when the
/// server runs with `insecure_actor_headers` and no session was presented
/// — anyone, as before accounts existed.
#[derive(Debug, Clone)]
pub enum Viewer {
    Session(Arc<AuthContext>),
    Unrestricted,
}

impl Viewer {
    /// The scope of a session; None when unrestricted.
    pub fn scope(&self) -> Option<Scope> {
        match self {
            Viewer::Session(c) => Some(c.principal.scope()),
            Viewer::Unrestricted => None,
        }
    }

    pub fn sees(&self, d: &Dossier) -> bool {
        match self {
            Viewer::Session(c) => c.principal.sees(&d.into()),
            Viewer::Unrestricted => true,
        }
    }

    pub fn session(&self) -> Option<&AuthContext> {
        match self {
            Viewer::Session(c) => Some(c),
            Viewer::Unrestricted => None,
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match parts.extensions.get::<SessionState>() {
            Some(SessionState::Valid(c)) => Ok(Viewer::Session(c.clone())),
            Some(SessionState::Invalid) => Err(session_expired()),
            None if state.insecure_actor_headers => Ok(Viewer::Unrestricted),
            None => Err(authentication_required()),
        }
    }
}

/// A request that must carry a valid session.
pub struct Authenticated(pub Arc<AuthContext>);

impl<S: Send + Sync> FromRequestParts<S> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match parts.extensions.get::<SessionState>() {
            Some(SessionState::Valid(c)) => Ok(Authenticated(c.clone())),
            Some(SessionState::Invalid) => Err(session_expired()),
            None => Err(authentication_required()),
        }
    }
}

/// The session if there is a valid one; never rejects (public pages).
pub struct MaybeSession(pub Option<Arc<AuthContext>>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeSession(match parts.extensions.get::<SessionState>() {
            Some(SessionState::Valid(c)) => Some(c.clone()),
            _ => None,
        }))
    }
}

/// A session just opened: the token is given to the client once.
pub struct Opened {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub subject: Subject,
}

/// Seconds between two sweeps of expired sessions.
const SWEEP_EVERY_SECONDS: i64 = 300;

/// Deletes the expired and idle sessions, at most once every
/// [`SWEEP_EVERY_SECONDS`] per store, so that the table does not grow with
/// every login that is never logged out. A failure is logged: it never
/// stops a login.
async fn sweep_expired(state: &AppState, now: DateTime<Utc>) {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static LAST: OnceLock<Mutex<HashMap<usize, i64>>> = OnceLock::new();
    let store = Arc::as_ptr(&state.store).cast::<()>() as usize;
    let due = {
        let Ok(mut last) = LAST.get_or_init(Default::default).lock() else {
            return;
        };
        let at = now.timestamp();
        let due = last
            .get(&store)
            .is_none_or(|t| at.saturating_sub(*t) >= SWEEP_EVERY_SECONDS);
        if due {
            last.insert(store, at);
        }
        due
    };
    if !due {
        return;
    }
    match state.store.delete_expired_sessions(now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(deleted = n, "expired sessions deleted"),
        Err(e) => tracing::warn!(error = %e, "deleting expired sessions failed"),
    }
    let idle_before = state.auth.config.idle_policy().idle_before(now);
    match state.store.delete_idle_sessions(idle_before).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(deleted = n, "idle sessions deleted"),
        Err(e) => tracing::warn!(error = %e, "deleting idle sessions failed"),
    }
}

/// Opens a session for an identity (and, now and then, deletes the
/// expired ones).
pub async fn open(state: &AppState, identity: &Identity) -> Result<Opened, AuthError> {
    let token = secret::random_token().map_err(HashError::from)?;
    let csrf_token = secret::random_token().map_err(HashError::from)?;
    let now = Utc::now();
    sweep_expired(state, now).await;
    let subject = match identity {
        Identity::Official(o) => Subject::Official(o.username.clone()),
        Identity::Citizen(c) => Subject::Citizen(c.id.clone()),
    };
    let expires_at = now + state.auth.config.session_ttl;
    state
        .store
        .create_session(&NewSession {
            token_hash: secret::sha256(token.as_bytes()),
            subject: subject.clone(),
            csrf_token: csrf_token.clone(),
            created_at: now,
            expires_at,
        })
        .await?;
    Ok(Opened {
        token,
        csrf_token,
        expires_at,
        subject,
    })
}

/// `Set-Cookie` for a new session.
pub fn session_cookie(token: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("motcua_session=; Path=/; Max-Age=0"))
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static(
            "motcua_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
        )
    } else {
        HeaderValue::from_static("motcua_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_come_from_bearer_or_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(credentials(&h), None);
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=vi; motcua_session=abc ; x=1"),
        );
        assert_eq!(credentials(&h), Some(("abc".into(), Via::Cookie)));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer xyz"),
        );
        assert_eq!(credentials(&h), Some(("xyz".into(), Via::Bearer)));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic xyz"));
        assert_eq!(credentials(&h), None, "another scheme is not a session");
    }

    #[test]
    fn multipart_parts_are_found() {
        let ct = "multipart/form-data; boundary=XyZ";
        let b = multipart_boundary(ct).expect("a boundary");
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n-1\r\n--XyZ--\r\n";
        let parts = multipart_parts(body, &b);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "csrf_token");
        assert_eq!(parts[0].data, b"abc");
        assert_eq!(parts[1].filename.as_deref(), Some("a.pdf"));
        assert_eq!(parts[1].data, b"%PDF\r\n-1");
        assert_eq!(multipart_boundary("text/plain"), None);
    }

    #[test]
    fn form_fields_are_found() {
        assert_eq!(
            form_field(b"a=1&csrf_token=abc&b=2", "csrf_token"),
            Some(&b"abc"[..])
        );
        assert_eq!(form_field(b"csrf_tokenx=1", "csrf_token"), None);
        assert_eq!(form_field(b"", "csrf_token"), None);
    }

    #[test]
    fn cookies_are_http_only_and_lax() {
        let c = session_cookie("t", 60, true);
        let c = c.to_str().expect("ascii");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        let c = session_cookie("t", 60, false);
        assert!(!c.to_str().expect("ascii").contains("Secure"));
    }
}
