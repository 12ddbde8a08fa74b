//! The external inputs of the Decision 766 index over HTTP: a declaration
//! changes the index by exactly the points computed by hand, the latest
//! version of a month is in force and a period adds its months; the access
//! rule (another unit's official is refused exactly like for a missing
//! unit); bad input is a 400 with its code; the entry page's no-script form
//! with its CSRF token. On SQLite always and on PostgreSQL when
//! `MOTCUA_TEST_DATABASE_URL` is set.

#[allow(dead_code)] // helpers shared with the other API tests
mod common;

macro_rules! input_tests {
    ($backend:ident, $factory:path) => {
        mod $backend {
            use super::common::*;
            use super::helpers::*;
            use serde_json::{json, Value};

            async fn spawn() -> Option<TestApp> {
                let fixture = $factory().await?;
                Some(TestApp::spawn_with(fixture, false).await)
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_declaration_changes_the_index_by_the_points_computed_by_hand() {
                let Some(app) = spawn().await else { return };
                official(&app, "lanhdao.01279", &[("leader", A)]).await;
                official(&app, "quantri.tinh", &[("province_admin", "04")]).await;
                let leader = session(&app, "lanhdao.01279").await;
                let admin = session(&app, "quantri.tinh").await;
                let (this, prev) = (this_month(), previous_month());
                let index = |s: &Session, period: String| {
                    let req = s.bearer(app.client.get(app.url(&format!(
                        "/api/v1/reports/index766?unit={A}&period={period}"
                    ))));
                    async move {
                        let (status, ix) = send(req).await;
                        assert_eq!(status, 200, "{ix}");
                        ix
                    }
                };

                let before = index(&leader, this.clone()).await;
                let r0 = &before["units"][0]["report"];
                for c in ["published_on_time", "updated_on_time", "pakn_on_time", "pakn_satisfaction"] {
                    assert_eq!(criterion(r0, c)["status"], "missing_input", "{c}");
                    assert_eq!(criterion(r0, c)["points"], 0.0, "{c}");
                }
                assert!(before["note_vi"].as_str().is_some_and(|n| n.contains("chưa kê khai đủ")), "{}", before["note_vi"]);
                assert!(before["note_en"].as_str().is_some_and(|n| n.contains("input not provided") && !n.contains("missing_input")));

                let (status, stored) = put(&leader, &app, A, &this, json!({
                    "inputs": {
                        "published_on_time": {"numerator": 3, "denominator": 4},
                        "updated_on_time": {"numerator": 1, "denominator": 2},
                        "pakn": {"received": 4, "handled_on_time": 3, "rated": 2, "satisfied": 1}
                    },
                    "note": "Báo cáo số 12/BC-UBND"
                })).await;
                assert_eq!(status, 200, "{stored}");
                assert_eq!(stored["version"], 1);
                assert_eq!(stored["entered_by"], "lanhdao.01279");

                let after = index(&leader, this.clone()).await;
                let r1 = &after["units"][0]["report"];
                // By hand, with the 2026 configuration (proportional scoring):
                // 3/4 × 6 = 4.5; 1/2 × 4 = 2; PAKN on time 3/4 ÷ 95% × 6 =
                // 4.736… → 4.74; PAKN satisfaction 1/2 ÷ 95% × 6 = 3.157… → 3.16.
                for (c, points) in [
                    ("published_on_time", 4.5),
                    ("updated_on_time", 2.0),
                    ("pakn_on_time", 4.74),
                    ("pakn_satisfaction", 3.16),
                ] {
                    assert_eq!(criterion(r1, c)["status"], "scored", "{c}");
                    assert_eq!(criterion(r1, c)["points"], points, "{c}");
                }
                assert_eq!(criterion(r1, "published_complete")["status"], "missing_input");
                let delta = r1["total"].as_f64().unwrap_or_default() - r0["total"].as_f64().unwrap_or_default();
                assert!((delta - 14.4).abs() < 1e-6, "the total rises by 4.5 + 2 + 4.74 + 3.16: {delta}");
                let transparency = group(r1, "transparency") - group(r0, "transparency");
                assert!((transparency - 6.5).abs() < 1e-6, "transparency: 4.5 + 2, got {transparency}");

                // A second version replaces the first for the month; the
                // previous month adds to it over a two-month period.
                let (status, v2) = put(&admin, &app, A, &this, json!({
                    "inputs": {"published_on_time": {"numerator": 1, "denominator": 4}}
                })).await;
                assert_eq!((status, v2["version"].as_u64()), (200, Some(2)), "{v2}");
                let (status, _) = put(&leader, &app, A, &prev, json!({
                    "inputs": {"published_on_time": {"numerator": 5, "denominator": 6}}
                })).await;
                assert_eq!(status, 200);
                let now = index(&leader, this.clone()).await;
                let r2 = &now["units"][0]["report"];
                assert_eq!(criterion(r2, "published_on_time")["points"], 1.5, "1/4 × 6: version 2 is in force");
                assert_eq!(criterion(r2, "updated_on_time")["status"], "missing_input", "version 2 did not give it");
                let both = index(&leader, format!("{prev}..{this}")).await;
                let r3 = &both["units"][0]["report"];
                assert_eq!(
                    criterion(r3, "published_on_time")["points"],
                    3.6,
                    "(5 + 1) ÷ (6 + 4) × 6: the previous month plus version 2 of this one"
                );

                let (status, h) = send(leader.bearer(app.client.get(app.url(&format!(
                    "/api/v1/reports/inputs/{A}/{this}"
                ))))).await;
                assert_eq!(status, 200, "{h}");
                assert_eq!(h["history"].as_array().map(Vec::len), Some(2), "both versions are kept");
                assert_eq!(h["history"][0]["note"], "Báo cáo số 12/BC-UBND");
                assert_eq!(h["in_force"]["entered_by"], "quantri.tinh");

                let (status, list) = send(admin.bearer(app.client.get(app.url(&format!(
                    "/api/v1/reports/inputs?province=04&period={prev}..{this}"
                ))))).await;
                assert_eq!(status, 200, "{list}");
                assert_eq!(list["declarations"].as_array().map(Vec::len), Some(2));
                assert_eq!(list["units"][0]["unit"], A);
                assert_eq!(list["units"][0]["inputs"]["published_on_time"], json!({"numerator": 6, "denominator": 10}));
                assert!(list["units"][0]["missing"].as_array().is_some_and(|m| m.contains(&json!("pakn"))));

                // Every input declared: no unit lacks any, no missing note.
                let (status, _) = put(&leader, &app, A, &this, json!({"inputs": all_inputs()})).await;
                assert_eq!(status, 200);
                let full = index(&leader, this.clone()).await;
                let r4 = &full["units"][0]["report"];
                assert_eq!(r4["missing_inputs"], json!([]), "{r4}");
                assert!(full["note_vi"].as_str().is_some_and(|n| !n.contains("chưa kê khai") && !n.contains("missing_input")), "{}", full["note_vi"]);
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn another_units_official_is_refused_like_a_missing_unit() {
                let Some(app) = spawn().await else { return };
                official(&app, "lanhdao.01288", &[("leader", B)]).await;
                official(&app, "thanhtra.01279", &[("inspector", A)]).await;
                official(&app, "quantri.tinh", &[("province_admin", "04")]).await;
                let other = session(&app, "lanhdao.01288").await;
                let inspector = session(&app, "thanhtra.01279").await;
                let admin = session(&app, "quantri.tinh").await;
                let m = this_month();
                let body = json!({"inputs": {"synchronized_dossiers": 3}});

                let (status, denied) = put(&other, &app, A, &m, body.clone()).await;
                assert_eq!((status, denied["code"].as_str()), (403, Some("inputs_forbidden")));
                let (status, missing) = put(&other, &app, "04.99999", &m, body.clone()).await;
                assert_eq!(status, 403);
                assert_eq!(denied, missing, "a refusal reveals nothing about the unit");
                let (status, p) = put(&inspector, &app, A, &m, body.clone()).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("inputs_forbidden")), "an inspector only reads");

                let get = |s: &Session, path: String| send(s.bearer(app.client.get(app.url(&path))));
                let (status, denied) = get(&other, format!("/api/v1/reports/inputs?unit={A}&period={m}")).await;
                assert_eq!((status, denied["code"].as_str()), (403, Some("report_forbidden")));
                let (_, missing) = get(&other, format!("/api/v1/reports/inputs?unit=04.99999&period={m}")).await;
                assert_eq!(denied, missing);
                let (status, denied) = get(&other, format!("/api/v1/reports/inputs/{A}/{m}")).await;
                assert_eq!((status, denied["code"].as_str()), (403, Some("report_forbidden")));
                let (_, missing) = get(&other, format!("/api/v1/reports/inputs/04.99999/{m}")).await;
                assert_eq!(denied, missing);

                let (status, p) = put(&admin, &app, "04.99999", &m, body.clone()).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("unit_not_found")), "the province administrator learns it does not exist");
                let (status, p) = put(&admin, &app, "04", &m, body.clone()).await;
                assert_eq!(status, 200, "the province's own unit: {p}");
                let (status, p) = put(&admin, &app, B, &m, body.clone()).await;
                assert_eq!(status, 200, "any commune of the province: {p}");
                let (status, p) = put(&other, &app, B, &m, body.clone()).await;
                assert_eq!((status, p["version"].as_u64()), (200, Some(2)), "the leader of B declares B: {p}");
                let (status, p) = put(&admin, &app, "01.00004", &m, body.clone()).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("inputs_forbidden")), "another province");

                let (status, h) = get(&inspector, format!("/api/v1/reports/inputs/{A}/{m}")).await;
                assert_eq!(status, 200, "the inspector reads their unit: {h}");
                assert_eq!(h["history"], json!([]), "nothing was stored for A");

                let (status, p) = send(
                    app.client
                        .put(app.url(&format!("/api/v1/reports/inputs/{A}/{m}")))
                        .json(&body),
                )
                .await;
                assert_eq!((status, p["code"].as_str()), (401, Some("authentication_required")));
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn bad_input_is_a_400_with_its_code() {
                let Some(app) = spawn().await else { return };
                official(&app, "lanhdao.01279", &[("leader", A)]).await;
                let leader = session(&app, "lanhdao.01279").await;
                let m = this_month();
                let cases: Vec<(&str, String, Value)> = vec![
                    ("numerator_exceeds_denominator", m.clone(), json!({"inputs": {"population_data_used": {"numerator": 11, "denominator": 10}}})),
                    ("pakn_inconsistent", m.clone(), json!({"inputs": {"pakn": {"received": 2, "handled_on_time": 3, "rated": 0, "satisfied": 0}}})),
                    ("input_too_large", m.clone(), json!({"inputs": {"synchronized_dossiers": 1_000_000_001u64}})),
                    ("invalid_body", m.clone(), json!({"inputs": {"published_on_time": {"numerator": -1, "denominator": 4}}})),
                    ("invalid_body", m.clone(), json!({"inputs": {"published_ontime": {"numerator": 1, "denominator": 4}}})),
                    ("invalid_body", m.clone(), json!({"inputs": {"updated_on_time": {"numerator": 1}}})),
                    ("invalid_body", m.clone(), json!({"published_on_time": {"numerator": 1, "denominator": 4}})),
                    ("note_too_long", m.clone(), json!({"inputs": {}, "note": "x".repeat(501)})),
                    ("invalid_month", "2026-13".to_string(), json!({"inputs": {}})),
                    ("month_in_future", next_month(), json!({"inputs": {}})),
                ];
                for (code, month, body) in cases {
                    let (status, p) = put(&leader, &app, A, &month, body.clone()).await;
                    assert_eq!((status, p["code"].as_str()), (400, Some(code)), "{body}: {p}");
                    assert!(p["message_vi"].as_str().is_some_and(|s| !s.is_empty()));
                    assert!(p["message_en"].as_str().is_some_and(|s| !s.is_empty()));
                }
                let (_, p) = put(&leader, &app, A, &m, json!({"inputs": {"population_data_used": {"numerator": 11, "denominator": 10}}})).await;
                assert!(p["message_vi"].as_str().is_some_and(|s| s.contains("tử số 11 lớn hơn mẫu số 10")), "{p}");
                let res = leader
                    .bearer(app.client.put(app.url(&format!("/api/v1/reports/inputs/{A}/{m}"))))
                    .header("content-type", "application/json")
                    .body("{not json")
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 400);
                let (status, h) = send(leader.bearer(app.client.get(app.url(&format!(
                    "/api/v1/reports/inputs/{A}/{m}"
                ))))).await;
                assert_eq!((status, h["history"].clone()), (200, json!([])), "nothing refused was stored");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_entry_form_in_vietnamese_and_english() {
                let Some(app) = spawn().await else { return };
                official(&app, "lanhdao.01279", &[("leader", A)]).await;
                official(&app, "thanhtra.01279", &[("inspector", A)]).await;
                let leader = session(&app, "lanhdao.01279").await;
                let inspector = session(&app, "thanhtra.01279").await;
                let m = this_month();
                let client = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .expect("client");
                let page = |s: &Session, path: String| {
                    let req = s.cookie(client.get(app.url(&path)));
                    async move {
                        let res = req.send().await.expect("request");
                        (res.status().as_u16(), res.text().await.expect("html"))
                    }
                };
                let res = client.get(app.url("/bao-cao/so-lieu-ngoai")).send().await.expect("request");
                assert_eq!(res.status().as_u16(), 303, "to the officials' login");

                let path = format!("/bao-cao/so-lieu-ngoai?unit={A}&month={m}");
                let (status, html) = page(&leader, path.clone()).await;
                assert_eq!(status, 200, "{html}");
                for text in [
                    "Số liệu ngoài hệ thống",
                    "Phường Nùng Trí Cao",
                    "Chưa có bản kê khai cho tháng này.",
                    "<form method=\"post\" action=\"/bao-cao/so-lieu-ngoai\" id=\"ke-khai\">",
                    &format!("name=\"csrf_token\" value=\"{}\"", leader.csrf),
                    "name=\"published_on_time_tu\"",
                    "name=\"pakn_satisfied\"",
                    "TTHC công bố đúng hạn / TTHC phải công bố",
                    "Lưu bản kê khai",
                ] {
                    assert!(html.contains(text), "{text} in the page");
                }
                assert!(!html.contains("<script"), "no script");

                let form = |csrf: &str, tu: &str| {
                    vec![
                        ("csrf_token".to_string(), csrf.to_string()),
                        ("unit".to_string(), A.to_string()),
                        ("month".to_string(), m.clone()),
                        ("published_on_time_tu".to_string(), tu.to_string()),
                        ("published_on_time_mau".to_string(), "10".to_string()),
                        ("synchronized_dossiers".to_string(), "7".to_string()),
                        ("note".to_string(), "Công văn 45/UBND".to_string()),
                    ]
                };
                let post = |s: &Session, fields: Vec<(String, String)>| {
                    let req = s.cookie(client.post(app.url("/bao-cao/so-lieu-ngoai"))).form(&fields);
                    async move {
                        let res = req.send().await.expect("request");
                        let status = res.status().as_u16();
                        let location = res
                            .headers()
                            .get("location")
                            .and_then(|l| l.to_str().ok())
                            .unwrap_or_default()
                            .to_string();
                        (status, location, res.text().await.expect("body"))
                    }
                };
                let (status, _, body) = post(&leader, form("wrong", "9")).await;
                assert_eq!(status, 403, "no CSRF token, no write: {body}");
                assert!(body.contains("csrf_failed"));

                let (status, _, html) = post(&leader, form(&leader.csrf, "11")).await;
                assert_eq!(status, 400);
                assert!(html.contains("numerator_exceeds_denominator"), "{html}");
                assert!(html.contains("tử số 11 lớn hơn mẫu số 10"));
                assert!(html.contains("value=\"11\""), "what was typed is kept");

                let (status, location, _) = post(&leader, form(&leader.csrf, "9")).await;
                assert_eq!(status, 303);
                assert!(location.starts_with(&format!("/bao-cao/so-lieu-ngoai?unit={A}&month={m}&da_luu=1")), "{location}");
                let (status, html) = page(&leader, location).await;
                assert_eq!(status, 200);
                for text in [
                    "Đã lưu bản kê khai (phiên bản 1).",
                    "Bản kê khai đang có hiệu lực: phiên bản 1, do lanhdao.01279 nhập lúc",
                    "Công văn 45/UBND",
                    "value=\"9\"",
                    "Hiện tại: 9/10",
                ] {
                    assert!(html.contains(text), "{text} in the page after saving");
                }
                let (_, ix) = send(leader.bearer(app.client.get(app.url(&format!(
                    "/api/v1/reports/index766?unit={A}&period={m}"
                ))))).await;
                assert_eq!(criterion(&ix["units"][0]["report"], "published_on_time")["points"], 5.4, "9/10 × 6");

                let (status, html) = page(&inspector, path.clone()).await;
                assert_eq!(status, 200);
                assert!(html.contains("Chỉ lãnh đạo đơn vị hoặc quản trị cấp tỉnh được kê khai số liệu này."));
                assert!(!html.contains("id=\"ke-khai\""), "no form for an inspector");
                assert!(html.contains("9/10"));
                let (status, _, _) = post(&inspector, form(&inspector.csrf, "9")).await;
                assert_eq!(status, 403);

                let (status, html) = page(&leader, format!("{path}&lang=en")).await;
                assert_eq!(status, 200);
                assert!(html.contains("Inputs in force"));
                assert!(html.contains("Declaration in force: version 1, entered by lanhdao.01279"));
                let (status, _) = page(&leader, format!("/bao-cao/so-lieu-ngoai?unit={B}&month={m}")).await;
                assert_eq!(status, 403, "another unit's page");

                let (status, html) = page(&leader, format!("/bao-cao?unit={A}&period={m}")).await;
                assert_eq!(status, 200);
                assert!(html.contains(&format!("/bao-cao/so-lieu-ngoai?unit={A}")), "the dashboard links the form");
                assert!(html.contains("chưa kê khai đủ số liệu ngoài hệ thống"), "only 2 of 11 inputs given: the note says so");
                app.finish().await;
            }
        }
    };
}

