//! The counter's intake of a paper dossier: the procedure's components
//! as a checklist, the scans, and the decision.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use motcua_domain::dossier::{
    Actor, Applicant, DocumentKind, PersonalId, ReceivedDocument, Role, Status,
};
use motcua_domain::procedure::{DocumentForm, ProcedureCode};
use motcua_engine::Action;
use motcua_store::Intake;
use serde::Deserialize;
use serde_json::Value;

use super::{auth_actor, choice_query, login_to, official, RoleChoice};
use crate::auth::session::{self, MaybeSession};
use crate::auth::AuthContext;
use crate::error::ApiError;
use crate::pages::ui::{now, Ctx, Lang};
use crate::pages::{render, PageError};
use crate::AppState;

mod form_body;

/// A line of the counter's checklist: a component of the procedure.
pub struct CheckRow {
    index: usize,
    name: String,
    mandatory: bool,
    /// Ticked as handed in (a refused post keeps what was ticked).
    received: bool,
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
    /// The procedure's application form (HTML, see [`crate::pages::application_form`]).
    tk: String,
    /// What a refused post had typed (empty on a fresh form).
    typed: Typed,
    /// The procedure may be received outside its commune: the province's
    /// communes, as (unit id, name), to pick the one that decides.
    deciding: Vec<(String, String)>,
}

/// The intake form's fields as posted, shown again when it is refused.
#[derive(Default)]
pub struct Typed {
    ho_ten: String,
    so_dinh_danh: String,
    email: String,
    dien_thoai: String,
    buu_chinh: bool,
    so_trang: String,
    quyet_dinh: String,
    ly_do: String,
    don_vi_giai_quyet: String,
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
    /// `document_too_large`: a scan over the upload limit, refused before
    /// the form was read (`crate::limits`).
    loi: Option<String>,
}

/// The receiving officer of the session (the counter's pages are theirs).
pub(in crate::pages) fn receiving_officer(
    s: &AuthContext,
    choice: &RoleChoice,
) -> Result<Actor, PageError> {
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
                    received: false,
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
                crate::pages::application_form::render(
                    &p.form,
                    l,
                    &Default::default(),
                    &[],
                    &intake_communes(state, actor),
                    None,
                )
            })
            .unwrap_or_default(),
        typed: Typed::default(),
        deciding: match chosen {
            Some(p) if p.spec().boundary_free => deciding_communes(state, actor),
            _ => Vec::new(),
        },
        c,
    })
}

/// The communes in force of the officer's province, for the form's pickers.
/// The communes of the counter's province as dossier units ("04.01279"),
/// for the deciding commune of a boundary-free receipt.
fn deciding_communes(state: &AppState, actor: &Actor) -> Vec<(String, String)> {
    let province = actor
        .unit
        .as_ref()
        .map(|u| u.province_code().to_string())
        .unwrap_or_default();
    intake_communes(state, actor)
        .into_iter()
        .map(|(code, name)| (format!("{province}.{code}"), name))
        .collect()
}

fn intake_communes(state: &AppState, actor: &Actor) -> Vec<(String, String)> {
    let province = actor
        .unit
        .as_ref()
        .map(|u| u.province_code().to_string())
        .unwrap_or_default();
    crate::pages::application_form::communes(&state.registry, &province, state.today())
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
    let error = crate::limits::oversized_upload_message(l, q.loi.as_deref()).unwrap_or_default();
    let page = intake_page(
        &state,
        c,
        &actor,
        q.thu_tuc.as_deref().unwrap_or_default(),
        error,
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
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to("/can-bo/tiep-nhan"));
    };
    let invalid = || {
        PageError(ApiError::bad_request(
            "invalid_form",
            "Biểu mẫu không hợp lệ.",
            "Not a valid form.",
        ))
    };
    let form = form.map_err(|_| invalid())?;
    let owned = form_body::read(
        form,
        motcua_engine::MAX_DOCUMENT_BYTES,
        crate::limits::UPLOAD_BODY_BYTES,
    )
    .await
    .ok_or_else(invalid)?;
    let parts = form_body::borrowed(&owned);
    let field = |n: &str| session::text_field(&parts, n);
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
    let contact =
        crate::pages::contact::typed(l, &field("email"), &field("dien_thoai"), &mut errors);
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
        let file = format!("tep_{i}");
        let scan = parts
            .iter()
            .find(|p| p.name == file && p.filename.is_some())
            .filter(|p| !p.data.is_empty() || form_body::too_large(&owned, &file));
        if let Some(f) = scan {
            let accepted = infer::get(f.data)
                .map(|t| t.mime_type())
                .is_some_and(|m| motcua_engine::ACCEPTED_MEDIA_TYPES.contains(&m));
            if !accepted || form_body::too_large(&owned, &file) {
                errors.push(l.t(
                    "Tệp quét phải là PDF, JPEG, PNG, TIFF hoặc WebP, tối đa 20 MB.",
                    "A scan must be a PDF, JPEG, PNG, TIFF or WebP file of at most 20 MB.",
                ));
            } else {
                scans.push((i, d.name_vi.clone(), f.data.to_vec()));
            }
        }
    }
    // Boundary-free: the commune that decides, picked from the province's.
    let picked = field("don_vi_giai_quyet");
    let competent = if picked.is_empty() || !spec.boundary_free {
        None
    } else {
        let u = motcua_domain::dossier::UnitId::parse(&picked)
            .ok()
            .filter(|u| {
                deciding_communes(&state, &actor)
                    .iter()
                    .any(|(id, _)| id == u.as_str())
            });
        if u.is_none() {
            errors.push(l.t(
                "Hãy chọn xã, phường giải quyết trong danh sách.",
                "Choose the deciding commune from the list.",
            ));
        }
        u
    };
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
    let mut posted = crate::pages::application_form::Posted::from_fields(&texts);
    let converted =
        crate::pages::application_form::convert(&state.registry, &spec.form, &mut posted, l);
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
    let (Some(decision), true, Some(contact), None) =
        (decision, errors.is_empty(), contact, converted.as_ref())
    else {
        let c = Ctx::new(l, "/can-bo/tiep-nhan", MaybeSession(Some(s.clone())));
        let error = if converted.is_some() {
            String::new()
        } else {
            errors.join(" ")
        };
        let mut page = intake_page(&state, c, &actor, &code, error).await?;
        page.typed = Typed {
            ho_ten: field("ho_ten"),
            so_dinh_danh: pid.clone(),
            email: field("email"),
            dien_thoai: field("dien_thoai"),
            buu_chinh: !field("buu_chinh").is_empty(),
            so_trang: field("so_trang"),
            quyet_dinh: field("quyet_dinh"),
            ly_do: reason.clone(),
            don_vi_giai_quyet: picked.clone(),
        };
        for r in &mut page.rows {
            r.received = !field(&format!("nhan_{}", r.index)).is_empty();
            if let Ok(n) = field(&format!("so_{}", r.index)).parse::<u32>() {
                r.count = n.clamp(1, 100);
            }
            if let Ok(f) = serde_json::from_value::<DocumentForm>(Value::String(field(&format!(
                "ban_{}",
                r.index
            )))) {
                r.form = form_code(f);
            }
        }
        page.tk = crate::pages::application_form::render(
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
    let key = format!("counter-intake:{}:{idem}", actor.user);
    let submission = motcua_engine::Submission {
        procedure: spec.code.clone(),
        intake: if field("buu_chinh").is_empty() {
            Intake::Counter
        } else {
            Intake::Post
        },
        competent_unit: competent.filter(|c| c != &unit),
        receiving_unit: unit,
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
