//! Cổng dịch vụ công — the citizen's side: find a procedure and read what
//! it needs, track a dossier by its code, log in with a one-time code and
//! see one's own dossiers.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::access::{Contact, DossierRef, Principal, PublicStatus};
use motcua_domain::dossier::DossierCode;
use motcua_domain::procedure::{DocumentForm, FeeAmount, OnlineLevel, ProcedureCode, TimeLimit};
use motcua_store::DossierFilter;
use serde::Deserialize;

use super::ui::{form_token, form_token_ok, safe_next, when, when_opt, Ctx, Lang};
use super::{render, PageError};
use crate::auth::session::{self, MaybeSession};
use crate::auth::{IdentityProvider, OtpProvider, Proof};
use crate::catalogue::Words;
use crate::error::ApiError;
use crate::AppState;

/// The mark shown next to a value that no source confirms.
fn unverified_label(l: Lang) -> &'static str {
    l.t("(chưa xác minh)", "(unverified)")
}

/// What a person reads for an unverified item of a procedure (the
/// catalogue names it by its field path, e.g. `competent_agency`,
/// `documents[2]`): a label in the page's language, never the raw path.
fn unverified_item(l: Lang, path: &str, spec: &motcua_domain::procedure::ProcedureSpec) -> String {
    let (field, index) = match path.split_once('[') {
        Some((f, rest)) => (f, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (path, None),
    };
    let named = |label: &str, name: Option<&String>| match name {
        Some(n) => format!("{label}: {n}"),
        None => label.to_string(),
    };
    match field {
        "name_vi" | "name" => l.t("Tên thủ tục", "Name of the procedure").into(),
        "code" => l.t("Mã thủ tục", "Code of the procedure").into(),
        "level" => l.t("Cấp thực hiện", "Level of government").into(),
        "field" | "field_vi" => l.t("Lĩnh vực", "Field").into(),
        "competent_agency" => l.t("Cơ quan giải quyết", "Competent agency").into(),
        "workflow" => l
            .t(
                "Quy trình xử lý nội bộ (các bước và thời gian từng bước)",
                "Internal processing steps and their time budgets",
            )
            .into(),
        "time_limit" | "time_limit_text_vi" => l.t("Thời hạn giải quyết", "Time limit").into(),
        "same_day_cutoff" => l
            .t(
                "Giờ tiếp nhận để giải quyết trong ngày",
                "Cut-off hour for same-day processing",
            )
            .into(),
        "extensions" => l
            .t(
                "Gia hạn thời hạn giải quyết",
                "Extensions of the time limit",
            )
            .into(),
        "online_level" => l.t("Dịch vụ công trực tuyến", "Online service").into(),
        "boundary_free" => l
            .t(
                "Tiếp nhận không phụ thuộc địa giới",
                "Receipt at any Center of the province",
            )
            .into(),
        "effective_from" | "effective_until" => {
            l.t("Thời gian có hiệu lực", "Period in force").into()
        }
        "legal_basis_vi" | "legal_basis" => l.t("Căn cứ pháp lý", "Legal basis").into(),
        "documents" => named(
            l.t("Thành phần hồ sơ", "Documents"),
            index
                .and_then(|i| spec.documents.get(i))
                .map(|d| &d.name_vi),
        ),
        "fees" => named(
            l.t("Phí, lệ phí", "Fees"),
            index
                .and_then(|i| spec.fees.get(i))
                .map(|f| &f.description_vi),
        ),
        _ => l
            .t(
                "Thông tin khác của thủ tục",
                "Other details of the procedure",
            )
            .into(),
    }
}

fn time_limit_text(l: Lang, t: TimeLimit) -> String {
    match l {
        Lang::Vi => t.text_vi(),
        Lang::En => t.text_en(),
    }
}

fn online_level_text(l: Lang, o: OnlineLevel) -> &'static str {
    match o {
        OnlineLevel::FullProcess => l.t("Toàn trình", "Fully online"),
        OnlineLevel::Partial => l.t("Một phần", "Partly online"),
        OnlineLevel::None => l.t("Không trực tuyến", "Not online"),
        OnlineLevel::Unknown => l.t("Chưa rõ", "Unknown"),
    }
}

fn form_text(l: Lang, f: DocumentForm) -> &'static str {
    match f {
        DocumentForm::Original => l.t("Bản chính", "Original"),
        DocumentForm::Copy => l.t("Bản sao", "Copy"),
        DocumentForm::CertifiedCopy => l.t("Bản sao có chứng thực", "Certified copy"),
        DocumentForm::OriginalOrCertifiedCopy => l.t(
            "Bản chính hoặc bản sao có chứng thực",
            "Original or certified copy",
        ),
    }
}

