//! The dashboards over HTTP (issue 5): exact figures after real
//! lifecycles, the XLSX export read back and compared with the JSON, the
//! CSV header, bilingual errors for a bad period, the access rule, and the
//! dashboard page in Vietnamese and English; on SQLite always and on
//! PostgreSQL when `MOTCUA_TEST_DATABASE_URL` is set.

#[allow(dead_code)] // helpers shared with api.rs that these tests do not use
mod common;

macro_rules! report_tests {
    ($backend:ident, $factory:path) => {
        mod $backend {
            use super::common::lifecycle::UNIT;
            use super::common::*;
            use super::helpers::*;
            use serde_json::{json, Value};

            async fn spawn(insecure: bool) -> Option<TestApp> {
                let fixture = $factory().await?;
                Some(TestApp::spawn_with(fixture, insecure).await)
            }

            /// One dossier returned, one pending, one refused, all received
            /// online at the commune this month.
            async fn three_dossiers(app: &TestApp) -> String {
                app.import_catalogue().await;
                let mut codes = Vec::new();
                for _ in 0..3 {
                    let (status, body) = app.submit_online("1.004873", None).await;
                    assert_eq!(status, 201, "{body}");
                    codes.push(body["code"].as_str().expect("a code").to_string());
                }
                app.drive_to_return(&codes[0]).await;
                let (status, body) = app
                    .act(
                        &codes[2],
                        ("receiving_officer", "receiving_officer.01279", Some(UNIT)),
                        json!({"action": "refuse", "reason": "Không thuộc thẩm quyền"}),
                    )
                    .await;
                assert_eq!(status, 200, "{body}");
                this_month()
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn figures_count_each_dossier_exactly() {
                let Some(app) = spawn(true).await else { return };
                let month = three_dossiers(&app).await;
                let (status, f) = app
                    .get_json(&format!("/api/v1/reports/figures?unit={UNIT}&period={month}"))
                    .await;
                assert_eq!(status, 200, "{f}");
                assert_eq!(f["scope"]["unit"], UNIT);
                assert_eq!(f["scope"]["name_vi"], "Phường Nùng Trí Cao");
                assert_eq!(f["period"]["key"], month.as_str());
                assert_eq!(f["perspective"], "competent");
                let t = &f["total"];
                assert_eq!(t["dossiers"]["total"], 3, "{t}");
                assert_eq!(t["dossiers"]["online"], 3);
                assert_eq!(t["received"]["total"], 1, "only the returned one was accepted");
                assert_eq!(t["received"]["online"], 1);
                assert_eq!(t["pending"], 1);
                assert_eq!(t["refused"], 1);
                assert_eq!(t["returned"], 1);
                assert_eq!(t["finished"], 1);
                assert_eq!(t["late"], 0);
                assert_eq!(t["overdue"], 0);
                assert_eq!(t["in_process"], 0);
                assert_eq!(t["within_deadline"], 1);
                assert_eq!(t["shares"]["within_deadline"], 1.0);
                assert_eq!(t["shares"]["online"], 1.0);
                let procs = f["by_procedure"].as_array().expect("rows");
                assert_eq!(procs.len(), 1);
                assert_eq!(procs[0]["key"], "1.004873");
                assert_eq!(procs[0]["figures"]["received"]["total"], 1);
                assert_eq!(f["by_field"][0]["key"], "Hộ tịch");
                assert_eq!(f["by_month"].as_array().map(Vec::len), Some(1));
                assert_eq!(f["by_unit"], json!([]), "a unit has no per-unit rows");

                let (_, r) = app
                    .get_json(&format!(
                        "/api/v1/reports/figures?unit={UNIT}&period={month}&perspective=receiving"
                    ))
                    .await;
                assert_eq!(r["total"]["dossiers"]["total"], 3, "the Center received them too");

                let (status, ix) = app
                    .get_json(&format!("/api/v1/reports/index766?unit={UNIT}&period={month}"))
                    .await;
                assert_eq!(status, 200, "{ix}");
                let report = &ix["units"][0]["report"];
                assert_eq!(report["groups"].as_array().map(Vec::len), Some(6));
                let progress = report["groups"]
                    .as_array()
                    .and_then(|g| g.iter().find(|g| g["group"] == "progress"))
                    .expect("the progress group");
                assert_eq!(progress["points"], 20.0, "1 on time of 1 received");
                assert_eq!(ix["ranking"][0]["rank"], 1);

                let (status, b) = app
                    .get_json(&format!("/api/v1/reports/bottlenecks?unit={UNIT}&period={month}"))
                    .await;
                assert_eq!(status, 200, "{b}");
                let steps = b["steps"].as_array().expect("steps");
                assert!(!steps.is_empty(), "the returned dossier's steps: {b}");
                assert!(steps.iter().all(|s| s["procedure"] == "1.004873"));
                let queued: u64 = b["queue"]
                    .as_array()
                    .expect("queue")
                    .iter()
                    .filter_map(|q| q["dossiers"].as_u64())
                    .sum();
                assert_eq!(queued, 1, "the pending dossier waits: {}", b["queue"]);
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn xlsx_reads_back_as_the_json_and_csv_has_vietnamese_titles() {
                let Some(app) = spawn(true).await else { return };
                let month = three_dossiers(&app).await;
                let q = format!("unit={UNIT}&period={month}");
                let (_, f) = app.get_json(&format!("/api/v1/reports/figures?{q}")).await;

                let res = app
                    .client
                    .get(app.url(&format!("/api/v1/reports/figures.xlsx?{q}")))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 200);
                assert_eq!(
                    res.headers()["content-type"],
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                );
                let bytes = res.bytes().await.expect("body").to_vec();
                let sheets = read_xlsx(&bytes);
                let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
                assert_eq!(names, ["Theo thủ tục", "Theo lĩnh vực", "Theo tháng"]);
                let rows = &sheets[0].1;
                let header: Vec<String> = rows[0].iter().map(text).collect();
                assert_eq!(header[0], "Mã thủ tục");
                assert_eq!(header[1], "Thủ tục");
                let columns = [
                    ("Hồ sơ phát sinh", "/dossiers/total"),
                    ("Tiếp nhận trực tuyến", "/received/online"),
                    ("Tổng tiếp nhận", "/received/total"),
                    ("Từ chối tiếp nhận", "/refused"),
                    ("Đã giải quyết trước hạn", "/early"),
                    ("Đã giải quyết đúng hạn", "/on_time"),
                    ("Đã giải quyết quá hạn", "/late"),
                    ("Đã trả kết quả", "/returned"),
                    ("Tỷ lệ đúng hạn", "/shares/within_deadline"),
                    ("Tỷ lệ trực tuyến", "/shares/online"),
                ];
                let json_rows = f["by_procedure"].as_array().expect("rows");
                assert_eq!(rows.len(), json_rows.len() + 2, "header, rows, total");
                for (i, jr) in json_rows.iter().enumerate() {
                    let row = &rows[i + 1];
                    assert_eq!(text(&row[0]), jr["key"].as_str().unwrap_or_default());
                    assert_eq!(text(&row[1]), jr["label"].as_str().unwrap_or_default());
                    for (title, pointer) in columns {
                        let c = header.iter().position(|h| h == title).expect(title);
                        let want = jr["figures"].pointer(pointer).and_then(Value::as_f64);
                        assert_eq!(number(&row[c]), want, "{title}");
                    }
                }
                let total = rows.last().expect("the total row");
                assert_eq!(text(&total[1]), "Tổng cộng");
                for (title, pointer) in columns {
                    let c = header.iter().position(|h| h == title).expect(title);
                    assert_eq!(
                        number(&total[c]),
                        f["total"].pointer(pointer).and_then(Value::as_f64),
                        "total {title}"
                    );
                }

                let res = app
                    .client
                    .get(app.url(&format!("/api/v1/reports/figures?{q}&format=csv&table=by_field")))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 200);
                assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
                let csv = res.text().await.expect("text");
                assert!(csv.starts_with('\u{feff}'), "a byte order mark for Excel");
                let mut lines = csv.trim_start_matches('\u{feff}').lines();
                assert!(lines
                    .next()
                    .is_some_and(|h| h.starts_with("Lĩnh vực;Tên lĩnh vực;Hồ sơ phát sinh;Tiếp nhận trực tiếp")));
                assert!(lines.next().is_some_and(|l| l.starts_with("Hộ tịch;Hộ tịch;3;0;1;0;1;1;")));

                let res = app
                    .client
                    .get(app.url(&format!("/api/v1/reports/index766.csv?{q}&table=ranking&lang=en")))
                    .send()
                    .await
                    .expect("request");
                let csv = res.text().await.expect("text");
                assert!(csv.contains("Rank;Unit id;Unit;Total"), "{csv}");
                assert!(csv.contains("43,03;100;"), "decimal comma in a ;-separated sheet: {csv}");

                let (status, p) = app
                    .get_json(&format!("/api/v1/reports/figures?{q}&format=csv&table=nope"))
                    .await;
                assert_eq!((status, p["code"].as_str()), (400, Some("invalid_table")));

                let res = app
                    .client
                    .get(app.url(&format!("/api/v1/reports/bottlenecks.xlsx?{q}")))
                    .send()
                    .await
                    .expect("request");
                let sheets = read_xlsx(&res.bytes().await.expect("body"));
                assert_eq!(sheets[0].0, "Thời gian từng bước");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_bad_period_is_refused_in_both_languages() {
                let Some(app) = spawn(true).await else { return };
                for bad in ["2026-13", "2026-Q5", "hôm qua", "2026-05..2026-01"] {
                    let (status, p) = app
                        .get_json(&format!("/api/v1/reports/figures?unit={UNIT}&period={bad}"))
                        .await;
                    assert_eq!(status, 400, "{bad}: {p}");
                    assert_eq!(p["code"], "invalid_period");
                    assert!(p["message_vi"].as_str().is_some_and(|m| m.contains("Kỳ báo cáo không hợp lệ")));
                    assert!(p["message_en"].as_str().is_some_and(|m| m.contains("Invalid period")));
                }
                let (status, p) = app.get_json("/api/v1/reports/figures?period=2026").await;
                assert_eq!((status, p["code"].as_str()), (400, Some("scope_required")));
                let (status, p) = app
                    .get_json(&format!("/api/v1/reports/figures?unit={UNIT}&format=pdf"))
                    .await;
                assert_eq!((status, p["code"].as_str()), (400, Some("invalid_format")));
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn officials_read_only_their_own_dashboards() {
                let Some(app) = spawn(false).await else { return };
                app.import_catalogue().await;
                official(&app, "tiepnhan.01279", &[("receiving_officer", A)]).await;
                official(&app, "thanhtra.01288", &[("inspector", B)]).await;
                official(&app, "quantri.tinh", &[("province_admin", "04")]).await;
                let a = session(&app, "tiepnhan.01279").await;
                let b = session(&app, "thanhtra.01288").await;
                let p = session(&app, "quantri.tinh").await;
                let get = |s: &Session, path: &str| send(s.bearer(app.client.get(app.url(path))));

                let (status, f) = get(&a, "/api/v1/reports/figures?period=2026").await;
                assert_eq!(status, 200, "{f}");
                assert_eq!(f["scope"]["unit"], A, "the own unit by default");
                let (status, _) = get(&b, &format!("/api/v1/reports/figures?unit={B}")).await;
                assert_eq!(status, 200, "an inspector reads their unit");

                let (status, denied) = get(&b, &format!("/api/v1/reports/figures?unit={A}")).await;
                assert_eq!((status, denied["code"].as_str()), (403, Some("report_forbidden")));
                let (_, missing) = get(&b, "/api/v1/reports/figures?unit=04.99999").await;
                assert_eq!(denied, missing, "a denial reveals nothing");
                for path in [
                    format!("/api/v1/reports/index766?unit={A}"),
                    format!("/api/v1/reports/bottlenecks.xlsx?unit={A}"),
                    "/api/v1/reports/figures?province=04".to_string(),
                ] {
                    let (status, _) = get(&b, &path).await;
                    assert_eq!(status, 403, "{path}");
                }

                let (status, ix) = get(&p, "/api/v1/reports/index766?period=2026").await;
                assert_eq!(status, 200, "{ix}");
                assert_eq!(ix["scope"]["province"], "04", "the province by default");
                let ranking = ix["ranking"].as_array().expect("ranking");
                assert_eq!(ranking.len(), 56, "every commune of Cao Bằng is ranked");
                assert!(ranking.iter().all(|u| (u["rank"].as_u64().is_some() || u["rank"].is_null()) && u["grade_vi"].is_string()));
                let (status, _) = get(&p, &format!("/api/v1/reports/figures?unit={A}")).await;
                assert_eq!(status, 200, "the province administrator reads each unit");
                let res = p
                    .bearer(app.client.get(app.url("/api/v1/reports/monthly.pdf?province=04")))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 200);
                assert_eq!(res.headers()["content-type"], "application/pdf");
                assert!(res.bytes().await.expect("pdf").starts_with(b"%PDF-"));
                let (status, _) = get(&b, "/api/v1/reports/monthly.pdf?province=04").await;
                assert_eq!(status, 403, "a commune's inspector gets no province report");

                let (status, p401) =
                    send(app.client.get(app.url(&format!("/api/v1/reports/figures?unit={A}")))).await;
                assert_eq!((status, p401["code"].as_str()), (401, Some("authentication_required")));
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn internal_codes_never_reach_a_page_or_a_sheet() {
                let Some(app) = spawn(true).await else { return };
                let month = three_dossiers(&app).await;
                official(&app, "quantri.tinh", &[("province_admin", "04")]).await;
                let p = session(&app, "quantri.tinh").await;
                let read = |path: String| {
                    let req = p.cookie(app.client.get(app.url(&path)));
                    async move {
                        let res = req.send().await.expect("request");
                        let status = res.status().as_u16();
                        (status, res.text().await.expect("text"))
                    }
                };
                let codes = internal_codes();
                let mut seen = 0;
                for (report, tables) in [
                    ("figures", &["by_unit", "by_procedure", "by_field", "by_month"][..]),
                    ("index766", &["ranking", "criteria"][..]),
                    ("bottlenecks", &["steps", "queue", "by_month"][..]),
                ] {
                    for table in tables {
                        for lang in ["vi", "en"] {
                            let path = format!(
                                "/api/v1/reports/{report}.csv?province=04&period={month}&table={table}&lang={lang}"
                            );
                            let (status, csv) = read(path.clone()).await;
                            assert_eq!(status, 200, "{path}: {csv}");
                            assert!(csv.lines().count() > 1, "{path} has rows: {csv}");
                            for code in &codes {
                                assert!(!csv.contains(code.as_str()), "{code} in {path}:\n{csv}");
                            }
                            seen += 1;
                        }
                    }
                }
                assert_eq!(seen, 18);
                for path in [
                    format!("/bao-cao?province=04&period={month}"),
                    format!("/bao-cao?province=04&period={month}&lang=en"),
                    format!("/bao-cao?unit={A}&period={month}"),
                    format!("/bao-cao?unit={A}&period={month}&lang=en"),
                ] {
                    let (status, html) = read(path.clone()).await;
                    assert_eq!(status, 200, "{path}: {html}");
                    let text = visible_text(&html);
                    assert!(text.contains("766"), "{path} shows the index");
                    for code in &codes {
                        assert!(!text.contains(code.as_str()), "{code} on {path}");
                    }
                }
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_dashboard_page_in_vietnamese_and_english() {
                let Some(app) = spawn(false).await else { return };
                app.import_catalogue().await;
                official(&app, "tiepnhan.01279", &[("receiving_officer", A)]).await;
                official(&app, "quantri.tinh", &[("province_admin", "04")]).await;
                let a = session(&app, "tiepnhan.01279").await;
                let no_redirect = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .expect("client");
                let res = no_redirect.get(app.url("/bao-cao")).send().await.expect("request");
                assert_eq!(res.status().as_u16(), 303, "to the officials' login");

                let page = |s: &Session, path: &str| {
                    let req = s.cookie(app.client.get(app.url(path)));
                    async move {
                        let res = req.send().await.expect("request");
                        (res.status().as_u16(), res.text().await.expect("html"))
                    }
                };
                let (status, html) = page(&a, "/bao-cao?period=2026").await;
                assert_eq!(status, 200, "{html}");
                for text in [
                    "Báo cáo",
                    "Phường Nùng Trí Cao",
                    "Năm 2026",
                    "Tỷ lệ đúng hạn theo tháng",
                    "Bộ chỉ số phục vụ người dân, doanh nghiệp",
                    "Công khai, minh bạch",
                    "Điểm nghẽn",
                    "role=\"img\"",
                    "<title id=\"trend-t\">Tỷ lệ hồ sơ đúng hạn theo tháng</title>",
                    "/api/v1/reports/figures.xlsx?unit=04.01279&amp;period=2026",
                    "Hàng chờ bên dưới và hàng chờ của cán bộ đếm mọi hồ sơ đang mở",
                ] {
                    assert!(html.contains(text), "{text} in the page");
                }
                assert!(!html.contains("<script"), "no script");
                let (status, html) = page(&a, "/bao-cao?period=2026&lang=en").await;
                assert_eq!(status, 200);
                assert!(html.contains("On-time share by month"));
                assert!(html.contains("Service index (Decision 766/QĐ-TTg)"));
                let (status, html) = page(&a, "/bao-cao?unit=04.01288").await;
                assert_eq!(status, 403, "{html}");

                // The period is picked, never typed: a list with the one in
                // force selected, or a run of two month pickers; a run the
                // reports refuse is said on the form, what was picked kept.
                let (status, html) = page(&a, "/bao-cao?period=2026-Q2").await;
                assert_eq!(status, 200, "{html}");
                assert!(html.contains("<select id=\"period\" name=\"period\">"), "{html}");
                assert!(html.contains("<option value=\"2026-Q2\" selected>Quý 2/2026</option>"), "{html}");
                assert!(html.contains("name=\"tu\" type=\"month\""), "{html}");
                assert!(!html.contains("placeholder=\"2026-Q1\""), "no free text");
                let (status, html) = page(&a, "/bao-cao?tu=2026-01&den=2026-03").await;
                assert_eq!(status, 200, "{html}");
                assert!(html.contains("Từ tháng 2026-01 đến tháng 2026-03"), "{html}");
                assert!(html.contains("id=\"tu\" name=\"tu\" type=\"month\" value=\"2026-01\""), "{html}");
                let (status, html) = page(&a, "/bao-cao?tu=2026-05&den=2026-02").await;
                assert_eq!(status, 200, "the page stays, with the message: {html}");
                assert!(html.contains("id=\"period-error\""), "{html}");
                assert!(html.contains("Kỳ báo cáo không hợp lệ"), "{html}");
                assert!(html.contains("value=\"2026-05\"") && html.contains("value=\"2026-02\""), "kept: {html}");
                let (status, html) = page(&a, "/bao-cao?tu=2026-05&den=&lang=en").await;
                assert_eq!(status, 200);
                assert!(html.contains("Pick both the first and the last month"), "{html}");

                let p = session(&app, "quantri.tinh").await;
                let (status, html) = page(&p, "/bao-cao?period=2026").await;
                assert_eq!(status, 200);
                assert!(html.contains("Xếp hạng các xã, phường"));
                assert!(html.contains("/bao-cao?unit=04."), "the ranking links to each commune");
                app.finish().await;
            }
        }
    };
}

mod helpers {
    use super::common::TestApp;
    use serde_json::json;

    pub const A: &str = "04.01279";
    pub const B: &str = "04.01288";
    pub const PASSWORD: &str = "mật khẩu thử nghiệm";

    /// The current month in Vietnam time, `YYYY-MM`.
    pub fn this_month() -> String {
        let today = motcua_domain::dossier::vietnam_date(chrono::Utc::now());
        today.format("%Y-%m").to_string()
    }

    pub struct Session {
        pub token: String,
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
        }
    }

    /// The snake_case names the JSON API uses for the index's groups,
    /// criteria and scoring statuses, and the catalogue's field names: a
    /// reader must never see them.
    pub fn internal_codes() -> Vec<String> {
        use motcua_domain::reports::{Criterion, Group, ScoreStatus};
        let name = |v: serde_json::Value| v.as_str().expect("a name").to_string();
        let mut codes: Vec<String> = Criterion::ALL
            .iter()
            .map(|c| name(json!(c)))
            .chain(Group::ALL.iter().map(|g| name(json!(g))))
            .chain(
                [
                    ScoreStatus::Scored,
                    ScoreStatus::NoData,
                    ScoreStatus::MissingInput,
                ]
                .iter()
                .map(|s| name(json!(s))),
            )
            .collect();
        codes.extend(["competent_agency", "workflow", "not_rated"].map(String::from));
        // A code without an underscore ("scored") is also an ordinary word.
        codes.retain(|c| c.contains('_'));
        codes
    }

    /// The text of an HTML page as a reader sees it: tags (and with them
    /// attributes and links) left out.
    pub fn visible_text(html: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    out.push(' ');
                }
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// Every worksheet of a workbook: its name and its rows.
    pub fn read_xlsx(bytes: &[u8]) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
        wb.worksheets()
            .into_iter()
            .map(|(name, range)| (name, range.rows().map(<[calamine::Data]>::to_vec).collect()))
            .collect()
    }

    pub fn text(d: &calamine::Data) -> String {
        match d {
            calamine::Data::String(s) => s.clone(),
            calamine::Data::Empty => String::new(),
            other => other.to_string(),
        }
    }

    pub fn number(d: &calamine::Data) -> Option<f64> {
        match d {
            calamine::Data::Float(x) => Some(*x),
            #[allow(clippy::cast_precision_loss)]
            calamine::Data::Int(n) => Some(*n as f64),
            _ => None,
        }
    }
}

async fn sqlite_fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

report_tests!(sqlite, crate::sqlite_fixture);
report_tests!(postgres, motcua_store_postgres::test_fixture);
