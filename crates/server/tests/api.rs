//! Black-box tests of the HTTP API and pages, against the real application
//! on port 0, on SQLite always and on PostgreSQL when
//! `MOTCUA_TEST_DATABASE_URL` is set.

mod common;

macro_rules! api_tests {
    ($backend:ident, $factory:path) => {
        mod $backend {
            use super::common::*;
            use super::common::lifecycle::UNIT;

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
            async fn a_dossier_runs_from_submission_to_rating() {
                let Some(app) = spawn().await else { return };
                assert_eq!(app.import_catalogue_over_http().await, 200);
                let (_, listed) = app.get_json("/api/v1/procedures?on=2026-01-01").await;
                assert!(listed.as_array().is_some_and(|l| l.len() >= 25), "the demo catalogue");
                let (status, first) = app.submit_online("1.004873", Some("key-1")).await;
                assert_eq!(status, 201, "{first}");
                let code = first["code"].as_str().expect("a code").to_string();
                assert!(code.starts_with("04.01279-"), "{code}");
                assert!(code.ends_with("-0001"), "first of the day: {code}");
                let (status, again) = app.submit_online("1.004873", Some("key-1")).await;
                assert_eq!(status, 200, "a retry is answered, not redone");
                assert_eq!(again["code"], first["code"]);
                assert_eq!(again["replayed"], true);

                let taken = app.drive_to_return(&code).await;
                assert_eq!(taken.first().map(String::as_str), Some("accept"));
                assert_eq!(taken.last().map(String::as_str), Some("return_result"));
                let (status, rated) = app
                    .act(&code, ("applicant", "citizen.001", None), serde_json::json!({"action": "rate", "rating": "very_satisfied", "comment": "Nhanh, chu đáo"}))
                    .await;
                assert_eq!(status, 200, "{rated}");

                let (_, view) = app.get_json(&format!("/api/v1/dossiers/{code}")).await;
                assert_eq!(view["status_code"], 10);
                assert_eq!(view["status_vi"], "Đã trả kết quả");
                assert!(view["deadline"]["due"].as_str().is_some_and(|d| d.ends_with("+07:00")));
                assert!(view["control_sheet"].as_array().is_some_and(|rows| rows.len() >= 4));
                let (_, events) = app.get_json(&format!("/api/v1/dossiers/{code}/events")).await;
                assert_eq!(events.as_array().map(Vec::len), Some(taken.len() + 2), "submit + actions + rating");
                for form in ["01", "06"] {
                    let res = app.client.get(app.url(&format!("/api/v1/dossiers/{code}/forms/{form}"))).send().await.expect("request");
                    assert_eq!(res.status().as_u16(), 200, "form {form}");
                    assert_eq!(res.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/pdf"));
                    assert!(res.bytes().await.expect("pdf").starts_with(b"%PDF-"), "form {form}");
                }
                let (status, p) = app.get_json(&format!("/api/v1/dossiers/{code}/forms/03")).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("form_not_available")), "never refused");
                let (status, p) = app.get_json(&format!("/api/v1/dossiers/{code}/forms/99")).await;
                assert_eq!((status, p["code"].as_str()), (400, Some("invalid_form")));
                let (_, audit) = app.get_json("/api/v1/audit/verify").await;
                assert_eq!(audit["dossiers"], 1);
                assert_eq!(audit["broken"], serde_json::json!([]));
                let (_, found) = app.get_json("/api/v1/dossiers?applicant=minh%20trang&status=10").await;
                assert_eq!(found.as_array().map(Vec::len), Some(1));
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn refusals_change_nothing_and_say_why() {
                let Some(app) = spawn().await else { return };
                app.import_catalogue().await;
                let (_, first) = app.submit_online("1.004873", None).await;
                let code = first["code"].as_str().expect("a code").to_string();
                let officer = ("receiving_officer", "receiving_officer.01279", Some(UNIT));

                let (status, p) = app.act(&code, ("specialist", "x", Some(UNIT)), serde_json::json!({"action": "accept"})).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden_role")), "{p}");
                let (status, p) = app.act(&code, ("applicant", "citizen.001", None), serde_json::json!({"action": "rate", "rating": "satisfied"})).await;
                assert_eq!((status, p["code"].as_str()), (409, Some("illegal_transition")), "{p}");
                assert!(p["message_vi"].as_str().is_some_and(|m| m.contains("Mới đăng ký")), "{p}");
                let (status, p) = app
                    .post_as(&format!("/api/v1/dossiers/{code}/actions"), officer, &[("if-match", "7".to_string())], &serde_json::json!({"action": "accept"}))
                    .await;
                assert_eq!((status, p["code"].as_str()), (409, Some("version_conflict")), "{p}");
                let (status, p) = app.act(&code, officer, serde_json::json!({"action": "fly"})).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("invalid_body")), "{p}");
                let res = app.client.post(app.url(&format!("/api/v1/dossiers/{code}/actions"))).json(&serde_json::json!({"action": "accept"})).send().await.expect("request");
                assert_eq!(res.status().as_u16(), 401);
                let (status, _) = app.get_json("/api/v1/dossiers/not-a-code").await;
                assert_eq!(status, 400);

                let (_, view) = app.get_json(&format!("/api/v1/dossiers/{code}")).await;
                assert_eq!(view["version"], 1, "nothing was written");
                assert_eq!(view["status_code"], 1);

                // Two officials accept at once with the same version: exactly one wins.
                let path = format!("/api/v1/dossiers/{code}/actions");
                let if_match = [("if-match", "1".to_string())];
                let accept = serde_json::json!({"action": "accept"});
                let a = app.post_as(&path, officer, &if_match, &accept);
                let b = app.post_as(&path, officer, &if_match, &accept);
                let ((sa, _), (sb, _)) = tokio::join!(a, b);
                let mut statuses = [sa, sb];
                statuses.sort();
                assert_eq!(statuses, [200, 409]);
                let (_, view) = app.get_json(&format!("/api/v1/dossiers/{code}")).await;
                assert_eq!(view["version"], 2);
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn documents_are_stored_by_content_and_recorded_as_events() {
                let Some(app) = spawn().await else { return };
                app.import_catalogue().await;
                let (_, first) = app.submit_online("1.004873", None).await;
                let code = first["code"].as_str().expect("a code").to_string();
                let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
                let upload = |body: Vec<u8>, role: &str, user: &str, unit: Option<&str>, kind: &str| {
                    let mut req = app
                        .client
                        .post(app.url(&format!("/api/v1/dossiers/{code}/documents?name=Gi%E1%BA%A5y%20ch%E1%BB%A9ng%20sinh&kind={kind}")))
                        .header("x-actor-role", role.to_string())
                        .header("x-actor-user", user.to_string())
                        .header("content-type", "application/octet-stream")
                        .body(body);
                    if let Some(u) = unit {
                        req = req.header("x-actor-unit", u.to_string());
                    }
                    req.send()
                };
                let res = upload(pdf.clone(), "applicant", "citizen.001", None, "component").await.expect("request");
                assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap_or_default());
                let res = upload(b"just text".to_vec(), "applicant", "citizen.001", None, "component").await.expect("request");
                assert_eq!(res.status().as_u16(), 415);
                let p: serde_json::Value = res.json().await.expect("json");
                assert_eq!(p["code"], "unsupported_media_type");
                let res = upload(pdf.clone(), "applicant", "someone.else", None, "component").await.expect("request");
                assert_eq!(res.status().as_u16(), 403, "only the applicant");

                let (_, view) = app.get_json(&format!("/api/v1/dossiers/{code}")).await;
                let docs = view["dossier"]["documents"].as_array().expect("documents");
                assert_eq!(docs.len(), 1);
                assert_eq!(docs[0]["media_type"], "application/pdf");
                assert_eq!(docs[0]["name"], "Giấy chứng sinh");
                let sha = docs[0]["sha256"].as_str().expect("sha").to_string();
                let res = app.client.get(app.url(&format!("/api/v1/documents/{sha}"))).send().await.expect("request");
                assert_eq!(res.status().as_u16(), 200);
                assert_eq!(res.bytes().await.expect("bytes").to_vec(), pdf);
                let (status, _) = app.get_json(&format!("/api/v1/documents/{}", "0".repeat(64))).await;
                assert_eq!(status, 404);
                let (_, audit) = app.get_json("/api/v1/audit/verify").await;
                assert_eq!(audit["broken"], serde_json::json!([]));
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn queues_put_the_dossier_before_the_right_role() {
                let Some(app) = spawn().await else { return };
                app.import_catalogue().await;
                let (_, first) = app.submit_online("1.004873", None).await;
                let code = first["code"].as_str().expect("a code").to_string();
                let (_, q) = app.get_json(&format!("/api/v1/queues?unit={UNIT}&role=specialist")).await;
                assert_eq!(q.as_array().map(Vec::len), Some(0));
                for _ in 0..2 {
                    let (role, user, unit, action) = app.next_step(&code).await.expect("a step");
                    let (status, body) = app.act(&code, (&role, &user, unit.as_deref()), action).await;
                    assert_eq!(status, 200, "{body}");
                }
                let (_, q) = app.get_json(&format!("/api/v1/queues?unit={UNIT}&role=specialist")).await;
                let q = q.as_array().expect("a list");
                assert_eq!(q.len(), 1);
                assert_eq!(q[0]["code"], code.as_str());
                let (status, p) = app.get_json("/api/v1/queues?unit=04.01279&role=pilot").await;
                assert_eq!((status, p["code"].as_str()), (400, Some("invalid_role")));
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
    async fn calendar_due_across_tet_2026() {
        let app = TestApp::spawn(motcua_store_sqlite::test_fixture()).await;
        let (status, v) = app
            .get_json("/api/v1/calendar/due?received=2026-02-13T10:00:00%2B07:00&working_days=3")
            .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["due"], "2026-02-25T17:00:00+07:00");
        assert!(v["explanation_vi"]
            .as_array()
            .is_some_and(|e| !e.is_empty()));
        let (status, v) = app
            .get_json("/api/v1/calendar/due?received=2026-02-13T10:00:00%2B07:00&working_days=3&working_hours=2")
            .await;
        assert_eq!((status, v["code"].as_str()), (400, Some("invalid_limit")));
        app.finish().await;
    }

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