fn vnd(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out + " đ"
}

fn fee_text(l: Lang, a: FeeAmount) -> String {
    match a {
        FeeAmount::Vnd(0) => l.t("Miễn", "Free").into(),
        FeeAmount::Vnd(n) => vnd(n),
        FeeAmount::SetByProvincialCouncil => l
            .t(
                "Theo mức HĐND cấp tỉnh quy định",
                "As set by the provincial People's Council",
            )
            .into(),
    }
}

/// The Center shown on the portal's first page.
pub struct CenterView {
    name: String,
    address: Option<String>,
    /// "07:30–11:30, 13:00–17:00".
    hours: String,
}

#[derive(Template)]
#[template(path = "portal.html")]
struct PortalPage {
    c: Ctx,
    center: Option<CenterView>,
    unverified_mark: &'static str,
    total: usize,
}

/// `/`: the citizen's portal — find a procedure, track a dossier, book an
/// appointment, log in, and where and when the Center receives.
pub async fn home(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
) -> Result<Response, PageError> {
    let today = state.today();
    let total = state
        .catalogue
        .get(state.store.as_ref(), today)
        .await?
        .entries
        .len();
    let center = super::names::center_name(&state, &state.site.center).map(|name| CenterView {
        name,
        address: state.site.center_address.clone(),
        hours: state
            .engine
            .rules(
                motcua_domain::dossier::UnitId::parse(&state.site.center)
                    .map(|u| u.province_code().to_string())
                    .unwrap_or_default()
                    .as_str(),
                today,
            )
            .calendar
            .working_hours()
            .intervals()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    });
    Ok(render(&PortalPage {
        c: Ctx::new(l, "/", session),
        center,
        unverified_mark: unverified_label(l),
        total,
    }))
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    /// Words of the name or the code, with or without diacritics.
    q: Option<String>,
    /// Lĩnh vực — the field, exactly as in the catalogue.
    linh_vuc: Option<String>,
}

pub struct ProcedureRow {
    code: String,
    name: String,
    field: String,
    time_limit: String,
    online: &'static str,
}

#[derive(Template)]
#[template(path = "procedures.html")]
struct ProceduresPage {
    c: Ctx,
    q: String,
    field: String,
    fields: Vec<String>,
    rows: Vec<ProcedureRow>,
    total: usize,
}

/// `/thu-tuc`: search the catalogue.
pub async fn procedures(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let snap = state
        .catalogue
        .get(state.store.as_ref(), state.today())
        .await?;
    let text =
        q.q.unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>();
    let field = q.linh_vuc.unwrap_or_default();
    let words = Words::new(&text);
    let total = snap.entries.len();
    let fields = snap.fields.clone();
    let rows = snap
        .search(&field, &words)
        .map(|e| {
            let s = e.procedure.spec();
            ProcedureRow {
                code: s.code.to_string(),
                name: s.name_vi.clone(),
                field: s.field_vi.clone(),
                time_limit: time_limit_text(l, s.time_limit),
                online: online_level_text(l, s.online_level),
            }
        })
        .collect();
    Ok(render(&ProceduresPage {
        c: Ctx::new(l, "/thu-tuc", session),
        q: text,
        field,
        fields,
        rows,
        total,
    }))
}

pub struct Line {
    text: String,
    detail: String,
    unverified: bool,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    c: Ctx,
    code: String,
    name: String,
    name_en: String,
    field: String,
    agency: String,
    time_limit: String,
    time_limit_note: String,
    time_limit_unverified: bool,
    online: &'static str,
    online_unverified: bool,
    /// Whether the procedure may be submitted online (link to the form).
    online_submit: bool,
    boundary_free: bool,
    documents: Vec<Line>,
    fees: Vec<Line>,
    legal_basis: String,
    unverified: Vec<String>,
    unverified_mark: &'static str,
}

