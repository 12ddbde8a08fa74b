//! Hồ sơ của tôi — the applicant's own dossier page: where it stands and
//! the next step. While the dossier awaits a supplement the page shows the
//! officer's reason, the documents asked for (Mẫu 02, also as PDF), the
//! upload form and "supplement provided"; once there is a result document
//! the citizen downloads it here. A refused action or upload is shown on
//! the form that caused it, never on an error page.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_domain::dossier::{
    ChainedEvent, DocumentKind, Dossier, DossierCode, EventData, Rating, Status, UserId,
};
use motcua_engine::{Action, Upload};
use serde::Deserialize;

use super::{applicant_actor, citizen, login_redirect, own_dossier, random_key, see_other, vnd};
use crate::auth::session::{multipart_boundary, multipart_parts, MaybeSession};
use crate::error::ApiError;
use crate::pages::ui::{now, when, when_opt, Ctx, Lang};
use crate::pages::{application_form, render, PageError};
use crate::AppState;

pub struct DocLine {
    name: String,
    detail: String,
    href: String,
}

/// Yêu cầu bổ sung — the supplement the officer asked for (the last
/// Mẫu 02), while the dossier awaits it.
pub struct SupplementAsked {
    reason: String,
    /// The documents asked for.
    missing: Vec<String>,
    asked_at: String,
    /// The documents attached since the request.
    added: Vec<String>,
}

/// A message shown on the form that caused it.
struct Notice {
    /// `upload`, or the action posted (`provide_supplement`, `withdraw`, `rate`).
    at: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "citizen_dossier.html")]
struct DossierPage {
    c: Ctx,
    code: String,
    version: u64,
    status_code: u8,
    status: String,
    procedure: String,
    procedure_code: String,
    applicant: String,
    receiving_unit: String,
    submitted_at: String,
    due: String,
    /// Their own uploads (results are in `results`).
    documents: Vec<DocLine>,
    /// Kết quả giải quyết — the result documents to download.
    results: Vec<DocLine>,
    /// The names offered in the upload form (the documents asked for first).
    components: Vec<String>,
    supplement: Option<SupplementAsked>,
    /// The printable forms that concern the applicant: (link, label).
    forms: Vec<(String, &'static str)>,
    idem: String,
    can_upload: bool,
    can_supplement: bool,
    can_pay: bool,
    payment: String,
    can_withdraw: bool,
    can_rate: bool,
    rated: String,
    /// The application data (HTML, see [`application_form::show`]).
    tk: String,
    /// Where the message goes (see [`Notice::at`]), and the message.
    error_at: &'static str,
    error: String,
}

fn rating_text(l: Lang, r: Rating) -> &'static str {
    match r {
        Rating::VerySatisfied => l.t("Rất hài lòng", "Very satisfied"),
        Rating::Satisfied => l.t("Hài lòng", "Satisfied"),
        Rating::NotSatisfied => l.t("Không hài lòng", "Not satisfied"),
    }
}

/// The forms the applicant may print, as far as they exist for the dossier.
const APPLICANT_FORMS: [&str; 5] = ["01", "02", "03", "04", "05"];

fn form_label(l: Lang, form: &str) -> &'static str {
    match form {
        "01" => l.t(
            "Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            "Form 01 — receipt and appointment",
        ),
        "02" => l.t(
            "Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            "Form 02 — request for a supplement",
        ),
        "03" => l.t(
            "Mẫu 03 — Phiếu từ chối tiếp nhận, giải quyết hồ sơ",
            "Form 03 — notice of refusal",
        ),
        "04" => l.t(
            "Mẫu 04 — Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            "Form 04 — apology and new appointment",
        ),
        _ => l.t(
            "Mẫu 05 — Phiếu dừng giải quyết hồ sơ",
            "Form 05 — notice of stop",
        ),
    }
}

