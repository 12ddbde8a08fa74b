//! Tài liệu trên trang hồ sơ của cán bộ — the documents an official
//! attaches from the dossier page: the clerical office (or the leader)
//! attaches the result file (the signed decision, certificate or extract,
//! an electronic original) for a result returned online; the counter
//! scans the paper a citizen brings for a supplement. The return of an
//! online dossier's result defaults to online. A refusal is shown on the
//! dossier page, at the form that caused it (`?loi=<code>`, a code whose
//! message comes from the engine or the domain, never free text).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_domain::dossier::{
    Channel, DocumentKind, Dossier, DossierError, ReturnWay, Role, Status,
};
use motcua_domain::procedure::StepKind;
use motcua_engine::{EngineError, Upload};

use super::super::{
    auth_actor, choice_query, dossier_code, hidden, login_to, official, RoleChoice,
};
use super::ActionForm;
use crate::auth::session::{multipart_boundary, multipart_parts, text_field, MaybeSession};
use crate::error::ApiError;
use crate::pages::ui::{now, urlencode, Lang};
use crate::pages::PageError;
use crate::AppState;

/// An upload form offered on the dossier page.
pub struct UploadOffer {
    /// `ket_qua` (the result) or `bo_sung` (a supplement's scan).
    pub kind: &'static str,
    pub title: &'static str,
    pub hint: &'static str,
    /// The name the document starts with.
    pub name: &'static str,
}

/// What `role` may attach to `d` from the page: the result at the
/// clerical step (or once the result is ready) for the clerical office and
/// the leader, a supplement's scan for the receiving officer while the
/// dossier awaits one. The domain decides in the end.
pub(super) fn upload_offer(l: Lang, role: Role, d: &Dossier) -> Option<UploadOffer> {
    let step = d.current_step().map(|s| s.kind);
    match (role, d.status) {
        (Role::Clerical | Role::Leader, Status::ResultReady)
        | (Role::Clerical | Role::Leader, Status::Processing)
            if d.status == Status::ResultReady
                || matches!(step, Some(StepKind::Clerical | StepKind::Approve)) =>
        {
            Some(UploadOffer {
                kind: "ket_qua",
                title: l.t(
                    "Đính kèm kết quả điện tử (bản đã ký số)",
                    "Attach the electronic result (the signed file)",
                ),
                hint: l.t(
                    "Người nộp tải kết quả này tại trang hồ sơ của mình.",
                    "The applicant downloads it from their dossier page.",
                ),
                name: l.t("Kết quả giải quyết", "Result"),
            })
        }
        (Role::ReceivingOfficer, Status::AwaitingSupplement) => Some(UploadOffer {
            kind: "bo_sung",
            title: l.t("Giấy tờ bổ sung (bản quét)", "Supplement documents (scan)"),
            hint: l.t(
                "Quét giấy tờ người nộp mang đến, tải lên, rồi bấm «Đã nhận hồ sơ bổ sung».",
                "Scan the papers brought in, upload them, then press “Supplement received”.",
            ),
            name: l.t("Giấy tờ bổ sung", "Supplement"),
        }),
        _ => None,
    }
}

/// The field of Mẫu 02's documents asked for, one per line of the list
/// typed (separated by `;`).
pub(super) fn missing_field(l: Lang) -> super::Field {
    super::Field {
        name: "documents",
        label: l.t(
            "Giấy tờ cần bổ sung (cách nhau bằng dấu ;)",
            "Documents needed (separated by ;)",
        ),
        kind: "text",
        options: Vec::new(),
        required: false,
        value: String::new(),
    }
}

/// The documents typed in [`missing_field`], each trimmed, none empty.
pub(super) fn missing_list(typed: &str) -> Vec<String> {
    typed
        .split([';', '\n'])
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.chars().take(200).collect())
        .collect()
}

/// The return form's default (its first option) is the dossier's
/// ([`Channel::default_return_way`]): online for an online dossier.
pub(super) fn return_way_default(
    mut actions: Vec<ActionForm>,
    channel: Channel,
) -> Vec<ActionForm> {
    let first = match channel.default_return_way() {
        ReturnWay::Online => "online",
        ReturnWay::Post => "post",
        ReturnWay::Counter => "counter",
    };
    for a in actions.iter_mut().filter(|a| a.action == "return_result") {
        for f in a.fields.iter_mut().filter(|f| f.name == "way") {
            if let Some(i) = f.options.iter().position(|(v, _)| v == first) {
                let o = f.options.remove(i);
                f.options.insert(0, o);
            }
        }
    }
    actions
}

