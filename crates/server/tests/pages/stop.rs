//! Stopping (status 8) answers the applicant's request: the Center records
//! it with what the request says, the dossier is final, Mẫu 05 is printed,
//! and nobody resumes it — the leader has no switch.

use motcua_domain::dossier::{DossierCode, Status};

use super::{hidden, session_of, App};

async fn stop_paths(app: &App) {
    let code = app.permit_at_assignment("04.01279").await;

    // The leader sees no stop (nor resume) on the dossier.
    let res = app.official_login_next("chutich.01279", "/can-bo").await;
    let leader = session_of(&res);
    let page = app.get(&format!("/can-bo/ho-so/{code}"), &leader).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("value=\"stop\""), "{}", page.body);
    assert!(!page.body.contains("value=\"resume\""), "{}", page.body);

    // The Center records the applicant's written request.
    let res = app.official_login_next("tiepnhan.01279", "/can-bo").await;
    let counter = session_of(&res);
    let page = app.get(&format!("/can-bo/ho-so/{code}"), &counter).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("Dừng giải quyết theo đề nghị của người nộp (Mẫu 05)"),
        "{}",
        page.body
    );
    let form = |reason: &str| {
        vec![
            ("csrf_token", page.csrf()),
            ("version", hidden(&page.body, "version")),
            ("vai_tro", hidden(&page.body, "vai_tro")),
            ("don_vi", hidden(&page.body, "don_vi")),
            ("action", "stop".to_string()),
            ("reason", reason.to_string()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let code = code.clone();
        let counter = counter.clone();
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post(&format!("/can-bo/ho-so/{code}"), &counter, &f)
                .await
        }
    };
    let empty = post(form("   ")).await;
    assert!(empty.status >= 400, "a stop needs what the request says");
    let done = post(form("Đơn đề nghị dừng giải quyết ngày 12/3 của người nộp")).await;
    assert!(done.status < 400, "{}: {}", done.status, done.body);
    let d = app
        .state
        .store
        .dossier(&DossierCode::parse(&code).expect("code"))
        .await
        .expect("read")
        .and_then(|s| s.dossier)
        .expect("dossier");
    assert_eq!(d.status, Status::Stopped);
    assert!(d.status.is_final());

    // Final: no action left for anyone; Mẫu 05 is printed.
    let page = app.get(&format!("/can-bo/ho-so/{code}"), &counter).await;
    assert!(!page.body.contains("value=\"stop\""), "{}", page.body);
    assert!(page
        .body
        .contains(&format!("/api/v1/dossiers/{code}/forms/05")));
    let page = app.get(&format!("/can-bo/ho-so/{code}"), &leader).await;
    assert!(!page.body.contains("value=\"resume\""));
    assert!(
        !page.body.contains("value=\"notify_late\""),
        "{}",
        page.body
    );
    let pdf = app
        .get(&format!("/api/v1/dossiers/{code}/forms/05"), &counter)
        .await;
    assert_eq!(pdf.status, 200, "{}", pdf.body);
    assert!(pdf.body.starts_with("%PDF"), "Mẫu 05 is a PDF");
}

#[tokio::test]
async fn a_stop_is_recorded_at_the_applicants_request_and_is_final_on_sqlite() {
    let app = App::spawn().await;
    stop_paths(&app).await;
}

#[tokio::test]
async fn a_stop_is_recorded_at_the_applicants_request_and_is_final_on_postgres() {
    let Some(fixture) = motcua_store_postgres::test_fixture().await else {
        return;
    };
    let app = App::spawn_on(fixture).await;
    stop_paths(&app).await;
}
