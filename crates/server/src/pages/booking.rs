//! Đặt lịch hẹn — booking an appointment at a Center from the portal, and
//! the waiting-room display page (bảng chờ). The pages call the same
//! handlers as the JSON API (`crate::api::appointments`), so capacity,
//! competence, idempotency and holder rules are the API's: a booking's
//! page `/dat-lich/{code}?t=TOKEN` needs the holder's token (the booking
//! redirects there with it, the reminder links to it) or the holder's
//! session or a Center official's; anyone else gets the 404 page, and the
//! look-ups are rate-limited per client address like the API's.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use motcua_domain::units::{Era, Level, UnitCode};
use serde::Deserialize;

use super::ui::{form_token, form_token_ok, Ctx, Lang};
use super::{render, PageError};
use crate::api::appointments as api;
use crate::api::appointments::BookingAccess;
use crate::auth::session::MaybeSession;
use crate::error::ApiError;
use crate::AppState;

/// A Center in the choice list.
pub struct CenterOption {
    id: String,
    name: String,
}

/// The provinces of today's registry, to choose whose Centers to list.
fn provinces(state: &AppState) -> Vec<CenterOption> {
    state
        .registry
        .provinces(Era::of(state.today()))
        .into_iter()
        .map(|p| CenterOption {
            id: p.code.as_str().to_string(),
            name: p.name.clone(),
        })
        .collect()
}

/// The province whose Centers are listed: the one chosen (`tinh`), else
/// that of the chosen Center, else the deployment's own (the demo
/// province, whose catalogue is loaded).
fn province_choice(tinh: &str, center: &str) -> String {
    let tinh = tinh.trim();
    if !tinh.is_empty() {
        return tinh.to_string();
    }
    match center.split_once('.') {
        Some((p, _)) if !p.is_empty() => p.to_string(),
        _ => motcua_engine::demo::DEMO_PROVINCE_CODE.to_string(),
    }
}

/// The Centers of a province: one per commune in force today, from the
/// unit registry (every commune has its Public Administration Service
/// Center, Decree 118/2025/NĐ-CP).
fn centers(state: &AppState, province: &str) -> Vec<CenterOption> {
    let Ok(code) = UnitCode::parse_at(province, Level::Province) else {
        return Vec::new();
    };
    state
        .registry
        .communes_of_province(&code, state.today())
        .into_iter()
        .map(|c| CenterOption {
            id: format!("{}.{}", code.as_str(), c.code.as_str()),
            name: c.name.clone(),
        })
        .collect()
}

pub struct ProcedureOption {
    code: String,
    name: String,
}

async fn procedure_options(state: &AppState) -> Result<Vec<ProcedureOption>, PageError> {
    let snap = state
        .catalogue
        .get(state.store.as_ref(), state.today())
        .await?;
    Ok(snap
        .entries
        .iter()
        .map(|e| ProcedureOption {
            code: e.procedure.spec().code.to_string(),
            name: e.procedure.spec().name_vi.clone(),
        })
        .collect())
}

/// A slot as the page shows it.
pub struct SlotRow {
    /// `2026-03-02T08:00`, Vietnam time (the form's value).
    value: String,
    /// `08:00–08:15`.
    label: String,
    free: u32,
    capacity: u16,
    bookable: bool,
}

fn hhmm(rfc3339: &str) -> String {
    rfc3339.get(11..16).unwrap_or(rfc3339).to_string()
}

fn slot_rows(s: &api::SlotsDto) -> Vec<SlotRow> {
    s.slots
        .iter()
        .map(|x| SlotRow {
            value: x.start.get(..16).unwrap_or(&x.start).to_string(),
            label: format!("{}–{}", hhmm(&x.start), hhmm(&x.end)),
            free: x.free,
            capacity: x.capacity,
            bookable: x.bookable,
        })
        .collect()
}

fn message(l: Lang, e: &ApiError) -> String {
    l.t(&e.message_vi, &e.message_en).to_string()
}

#[derive(Deserialize, Default)]
pub struct BookingQuery {
    tinh: Option<String>,
    thu_tuc: Option<String>,
    trung_tam: Option<String>,
    ngay: Option<String>,
}

