//! End-to-end tests of `motcua demo load`, `motcua procedures …` and
//! `motcua audit verify` (including tampering), each on a fresh data
//! directory.

use std::collections::{BTreeMap, BTreeSet};

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

#[test]
fn demo_load_covers_every_status_and_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = ok(&dir, &["demo", "load", "--json"]);
    assert_eq!(report["procedures_imported"], 41);
    assert_eq!(report["dossiers"], 300);
    assert_eq!(report["not_placed"], 0);
    assert!(report["late"].as_u64().is_some_and(|n| n > 0), "{report}");
    assert!(
        report["rescheduled"].as_u64().is_some_and(|n| n > 0),
        "{report}"
    );
    for key in ["boundary_free", "with_supplement", "with_payment", "rated"] {
        assert!(
            report[key].as_u64().is_some_and(|n| n > 0),
            "{key}: {report}"
        );
    }
    for channel in ["in_person", "online", "post"] {
        assert!(
            report["by_channel"][channel]
                .as_u64()
                .is_some_and(|n| n > 0),
            "{channel}: {report}"
        );
    }

    // Every portal status 1-10, seen through `dossiers list`.
    let list = ok(&dir, &["dossiers", "list", "--limit", "1000", "--json"]);
    let rows = list.as_array().expect("rows");
    assert_eq!(rows.len(), 300);
    let mut by_status: BTreeMap<u64, usize> = BTreeMap::new();
    for r in rows {
        *by_status
            .entry(r["status_code"].as_u64().expect("status code"))
            .or_default() += 1;
    }
    assert_eq!(
        by_status.keys().copied().collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>(),
        "{by_status:?}"
    );
    for (status, n) in &by_status {
        assert_eq!(
            report["by_status"][status.to_string()].as_u64(),
            Some(*n as u64)
        );
    }
    // Many communes, all of Cao Bằng (04), and the provincial level.
    let units: BTreeSet<&str> = rows
        .iter()
        .filter_map(|r| r["receiving_unit"].as_str())
        .collect();
    assert!(units.len() > 30, "{units:?}");
    assert!(units.iter().all(|u| u.starts_with("04")), "{units:?}");
    let newest = rows[0]["submitted_at"].as_str().expect("time");
    assert!(newest.ends_with("+07:00"), "{newest}");

    // A returned dossier has a full story.
    let returned = rows
        .iter()
        .find(|r| r["status_code"] == 10)
        .and_then(|r| r["code"].as_str())
        .expect("a returned dossier");
    let v = ok(&dir, &["dossiers", "show", returned, "--json"]);
    let types: Vec<&str> = v["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(types.contains(&"accepted"), "{types:?}");
    assert!(types.contains(&"result_issued"), "{types:?}");
    assert!(types.contains(&"result_returned"), "{types:?}");

    // Every chain verifies.
    let audit = ok(&dir, &["audit", "verify", "--json"]);
    assert_eq!(audit["ok"], true);
    assert_eq!(audit["dossiers"], 300);
    assert_eq!(audit["events"], report["events"]);

    // A second load changes nothing.
    let again = ok(&dir, &["demo", "load", "--json"]);
    assert_eq!(again["skipped_existing_dossiers"], true);
    assert_eq!(again["procedures_imported"], 0);
    let list = ok(&dir, &["dossiers", "list", "--limit", "1000", "--json"]);
    assert_eq!(list.as_array().map(Vec::len), Some(300));
}

