//! Không gian làm việc của cán bộ — the official's side: the login form,
//! the work queue of the official's role at their unit (overdue first),
//! and the dossier page with the actions the official may take, posted
//! to the engine with the session's CSRF token.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use motcua_domain::access::{Principal, StaffRole, Username};
use motcua_domain::dossier::{
    Actor, Applicant, DocumentKind, DossierCode, PersonalId, ReceivedDocument, Role, Status,
    UnitId, UserId,
};
use motcua_domain::procedure::{DocumentForm, ProcedureCode, StepKind};
use motcua_engine::Action;
use motcua_store::{DossierFilter, Intake, QueueQuery};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::portal::logged_in;
use super::ui::{form_token, form_token_ok, now, safe_next, urlencode, when, when_opt, Ctx, Lang};
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

pub struct QueueRow {
    code: String,
    procedure: String,
    applicant: String,
    status: &'static str,
    /// The current step, e.g. "Phê duyệt, ký".
    step: &'static str,
    submitted_at: String,
    due: String,
    overdue: bool,
    /// At an assignment step: may be chosen for the bulk assignment.
    assignable: bool,
}

pub struct RoleLink {
    label: String,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    c: Ctx,
    /// Keeps the chosen role on the dossier links.
    suffix: String,
    choices: Vec<RoleLink>,
    /// The page's heading: what this role's queue waits for.
    heading: &'static str,
    role: String,
    unit: String,
    vai_tro: String,
    don_vi: String,
    /// Filters by step kind (`?buoc=`), with their counts.
    steps: Vec<RoleLink>,
    rows: Vec<QueueRow>,
    overdue: usize,
    /// An inspector's (or administrator's) list: no action at all.
    read_only: bool,
    /// A department head's or leader's queue with dossiers to assign.
    can_assign: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct StepFilter {
    buoc: Option<String>,
}

/// What a role's queue waits for.
fn queue_heading(l: Lang, r: Role) -> &'static str {
    match r {
        Role::ReceivingOfficer => l.t(
            "Hồ sơ chờ tiếp nhận, chuyển và trả kết quả",
            "Dossiers to receive, hand over and return",
        ),
        Role::Specialist => l.t("Hồ sơ chờ thẩm định", "Dossiers to appraise"),
        Role::DepartmentHead => l.t(
            "Hồ sơ chờ phân công, xem xét",
            "Dossiers to assign and review",
        ),
        Role::Leader => l.t("Hồ sơ chờ phê duyệt, ký", "Dossiers awaiting approval"),
        Role::Clerical => l.t(
            "Hồ sơ chờ vào sổ, phát hành",
            "Dossiers to register and issue",
        ),
        Role::Applicant | Role::System => l.t("Hồ sơ cần xử lý", "Work queue"),
    }
}

fn step_text(l: Lang, k: StepKind) -> &'static str {
    match k {
        StepKind::Receive => l.t("Tiếp nhận", "Receipt"),
        StepKind::Transfer => l.t("Chuyển hồ sơ", "Hand-over"),
        StepKind::Assign => l.t("Phân công", "Assignment"),
        StepKind::Appraise => l.t("Thẩm định", "Appraisal"),
        StepKind::Review => l.t("Xem xét", "Review"),
        StepKind::Approve => l.t("Phê duyệt, ký", "Approval"),
        StepKind::Clerical => l.t("Vào sổ, phát hành", "Issue"),
        StepKind::Return => l.t("Trả kết quả", "Return"),
        StepKind::External => l.t("Liên thông", "Other agency"),
    }
}

