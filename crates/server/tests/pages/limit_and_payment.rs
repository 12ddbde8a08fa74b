//! The forms the domain offers beyond the step's own: the specialist
//! extends the time limit by one of the procedure's legal cases (the due
//! date moves), asks for the fees due, and the counter confirms the
//! payment with the amount asked prefilled.

use motcua_domain::dossier::Status;

use super::{hidden, session_of, App, Page};

/// Giấy xác nhận tình trạng hôn nhân: 3 working days, 23 when the
/// applicant's status must be verified.
const MARITAL_STATUS: &str = "1.004873";

fn form(page: &Page, action: &str, extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("csrf_token", page.csrf()),
        ("version", hidden(&page.body, "version")),
        ("vai_tro", hidden(&page.body, "vai_tro")),
        ("don_vi", hidden(&page.body, "don_vi")),
        ("action", action.to_string()),
    ];
    f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    f
}

async fn post(app: &App, url: &str, cookie: &str, f: Vec<(&'static str, String)>) -> Page {
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(url, cookie, &f).await
}

async fn limit_and_payment_paths(app: &App) {
    let code = app.handed_over(MARITAL_STATUS, "04.01279").await;
    let read = || app.stored_dossier(&code);
    let url = format!("/can-bo/ho-so/{code}");
    let res = app
        .official_login_next("chuyenvien.tuphap.01279", "/can-bo")
        .await;
    let specialist = session_of(&res);

    // The extension: one of the procedure's cases, picked, with a reason.
    let page = app.get(&url, &specialist).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let picker = page
        .body
        .split("<select id=\"extend_limit-extension\" name=\"extension\">")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .unwrap_or_else(|| panic!("the extension picker: {}", page.body));
    assert!(picker.contains("<option value=\"0\">"), "{picker}");
    assert!(picker.contains("xác minh"), "{picker}");
    let before = read().await.due.expect("a due date");
    let done = post(
        app,
        &url,
        &specialist,
        form(
            &page,
            "extend_limit",
            &[
                ("extension", "0"),
                ("reason", "Cần xác minh tại nơi cư trú trước"),
            ],
        ),
    )
    .await;
    assert!(done.status < 400, "{}: {}", done.status, done.body);
    let after = read().await;
    assert!(after.due.expect("due") > before, "the due date moved");
    assert_eq!(after.limit_extension, Some(0));
    let page = app.get(&url, &specialist).await;
    assert!(
        !page.body.contains("value=\"extend_limit\""),
        "once per dossier: {}",
        page.body
    );

    // The fees: an amount that is not a number is refused, nothing moves.
    let bad = post(
        app,
        &url,
        &specialist,
        form(
            &page,
            "request_payment",
            &[("amount_vnd", "tám nghìn"), ("description", "Phí bản sao")],
        ),
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(read().await.status, Status::Processing);
    let asked = post(
        app,
        &url,
        &specialist,
        form(
            &page,
            "request_payment",
            &[
                ("amount_vnd", "8000"),
                ("description", "Phí bản sao trích lục"),
            ],
        ),
    )
    .await;
    assert!(asked.status < 400, "{}: {}", asked.status, asked.body);
    assert_eq!(read().await.status, Status::AwaitingPayment);

    // The counter confirms: the amount asked is already in the form.
    let res = app.official_login_next("tiepnhan.01279", "/can-bo").await;
    let counter = session_of(&res);
    let page = app.get(&url, &counter).await;
    assert!(
        page.body.contains(
            "<input id=\"confirm_payment-amount_vnd\" name=\"amount_vnd\" type=\"number\" value=\"8000\" required>"
        ),
        "{}",
        page.body
    );
    let paid = post(
        app,
        &url,
        &counter,
        form(
            &page,
            "confirm_payment",
            &[("amount_vnd", "8000"), ("receipt", "BL-0001234")],
        ),
    )
    .await;
    assert!(paid.status < 400, "{}: {}", paid.status, paid.body);
    let d = read().await;
    assert_eq!(d.status, Status::Processing);
    assert_eq!(d.paid_vnd, 8000);
}

#[tokio::test]
async fn the_limit_is_extended_and_the_fees_asked_and_confirmed_on_sqlite() {
    let app = App::spawn().await;
    limit_and_payment_paths(&app).await;
}

#[tokio::test]
async fn the_limit_is_extended_and_the_fees_asked_and_confirmed_on_postgres() {
    let Some(fixture) = motcua_store_postgres::test_fixture().await else {
        return;
    };
    let app = App::spawn_on(fixture).await;
    limit_and_payment_paths(&app).await;
}
