//! Không gian làm việc của cán bộ — the official's side: the login form,
//! the work queue of the official's role at their unit (overdue first),
//! and the dossier page with the actions the official may take, posted
//! to the engine with the session's CSRF token.
//!
//! `queue` (the work queue), `dossier` (the dossier page and its actions),
//! `assign` (bulk assignment) and `intake` (the counter's paper intake).

mod assign;
mod dossier;
mod intake;
mod queue;

pub use assign::bulk_assign;
pub use dossier::{act, dossier};
pub(crate) use dossier::{attach, has_form};
pub(super) use intake::receiving_officer;
pub use intake::{intake, intake_post};
pub use queue::queue;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::access::Principal;
use motcua_domain::dossier::{Actor, DossierCode, Role, UnitId};
use serde::Deserialize;
use serde_json::Value;

use super::portal::logged_in;
use super::ui::{form_token, form_token_ok, safe_next, urlencode, Ctx, Lang};
use super::{render, PageError};
use crate::auth::session::{self, MaybeSession};
use crate::auth::{AuthContext, IdentityProvider, PasswordProvider, Proof};
use crate::error::ApiError;
use crate::AppState;

#[derive(Template)]
#[template(path = "official_login.html")]
struct LoginPage {
    c: Ctx,
    form_token: String,
    username: String,
    error: String,
    /// The local page asked for before the login (`?next=`), or empty.
    next: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login page, coming back to `path` (and its query) afterwards.
pub(super) fn login_to(path: &str) -> Response {
    Redirect::to(&format!("/can-bo/dang-nhap?next={}", urlencode(path))).into_response()
}

/// `/can-bo/dang-nhap?next=/can-bo/…`: the official's login form.
pub async fn login(
    l: Lang,
    session: MaybeSession,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    let (token, cookie) = form_token()?;
    let c = Ctx::new(l, "/can-bo/dang-nhap", session);
    let form_token = if c.session.is_some() {
        c.csrf().to_string()
    } else {
        token
    };
    let page = LoginPage {
        c,
        form_token,
        username: String::new(),
        error: String::new(),
        next: safe_next(q.next.as_deref()).unwrap_or_default(),
    };
    Ok(([(header::SET_COOKIE, cookie)], render(&page)).into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /can-bo/dang-nhap`: checks the password (with the lockout of the
/// API's login), opens the session and goes to the page asked for (a local
/// path only), else to the work queue.
pub async fn login_post(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    crate::auth::ClientAddr(client): crate::auth::ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&headers, session.0.is_some(), &f.csrf_token) {
        return Err(PageError(session::csrf_failed()));
    }
    let provider = PasswordProvider {
        store: &*state.store,
        auth: &state.auth,
        client,
    };
    let proof = Proof::Password {
        username: f.username.trim().to_string(),
        password: f.password,
    };
    match provider.authenticate(proof).await {
        Ok(identity) => {
            let opened = session::open(&state, &identity)
                .await
                .map_err(|e| PageError(e.to_api().0))?;
            let to = safe_next(Some(&f.next)).unwrap_or_else(|| "/can-bo".to_string());
            Ok(logged_in(&state, &opened.token, &to))
        }
        Err(e) => {
            let (err, _) = e.to_api();
            let page = LoginPage {
                c: Ctx::new(l, "/can-bo/dang-nhap", session),
                form_token: f.csrf_token,
                username: f.username.chars().take(64).collect(),
                error: l.t(&err.message_vi, &err.message_en).to_string(),
                next: safe_next(Some(&f.next)).unwrap_or_default(),
            };
            Ok((err.status, render(&page)).into_response())
        }
    }
}

/// Vai trò đang dùng — which of an official's acting assignments a page
/// works as (`?vai_tro=&don_vi=`), for officials holding several.
#[derive(Debug, Default, Deserialize)]
pub struct RoleChoice {
    vai_tro: Option<String>,
    don_vi: Option<String>,
}

impl RoleChoice {
    pub(super) fn from_form(f: &HashMap<String, String>) -> RoleChoice {
        RoleChoice {
            vai_tro: f.get("vai_tro").cloned(),
            don_vi: f.get("don_vi").cloned(),
        }
    }

    fn parsed(&self) -> (Option<Role>, Option<UnitId>) {
        let role = self
            .vai_tro
            .as_deref()
            .filter(|r| !r.is_empty())
            .and_then(|r| serde_json::from_value(Value::String(r.to_string())).ok());
        let unit = self
            .don_vi
            .as_deref()
            .filter(|u| !u.is_empty())
            .and_then(|u| UnitId::parse(u).ok());
        (role, unit)
    }
}

/// The query string that keeps an actor's choice on the next page.
fn choice_query(a: &Actor) -> String {
    format!(
        "?vai_tro={}&don_vi={}",
        a.role.as_str(),
        a.unit.as_ref().map(ToString::to_string).unwrap_or_default()
    )
}

/// The acting role of the session: the one chosen, else its only one, else
/// the first of an official holding several.
fn auth_actor(s: &AuthContext, choice: &RoleChoice) -> Result<Actor, PageError> {
    let (role, unit) = choice.parsed();
    let acting = s.principal.actor(role, unit.as_ref()).or_else(|e| {
        match s
            .principal
            .assignments()
            .iter()
            .find_map(|a| a.role.acting_role().map(|r| (r, &a.unit)))
        {
            Some((r, u)) if role.is_none() && unit.is_none() => s.principal.actor(Some(r), Some(u)),
            _ => Err(e),
        }
    });
    acting.map_err(|e| {
        PageError(ApiError::new(
            StatusCode::FORBIDDEN,
            e.code(),
            e.message_vi(),
            e.to_string(),
        ))
    })
}

/// The official of the session, or the login page.
pub(super) fn official(session: &MaybeSession) -> Option<std::sync::Arc<AuthContext>> {
    session
        .0
        .clone()
        .filter(|s| matches!(s.principal, Principal::Official { .. }))
}

fn role_text(l: Lang, r: Role) -> String {
    match l {
        Lang::Vi => r.label_vi().to_string(),
        Lang::En => r.as_str().replace('_', " "),
    }
}
fn dossier_code(code: &str) -> Result<DossierCode, PageError> {
    DossierCode::parse(code).map_err(|_| {
        PageError(ApiError::not_found(
            "dossier_not_found",
            "Không có hồ sơ này.",
            "No such dossier.",
        ))
    })
}

fn hidden(code: &DossierCode) -> PageError {
    PageError(motcua_engine::EngineError::DossierNotFound(code.to_string()).into())
}
