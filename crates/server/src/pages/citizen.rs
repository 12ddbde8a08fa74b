//! Nộp hồ sơ trực tuyến — the logged-in citizen submits a dossier online,
//! attaches the documents one by one (each upload is its own retry-safe
//! request, checked by content), and on the dossier's own page
//! ([`dossier`]) does what the applicant may do now: supplement, pay,
//! withdraw, rate, download the result and the forms.

mod dossier;

pub use dossier::{act, document, dossier, form_pdf, upload};

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use motcua_domain::access::{Contact as AccountContact, Principal};
use motcua_domain::dossier::{
    Actor, Applicant, Dossier, DossierCode, PersonalId, ReceivedDocument, Role, Status, UnitId,
    UserId,
};
use motcua_domain::procedure::{Procedure, ProcedureCode};
use motcua_domain::units::{Level, UnitCode};
use motcua_engine::{Action, Submission};
use motcua_store::Intake;
use serde::Deserialize;

use super::application_form;
use super::ui::{now, urlencode, Ctx, Lang};
use super::{render, PageError};
use crate::auth::session::MaybeSession;
use crate::auth::AuthContext;
use crate::error::ApiError;
use crate::payment::PaymentOrder;
use crate::AppState;

/// The logged-in citizen, or None.
fn citizen(session: &MaybeSession) -> Option<(std::sync::Arc<AuthContext>, UserId)> {
    let s = session.0.clone()?;
    match &s.principal {
        Principal::Citizen { user } => {
            let user = user.clone();
            Some((s, user))
        }
        Principal::Official { .. } => None,
    }
}

fn login_redirect(next: &str) -> Response {
    Redirect::to(&format!("/dang-nhap?next={}", urlencode(next))).into_response()
}

fn applicant_actor(user: &UserId) -> Actor {
    Actor::new(Role::Applicant, user.clone(), None)
}

fn random_key() -> Result<String, PageError> {
    crate::auth::secret::random_token().map_err(|_| PageError(ApiError::internal()))
}

fn procedure_not_found(code: &str) -> PageError {
    PageError(ApiError::not_found(
        "procedure_not_found",
        format!("Không có thủ tục {code}."),
        format!("No procedure {code}."),
    ))
}

async fn procedure_of(state: &AppState, code: &str) -> Result<Procedure, PageError> {
    let parsed = ProcedureCode::parse(code).map_err(|_| procedure_not_found(code))?;
    state
        .store
        .procedure(&parsed, state.today())
        .await?
        .ok_or_else(|| procedure_not_found(code))
}

/// The communes (Centers) of the province, as (unit id, name).
fn centers(state: &AppState) -> Vec<(String, String)> {
    let today = state.today();
    let Ok(province) = UnitCode::parse_at(motcua_engine::demo::DEMO_PROVINCE_CODE, Level::Province)
    else {
        return Vec::new();
    };
    let province_name = state
        .registry
        .unit_at(&province, today)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let mut out: Vec<(String, String)> = state
        .registry
        .communes_of_province(&province, today)
        .into_iter()
        .map(|c| {
            (
                format!("{}.{}", province.as_str(), c.code.as_str()),
                format!("{}, {province_name}", c.name),
            )
        })
        .collect();
    // The demo's Centers (with officials) first.
    out.sort_by_key(|(id, _)| !crate::auth::bootstrap::DEMO_UNITS.contains(&id.as_str()));
    out
}

pub struct Component {
    name: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "citizen_submit.html")]
