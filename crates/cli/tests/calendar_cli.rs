//! End-to-end tests of `motcua calendar due` (each on a fresh data directory).

use assert_cmd::Command;

fn motcua(dir: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("motcua").expect("the motcua binary");
    cmd.current_dir(dir.path())
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env("MOTCUA_DATA_DIR", dir.path().join("data"));
    cmd
}

fn due_json(args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = motcua(&dir)
        .args(["calendar", "due"])
        .args(args)
        .arg("--json")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn three_working_days_across_tet_2026() {
    let v = due_json(&[
        "--received",
        "2026-02-13T10:00:00+07:00",
        "--working-days",
        "3",
    ]);
    assert_eq!(v["due"], "2026-02-25T17:00:00+07:00");
    assert_eq!(v["due_date"], "2026-02-25");
    assert_eq!(v["received"], "2026-02-13T10:00:00+07:00");
    let steps = v["explanation"].as_array().expect("explanation");
    let text = serde_json::to_string(steps).expect("text");
    assert!(text.contains("Tết Nguyên Đán"), "{text}");
    assert!(text.contains("Lunar New Year"), "{text}");
    assert!(steps
        .iter()
        .all(|s| s["en"].is_string() && s["vi"].is_string()));

    // The same in human-readable form: Vietnamese first, then English.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = motcua(&dir)
        .args([
            "calendar",
            "due",
            "--received",
            "2026-02-13T10:00:00+07:00",
            "--working-days",
            "3",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let first = text.lines().next().unwrap_or_default();
    assert!(first.contains("17:00 Thứ Tư 25/02/2026"), "{text}");
    assert!(text.contains("Due: Wed 2026-02-25 17:00"), "{text}");
    assert!(text.contains("Bỏ qua 14/02/2026–22/02/2026"), "{text}");
    // A UTC receipt time is the same instant.
    let v = due_json(&["--received", "2026-02-13T03:00:00Z", "--working-days", "3"]);
    assert_eq!(v["due"], "2026-02-25T17:00:00+07:00");
}

#[test]
fn cut_off_moves_the_receipt_to_the_next_working_day() {
    // Same day with the 15:00 cut-off: Friday 13 February 15:01 → after Tết.
    let v = due_json(&[
        "--received",
        "2026-02-13T15:01:00+07:00",
        "--same-day",
        "--cutoff",
        "15:00",
    ]);
    assert_eq!(v["due"], "2026-02-23T17:00:00+07:00");
    assert_eq!(v["clock_start"], "2026-02-23T07:30:00+07:00");
    let text = v["explanation"].to_string();
    assert!(text.contains("after the 15:00 cut-off"), "{text}");
    assert!(text.contains("Tiếp nhận sau 15:00"), "{text}");
    // 15:00 itself is not after the cut-off.
    let v = due_json(&[
        "--received",
        "2026-03-05T15:00:00+07:00",
        "--same-day",
        "--cutoff",
        "15:00",
    ]);
    assert_eq!(v["due"], "2026-03-05T17:00:00+07:00");
    // Working days with a cut-off: Thursday 15:01 counts from Friday.
    let v = due_json(&[
        "--received",
        "2026-03-05T15:01",
        "--working-days",
        "3",
        "--cutoff",
        "15:00",
    ]);
    assert_eq!(v["due"], "2026-03-11T17:00:00+07:00");
    // Working hours: 4 h from Friday 16:00 → Monday 10:30.
    let v = due_json(&["--received", "2026-03-06 16:00", "--working-hours", "4"]);
    assert_eq!(v["due"], "2026-03-09T10:30:00+07:00");
}

#[test]
fn a_procedure_of_the_catalogue_uses_its_limit_and_cut_off() {
    // 2.000815 certified copy: same day, received after 15:00 → next working day.
    let v = due_json(&[
        "--received",
        "2026-03-05T15:30:00+07:00",
        "--procedure",
        "2.000815",
    ]);
    assert_eq!(v["due"], "2026-03-06T17:00:00+07:00");
    assert_eq!(v["procedure"]["code"], "2.000815");
    assert_eq!(v["procedure"]["same_day_cutoff"], "15:00");
    // 1.004873 marital-status certificate: 3 working days.
    let v = due_json(&[
        "--received",
        "2026-02-13T10:00:00+07:00",
        "--procedure",
        "1.004873",
    ]);
    assert_eq!(v["due"], "2026-02-25T17:00:00+07:00");
}

#[test]
fn bad_input_is_refused_with_a_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (args, code) in [
        (
            vec!["--received", "yesterday", "--working-days", "3"],
            "invalid_received",
        ),
        (
            vec![
                "--received",
                "2026-02-13T10:00:00+07:00",
                "--working-days",
                "3",
                "--cutoff",
                "25:99",
            ],
            "invalid_cutoff",
        ),
        (
            vec![
                "--received",
                "2026-02-13T10:00:00+07:00",
                "--procedure",
                "9.999999",
            ],
            "procedure_not_found",
        ),
    ] {
        let out = motcua(&dir)
            .args(["calendar", "due", "--json"])
            .args(&args)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON error");
        assert_eq!(v["error"]["code"], code, "{args:?}");
        assert!(v["error"]["message_vi"].is_string());
        assert!(v["error"]["message_en"].is_string());

        // Without --json: both messages and the code on stderr.
        let out = motcua(&dir)
            .args(["calendar", "due"])
            .args(&args)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(code), "{err}");
        assert!(err.contains("Lỗi:") && err.contains("Error:"), "{err}");
    }
    // No limit at all is a usage error (clap, exit 2), never a panic.
    let out = motcua(&dir)
        .args(["calendar", "due", "--received", "2026-02-13T10:00:00+07:00"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}
