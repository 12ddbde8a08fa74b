//! The citizen's portal at `/`, the registry at its own path, the HTML 404
//! page (problem+json only under `/api`), style sheets addressed by their
//! content hash, and the public base address (`MOTCUA_PUBLIC_URL`) in the
//! QR code and the printed address of Mẫu 01 (issue 11, "Citizens" and
//! "Links that work outside the building").

#[allow(dead_code)]
mod common;

#[path = "../../forms/tests/pdftext/mod.rs"]
mod pdftext;

use common::lifecycle::UNIT;
use common::TestApp;
use motcua_server::site::Site;
use serde_json::json;

const PUBLIC: &str = "https://dichvucong.caobang.gov.vn";

struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Got {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Got {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut req = client.get(app.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.expect("request");
    Got {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        body: res.text().await.unwrap_or_default(),
    }
}

async fn spawn() -> TestApp {
    let app = TestApp::spawn_custom(motcua_store_sqlite::test_fixture(), true, |s| {
        s.with_site(Site {
            public_url: PUBLIC.to_string(),
            configured: true,
            center_address: Some("Số 1 Hoàng Đình Giong, Phường Nùng Trí Cao".to_string()),
            ..Site::default()
        })
    })
    .await;
    app.import_catalogue().await;
    app
}

#[tokio::test]
async fn the_root_is_the_citizens_portal() {
    let app = spawn().await;
    let home = get(&app, "/", &[]).await;
    assert_eq!(home.status, 200);
    assert!(home.header("content-type").starts_with("text/html"));
    for needle in [
        "action=\"/thu-tuc\"",
        "action=\"/tra-cuu\"",
        "href=\"/dat-lich\"",
        "href=\"/dang-nhap\"",
        "Trung tâm Phục vụ hành chính công Phường Nùng Trí Cao",
        "Số 1 Hoàng Đình Giong, Phường Nùng Trí Cao",
        "Giờ tiếp nhận",
        "07:30–11:30, 13:00–17:00",
        "aria-label=\"Điều hướng chính\"",
    ] {
        assert!(home.body.contains(needle), "{needle:?} not on /");
    }
    assert!(
        !home.body.contains("04.01279"),
        "the Center by its name, not its code"
    );
    assert!(
        !home.body.contains("href=\"/tinh/"),
        "the registry is no longer the first page"
    );
    let en = get(&app, "/?lang=en", &[]).await;
    assert!(en.body.contains("Opening hours") && en.body.contains("Track a dossier"));
    app.finish().await;
}

#[tokio::test]
async fn the_registry_has_its_own_path_and_the_old_address_moves_there() {
    let app = spawn().await;
    let list = get(&app, "/don-vi-hanh-chinh", &[]).await;
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains("href=\"/don-vi-hanh-chinh/04\""),
        "Cao Bằng is listed"
    );
    assert!(
        list.body.contains("aria-label=\"Điều hướng chính\""),
        "with the navigation"
    );
    let province = get(&app, "/don-vi-hanh-chinh/04", &[]).await;
    assert_eq!(province.status, 200);
    assert!(province.body.contains("Nùng Trí Cao"));
    assert!(province.body.contains("aria-label=\"Điều hướng chính\""));
    let old = get(&app, "/tinh/04", &[]).await;
    assert_eq!(old.status, 308);
    assert_eq!(old.header("location"), "/don-vi-hanh-chinh/04");
    app.finish().await;
}

#[tokio::test]
async fn unknown_paths_get_a_vietnamese_html_page_and_json_only_under_api() {
    let app = spawn().await;
    for path in [
        "/khong-co-trang-nay",
        "/thu-tuc/x/y/z",
        "/static/khong-co.js",
    ] {
        let page = get(&app, path, &[]).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(
            page.header("content-type").starts_with("text/html"),
            "{path}: {}",
            page.header("content-type")
        );
        assert!(page.body.contains("<html lang=\"vi\">"), "{path}");
        assert!(page.body.contains("Không tìm thấy trang"), "{path}");
        assert!(
            page.body.contains("aria-label=\"Điều hướng chính\""),
            "{path}: navigation"
        );
        assert!(page.body.contains("href=\"/tra-cuu\""), "{path}");
    }
    let en = get(&app, "/khong-co?lang=en", &[]).await;
    assert!(en.body.contains("Page not found"));
    for path in ["/api/v1/khong-co", "/api/khong-co", "/api"] {
        let api = get(&app, path, &[]).await;
        assert_eq!(api.status, 404, "{path}");
        assert!(
            api.header("content-type")
                .starts_with("application/problem+json"),
            "{path}: {}",
            api.header("content-type")
        );
        let p: serde_json::Value = serde_json::from_str(&api.body).expect("json");
        assert_eq!(p["code"], "route_not_found", "{path}");
    }
    app.finish().await;
}

#[tokio::test]
async fn style_sheets_are_addressed_by_their_content_hash() {
    use sha2::{Digest, Sha256};
    let app = spawn().await;
    let home = get(&app, "/", &[]).await;
    let href = home
        .body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a style sheet")
        .to_string();
    let hash = href
        .strip_prefix("/static/site.")
        .and_then(|h| h.strip_suffix(".css"))
        .unwrap_or_else(|| panic!("not a hashed address: {href}"));
    let css = get(&app, &href, &[]).await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));
    assert_eq!(
        css.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    let digest = hex::encode(Sha256::digest(css.body.as_bytes()));
    assert!(digest.starts_with(hash), "the address names the content");
    assert!(css.body.contains(":focus-visible"));
    for page in ["/thu-tuc", "/tra-cuu", "/dang-nhap", "/khong-co"] {
        assert!(
            get(&app, page, &[]).await.body.contains(&href),
            "{page} links the same sheet"
        );
    }
    for old in ["/static/site.css", "/static/site.0123456789abcdef.css"] {
        let stale = get(&app, old, &[]).await;
        assert_eq!(stale.status, 200, "{old}");
        assert_eq!(stale.header("cache-control"), "public, no-cache", "{old}");
        assert_eq!(stale.body, css.body, "{old} serves today's sheet");
    }
    let etag = css.header("etag");
    let again = get(
        &app,
        "/static/site.css",
        &[("if-none-match", etag.as_str())],
    )
    .await;
    assert_eq!(again.status, 304);
    app.finish().await;
}