/// `/can-bo?vai_tro=&don_vi=&buoc=`: the work queue of the official's
/// acting role at its unit, overdue first, then due soonest; optionally
/// only the dossiers at one kind of step (the leader's approval queue is
/// `buoc=approve`). An official who holds no acting role (inspector,
/// administrator) gets the read-only list of the dossiers in their scope.
pub async fn queue(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    uri: Uri,
    Query(choice): Query<RoleChoice>,
    Query(filter): Query<StepFilter>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(&uri.to_string()));
    };
    let read_only = !s.principal.assignments().is_empty()
        && s.principal
            .assignments()
            .iter()
            .all(|a| a.role.acting_role().is_none());
    if read_only {
        return read_only_queue(&state, l, session, &s).await;
    }
    let actor = auth_actor(&s, &choice)?;
    let suffix = choice_query(&actor);
    let choices: Vec<RoleLink> = s
        .principal
        .assignments()
        .iter()
        .filter_map(|a| a.role.acting_role().map(|r| (r, &a.unit)))
        .map(|(r, u)| RoleLink {
            label: format!("{} · {u}", role_text(l, r)),
            href: format!("/can-bo?vai_tro={}&don_vi={u}", r.as_str()),
            current: r == actor.role && Some(u) == actor.unit.as_ref(),
        })
        .collect();
    let Some(unit) = actor.unit.clone() else {
        return Err(PageError(session::forbidden()));
    };
    let found = state
        .store
        .queue(&QueueQuery {
            unit: unit.clone(),
            role: actor.role,
            assignee: None,
            limit: 200,
        })
        .await?;
    let now = now();
    let mut rows = Vec::with_capacity(found.len());
    let mut kinds: Vec<(StepKind, usize)> = Vec::new();
    let wanted = filter.buoc.as_deref().filter(|b| !b.is_empty());
    for d in found {
        let kind = d.step_kind;
        if let Some(k) = kind {
            match kinds.iter_mut().find(|(x, _)| *x == k) {
                Some((_, n)) => *n += 1,
                None => kinds.push((k, 1)),
            }
        }
        if wanted.is_some_and(|w| kind.map(StepKind::as_str) != Some(w)) {
            continue;
        }
        rows.push(QueueRow {
            overdue: d.due.is_some_and(|due| due < now),
            code: d.code.to_string(),
            procedure: d.procedure_name,
            applicant: d.applicant_name,
            status: l.t(d.status.label_vi(), d.status.label_en()),
            step: kind.map(|k| step_text(l, k)).unwrap_or(""),
            submitted_at: when(&d.submitted_at),
            due: when_opt(d.due.as_ref()),
            assignable: kind == Some(StepKind::Assign),
        });
    }
    let overdue = rows.iter().filter(|r| r.overdue).count();
    let mut steps = Vec::new();
    if kinds.len() > 1 || wanted.is_some() {
        let total: usize = kinds.iter().map(|(_, n)| n).sum();
        steps.push(RoleLink {
            label: format!("{} ({total})", l.t("Tất cả", "All")),
            href: format!("/can-bo{suffix}"),
            current: wanted.is_none(),
        });
        for (k, n) in &kinds {
            steps.push(RoleLink {
                label: format!("{} ({n})", step_text(l, *k)),
                href: format!("/can-bo{suffix}&buoc={}", k.as_str()),
                current: wanted == Some(k.as_str()),
            });
        }
    }
    let can_assign = matches!(actor.role, Role::DepartmentHead | Role::Leader)
        && rows.iter().any(|r| r.assignable);
    Ok(render(&QueuePage {
        c: Ctx::new(l, "/can-bo", session),
        suffix,
        choices,
        heading: queue_heading(l, actor.role),
        role: role_text(l, actor.role),
        unit: unit.to_string(),
        vai_tro: actor.role.as_str().to_string(),
        don_vi: unit.to_string(),
        steps,
        rows,
        overdue,
        read_only: false,
        can_assign,
    }))
}

/// The list of an official who only reads (inspector, administrator): the
/// dossiers of their scope still in process, overdue first; no action.
async fn read_only_queue(
    state: &AppState,
    l: Lang,
    session: MaybeSession,
    s: &AuthContext,
) -> Result<Response, PageError> {
    let filter = DossierFilter {
        limit: 500,
        ..DossierFilter::default()
    };
    let mut found = state
        .store
        .search_in_scope(&filter, &s.principal.scope())
        .await?;
    found.retain(|d| !d.status.is_final());
    let now = now();
    found.sort_by_key(|d| {
        (
            d.due.is_none_or(|due| due >= now),
            d.due.is_none(),
            d.due,
            d.code.to_string(),
        )
    });
    let rows: Vec<QueueRow> = found
        .into_iter()
        .take(200)
        .map(|d| QueueRow {
            overdue: d.due.is_some_and(|due| due < now),
            code: d.code.to_string(),
            procedure: d.procedure_name,
            applicant: d.applicant_name,
            status: l.t(d.status.label_vi(), d.status.label_en()),
            step: d
                .step_role
                .map(|r| match r {
                    Role::ReceivingOfficer => l.t("Trung tâm", "Center"),
                    Role::Specialist => l.t("Chuyên viên", "Specialist"),
                    Role::DepartmentHead => l.t("Lãnh đạo phòng", "Department head"),
                    Role::Leader => l.t("Lãnh đạo đơn vị", "Leader"),
                    Role::Clerical => l.t("Văn thư", "Clerical office"),
                    Role::Applicant | Role::System => "",
                })
                .unwrap_or(""),
            submitted_at: when(&d.submitted_at),
            due: when_opt(d.due.as_ref()),
            assignable: false,
        })
        .collect();
    let overdue = rows.iter().filter(|r| r.overdue).count();
    let roles: Vec<String> = s
        .principal
        .assignments()
        .iter()
        .map(|a| match l {
            Lang::Vi => format!("{} · {}", a.role.label_vi(), a.unit),
            Lang::En => format!("{} · {}", a.role.as_str().replace('_', " "), a.unit),
        })
        .collect();
    Ok(render(&QueuePage {
        c: Ctx::new(l, "/can-bo", session),
        suffix: String::new(),
        choices: Vec::new(),
        heading: l.t(
            "Hồ sơ đang giải quyết (chỉ xem)",
            "Dossiers in process (read only)",
        ),
        role: roles.join("; "),
        unit: String::new(),
        vai_tro: String::new(),
        don_vi: String::new(),
        steps: Vec::new(),
        rows,
        overdue,
        read_only: true,
        can_assign: false,
    }))
}

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