/// `/thu-tuc/{code}`: what a procedure needs.
pub async fn procedure(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let not_found = || {
        PageError(ApiError::not_found(
            "procedure_not_found",
            format!("Không có thủ tục {code}."),
            format!("No procedure {code}."),
        ))
    };
    let parsed = ProcedureCode::parse(&code).map_err(|_| not_found())?;
    let today = state.today();
    let p = state
        .store
        .procedure(&parsed, today)
        .await?
        .ok_or_else(not_found)?;
    let s = p.spec();
    let documents = s
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| Line {
            text: d.name_vi.clone(),
            detail: format!(
                "{}: {}{}",
                form_text(l, d.form),
                d.count,
                if d.mandatory {
                    String::new()
                } else {
                    format!(" · {}", l.t("nếu có", "if any"))
                }
            ),
            unverified: p.is_unverified(&format!("documents[{i}]")),
        })
        .collect();
    let fees = s
        .fees
        .iter()
        .enumerate()
        .map(|(i, f)| Line {
            text: f.description_vi.clone(),
            detail: match &f.per_vi {
                Some(per) => format!("{} / {per}", fee_text(l, f.amount)),
                None => fee_text(l, f.amount),
            },
            unverified: p.is_unverified(&format!("fees[{i}]")),
        })
        .collect();
    let page = ProcedurePage {
        c: Ctx::new(l, &format!("/thu-tuc/{}", s.code), session),
        code: s.code.to_string(),
        name: s.name_vi.clone(),
        name_en: s.name_en.clone().unwrap_or_default(),
        field: s.field_vi.clone(),
        agency: s.competent_agency.name_vi.clone(),
        time_limit: time_limit_text(l, s.time_limit),
        time_limit_note: s.time_limit_text_vi.clone().unwrap_or_default(),
        time_limit_unverified: p.is_unverified("time_limit"),
        online: online_level_text(l, s.online_level),
        online_unverified: p.is_unverified("online_level"),
        online_submit: s.online_level != OnlineLevel::None,
        boundary_free: s.boundary_free,
        documents,
        fees,
        legal_basis: s.legal_basis_vi.clone().unwrap_or_default(),
        unverified: {
            let mut items: Vec<String> = Vec::new();
            for path in p.unverified_notes() {
                let item = unverified_item(l, &path, s);
                if !items.contains(&item) {
                    items.push(item);
                }
            }
            items
        },
        unverified_mark: unverified_label(l),
    };
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
pub struct TrackQuery {
    /// Mã hồ sơ.
    ma: Option<String>,
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    c: Ctx,
    code: String,
    error: String,
    found: Option<TrackView>,
}

pub struct TrackView {
    code: String,
    status_code: u8,
    status: &'static str,
    submitted_at: String,
    accepted_at: String,
    due: String,
    /// Why the due date is an estimate (its year's days off are not yet
    /// decided by the Government), or empty.
    due_note: String,
    result_at: String,
    returned_at: String,
    closed_at: String,
    /// Only for the applicant, logged in.
    applicant: Option<String>,
    procedure: String,
}

/// The note of a due date computed on provisional days off (a year the
/// Government has not yet decided), under the dossier's settings.
pub(crate) fn provisional_note(
    state: &AppState,
    l: Lang,
    d: &motcua_domain::dossier::Dossier,
) -> String {
    use chrono::Datelike;
    let Some(due) = d.due else {
        return String::new();
    };
    let year = motcua_domain::dossier::vietnam_date(due).year();
    if !state.engine.dossier_rules(d).calendar.is_provisional(year) {
        return String::new();
    }
    match l {
        Lang::Vi => format!(
            "Ngày hẹn dự kiến: lịch nghỉ lễ năm {year} chưa được Chính phủ công bố chính thức."
        ),
        Lang::En => format!("An estimate: the {year} days off are not yet set by the Government."),
    }
}

/// `/tra-cuu?ma=…`: the tracking form, which goes to `/tra-cuu/{code}`.
pub async fn track_form(
    l: Lang,
    session: MaybeSession,
    Query(q): Query<TrackQuery>,
) -> Result<Response, PageError> {
    if let Some(code) = q.ma.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        if let Ok(code) = DossierCode::parse(code) {
            return Ok(Redirect::to(&format!("/tra-cuu/{code}")).into_response());
        }
        let page = TrackPage {
            c: Ctx::new(l, "/tra-cuu", session),
            code: code.chars().take(64).collect(),
            error: l
                .t(
                    "Mã hồ sơ không hợp lệ (dạng <mã đơn vị>-<YYMMDD>-<NNNN>).",
                    "Not a dossier code (<unit>-<YYMMDD>-<NNNN>).",
                )
                .into(),
            found: None,
        };
        return Ok((StatusCode::BAD_REQUEST, render(&page)).into_response());
    }
    Ok(render(&TrackPage {
        c: Ctx::new(l, "/tra-cuu", session),
        code: String::new(),
        error: String::new(),
        found: None,
    }))
}