#[tokio::test]
async fn the_receipt_qr_code_and_printed_address_use_the_public_url() {
    let app = spawn().await;
    app.create_official(
        "receiving_officer.01279",
        "mật khẩu thử nghiệm",
        &[("receiving_officer", UNIT)],
    )
    .await;
    let (status, opened) = app.submit_online("1.001193", None).await;
    assert_eq!(status, 201, "{opened}");
    let code = opened["code"].as_str().expect("a code").to_string();
    let (status, body) = app
        .act(
            &code,
            ("receiving_officer", "receiving_officer.01279", Some(UNIT)),
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let res = app
        .client
        .get(app.url(&format!("/api/v1/dossiers/{code}/forms/01")))
        .header("x-actor-role", "receiving_officer")
        .header("x-actor-user", "receiving_officer.01279")
        .header("x-actor-unit", UNIT)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 200);
    let pdf = res.bytes().await.expect("pdf").to_vec();
    let url = format!("{PUBLIC}/tra-cuu/{code}");
    assert_eq!(pdftext::decode_qr(&pdf).as_deref(), Some(url.as_str()));
    assert_eq!(pdftext::link_uris(&pdf), vec![url.clone()]);
    let text: String = pdftext::text(&pdf).split_whitespace().collect();
    let printed: String = url.split_whitespace().collect();
    assert!(text.contains(&printed), "the printed address: {text}");
    // Mẫu 01 names the officer who received it, under the signature.
    assert!(
        text.contains("Cánbộreceiving_officer.01279"),
        "the receiving officer's name: {text}"
    );
    app.finish().await;
}

