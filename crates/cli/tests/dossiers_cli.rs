//! End-to-end tests of `motcua dossiers …` and `motcua audit verify`, each on
//! a fresh data directory (the demo catalogue is imported on first use).

use assert_cmd::Command;
use serde_json::Value;

fn motcua(dir: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("motcua").expect("the motcua binary");
    cmd.current_dir(dir.path())
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env("MOTCUA_DATA_DIR", dir.path().join("data"));
    cmd
}

/// Runs and expects success with JSON on stdout.
fn ok(dir: &tempfile::TempDir, args: &[&str]) -> Value {
    let out = motcua(dir).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// Runs and expects a refusal (exit 1) with `code` in the JSON error.
fn refused(dir: &tempfile::TempDir, args: &[&str], code: &str) -> Value {
    let out = motcua(dir).args(args).output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON error on stdout");
    assert_eq!(v["error"]["code"], code, "{args:?}: {v}");
    assert!(v["error"]["message_vi"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    assert!(v["error"]["message_en"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    v
}

fn act(dir: &tempfile::TempDir, code: &str, action: &[&str]) -> Value {
    let mut args = vec!["dossiers", "act", code];
    args.extend_from_slice(action);
    args.push("--json");
    ok(dir, &args)
}

#[test]
fn the_whole_lifecycle_to_returned_and_rated_then_audit() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 1.001776 social allowance: transfer, assign, appraise, review, approve, clerical.
    let v = ok(
        &dir,
        &[
            "dossiers",
            "submit",
            "--procedure",
            "1.001776",
            "--unit",
            "04.01279",
            "--applicant",
            "Nông Thị Hoa",
            "--personal-id",
            "004185001234",
            "--channel",
            "counter",
            "--json",
        ],
    );
    let code = v["code"].as_str().expect("code").to_string();
    assert!(code.starts_with("04.01279-"), "{code}");
    assert_eq!(v["status_code"], 1);
    assert_eq!(v["actor"]["user"], "canbo.tiepnhan.01279");
    let c = code.as_str();

    let v = act(&dir, c, &["accept", "--pages", "4"]);
    assert_eq!(v["status_code"], 2);
    let due = v["due"].as_str().expect("an appointment").to_string();
    assert!(due.ends_with("T17:00:00+07:00"), "{due}");

    assert_eq!(act(&dir, c, &["transfer"])["status_code"], 4);
    let v = act(
        &dir,
        c,
        &[
            "assign",
            "--to",
            "chuyenvien.vhxh.01279",
            "--as",
            "department_head:truongphong.vhxh.01279",
        ],
    );
    assert_eq!(
        v["actor"]["unit"], "04.01279",
        "the unit defaults to the competent one"
    );

    // Only the assigned officer may appraise.
    refused(
        &dir,
        &[
            "dossiers",
            "act",
            c,
            "appraise",
            "--eligible",
            "--as",
            "specialist:someone.else@04.01279",
            "--json",
        ],
        "not_assignee",
    );
    // A stale version changes nothing.
    refused(
        &dir,
        &[
            "dossiers",
            "act",
            c,
            "appraise",
            "--eligible",
            "--expect-version",
            "1",
            "--json",
        ],
        "version_conflict",
    );

    // Mẫu 02 while appraising, then the supplement arrives.
    let v = act(
        &dir,
        c,
        &[
            "request-supplement",
            "--reason",
            "Thiếu giấy xác nhận khuyết tật",
            "--document",
            "Giấy xác nhận khuyết tật",
        ],
    );
    assert_eq!(v["status_code"], 5);
    assert_eq!(v["actor"]["user"], "chuyenvien.vhxh.01279", "the assignee");
    refused(
        &dir,
        &[
            "dossiers",
            "act",
            c,
            "provide-supplement",
            "--document",
            "Giấy xác nhận khuyết tật",
            "--json",
        ],
        "supplement_without_document",
    );
    let scan = dir.path().join("xac-nhan.pdf");
    std::fs::write(&scan, b"%PDF-1.4\n% a scan\n%%EOF\n").expect("write the scan");
    let v = act(
        &dir,
        c,
        &[
            "provide-supplement",
            "--document",
            "Giấy xác nhận khuyết tật",
            "--file",
            scan.to_str().expect("a path"),
        ],
    );
    assert_eq!(v["status_code"], 4);

    act(&dir, c, &["appraise", "--eligible"]);
    act(&dir, c, &["review-ok"]);
    act(&dir, c, &["approve"]);
    let v = act(
        &dir,
        c,
        &[
            "issue",
            "--number",
            "15/2026",
            "--register",
            "Sổ theo dõi trợ cấp xã hội",
        ],
    );
    assert_eq!(v["status_code"], 9);
    let v = act(
        &dir,
        c,
        &[
            "request-payment",
            "--amount",
            "20000",
            "--description",
            "Phí cấp bản sao",
        ],
    );
    assert_eq!(v["status_code"], 6);
    refused(
        &dir,
        &[
            "dossiers",
            "act",
            c,
            "confirm-payment",
            "--amount",
            "10000",
            "--receipt",
            "BL-1",
            "--json",
        ],
        "payment_mismatch",
    );
    assert_eq!(
        act(
            &dir,
            c,
            &["confirm-payment", "--amount", "20000", "--receipt", "BL-1"]
        )["status_code"],
        9
    );
    assert_eq!(
        act(&dir, c, &["return", "--way", "counter"])["status_code"],
        10
    );
    let v = act(
        &dir,
        c,
        &["rate", "--rating", "satisfied", "--comment", "Nhanh gọn"],
    );
    assert_eq!(v["status_code"], 10);
    assert_eq!(
        v["actor"]["role"], "system",
        "a counter applicant rates at the kiosk"
    );

    // Rated once only; nothing may follow the return.
    refused(
        &dir,
        &[
            "dossiers",
            "act",
            c,
            "rate",
            "--rating",
            "satisfied",
            "--json",
        ],
        "already_rated",
    );
    refused(
        &dir,
        &["dossiers", "act", c, "approve", "--json"],
        "illegal_transition",
    );

    // The view: status, deadline, control sheet, events.
    let v = ok(&dir, &["dossiers", "show", c, "--json"]);
    assert_eq!(v["code"], c);
    assert_eq!(v["status_code"], 10);
    assert_eq!(v["dossier"]["rating"]["rating"], "satisfied");
    assert_eq!(v["dossier"]["result"]["number"], "15/2026");
    assert_eq!(v["dossier"]["paid_vnd"], 20000);
    assert!(v["deadline"]["due"].is_string());
    let sheet = v["control_sheet"].as_array().expect("control sheet");
    assert_eq!(sheet.len(), 8, "receive … return, one row per visit");
    let events = v["events"].as_array().expect("events");
    assert_eq!(events.len(), 15, "with the supplement's document");
    assert!(events
        .iter()
        .all(|e| e["hash"].as_str().is_some_and(|h| h.len() == 64)));

    // Human-readable show: Vietnamese first, with the English.
    let out = motcua(&dir)
        .args(["dossiers", "show", c])
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("Đã trả kết quả / Result returned"), "{text}");
    assert!(text.contains("Mẫu 06"), "{text}");

    // Listed and found.
    let list = ok(
        &dir,
        &[
            "dossiers", "list", "--unit", "04.01279", "--status", "10", "--json",
        ],
    );
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["code"], c);
    assert_eq!(list[0]["status_code"], 10);
    let list = ok(
        &dir,
        &["dossiers", "list", "--applicant", "nông thị", "--json"],
    );
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let list = ok(
        &dir,
        &["dossiers", "list", "--status", "processing", "--json"],
    );
    assert_eq!(list.as_array().map(Vec::len), Some(0));

    // The chain verifies.
    let v = ok(&dir, &["audit", "verify", "--json"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["dossiers"], 1);
    assert_eq!(v["events"], 15);
    let out = motcua(&dir)
        .args(["audit", "verify"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Chuỗi băm hợp lệ"));
}

#[test]
fn online_dossier_with_an_apology_then_withdrawn() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 1.004873 marital-status certificate, online: the applicant's portal account.
    let v = ok(
        &dir,
        &[
            "dossiers",
            "submit",
            "--procedure",
            "1.004873",
            "--unit",
            "04.01273",
            "--applicant",
            "Hoàng Văn Nam",
            "--personal-id",
            "004090123456",
            "--channel",
            "online",
            "--json",
        ],
    );
    assert_eq!(v["actor"]["role"], "applicant");
    assert_eq!(v["actor"]["user"], "vneid.004090123456");
    let code = v["code"].as_str().expect("code").to_string();
    let c = code.as_str();
    let v = act(&dir, c, &["accept"]);
    let due = v["due"].as_str().expect("due").to_string();
    act(&dir, c, &["transfer"]);

    // Mẫu 04: a new date must be later than the appointment; set once only.
    let due_day = chrono::NaiveDate::parse_from_str(&due[..10], "%Y-%m-%d").expect("date");
    let earlier = (due_day - chrono::Days::new(1)).to_string();
    refused(
        &dir,
        &[
            "dossiers",
            "act",
            c,
            "notify-late",
            "--reason",
            "Cần xác minh",
            "--new-date",
            &earlier,
            "--json",
        ],
        "appointment_not_later",
    );
    let later = (due_day + chrono::Days::new(7)).to_string();
    let v = act(
        &dir,
        c,
        &[
            "notify-late",
            "--reason",
            "Cần xác minh thêm tại nơi cư trú trước đây",
            "--new-date",
            &later,
        ],
    );
    assert_eq!(v["actor"]["role"], "leader");
    assert_eq!(v["due"], format!("{later}T17:00:00+07:00"));
    refused(
        &dir,
        &[
            "dossiers",
            "act",
            c,
            "notify-late",
            "--reason",
            "Lần nữa",
            "--new-date",
            &later,
            "--json",
        ],
        "already_rescheduled",
    );
    let v = ok(&dir, &["dossiers", "show", c, "--json"]);
    assert_eq!(v["deadline"]["original_due"], due.as_str());
    assert!(v["deadline"]["new_appointment"].is_string());

    // Mẫu 05: the applicant withdraws (their own portal account by default).
    let v = act(&dir, c, &["withdraw", "--reason", "Không còn nhu cầu"]);
    assert_eq!(v["status_code"], 7);
    assert_eq!(v["actor"]["user"], "vneid.004090123456");
    assert_eq!(ok(&dir, &["audit", "verify", "--json"])["ok"], true);
}

#[test]
fn refusals_and_bad_input_exit_1_with_a_stable_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v = ok(
        &dir,
        &[
            "dossiers",
            "submit",
            "--procedure",
            "2.000815",
            "--unit",
            "04.01288",
            "--applicant",
            "Lục Thị Lan",
            "--json",
        ],
    );
    let code = v["code"].as_str().expect("code").to_string();
    let c = code.as_str();
    // Out of turn: approve before acceptance.
    let e = refused(
        &dir,
        &["dossiers", "act", c, "approve", "--json"],
        "illegal_transition",
    );
    assert!(e["error"]["message_vi"]
        .as_str()
        .is_some_and(|m| m.contains("Mới đăng ký")));
    // Staff of another unit.
    refused(
        &dir,
        &[
            "dossiers",
            "act",
            c,
            "accept",
            "--as",
            "receiving_officer:canbo.tiepnhan.01279@04.01279",
            "--json",
        ],
        "wrong_unit",
    );
    // A role that may never accept.
    refused(
        &dir,
        &[
            "dossiers",
            "act",
            c,
            "accept",
            "--as",
            "leader:chutich.01288",
            "--json",
        ],
        "forbidden_role",
    );
    // Mẫu 03 needs a reason.
    refused(
        &dir,
        &["dossiers", "act", c, "refuse", "--reason", "  ", "--json"],
        "missing_reason",
    );
    // 2.001035 is not boundary-free: the competent unit must be the receiving one.
    refused(
        &dir,
        &[
            "dossiers",
            "submit",
            "--procedure",
            "2.001035",
            "--unit",
            "04.01288",
            "--competent",
            "04.01279",
            "--applicant",
            "Bế Văn Long",
            "--json",
        ],
        "not_boundary_free",
    );
    // Bad user input.
    for (args, code) in [
        (
            vec!["dossiers", "show", "nonsense", "--json"],
            "invalid_dossier_code",
        ),
        (
            vec!["dossiers", "show", "04.01279-261127-9999", "--json"],
            "dossier_not_found",
        ),
        (
            vec![
                "dossiers",
                "act",
                "04.01279-261127-9999",
                "approve",
                "--json",
            ],
            "dossier_not_found",
        ),
        (
            vec!["dossiers", "act", c, "accept", "--as", "boss", "--json"],
            "invalid_actor",
        ),
        (
            vec![
                "dossiers",
                "act",
                c,
                "accept",
                "--as",
                "mayor:x@04.01288",
                "--json",
            ],
            "invalid_role",
        ),
        (
            vec![
                "dossiers",
                "act",
                c,
                "notify-late",
                "--reason",
                "x",
                "--new-date",
                "soon",
                "--json",
            ],
            "invalid_date",
        ),
        (
            vec![
                "dossiers",
                "submit",
                "--procedure",
                "2.000815",
                "--unit",
                "04.01288",
                "--applicant",
                "A",
                "--personal-id",
                "12345",
                "--json",
            ],
            "invalid_personal_id",
        ),
        (
            vec![
                "dossiers",
                "submit",
                "--procedure",
                "2.000815",
                "--unit",
                "xã nùng trí cao",
                "--applicant",
                "A",
                "--json",
            ],
            "invalid_unit_id",
        ),
        (
            vec![
                "dossiers",
                "submit",
                "--procedure",
                "9.999999",
                "--unit",
                "04.01288",
                "--applicant",
                "A",
                "--json",
            ],
            "procedure_not_found",
        ),
        (
            vec!["dossiers", "list", "--status", "11", "--json"],
            "invalid_status",
        ),
    ] {
        refused(&dir, &args, code);
    }
    // Human-readable refusal: both languages and the code, on stderr.
    let out = motcua(&dir)
        .args(["dossiers", "act", c, "approve"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("illegal_transition"), "{err}");
    assert!(err.contains("Lỗi:") && err.contains("Error:"), "{err}");
    // Nothing was written by the refusals.
    let v = ok(&dir, &["dossiers", "show", c, "--json"]);
    assert_eq!(v["version"], 1);
}
