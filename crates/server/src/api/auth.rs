//! Đăng nhập — logins and sessions over HTTP (officials' accounts:
//! [`super::accounts`]).

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use motcua_domain::access::{Assignment, Contact};
use motcua_store::Subject;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::identity::{
    AuthError, Identity, IdentityProvider, OtpProvider, PasswordProvider, Proof,
};
use crate::auth::session::{self, AuthContext, Authenticated, MaybeSession};
use crate::auth::{events, ClientAddr};
use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub(crate) fn json_error(e: JsonRejection) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
        format!("Nội dung yêu cầu không hợp lệ: {}", e.body_text()),
        format!("Invalid request body: {}", e.body_text()),
    )
}

/// An authentication failure, with `Retry-After` when locked or too soon.
fn auth_failure(e: &AuthError) -> Response {
    let (err, retry_after) = e.to_api();
    let mut res = err.into_response();
    if let Some(secs) = retry_after {
        if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    res
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Tên đăng nhập, e.g. `tiepnhan.01279`.
    pub username: String,
    pub password: String,
}

/// A role held at a unit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoleAssignment {
    /// receiving_officer, specialist, department_head, leader, clerical,
    /// unit_admin, province_admin (at a province id such as `04`), inspector.
    pub role: String,
    /// Unit id, e.g. `04.01279`, or a province id, e.g. `04`.
    pub unit: String,
}

impl From<&Assignment> for RoleAssignment {
    fn from(a: &Assignment) -> Self {
        RoleAssignment {
            role: a.role.as_str().to_string(),
            unit: a.unit.to_string(),
        }
    }
}

/// The logged-in person.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `official` or `citizen`.
    pub kind: String,
    /// The user id in dossier events (an official's username; a citizen's
    /// account id).
    pub user: String,
    pub display_name: Option<String>,
    /// A citizen's phone or e-mail, masked.
    pub contact: Option<String>,
    pub roles: Vec<RoleAssignment>,
    /// Send it back as `X-CSRF-Token` (or the `csrf_token` form field) on
    /// every unsafe request authenticated by the cookie.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// A new session. The token is also set as the `motcua_session` cookie
/// (HttpOnly, SameSite=Lax, Secure); API clients send it as
/// `Authorization: Bearer <token>` instead.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub me: Me,
}

fn me_of(ctx: &AuthContext) -> Me {
    let (kind, user) = match &ctx.subject {
        Subject::Official(u) => ("official", u.to_string()),
        Subject::Citizen(c) => ("citizen", c.to_string()),
    };
    Me {
        kind: kind.to_string(),
        user,
        display_name: ctx.display_name.clone(),
        contact: ctx.contact.as_ref().map(Contact::masked),
        roles: ctx
            .principal
            .assignments()
            .iter()
            .map(RoleAssignment::from)
            .collect(),
        csrf_token: ctx.csrf_token.clone(),
        expires_at: ctx.expires_at,
    }
}

async fn session_response(state: &AppState, identity: Identity) -> Response {
    let opened = match session::open(state, &identity).await {
        Ok(o) => o,
        Err(e) => return auth_failure(&e),
    };
    let (display_name, contact, roles) = match &identity {
        Identity::Official(o) => (
            Some(o.display_name.clone()),
            None,
            o.assignments.iter().map(RoleAssignment::from).collect(),
        ),
        Identity::Citizen(c) => (None, Some(c.contact.masked()), Vec::new()),
    };
    let (kind, user) = match &opened.subject {
        Subject::Official(u) => ("official", u.to_string()),
        Subject::Citizen(c) => ("citizen", c.to_string()),
    };
    let body = SessionResponse {
        token: opened.token.clone(),
        csrf_token: opened.csrf_token.clone(),
        expires_at: opened.expires_at,
        me: Me {
            kind: kind.to_string(),
            user,
            display_name,
            contact,
            roles,
            csrf_token: opened.csrf_token,
            expires_at: opened.expires_at,
        },
    };
    let cookie = session::session_cookie(
        &opened.token,
        state.auth.config.session_ttl.num_seconds(),
        state.auth.config.cookie_secure,
    );
    ([(header::SET_COOKIE, cookie)], Json(body)).into_response()
}

/// Log in as an official (username and password). Five failures in a row
/// lock the username for the client address that made them for 15 minutes
/// (429 `login_locked`); logins are also rate-limited per address and per
/// account (429 `login_rate_limited`), and refused while every password
/// verification slot is taken (503 `login_busy`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses((status = 200, description = "Logged in; Set-Cookie: motcua_session", body = SessionResponse),
              (status = 401, description = "invalid_credentials", body = crate::error::Problem),
              (status = 422, body = crate::error::Problem),
              (status = 429, description = "login_locked, login_rate_limited (Retry-After)", body = crate::error::Problem),
              (status = 503, description = "login_busy (Retry-After)", body = crate::error::Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> ApiResult<Response> {
    let Json(req) = body.map_err(json_error)?;
    let provider = PasswordProvider {
        store: &*state.store,
        auth: &state.auth,
        client,
    };
    match provider
        .authenticate(Proof::Password {
            username: req.username,
            password: req.password,
        })
        .await
    {
        Ok(identity) => Ok(session_response(&state, identity).await),
        Err(e) => Ok(auth_failure(&e)),
    }
}

/// Log out: ends the session and clears the cookie. A cookie session must
/// send its CSRF token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Logged out (also when there was no session)"),
              (status = 403, description = "csrf_failed", body = crate::error::Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    MaybeSession(session): MaybeSession,
) -> ApiResult<Response> {
    if let Some(ctx) = session {
        state.store.delete_session(&ctx.token_hash).await?;
        events::logout(&events::subject(&ctx.subject), client);
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            session::clear_cookie(state.auth.config.cookie_secure),
        )],
    )
        .into_response())
}

