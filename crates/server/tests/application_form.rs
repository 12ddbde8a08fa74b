//! The application form through the HTTP API, on SQLite always and on
//! PostgreSQL when `MOTCUA_TEST_DATABASE_URL` is set: submission with
//! `application_data`, 422 with every field's error, the data in the
//! dossier's events, the procedure's form in the catalogue API, and Mẫu 01.

#[allow(dead_code)]
mod common;

macro_rules! application_tests {
    ($backend:ident, $factory:path) => {
        mod $backend {
            use super::common::lifecycle::UNIT;
            use super::common::*;
            use serde_json::{json, Value};

            async fn spawn() -> Option<TestApp> {
                let fixture = $factory().await?;
                let app = TestApp::spawn(fixture).await;
                app.import_catalogue().await;
                Some(app)
            }

            fn birth(data: Value) -> Value {
                json!({
                    "procedure": "1.001193",
                    "intake": "online",
                    "receiving_unit": UNIT,
                    "applicant": {"name": "Nông Thị Lan", "user": "citizen.001"},
                    "documents": [{"name_vi": "Tờ khai", "form": "original", "count": 1}],
                    "application_data": data
                })
            }

            fn valid() -> Value {
                json!({
                    "child_name": "Nông Minh An",
                    "child_birth_date": "03/10/2026",
                    "child_sex": "nu",
                    "child_birth_place": "Bệnh viện Đa khoa tỉnh Cao Bằng",
                    "mother_name": "Nông Thị Lan",
                    "applicant_relation": "me",
                    "applicant_address.street": "Tổ 5",
                    "applicant_address.commune": "01279"
                })
            }

            async fn post(app: &TestApp, body: &Value) -> (u16, Value) {
                app.post_as(
                    "/api/v1/dossiers",
                    ("applicant", "citizen.001", None),
                    &[],
                    body,
                )
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn valid_application_data_is_stored_normalised() {
                let Some(app) = spawn().await else { return };
                let (status, opened) = post(&app, &birth(valid())).await;
                assert_eq!(status, 201, "{opened}");
                let code = opened["code"].as_str().expect("code").to_string();
                let (status, events) = app
                    .get_json(&format!("/api/v1/dossiers/{code}/events"))
                    .await;
                assert_eq!(status, 200, "{events}");
                let payload = &events[0]["event"]["payload"];
                assert_eq!(
                    payload["application_data"]["child_birth_date"],
                    "2026-10-03"
                );
                assert_eq!(
                    payload["application_data"]["applicant_address.commune"],
                    "01279"
                );
                assert_eq!(
                    payload["procedure"]["form"]["groups"][0]["label_vi"],
                    "Thông tin trẻ"
                );
                let (status, audit) = app.get_json("/api/v1/audit/verify").await;
                assert_eq!(status, 200);
                assert_eq!(audit["broken"], json!([]), "the chain holds");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn invalid_application_data_is_refused_field_by_field() {
                let Some(app) = spawn().await else { return };
                let mut data = valid();
                data["child_birth_date"] = json!("31/02/2026");
                data["child_sex"] = json!("x");
                data.as_object_mut().expect("object").remove("mother_name");
                // 00097 is a commune of Hà Nội, not of Cao Bằng.
                let (status, body) = post(&app, &birth(data)).await;
                assert_eq!(status, 422, "{body}");
                assert_eq!(body["code"], "invalid_application_data");
                assert!(body["message_vi"].as_str().is_some_and(|m| m.contains("Tờ khai")));
                let fields = body["extra"]["fields"].as_array().expect("fields");
                let got: Vec<(String, String)> = fields
                    .iter()
                    .map(|f| {
                        (
                            f["field"].as_str().unwrap_or_default().to_string(),
                            f["code"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect();
                for want in [
                    ("child_birth_date", "bad_date"),
                    ("child_sex", "not_an_option"),
                    ("mother_name", "required"),
                ] {
                    assert!(
                        got.contains(&(want.0.to_string(), want.1.to_string())),
                        "{want:?} in {got:?}"
                    );
                }
                assert!(fields.iter().all(|f| f["message_vi"].is_string()
                    && f["message_en"].is_string()));

                let mut other = valid();
                other["applicant_address.commune"] = json!("00097");
                let (status, body) = post(&app, &birth(other)).await;
                assert_eq!(status, 422, "{body}");
                assert_eq!(body["extra"]["fields"][0]["code"], "unknown_unit");

                let (_, list) = app.get_json("/api/v1/dossiers").await;
                assert_eq!(list.as_array().map(Vec::len), Some(0), "nothing opened");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_procedure_api_shows_the_form() {
                let Some(app) = spawn().await else { return };
                let (status, p) = app.get_json("/api/v1/procedures/LOCAL-04-0001").await;
                assert_eq!(status, 200, "{p}");
                let text = p.to_string();
                assert!(text.contains("Người đại diện theo pháp luật"), "{text}");
                assert!(text.contains("tax_code"), "{text}");
                app.finish().await;
            }
        }
    };
}

async fn sqlite_fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

application_tests!(sqlite, crate::sqlite_fixture);
application_tests!(postgres, motcua_store_postgres::test_fixture);
