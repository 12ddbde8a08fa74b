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
    serve_with(dir, admin, args, &[("MOTCUA_SMS_GATEWAY", "none")])
}

/// [`serve`] with the environment variables `env` set (the notification
/// channels, for example).
fn serve_with(
    dir: &tempfile::TempDir,
    admin: bool,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<Served, String> {
    let log = std::fs::File::create(dir.path().join("serve.log")).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("motcua"));
    cmd.current_dir(dir.path())
        .env_remove("MOTCUA_DATABASE_URL")
        .env_remove("MOTCUA_CONFIG")
        .env_remove("MOTCUA_DEMO_PASSWORD")
        .env_remove("MOTCUA_ADMIN_PASSWORD")
        .env_remove("MOTCUA_SMS_GATEWAY")
        .env_remove("MOTCUA_SMTP_URL")
        .env("MOTCUA_DATA_DIR", dir.path().join("data"))
        .envs(env.iter().copied())
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

/// The 6-digit code in a message.
fn code_in(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .map(str::to_string)
}

/// Logs in at `motcua serve` as the citizen of `contact` (`{"phone": ..}`
/// or `{"email": ..}`) with `code`: the status of the verification.
async fn otp_login(base: &str, contact: serde_json::Value, code: &str) -> u16 {
    let mut body = contact;
    body["code"] = json!(code);
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/otp/verify"))
        .json(&body)
        .send()
        .await
        .expect("verify request")
        .status()
        .as_u16()
}

/// Asks `motcua serve` to send a login code to `contact`: the status.
async fn otp_request(base: &str, contact: &serde_json::Value) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/otp/request"))
        .json(contact)
        .send()
        .await
        .expect("code request")
        .status()
        .as_u16()
}

/// Waits (bounded) for `read` to find a code: delivery is asynchronous.
async fn wait_for_code(mut read: impl FnMut() -> Option<String>) -> Option<String> {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(20) {
        if let Some(code) = read() {
            return Some(code);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    None
}

#[tokio::test]
async fn serve_delivers_login_codes_by_sms_and_e_mail_not_to_its_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sms_log = dir.path().join("gateway-sms.log");
    let sink = motcua_notify::testing::SmtpSink::start()
        .await
        .expect("SMTP sink");
    let gateway = format!("file:{}", sms_log.display());
    let smtp = sink.url();
    let served = serve_with(
        &dir,
        false,
        &[],
        &[
            ("MOTCUA_SMS_GATEWAY", gateway.as_str()),
            ("MOTCUA_SMTP_URL", smtp.as_str()),
        ],
    )
    .expect("start");

    // A citizen's phone: the code arrives in the SMS gateway's file.
    let phone = "0912345678";
    let contact = json!({"phone": phone});
    assert_eq!(otp_request(&served.base, &contact).await, 202);
    let by_sms = wait_for_code(|| {
        motcua_notify::FileSmsGateway::read(&sms_log)
            .ok()?
            .into_iter()
            .rev()
            .find(|l| l.to.ends_with("912345678"))
            .and_then(|l| code_in(&l.text))
    })
    .await
    .expect("a code arrived by SMS");
    assert_eq!(
        otp_login(&served.base, contact.clone(), "000000").await,
        401
    );
    assert_eq!(otp_login(&served.base, contact, &by_sms).await, 200);

    // A citizen's e-mail: the code arrives at the SMTP server.
    let email = "nong.trang@example.vn";
    let contact = json!({"email": email});
    assert_eq!(otp_request(&served.base, &contact).await, 202);
    let by_mail = wait_for_code(|| {
        sink.messages()
            .into_iter()
            .rev()
            .find(|m| m.rcpt_to.iter().any(|r| r == email))
            .and_then(|m| code_in(&m.body()))
    })
    .await
    .expect("a code arrived by e-mail");
    assert_eq!(otp_login(&served.base, contact, &by_mail).await, 200);

    // The server's own log never carries a code.
    drop(served);
    let log = std::fs::read_to_string(dir.path().join("serve.log")).expect("serve.log");
    assert!(
        !log.contains(&by_sms) && !log.contains(&by_mail),
        "a login code reached the server log"
    );
}