/// The specialist named by a department head: an active account holding
/// the specialist role at the unit.
async fn specialist_of(
    state: &AppState,
    name: &str,
    unit: &UnitId,
) -> Result<Option<UserId>, PageError> {
    let Ok(username) = Username::parse(name.trim()) else {
        return Ok(None);
    };
    let found = state.store.official(&username).await?;
    let ok = found.is_some_and(|o| {
        o.official.active
            && o.official
                .assignments
                .iter()
                .any(|a| a.role == StaffRole::Specialist && &a.unit == unit)
    });
    Ok(ok.then(|| UserId::parse(username.as_str()).ok()).flatten())
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

/// A field of an action's form.
pub struct Field {
    name: &'static str,
    label: &'static str,
    /// `text`, `date` or `select:eligible,ineligible`.
    kind: &'static str,
    options: Vec<(&'static str, &'static str)>,
    required: bool,
}

/// An action the official may take, as a form.
pub struct ActionForm {
    action: &'static str,
    label: &'static str,
    fields: Vec<Field>,
    /// Destructive or final: shown as a secondary button.
    secondary: bool,
}

fn text(name: &'static str, label: &'static str) -> Field {
    Field {
        name,
        label,
        kind: "text",
        options: Vec::new(),
        required: true,
    }
}

/// The actions offered to `actor` on a dossier in `status` at a step of
/// `kind` held by `step_role`. The engine decides in the end (unit,
/// assignee, order of the workflow); this only avoids offering what the
/// role can never do at this point.
fn offered(
    l: Lang,
    actor: Role,
    status: Status,
    step: Option<(StepKind, Role)>,
) -> Vec<ActionForm> {
    let reason = || text("reason", l.t("Lý do", "Reason"));
    let mut out = Vec::new();
    let mut push = |action, label, fields, secondary| {
        out.push(ActionForm {
            action,
            label,
            fields,
            secondary,
        })
    };
    match (status, actor) {
        (Status::Submitted, Role::ReceivingOfficer) => {
            push("accept", l.t("Tiếp nhận hồ sơ", "Accept"), vec![], false);
            push(
                "request_supplement",
                l.t("Yêu cầu bổ sung (Mẫu 02)", "Request a supplement (form 02)"),
                vec![reason()],
                true,
            );
            push(
                "refuse",
                l.t("Từ chối tiếp nhận (Mẫu 03)", "Refuse (form 03)"),
                vec![reason()],
                true,
            );
        }
        (Status::AwaitingSupplement, Role::ReceivingOfficer) => push(
            "provide_supplement",
            l.t("Đã nhận hồ sơ bổ sung", "Supplement received"),
            vec![],
            false,
        ),
        (Status::ResultReady, Role::ReceivingOfficer) => push(
            "return_result",
            l.t("Trả kết quả", "Return the result"),
            vec![Field {
                name: "way",
                label: l.t("Hình thức", "How"),
                kind: "select",
                options: vec![
                    ("counter", l.t("Tại quầy", "At the counter")),
                    ("post", l.t("Bưu chính", "By post")),
                    ("online", l.t("Trực tuyến", "Online")),
                ],
                required: true,
            }],
            false,
        ),
        (Status::Stopped, Role::Leader) => {
            push("resume", l.t("Tiếp tục xử lý", "Resume"), vec![], false)
        }
        (Status::Accepted | Status::Processing, _) => {
            if let Some((kind, role)) = step.filter(|(_, r)| *r == actor) {
                match kind {
                    StepKind::Transfer | StepKind::External => push(
                        "transfer",
                        l.t("Chuyển bước tiếp theo", "Hand over to the next step"),
                        vec![],
                        false,
                    ),
                    StepKind::Assign => push(
                        "assign",
                        l.t("Phân công", "Assign"),
                        vec![text("assignee", l.t("Cán bộ xử lý", "Officer"))],
                        false,
                    ),
                    StepKind::Appraise => {
                        push(
                            "appraise",
                            l.t("Thẩm định: đủ điều kiện", "Appraise: eligible"),
                            vec![],
                            false,
                        );
                        push(
                            "appraise_ineligible",
                            l.t("Thẩm định: không đủ điều kiện", "Appraise: not eligible"),
                            vec![reason()],
                            true,
                        );
                        push(
                            "request_supplement",
                            l.t("Yêu cầu bổ sung (Mẫu 02)", "Request a supplement (form 02)"),
                            vec![reason()],
                            true,
                        );
                    }
                    StepKind::Review | StepKind::Approve => {
                        if kind == StepKind::Review {
                            push("review_ok", l.t("Đồng ý", "Agree"), vec![], false);
                        } else {
                            push("approve", l.t("Phê duyệt", "Approve"), vec![], false);
                        }
                        push(
                            "send_back",
                            l.t("Trả lại bước trước", "Send back"),
                            vec![reason()],
                            true,
                        );
                    }
                    StepKind::Clerical => push(
                        "issue_result",
                        l.t("Vào sổ, phát hành kết quả", "Register and issue the result"),
                        vec![
                            text("number", l.t("Số", "Number")),
                            text("register", l.t("Sổ", "Register")),
                        ],
                        false,
                    ),
                    StepKind::Receive | StepKind::Return => {}
                }
                let _ = role;
            }
            if actor == Role::Leader {
                push(
                    "notify_late",
                    l.t(
                        "Xin lỗi, hẹn lại ngày trả (Mẫu 04)",
                        "Apologise and set a new date (form 04)",
                    ),
                    vec![
                        reason(),
                        Field {
                            name: "new_appointment",
                            label: l.t("Ngày hẹn mới", "New date"),
                            kind: "date",
                            options: Vec::new(),
                            required: true,
                        },
                    ],
                    true,
                );
            }
        }
        _ => {}
    }
    out
}

pub struct HistoryRow {
    step: usize,
    label: String,
    role: String,
    received_at: String,
    handed_over_at: String,
    hours: String,
    late: bool,
}

pub struct DocRow {
    name: String,
    detail: String,
    href: String,
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    c: Ctx,
    code: String,
    /// The acting role and unit, posted back with each action.
    vai_tro: String,
    don_vi: String,
    version: u64,
    status: &'static str,
    status_code: u8,
    procedure: String,
    procedure_code: String,
    applicant: String,
    receiving_unit: String,
    submitted_at: String,
    accepted_at: String,
    due: String,
    overdue: bool,
    assignee: String,
    step: String,
    documents: Vec<DocRow>,
    history: Vec<HistoryRow>,
    actions: Vec<ActionForm>,
    forms: Vec<(&'static str, &'static str)>,
    /// The application data (HTML, see [`super::application_form::show`]).
    tk: String,
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

/// `/can-bo/ho-so/{code}`: the dossier as the official sees it.
pub async fn dossier(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(code): Path<String>,
    uri: Uri,
    Query(choice): Query<RoleChoice>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(&uri.to_string()));
    };
    let code = dossier_code(&code)?;
    let now = now();
    let view = state
        .engine
        .view(&code, now)
        .await
        .map_err(|e| PageError(e.into()))?;
    if !s.principal.sees(&(&view.dossier).into()) {
        return Err(hidden(&code));
    }
    let d = &view.dossier;
    let events = state.store.events(&code).await?;
    let actor = auth_actor(&s, &choice).ok();
    let step = d.current_step().map(|st| (st.kind, st.role));
    let actions = actor
        .as_ref()
        .map(|a| offered(l, a.role, d.status, step))
        .unwrap_or_default();
    let documents = d
        .documents
        .iter()
        .map(|doc| DocRow {
            name: doc.document.name.clone(),
            detail: format!(
                "{} · {} KB",
                doc.document.media_type,
                doc.document.size.div_ceil(1024)
            ),
            href: format!("/api/v1/documents/{}?dossier={code}", doc.document.sha256),
        })
        .collect();
    let history = view
        .control_sheet
        .iter()
        .map(|r| HistoryRow {
            step: r.step + 1,
            label: r.label_vi.clone().unwrap_or_else(|| r.kind.clone()),
            role: serde_json::from_value::<Role>(Value::String(r.role.clone()))
                .map(|role| role_text(l, role))
                .unwrap_or_else(|_| r.role.clone()),
            received_at: when(&r.received_at),
            handed_over_at: when_opt(r.handed_over_at.as_ref()),
            hours: format!(
                "{:.1} / {}",
                r.working_minutes as f64 / 60.0,
                r.budget_hours
            ),
            late: r.working_minutes > i64::from(r.budget_hours) * 60,
        })
        .collect();
    let due = view.deadline.as_ref().map(|dl| dl.due);
    let page = DossierPage {
        c: Ctx::new(l, &format!("/can-bo/ho-so/{code}"), MaybeSession(Some(s))),
        code: code.to_string(),
        vai_tro: actor
            .as_ref()
            .map(|a| a.role.as_str().to_string())
            .unwrap_or_default(),
        don_vi: actor
            .as_ref()
            .and_then(|a| a.unit.as_ref())
            .map(ToString::to_string)
            .unwrap_or_default(),
        version: view.version,
        status: l.t(view.status_vi, view.status_en),
        status_code: view.status_code,
        procedure: d.procedure.name_vi.clone(),
        procedure_code: d.procedure.code.to_string(),
        applicant: d.applicant.name.clone(),
        receiving_unit: super::names::center(&state, d.receiving_unit.as_str()),
        tk: super::application_form::show(
            &state.registry,
            &d.procedure.form,
            d.application_data.as_ref(),
            motcua_domain::dossier::vietnam_date(d.submitted_at),
            l,
        ),
        submitted_at: when(&d.submitted_at),
        accepted_at: when_opt(d.accepted_at.as_ref()),
        due: when_opt(due.as_ref()),
        overdue: due.is_some_and(|t| t < now) && !d.status.is_final(),
        assignee: match &d.assignee {
            Some(a) => super::names::official_name(&state, a).await,
            None => String::new(),
        },
        step: d
            .current_step()
            .map(|st| st.label_vi.clone().unwrap_or_else(|| role_text(l, st.role)))
            .unwrap_or_default(),
        documents,
        history,
        actions,
        forms: [
            (
                "01",
                l.t("Mẫu 01 — Giấy tiếp nhận, hẹn trả", "Form 01 — receipt"),
            ),
            (
                "02",
                l.t("Mẫu 02 — Yêu cầu bổ sung", "Form 02 — supplement request"),
            ),
            ("03", l.t("Mẫu 03 — Từ chối", "Form 03 — refusal")),
            ("04", l.t("Mẫu 04 — Xin lỗi, hẹn lại", "Form 04 — apology")),
            ("05", l.t("Mẫu 05 — Dừng xử lý", "Form 05 — stop notice")),
            (
                "06",
                l.t("Mẫu 06 — Phiếu kiểm soát", "Form 06 — control sheet"),
            ),
        ]
        .into_iter()
        .filter(|(n, _)| has_form(n, d, &events))
        .collect(),
    };
    Ok(render(&page))
}