#[derive(Template)]
#[template(path = "booking.html")]
struct BookingPage {
    c: Ctx,
    procedures: Vec<ProcedureOption>,
    provinces: Vec<CenterOption>,
    province: String,
    centers: Vec<CenterOption>,
    procedure: String,
    center: String,
    date: String,
    center_name: String,
    /// The slots were looked up (procedure, Center and day chosen).
    chosen: bool,
    open: bool,
    slots: Vec<SlotRow>,
    form_token: String,
    idempotency_key: String,
    name: String,
    phone: String,
    email: String,
    error: String,
}

impl BookingPage {
    fn is_procedure(&self, code: &str) -> bool {
        self.procedure == code
    }
    fn is_center(&self, id: &str) -> bool {
        self.center == id
    }
    fn is_province(&self, id: &str) -> bool {
        self.province == id
    }
}

fn with_cookie(mut res: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// Fills the page's slot list (when a procedure, Center and day are
/// chosen); an error of the lookup is shown on the page.
async fn fill_slots(state: &AppState, page: &mut BookingPage) {
    if page.procedure.is_empty() || page.center.is_empty() {
        return;
    }
    if page.date.is_empty() {
        page.date = state.today().to_string();
    }
    let q = format!(
        "date={}&procedure={}",
        urlencode(&page.date),
        urlencode(&page.procedure)
    );
    let query = match Query::<api::SlotsQuery>::try_from_uri(
        &format!("/?{q}")
            .parse()
            .unwrap_or_else(|_| axum::http::Uri::from_static("/")),
    ) {
        Ok(q) => q,
        Err(_) => return,
    };
    match api::slots(State(state.clone()), Path(page.center.clone()), query).await {
        Ok(Json(s)) => {
            page.chosen = true;
            page.open = s.open;
            page.center_name = s.center_name.clone();
            page.slots = slot_rows(&s);
        }
        Err(e) => page.error = message(page.c.l, &e),
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn new_key() -> Result<String, PageError> {
    crate::auth::secret::random_token().map_err(|_| PageError(ApiError::internal()))
}

/// `/dat-lich?thu_tuc=&trung_tam=&ngay=`: choose, then see the slots and
/// the booking form.
pub async fn booking_form(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Query(q): Query<BookingQuery>,
) -> Result<Response, PageError> {
    let (token, cookie) = form_token()?;
    let c = Ctx::new(l, "/dat-lich", session);
    let form_token = if c.session.is_some() {
        c.csrf().to_string()
    } else {
        token
    };
    let center = q.trung_tam.unwrap_or_default().trim().to_string();
    let province = province_choice(q.tinh.as_deref().unwrap_or_default(), &center);
    let centers = centers(&state, &province);
    let center = if centers.iter().any(|x| x.id == center) {
        center
    } else {
        String::new()
    };
    let mut page = BookingPage {
        c,
        procedures: procedure_options(&state).await?,
        provinces: provinces(&state),
        province,
        centers,
        procedure: q.thu_tuc.unwrap_or_default().trim().to_string(),
        center,
        date: q.ngay.unwrap_or_default().trim().to_string(),
        center_name: String::new(),
        chosen: false,
        open: false,
        slots: vec![],
        form_token,
        idempotency_key: new_key()?,
        name: String::new(),
        phone: String::new(),
        email: String::new(),
        error: String::new(),
    };
    fill_slots(&state, &mut page).await;
    let status = if page.error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(with_cookie(
        (status, render(&page)).into_response(),
        Some(cookie),
    ))
}

#[derive(Deserialize)]
pub struct BookForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    thu_tuc: String,
    #[serde(default)]
    trung_tam: String,
    #[serde(default)]
    ngay: String,
    #[serde(default)]
    khung_gio: String,
    #[serde(default)]
    ho_ten: String,
    #[serde(default)]
    dien_thoai: String,
    #[serde(default)]
    email: String,
}

/// `POST /dat-lich`: books through the API's handler (the hidden
/// idempotency key makes a double submit find the first booking), then
/// goes to the booking's page.
pub async fn booking_post(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    headers: HeaderMap,
    Form(f): Form<BookForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&headers, session.0.is_some(), &f.csrf_token) {
        return Err(PageError(crate::auth::session::csrf_failed()));
    }
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let req = api::BookRequest {
        unit: f.trung_tam.trim().to_string(),
        procedure: f.thu_tuc.trim().to_string(),
        start: f.khung_gio.trim().to_string(),
        name: f.ho_ten.clone(),
        phone: opt(&f.dien_thoai),
        email: opt(&f.email),
        language: Some(l.code().to_string()),
        home: None,
    };
    let mut h = HeaderMap::new();
    if let Some(v) = opt(&f.idempotency_key).and_then(|k| HeaderValue::from_str(&k).ok()) {
        h.insert("idempotency-key", v);
    }
    let c = Ctx::new(l, "/dat-lich", MaybeSession(session.0.clone()));
    match api::book(State(state.clone()), session, h, Ok(Json(req))).await {
        Ok((_, Json(b))) => Ok(Redirect::to(&view_url(&b, true, l)).into_response()),
        Err(e) => {
            let status = e.status;
            let province = province_choice("", f.trung_tam.trim());
            let mut page = BookingPage {
                c,
                procedures: procedure_options(&state).await?,
                provinces: provinces(&state),
                centers: centers(&state, &province),
                province,
                procedure: f.thu_tuc.trim().to_string(),
                center: f.trung_tam.trim().to_string(),
                date: f.ngay.trim().to_string(),
                center_name: String::new(),
                chosen: false,
                open: false,
                slots: vec![],
                form_token: f.csrf_token.clone(),
                // a new choice is a new request
                idempotency_key: new_key()?,
                name: f.ho_ten.chars().take(200).collect(),
                phone: f.dien_thoai.chars().take(40).collect(),
                email: f.email.chars().take(200).collect(),
                error: String::new(),
            };
            fill_slots(&state, &mut page).await;
            page.error = message(l, &e);
            Ok((status, render(&page)).into_response())
        }
    }
}

/// The booking's page, with the holder's token when the answer has one.
fn view_url(b: &api::BookingDto, fresh: bool, l: Lang) -> String {
    let mut q = vec![];
    if fresh {
        q.push("moi=1".to_string());
    }
    if let Some(t) = &b.token {
        q.push(format!("t={}", urlencode(t)));
    }
    q.push(format!("lang={}", l.code()));
    format!("/dat-lich/{}?{}", b.code, q.join("&"))
}

#[derive(Template)]
#[template(path = "booking_view.html")]
struct BookingViewPage {
    c: Ctx,
    b: api::BookingDto,
    /// The holder's token as the page was reached with it (kept in the
    /// forms' addresses), or empty.
    token: String,
    /// `?t=…&lang=…` for the forms' actions.
    action_q: String,
    fresh: bool,
    active: bool,
    when: String,
    form_token: String,
    date: String,
    slots: Vec<SlotRow>,
    open: bool,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct ViewQuery {
    moi: Option<String>,
    ngay: Option<String>,
}

fn action_query(token: &str, l: Lang) -> String {
    let mut q = vec![];
    if !token.is_empty() {
        q.push(format!("t={}", urlencode(token)));
    }
    if l.is_en() {
        q.push("lang=en".to_string());
    }
    if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    }
}

fn when_text(b: &api::BookingDto) -> String {
    // 2026-03-02T08:00:00+07:00 → 02/03/2026 08:00–08:15
    let d = b.start.get(..10).unwrap_or("");
    let parts: Vec<&str> = d.split('-').collect();
    let date = match parts.as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => d.to_string(),
    };
    format!("{date} {}–{}", hhmm(&b.start), hhmm(&b.end))
}