/// The catalogue marks unverified items by their field path
/// (`competent_agency`, `workflow`, `documents[0]`): the procedure pages
/// name them in words, with "(chưa xác minh)", in both languages.
#[tokio::test]
async fn procedure_pages_name_unverified_items_in_words_never_by_field() {
    let app = spawn().await;
    let catalogue = motcua_domain::procedure::Catalogue::from_json(common::lifecycle::CATALOGUE)
        .expect("catalogue");
    let raw = [
        "competent_agency",
        "workflow",
        "boundary_free",
        "effective_from",
        "online_level",
        "time_limit",
        "documents[",
        "fees[",
        "same_day_cutoff",
    ];
    for p in catalogue.procedures() {
        let code = p.spec().code.to_string();
        for (lang, mark) in [("vi", "(chưa xác minh)"), ("en", "(unverified)")] {
            let page = get(&app, &format!("/thu-tuc/{code}?lang={lang}"), &[]).await;
            assert_eq!(page.status, 200, "{code}");
            for r in raw {
                assert!(!page.body.contains(r), "{code} ({lang}) shows {r:?}");
            }
            if !p.unverified_notes().is_empty() {
                assert!(page.body.contains("id=\"unverified-items\""), "{code}");
                assert!(page.body.contains(mark), "{code} ({lang})");
            }
        }
    }
    let birth = get(&app, "/thu-tuc/1.001193", &[]).await;
    assert!(birth
        .body
        .contains("Cơ quan giải quyết <mark class=\"unverified\">(chưa xác minh)</mark>"));
    app.finish().await;
}

/// A due date in a year whose days off the Government has not yet set
/// (after `HOLIDAYS_CONFIRMED_THROUGH`) is an estimate: the tracking page
/// and Mẫu 01 say so; one in a decided year says nothing.
#[tokio::test]
async fn a_due_date_on_provisional_days_off_says_so_on_the_tracking_page_and_mau_01() {
    let app = spawn().await;
    app.create_official(
        "receiving_officer.01279",
        "mật khẩu thử nghiệm",
        &[("receiving_officer", UNIT)],
    )
    .await;
    // 45 calendar days from today (2026-12 or later): into a year not
    // confirmed in the shipped calendar.
    let accepted = |procedure: &'static str| {
        let app = &app;
        async move {
            let (status, opened) = app.submit_online(procedure, None).await;
            assert_eq!(status, 201, "{opened}");
            let code = opened["code"].as_str().expect("a code").to_string();
            let (status, body) = app
                .act(
                    &code,
                    ("receiving_officer", "receiving_officer.01279", Some(UNIT)),
                    json!({"action": "accept"}),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            let due = body["events"][0]["event"]["payload"]["appointment"]
                .as_str()
                .unwrap_or_else(|| panic!("the appointment: {body}"))
                .to_string();
            (code, due)
        }
    };
    let (code, due) = accepted("1.013967").await;
    let year = &due[..4];
    assert!(
        year.parse::<i32>().expect("a year") > motcua_refdata::HOLIDAYS_CONFIRMED_THROUGH,
        "{due}"
    );
    let page = get(&app, &format!("/tra-cuu/{code}"), &[]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let note = format!("lịch nghỉ lễ năm {year} chưa được Chính phủ công bố chính thức");
    assert!(page.body.contains(&note), "{}", page.body);
    let res = app
        .client
        .get(app.url(&format!("/api/v1/dossiers/{code}/forms/01")))
        .header("x-actor-role", "receiving_officer")
        .header("x-actor-user", "receiving_officer.01279")
        .header("x-actor-unit", UNIT)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 200);
    let pdf = res.bytes().await.expect("pdf").to_vec();
    let text: String = pdftext::text(&pdf).split_whitespace().collect();
    let printed: String = note.split_whitespace().collect();
    assert!(text.contains(&printed), "Mẫu 01's note: {text}");

    // A same-day certified copy is due in a decided year (or, on the last
    // days of a year, the first of the next: then it says so too, and the
    // check is skipped).
    let (code, due) = accepted("2.000815").await;
    if due[..4].parse::<i32>().expect("a year") <= motcua_refdata::HOLIDAYS_CONFIRMED_THROUGH {
        let page = get(&app, &format!("/tra-cuu/{code}"), &[]).await;
        assert!(
            !page.body.contains("chưa được Chính phủ công bố"),
            "{}",
            page.body
        );
    }
    app.finish().await;
}