/// Whether a printable form exists for the dossier (the forms API answers
/// 404 for the others): Mẫu 01 once accepted, 02–05 once their event
/// happened, 06 always.
fn has_form(
    form: &str,
    d: &motcua_domain::dossier::Dossier,
    events: &[motcua_domain::dossier::ChainedEvent],
) -> bool {
    use motcua_domain::dossier::EventData;
    let any = |pick: fn(&EventData) -> bool| events.iter().any(|e| pick(&e.event.data));
    match form {
        "01" => d.accepted_at.is_some() && d.original_due.is_some(),
        "02" => any(|x| matches!(x, EventData::SupplementRequested { .. })),
        "03" => any(|x| matches!(x, EventData::Refused {})),
        "04" => any(|x| matches!(x, EventData::LateNotified { .. })),
        "05" => any(|x| matches!(x, EventData::Withdrawn {} | EventData::Stopped {})),
        _ => true,
    }
}

/// The engine's action from a posted form: the named action and its
/// fields, checked by the engine's own deserialisation.
fn action_of(
    f: &HashMap<String, String>,
    d: &motcua_domain::dossier::Dossier,
) -> Result<Action, ApiError> {
    let field = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let name = field("action");
    let mut body = Map::new();
    let invalid = || {
        ApiError::bad_request(
            "invalid_action",
            "Thao tác hoặc thông tin kèm theo không hợp lệ.",
            "The action or its details are not valid.",
        )
    };
    match name.as_str() {
        "appraise" => {
            body.insert("action".into(), json!("appraise"));
            body.insert("outcome".into(), json!("eligible"));
        }
        "appraise_ineligible" => {
            body.insert("action".into(), json!("appraise"));
            body.insert(
                "outcome".into(),
                json!({"ineligible": {"reason": field("reason")}}),
            );
        }
        "transfer" => {
            let next = d.procedure.workflow.get(d.step + 1).ok_or_else(invalid)?;
            body.insert("action".into(), json!("transfer"));
            body.insert(
                "to".into(),
                serde_json::to_value(&next.agency).map_err(|_| invalid())?,
            );
        }
        "notify_late" => {
            let date = NaiveDate::parse_from_str(&field("new_appointment"), "%Y-%m-%d")
                .map_err(|_| invalid())?;
            let at = chrono::FixedOffset::east_opt(7 * 3600)
                .and_then(|tz| {
                    tz.from_local_datetime(
                        &date.and_time(NaiveTime::MIN + chrono::TimeDelta::hours(16)),
                    )
                    .single()
                })
                .ok_or_else(invalid)?;
            body.insert("action".into(), json!("notify_late"));
            body.insert("reason".into(), json!(field("reason")));
            body.insert("new_appointment".into(), json!(at.to_rfc3339()));
        }
        "accept" | "request_supplement" | "refuse" | "provide_supplement" | "assign"
        | "review_ok" | "send_back" | "approve" | "issue_result" | "return_result" | "resume" => {
            body.insert("action".into(), json!(name));
            for k in ["reason", "assignee", "number", "register", "way"] {
                if let Some(v) = f.get(k) {
                    body.insert(k.into(), json!(v.trim()));
                }
            }
        }
        _ => return Err(invalid()),
    }
    serde_json::from_value(Value::Object(body)).map_err(|_| invalid())
}