#[allow(clippy::too_many_arguments)]
async fn view_page(
    state: &AppState,
    c: Ctx,
    access: &BookingAccess,
    b: api::BookingDto,
    fresh: bool,
    date: Option<String>,
    form_token: String,
    error: String,
) -> BookingViewPage {
    let active = b.status == "booked";
    let date = date
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| b.start.get(..10).unwrap_or("").to_string());
    let mut slots = vec![];
    let mut open = false;
    if active {
        let uri: axum::http::Uri = format!("/?date={}", urlencode(&date))
            .parse()
            .unwrap_or_else(|_| axum::http::Uri::from_static("/"));
        if let Ok(q) = Query::<api::SlotsQuery>::try_from_uri(&uri) {
            if let Ok(Json(s)) = api::slots(State(state.clone()), Path(b.unit.clone()), q).await {
                open = s.open;
                slots = slot_rows(&s);
            }
        }
    }
    let token = access.token.clone().unwrap_or_default();
    BookingViewPage {
        when: when_text(&b),
        action_q: action_query(&token, c.l),
        token,
        c,
        b,
        fresh,
        active,
        form_token,
        date,
        slots,
        open,
        error,
    }
}

/// `/dat-lich/{code}`: the booking, with cancel and rebook.
pub async fn booking_view(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    access: BookingAccess,
    Path(code): Path<String>,
    Query(q): Query<ViewQuery>,
) -> Result<Response, PageError> {
    let Json(b) =
        api::get_booking(State(state.clone()), access.clone(), Path(code.clone())).await?;
    let (token, cookie) = form_token()?;
    let c = Ctx::new(l, &format!("/dat-lich/{code}"), session);
    let token = if c.session.is_some() {
        c.csrf().to_string()
    } else {
        token
    };
    let page = view_page(
        &state,
        c,
        &access,
        b,
        q.moi.is_some(),
        q.ngay,
        token,
        String::new(),
    )
    .await;
    let mut res = with_cookie(render(&page), Some(cookie));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    khung_gio: String,
}

