//! The citizen's supplement (Mẫu 02) and the online result, through the
//! pages: the officer asks for a supplement with a reason and documents;
//! the citizen reads them on their own page and in the SMS, downloads
//! Mẫu 02, is refused "supplement provided" without a new document (on the
//! form, in Vietnamese and English), uploads and provides; the counter
//! does the same with a scan. The clerical office attaches the electronic
//! result, the return defaults to online, and only the applicant
//! downloads it (never an official's scan); without that file the online
//! return is refused on its form.

use motcua_domain::dossier::{Actor, DossierCode, Role, Status, UnitId, UserId};
use motcua_domain::procedure::{AgencyRef, StepKind};
use motcua_store::outbox::{NotificationKind, OutboxQuery};
use serde_json::json;

use super::{App, Page, PDF};

const UNIT: &str = "04.01279";
const REASON: &str = "Thiếu giấy chứng sinh bản chính";

impl App {
    /// An online birth registration by `user`, with `phone` as its contact.
    async fn submit_with_phone(&self, user: &str, phone: &str) -> DossierCode {
        let submission = serde_json::from_value(json!({
            "procedure": "1.001193",
            "intake": "online",
            "receiving_unit": UNIT,
            "applicant": {"name": "Hoàng Văn Bình", "personal_id": "004190000777", "user": user},
            "documents": [{"name_vi": "Tờ khai", "form": "original", "count": 1}],
            "contact": {"phone": phone}
        }))
        .expect("a submission");
        let actor = Actor::new(Role::Applicant, UserId::parse(user).expect("user"), None);
        self.state
            .engine
            .submit(submission, actor, chrono::Utc::now(), None)
            .await
            .expect("submitted")
            .code
    }

    async fn status_of(&self, code: &DossierCode) -> Status {
        self.state
            .store
            .dossier(code)
            .await
            .expect("read")
            .and_then(|s| s.dossier)
            .expect("a dossier")
            .status
    }

    /// Posts a multipart form with one file `tep` (or none when `file` is
    /// empty).
    async fn post_file(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
        file: &[u8],
    ) -> Page {
        let files: Vec<(&str, &str, &[u8])> = if file.is_empty() {
            Vec::new()
        } else {
            vec![("tep", "giay-to.pdf", file)]
        };
        self.multipart(path, cookie, fields, &files).await
    }
}

fn staff(role: Role, user: &str) -> Actor {
    Actor::new(
        role,
        UserId::parse(user).expect("user"),
        Some(UnitId::parse(UNIT).expect("unit")),
    )
}