/// `POST /can-bo/ho-so/{code}`: one action (the session layer checked the
/// CSRF token), then back to the dossier page.
pub async fn act(
    State(state): State<AppState>,
    session: MaybeSession,
    Path(code): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(&format!("/can-bo/ho-so/{}", urlencode(&code))));
    };
    let code = dossier_code(&code)?;
    let d = state
        .store
        .dossier(&code)
        .await?
        .and_then(|st| st.dossier)
        .filter(|d| s.principal.sees(&d.into()))
        .ok_or_else(|| hidden(&code))?;
    let actor: Actor = auth_actor(&s, &RoleChoice::from_form(&f))?;
    let back = format!("/can-bo/ho-so/{code}{}", choice_query(&actor));
    let action = action_of(&f, &d)?;
    let version = f.get("version").and_then(|v| v.trim().parse::<u64>().ok());
    state
        .engine
        .act(&code, version, action, actor, now(), None)
        .await
        .map_err(|e| PageError(e.into()))?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response())
}

/// A line of the counter's checklist: a component of the procedure.
pub struct CheckRow {
    index: usize,
    name: String,
    mandatory: bool,
    count: u32,
    /// The form the procedure asks for (`original`, `copy`, …).
    form: &'static str,
}

pub struct ProcedureChoice {
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    c: Ctx,
    suffix: String,
    vai_tro: String,
    don_vi: String,
    procedures: Vec<ProcedureChoice>,
    procedure: String,
    procedure_name: String,
    rows: Vec<CheckRow>,
    idem: String,
    error: String,
    forms: Vec<(&'static str, &'static str)>,
    /// The procedure's application form (HTML, see [`super::application_form`]).
    tk: String,
}