/// The last supplement request, while the dossier awaits it.
fn supplement_asked(d: &Dossier, events: &[ChainedEvent]) -> Option<SupplementAsked> {
    if d.status != Status::AwaitingSupplement {
        return None;
    }
    let e = events
        .iter()
        .rev()
        .map(|e| &e.event)
        .find(|e| matches!(e.data, EventData::SupplementRequested { .. }))?;
    let missing = match &e.data {
        EventData::SupplementRequested { documents } => documents.clone(),
        _ => Vec::new(),
    };
    Some(SupplementAsked {
        reason: e.reason.clone().unwrap_or_default(),
        missing,
        asked_at: when(&e.at),
        added: d
            .supplement_documents()
            .map(|a| a.document.name.clone())
            .collect(),
    })
}

fn doc_line(code: &DossierCode, a: &motcua_domain::dossier::AttachedDocument) -> DocLine {
    DocLine {
        name: a.document.name.clone(),
        detail: format!(
            "{} · {} KB",
            a.document.media_type,
            a.document.size.div_ceil(1024)
        ),
        href: format!("/ho-so-cua-toi/{code}/tai-lieu/{}", a.document.sha256),
    }
}

/// The page of `code` for `user`, with a message on one of its forms.
async fn page(
    state: &AppState,
    l: Lang,
    session: MaybeSession,
    code: &str,
    user: &UserId,
    notice: Option<Notice>,
) -> Result<Response, PageError> {
    let (code, d, _) = own_dossier(state, code, user).await?;
    let view = state
        .engine
        .view(&code, now())
        .await
        .map_err(|e| PageError(e.into()))?;
    let events = state.store.events(&code).await?;
    let status = d.status;
    let withdrawable = motcua_domain::dossier::withdrawal_open(&d).is_ok();
    let due = view.deadline.as_ref().map(|dl| dl.due);
    let supplement = supplement_asked(&d, &events);
    let mut components: Vec<String> = supplement
        .as_ref()
        .map(|s| s.missing.clone())
        .unwrap_or_default();
    if let Some(p) = state
        .store
        .procedure(&d.procedure.code, state.today())
        .await?
    {
        for c in &p.spec().documents {
            if !components.contains(&c.name_vi) {
                components.push(c.name_vi.clone());
            }
        }
    }
    let (results, documents): (Vec<_>, Vec<_>) = d
        .applicant_documents()
        .partition(|a| a.document.kind == DocumentKind::Result);
    let (error_at, error) = notice.map_or(("", String::new()), |n| (n.at, n.message));
    let page = DossierPage {
        c: Ctx::new(l, &format!("/ho-so-cua-toi/{code}"), session),
        code: code.to_string(),
        version: view.version,
        status_code: view.status_code,
        status: l.t(view.status_vi, view.status_en).to_string(),
        procedure: d.procedure.name_vi.clone(),
        procedure_code: d.procedure.code.to_string(),
        applicant: d.applicant.name.clone(),
        receiving_unit: crate::pages::names::center(state, d.receiving_unit.as_str()),
        tk: application_form::show(
            &state.registry,
            &d.procedure.form,
            d.application_data.as_ref(),
            motcua_domain::dossier::vietnam_date(d.submitted_at),
            l,
        ),
        submitted_at: when(&d.submitted_at),
        due: when_opt(due.as_ref()),
        documents: documents.into_iter().map(|a| doc_line(&code, a)).collect(),
        results: results.into_iter().map(|a| doc_line(&code, a)).collect(),
        components,
        forms: APPLICANT_FORMS
            .into_iter()
            .filter(|f| crate::pages::official::has_form(f, &d, &events))
            .map(|f| (format!("/ho-so-cua-toi/{code}/mau/{f}"), form_label(l, f)))
            .collect(),
        supplement,
        idem: random_key()?,
        can_upload: matches!(status, Status::Submitted | Status::AwaitingSupplement),
        can_supplement: status == Status::AwaitingSupplement,
        can_pay: status == Status::AwaitingPayment && d.payment.is_some(),
        payment: d
            .payment
            .as_ref()
            .map(|p| format!("{} — {}", vnd(p.amount_vnd), p.description))
            .unwrap_or_default(),
        can_withdraw: withdrawable,
        can_rate: status == Status::ResultReturned && d.rating.is_none(),
        rated: d
            .rating
            .as_ref()
            .map(|r| rating_text(l, r.rating).to_string())
            .unwrap_or_default(),
        error_at,
        error,
    };
    Ok(render(&page))
}

