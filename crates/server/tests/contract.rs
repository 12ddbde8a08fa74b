//! The OpenAPI document against the real answers: what a generated client
//! or test expects from the document is what the server sends. On SQLite
//! always and on PostgreSQL when `MOTCUA_TEST_DATABASE_URL` is set.

#[allow(dead_code)] // helpers shared with the other test binaries
mod common;

use serde_json::Value;

/// The operation of the document for `method` and a path template.
fn documented(method: &str, template: &str) -> Value {
    let doc = serde_json::to_value(motcua_server::api::openapi()).expect("serialize");
    let op = doc["paths"][template][method].clone();
    assert!(op.is_object(), "{method} {template} is documented");
    op
}

/// The JSON schema the document gives for an answer, after `$ref`s to
/// components are followed.
fn answer_schema(op: &Value, status: u16, content_type: &str) -> Value {
    let schema = op["responses"][status.to_string()]["content"][content_type]["schema"].clone();
    assert!(
        schema.is_object(),
        "{status} {content_type} is documented: {}",
        op["responses"]
    );
    schema
}

macro_rules! contract_tests {
    ($backend:ident, $factory:path) => {
        mod $backend {
            use super::common::lifecycle::UNIT;
            use super::common::*;
            use super::*;

            async fn spawn() -> Option<TestApp> {
                let fixture = $factory().await?;
                Some(TestApp::spawn(fixture).await)
            }

            /// GET /dossiers, /procedures and /queues answer JSON arrays,
            /// and the document says so.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn lists_are_arrays_in_the_answer_and_the_document() {
                let Some(app) = spawn().await else { return };
                app.import_catalogue().await;
                let (status, submitted) = app.submit_online("1.004873", None).await;
                assert_eq!(status, 201, "{submitted}");
                for (template, path) in [
                    ("/api/v1/dossiers", "/api/v1/dossiers".to_string()),
                    ("/api/v1/procedures", "/api/v1/procedures".to_string()),
                    (
                        "/api/v1/queues",
                        format!("/api/v1/queues?unit={UNIT}&role=receiving_officer"),
                    ),
                ] {
                    let (status, body) = app.get_json(&path).await;
                    assert_eq!(status, 200, "{path}: {body}");
                    let items = body.as_array().unwrap_or_else(|| panic!("{path}: {body}"));
                    assert!(!items.is_empty(), "{path} lists something");
                    let schema =
                        answer_schema(&documented("get", template), 200, "application/json");
                    assert_eq!(schema["type"], "array", "{template}: {schema}");
                }
                app.finish().await;
            }

            /// A missing or malformed query parameter is a documented 400
            /// problem, not axum's plain-text refusal.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn malformed_parameters_are_documented_problems() {
                let Some(app) = spawn().await else { return };
                for (template, path) in [
                    ("/api/v1/queues", "/api/v1/queues"),
                    ("/api/v1/queues", "/api/v1/queues?unit=04.01279"),
                    ("/api/v1/dossiers", "/api/v1/dossiers?limit=many"),
                    ("/api/v1/dossiers", "/api/v1/dossiers?status=-1"),
                    ("/api/v1/dossiers", "/api/v1/dossiers?from=yesterday"),
                    (
                        "/api/v1/dossiers/{code}/documents",
                        "/api/v1/dossiers/04.01279-260101-0001/documents?name=x&kind=poem",
                    ),
                ] {
                    let method = if template.ends_with("/documents") {
                        "post"
                    } else {
                        "get"
                    };
                    let req = if method == "post" {
                        app.client
                            .post(app.url(path))
                            .header("x-actor-role", "receiving_officer")
                            .header("x-actor-user", "tiepnhan.01279")
                            .header("x-actor-unit", UNIT)
                            .body("%PDF-1.4")
                    } else {
                        app.client.get(app.url(path))
                    };
                    let res = req.send().await.expect("request");
                    assert_eq!(res.status().as_u16(), 400, "{path}");
                    let content_type = res
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    assert_eq!(
                        content_type.as_deref(),
                        Some("application/problem+json"),
                        "{path}"
                    );
                    let body: Value = res.json().await.expect("a problem");
                    assert_eq!(body["code"], "invalid_query", "{path}: {body}");
                    assert!(
                        body["message_vi"]
                            .as_str()
                            .is_some_and(|m| m.starts_with("Tham số truy vấn không hợp lệ")),
                        "{path}: {body}"
                    );
                    let schema = answer_schema(
                        &documented(method, template),
                        400,
                        "application/problem+json",
                    );
                    assert_eq!(schema["$ref"], "#/components/schemas/Problem", "{template}");
                }
                app.finish().await;
            }
        }
    };
}

async fn sqlite_fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

contract_tests!(sqlite, crate::sqlite_fixture);
contract_tests!(postgres, motcua_store_postgres::test_fixture);
