//! Bulk assignment: a department head (or leader) assigns several
//! dossiers to one specialist.

use askama::Template;
use axum::extract::{Form, State};
use axum::response::Response;
use motcua_domain::access::{StaffRole, Username};
use motcua_domain::dossier::{Actor, Role, UnitId, UserId};
use motcua_engine::Action;

use super::{auth_actor, choice_query, dossier_code, hidden, login_to, official, RoleChoice};
use crate::auth::session::{self, MaybeSession};
use crate::auth::AuthContext;
use crate::error::ApiError;
use crate::pages::ui::{now, Ctx, Lang};
use crate::pages::{render, PageError};
use crate::AppState;

pub struct BulkRow {
    code: String,
    ok: bool,
    message: String,
}

#[derive(Template)]
#[template(path = "bulk_assign.html")]
struct BulkPage {
    c: Ctx,
    suffix: String,
    assignee: String,
    rows: Vec<BulkRow>,
    done: usize,
}

/// The officials an assignment at `unit` may pick: the active accounts
/// holding the specialist role there, as (username, "Name (username)"),
/// by name. The pickers of the dossier page and the bulk assignment list
/// them; the bulk assignment accepts no one else.
pub(in crate::pages) async fn specialists(
    state: &AppState,
    unit: &UnitId,
) -> Result<Vec<(String, String)>, PageError> {
    let scope = motcua_domain::access::Scope {
        units: [unit.clone()].into_iter().collect(),
        ..Default::default()
    };
    let mut found: Vec<(String, String)> = state
        .store
        .officials_in_scope(&scope)
        .await?
        .into_iter()
        .filter(|o| {
            o.active
                && o.assignments
                    .iter()
                    .any(|a| a.role == StaffRole::Specialist && &a.unit == unit)
        })
        .map(|o| {
            let name = o.display_name.trim();
            let shown = if name.is_empty() {
                o.username.to_string()
            } else {
                format!("{name} ({})", o.username)
            };
            (o.username.to_string(), shown)
        })
        .collect();
    found.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(found)
}

/// The specialist named by a department head: one of [`specialists`].
async fn specialist_of(
    state: &AppState,
    name: &str,
    unit: &UnitId,
) -> Result<Option<UserId>, PageError> {
    let Ok(username) = Username::parse(name.trim()) else {
        return Ok(None);
    };
    let listed = specialists(state, unit)
        .await?
        .into_iter()
        .any(|(u, _)| u == username.as_str());
    Ok(listed
        .then(|| UserId::parse(username.as_str()).ok())
        .flatten())
}

/// `POST /can-bo/phan-cong` (`ma` repeated, `can_bo`, `vai_tro`,
/// `don_vi`; the session layer checked the CSRF token): a department head
/// (or leader) assigns several dossiers to one specialist. Each dossier is
/// its own command, so one refused (already assigned, another unit's)
/// leaves the others assigned; the page lists the outcome of each.
pub async fn bulk_assign(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to("/can-bo"));
    };
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
    };
    let choice = RoleChoice {
        vai_tro: field("vai_tro"),
        don_vi: field("don_vi"),
    };
    let actor = auth_actor(&s, &choice)?;
    if !matches!(actor.role, Role::DepartmentHead | Role::Leader) {
        return Err(PageError(session::forbidden()));
    }
    let Some(unit) = actor.unit.clone() else {
        return Err(PageError(session::forbidden()));
    };
    let mut codes: Vec<String> = Vec::new();
    for (_, v) in pairs.iter().filter(|(n, _)| n == "ma") {
        let v = v.trim().to_string();
        if !v.is_empty() && !codes.contains(&v) && codes.len() < 200 {
            codes.push(v);
        }
    }
    if codes.is_empty() {
        return Err(PageError(ApiError::bad_request(
            "nothing_chosen",
            "Hãy chọn ít nhất một hồ sơ để phân công.",
            "Choose at least one dossier to assign.",
        )));
    }
    let name = field("can_bo").unwrap_or_default();
    let Some(assignee) = specialist_of(&state, &name, &unit).await? else {
        return Err(PageError(ApiError::bad_request(
            "not_a_specialist",
            format!("{name} không phải chuyên viên của đơn vị {unit}."),
            format!("{name} is not a specialist of unit {unit}."),
        )));
    };
    let mut rows = Vec::with_capacity(codes.len());
    for raw in codes {
        let outcome = assign_one(&state, &s, &actor, &raw, &assignee).await;
        rows.push(match outcome {
            Ok(()) => BulkRow {
                code: raw,
                ok: true,
                message: l.t("Đã phân công", "Assigned").to_string(),
            },
            Err(e) => BulkRow {
                code: raw,
                ok: false,
                message: l.t(&e.message_vi, &e.message_en).to_string(),
            },
        });
    }
    let done = rows.iter().filter(|r| r.ok).count();
    Ok(render(&BulkPage {
        c: Ctx::new(l, "/can-bo", session),
        suffix: choice_query(&actor),
        assignee: assignee.to_string(),
        rows,
        done,
    }))
}

async fn assign_one(
    state: &AppState,
    s: &AuthContext,
    actor: &Actor,
    raw: &str,
    assignee: &UserId,
) -> Result<(), ApiError> {
    let code = dossier_code(raw).map_err(|e| e.0)?;
    state
        .store
        .dossier(&code)
        .await?
        .and_then(|st| st.dossier)
        .filter(|d| s.principal.sees(&d.into()))
        .ok_or_else(|| hidden(&code).0)?;
    state
        .engine
        .act(
            &code,
            None,
            Action::Assign {
                assignee: assignee.clone(),
            },
            actor.clone(),
            now(),
            None,
        )
        .await?;
    Ok(())
}
