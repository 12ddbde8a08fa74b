//! The dossier as the official sees it, and the actions the official may
//! take on it.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use motcua_domain::dossier::{Actor, Role};
use motcua_engine::Action;
use serde_json::{json, Map, Value};

use super::{
    auth_actor, choice_query, dossier_code, hidden, login_to, official, role_text, RoleChoice,
};
use crate::auth::session::MaybeSession;
use crate::error::ApiError;
use crate::pages::ui::{now, urlencode, when, when_opt, Ctx, Lang};
use crate::pages::{render, PageError};
use crate::AppState;

mod documents;
pub(crate) use documents::attach;

/// The hour of Mẫu 04's new appointment unless the leader picks another:
/// the close of the working day.
const LATE_DEFAULT_TIME: &str = "17:00";

/// A field of an action's form.
pub struct Field {
    name: &'static str,
    label: &'static str,
    /// `text`, `date` or `select:eligible,ineligible`.
    kind: &'static str,
    /// A select's (value, text) choices.
    options: Vec<(String, String)>,
    required: bool,
    /// The value the field starts with (empty for none).
    value: String,
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
        value: String::new(),
    }
}

/// What the forms of the offered actions need besides the labels: the
/// officials an assignment may pick ([`super::assign::specialists`]),
/// those a head may move the dossier to (the same less its holder), the
/// procedure's limit extensions, and the amount a payment awaits.
#[derive(Default)]
struct Choices {
    assignees: Vec<(String, String)>,
    reassign_to: Vec<(String, String)>,
    extensions: Vec<(String, String)>,
    amount_due: String,
}