/// Who is logged in, their roles and the session's CSRF token.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me),
              (status = 401, description = "authentication_required, session_expired", body = crate::error::Problem)))]
pub async fn me(Authenticated(ctx): Authenticated) -> Json<Me> {
    Json(me_of(&ctx))
}

/// A citizen's phone number or e-mail address (exactly one).
#[derive(Debug, Deserialize, ToSchema)]
pub struct OtpRequest {
    /// A Vietnamese mobile number, e.g. `0912 345 678`.
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OtpSent {
    /// Where the code went, masked.
    pub sent_to: String,
    pub expires_in_seconds: i64,
    /// Least wait before asking for another code.
    pub resend_after_seconds: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OtpVerify {
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The 6-digit code received.
    pub code: String,
}

fn contact(phone: Option<&str>, email: Option<&str>) -> ApiResult<Contact> {
    let invalid = |vi: &str, en: &str| ApiError::bad_request("invalid_contact", vi, en);
    match (phone, email) {
        (Some(p), None) => Contact::phone(p).map_err(|_| {
            invalid(
                "Số điện thoại di động không hợp lệ (ví dụ 0912 345 678).",
                "Not a Vietnamese mobile number (e.g. 0912 345 678).",
            )
        }),
        (None, Some(e)) => Contact::email(e).map_err(|_| {
            invalid(
                "Địa chỉ thư điện tử không hợp lệ.",
                "Not an e-mail address.",
            )
        }),
        _ => Err(invalid(
            "Hãy nhập một số điện thoại hoặc một địa chỉ thư điện tử.",
            "Give either a phone number or an e-mail address.",
        )),
    }
}

/// Send a one-time code to a citizen's phone or e-mail (6 digits, valid 5
/// minutes, 5 attempts; at most one a minute, and by default 5 an hour per
/// contact, 10 an hour per client address, 1000 an hour in all).
#[utoipa::path(post, path = "/api/v1/auth/otp/request", tag = "auth",
    request_body = OtpRequest,
    responses((status = 202, body = OtpSent),
              (status = 400, description = "invalid_contact", body = crate::error::Problem),
              (status = 429, description = "otp_too_soon, otp_rate_limited, login_locked (Retry-After)", body = crate::error::Problem),
              (status = 503, description = "otp_not_sent", body = crate::error::Problem)))]
pub async fn otp_request(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: Result<Json<OtpRequest>, JsonRejection>,
) -> ApiResult<Response> {
    let Json(req) = body.map_err(json_error)?;
    let contact = contact(req.phone.as_deref(), req.email.as_deref())?;
    let provider = OtpProvider {
        store: &*state.store,
        auth: &state.auth,
        client,
    };
    if let Err(e) = provider.send_code(&contact).await {
        return Ok(auth_failure(&e));
    }
    let policy = &state.auth.config.otp;
    Ok((
        StatusCode::ACCEPTED,
        Json(OtpSent {
            sent_to: contact.masked(),
            expires_in_seconds: policy.ttl.num_seconds(),
            resend_after_seconds: policy.resend_after.num_seconds(),
        }),
    )
        .into_response())
}

/// Log in as a citizen with the code received; the account is created at
/// the first login.
#[utoipa::path(post, path = "/api/v1/auth/otp/verify", tag = "auth",
    request_body = OtpVerify,
    responses((status = 200, description = "Logged in; Set-Cookie: motcua_session", body = SessionResponse),
              (status = 400, description = "invalid_contact", body = crate::error::Problem),
              (status = 401, description = "otp_invalid", body = crate::error::Problem),
              (status = 429, description = "login_locked (Retry-After)", body = crate::error::Problem)))]
pub async fn otp_verify(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: Result<Json<OtpVerify>, JsonRejection>,
) -> ApiResult<Response> {
    let Json(req) = body.map_err(json_error)?;
    let contact = contact(req.phone.as_deref(), req.email.as_deref())?;
    let provider = OtpProvider {
        store: &*state.store,
        auth: &state.auth,
        client,
    };
    match provider
        .authenticate(Proof::OneTimeCode {
            contact,
            code: req.code,
        })
        .await
    {
        Ok(identity) => Ok(session_response(&state, identity).await),
        Err(e) => Ok(auth_failure(&e)),
    }
}