impl IntakePage {
    fn is_procedure(&self, code: &str) -> bool {
        self.procedure == code
    }
    fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }
}

fn form_code(f: DocumentForm) -> &'static str {
    match f {
        DocumentForm::Original => "original",
        DocumentForm::Copy => "copy",
        DocumentForm::CertifiedCopy => "certified_copy",
        DocumentForm::OriginalOrCertifiedCopy => "original_or_certified_copy",
    }
}

fn form_choices(l: Lang) -> Vec<(&'static str, &'static str)> {
    vec![
        ("original", l.t("Bản chính", "Original")),
        (
            "certified_copy",
            l.t("Bản sao có chứng thực", "Certified copy"),
        ),
        ("copy", l.t("Bản sao", "Copy")),
    ]
}

#[derive(Debug, Default, Deserialize)]
pub struct IntakeQuery {
    thu_tuc: Option<String>,
}

/// The receiving officer of the session (the counter's pages are theirs).
pub(super) fn receiving_officer(s: &AuthContext, choice: &RoleChoice) -> Result<Actor, PageError> {
    let actor = auth_actor(s, choice)?;
    if actor.role != Role::ReceivingOfficer || actor.unit.is_none() {
        return Err(PageError(session::forbidden()));
    }
    Ok(actor)
}

