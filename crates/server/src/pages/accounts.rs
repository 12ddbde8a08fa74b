//! Tài khoản — the officials' account pages, no script needed:
//! * `/can-bo/tai-khoan`: change one's own password; for an administrator,
//!   the accounts of their unit (or province);
//! * `/can-bo/tai-khoan/{username}`: one account, its roles (each with a
//!   revoke button), deactivation or reactivation, a grant form and its
//!   events.
//!
//! Every change goes through [`crate::api::accounts`], so the pages and the
//! API apply the same rule, ask for the current password again the same
//! way and leave the same account events. Forms carry the session's CSRF
//! token (checked by [`crate::auth::session::session_layer`]).

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::access::{AccountChange, Assignment, StaffRole, Username};
use serde::Deserialize;

use super::official::{login_to, official};
use super::ui::{urlencode, when, Ctx, Lang};
use super::{render, PageError};
use crate::api::accounts as api;
use crate::auth::session::MaybeSession;
use crate::auth::AuthContext;
use crate::error::ApiError;
use crate::AppState;

const PATH: &str = "/can-bo/tai-khoan";

/// A role as shown, with what its revoke button sends.
pub struct RoleRow {
    role: String,
    unit: String,
    label: String,
    revocable: bool,
}

pub struct OfficialRow {
    username: String,
    display_name: String,
    roles: String,
    active: bool,
    link: String,
}

pub struct EventRow {
    at: String,
    kind: String,
    actor: String,
    roles: String,
}

/// A choice of the grant form's role list.
pub struct RoleOption {
    value: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    c: Ctx,
    username: String,
    is_admin: bool,
    officials: Vec<OfficialRow>,
    notice: String,
    error: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Ctx,
    username: String,
    display_name: String,
    active: bool,
    may_manage: bool,
    roles: Vec<RoleRow>,
    options: Vec<RoleOption>,
    events: Vec<EventRow>,
    notice: String,
    error: String,
    action: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    /// What was just done, to announce.
    xong: Option<String>,
}

fn role_label(l: Lang, a: &Assignment) -> String {
    let name = match l {
        Lang::Vi => a.role.label_vi().to_string(),
        Lang::En => a.role.as_str().replace('_', " "),
    };
    format!("{name} — {}", a.unit)
}

fn roles_text(l: Lang, list: &[Assignment]) -> String {
    list.iter()
        .map(|a| role_label(l, a))
        .collect::<Vec<_>>()
        .join("; ")
}

fn error_text(l: Lang, e: &ApiError) -> String {
    format!("{} ({})", l.t(&e.message_vi, &e.message_en), e.code)
}

fn done_text(l: Lang, what: Option<&str>) -> String {
    let (vi, en) = match what {
        Some("mat-khau") => (
            "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.",
            "Password changed. Your other sessions have ended.",
        ),
        Some("thu-hoi") => (
            "Đã thu hồi vai trò; các phiên đăng nhập của cán bộ đã kết thúc.",
            "Role revoked; the official's sessions have ended.",
        ),
        Some("khoa") => (
            "Đã khóa tài khoản; các phiên đăng nhập của cán bộ đã kết thúc.",
            "Account deactivated; the official's sessions have ended.",
        ),
        Some("mo-khoa") => ("Đã mở lại tài khoản.", "Account reactivated."),
        Some("phan-cong") => ("Đã phân công vai trò.", "Role granted."),
        _ => return String::new(),
    };
    l.t(vi, en).to_string()
}

async fn list_page(
    state: &AppState,
    l: Lang,
    session: MaybeSession,
    s: &Arc<AuthContext>,
    notice: String,
    error: Option<&ApiError>,
) -> Result<Response, PageError> {
    let is_admin = s.principal.is_administrator();
    let officials = if is_admin {
        state
            .engine
            .managed_officials(&s.principal)
            .await
            .map_err(api::account_error)?
            .into_iter()
            .map(|o| OfficialRow {
                link: format!("{PATH}/{}", o.username),
                username: o.username.to_string(),
                display_name: o.display_name,
                roles: roles_text(l, &o.assignments),
                active: o.active,
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = AccountsPage {
        username: s.principal.user().to_string(),
        is_admin,
        officials,
        notice,
        error: error.map(|e| error_text(l, e)).unwrap_or_default(),
        c: Ctx::new(l, PATH, session),
    };
    let status = error.map_or(StatusCode::OK, |e| e.status);
    Ok((status, render(&page)).into_response())
}

/// `GET /can-bo/tai-khoan`: one's password form and, for an administrator,
/// the accounts they manage.
pub async fn accounts(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(PATH));
    };
    let notice = done_text(l, q.xong.as_deref());
    list_page(&state, l, session, &s, notice, None).await
}

/// `POST /can-bo/mat-khau`: changes one's own password, then back to the
/// accounts page (303); a refusal shows it again with the reason.
pub async fn password_post(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(PATH));
    };
    let field = |n: &str| f.get(n).cloned().unwrap_or_default();
    let new_password = field("new_password");
    let attempt = if new_password != field("confirm_password") {
        Err(ApiError::bad_request(
            "passwords_differ",
            "Hai lần nhập mật khẩu mới không giống nhau.",
            "The two new passwords differ.",
        ))
    } else {
        let current = field("current_password");
        api::change_password(&state, &s, Some(current.as_str()), &new_password).await
    };
    match attempt {
        Ok(()) => {
            Ok(Redirect::to(&format!("{PATH}?xong=mat-khau&lang={}", l.code())).into_response())
        }
        Err(e) if e.status.is_client_error() => {
            list_page(&state, l, session, &s, String::new(), Some(&e)).await
        }
        Err(e) => Err(PageError(e)),
    }
}