mod helpers {
    use super::common::TestApp;
    use serde_json::{json, Value};

    pub const A: &str = "04.01279";
    pub const B: &str = "04.01288";
    pub const PASSWORD: &str = "mật khẩu thử nghiệm";

    fn today() -> chrono::NaiveDate {
        motcua_domain::dossier::vietnam_date(chrono::Utc::now())
    }

    /// The current month in Vietnam time, `YYYY-MM`.
    pub fn this_month() -> String {
        today().format("%Y-%m").to_string()
    }

    pub fn previous_month() -> String {
        use chrono::Datelike;
        let first = today().with_day(1).expect("the first of the month");
        first
            .pred_opt()
            .expect("a day before")
            .format("%Y-%m")
            .to_string()
    }

    pub fn next_month() -> String {
        use chrono::Datelike;
        let first = today().with_day(1).expect("the first of the month");
        (first + chrono::Duration::days(32))
            .format("%Y-%m")
            .to_string()
    }

    pub struct Session {
        pub token: String,
        pub csrf: String,
    }

    impl Session {
        pub fn bearer(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
            req.bearer_auth(&self.token)
        }

        pub fn cookie(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
            req.header("cookie", format!("motcua_session={}", self.token))
        }
    }

    pub use crate::common::send;

    pub async fn put(
        s: &Session,
        app: &TestApp,
        unit: &str,
        month: &str,
        body: Value,
    ) -> (u16, Value) {
        send(
            s.bearer(
                app.client
                    .put(app.url(&format!("/api/v1/reports/inputs/{unit}/{month}")))
                    .json(&body),
            ),
        )
        .await
    }