#[test]
fn audit_verify_reports_a_tampered_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(&dir, &["demo", "load", "--dossiers", "20", "--json"]);
    assert_eq!(ok(&dir, &["audit", "verify", "--json"])["ok"], true);

    // Someone with access to the database rewrites an applicant's name.
    let db = dir.path().join("data/motcua.db");
    let conn = rusqlite::Connection::open(&db).expect("open the database");
    let (code, body): (String, String) = conn
        .query_row(
            "SELECT dossier, body FROM dossier_events WHERE seq = 0 ORDER BY dossier LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("an event");
    let at = body.find("\"name\":\"").expect("the applicant's name") + 8;
    let forged = format!("{}X{}", &body[..at], &body[at..]);
    conn.execute_batch("DROP TRIGGER IF EXISTS dossier_events_no_update")
        .expect("drop the guard");
    let n = conn
        .execute(
            "UPDATE dossier_events SET body = ?1 WHERE dossier = ?2 AND seq = 0",
            rusqlite::params![forged, code],
        )
        .expect("tamper");
    assert_eq!(n, 1);
    drop(conn);

    let out = motcua(&dir)
        .args(["audit", "verify", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], false);
    let broken = v["broken"].as_array().expect("broken");
    assert_eq!(broken.len(), 1, "{v}");
    assert_eq!(broken[0]["code"], code.as_str());
    assert_eq!(broken[0]["index"], 0);

    let out = motcua(&dir)
        .args(["audit", "verify"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&code), "{text}");
    assert!(text.contains("TAMPERING DETECTED"), "{text}");
}

#[test]
fn procedures_import_export_and_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = ok(&dir, &["procedures", "list", "--json"]);
    assert_eq!(list.as_array().map(Vec::len), Some(0));

    let catalogue = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/procedures/catalogue_caobang.json"
    );
    let v = ok(&dir, &["procedures", "import", catalogue, "--json"]);
    assert_eq!(v["imported"], 41);
    // Re-importing the same versions is fine.
    ok(&dir, &["procedures", "import", catalogue, "--json"]);

    let list = ok(&dir, &["procedures", "list", "--json"]);
    let rows = list.as_array().expect("rows");
    assert_eq!(rows.len(), 41);
    let birth = rows
        .iter()
        .find(|r| r["code"] == "1.001193")
        .expect("birth registration");
    assert_eq!(birth["time_limit"], "same_day");
    assert_eq!(birth["same_day_cutoff"], "15:00");

    // JSON export round-trips and keeps the demo notice.
    let out_json = dir.path().join("export.json");
    let out = motcua(&dir)
        .args(["procedures", "export"])
        .arg(&out_json)
        .output()
        .expect("run");
    assert!(out.status.success());
    let exported: Value =
        serde_json::from_str(&std::fs::read_to_string(&out_json).expect("read")).expect("JSON");
    assert_eq!(exported["procedures"].as_array().map(Vec::len), Some(41));
    assert!(exported["notice"]
        .as_str()
        .is_some_and(|n| n.contains("DEMO DATA")));
    let v = ok(
        &dir,
        &[
            "procedures",
            "import",
            out_json.to_str().expect("path"),
            "--json",
        ],
    );
    assert_eq!(v["imported"], 41);

    // CSV export to stdout: a header and one row per version, unverified marks kept.
    let out = motcua(&dir)
        .args(["procedures", "export", "--csv"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(csv.lines().count(), 42);
    assert!(csv.starts_with("code,version,"), "{}", &csv[..80]);
    assert!(csv.contains("(unverified)"));

    // A changed procedure under an existing version is a conflict; bad files are refused.
    let changed = exported.to_string().replacen(
        "Thủ tục đăng ký khai sinh",
        "Thủ tục đăng ký khai sinh (sửa)",
        1,
    );
    let changed_path = dir.path().join("changed.json");
    std::fs::write(&changed_path, changed).expect("write");
    let bad_path = dir.path().join("bad.json");
    std::fs::write(&bad_path, "{\"procedures\": 3}").expect("write");
    for (path, code) in [
        (changed_path, "conflict"),
        (bad_path, "catalogue_json"),
        (dir.path().join("missing.json"), "file_unreadable"),
    ] {
        let out = motcua(&dir)
            .args(["procedures", "import"])
            .arg(&path)
            .arg("--json")
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{}", path.display());
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON error");
        assert_eq!(v["error"]["code"], code);
    }
}
