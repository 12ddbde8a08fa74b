//! A province's settings over HTTP, on SQLite always and on PostgreSQL
//! when `MOTCUA_TEST_DATABASE_URL` is set: anyone reads them; only the
//! province's administrator, with their password again, adopts a version;
//! the deadlines counted on a day from its `valid_from` follow it, in that
//! province only.

#[allow(dead_code)] // helpers shared with the other test binaries
mod common;

macro_rules! settings_tests {
    ($backend:ident, $factory:path) => {
        mod $backend {
            use super::common::*;
            use serde_json::{json, Value};

            const PASSWORD: &str = "mật khẩu thử nghiệm";

            async fn token(app: &TestApp, username: &str) -> String {
                let (status, body) = send(
                    app.client
                        .post(app.url("/api/v1/auth/login"))
                        .json(&json!({"username": username, "password": PASSWORD})),
                )
                .await;
                assert_eq!(status, 200, "{username}: {body}");
                body["token"].as_str().expect("a token").to_string()
            }

            fn today() -> chrono::NaiveDate {
                motcua_domain::dossier::vietnam_date(chrono::Utc::now())
            }

            async fn due(app: &TestApp, province: &str, received: &str) -> String {
                let (status, v) = send(app.client.get(app.url("/api/v1/calendar/due")).query(&[
                    ("received", received),
                    ("working_days", "3"),
                    ("province", province),
                ]))
                .await;
                assert_eq!(status, 200, "{v}");
                v["due"].as_str().expect("due").to_string()
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_province_administrator_adopts_a_version_and_deadlines_follow_it() {
                let Some(fixture) = $factory().await else { return };
                let app = TestApp::spawn_with(fixture, false).await;
                app.create_official("quantri.04", PASSWORD, &[("province_admin", "04")]).await;
                app.create_official("quantri.01", PASSWORD, &[("province_admin", "01")]).await;
                app.create_official("chuyenvien.01279", PASSWORD, &[("specialist", "04.01279")]).await;

                let (status, v) = app.get_json("/api/v1/provinces/04/settings").await;
                assert_eq!(status, 200, "{v}");
                assert_eq!(v["in_force"]["deadline"]["unstated_limit_working_days"], 15);
                assert_eq!(v["in_force"]["deadline"]["after_hours_receipt"], "day_of_receipt");
                assert!(v["provisional_years"].as_array().unwrap().contains(&json!(2027)), "{v}");
                assert_eq!(v["history"].as_array().unwrap().len(), 0);

                let sunday = {
                    use chrono::Datelike;
                    let t = today() + chrono::Days::new(1);
                    t + chrono::Days::new(u64::from(6 - t.weekday().num_days_from_monday()))
                };
                let received = format!("{sunday}T10:00:00+07:00");
                let before = due(&app, "04", &received).await;

                let mut doc: Value = v["in_force"].clone();
                doc["valid_from"] = json!(today().to_string());
                doc["deadline"]["after_hours_receipt"] = json!("next_working_morning");
                doc["deadline"]["unstated_limit_working_days"] = json!(20);
                let adopt = |who: &str, body: Value| {
                    let req = app.client.post(app.url("/api/v1/provinces/04/settings"));
                    let who = who.to_string();
                    async move { send(req.bearer_auth(who).json(&body)).await }
                };
                let body = json!({"document": doc, "reason": "Quyết định của UBND tỉnh", "current_password": PASSWORD});

                let specialist = token(&app, "chuyenvien.01279").await;
                let (status, p) = adopt(&specialist, body.clone()).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "{p}");
                let other = token(&app, "quantri.01").await;
                let (status, p) = adopt(&other, body.clone()).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "another province's administrator: {p}");
                let (status, p) = send(app.client.post(app.url("/api/v1/provinces/04/settings")).json(&body)).await;
                assert_eq!(status, 401, "{p}");

                let admin = token(&app, "quantri.04").await;
                let mut no_password = body.clone();
                no_password["current_password"] = Value::Null;
                let (status, p) = adopt(&admin, no_password).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("reauth_required")), "{p}");

                let mut past = body.clone();
                past["document"]["valid_from"] = json!("2025-01-01");
                let (status, p) = adopt(&admin, past).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("settings_in_the_past")), "{p}");
                assert!(p["message_vi"].as_str().unwrap().contains("Ngày hiệu lực"), "{p}");
                let mut unknown = body.clone();
                unknown["document"]["deadline"]["apology_days"] = json!(2);
                let (status, p) = adopt(&admin, unknown).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("settings_parse")), "{p}");
                let mut no_reason = body.clone();
                no_reason["reason"] = json!(" ");
                let (status, p) = adopt(&admin, no_reason).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("settings_reason")), "{p}");
                let (_, v) = app.get_json("/api/v1/provinces/04/settings").await;
                assert_eq!(v["history"].as_array().unwrap().len(), 0, "refusals record nothing");

                let (status, v) = adopt(&admin, body.clone()).await;
                assert_eq!(status, 201, "{v}");
                assert_eq!(v["in_force"]["deadline"]["unstated_limit_working_days"], 20);
                assert_eq!(v["history"][0]["recorded_by"], "quantri.04");
                assert_eq!(v["history"][0]["reason"], "Quyết định của UBND tỉnh");
                assert_eq!(v["versions"].as_array().unwrap().len(), 2);

                // The Sunday receipt now counts from Monday morning in
                // province 04, and as before in province 01.
                let after = due(&app, "04", &received).await;
                assert!(after > before, "{before} → {after}");
                assert_eq!(due(&app, "01", &received).await, before);

                // The audit verifies the log's chain with the dossiers'.
                let (status, a) = send(app.client.get(app.url("/api/v1/audit/verify")).bearer_auth(&admin)).await;
                assert_eq!(status, 200, "{a}");
                assert_eq!((a["log_streams"].as_u64(), a["log_events"].as_u64()), (Some(1), Some(1)), "{a}");
                assert_eq!(a["broken_streams"], json!([]), "{a}");
                let (_, v) = app.get_json(&format!("/api/v1/provinces/04/settings?at={}", today() - chrono::Days::new(1))).await;
                assert_eq!(v["in_force"]["deadline"]["unstated_limit_working_days"], 15, "yesterday's version is unchanged");
                let (status, p) = app.get_json("/api/v1/provinces/4x/settings").await;
                assert_eq!((status, p["code"].as_str()), (404, Some("province_not_found")), "{p}");
                app.finish().await;
            }
        }
    };
}

async fn sqlite_fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

settings_tests!(sqlite, crate::sqlite_fixture);
settings_tests!(postgres, motcua_store_postgres::test_fixture);
