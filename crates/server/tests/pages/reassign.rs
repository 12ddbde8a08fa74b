//! A head moves a dossier held by an absent or wrong official to another
//! specialist of the unit: picked from a list, with a reason, recorded as
//! an event; the former holder can no longer act on it.

use motcua_domain::dossier::{DossierCode, EventData};

use super::{hidden, session_of, App};

async fn reassign_paths(app: &App) {
    let code = app.permit_at_assignment("04.01279").await;
    let parsed = DossierCode::parse(&code).expect("code");
    let res = app
        .official_login_next("truongphong.diachinh.01279", "/can-bo")
        .await;
    let head = session_of(&res);
    let url = format!("/can-bo/ho-so/{code}");

    // Not yet assigned: nothing to reassign.
    let page = app.get(&url, &head).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("value=\"reassign\""), "{}", page.body);

    let post = |fields: Vec<(&'static str, String)>| {
        let head = head.clone();
        let url = url.clone();
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post(&url, &head, &f).await
        }
    };
    let form = |page: &super::Page, action: &str, extra: &[(&'static str, &str)]| {
        let mut f = vec![
            ("csrf_token", page.csrf()),
            ("version", hidden(&page.body, "version")),
            ("vai_tro", hidden(&page.body, "vai_tro")),
            ("don_vi", hidden(&page.body, "don_vi")),
            ("action", action.to_string()),
        ];
        f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        f
    };
    let done = post(form(
        &page,
        "assign",
        &[("assignee", "chuyenvien.diachinh.01279")],
    ))
    .await;
    assert!(done.status < 400, "{}: {}", done.status, done.body);

    // Assigned: the head may move it, to any other specialist of the unit
    // (not to the one who holds it, not to the leader).
    let page = app.get(&url, &head).await;
    assert!(page.body.contains("value=\"reassign\""), "{}", page.body);
    let picker = page
        .body
        .split("<select id=\"reassign-assignee\" name=\"assignee\">")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .unwrap_or_else(|| panic!("the reassignment picker: {}", page.body));
    assert!(
        picker.contains("<option value=\"chuyenvien.tuphap.01279\">"),
        "{picker}"
    );
    assert!(!picker.contains("chuyenvien.diachinh.01279"), "{picker}");
    assert!(!picker.contains("chutich.01279"), "{picker}");

    // Without a reason: refused, nothing changes.
    let refused = post(form(
        &page,
        "reassign",
        &[("assignee", "chuyenvien.tuphap.01279"), ("reason", "  ")],
    ))
    .await;
    assert!(refused.status >= 400, "{}", refused.status);
    let d = app.stored_dossier(&code).await;
    assert_eq!(
        d.assignee.as_ref().map(|a| a.as_str()),
        Some("chuyenvien.diachinh.01279")
    );

    let page = app.get(&url, &head).await;
    let why = "Chuyên viên nghỉ phép đến hết tuần";
    let done = post(form(
        &page,
        "reassign",
        &[("assignee", "chuyenvien.tuphap.01279"), ("reason", why)],
    ))
    .await;
    assert!(done.status < 400, "{}: {}", done.status, done.body);
    let d = app.stored_dossier(&code).await;
    assert_eq!(
        d.assignee.as_ref().map(|a| a.as_str()),
        Some("chuyenvien.tuphap.01279")
    );
    let events = app.state.store.events(&parsed).await.expect("events");
    let last = events.last().expect("an event");
    assert!(
        matches!(
            &last.event.data,
            EventData::Reassigned { from, to, .. }
                if from.as_str() == "chuyenvien.diachinh.01279"
                    && to.as_str() == "chuyenvien.tuphap.01279"
        ),
        "{:?}",
        last.event.data
    );
    assert_eq!(last.event.reason.as_deref(), Some(why));

    // The former holder has no appraisal to offer any more; the new one has.
    let res = app
        .official_login_next("chuyenvien.diachinh.01279", "/can-bo")
        .await;
    let former = session_of(&res);
    let page = app.get(&url, &former).await;
    let tried = app
        .post(
            &url,
            &former,
            &[
                ("csrf_token", &page.csrf()),
                ("version", &hidden(&page.body, "version")),
                ("vai_tro", "specialist"),
                ("don_vi", "04.01279"),
                ("action", "appraise"),
            ],
        )
        .await;
    assert!(tried.status >= 400, "{}: {}", tried.status, tried.body);
    let res = app
        .official_login_next("chuyenvien.tuphap.01279", "/can-bo")
        .await;
    let new = session_of(&res);
    let page = app.get(&url, &new).await;
    assert!(page.body.contains("value=\"appraise\""), "{}", page.body);
}

#[tokio::test]
async fn a_head_reassigns_a_dossier_with_a_reason_on_sqlite() {
    let app = App::spawn().await;
    reassign_paths(&app).await;
}

#[tokio::test]
async fn a_head_reassigns_a_dossier_with_a_reason_on_postgres() {
    let Some(fixture) = motcua_store_postgres::test_fixture().await else {
        return;
    };
    let app = App::spawn_on(fixture).await;
    reassign_paths(&app).await;
}