/// `POST /dat-lich/{code}/huy`: cancels the booking.
pub async fn booking_cancel(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    access: BookingAccess,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&headers, session.0.is_some(), &f.csrf_token) {
        return Err(PageError(crate::auth::session::csrf_failed()));
    }
    let Json(b) = api::cancel(State(state), access.clone(), Path(code.clone())).await?;
    let b = api::BookingDto {
        token: access.token.clone(),
        ..b
    };
    Ok(Redirect::to(&view_url(&b, false, l)).into_response())
}

/// `POST /dat-lich/{code}/doi`: moves the booking to another slot (a new
/// code); a full slot leaves the old booking as it was.
pub async fn booking_rebook(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    access: BookingAccess,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&headers, session.0.is_some(), &f.csrf_token) {
        return Err(PageError(crate::auth::session::csrf_failed()));
    }
    let req = api::RebookRequest {
        start: f.khung_gio.trim().to_string(),
        unit: None,
    };
    let c = Ctx::new(
        l,
        &format!("/dat-lich/{code}"),
        MaybeSession(session.0.clone()),
    );
    match api::rebook(
        State(state.clone()),
        access.clone(),
        Path(code.clone()),
        Ok(Json(req)),
    )
    .await
    {
        Ok((_, Json(b))) => Ok(Redirect::to(&view_url(&b, true, l)).into_response()),
        Err(e) => {
            let Json(b) =
                api::get_booking(State(state.clone()), access.clone(), Path(code)).await?;
            let date = f.khung_gio.get(..10).map(str::to_string);
            let status = e.status;
            let page = view_page(
                &state,
                c,
                &access,
                b,
                false,
                date,
                f.csrf_token,
                message(l, &e),
            )
            .await;
            Ok((status, render(&page)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    l: Lang,
    board: api::BoardDto,
    day: String,
}

impl BoardPage {
    fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.l.t(vi, en)
    }
}

/// `/bang-cho/{unit}`: the waiting-room screen. Numbers only; it reloads
/// itself every 10 seconds (a meta refresh, no script).
pub async fn board(
    State(state): State<AppState>,
    l: Lang,
    Path(unit): Path<String>,
) -> Result<Response, PageError> {
    let Json(board) = api::board(State(state), Path(unit)).await?;
    let day = board.day.format("%d/%m/%Y").to_string();
    let mut res = render(&BoardPage { l, board, day });
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