/// A refusal shown on the form (its status kept), or, for what no form
/// can fix (a dossier gone, a storage fault), the error page.
async fn refused(
    state: &AppState,
    l: Lang,
    session: MaybeSession,
    code: &str,
    user: &UserId,
    at: &'static str,
    e: ApiError,
) -> Result<Response, PageError> {
    if e.status == StatusCode::NOT_FOUND || e.status.is_server_error() {
        return Err(PageError(e));
    }
    let notice = Notice {
        at,
        message: l.t(&e.message_vi, &e.message_en).to_string(),
    };
    let page = page(state, l, session, code, user, Some(notice)).await?;
    Ok((e.status, page).into_response())
}

/// `?loi=document_too_large`: a file over the upload limit, refused before
/// it was read (`crate::limits`), said at the upload form.
#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    loi: Option<String>,
}

/// `/ho-so-cua-toi/{code}`: the applicant's own dossier and what they may
/// do now.
pub async fn dossier(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(code): Path<String>,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let Some((_, user)) = citizen(&session) else {
        return Ok(login_redirect(&format!("/ho-so-cua-toi/{code}")));
    };
    let notice =
        crate::limits::oversized_upload_message(l, shown.loi.as_deref()).map(|message| Notice {
            at: "upload",
            message,
        });
    page(&state, l, session, &code, &user, notice).await
}

/// `POST /ho-so-cua-toi/{code}/tai-lieu` (multipart: `csrf_token`, checked
/// by the session layer; `ten`, the component's name; `idem`; `tep`, the
/// file): attaches one document, checked by its content. A refusal (no
/// file, a type or size not accepted, a dossier no longer taking
/// documents) is shown on the upload form.
pub async fn upload(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let Some((_, user)) = citizen(&session) else {
        return Ok(login_redirect("/ho-so-cua-toi"));
    };
    let (parsed, _, _) = own_dossier(&state, &code, &user).await?;
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart_boundary);
    let Some(boundary) = boundary else {
        let e = ApiError::bad_request(
            "invalid_form",
            "Biểu mẫu gửi tệp không hợp lệ.",
            "Not a file upload form.",
        );
        return refused(&state, l, session, &code, &user, "upload", e).await;
    };
    let parts = multipart_parts(&body, &boundary);
    let field = |n: &str| crate::auth::session::text_field(&parts, n);
    let file = parts
        .iter()
        .find(|p| p.name == "tep" && p.filename.is_some())
        .filter(|f| !f.data.is_empty());
    let Some(file) = file else {
        let e = ApiError::bad_request(
            "empty_document",
            "Hãy chọn một tệp để tải lên.",
            "Choose a file to upload.",
        );
        return refused(&state, l, session, &code, &user, "upload", e).await;
    };
    let mut name: String = field("ten").chars().take(200).collect();
    if name.is_empty() {
        name = file
            .filename
            .clone()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
    }
    let idem = field("idem");
    let key =
        (!idem.is_empty() && idem.len() <= 100).then(|| format!("portal-upload:{user}:{idem}"));
    let upload = Upload {
        name,
        kind: DocumentKind::Component,
        electronic: true,
        bytes: file.data.to_vec(),
    };
    match state
        .engine
        .attach(&parsed, None, upload, applicant_actor(&user), now(), key)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/ho-so-cua-toi/{parsed}#tai-lieu"))),
        Err(e) => refused(&state, l, session, &code, &user, "upload", e.into()).await,
    }
}

#[derive(Deserialize)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    version: Option<u64>,
    #[serde(default)]
    danh_gia: String,
    #[serde(default)]
    y_kien: String,
    #[serde(default)]
    ly_do: String,
}