async fn supplement_paths(app: &App) {
    let (citizen, user) = app.citizen_login("0912000333").await;
    let code = app.submit_with_phone(&user, "0912000333").await;
    let page_path = format!("/ho-so-cua-toi/{code}");

    // The counter asks for a supplement on the official page, naming the
    // documents.
    let counter = app.official_login("tiepnhan.01279").await;
    let official = format!("/can-bo/ho-so/{code}");
    let page = app.get(&official, &counter).await;
    assert!(
        page.body.contains("request_supplement-documents"),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let asked = app
        .post(
            &official,
            &counter,
            &[
                ("csrf_token", &csrf),
                ("action", "request_supplement"),
                ("reason", REASON),
                ("documents", "Giấy chứng sinh; Bản sao sổ hộ khẩu"),
            ],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    assert_eq!(app.status_of(&code).await, Status::AwaitingSupplement);

    // The SMS carries the reason and the link to the citizen's own page.
    let rows = app
        .state
        .store
        .notifications(&OutboxQuery {
            dossier: Some(code.clone()),
            ..OutboxQuery::default()
        })
        .await
        .expect("outbox");
    let row = rows
        .iter()
        .find(|n| n.kind == NotificationKind::SupplementRequested)
        .expect("the supplement's notification");
    let sms = motcua_notify::render(row, &motcua_notify::TemplateContext::default()).sms;
    assert!(
        sms.contains("Ly do: Thieu giay chung sinh ban chinh."),
        "{sms}"
    );
    assert!(sms.contains(&format!("/ho-so-cua-toi/{code}")), "{sms}");

    // The citizen's page: the reason, the documents asked for, Mẫu 02.
    let mine = app.get(&page_path, &citizen).await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains(REASON), "{}", mine.body);
    assert!(mine.body.contains("<li>Giấy chứng sinh</li>"));
    assert!(mine.body.contains("<li>Bản sao sổ hộ khẩu</li>"));
    assert!(mine.body.contains("id=\"chua-bo-sung\""));
    assert!(mine.body.contains(&format!("/ho-so-cua-toi/{code}/mau/02")));
    let form = app
        .http
        .get(format!("{}/ho-so-cua-toi/{code}/mau/02", app.base))
        .header("cookie", &citizen)
        .send()
        .await
        .expect("Mẫu 02");
    assert_eq!(form.status(), 200);
    assert_eq!(
        form.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert!(form.bytes().await.expect("bytes").starts_with(b"%PDF-"));
    let (stranger, _) = app.citizen_login("0912000444").await;
    let theirs = app
        .get(&format!("/ho-so-cua-toi/{code}/mau/02"), &stranger)
        .await;
    assert_eq!(theirs.status, 404, "another citizen's form");
    assert_eq!(
        app.get(&format!("/ho-so-cua-toi/{code}/mau/06"), &citizen)
            .await
            .status,
        404,
        "the control sheet is the officials'"
    );
    let anonymous = app.get(&format!("/ho-so-cua-toi/{code}/mau/02"), "").await;
    assert_eq!(anonymous.status, 303);

    // "Supplement provided" without a new document: refused on the form,
    // in Vietnamese, then in English.
    let csrf = mine.csrf();
    let provide = [
        ("csrf_token", csrf.as_str()),
        ("action", "provide_supplement"),
    ];
    let refused = app.post(&page_path, &citizen, &provide).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("id=\"loi\""));
    assert!(refused
        .body
        .contains("Hãy tải lên ít nhất một giấy tờ bổ sung mới"));
    assert!(
        refused.body.contains("id=\"do-provide_supplement\""),
        "the form is still there"
    );
    let english = app
        .post(&page_path, &format!("{citizen}; lang=en"), &provide)
        .await;
    assert!(english
        .body
        .contains("attach at least one new document of the supplement"));
    assert_eq!(app.status_of(&code).await, Status::AwaitingSupplement);

    // An upload without a file is refused on the upload form.
    let up = format!("{page_path}/tai-lieu");
    let empty = app
        .post_file(
            &up,
            &citizen,
            &[("csrf_token", &csrf), ("ten", "Giấy chứng sinh")],
            b"",
        )
        .await;
    assert_eq!(empty.status, 400, "{}", empty.body);
    assert!(empty.body.contains("Hãy chọn một tệp để tải lên."));
    assert!(empty.body.contains("id=\"tai-len\""));
    // A file too large gets the same message on the upload form whether
    // it was read (21 MB) or refused before it was read (60 MB).
    let shown = |body: &str| {
        body.split("<p class=\"error\" id=\"loi\">")
            .nth(1)
            .and_then(|rest| rest.split("</p>").next())
            .map(str::to_string)
    };
    let read = app
        .post_file(
            &up,
            &citizen,
            &[("csrf_token", &csrf), ("ten", "Giấy chứng sinh")],
            &vec![b'%'; 21_000_000],
        )
        .await;
    assert_eq!(read.status, 413, "{}", read.body);
    let message = shown(&read.body).expect("the size message on the form");
    assert!(message.contains("MB"), "the limit is said: {message}");
    let huge = app
        .post_file(
            &up,
            &citizen,
            &[("csrf_token", &csrf), ("ten", "Giấy chứng sinh")],
            &vec![b'%'; 60_000_000],
        )
        .await;
    assert_eq!(
        huge.status, 303,
        "back to the form, not a problem document: {}",
        huge.body
    );
    assert_eq!(
        huge.location,
        format!("{page_path}?loi=document_too_large#loi")
    );
    let again = app
        .get(&format!("{page_path}?loi=document_too_large"), &citizen)
        .await;
    assert_eq!(shown(&again.body), Some(message), "{}", again.body);
    assert!(again.body.contains("id=\"tai-len\""));
    let uploaded = app
        .post_file(
            &up,
            &citizen,
            &[("csrf_token", &csrf), ("ten", "Giấy chứng sinh")],
            PDF,
        )
        .await;
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    let mine = app.get(&page_path, &citizen).await;
    assert!(mine.body.contains("id=\"da-bo-sung\""), "{}", mine.body);
    let provided = app.post(&page_path, &citizen, &provide).await;
    assert_eq!(provided.status, 303, "{}", provided.body);
    assert_eq!(app.status_of(&code).await, Status::Submitted);

    // At the counter: a second request, "received" refused on the page
    // until the paper is scanned.
    let csrf = app.get(&official, &counter).await.csrf();
    let again = app
        .post(
            &official,
            &counter,
            &[
                ("csrf_token", &csrf),
                ("action", "request_supplement"),
                ("reason", "Thiếu chữ ký"),
            ],
        )
        .await;
    assert_eq!(again.status, 303);
    let choice = [
        ("csrf_token", csrf.as_str()),
        ("action", "provide_supplement"),
    ];
    let refused = app.post(&official, &counter, &choice).await;
    assert_eq!(refused.status, 303);
    assert!(
        refused.location.contains("loi=supplement_without_document"),
        "{}",
        refused.location
    );
    let shown = app.get(&refused.location, &counter).await;
    assert!(shown.body.contains("id=\"loi\""), "{}", shown.body);
    assert!(shown
        .body
        .contains("Hãy tải lên ít nhất một giấy tờ bổ sung mới"));
    assert!(shown.body.contains("name=\"loai\" value=\"bo_sung\""));
    let forged = app
        .get(&format!("{official}?loi=%3Cb%3Ehi"), &counter)
        .await;
    assert!(
        !forged.body.contains("id=\"loi\""),
        "only known codes are shown"
    );
    let scan_path = format!("{official}/tai-lieu");
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("vai_tro", "receiving_officer"),
        ("don_vi", UNIT),
        ("loai", "bo_sung"),
        ("ten", "Tờ khai có chữ ký"),
    ];
    let no_file = app.post_file(&scan_path, &counter, &fields, b"").await;
    assert!(
        no_file.location.contains("loi=empty_document"),
        "{}",
        no_file.location
    );
    let huge = app
        .post_file(&scan_path, &counter, &fields, &vec![b'%'; 60_000_000])
        .await;
    assert_eq!(huge.status, 303, "{}", huge.body);
    assert_eq!(
        huge.location,
        format!("{official}?loi=document_too_large#loi")
    );
    let told = app
        .get(&format!("{official}?loi=document_too_large"), &counter)
        .await;
    assert!(told.body.contains("id=\"loi\""), "{}", told.body);
    let scanned = app
        .post_file(
            &scan_path,
            &counter,
            &fields,
            b"%PDF-1.4\n% the scan\n%%EOF\n",
        )
        .await;
    assert_eq!(scanned.status, 303, "{}", scanned.body);
    let done = app.post(&official, &counter, &choice).await;
    assert_eq!(done.status, 303);
    assert!(!done.location.contains("loi="), "{}", done.location);
    assert_eq!(app.status_of(&code).await, Status::Submitted);
    // The counter's scan is not the citizen's to download.
    let d = app
        .state
        .store
        .dossier(&code)
        .await
        .expect("read")
        .and_then(|s| s.dossier)
        .expect("a dossier");
    let scan = d
        .documents
        .last()
        .expect("the scan")
        .document
        .sha256
        .clone();
    let own = d.documents[0].document.sha256.clone();
    assert_eq!(
        app.get(&format!("{page_path}/tai-lieu/{scan}"), &citizen)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/documents/{scan}?dossier={code}"),
            &citizen
        )
        .await
        .status,
        404,
        "nor through the API"
    );
    assert_eq!(
        app.get(&format!("{page_path}/tai-lieu/{own}"), &citizen)
            .await
            .status,
        200,
        "their own upload"
    );
}

