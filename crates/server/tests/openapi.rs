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