/// A message shown on the dossier page, and at which form.
pub struct Notice {
    /// `upload` or `act`.
    pub at: &'static str,
    pub message: String,
}

/// The refusals the dossier page shows at their form, by code.
const SHOWN: [&str; 5] = [
    "supplement_without_document",
    "result_file_missing",
    "empty_document",
    "document_too_large",
    "unsupported_media_type",
];

/// `?loi=<code>`: a refusal to show on the dossier page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Shown {
    loi: Option<String>,
}

/// The message of `?loi=<code>` (a code of [`SHOWN`]; any other is ignored).
pub(super) fn notice(l: Lang, shown: &Shown) -> Option<Notice> {
    let code = shown.loi.as_deref();
    let code = SHOWN.into_iter().find(|c| Some(*c) == code)?;
    let act = match code {
        "supplement_without_document" => Some(DossierError::SupplementWithoutDocument),
        "result_file_missing" => Some(DossierError::ResultFileMissing),
        _ => None,
    };
    let (at, vi, en) = if let Some(e) = act {
        ("act", e.message_vi(), e.to_string())
    } else {
        let e = EngineError::InvalidDocument(code);
        ("upload", e.message_vi(), e.to_string())
    };
    Some(Notice {
        at,
        message: l.t(&vi, &en).to_string(),
    })
}

/// Back to the page with the refusal shown, when it is one of [`SHOWN`].
pub(super) fn shown_refusal(back: &str, e: &ApiError) -> Option<Response> {
    SHOWN.contains(&e.code).then(|| {
        let sep = if back.contains('?') { '&' } else { '?' };
        see_other(&format!("{back}{sep}loi={}#loi", e.code))
    })
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// `POST /can-bo/ho-so/{code}/tai-lieu` (multipart: `csrf_token`, checked
/// by the session layer; `vai_tro`, `don_vi`; `loai` = `ket_qua` or
/// `bo_sung`; `ten`; `tep`, the file): attaches the document, then back
/// to the dossier page.
pub async fn attach(
    State(state): State<AppState>,
    session: MaybeSession,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let Some(s) = official(&session) else {
        return Ok(login_to(&format!("/can-bo/ho-so/{}", urlencode(&code))));
    };
    let code = dossier_code(&code)?;
    let visible = state
        .store
        .dossier(&code)
        .await?
        .and_then(|st| st.dossier)
        .is_some_and(|d| s.principal.sees(&(&d).into()));
    if !visible {
        return Err(hidden(&code));
    }
    let invalid = || {
        PageError(ApiError::bad_request(
            "invalid_form",
            "Biểu mẫu gửi tệp không hợp lệ.",
            "Not a file upload form.",
        ))
    };
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart_boundary)
        .ok_or_else(invalid)?;
    let parts = multipart_parts(&body, &boundary);
    let field = |n: &str| text_field(&parts, n);
    let choice = RoleChoice {
        vai_tro: Some(field("vai_tro")),
        don_vi: Some(field("don_vi")),
    };
    let actor = auth_actor(&s, &choice)?;
    let back = format!("/can-bo/ho-so/{code}{}", choice_query(&actor));
    let (kind, electronic) = match field("loai").as_str() {
        "ket_qua" => (DocumentKind::Result, true),
        "bo_sung" => (DocumentKind::Digitized, false),
        _ => return Err(invalid()),
    };
    let file = parts
        .iter()
        .find(|p| p.name == "tep" && p.filename.is_some())
        .filter(|f| !f.data.is_empty());
    let Some(file) = file else {
        let e: ApiError = EngineError::InvalidDocument("empty_document").into();
        return shown_refusal(&back, &e).ok_or(PageError(e));
    };
    let mut name: String = field("ten").chars().take(200).collect();
    if name.is_empty() {
        name = file.filename.clone().unwrap_or_default();
    }
    let upload = Upload {
        name,
        kind,
        electronic,
        bytes: file.data.to_vec(),
    };
    match state
        .engine
        .attach(&code, None, upload, actor, now(), None)
        .await
    {
        Ok(_) => Ok(see_other(&format!("{back}#tai-lieu"))),
        Err(e) => {
            let e: ApiError = e.into();
            shown_refusal(&back, &e).ok_or(PageError(e))
        }
    }
}