/// Drives the dossier with the engine to the clerical step.
async fn to_clerical(app: &App, code: &DossierCode) {
    let engine = &app.state.engine;
    let officer = staff(Role::ReceivingOfficer, "tiepnhan.01279");
    let act = |action, actor| async move {
        engine
            .act(code, None, action, actor, chrono::Utc::now(), None)
            .await
            .expect("the step");
    };
    act(
        motcua_engine::Action::Accept { pages_digitized: 0 },
        officer,
    )
    .await;
    for _ in 0..20 {
        let d = app
            .state
            .store
            .dossier(code)
            .await
            .expect("read")
            .and_then(|s| s.dossier)
            .expect("a dossier");
        let Some(step) = d.current_step().cloned() else {
            panic!("no step")
        };
        let actor = staff(step.role, "canbo.demo");
        let action = match step.kind {
            StepKind::Clerical => return,
            StepKind::Transfer | StepKind::External => motcua_engine::Action::Transfer {
                to: d
                    .procedure
                    .workflow
                    .get(d.step + 1)
                    .map_or(AgencyRef::Competent, |s| s.agency.clone()),
            },
            StepKind::Assign => motcua_engine::Action::Assign {
                assignee: UserId::parse("canbo.demo").expect("user"),
            },
            StepKind::Appraise => motcua_engine::Action::Appraise {
                outcome: motcua_domain::dossier::AppraisalOutcome::Eligible,
            },
            StepKind::Review => motcua_engine::Action::ReviewOk,
            StepKind::Approve => motcua_engine::Action::Approve,
            other => panic!("unexpected step {other:?}"),
        };
        let actor = if step.kind == StepKind::External {
            Actor::new(
                Role::System,
                UserId::parse("lienthong.x").expect("user"),
                None,
            )
        } else {
            actor
        };
        act(action, actor).await;
    }
    panic!("the clerical step was never reached");
}

