//! `motcua serve` end to end: the security settings given by environment
//! variables (and the `[auth]` table of the file) reach the running
//! server (issue 10, item 4); one-time codes go out through the SMS
//! gateway (`DATA_DIR/sms.log`), never to the log; the start-up warning
//! when `MOTCUA_PUBLIC_URL` is unset outside development (issue 11).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ADMIN_PASSWORD: &str = "mật khẩu quản trị đủ dài";

/// A `motcua serve` started by the test, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &tempfile::TempDir, config: Option<&str>, env: &[(&str, &str)]) -> Server {
    use assert_cmd::cargo::CommandCargoExt;
    let mut cmd = Command::cargo_bin("motcua").expect("the motcua binary");
    cmd.current_dir(dir.path())
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env_remove("MOTCUA_LISTEN")
        .env("MOTCUA_DATA_DIR", dir.path().join("data"))
        .env("MOTCUA_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("MOTCUA_LOG", "warn")
        .args(["serve", "--no-demo", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(
            std::fs::File::create(dir.path().join("serve.err"))
                .expect("a file for the server's log"),
        );
    for key in [
        "MOTCUA_PUBLIC_URL",
        "MOTCUA_TRACKING_URL",
        "MOTCUA_SMS_GATEWAY",
        "MOTCUA_SMTP_URL",
        "MOTCUA_COOKIE_SECURE",
        "MOTCUA_SESSION_HOURS",
        "MOTCUA_LOCKOUT_FAILURES",
        "MOTCUA_LOCKOUT_MINUTES",
    ] {
        cmd.env_remove(key);
    }
    if let Some(text) = config {
        let path = dir.path().join("motcua.toml");
        std::fs::write(&path, text).expect("write the configuration");
        cmd.arg("--config").arg(path);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start motcua serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut server = Server {
        child,
        addr: String::new(),
    };
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line of output");
        if let Some(rest) = line.split("http://").nth(1) {
            server.addr = rest.trim_end_matches('/').to_string();
            return server;
        }
    }
    panic!("motcua serve exited before listening");
}

/// POSTs JSON over HTTP/1.1; the status and the raw head.
fn post(addr: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream =
        TcpStream::connect(addr).unwrap_or_else(|e| panic!("connecting to {addr}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"));
    let head = response.split("\r\n\r\n").next().unwrap_or("").to_string();
    (status, head)
}

fn login(addr: &str, password: &str) -> (u16, String) {
    let body = serde_json::json!({"username": "admin", "password": password}).to_string();
    post(addr, "/api/v1/auth/login", &body)
}

#[test]
fn security_variables_reach_the_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = serve(
        &dir,
        Some("[auth]\nlockout_failures = 4\ncookie_secure = true\n"),
        &[
            ("MOTCUA_LOCKOUT_FAILURES", "2"),
            ("MOTCUA_COOKIE_SECURE", "false"),
            ("MOTCUA_SESSION_HOURS", "3"),
        ],
    );
    let (status, head) = login(&server.addr, ADMIN_PASSWORD);
    assert_eq!(status, 200, "{head}");
    let cookie = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .expect("a session cookie");
    assert!(
        !cookie.contains("Secure"),
        "MOTCUA_COOKIE_SECURE=false: {cookie}"
    );
    assert!(
        cookie.contains("Max-Age=10800"),
        "MOTCUA_SESSION_HOURS=3: {cookie}"
    );
    for _ in 0..2 {
        assert_eq!(login(&server.addr, "sai mat khau roi").0, 401);
    }
    let (status, head) = login(&server.addr, ADMIN_PASSWORD);
    assert_eq!(
        status, 429,
        "MOTCUA_LOCKOUT_FAILURES=2 beats the file's 4: {head}"
    );
}

#[test]
fn the_file_sets_security_and_the_defaults_hold_without_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = serve(&dir, Some("[auth]\nlockout_failures = 3\n"), &[]);
    for _ in 0..2 {
        assert_eq!(login(&server.addr, "sai mat khau roi").0, 401);
    }
    let (status, head) = login(&server.addr, ADMIN_PASSWORD);
    assert_eq!(status, 200, "two failures do not lock with 3: {head}");
    assert!(
        head.contains("Secure"),
        "the default cookie is Secure: {head}"
    );
    for _ in 0..3 {
        assert_eq!(login(&server.addr, "sai mat khau roi").0, 401);
    }
    assert_eq!(login(&server.addr, ADMIN_PASSWORD).0, 429, "three do");
}

/// What the server wrote to its standard error (its log) so far.
fn log(dir: &tempfile::TempDir) -> String {
    std::fs::read_to_string(dir.path().join("serve.err")).unwrap_or_default()
}

#[test]
fn one_time_codes_reach_the_sms_file_and_never_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = serve(&dir, None, &[("MOTCUA_LOG", "trace")]);
    let (status, head) = post(
        &server.addr,
        "/api/v1/auth/otp/request",
        r#"{"phone": "0912 345 678"}"#,
    );
    assert_eq!(status, 202, "{head}");
    let sms = std::fs::read_to_string(dir.path().join("data/sms.log"))
        .expect("the SMS gateway's file DATA_DIR/sms.log");
    let line = sms
        .lines()
        .rev()
        .find(|l| l.contains("+84912345678"))
        .unwrap_or_else(|| panic!("no SMS to the phone: {sms}"));
    let line: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
    let text = line["text"].as_str().expect("text");
    let code = text
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {text:?}"))
        .to_string();
    let body = serde_json::json!({"phone": "0912345678", "code": code}).to_string();
    let (status, head) = post(&server.addr, "/api/v1/auth/otp/verify", &body);
    assert_eq!(
        status, 200,
        "the code from the SMS logs the citizen in: {head}"
    );
    drop(server);
    let log = log(&dir);
    assert!(log.contains("one-time code"), "the log was captured: {log}");
    assert!(
        !log.contains(&code),
        "the code is in the server's log: {log}"
    );
}

#[test]
fn an_unset_public_url_is_warned_about_on_a_real_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = serve(&dir, None, &[]);
    drop(server);
    let warned = log(&dir);
    assert!(
        warned.contains("MOTCUA_PUBLIC_URL is not set"),
        "no start-up warning: {warned}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let server = serve(
        &dir,
        Some("public_url = \"https://dichvucong.caobang.gov.vn\"\n"),
        &[],
    );
    drop(server);
    let quiet = log(&dir);
    assert!(
        !quiet.contains("MOTCUA_PUBLIC_URL is not set"),
        "warned although the file sets public_url: {quiet}"
    );
}