struct SubmitPage {
    c: Ctx,
    code: String,
    name: String,
    boundary_free: bool,
    components: Vec<Component>,
    centers: Vec<(String, String)>,
    idem: String,
    f: SubmitForm,
    error: String,
    /// The procedure's application form (HTML, see [`super::application_form`]).
    tk: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct SubmitForm {
    #[serde(default)]
    ho_ten: String,
    #[serde(default)]
    so_dinh_danh: String,
    #[serde(default)]
    don_vi: String,
    /// Boundary-free procedures: the competent commune, when it is not the
    /// receiving Center's (empty: the same).
    #[serde(default)]
    don_vi_giai_quyet: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    dien_thoai: String,
    #[serde(default)]
    idem: String,
    /// The application form's fields (`tk.*`, `tkcu.*`, `doi_dia_chi`).
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, String>,
}

fn components_of(p: &Procedure) -> Vec<Component> {
    p.spec()
        .documents
        .iter()
        .map(|d| Component {
            name: d.name_vi.clone(),
            detail: format!(
                "{}{}",
                d.count,
                if d.mandatory {
                    ""
                } else {
                    " · nếu có / if any"
                }
            ),
        })
        .collect()
}

/// `/thu-tuc/{code}/nop`: the online submission form.
pub async fn submit_form(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let p = procedure_of(&state, &code).await?;
    let path = format!("/thu-tuc/{}/nop", p.spec().code);
    let Some((s, _)) = citizen(&session) else {
        return Ok(login_redirect(&path));
    };
    let mut f = SubmitForm::default();
    match &s.contact {
        Some(AccountContact::Email(e)) => f.email = e.clone(),
        Some(AccountContact::Phone(ph)) => f.dien_thoai = ph.clone(),
        None => {}
    }
    let spec = p.spec();
    Ok(render(&SubmitPage {
        c: Ctx::new(l, &path, session),
        code: spec.code.to_string(),
        name: spec.name_vi.clone(),
        boundary_free: spec.boundary_free,
        components: components_of(&p),
        centers: centers(&state),
        idem: random_key()?,
        f,
        error: String::new(),
        tk: application_form::render(
            &spec.form,
            l,
            &application_form::Posted::default(),
            &[],
            &province_communes(&state),
            None,
        ),
    }))
}

/// The communes in force of the portal's province, for the form's pickers.
fn province_communes(state: &AppState) -> Vec<(String, String)> {
    application_form::communes(
        &state.registry,
        motcua_engine::demo::DEMO_PROVINCE_CODE,
        state.today(),
    )
}

/// `POST /thu-tuc/{code}/nop`: opens the dossier (the hidden idempotency
/// key makes a double click or a retry open it once), then goes to its
/// page, where the documents are attached.
pub async fn submit(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(code): Path<String>,
    Form(f): Form<SubmitForm>,
) -> Result<Response, PageError> {
    let p = procedure_of(&state, &code).await?;
    let path = format!("/thu-tuc/{}/nop", p.spec().code);
    let Some((_, user)) = citizen(&session) else {
        return Ok(login_redirect(&path));
    };
    let spec = p.spec();
    let centers = centers(&state);
    let mut posted = application_form::Posted::from_fields(&f.rest);
    let converted = application_form::convert(&state.registry, &spec.form, &mut posted, l);
    let mut errors: Vec<&str> = Vec::new();
    let name = f.ho_ten.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(l.t(
            "Hãy nhập họ và tên người nộp.",
            "Enter the applicant's name.",
        ));
    }
    let pid = f.so_dinh_danh.trim();
    let personal_id = if pid.is_empty() {
        None
    } else {
        match PersonalId::parse(pid) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(l.t(
                    "Số định danh cá nhân gồm đúng 12 chữ số.",
                    "The personal identification number has exactly 12 digits.",
                ));
                None
            }
        }
    };
    let unit = UnitId::parse(f.don_vi.trim())
        .ok()
        .filter(|u| centers.iter().any(|(id, _)| id == u.as_str()));
    if unit.is_none() {
        errors.push(l.t("Hãy chọn nơi tiếp nhận.", "Choose the receiving Center."));
    }
    // Boundary-free: the commune that decides may be another of the
    // province's (picked from its Centers, never typed).
    let picked = f.don_vi_giai_quyet.trim();
    let competent = if picked.is_empty() || !spec.boundary_free {
        None
    } else {
        let u = UnitId::parse(picked)
            .ok()
            .filter(|u| centers.iter().any(|(id, _)| id == u.as_str()));
        if u.is_none() {
            errors.push(l.t(
                "Hãy chọn xã, phường giải quyết trong danh sách.",
                "Choose the deciding commune from the list.",
            ));
        }
        u
    };
    let contact = super::contact::typed(l, &f.email, &f.dien_thoai, &mut errors);
    let idem = f.idem.trim();
    if idem.is_empty() || idem.len() > 100 {
        errors.push(l.t(
            "Biểu mẫu đã hết hạn, hãy tải lại trang.",
            "The form has expired; reload the page.",
        ));
    }
    // The application form: the same check as the engine's (form, then the
    // province's communes), so that each field's error shows beside it.
    let values = posted.data(&spec.form);
    let mut field_errors = Vec::new();
    if let (Some(values), None) = (&values, &converted) {
        let checked = match &unit {
            Some(u) => state
                .engine
                .check_application(&spec.form, values, u, state.today()),
            None => motcua_domain::procedure::form::validate(&spec.form, values)
                .map_err(motcua_engine::EngineError::InvalidApplicationData),
        };
        if let Err(e) = checked {
            field_errors = e.field_errors().map(<[_]>::to_vec).unwrap_or_default();
            errors.push(l.t(
                "Tờ khai chưa hợp lệ: xem từng trường bên dưới.",
                "The application form has errors: see each field below.",
            ));
        }
    }
    if converted.is_some() {
        // The convert button re-renders the form, nothing is submitted.
        let page = SubmitPage {
            c: Ctx::new(l, &path, session),
            code: spec.code.to_string(),
            name: spec.name_vi.clone(),
            boundary_free: spec.boundary_free,
            components: components_of(&p),
            idem: if idem_ok(&f.idem) {
                f.idem.trim().to_string()
            } else {
                random_key()?
            },
            error: String::new(),
            tk: application_form::render(
                &spec.form,
                l,
                &posted,
                &[],
                &province_communes(&state),
                converted.as_ref(),
            ),
            centers,
            f: f.clone(),
        };
        return Ok(render(&page).into_response());
    }
    if !errors.is_empty() {
        let page = SubmitPage {
            tk: application_form::render(
                &spec.form,
                l,
                &posted,
                &field_errors,
                &province_communes(&state),
                None,
            ),
            c: Ctx::new(l, &path, session),
            code: spec.code.to_string(),
            name: spec.name_vi.clone(),
            boundary_free: spec.boundary_free,
            components: components_of(&p),
            centers,
            idem: if idem.is_empty() {
                random_key()?
            } else {
                idem.to_string()
            },
            error: errors.join(" "),
            f: f.clone(),
        };
        return Ok((StatusCode::BAD_REQUEST, render(&page)).into_response());
    }
    let (Some(unit), Some(contact)) = (unit, contact) else {
        return Err(PageError(ApiError::internal()));
    };
    let submission = Submission {
        procedure: spec.code.clone(),
        intake: Intake::Online,
        competent_unit: competent.filter(|c| c != &unit),
        receiving_unit: unit,
        applicant: Applicant {
            name,
            personal_id,
            user: Some(user.clone()),
        },
        documents: spec
            .documents
            .iter()
            .filter(|d| d.mandatory)
            .map(|d| ReceivedDocument {
                name_vi: d.name_vi.clone(),
                form: d.form,
                count: d.count,
            })
            .collect(),
        contact: (!contact.is_empty()).then_some(contact),
        application_data: values,
    };
    let applied = state
        .engine
        .submit(
            submission,
            applicant_actor(&user),
            now(),
            Some(format!("portal-submit:{user}:{idem}")),
        )
        .await
        .map_err(|e| PageError(e.into()))?;
    Ok(see_other(&format!("/ho-so-cua-toi/{}", applied.code)))
}