async fn online_result_paths(app: &App) {
    let (citizen, user) = app.citizen_login("0912000555").await;
    let code = app.submit_with_phone(&user, "0912000555").await;
    to_clerical(app, &code).await;
    let clerk = app.official_login("vanthu.01279").await;
    let official = format!("/can-bo/ho-so/{code}");
    let page = app.get(&official, &clerk).await;
    assert!(
        page.body.contains("name=\"loai\" value=\"ket_qua\""),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("vai_tro", "clerical"),
        ("don_vi", UNIT),
        ("loai", "ket_qua"),
        ("ten", "Trích lục khai sinh (bản điện tử)"),
    ];
    let not_pdf = app
        .post_file(
            &format!("{official}/tai-lieu"),
            &clerk,
            &fields,
            b"plain text",
        )
        .await;
    assert!(
        not_pdf.location.contains("loi=unsupported_media_type"),
        "{}",
        not_pdf.location
    );
    let attached = app
        .post_file(&format!("{official}/tai-lieu"), &clerk, &fields, PDF)
        .await;
    assert_eq!(attached.status, 303, "{}", attached.body);
    let early = app.get(&format!("/ho-so-cua-toi/{code}"), &citizen).await;
    assert!(
        !early.body.contains("id=\"ket-qua\""),
        "a result is the citizen's once issued"
    );
    let issued = app
        .post(
            &official,
            &clerk,
            &[
                ("csrf_token", &csrf),
                ("vai_tro", "clerical"),
                ("don_vi", UNIT),
                ("action", "issue_result"),
                ("number", "12/2026/TLKS"),
                ("register", "Sổ đăng ký khai sinh"),
            ],
        )
        .await;
    assert_eq!(issued.status, 303, "{}", issued.body);
    assert_eq!(app.status_of(&code).await, Status::ResultReady);

    // The citizen downloads the result: the same bytes.
    let mine = app.get(&format!("/ho-so-cua-toi/{code}"), &citizen).await;
    assert!(mine.body.contains("id=\"ket-qua\""), "{}", mine.body);
    let href = mine
        .body
        .split("href=\"")
        .filter_map(|r| r.split_once('"').map(|(h, _)| h))
        .find(|h| h.starts_with(&format!("/ho-so-cua-toi/{code}/tai-lieu/")))
        .expect("a download link")
        .to_string();
    let res = app
        .http
        .get(format!("{}{href}", app.base))
        .header("cookie", &citizen)
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), 200);
    let disposition = res
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), PDF);
    let (stranger, _) = app.citizen_login("0912000666").await;
    assert_eq!(app.get(&href, &stranger).await.status, 404);

    // The return defaults to online for an online dossier.
    let counter = app.official_login("tiepnhan.01279").await;
    let page = app.get(&official, &counter).await;
    assert!(
        page.body.contains("name=\"way\"><option value=\"online\">"),
        "{}",
        page.body
    );

    // Returned at the counter after all, its electronic result document
    // still counts for Decision 766 (the unit's rollups).
    let csrf = page.csrf();
    let returned = app
        .post(
            &official,
            &counter,
            &[
                ("csrf_token", &csrf),
                ("action", "return_result"),
                ("way", "counter"),
            ],
        )
        .await;
    assert_eq!(returned.status, 303, "{}", returned.body);
    let leader = app.official_login("chutich.01279").await;
    let month = (chrono::Utc::now() + chrono::Duration::hours(7))
        .format("%Y-%m")
        .to_string();
    let res = app
        .http
        .get(format!(
            "{}/api/v1/reports/figures?unit={UNIT}&period={month}",
            app.base
        ))
        .header("cookie", &leader)
        .send()
        .await
        .expect("figures");
    assert_eq!(res.status(), 200);
    let f: serde_json::Value = res.json().await.expect("json");
    assert_eq!(f["total"]["finished"], 1, "{f}");
    assert_eq!(f["total"]["electronic_result"], 1, "{f}");
}