/// `/tra-cuu/{code}`: status and dates for anyone holding the code; the
/// applicant's name only for the applicant, logged in (the rule of the
/// tracking API).
pub async fn track(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let path = format!("/tra-cuu/{code}");
    let missing = |code: &str| TrackPage {
        c: Ctx::new(l, &path, MaybeSession(session.0.clone())),
        code: code.chars().take(64).collect(),
        error: l
            .t(
                "Không tìm thấy hồ sơ với mã này.",
                "No dossier has this code.",
            )
            .into(),
        found: None,
    };
    let Ok(parsed) = DossierCode::parse(&code) else {
        return Ok((StatusCode::NOT_FOUND, render(&missing(&code))).into_response());
    };
    let Some(d) = state.store.dossier(&parsed).await?.and_then(|s| s.dossier) else {
        return Ok((StatusCode::NOT_FOUND, render(&missing(&code))).into_response());
    };
    let is_applicant = session.0.as_ref().is_some_and(|s| {
        matches!(s.principal, Principal::Citizen { .. }) && s.principal.sees(&DossierRef::from(&d))
    });
    let p = PublicStatus::of(&d);
    let found = TrackView {
        code: p.code.to_string(),
        status_code: p.status_code,
        status: l.t(p.status_vi, p.status_en),
        submitted_at: when(&p.submitted_at),
        accepted_at: when_opt(p.accepted_at.as_ref()),
        due: when_opt(p.due.as_ref()),
        due_note: provisional_note(&state, l, &d),
        result_at: when_opt(p.result_at.as_ref()),
        returned_at: when_opt(p.returned_at.as_ref()),
        closed_at: when_opt(p.closed_at.as_ref()),
        applicant: is_applicant.then(|| d.applicant.name.clone()),
        procedure: d.procedure.name_vi.clone(),
    };
    Ok(render(&TrackPage {
        c: Ctx::new(l, &path, session),
        code: found.code.clone(),
        error: String::new(),
        found: Some(found),
    }))
}

