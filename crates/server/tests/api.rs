//! Black-box tests of the HTTP API and pages, against the real application
//! on port 0, on SQLite always and on PostgreSQL when
//! `MOTCUA_TEST_DATABASE_URL` is set.

mod common;

macro_rules! api_tests {
    ($backend:ident, $factory:path) => {
        mod $backend {
            use super::common::*;

            async fn spawn() -> Option<TestApp> {
                let fixture = $factory().await?;
                Some(TestApp::spawn(fixture).await)
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn health_reports_the_backend() {
                let Some(app) = spawn().await else { return };
                let (status, body) = app.get_json("/api/health").await;
                assert_eq!(status, 200);
                assert_eq!(body["status"], "ok");
                assert_eq!(body["backend"], stringify!($backend));
                assert!(body["units_data_version"]
                    .as_str()
                    .is_some_and(|v| v.starts_with("vn-admin-2025/")));
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn units_provinces_and_communes() {
                let Some(app) = spawn().await else { return };
                let (status, body) = app.get_json("/api/v1/units/04?at=2025-07-01").await;
                assert_eq!(status, 200);
                assert_eq!(body["name"], "Tỉnh Cao Bằng");
                assert_eq!(body["era"], "two_level");

                let (_, provinces) = app.get_json("/api/v1/provinces?at=2025-07-01").await;
                assert_eq!(provinces.as_array().map(Vec::len), Some(34));
                let (_, legacy) = app.get_json("/api/v1/provinces?at=2025-06-30").await;
                assert_eq!(legacy.as_array().map(Vec::len), Some(63));

                let (status, communes) = app
                    .get_json("/api/v1/provinces/04/communes?at=2025-07-01")
                    .await;
                assert_eq!(status, 200);
                let communes = communes.as_array().expect("a list");
                assert_eq!(communes.len(), 56);
                assert!(communes.iter().any(|c| c["name"] == "Phường Nùng Trí Cao"));
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn lineage_of_nung_tri_cao_and_back() {
                let Some(app) = spawn().await else { return };
                let (_, communes) = app
                    .get_json("/api/v1/provinces/04/communes?at=2025-07-01")
                    .await;
                let code = communes
                    .as_array()
                    .and_then(|cs| cs.iter().find(|c| c["name"] == "Phường Nùng Trí Cao"))
                    .and_then(|c| c["code"].as_str())
                    .expect("Nùng Trí Cao is listed")
                    .to_string();
                let (status, lineage) = app
                    .get_json(&format!("/api/v1/units/{code}/lineage?at=2025-07-01"))
                    .await;
                assert_eq!(status, 200);
                assert_eq!(lineage["direction"], "sources");
                let mut names: Vec<&str> = lineage["links"]
                    .as_array()
                    .expect("links")
                    .iter()
                    .filter_map(|l| l["unit"]["name"].as_str())
                    .collect();
                names.sort();
                assert_eq!(
                    names,
                    ["Phường Ngọc Xuân", "Phường Sông Bằng", "Xã Vĩnh Quang"]
                );

                let song_bang = lineage["links"]
                    .as_array()
                    .and_then(|ls| ls.iter().find(|l| l["unit"]["name"] == "Phường Sông Bằng"))
                    .and_then(|l| l["unit"]["code"].as_str())
                    .expect("Sông Bằng code")
                    .to_string();
                let (status, back) = app
                    .get_json(&format!("/api/v1/units/{song_bang}/lineage?at=2025-06-30"))
                    .await;
                assert_eq!(status, 200);
                assert_eq!(back["direction"], "successors");
                assert_eq!(back["links"][0]["unit"]["name"], "Phường Nùng Trí Cao");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn bad_input_gets_bilingual_problems() {
                let Some(app) = spawn().await else { return };
                for (path, status, code) in [
                    ("/api/v1/units/4x", 400, "invalid_code"),
                    ("/api/v1/units/99999?at=2025-07-01", 404, "unit_not_found"),
                    ("/api/v1/units/04?at=2025-13-01", 400, "invalid_date"),
                    ("/api/v1/units/04?at=1800-01-01", 400, "invalid_date"),
                    ("/api/v1/provinces/004/communes", 400, "invalid_code"),
                    ("/api/v1/units/04/lineage", 400, "invalid_code"),
                    ("/api/v1/nothing-here", 404, "route_not_found"),
                ] {
                    let res = app.client.get(app.url(path)).send().await.expect("request");
                    assert_eq!(res.status().as_u16(), status, "{path}");
                    assert_eq!(
                        res.headers()
                            .get("content-type")
                            .and_then(|v| v.to_str().ok()),
                        Some("application/problem+json"),
                        "{path}"
                    );
                    let body: serde_json::Value = res.json().await.expect("json");
                    assert_eq!(body["code"], code, "{path}");
                    assert_eq!(body["status"], status, "{path}");
                    assert!(
                        body["message_vi"].as_str().is_some_and(|m| !m.is_empty()),
                        "{path}"
                    );
                    assert!(
                        body["message_en"].as_str().is_some_and(|m| !m.is_empty()),
                        "{path}"
                    );
                }
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn province_page_lists_communes_and_sources() {
                let Some(app) = spawn().await else { return };
                let res = app
                    .client
                    .get(app.url("/tinh/04"))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 200);
                let html = res.text().await.expect("html");
                assert!(html.contains("<html lang=\"vi\">"));
                assert!(html.contains("56 đơn vị cấp xã"));
                let row = html
                    .split("<tr")
                    .find(|r| r.contains("Phường Nùng Trí Cao"))
                    .expect("a row for Nùng Trí Cao");
                for source in ["Phường Sông Bằng", "Phường Ngọc Xuân", "Xã Vĩnh Quang"]
                {
                    assert!(row.contains(source), "{source} in {row}");
                }
                let res = app
                    .client
                    .get(app.url("/tinh/99"))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 404);
                assert!(res
                    .text()
                    .await
                    .expect("html")
                    .contains("Không có tỉnh mã 99"));
                app.finish().await;
            }
        }
    };
}

async fn sqlite_fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

api_tests!(sqlite, crate::sqlite_fixture);
api_tests!(postgres, motcua_store_postgres::test_fixture);

mod convert {
    use super::common::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn legacy_addresses_convert_or_explain_why_not() {
        let app = TestApp::spawn(motcua_store_sqlite::test_fixture()).await;
        let (status, v) = app
            .get_json("/api/v1/convert?commune=Xa%20Vinh%20Quang&district=Thanh%20pho%20Cao%20Bang&province=04")
            .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["legacy"]["name"], "Xã Vĩnh Quang");
        assert_eq!(v["new_commune"]["name"], "Phường Nùng Trí Cao");
        assert_eq!(v["split"], false);

        let (status, v) = app.get_json("/api/v1/convert?commune=vinh%20quang").await;
        assert_eq!(status, 422);
        assert_eq!(v["code"], "ambiguous_name");
        assert!(v["extra"]["candidates"]
            .as_array()
            .is_some_and(|c| c.len() >= 2));

        let (status, v) = app
            .get_json("/api/v1/convert?commune=Xyzzy%20Plugh&province=04")
            .await;
        assert_eq!(status, 404);
        assert_eq!(v["code"], "unit_not_found");

        let (status, v) = app.get_json("/api/v1/convert").await;
        assert_eq!(status, 400);
        assert_eq!(v["code"], "missing_commune");
        app.finish().await;
    }
}
