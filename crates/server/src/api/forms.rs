//! Biểu mẫu — the printable forms of a dossier (Circular 03/2025/TT-VPCP,
//! Appendix I) as PDF, filled from the dossier's state and events.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::calendar::to_vietnam_local;
use motcua_domain::dossier::{vietnam_date, ChainedEvent, DossierCode, EventData, UnitId};
use motcua_domain::procedure::FeeAmount;
use motcua_domain::units::UnitCode;
use motcua_forms as forms;

use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

fn local(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    to_vietnam_local(&t)
}

/// "Phường Nùng Trí Cao" and "Cao Bằng" for a unit id such as "04.01279"
/// (a commune) or "04" (the province).
fn unit_names(state: &AppState, unit: &UnitId, on: NaiveDate) -> (String, String) {
    let id = unit.to_string();
    let (province, commune) = match id.split_once('.') {
        Some((p, c)) => (p.to_string(), Some(c.to_string())),
        None => (id.clone(), None),
    };
    let name_of = |code: &str| {
        UnitCode::parse(code)
            .ok()
            .and_then(|c| state.registry.unit_at(&c, on))
            .map(|u| (u.name.clone(), u.short_name.clone()))
    };
    let (province_name, province_short) =
        name_of(&province).unwrap_or_else(|| (id.clone(), id.clone()));
    let unit_name = commune
        .and_then(|c| name_of(&c))
        .map(|(n, _)| n)
        .unwrap_or(province_name);
    (unit_name, province_short)
}

fn heading(state: &AppState, unit: &UnitId, date: NaiveDate) -> forms::Heading {
    let (name, place) = unit_names(state, unit, date);
    forms::Heading {
        parent: format!("Ủy ban nhân dân\n{}", lower_first(&name)),
        unit: format!("Trung tâm Phục vụ hành chính công\n{}", lower_first(&name)),
        number: None,
        place,
        date,
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The last event of a kind, with its reason.
/// The name of the official who recorded `e` (printed under the
/// signature), or None when the system or the applicant did.
async fn officer_of(state: &AppState, e: Option<&motcua_domain::dossier::Event>) -> Option<String> {
    let e = e.filter(|e| e.actor.role.is_staff())?;
    Some(crate::pages::names::official_name(state, &e.actor.user).await)
}

fn last(
    events: &[ChainedEvent],
    pick: impl Fn(&EventData) -> bool,
) -> Option<&motcua_domain::dossier::Event> {
    events
        .iter()
        .rev()
        .map(|e| &e.event)
        .find(|e| pick(&e.data))
}

fn no_such_form(form: &str) -> ApiError {
    ApiError::not_found(
        "form_not_available",
        format!("Mẫu {form} không có cho hồ sơ này (hồ sơ chưa ở bước tương ứng)."),
        format!("Form {form} does not exist for this dossier (not at that stage)."),
    )
}

/// A form of a dossier as PDF: `01` receipt and appointment, `02`
/// supplement request, `03` refusal, `04` apology and new appointment, `05`
/// stop notice, `06` control sheet.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/forms/{form}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"),
           ("form" = String, Path, description = "01, 02, 03, 04, 05 or 06")),
    responses((status = 200, description = "PDF", content_type = "application/pdf"),
              (status = 400, body = crate::error::Problem), (status = 401, body = crate::error::Problem),
              (status = 404, description = "form_not_available, or dossier_not_found (also outside the session's scope)", body = crate::error::Problem)))]
