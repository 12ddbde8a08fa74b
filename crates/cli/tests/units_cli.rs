//! End-to-end tests of `motcua units …` on a fresh data directory each
//! (the command must create, migrate and load everything on first use).

use assert_cmd::Command;

fn motcua(dir: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("motcua").expect("the motcua binary");
    cmd.current_dir(dir.path())
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env("MOTCUA_DATA_DIR", dir.path().join("data"));
    cmd
}

fn stdout_json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn lineage_of_nung_tri_cao_lists_its_three_sources() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = motcua(&dir)
        .args(["units", "lineage", "Nùng Trí Cao"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    for name in ["Phường Sông Bằng", "Phường Ngọc Xuân", "Xã Vĩnh Quang"] {
        assert!(text.contains(name), "{name} in:\n{text}");
    }
    assert!(
        dir.path().join("data/motcua.db").exists(),
        "the database was created"
    );

    let out = motcua(&dir)
        .args(["units", "lineage", "tan giang", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let v = stdout_json(&out);
    assert_eq!(v["unit"]["name"], "Phường Tân Giang");
    let mut names: Vec<&str> = v["links"]
        .as_array()
        .expect("links")
        .iter()
        .filter_map(|l| l["unit"]["name"].as_str())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Phường Duyệt Trung",
            "Phường Hòa Chung",
            "Phường Tân Giang",
            "Xã Chu Trinh",
            "Xã Lê Chung"
        ]
    );
}

#[test]
fn show_and_convert_with_json_and_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = motcua(&dir)
        .args(["units", "show", "04", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let v = stdout_json(&out);
    assert_eq!(
        v.as_array().map(Vec::len),
        Some(2),
        "legacy and two-level records of 04"
    );

    let out = motcua(&dir)
        .args([
            "units",
            "convert",
            "--commune",
            "song bang",
            "--province",
            "Cao Bằng",
            "--json",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v = stdout_json(&out);
    assert_eq!(v["successors"][0]["commune"]["name"], "Phường Nùng Trí Cao");
    assert_eq!(v["new_province"]["code"], "04");

    let out = motcua(&dir)
        .args(["units", "convert", "--commune", "Vinh Quang", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v = stdout_json(&out);
    assert_eq!(v["error"]["code"], "ambiguous_name");
    assert!(v["error"]["candidates"]
        .as_array()
        .is_some_and(|c| c.len() >= 2));
    assert!(v["error"]["message_vi"]
        .as_str()
        .is_some_and(|m| m.contains("Hãy nhập thêm")));

    let out = motcua(&dir)
        .args(["units", "show", "4x"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid unit code"));
}

#[test]
fn convert_csv_writes_output_and_rejects_without_losing_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "id,commune,district,province\n1,01270,,\n2,Vinh Quang,Bao Lam,Cao Bang\n3,Nowhere,,\n4,Vinh Quang,,\n",
    )
    .expect("write");
    let out = motcua(&dir)
        .args(["units", "convert-csv", "in.csv", "out.csv", "--json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = stdout_json(&out);
    assert_eq!(v["rows"], 4);
    assert_eq!(v["converted"], 2);
    assert_eq!(v["rejected"], 2);
    let converted = std::fs::read_to_string(dir.path().join("out.csv")).expect("out");
    assert_eq!(
        converted.lines().count(),
        3,
        "header + 2 rows:\n{converted}"
    );
    assert!(converted.contains("1,01270,,,01279,Phường Nùng Trí Cao,04,Tỉnh Cao Bằng,ok,"));
    let rejects = std::fs::read_to_string(dir.path().join("out.rejects.csv")).expect("rejects");
    assert!(rejects.contains("3,Nowhere,,,unit_not_found"));
    assert!(rejects.contains("4,Vinh Quang,,,ambiguous_name"));
}