    /// The sub-criterion `key` of an index report.
    pub fn criterion<'a>(report: &'a Value, key: &str) -> &'a Value {
        report["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| g["criteria"].as_array().into_iter().flatten())
            .find(|c| c["criterion"] == key)
            .unwrap_or_else(|| panic!("criterion {key} in {report}"))
    }

    /// The points of the group `key`.
    pub fn group(report: &Value, key: &str) -> f64 {
        report["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|g| g["group"] == key)
            .and_then(|g| g["points"].as_f64())
            .unwrap_or_else(|| panic!("group {key} in {report}"))
    }

    /// Every external input, consistent.
    pub fn all_inputs() -> Value {
        let r = json!({"numerator": 1, "denominator": 1});
        json!({
            "published_on_time": r, "updated_on_time": r, "published_complete": r,
            "synchronized_dossiers": 0, "fee_procedures_on_portal": 0,
            "pakn": {"received": 0, "handled_on_time": 0, "rated": 0, "satisfied": 0},
            "digitized_data_reused": r, "digitized_data_shared": r, "population_data_used": r,
            "procedures_on_population_db": r, "electronic_certified_copies": r
        })
    }

    /// Creates an official (password [`PASSWORD`]) directly in the store.
    pub async fn official(app: &TestApp, username: &str, roles: &[(&str, &str)]) {
        app.create_official(username, PASSWORD, roles).await;
    }

    pub async fn session(app: &TestApp, username: &str) -> Session {
        let (status, body) = send(
            app.client
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({"username": username, "password": PASSWORD})),
        )
        .await;
        assert_eq!(status, 200, "{username}: {body}");
        Session {
            token: body["token"].as_str().expect("a token").to_string(),
            csrf: body["csrf_token"]
                .as_str()
                .expect("a CSRF token")
                .to_string(),
        }
    }
}

async fn sqlite_fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

input_tests!(sqlite, crate::sqlite_fixture);
input_tests!(postgres, motcua_store_postgres::test_fixture);