fn idem_ok(idem: &str) -> bool {
    let idem = idem.trim();
    !idem.is_empty() && idem.len() <= 100
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

fn dossier_not_found() -> PageError {
    PageError(ApiError::not_found(
        "dossier_not_found",
        "Không có hồ sơ này.",
        "No such dossier.",
    ))
}

/// The citizen's own dossier; anyone else's (or none) is a 404.
async fn own_dossier(
    state: &AppState,
    code: &str,
    user: &UserId,
) -> Result<(DossierCode, Dossier, u64), PageError> {
    let code = DossierCode::parse(code).map_err(|_| dossier_not_found())?;
    let st = state
        .store
        .dossier(&code)
        .await?
        .ok_or_else(dossier_not_found)?;
    let version = st.version;
    let d = st
        .dossier
        .filter(|d| d.applicant.user.as_ref() == Some(user))
        .ok_or_else(dossier_not_found)?;
    Ok((code, d, version))
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

#[derive(Template)]
#[template(path = "citizen_pay.html")]
struct PayPage {
    c: Ctx,
    code: String,
    amount: String,
    description: String,
    provider: &'static str,
    idem: String,
}

/// `/ho-so-cua-toi/{code}/thanh-toan`: the payment's confirmation page.
pub async fn pay_form(
    State(state): State<AppState>,
    l: Lang,
    session: MaybeSession,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let Some((_, user)) = citizen(&session) else {
        return Ok(login_redirect(&format!("/ho-so-cua-toi/{code}/thanh-toan")));
    };
    let (code, d, _) = own_dossier(&state, &code, &user).await?;
    let Some(p) = d
        .payment
        .as_ref()
        .filter(|_| d.status == Status::AwaitingPayment)
    else {
        return Ok(see_other(&format!("/ho-so-cua-toi/{code}")));
    };
    Ok(render(&PayPage {
        c: Ctx::new(l, &format!("/ho-so-cua-toi/{code}/thanh-toan"), session),
        code: code.to_string(),
        amount: vnd(p.amount_vnd),
        description: p.description.clone(),
        provider: state.payments.name(),
        idem: random_key()?,
    }))
}

#[derive(Deserialize)]
pub struct PayForm {
    #[serde(default)]
    idem: String,
}

/// `POST /ho-so-cua-toi/{code}/thanh-toan`: pays through the provider and
/// records the payment (the `system` actor confirms the amount requested).
pub async fn pay(
    State(state): State<AppState>,
    session: MaybeSession,
    Path(code): Path<String>,
    Form(f): Form<PayForm>,
) -> Result<Response, PageError> {
    let Some((_, user)) = citizen(&session) else {
        return Ok(login_redirect("/ho-so-cua-toi"));
    };
    let (code, d, _) = own_dossier(&state, &code, &user).await?;
    let Some(p) = d
        .payment
        .as_ref()
        .filter(|_| d.status == Status::AwaitingPayment)
    else {
        return Err(PageError(ApiError::new(
            StatusCode::CONFLICT,
            "no_payment_due",
            "Hồ sơ không chờ thanh toán.",
            "The dossier awaits no payment.",
        )));
    };
    let idem = f.idem.trim();
    if idem.is_empty() || idem.len() > 100 {
        return Err(PageError(ApiError::bad_request(
            "invalid_form",
            "Biểu mẫu đã hết hạn, hãy tải lại trang.",
            "The form has expired; reload the page.",
        )));
    }
    let order = PaymentOrder {
        dossier: code.clone(),
        amount_vnd: p.amount_vnd,
        description: p.description.clone(),
        idempotency_key: format!("{user}:{idem}"),
    };
    let receipt = state.payments.pay(&order, now()).await.map_err(|e| {
        PageError(ApiError::new(
            StatusCode::BAD_GATEWAY,
            "payment_failed",
            "Thanh toán không thành công, hãy thử lại.",
            e.to_string(),
        ))
    })?;
    let system = Actor::new(
        Role::System,
        UserId::parse("hethong.thanhtoan").map_err(|_| PageError(ApiError::internal()))?,
        None,
    );
    state
        .engine
        .act(
            &code,
            None,
            Action::ConfirmPayment {
                amount_vnd: p.amount_vnd,
                receipt: receipt.receipt,
            },
            system,
            now(),
            Some(format!("portal-pay:{user}:{idem}")),
        )
        .await
        .map_err(|e| PageError(e.into()))?;
    Ok(see_other(&format!("/ho-so-cua-toi/{code}")))
}