async fn account_page(
    state: &AppState,
    l: Lang,
    session: MaybeSession,
    s: &Arc<AuthContext>,
    username: &Username,
    notice: String,
    error: Option<&ApiError>,
) -> Result<Response, PageError> {
    let (o, events) = state
        .engine
        .official_account(&s.principal, username)
        .await
        .map_err(api::account_error)?;
    let target = o.username.user_id();
    let may_manage = s.principal.may_manage(&target, &o.assignments);
    let roles = o
        .assignments
        .iter()
        .map(|a| RoleRow {
            role: a.role.as_str().to_string(),
            unit: a.unit.to_string(),
            label: role_label(l, a),
            revocable: s
                .principal
                .check_account_change(&target, &o.assignments, AccountChange::Revoke(a))
                .is_ok(),
        })
        .collect();
    let options = StaffRole::ALL
        .into_iter()
        .map(|r| RoleOption {
            value: r.as_str(),
            label: match l {
                Lang::Vi => r.label_vi().to_string(),
                Lang::En => r.as_str().replace('_', " "),
            },
        })
        .collect();
    let path = format!("{PATH}/{username}");
    let page = AccountPage {
        username: o.username.to_string(),
        display_name: o.display_name,
        active: o.active,
        may_manage,
        roles,
        options,
        events: events
            .iter()
            .rev()
            .map(|e| EventRow {
                at: when(&e.at),
                kind: l.t(e.kind.label_vi(), e.kind.label_en()).to_string(),
                actor: e
                    .actor
                    .as_ref()
                    .map_or_else(|| l.t("hệ thống", "system").to_string(), |a| a.to_string()),
                roles: roles_text(l, &e.roles),
            })
            .collect(),
        notice,
        error: error.map(|e| error_text(l, e)).unwrap_or_default(),
        action: path.clone(),
        c: Ctx::new(l, &urlencode(&path), session),
    };
    let status = error.map_or(StatusCode::OK, |e| e.status);
    Ok((status, render(&page)).into_response())
}

/// `GET /can-bo/tai-khoan/{username}`: one account, for an administrator
/// who reads it.
pub async fn account(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(username): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(&format!("{PATH}/{username}")));
    };
    let username = api::parse_username(&username)?;
    let notice = done_text(l, q.xong.as_deref());
    account_page(&state, l, session, &s, &username, notice, None).await
}

/// `POST /can-bo/tai-khoan/{username}`: one change (`thao_tac`: `thu-hoi`
/// with `role` and `unit`, `khoa`, `mo-khoa`, `phan-cong` with `role` and
/// `unit`), with the administrator's `current_password`; then back to the
/// account (303), or the account with the reason of a refusal.
pub async fn account_post(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(username): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(&format!("{PATH}/{username}")));
    };
    let username = api::parse_username(&username)?;
    let field = |n: &str| f.get(n).cloned().unwrap_or_default();
    let password = field("current_password");
    let password = Some(password.as_str());
    let what = field("thao_tac");
    let attempt = match what.as_str() {
        "thu-hoi" => match api::parse_assignment(&field("role"), &field("unit")) {
            Ok(role) => api::revoke(&state, &s, &username, &role, password)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        },
        "khoa" | "mo-khoa" => api::set_active(&state, &s, &username, what == "mo-khoa", password)
            .await
            .map(|_| ()),
        "phan-cong" => {
            let asked = [crate::api::auth::RoleAssignment {
                role: field("role"),
                unit: field("unit"),
            }];
            match api::grantable(&s, &asked) {
                Ok(roles) => api::grant(&state, &s, &username, &roles, password)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            }
        }
        _ => Err(ApiError::bad_request(
            "invalid_action",
            "Thao tác không hợp lệ.",
            "Unknown action.",
        )),
    };
    match attempt {
        Ok(()) => Ok(
            Redirect::to(&format!("{PATH}/{username}?xong={what}&lang={}", l.code()))
                .into_response(),
        ),
        Err(e) if e.status.is_client_error() && e.code != "official_not_found" => {
            account_page(&state, l, session, &s, &username, String::new(), Some(&e)).await
        }
        Err(e) => Err(PageError(e)),
    }
}