/// `POST /ho-so-cua-toi/{code}` (the session layer checked the CSRF
/// token): supplement provided, withdraw, or rate. A refusal (e.g. "supplement
/// provided" without a new document) is shown on the form.
pub async fn act(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(code): Path<String>,
    Form(f): Form<ActForm>,
) -> Result<Response, PageError> {
    let Some((_, user)) = citizen(&session) else {
        return Ok(login_redirect("/ho-so-cua-toi"));
    };
    let (parsed, d, _) = own_dossier(&state, &code, &user).await?;
    let invalid = || {
        PageError(ApiError::bad_request(
            "invalid_action",
            "Thao tác hoặc thông tin kèm theo không hợp lệ.",
            "The action or its details are not valid.",
        ))
    };
    let text = |s: &str| {
        let s: String = s.trim().chars().take(1000).collect();
        (!s.is_empty()).then_some(s)
    };
    let (at, action) = match f.action.as_str() {
        "provide_supplement" => (
            "provide_supplement",
            Action::ProvideSupplement {
                documents: d
                    .supplement_documents()
                    .map(|a| a.document.name.clone())
                    .collect(),
            },
        ),
        "withdraw" => (
            "withdraw",
            Action::Withdraw {
                reason: text(&f.ly_do),
            },
        ),
        "rate" => (
            "rate",
            Action::Rate {
                rating: match f.danh_gia.as_str() {
                    "very_satisfied" => Rating::VerySatisfied,
                    "satisfied" => Rating::Satisfied,
                    "not_satisfied" => Rating::NotSatisfied,
                    _ => return Err(invalid()),
                },
                comment: text(&f.y_kien),
            },
        ),
        _ => return Err(invalid()),
    };
    match state
        .engine
        .act(
            &parsed,
            f.version,
            action,
            applicant_actor(&user),
            now(),
            None,
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!("/ho-so-cua-toi/{parsed}"))),
        Err(e) => refused(&state, l, session, &code, &user, at, e.into()).await,
    }
}

/// `/ho-so-cua-toi/{code}/mau/{form}`: a printable form of the applicant's
/// own dossier as PDF (01–05, as far as it exists: Mẫu 02 once a
/// supplement was asked for); anyone else's dossier is a 404.
pub async fn form_pdf(
    State(state): State<AppState>,
    session: MaybeSession,
    Path((code, form)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let Some((s, user)) = citizen(&session) else {
        return Ok(login_redirect(&format!("/ho-so-cua-toi/{code}/mau/{form}")));
    };
    let (parsed, _, _) = own_dossier(&state, &code, &user).await?;
    if !APPLICANT_FORMS.contains(&form.as_str()) {
        return Err(PageError(ApiError::not_found(
            "form_not_available",
            format!("Không có mẫu {form} cho người nộp hồ sơ."),
            format!("No form {form} for the applicant."),
        )));
    }
    crate::api::forms::form_pdf(
        State(state),
        Path((parsed.to_string(), form)),
        crate::auth::Viewer::Session(s),
    )
    .await
    .map_err(PageError)
}

/// `/ho-so-cua-toi/{code}/tai-lieu/{sha256}`: one of the documents the
/// applicant may download (a result, or their own upload).
pub async fn document(
    State(state): State<AppState>,
    session: MaybeSession,
    Path((code, sha256)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let Some((_, user)) = citizen(&session) else {
        return Ok(login_redirect(&format!("/ho-so-cua-toi/{code}")));
    };
    let (_, d, _) = own_dossier(&state, &code, &user).await?;
    let not_found = || {
        PageError(ApiError::not_found(
            "document_not_found",
            "Không có tài liệu này.",
            "No such document.",
        ))
    };
    let name = d
        .applicant_documents()
        .find(|a| a.document.sha256 == sha256)
        .map(|a| a.document.name.clone())
        .ok_or_else(not_found)?;
    let bytes = state
        .engine
        .document_bytes(&sha256)
        .await
        .map_err(|e| PageError(e.into()))?
        .ok_or_else(not_found)?;
    Ok(crate::api::dossiers::document_response(bytes, name))
}