#[derive(Template)]
#[template(path = "citizen_login.html")]
struct CitizenLoginPage {
    c: Ctx,
    form_token: String,
    contact: String,
    /// The code was sent: ask for it.
    code_step: bool,
    sent_to: String,
    error: String,
    /// The local page asked for before the login (`?next=`), or empty.
    next: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

fn login_page(
    page: CitizenLoginPage,
    status: StatusCode,
    cookie: Option<axum::http::HeaderValue>,
) -> Response {
    let mut res = (status, render(&page)).into_response();
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// `/dang-nhap?next=/…`: the citizen's login, step one (phone or e-mail).
pub async fn citizen_login(
    l: Lang,
    session: MaybeSession,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    let (token, cookie) = form_token()?;
    let c = Ctx::new(l, "/dang-nhap", session);
    let form_token = if c.session.is_some() {
        c.csrf().to_string()
    } else {
        token
    };
    Ok(login_page(
        CitizenLoginPage {
            c,
            form_token,
            contact: String::new(),
            code_step: false,
            sent_to: String::new(),
            error: String::new(),
            next: safe_next(q.next.as_deref()).unwrap_or_default(),
        },
        StatusCode::OK,
        Some(cookie),
    ))
}

#[derive(Deserialize)]
pub struct CitizenLoginForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    lien_he: String,
    #[serde(default)]
    ma: Option<String>,
    #[serde(default)]
    next: String,
}

fn parse_contact(s: &str) -> Option<Contact> {
    let s = s.trim();
    if s.contains('@') {
        Contact::email(s).ok()
    } else {
        Contact::phone(s).ok()
    }
}

/// `POST /dang-nhap`: sends the code (no `ma`) or checks it (with `ma`),
/// then opens the session and goes to the page asked for (a local path
/// only), else to `/ho-so-cua-toi`.
pub async fn citizen_login_post(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    crate::auth::ClientAddr(client): crate::auth::ClientAddr,
    headers: HeaderMap,
    Form(f): Form<CitizenLoginForm>,
) -> Result<Response, PageError> {
    let has_session = session.0.is_some();
    let c = Ctx::new(l, "/dang-nhap", session);
    let page = |c: Ctx, code_step: bool, sent_to: String, error: String| CitizenLoginPage {
        form_token: f.csrf_token.clone(),
        contact: f.lien_he.chars().take(100).collect(),
        c,
        code_step,
        sent_to,
        error,
        next: safe_next(Some(&f.next)).unwrap_or_default(),
    };
    if !form_token_ok(&headers, has_session, &f.csrf_token) {
        return Err(PageError(crate::auth::session::csrf_failed()));
    }
    let Some(contact) = parse_contact(&f.lien_he) else {
        let e = l.t(
            "Hãy nhập số điện thoại di động (ví dụ 0912 345 678) hoặc địa chỉ thư điện tử.",
            "Enter a Vietnamese mobile number (e.g. 0912 345 678) or an e-mail address.",
        );
        return Ok(login_page(
            page(c, false, String::new(), e.into()),
            StatusCode::BAD_REQUEST,
            None,
        ));
    };
    let provider = OtpProvider {
        store: &*state.store,
        auth: &state.auth,
        client,
    };
    let failure = |e: &crate::auth::AuthError| {
        let (err, _) = e.to_api();
        (
            err.status,
            l.t(&err.message_vi, &err.message_en).to_string(),
        )
    };
    match f.ma.as_deref().map(str::trim) {
        None | Some("") => match provider.send_code(&contact).await {
            Ok(_) => Ok(login_page(
                page(c, true, contact.masked(), String::new()),
                StatusCode::OK,
                None,
            )),
            Err(e) => {
                let (status, msg) = failure(&e);
                Ok(login_page(page(c, false, String::new(), msg), status, None))
            }
        },
        Some(code) => {
            let proof = Proof::OneTimeCode {
                contact: contact.clone(),
                code: code.to_string(),
            };
            match provider.authenticate(proof).await {
                Ok(identity) => {
                    let opened = session::open(&state, &identity).await.map_err(|e| {
                        let (err, _) = e.to_api();
                        PageError(err)
                    })?;
                    let to =
                        safe_next(Some(&f.next)).unwrap_or_else(|| "/ho-so-cua-toi".to_string());
                    Ok(logged_in(&state, &opened.token, &to))
                }
                Err(e) => {
                    let (status, msg) = failure(&e);
                    Ok(login_page(
                        page(c, true, contact.masked(), msg),
                        status,
                        None,
                    ))
                }
            }
        }
    }
}

/// Sets the session cookie, drops the login form's cookie and goes on.
pub fn logged_in(state: &AppState, token: &str, to: &str) -> Response {
    let cookie = session::session_cookie(
        token,
        state.auth.config.session_ttl.num_seconds(),
        state.auth.config.cookie_secure,
    );
    let mut res = Redirect::to(to).into_response();
    let headers = res.headers_mut();
    headers.append(header::SET_COOKIE, cookie);
    headers.append(
        header::SET_COOKIE,
        axum::http::HeaderValue::from_static(
            "motcua_form=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
        ),
    );
    res
}

/// `POST /dang-xuat`: ends the session (the CSRF token was checked by the
/// session layer).
pub async fn logout(
    State(state): State<AppState>,
    session: MaybeSession,
) -> Result<Response, PageError> {
    if let Some(s) = session.0 {
        state.store.delete_session(&s.token_hash).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            session::clear_cookie(state.auth.config.cookie_secure),
        )],
        Redirect::to("/"),
    )
        .into_response())
}

pub struct MyRow {
    code: String,
    status_code: u8,
    procedure: String,
    status: &'static str,
    submitted_at: String,
    due: String,
}

#[derive(Template)]
#[template(path = "my_dossiers.html")]
struct MyDossiersPage {
    c: Ctx,
    rows: Vec<MyRow>,
}

/// `/ho-so-cua-toi`: the citizen's own dossiers.
pub async fn my_dossiers(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
) -> Result<Response, PageError> {
    let Some(s) = session
        .0
        .clone()
        .filter(|s| matches!(s.principal, Principal::Citizen { .. }))
    else {
        return Ok(Redirect::to("/dang-nhap").into_response());
    };
    let filter = DossierFilter {
        limit: 200,
        ..DossierFilter::default()
    };
    let found = state
        .store
        .search_in_scope(&filter, &s.principal.scope())
        .await?;
    let rows = found
        .into_iter()
        .map(|d| MyRow {
            code: d.code.to_string(),
            status_code: d.status.code(),
            procedure: d.procedure_name,
            status: l.t(d.status.label_vi(), d.status.label_en()),
            submitted_at: when(&d.submitted_at),
            due: when_opt(d.due.as_ref()),
        })
        .collect();
    Ok(render(&MyDossiersPage {
        c: Ctx::new(l, "/ho-so-cua-toi", session),
        rows,
    }))
}