/// The forms of the actions `available` names
/// ([`motcua_domain::dossier::available`]: the domain decides what the
/// acting official may do now; this only lays out the forms, in the
/// domain's order). The engine decides again when one is posted.
fn offered(l: Lang, available: &[&str], c: &Choices) -> Vec<ActionForm> {
    let reason = || text("reason", l.t("Lý do", "Reason"));
    let select = |name, label, options: &[(String, String)]| Field {
        name,
        label,
        kind: "select",
        options: options.to_vec(),
        required: true,
        value: String::new(),
    };
    let input = |name, label, kind, value: &str| Field {
        name,
        label,
        kind,
        options: Vec::new(),
        required: true,
        value: value.to_string(),
    };
    let mut out = Vec::new();
    let mut push = |action, label, fields, secondary| {
        out.push(ActionForm {
            action,
            label,
            fields,
            secondary,
        })
    };
    for kind in available {
        match *kind {
            "accept" => push("accept", l.t("Tiếp nhận hồ sơ", "Accept"), vec![], false),
            "record_postmark" => push(
                "record_postmark",
                l.t("Ghi ngày dấu bưu điện", "Record the postmark date"),
                vec![input(
                    "date",
                    l.t("Ngày dấu bưu điện", "Postmark date"),
                    "date",
                    "",
                )],
                true,
            ),
            "request_supplement" => push(
                "request_supplement",
                l.t("Yêu cầu bổ sung (Mẫu 02)", "Request a supplement (form 02)"),
                vec![reason(), documents::missing_field(l)],
                true,
            ),
            "refuse" => push(
                "refuse",
                l.t("Từ chối tiếp nhận (Mẫu 03)", "Refuse (form 03)"),
                vec![reason()],
                true,
            ),
            "provide_supplement" => push(
                "provide_supplement",
                l.t("Đã nhận hồ sơ bổ sung", "Supplement received"),
                vec![],
                false,
            ),
            "transfer" => push(
                "transfer",
                l.t("Chuyển bước tiếp theo", "Hand over to the next step"),
                vec![],
                false,
            ),
            // Picked from the unit's specialists, never typed.
            "assign" if !c.assignees.is_empty() => push(
                "assign",
                l.t("Phân công", "Assign"),
                vec![select(
                    "assignee",
                    l.t("Chuyên viên xử lý", "Specialist"),
                    &c.assignees,
                )],
                false,
            ),
            "appraise" => {
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
            }
            "review_ok" => push("review_ok", l.t("Đồng ý", "Agree"), vec![], false),
            "approve" => push("approve", l.t("Phê duyệt", "Approve"), vec![], false),
            "send_back" => push(
                "send_back",
                l.t("Trả lại bước trước", "Send back"),
                vec![reason()],
                true,
            ),
            "issue_result" => push(
                "issue_result",
                l.t("Vào sổ, phát hành kết quả", "Register and issue the result"),
                vec![
                    text("number", l.t("Số", "Number")),
                    text("register", l.t("Sổ", "Register")),
                ],
                false,
            ),
            "request_payment" => push(
                "request_payment",
                l.t(
                    "Yêu cầu thực hiện nghĩa vụ tài chính",
                    "Request the fees due",
                ),
                vec![
                    input(
                        "amount_vnd",
                        l.t("Số tiền (đồng)", "Amount (VND)"),
                        "number",
                        "",
                    ),
                    text("description", l.t("Nội dung", "What for")),
                ],
                true,
            ),
            "confirm_payment" => push(
                "confirm_payment",
                l.t("Xác nhận đã nộp phí, lệ phí", "Confirm the payment"),
                vec![
                    input(
                        "amount_vnd",
                        l.t("Số tiền (đồng)", "Amount (VND)"),
                        "number",
                        &c.amount_due,
                    ),
                    text("receipt", l.t("Số biên lai", "Receipt number")),
                ],
                false,
            ),
            "extend_limit" if !c.extensions.is_empty() => push(
                "extend_limit",
                l.t("Gia hạn thời hạn giải quyết", "Extend the time limit"),
                vec![
                    select("extension", l.t("Trường hợp", "Case"), &c.extensions),
                    reason(),
                ],
                true,
            ),
            "return_result" => push(
                "return_result",
                l.t("Trả kết quả", "Return the result"),
                vec![select(
                    "way",
                    l.t("Hình thức", "How"),
                    &[
                        ("counter", l.t("Tại quầy", "At the counter")),
                        ("post", l.t("Bưu chính", "By post")),
                        ("online", l.t("Trực tuyến", "Online")),
                    ]
                    .map(|(v, t)| (v.to_string(), t.to_string())),
                )],
                false,
            ),
            "reassign" if !c.reassign_to.is_empty() => push(
                "reassign",
                l.t("Phân công lại", "Reassign"),
                vec![
                    select(
                        "assignee",
                        l.t("Chuyển cho chuyên viên", "Move to specialist"),
                        &c.reassign_to,
                    ),
                    text(
                        "reason",
                        l.t(
                            "Lý do (vắng mặt, phân công nhầm…)",
                            "Reason (absent, wrong official…)",
                        ),
                    ),
                ],
                true,
            ),
            // The Center records the applicant's written request to stop
            // (at the counter, by post) and issues Mẫu 05.
            "stop" => push(
                "stop",
                l.t(
                    "Dừng giải quyết theo đề nghị của người nộp (Mẫu 05)",
                    "Stop at the applicant's request (form 05)",
                ),
                vec![text(
                    "reason",
                    l.t(
                        "Nội dung đề nghị của người nộp",
                        "What the applicant's request says",
                    ),
                )],
                true,
            ),
            "notify_late" => push(
                "notify_late",
                l.t(
                    "Xin lỗi, hẹn lại ngày trả (Mẫu 04)",
                    "Apologise and set a new date (form 04)",
                ),
                vec![
                    reason(),
                    input(
                        "new_appointment",
                        l.t("Ngày hẹn mới", "New date"),
                        "date",
                        "",
                    ),
                    // Mẫu 04's new appointment is a date and an hour; by
                    // default the close of that working day.
                    input(
                        "new_appointment_time",
                        l.t("Giờ hẹn mới", "New time"),
                        "time",
                        LATE_DEFAULT_TIME,
                    ),
                ],
                true,
            ),
            // Withdrawals and ratings are the applicant's, on their page.
            _ => {}
        }
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
    /// The owed apology (Mẫu 04) when it is due today or late, with its
    /// last day.
    apology: String,
    assignee: String,
    step: String,
    documents: Vec<DocRow>,
    history: Vec<HistoryRow>,
    actions: Vec<ActionForm>,
    forms: Vec<(&'static str, &'static str)>,
    /// The application data (HTML, see [`crate::pages::application_form::show`]).
    tk: String,
    /// The upload form offered to the acting role (see [`documents`]).
    upload: Option<documents::UploadOffer>,
    /// A refusal shown at its form: where (`upload`, `act`) and what.
    notice_at: &'static str,
    notice: String,
}

/// `/can-bo/ho-so/{code}`: the dossier as the official sees it.
pub async fn dossier(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(code): Path<String>,
    uri: Uri,
    Query(choice): Query<RoleChoice>,
    Query(shown): Query<documents::Shown>,
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
    let notice = documents::notice(l, &shown);
    let available = match &actor {
        Some(a) => {
            let state = motcua_domain::dossier::DossierState {
                version: view.version,
                dossier: Some(d.clone()),
            };
            motcua_domain::dossier::available(&state, a, now)
        }
        None => Vec::new(),
    };
    let choices = choices(&state, d, &available).await?;
    let actions = offered(l, &available, &choices);
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
        receiving_unit: crate::pages::names::center(&state, d.receiving_unit.as_str()),
        tk: crate::pages::application_form::show(
            &state.registry,
            &d.procedure.form,
            d.application_data.as_ref(),
            motcua_domain::dossier::vietnam_date(d.submitted_at),
            l,
        ),
        submitted_at: when(&d.submitted_at),
        accepted_at: when_opt(d.accepted_at.as_ref()),
        due: when_opt(due.as_ref()),
        overdue: d
            .status
            .overdue(due.map(|t| t.with_timezone(&chrono::Utc)), now),
        apology: view
            .deadline
            .as_ref()
            .and_then(|dl| dl.apology.zip(dl.apology_by))
            .filter(|(standing, _)| standing.is_flagged())
            .map(|(standing, by)| {
                format!(
                    "{} ({} {})",
                    l.t(standing.label_vi(), standing.label_en()),
                    l.t("hạn cuối", "last day"),
                    by.format("%d/%m/%Y")
                )
            })
            .unwrap_or_default(),
        assignee: match &d.assignee {
            Some(a) => crate::pages::names::official_name(&state, a).await,
            None => String::new(),
        },
        step: d
            .current_step()
            .map(|st| st.label_vi.clone().unwrap_or_else(|| role_text(l, st.role)))
            .unwrap_or_default(),
        documents,
        history,
        actions: documents::return_way_default(actions, d.channel),
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
        upload: actor
            .as_ref()
            .and_then(|a| documents::upload_offer(l, a.role, d)),
        notice_at: notice.as_ref().map_or("", |n| n.at),
        notice: notice.map(|n| n.message).unwrap_or_default(),
    };
    Ok(render(&page))
}

