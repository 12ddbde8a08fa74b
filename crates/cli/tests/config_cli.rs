//! End-to-end tests of `motcua config export|import|history`: the operator
//! exports the province's settings, edits them, imports them as a version
//! from a later day, and the deadlines counted from that day follow it.

use assert_cmd::Command;
use chrono::{Datelike, Days, Utc};

fn motcua(dir: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("motcua").expect("the motcua binary");
    cmd.current_dir(dir.path())
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env("MOTCUA_DATA_DIR", dir.path().join("data"));
    cmd
}

fn run(dir: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    motcua(dir).args(args).output().expect("run")
}

fn json_ok(dir: &tempfile::TempDir, args: &[&str]) -> serde_json::Value {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// The due date of the 3-working-day procedure 1.004873 for a receipt on
/// `received` (RFC 3339).
fn due(dir: &tempfile::TempDir, received: &str) -> String {
    json_ok(
        dir,
        &[
            "calendar",
            "due",
            "--received",
            received,
            "--procedure",
            "1.004873",
            "--json",
        ],
    )["due"]
        .as_str()
        .expect("due")
        .to_string()
}

#[test]
fn an_imported_version_counts_the_deadlines_from_its_day() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Vietnam's today, then a Sunday at least two days after it.
    let today = (Utc::now() + chrono::TimeDelta::hours(7)).date_naive();
    let from = today + Days::new(2);
    let sunday = from + Days::new(u64::from(6 - from.weekday().num_days_from_monday()));
    let received = format!("{sunday}T10:00:00+07:00");
    let before = due(&dir, &received);

    let out = run(&dir, &["config", "export", "--province", "04"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a document");
    assert_eq!(doc["deadline"]["after_hours_receipt"], "day_of_receipt");
    doc["valid_from"] = serde_json::json!(from.to_string());
    doc["deadline"]["after_hours_receipt"] = serde_json::json!("next_working_morning");
    let file = dir.path().join("04.json");
    std::fs::write(&file, serde_json::to_string_pretty(&doc).unwrap()).unwrap();

    let adopted = json_ok(
        &dir,
        &[
            "config",
            "import",
            "--province",
            "04",
            file.to_str().unwrap(),
            "--reason",
            "Nghị quyết HĐND tỉnh về tiếp nhận ngoài giờ",
            "--operator",
            "vanhanh",
            "--json",
        ],
    );
    assert_eq!(adopted["seq"], 1);
    assert_eq!(adopted["valid_from"], from.to_string());

    // A Sunday receipt now counts from the Monday morning: one working
    // day later than under the Civil Code's default.
    let after = due(&dir, &received);
    assert!(after > before, "{before} → {after}");
    // A receipt before the version's day keeps the old rule.
    let earlier = format!("{}T10:00:00+07:00", sunday - Days::new(7));
    let earlier_due = due(&dir, &earlier);
    assert!(earlier_due < before);

    let history = json_ok(&dir, &["config", "history", "--province", "04", "--json"]);
    let h = &history["history"][0];
    assert_eq!(h["recorded_by"], "vanhanh");
    assert_eq!(h["reason"], "Nghị quyết HĐND tỉnh về tiếp nhận ngoài giờ");
    assert_eq!(h["valid_from"], from.to_string());

    // The export on the version's day is the imported document.
    let out = run(
        &dir,
        &[
            "config",
            "export",
            "--province",
            "04",
            "--at",
            &from.to_string(),
        ],
    );
    let exported: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a document");
    assert_eq!(
        exported["deadline"]["after_hours_receipt"],
        "next_working_morning"
    );
}

#[test]
fn a_version_for_a_past_day_or_a_broken_document_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("old.json");
    std::fs::write(&file, r#"{"valid_from": "2025-01-01"}"#).unwrap();
    let out = run(
        &dir,
        &[
            "config",
            "import",
            "--province",
            "04",
            file.to_str().unwrap(),
            "--reason",
            "x",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["error"]["code"], "settings_in_the_past");

    std::fs::write(
        &file,
        r#"{"valid_from": "2099-01-01", "deadline": {"apology_days": 2}}"#,
    )
    .unwrap();
    let out = run(
        &dir,
        &[
            "config",
            "import",
            "--province",
            "04",
            file.to_str().unwrap(),
            "--reason",
            "x",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["error"]["code"], "settings_parse");
    assert!(v["error"]["message_en"]
        .as_str()
        .unwrap()
        .contains("apology_days"));

    let history = json_ok(&dir, &["config", "history", "--province", "04", "--json"]);
    assert_eq!(history["history"].as_array().unwrap().len(), 0);
}