async fn intake_page(
    state: &AppState,
    c: Ctx,
    actor: &Actor,
    procedure: &str,
    error: String,
) -> Result<IntakePage, PageError> {
    let l = c.l;
    let snap = state
        .catalogue
        .get(state.store.as_ref(), state.today())
        .await?;
    let all = snap.entries.iter().map(|e| &e.procedure);
    let chosen = all
        .clone()
        .find(|p| p.spec().code.to_string() == procedure.trim());
    let rows = chosen
        .map(|p| {
            p.spec()
                .documents
                .iter()
                .enumerate()
                .map(|(i, d)| CheckRow {
                    index: i,
                    name: d.name_vi.clone(),
                    mandatory: d.mandatory,
                    count: d.count.max(1),
                    form: form_code(d.form),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(IntakePage {
        suffix: choice_query(actor),
        vai_tro: actor.role.as_str().to_string(),
        don_vi: actor
            .unit
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        procedure: chosen
            .map(|p| p.spec().code.to_string())
            .unwrap_or_default(),
        procedure_name: chosen.map(|p| p.spec().name_vi.clone()).unwrap_or_default(),
        procedures: all
            .map(|p| ProcedureChoice {
                code: p.spec().code.to_string(),
                name: p.spec().name_vi.clone(),
            })
            .collect(),
        rows,
        idem: crate::auth::secret::random_token().map_err(|_| PageError(ApiError::internal()))?,
        error,
        forms: form_choices(l),
        tk: chosen
            .map(|p| {
                super::application_form::render(
                    &p.form,
                    l,
                    &Default::default(),
                    &[],
                    &intake_communes(state, actor),
                    None,
                )
            })
            .unwrap_or_default(),
        c,
    })
}

/// The communes in force of the officer's province, for the form's pickers.
fn intake_communes(state: &AppState, actor: &Actor) -> Vec<(String, String)> {
    let province = actor
        .unit
        .as_ref()
        .map(|u| u.province_code().to_string())
        .unwrap_or_default();
    super::application_form::communes(&state.registry, &province, state.today())
}

/// `/can-bo/tiep-nhan?thu_tuc=`: the counter receives a paper dossier —
/// the procedure's components as a checklist (received, original or
/// copy, number of copies, the scan of each), the pages digitized, and
/// the decision: accept (Mẫu 01), request a supplement (Mẫu 02) or refuse
/// (Mẫu 03) with the reason (Decree 118/2025/NĐ-CP; digitization under
/// Circular 01/2023/TT-VPCP).
pub async fn intake(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    uri: Uri,
    Query(choice): Query<RoleChoice>,
    Query(q): Query<IntakeQuery>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(&uri.to_string()));
    };
    let actor = receiving_officer(&s, &choice)?;
    let c = Ctx::new(l, "/can-bo/tiep-nhan", session);
    let page = intake_page(
        &state,
        c,
        &actor,
        q.thu_tuc.as_deref().unwrap_or_default(),
        String::new(),
    )
    .await?;
    Ok(render(&page))
}

/// What the counter decided for a paper dossier.
enum Decision {
    Accept,
    Supplement(String),
    Refuse(String),
}

/// `POST /can-bo/tiep-nhan` (multipart; the session layer checked the
/// CSRF token): opens the dossier as received at the counter (or by
/// post), attaches the scans as digitized copies, then accepts it,
/// requests a supplement or refuses it. Every step carries an idempotency
/// key derived from the form's, so a retried post opens one dossier.
pub async fn intake_post(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to("/can-bo/tiep-nhan"));
    };
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(session::multipart_boundary)
        .ok_or_else(|| {
            PageError(ApiError::bad_request(
                "invalid_form",
                "Biểu mẫu không hợp lệ.",
                "Not a valid form.",
            ))
        })?;
    let parts = session::multipart_parts(&body, &boundary);
    let field = |n: &str| {
        parts
            .iter()
            .find(|p| p.name == n && p.filename.is_none())
            .map(|p| String::from_utf8_lossy(p.data).trim().to_string())
            .unwrap_or_default()
    };
    let choice = RoleChoice {
        vai_tro: Some(field("vai_tro")),
        don_vi: Some(field("don_vi")),
    };
    let actor = receiving_officer(&s, &choice)?;
    let Some(unit) = actor.unit.clone() else {
        return Err(PageError(session::forbidden()));
    };
    let code = field("thu_tuc");
    let procedure = match ProcedureCode::parse(&code) {
        Ok(c) => state.store.procedure(&c, state.today()).await?,
        Err(_) => None,
    };
    let Some(procedure) = procedure else {
        return Err(PageError(ApiError::not_found(
            "procedure_not_found",
            format!("Không có thủ tục {code}."),
            format!("No procedure {code}."),
        )));
    };
    let spec = procedure.spec();
    let mut errors: Vec<&str> = Vec::new();
    let name: String = field("ho_ten").chars().take(200).collect();
    if name.is_empty() {
        errors.push(l.t(
            "Hãy nhập họ và tên người nộp.",
            "Enter the applicant's name.",
        ));
    }
    let pid = field("so_dinh_danh");
    let personal_id = if pid.is_empty() {
        None
    } else {
        let parsed = PersonalId::parse(&pid).ok();
        if parsed.is_none() {
            errors.push(l.t(
                "Số định danh cá nhân gồm đúng 12 chữ số.",
                "The personal identification number has exactly 12 digits.",
            ));
        }
        parsed
    };
    let email = field("email");
    let phone = field("dien_thoai");
    let contact_email = (!email.is_empty())
        .then(|| motcua_store::outbox::EmailAddress::parse(&email))
        .transpose();
    let contact_phone = (!phone.is_empty())
        .then(|| motcua_store::outbox::PhoneNumber::parse(&phone))
        .transpose();
    if contact_email.is_err() {
        errors.push(l.t(
            "Địa chỉ thư điện tử không hợp lệ.",
            "Not a valid e-mail address.",
        ));
    }
    if contact_phone.is_err() {
        errors.push(l.t("Số điện thoại không hợp lệ.", "Not a valid phone number."));
    }
    let mut received = Vec::new();
    let mut missing = Vec::new();
    let mut scans = Vec::new();
    for (i, d) in spec.documents.iter().enumerate() {
        let got = !field(&format!("nhan_{i}")).is_empty();
        if !got {
            if d.mandatory {
                missing.push(d.name_vi.clone());
            }
            continue;
        }
        let form =
            serde_json::from_value::<DocumentForm>(Value::String(field(&format!("ban_{i}"))))
                .unwrap_or(d.form);
        let count = field(&format!("so_{i}"))
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .unwrap_or(d.count.max(1));
        received.push(ReceivedDocument {
            name_vi: d.name_vi.clone(),
            form,
            count,
        });
        let scan = parts
            .iter()
            .find(|p| p.name == format!("tep_{i}") && p.filename.is_some())
            .filter(|p| !p.data.is_empty());
        if let Some(f) = scan {
            let accepted = infer::get(f.data)
                .map(|t| t.mime_type())
                .is_some_and(|m| motcua_engine::ACCEPTED_MEDIA_TYPES.contains(&m));
            if !accepted || f.data.len() > motcua_engine::MAX_DOCUMENT_BYTES {
                errors.push(l.t(
                    "Tệp quét phải là PDF, JPEG, PNG, TIFF hoặc WebP, tối đa 20 MB.",
                    "A scan must be a PDF, JPEG, PNG, TIFF or WebP file of at most 20 MB.",
                ));
            } else {
                scans.push((i, d.name_vi.clone(), f.data.to_vec()));
            }
        }
    }
    let pages = field("so_trang").parse::<u32>().unwrap_or(0);
    let reason: String = field("ly_do").chars().take(1000).collect();
    let decision = match field("quyet_dinh").as_str() {
        "accept" if missing.is_empty() => Some(Decision::Accept),
        "accept" => {
            errors.push(l.t(
                "Còn thiếu thành phần bắt buộc: hãy yêu cầu bổ sung (Mẫu 02) thay vì tiếp nhận.",
                "A mandatory component is missing: request a supplement (form 02) instead.",
            ));
            None
        }
        "supplement" | "refuse" if reason.is_empty() => {
            errors.push(l.t(
                "Hãy ghi lý do yêu cầu bổ sung hoặc từ chối.",
                "Give the reason for the supplement request or the refusal.",
            ));
            None
        }
        "supplement" => Some(Decision::Supplement(reason.clone())),
        "refuse" => Some(Decision::Refuse(reason.clone())),
        _ => {
            errors.push(l.t(
                "Hãy chọn: tiếp nhận, yêu cầu bổ sung hoặc từ chối.",
                "Choose: accept, request a supplement or refuse.",
            ));
            None
        }
    };
    let idem: String = field("idem").chars().take(100).collect();
    if idem.is_empty() {
        errors.push(l.t(
            "Biểu mẫu đã hết hạn, hãy tải lại trang.",
            "The form has expired; reload the page.",
        ));
    }
    // The application form (typed values kept, each field's error beside
    // it; the convert button only re-renders it).
    let texts: std::collections::BTreeMap<String, String> = parts
        .iter()
        .filter(|p| p.filename.is_none())
        .map(|p| (p.name.clone(), String::from_utf8_lossy(p.data).to_string()))
        .collect();
    let mut posted = super::application_form::Posted::from_fields(&texts);
    let converted = super::application_form::convert(&state.registry, &spec.form, &mut posted, l);
    // At the counter a form left wholly blank means the declaration is on
    // paper among the components (no structured data); anything typed is
    // checked whole.
    let values = posted
        .data(&spec.form)
        .filter(|v| v.values().any(|s| !s.trim().is_empty()));
    let mut field_errors = Vec::new();
    if let (Some(v), None) = (&values, &converted) {
        if let Err(e) = state
            .engine
            .check_application(&spec.form, v, &unit, state.today())
        {
            field_errors = e.field_errors().map(<[_]>::to_vec).unwrap_or_default();
            errors.push(l.t(
                "Tờ khai chưa hợp lệ: xem từng trường bên dưới.",
                "The application form has errors: see each field below.",
            ));
        }
    }
    let (Some(decision), true, Ok(email), Ok(phone), None) = (
        decision,
        errors.is_empty(),
        contact_email,
        contact_phone,
        converted.as_ref(),
    ) else {
        let c = Ctx::new(l, "/can-bo/tiep-nhan", MaybeSession(Some(s.clone())));
        let error = if converted.is_some() {
            String::new()
        } else {
            errors.join(" ")
        };
        let mut page = intake_page(&state, c, &actor, &code, error).await?;
        page.tk = super::application_form::render(
            &spec.form,
            l,
            &posted,
            &field_errors,
            &intake_communes(&state, &actor),
            converted.as_ref(),
        );
        let status = if converted.is_some() {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        };
        return Ok((status, render(&page)).into_response());
    };
    let contact = motcua_store::Contact {
        email,
        phone,
        language: if l.is_en() {
            motcua_store::outbox::Language::En
        } else {
            motcua_store::outbox::Language::Vi
        },
    };
    let key = format!("counter-intake:{}:{idem}", actor.user);
    let submission = motcua_engine::Submission {
        procedure: spec.code.clone(),
        intake: if field("buu_chinh").is_empty() {
            Intake::Counter
        } else {
            Intake::Post
        },
        receiving_unit: unit,
        competent_unit: None,
        applicant: Applicant {
            name,
            personal_id,
            user: None,
        },
        documents: received,
        contact: (!contact.is_empty()).then_some(contact),
        application_data: values,
    };
    let opened = state
        .engine
        .submit(submission, actor.clone(), now(), Some(key.clone()))
        .await
        .map_err(|e| PageError(e.into()))?;
    let dossier = opened.code;
    let to = format!("/can-bo/ho-so/{dossier}{}", choice_query(&actor));
    let fresh = state
        .store
        .dossier(&dossier)
        .await?
        .and_then(|st| st.dossier)
        .is_some_and(|d| d.status == Status::Submitted);
    if !fresh {
        // A retried post: the first one went through.
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response());
    }
    for (i, name, bytes) in scans {
        let upload = motcua_engine::Upload {
            name,
            kind: DocumentKind::Digitized,
            electronic: false,
            bytes,
        };
        state
            .engine
            .attach(
                &dossier,
                None,
                upload,
                actor.clone(),
                now(),
                Some(format!("{key}:scan:{i}")),
            )
            .await
            .map_err(|e| PageError(e.into()))?;
    }
    let action = match decision {
        Decision::Accept => Action::Accept {
            pages_digitized: pages,
        },
        Decision::Supplement(reason) => Action::RequestSupplement {
            reason,
            documents: missing,
        },
        Decision::Refuse(reason) => Action::Refuse { reason },
    };
    state
        .engine
        .act(
            &dossier,
            None,
            action,
            actor.clone(),
            now(),
            Some(format!("{key}:decision")),
        )
        .await
        .map_err(|e| PageError(e.into()))?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}