pub async fn form_pdf(
    State(state): State<AppState>,
    Path((code, form)): Path<(String, String)>,
    viewer: Viewer,
) -> ApiResult<Response> {
    let code = DossierCode::parse(&code).map_err(|e| {
        ApiError::bad_request(
            "invalid_dossier_code",
            format!("Mã hồ sơ không hợp lệ: {code:?}."),
            e.to_string(),
        )
    })?;
    let now = Utc::now();
    let view = state.engine.view(&code, now).await?;
    if !viewer.sees(&view.dossier) {
        return Err(motcua_engine::EngineError::DossierNotFound(code.to_string()).into());
    }
    let events = state.store.events(&code).await?;
    let d = &view.dossier;
    let today = vietnam_date(now);
    let applicant: forms::Applicant = (&d.applicant).into();
    let procedure = d.procedure.name_vi.clone();
    let tracking_url = state.site.tracking(&code.to_string());
    let opened = events.first().map(|e| &e.event);
    let documents: Vec<forms::ReceivedDocument> = match opened.map(|e| &e.data) {
        Some(EventData::Submitted(o) | EventData::Received(o)) => {
            o.documents.iter().map(Into::into).collect()
        }
        _ => Vec::new(),
    };
    let pdf = match form.as_str() {
        "01" => {
            let (Some(accepted), Some(due)) = (d.accepted_at, d.original_due) else {
                return Err(no_such_form(&form));
            };
            let full = state
                .store
                .procedure(&d.procedure.code, vietnam_date(accepted))
                .await?;
            let fee = full
                .as_ref()
                .and_then(|p| p.fees.first().map(|f| f.amount))
                .map(|a| match a {
                    FeeAmount::Vnd(n) => forms::Fee::Vnd(n),
                    FeeAmount::SetByProvincialCouncil => {
                        forms::Fee::Text("Theo mức Hội đồng nhân dân tỉnh quy định".into())
                    }
                })
                .unwrap_or(forms::Fee::None);
            let h = heading(&state, &d.receiving_unit, vietnam_date(accepted));
            let place = h.unit.replace('\n', " ");
            forms::receipt_slip(&forms::ReceiptSlip {
                heading: h,
                dossier_code: code.to_string(),
                tracking_url,
                applicant,
                procedure,
                procedure_code: Some(d.procedure.code.to_string()),
                documents,
                sets: 1,
                processing_time: full.as_ref().and_then(|p| p.time_limit_text_vi.clone()),
                received_at: local(accepted),
                appointment: local(due),
                appointment_note: Some(crate::pages::provisional_note(
                    &state,
                    crate::pages::ui::Lang::Vi,
                    d,
                ))
                .filter(|n| !n.is_empty()),
                return_place: place,
                return_way: d
                    .return_way
                    .unwrap_or(d.channel.default_return_way())
                    .into(),
                fee,
                register_entry: None,
                receiver: officer_of(
                    &state,
                    last(&events, |x| matches!(x, EventData::Accepted { .. })),
                )
                .await,
                application_data: crate::pages::application_form::sections(
                    &state.registry,
                    &d.procedure.form,
                    d.application_data.as_ref(),
                    vietnam_date(d.submitted_at),
                ),
            })
        }
        "02" => {
            let e = last(&events, |x| {
                matches!(x, EventData::SupplementRequested { .. })
            })
            .ok_or_else(|| no_such_form(&form))?;
            let items = match &e.data {
                EventData::SupplementRequested { documents } => documents.clone(),
                _ => Vec::new(),
            };
            forms::supplement_request(&forms::SupplementRequest {
                heading: heading(&state, &d.receiving_unit, vietnam_date(e.at)),
                dossier_code: Some(code.to_string()),
                applicant,
                procedure,
                received_at: Some(local(d.submitted_at)),
                items,
                reason: e.reason.clone().unwrap_or_default(),
                contact: None,
                officer: officer_of(&state, Some(e)).await,
            })
        }
        "03" => {
            let e = last(&events, |x| matches!(x, EventData::Refused {}))
                .ok_or_else(|| no_such_form(&form))?;
            forms::refusal(&forms::Refusal {
                heading: heading(&state, &d.receiving_unit, vietnam_date(e.at)),
                dossier_code: Some(code.to_string()),
                applicant,
                procedure,
                reason: e.reason.clone().unwrap_or_default(),
                officer: officer_of(&state, Some(e)).await,
            })
        }
        "04" => {
            let e = last(&events, |x| matches!(x, EventData::LateNotified { .. }))
                .ok_or_else(|| no_such_form(&form))?;
            let EventData::LateNotified {
                original_appointment,
                new_appointment,
            } = &e.data
            else {
                return Err(no_such_form(&form));
            };
            forms::apology(&forms::Apology {
                heading: heading(&state, &d.competent_unit, vietnam_date(e.at)),
                addressee: d.applicant.name.clone(),
                personal_id: applicant.personal_id.clone(),
                received_on: vietnam_date(d.accepted_at.unwrap_or(d.submitted_at)),
                procedure,
                dossier_code: code.to_string(),
                original_appointment: local(*original_appointment),
                reason: e.reason.clone().unwrap_or_default(),
                new_appointment: local(*new_appointment),
                signer: forms::Signer {
                    title: "Chủ tịch".into(),
                    name: None,
                },
                recipients: vec!["Như trên".into(), "Lưu: VT".into()],
            })
        }
        "05" => {
            let e = last(&events, |x| {
                matches!(x, EventData::Withdrawn {} | EventData::Stopped {})
            })
            .ok_or_else(|| no_such_form(&form))?;
            forms::stop_notice(&forms::StopNotice {
                heading: heading(&state, &d.competent_unit, vietnam_date(e.at)),
                addressee: d.applicant.name.clone(),
                personal_id: applicant.personal_id.clone(),
                received_on: vietnam_date(d.accepted_at.unwrap_or(d.submitted_at)),
                procedure,
                dossier_code: code.to_string(),
                // Both a withdrawal and a stop answer the applicant's request.
                basis: Some("Theo đề nghị dừng giải quyết của người nộp hồ sơ".to_string()),
                reason: e.reason.clone().unwrap_or_default(),
                note: None,
                signer: forms::Signer {
                    title: "Chủ tịch".into(),
                    name: None,
                },
                recipients: vec!["Như trên".into(), "Lưu: VT".into()],
            })
        }
        "06" => {
            let received = d.accepted_at.unwrap_or(d.submitted_at);
            let rows = view
                .control_sheet
                .iter()
                .map(|r| forms::ControlRow {
                    agency: match &r.agency {
                        motcua_domain::procedure::AgencyRef::ReceivingCenter => {
                            "Trung tâm Phục vụ hành chính công".to_string()
                        }
                        motcua_domain::procedure::AgencyRef::Competent => {
                            unit_names(&state, &d.competent_unit, today).0
                        }
                        motcua_domain::procedure::AgencyRef::External(k) => k.clone(),
                    },
                    step: r.label_vi.clone().or_else(|| Some(r.kind.clone())),
                    officer: None,
                    received_at: Some(r.received_at.naive_local()),
                    handed_over_at: r.handed_over_at.map(|t| t.naive_local()),
                    result: r.timeliness.map(Into::into),
                    note: r.sent_back.then(|| "Trả lại để thẩm định lại".to_string()),
                })
                .collect();
            forms::control_sheet(&forms::ControlSheet {
                heading: heading(&state, &d.receiving_unit, today),
                dossier_code: code.to_string(),
                applicant: d.applicant.name.clone(),
                procedure,
                received_at: local(received),
                appointment: local(d.original_due.or(d.due).unwrap_or(received)),
                new_appointment: d.new_appointment.map(local),
                rows,
            })
        }
        other => {
            return Err(ApiError::bad_request(
                "invalid_form",
                format!("Không có mẫu {other:?} (01–06)."),
                format!("No form {other:?}: expected 01 to 06."),
            ))
        }
    }
    .map_err(|e| {
        tracing::error!(error = %e, "form rendering failed");
        ApiError::internal()
    })?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/pdf"),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::headers::content_disposition(
                    crate::headers::Disposition::Inline,
                    &format!("mau-{form}-{code}.pdf"),
                ),
            ),
        ],
        pdf,
    )
        .into_response())
}