/// What the offered forms pick from (see [`Choices`]), read only for the
/// actions offered.
async fn choices(
    state: &AppState,
    d: &motcua_domain::dossier::Dossier,
    available: &[&str],
) -> Result<Choices, PageError> {
    let offers = |k: &str| available.contains(&k);
    let specialists = if offers("assign") || offers("reassign") {
        super::assign::specialists(state, &d.competent_unit).await?
    } else {
        Vec::new()
    };
    let holder = d.assignee.as_ref().map(|a| a.as_str());
    Ok(Choices {
        reassign_to: specialists
            .iter()
            .filter(|(user, _)| Some(user.as_str()) != holder)
            .cloned()
            .collect(),
        assignees: specialists,
        extensions: d
            .procedure
            .extensions
            .iter()
            .enumerate()
            .map(|(i, x)| (i.to_string(), x.condition_vi.clone()))
            .collect(),
        amount_due: d
            .payment
            .as_ref()
            .map(|p| p.amount_vnd.to_string())
            .unwrap_or_default(),
    })
}

/// Whether a printable form exists for the dossier (the forms API answers
/// 404 for the others): Mẫu 01 once accepted, 02–05 once their event
/// happened, 06 always.
pub(crate) fn has_form(
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
            let typed = field("new_appointment_time");
            let time = NaiveTime::parse_from_str(
                if typed.trim().is_empty() {
                    LATE_DEFAULT_TIME
                } else {
                    typed.trim()
                },
                "%H:%M",
            )
            .map_err(|_| invalid())?;
            let at = chrono::FixedOffset::east_opt(7 * 3600)
                .and_then(|tz| tz.from_local_datetime(&date.and_time(time)).single())
                .ok_or_else(invalid)?;
            body.insert("action".into(), json!("notify_late"));
            body.insert("reason".into(), json!(field("reason")));
            body.insert("new_appointment".into(), json!(at.to_rfc3339()));
        }
        "request_payment" | "confirm_payment" | "extend_limit" => {
            body.insert("action".into(), json!(name));
            for k in ["amount_vnd", "extension"] {
                if let Some(v) = f.get(k) {
                    let n: u64 = v.trim().parse().map_err(|_| invalid())?;
                    body.insert(k.into(), json!(n));
                }
            }
            for k in ["reason", "description", "receipt"] {
                if let Some(v) = f.get(k) {
                    body.insert(k.into(), json!(v.trim()));
                }
            }
        }
        "accept" | "request_supplement" | "refuse" | "provide_supplement" | "assign"
        | "reassign" | "review_ok" | "send_back" | "approve" | "issue_result" | "return_result"
        | "stop" | "record_postmark" => {
            body.insert("action".into(), json!(name));
            for k in ["reason", "assignee", "number", "register", "way", "date"] {
                if let Some(v) = f.get(k) {
                    body.insert(k.into(), json!(v.trim()));
                }
            }
            if name == "request_supplement" {
                body.insert(
                    "documents".into(),
                    json!(documents::missing_list(&field("documents"))),
                );
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
    if let Err(e) = state
        .engine
        .act(&code, version, action, actor, now(), None)
        .await
    {
        let e: ApiError = e.into();
        return documents::shown_refusal(&back, &e).ok_or(PageError(e));
    }
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response())
}
