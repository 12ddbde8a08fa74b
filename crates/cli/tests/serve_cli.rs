//! `motcua serve` end to end: the store's kind decides whether the demo
//! officials (whose password is published) may enter it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::json;

const ADMIN_PASSWORD: &str = "Quan-tri-that-2026!";

/// A running `motcua serve` on a free port, killed when dropped.
struct Served {
    child: Child,
    base: String,
    stdout: Vec<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `motcua serve ARGS` on the data directory in `dir`, with
/// `MOTCUA_ADMIN_PASSWORD` when `admin` (the first administrator of a
/// real store), and waits for the address it prints.
fn serve(dir: &tempfile::TempDir, admin: bool, args: &[&str]) -> Result<Served, String> {
    let log = std::fs::File::create(dir.path().join("serve.log")).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("motcua"));
    cmd.current_dir(dir.path())
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env_remove("MOTCUA_DEMO_PASSWORD")
        .env_remove("MOTCUA_ADMIN_PASSWORD")
        .env("MOTCUA_DATA_DIR", dir.path().join("data"))
        .env("MOTCUA_SMS_GATEWAY", "none")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(log);
    if admin {
        cmd.env("MOTCUA_ADMIN_PASSWORD", ADMIN_PASSWORD);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("starting motcua serve: {e}"))?;
    let out = child.stdout.take().ok_or("no stdout")?;
    let mut stdout = Vec::new();
    for line in BufReader::new(out).lines() {
        let line = line.map_err(|e| e.to_string())?;
        if let Some(addr) = line.split("http://").nth(1) {
            let base = format!("http://{}", addr.trim_end_matches('/'));
            stdout.push(line);
            return Ok(Served {
                child,
                base,
                stdout,
            });
        }
        stdout.push(line);
    }
    let _ = child.wait();
    let err = std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
    Err(format!("serve exited: {}\n{err}", stdout.join("\n")))
}

/// The HTTP status of a login.
async fn login(base: &str, username: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_real_store_never_receives_the_demo_officials() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = serve(&dir, true, &["--no-demo"]).expect("first start");
    assert_eq!(login(&first.base, "admin", ADMIN_PASSWORD).await, 200);
    drop(first);

    let again = serve(&dir, true, &[]).expect("restart without --no-demo");
    assert!(
        again.stdout.iter().any(|l| l.contains("not loaded")),
        "says why there is no demo: {:?}",
        again.stdout
    );
    assert_eq!(
        login(&again.base, "quantri.04", "motcua-demo-2025").await,
        401,
        "no demo province administrator in a real store"
    );
    assert_eq!(login(&again.base, "admin", ADMIN_PASSWORD).await, 200);
}

#[tokio::test]
async fn a_new_store_served_with_the_demo_is_a_demo_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let served = serve(&dir, false, &[]).expect("start");
    assert_eq!(
        login(&served.base, "quantri.04", "motcua-demo-2025").await,
        200
    );
    drop(served);
    let again = serve(&dir, false, &[]).expect("restart");
    assert_eq!(
        login(&again.base, "quantri.04", "motcua-demo-2025").await,
        200
    );
}
