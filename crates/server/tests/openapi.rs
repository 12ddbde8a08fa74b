//! The OpenAPI document is snapshot-tested: an API change that is not
//! meant shows up here. To accept an intended change, run
//! `UPDATE_SNAPSHOTS=1 cargo test -p motcua-server --test openapi`.

#[test]
fn openapi_document_matches_the_snapshot() {
    let doc = motcua_server::api::openapi();
    let json = serde_json::to_string_pretty(&doc).expect("serialize") + "\n";
    assert!(json.contains("\"openapi\": \"3.1"), "OpenAPI 3.1");
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &json).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .expect("tests/snapshots/openapi.json exists (run with UPDATE_SNAPSHOTS=1 to create it)");
    assert_eq!(
        json, expected,
        "the OpenAPI document changed; if intended, update the snapshot"
    );
}

/// Walks the generated document as JSON: `(method, path, operation)`.
fn operations() -> Vec<(String, String, serde_json::Value)> {
    let doc = serde_json::to_value(motcua_server::api::openapi()).expect("serialize");
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            ops.push((method.clone(), path.clone(), op.clone()));
        }
    }
    assert!(ops.len() > 40, "the document lists the API's operations");
    ops
}

fn parameters(op: &serde_json::Value) -> Vec<(String, String)> {
    op["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap_or_default().to_string(),
                        p["in"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A parameter `in: path` must be a `{name}` of the path template, and
/// every `{name}` of the template a path parameter: a query parameter
/// documented as a path one makes every generated client and test wrong.
#[test]
fn path_parameters_are_exactly_the_template_variables() {
    let mut wrong = Vec::new();
    for (method, path, op) in operations() {
        let params = parameters(&op);
        for (name, place) in &params {
            if place == "path" && !path.contains(&format!("{{{name}}}")) {
                wrong.push(format!("{method} {path}: `{name}` is not in the path"));
            }
        }
        for var in path.split('{').skip(1).filter_map(|s| s.split('}').next()) {
            if !params.iter().any(|(n, p)| n == var && p == "path") {
                wrong.push(format!(
                    "{method} {path}: `{{{var}}}` is not declared in: path"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong parameters:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The endpoints that answer a JSON list document an array.
#[test]
fn list_endpoints_document_arrays() {
    let ops = operations();
    for list in [
        "/api/v1/dossiers",
        "/api/v1/procedures",
        "/api/v1/queues",
        "/api/v1/provinces",
        "/api/v1/provinces/{code}/communes",
        "/api/v1/units/{code}/history",
        "/api/v1/dossiers/{code}/events",
    ] {
        let (_, _, op) = ops
            .iter()
            .find(|(m, p, _)| m == "get" && p == list)
            .unwrap_or_else(|| panic!("GET {list} is documented"));
        let schema = &op["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(
            schema["type"], "array",
            "GET {list}: 200 is a list: {schema}"
        );
    }
}

/// Every error answer is an RFC 9457 problem: documented as
/// `application/problem+json` with the Problem schema. An operation with
/// parameters can answer 400 (a malformed value), one that takes a body
/// 422 (a body it cannot read), and one that changes state 403 (a cookie
/// session without its CSRF token), unless it opens a session.
#[test]
fn error_answers_are_documented_as_problems() {
    let mut wrong = Vec::new();
    for (method, path, op) in operations() {
        let responses = op["responses"].as_object().expect("responses");
        for (status, response) in responses {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            let content = response["content"].as_object();
            let types: Vec<&String> = content.map(|c| c.keys().collect()).unwrap_or_default();
            if types != ["application/problem+json"] {
                wrong.push(format!("{method} {path} {status}: content types {types:?}"));
                continue;
            }
            let schema = &response["content"]["application/problem+json"]["schema"];
            if schema["$ref"] != "#/components/schemas/Problem" {
                wrong.push(format!("{method} {path} {status}: schema {schema}"));
            }
        }
        let has_params = parameters(&op)
            .iter()
            .any(|(_, place)| place == "query" || place == "path");
        if has_params && !responses.contains_key("400") {
            wrong.push(format!("{method} {path}: parameters but no 400"));
        }
        if op["requestBody"].is_object() && !responses.contains_key("422") {
            wrong.push(format!("{method} {path}: takes a body but no 422"));
        }
        if ["post", "put", "patch", "delete"].contains(&method.as_str())
            && !motcua_server::auth::session::CSRF_EXEMPT.contains(&path.as_str())
            && !responses.contains_key("403")
        {
            wrong.push(format!("{method} {path}: changes state but no 403"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