/// Issued without its file, the result cannot go back online: the refusal
/// shows at the return form; at the counter it goes.
async fn online_return_needs_the_file(app: &App) {
    let (_, user) = app.citizen_login("0912000556").await;
    let code = app.submit_with_phone(&user, "0912000556").await;
    to_clerical(app, &code).await;
    let clerk = app.official_login("vanthu.01279").await;
    let official = format!("/can-bo/ho-so/{code}");
    let page = app.get(&official, &clerk).await;
    let issued = app
        .post(
            &official,
            &clerk,
            &[
                ("csrf_token", &page.csrf()),
                ("vai_tro", "clerical"),
                ("don_vi", UNIT),
                ("action", "issue_result"),
                ("number", "13/2026/TLKS"),
                ("register", "Sổ đăng ký khai sinh"),
            ],
        )
        .await;
    assert_eq!(issued.status, 303, "{}", issued.body);
    let counter = app.official_login("tiepnhan.01279").await;
    let page = app.get(&official, &counter).await;
    let online = app
        .post(
            &official,
            &counter,
            &[
                ("csrf_token", &page.csrf()),
                ("action", "return_result"),
                ("way", "online"),
            ],
        )
        .await;
    assert!(
        online.location.contains("loi=result_file_missing"),
        "{}: {}",
        online.status,
        online.location
    );
    assert_eq!(app.status_of(&code).await, Status::ResultReady);
    let shown = app.get(&online.location, &counter).await;
    assert!(
        shown
            .body
            .contains("Hãy đính kèm tệp kết quả (bản điện tử) trước khi trả kết quả trực tuyến."),
        "{}",
        shown.body
    );
    let at_counter = app
        .post(
            &official,
            &counter,
            &[
                ("csrf_token", &page.csrf()),
                ("action", "return_result"),
                ("way", "counter"),
            ],
        )
        .await;
    assert_eq!(at_counter.status, 303, "{}", at_counter.body);
    assert_eq!(app.status_of(&code).await, Status::ResultReturned);
}

#[tokio::test]
async fn the_citizen_supplement_and_the_online_result_on_sqlite() {
    let app = App::spawn().await;
    supplement_paths(&app).await;
    online_result_paths(&app).await;
    online_return_needs_the_file(&app).await;
}

#[tokio::test]
async fn the_citizen_supplement_and_the_online_result_on_postgres() {
    let Some(fixture) = motcua_store_postgres::test_fixture().await else {
        return;
    };
    let app = App::spawn_on(fixture).await;
    supplement_paths(&app).await;
    online_result_paths(&app).await;
    online_return_needs_the_file(&app).await;
}
