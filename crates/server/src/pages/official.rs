//! Không gian làm việc của cán bộ — the official's side: the login form,
//! the work queue of the official's role at their unit (overdue first),
//! and the dossier page with the actions the official may take, posted
//! to the engine with the session's CSRF token.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use motcua_domain::access::Principal;
use motcua_domain::dossier::{Actor, DossierCode, Role, Status, UnitId};
use motcua_domain::procedure::StepKind;
use motcua_engine::Action;
use motcua_store::QueueQuery;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::portal::logged_in;
use super::ui::{form_token, form_token_ok, now, when, when_opt, Ctx, Lang};
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
}

/// `/can-bo/dang-nhap`: the official's login form.
pub async fn login(l: Lang, session: MaybeSession) -> Result<Response, PageError> {
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
}

/// `POST /can-bo/dang-nhap`: checks the password (with the lockout of the
/// API's login), opens the session and goes to the work queue.
pub async fn login_post(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&headers, session.0.is_some(), &f.csrf_token) {
        return Err(PageError(session::csrf_failed()));
    }
    let provider = PasswordProvider {
        store: &*state.store,
        auth: &state.auth,
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
            Ok(logged_in(&state, &opened.token, "/can-bo"))
        }
        Err(e) => {
            let (err, _) = e.to_api();
            let page = LoginPage {
                c: Ctx::new(l, "/can-bo/dang-nhap", session),
                form_token: f.csrf_token,
                username: f.username.chars().take(64).collect(),
                error: l.t(&err.message_vi, &err.message_en).to_string(),
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
    fn from_form(f: &HashMap<String, String>) -> RoleChoice {
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
fn official(session: &MaybeSession) -> Option<std::sync::Arc<AuthContext>> {
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
    submitted_at: String,
    due: String,
    overdue: bool,
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
    role: String,
    unit: String,
    rows: Vec<QueueRow>,
    overdue: usize,
}

/// `/can-bo`: the work queue of the official's acting role at its unit,
/// overdue first, then due soonest.
pub async fn queue(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Query(choice): Query<RoleChoice>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(Redirect::to("/can-bo/dang-nhap").into_response());
    };
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
    let rows: Vec<QueueRow> = found
        .into_iter()
        .map(|d| QueueRow {
            overdue: d.due.is_some_and(|due| due < now),
            code: d.code.to_string(),
            procedure: d.procedure_name,
            applicant: d.applicant_name,
            status: l.t(d.status.label_vi(), d.status.label_en()),
            submitted_at: when(&d.submitted_at),
            due: when_opt(d.due.as_ref()),
        })
        .collect();
    let overdue = rows.iter().filter(|r| r.overdue).count();
    Ok(render(&QueuePage {
        c: Ctx::new(l, "/can-bo", session),
        suffix,
        choices,
        role: role_text(l, actor.role),
        unit: unit.to_string(),
        rows,
        overdue,
    }))
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
    Query(choice): Query<RoleChoice>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(Redirect::to("/can-bo/dang-nhap").into_response());
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
        receiving_unit: d.receiving_unit.to_string(),
        submitted_at: when(&d.submitted_at),
        accepted_at: when_opt(d.accepted_at.as_ref()),
        due: when_opt(due.as_ref()),
        overdue: due.is_some_and(|t| t < now) && !d.status.is_final(),
        assignee: d
            .assignee
            .as_ref()
            .map(|a| a.to_string())
            .unwrap_or_default(),
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
        return Ok(Redirect::to("/can-bo/dang-nhap").into_response());
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
