//! Browser tests: Debian's Chromium, driven over WebDriver (chromedriver,
//! spoken to with plain HTTP+JSON), against the real application on port 0
//! over SQLite with the demo catalogue and the demo officials.
//!
//! CI (`.ci/run`) installs `chromium` and `chromium-driver` and these tests
//! run there. Locally they fail with instructions when Chromium is missing,
//! unless `MOTCUA_SKIP_BROWSER=1` (ignored when `CI` is set).
//!
//! Screenshots of the main pages go to `target/test-artifacts/`.
//!
//! One-time codes reach the citizen as they would in the demo: by SMS
//! through the file gateway (`sms.log`) and by e-mail through a real SMTP
//! server ([`SmtpSink`]); the tests read them there. The accessibility
//! test injects axe-core (from npm, installed by `scripts/axe-core` into
//! `target/axe-core` on first use) into every kind of page.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use motcua_domain::dossier::{Actor, Role, UserId};
use motcua_notify::testing::SmtpSink;
use motcua_notify::NotifyConfig;
use motcua_server::auth::{AuthConfig, ChannelCodeSender};
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const UNIT: &str = "04.01279";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long a wait for the page, the driver or a message may last. Long on
/// purpose: a shared, loaded CI machine is slow, and a wait ends as soon as
/// what it waits for is there.
const PATIENCE: Duration = Duration::from_secs(30);

/// Whether a wait begun at `since` may go on.
fn patient(since: tokio::time::Instant) -> bool {
    since.elapsed() < PATIENCE
}

/// Whether to run: Ok(false) to skip (only outside CI, on request).
fn browser_available() -> Result<bool> {
    let in_ci = std::env::var_os("CI").is_some();
    let skip = std::env::var("MOTCUA_SKIP_BROWSER").is_ok_and(|v| v == "1");
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    match (present, skip && !in_ci) {
        (true, _) => Ok(true),
        (false, true) => {
            eprintln!("browser tests skipped (MOTCUA_SKIP_BROWSER=1)");
            Ok(false)
        }
        (false, false) => bail!(
            "Chromium and chromedriver are needed for the browser tests ({CHROMIUM}, {CHROMEDRIVER}).\n\
             Install them with: sudo apt-get install -y chromium chromium-driver\n\
             or skip these tests locally with MOTCUA_SKIP_BROWSER=1."
        ),
    }
}

fn artifacts() -> Result<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/test-artifacts")
        .to_path_buf();
    std::fs::create_dir_all(&dir).context("creating target/test-artifacts")?;
    Ok(dir)
}

/// Where a citizen receives their one-time codes: the SMS gateway's file
/// and the mailbox at the SMTP server.
struct Inbox {
    sms_log: PathBuf,
    sink: SmtpSink,
}

/// The 6-digit code of a one-time code message.
fn code_in(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .map(str::to_string)
}

impl Inbox {
    /// The last one-time code received by `contact`: the SMS file for a
    /// phone, the SMTP server's mailbox for an e-mail address.
    fn last_code(&self, contact: &motcua_domain::access::Contact) -> Option<String> {
        use motcua_domain::access::Contact;
        match contact {
            Contact::Phone(number) => motcua_notify::FileSmsGateway::read(&self.sms_log)
                .ok()?
                .into_iter()
                .rev()
                .filter(|l| &l.to == number && l.text.contains("motcua"))
                .find_map(|l| code_in(&l.text)),
            Contact::Email(address) => self
                .sink
                .messages()
                .into_iter()
                .rev()
                .filter(|m| m.rcpt_to.iter().any(|r| r == address))
                .filter(|m| m.subject().contains("Mã xác thực"))
                .find_map(|m| code_in(&m.body())),
        }
    }
}

/// The application with demo data, cookies without `Secure` (plain HTTP on
/// 127.0.0.1), one-time codes sent through the notification channels.
struct App {
    base: String,
    state: motcua_server::AppState,
    codes: Inbox,
    _fixture: motcua_store::fixture::Fixture,
    server: tokio::task::JoinHandle<()>,
}

impl App {
    async fn spawn() -> Result<App> {
        let fixture = motcua_store_sqlite::test_fixture();
        let blobs =
            std::env::temp_dir().join(format!("motcua-browser-blobs-{}", std::process::id()));
        let state = motcua_server::bootstrap::prepare(fixture.shared(), &blobs).await?;
        let sink = SmtpSink::start().await?;
        let data = std::env::temp_dir().join(format!(
            "motcua-browser-codes-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
        ));
        std::fs::create_dir_all(&data)?;
        let channels = NotifyConfig {
            smtp_url: Some(sink.url()),
            data_dir: data.clone(),
            ..NotifyConfig::default()
        };
        let sender = ChannelCodeSender::from_config(&channels)?;
        let codes = Inbox {
            sms_log: data.join("sms.log"),
            sink,
        };
        let state = state
            .with_auth_config(AuthConfig {
                cookie_secure: false,
                ..AuthConfig::default()
            })
            .with_code_sender(Arc::new(sender));
        motcua_server::bootstrap::ensure_demo_accounts(&*state.store).await?;
        motcua_engine::demo::load_demo_with(
            &state.engine,
            &motcua_engine::demo::DemoOptions {
                communes: Vec::new(),
                now: chrono::Utc::now(),
                seed: motcua_engine::demo::DEFAULT_DEMO_SEED,
                dossiers: 30,
            },
        )
        .await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = motcua_server::service(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(App {
            base: format!("http://{addr}"),
            state,
            codes,
            _fixture: fixture,
            server,
        })
    }

    /// A fresh online dossier at the demo commune, waiting for receipt.
    async fn submitted_dossier(&self) -> Result<String> {
        self.submitted_for("citizen.001").await
    }

    async fn submitted_for(&self, user: &str) -> Result<String> {
        let submission = serde_json::from_value(json!({
            "procedure": "1.001193",
            "intake": "online",
            "receiving_unit": UNIT,
            "applicant": {"name": "Nông Thị Minh Trang", "personal_id": "004190000123", "user": user},
            "documents": [{"name_vi": "Tờ khai đăng ký khai sinh", "form": "original", "count": 1}]
        }))?;
        let actor = Actor::new(Role::Applicant, UserId::parse(user)?, None);
        let applied = self
            .state
            .engine
            .submit(submission, actor, chrono::Utc::now(), None)
            .await?;
        Ok(applied.code.to_string())
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// chromedriver and one headless Chromium session.
struct Browser {
    driver: Child,
    http: reqwest::Client,
    session: String,
    base: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Browser {
    async fn start() -> Result<Browser> {
        let port = free_port()?;
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver")?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        let base = format!("http://127.0.0.1:{port}");
        let mut b = Browser {
            driver,
            http,
            session: String::new(),
            base,
        };
        let mut ready = false;
        let since = tokio::time::Instant::now();
        while patient(since) {
            if let Ok(r) = b.http.get(format!("{}/status", b.base)).send().await {
                if r.status().is_success() {
                    ready = true;
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if !ready {
            bail!("chromedriver did not start on port {port}");
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--no-first-run",
                         "--disable-dev-shm-usage", "--window-size=1280,1000",
                         "--lang=vi"]
            }
        }}});
        let v = b.call("POST", "/session", Some(caps)).await?;
        b.session = v["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no session id: {v}"))?
            .to_string();
        Ok(b)
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body.unwrap_or_else(|| json!({}))),
        };
        let res = req.send().await?;
        let status = res.status();
        let v: Value = res.json().await?;
        if !status.is_success() {
            bail!("WebDriver {method} {path}: {status} {}", v["value"]);
        }
        Ok(v.get("value").cloned().unwrap_or(v))
    }

    async fn goto(&self, app: &App, path: &str) -> Result<()> {
        self.call(
            "POST",
            "/url",
            Some(json!({"url": format!("{}{path}", app.base)})),
        )
        .await?;
        Ok(())
    }

    async fn url(&self) -> Result<String> {
        Ok(self
            .call("GET", "/url", None)
            .await?
            .as_str()
            .unwrap_or("")
            .to_string())
    }

    /// The element, waiting up to [`PATIENCE`] for it (a page may still be loading
    /// after a click).
    async fn find(&self, css: &str) -> Result<String> {
        let mut last = None;
        let since = tokio::time::Instant::now();
        while patient(since) {
            match self
                .call(
                    "POST",
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await
            {
                Ok(v) => {
                    return v[ELEMENT]
                        .as_str()
                        .map(str::to_string)
                        .ok_or_else(|| anyhow!("no element id for {css}: {v}"))
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(last
            .unwrap_or_else(|| anyhow!("not found"))
            .context(format!("finding {css}")))
    }

    /// Waits up to [`PATIENCE`] for the element's text to be `want`; returns the
    /// last text seen.
    async fn wait_text(&self, css: &str, want: &str) -> Result<String> {
        let mut seen = String::new();
        let since = tokio::time::Instant::now();
        while patient(since) {
            if let Ok(t) = self.text(css).await {
                if t == want {
                    return Ok(t);
                }
                seen = t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(seen)
    }

    async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let id = self.find(css).await?;
        self.call("POST", &format!("/element/{id}/clear"), None)
            .await?;
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await?;
        Ok(())
    }

    async fn click(&self, css: &str) -> Result<()> {
        let id = self.find(css).await?;
        self.call("POST", &format!("/element/{id}/click"), None)
            .await?;
        Ok(())
    }

    /// The element's text, finding it again if the page changed meanwhile.
    async fn text(&self, css: &str) -> Result<String> {
        let mut last = None;
        let since = tokio::time::Instant::now();
        while patient(since) {
            let id = self.find(css).await?;
            match self.call("GET", &format!("/element/{id}/text"), None).await {
                Ok(v) => return Ok(v.as_str().unwrap_or("").to_string()),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(last.unwrap_or_else(|| anyhow!("no text")))
    }

    /// Clicks something that loads a new page, and waits for the new
    /// document (its root element changes).
    async fn click_to_load(&self, css: &str) -> Result<()> {
        let before = self.find("html").await?;
        self.click(css).await?;
        let since = tokio::time::Instant::now();
        while patient(since) {
            if let Ok(now) = self.find("html").await {
                if now != before {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("clicking {css} loaded no new page")
    }

    /// Runs a script in the page (the tests only: the site has none), e.g.
    /// to set a date input, whose typing depends on the browser's locale.
    async fn execute(&self, script: &str, args: Value) -> Result<Value> {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Waits up to [`PATIENCE`] for the page's source to contain `needle`.
    async fn wait_source(&self, needle: &str) -> Result<bool> {
        let since = tokio::time::Instant::now();
        while patient(since) {
            if self.source().await?.contains(needle) {
                return Ok(true);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(false)
    }

    async fn source(&self) -> Result<String> {
        Ok(self
            .call("GET", "/source", None)
            .await?
            .as_str()
            .unwrap_or("")
            .to_string())
    }

    async fn resize(&self, width: u32, height: u32) -> Result<()> {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await?;
        Ok(())
    }

    /// Saves a PNG screenshot as `target/test-artifacts/<name>.png`.
    async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let b64 = self.call("GET", "/screenshot", None).await?;
        let png = base64_decode(b64.as_str().unwrap_or(""))?;
        let path = artifacts()?.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    async fn quit(&self) {
        let _ = self.call("DELETE", "", None).await;
    }
}

fn base64_decode(s: &str) -> Result<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        acc = (acc << 6) | val(c).ok_or_else(|| anyhow!("not base64"))?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Ok(out)
}

async fn run_paths(app: &App, b: &Browser) -> Result<()> {
    // (a) A citizen searches a procedure without diacritics and reads it.
    b.goto(app, "/thu-tuc").await?;
    b.screenshot("01-thu-tuc").await?;
    b.type_into("#q", "dang ky khai sinh").await?;
    b.click_to_load("form.search button").await?;
    let count = b.text("#count").await?;
    let html = b.source().await?;
    if !html.contains("Thủ tục đăng ký khai sinh") {
        bail!("the search without diacritics did not find the birth registration ({count})");
    }
    b.screenshot("02-thu-tuc-tim-khai-sinh").await?;
    b.click_to_load("a[href='/thu-tuc/1.001193']").await?;
    let h1 = b.wait_text("h1", "Thủ tục đăng ký khai sinh").await?;
    if h1 != "Thủ tục đăng ký khai sinh" {
        bail!("procedure page heading: {h1:?}");
    }
    let html = b.source().await?;
    for needle in [
        "Thành phần hồ sơ",
        "Phí, lệ phí",
        "Thời hạn giải quyết",
        "(chưa xác minh)",
    ] {
        if !html.contains(needle) {
            bail!("the procedure page lacks {needle:?}");
        }
    }
    b.screenshot("03-thu-tuc-1.001193").await?;
    b.goto(app, "/thu-tuc/1.001193?lang=en").await?;
    let html = b.source().await?;
    if !html.contains("Documents to bring") || !html.contains("(unverified)") {
        bail!("the English procedure page is not in English");
    }
    b.screenshot("04-procedure-1.001193-en").await?;
    b.resize(390, 844).await?;
    b.goto(app, "/thu-tuc/1.001193").await?;
    b.screenshot("05-thu-tuc-1.001193-mobile").await?;
    b.resize(1280, 1000).await?;

    // A citizen logs in with a one-time code and sees their own dossier.
    let phone = motcua_domain::access::Contact::phone("0912345678")?;
    let citizen = app
        .state
        .store
        .citizen_for_contact(
            &phone,
            &UserId::parse("citizen.browser")?,
            chrono::Utc::now(),
        )
        .await?;
    let own = app.submitted_for(citizen.id.as_str()).await?;
    b.goto(app, "/dang-nhap").await?;
    b.type_into("#lien_he", "0912 345 678").await?;
    b.click_to_load("form.stack button").await?;
    let code = app
        .codes
        .last_code(&phone)
        .ok_or_else(|| anyhow!("no one-time code arrived by SMS (sms.log)"))?;
    b.screenshot("06-dang-nhap-ma").await?;
    b.type_into("#ma", &code).await?;
    b.click_to_load("form.stack button").await?;
    b.find(&format!("a[href='/tra-cuu/{own}']"))
        .await
        .context("the citizen's dossier is listed")?;
    b.screenshot("07-ho-so-cua-toi").await?;
    b.click_to_load(&format!("a[href='/tra-cuu/{own}']"))
        .await?;
    if !b.source().await?.contains("Nông Thị Minh Trang") {
        bail!("the applicant does not see their own name when tracking");
    }
    b.click_to_load(".who button").await?;

    // (b) A receiving officer logs in, opens the submitted dossier from
    // the queue, accepts it, and the status changes.
    let code = app.submitted_dossier().await?;
    b.goto(app, "/can-bo/dang-nhap").await?;
    b.screenshot("08-can-bo-dang-nhap").await?;
    b.type_into("#username", "canbo.tiepnhan.01279").await?;
    b.type_into("#password", "wrong-password-1").await?;
    b.click_to_load("#login").await?;
    let err = b.text("#err").await?;
    if err.is_empty() {
        bail!("a wrong password gave no error");
    }
    b.type_into(
        "#password",
        motcua_server::auth::bootstrap::DEFAULT_DEMO_PASSWORD,
    )
    .await?;
    b.click_to_load("#login").await?;
    b.find("#queue").await?;
    let url = b.url().await?;
    if !url.ends_with("/can-bo") {
        bail!("after login the browser is at {url}");
    }
    b.screenshot("09-can-bo-hang-doi").await?;
    b.click_to_load(&format!("a[href^='/can-bo/ho-so/{code}?']"))
        .await
        .context("the new dossier is in the receiving officer's queue")?;
    let before = b.wait_text("#status", "Mới đăng ký").await?;
    if before != "Mới đăng ký" {
        bail!("status before acceptance: {before:?}");
    }
    b.screenshot("10-can-bo-ho-so-moi").await?;
    b.click_to_load("#do-accept").await?;
    let after = b.wait_text("#status", "Đã tiếp nhận").await?;
    if after != "Đã tiếp nhận" {
        bail!("status after acceptance: {after:?}");
    }
    let html = b.source().await?;
    if !html.contains("forms/01") {
        bail!("no link to the receipt (Mẫu 01)");
    }
    b.screenshot("11-can-bo-ho-so-da-tiep-nhan").await?;
    b.click_to_load(".who button").await?;

    // (c) Public tracking by code: status, without the applicant's name.
    b.goto(app, "/tra-cuu").await?;
    b.type_into("#ma", &code).await?;
    b.click_to_load("form.search button").await?;
    let status = b.wait_text("#status", "Đã tiếp nhận").await?;
    if status != "Đã tiếp nhận" {
        bail!("tracking status: {status:?}");
    }
    let html = b.source().await?;
    if html.contains("Nông Thị Minh Trang") || html.contains("004190000123") {
        bail!("public tracking shows personal data");
    }
    b.screenshot("12-tra-cuu").await?;
    b.goto(app, "/tra-cuu/04.01279-000000-0000").await?;
    b.screenshot("13-tra-cuu-khong-co").await?;
    Ok(())
}

/// One Chromium at a time: the machines that run the tests have few cores.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizen_official_and_tracking_in_chromium() -> Result<()> {
    if !browser_available()? {
        return Ok(());
    }
    let _one = ONE_BROWSER.lock().await;
    let app = App::spawn().await?;
    let browser = Browser::start().await?;
    let result = run_paths(&app, &browser).await;
    if result.is_err() {
        let _ = browser.screenshot("failure").await;
    }
    browser.quit().await;
    result
}

/// The building permit (1.013225): received at the Center, handed over,
/// assigned by the department head, appraised by the specialist, reviewed
/// by the department head, approved by the leader, issued by the clerical
/// office, returned at the counter.
const PERMIT: &str = "1.013225";
const CITIZEN_EMAIL: &str = "trang.nong@example.vn";
const HEAD: &str = "truongphong.diachinh.01279";
const SPECIALIST: &str = "chuyenvien.diachinh.01279";

/// A one-page PDF, enough for the content check (`%PDF-`).
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n\
trailer<</Root 1 0 R>>\n%%EOF\n";

/// On the login page (after a redirect that carries `?next=`): logs the
/// official in and waits for the page asked for.
async fn official_logs_in(b: &Browser, username: &str) -> Result<()> {
    b.find("#username").await?;
    if !b.url().await?.contains("next=") {
        bail!("the login page lost the page asked for: {}", b.url().await?);
    }
    b.type_into("#username", username).await?;
    b.type_into(
        "#password",
        motcua_server::auth::bootstrap::DEFAULT_DEMO_PASSWORD,
    )
    .await?;
    b.click_to_load("#login").await?;
    Ok(())
}

/// On the citizen's login page: the one-time code by e-mail.
async fn citizen_logs_in(app: &App, b: &Browser) -> Result<()> {
    let contact = motcua_domain::access::Contact::email(CITIZEN_EMAIL)?;
    b.type_into("#lien_he", CITIZEN_EMAIL).await?;
    b.click_to_load("form.stack button").await?;
    let mut code = None;
    let since = tokio::time::Instant::now();
    while patient(since) {
        code = app.codes.last_code(&contact);
        if code.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let code = code.ok_or_else(|| anyhow!("no one-time code was sent"))?;
    b.type_into("#ma", &code).await?;
    b.click_to_load("form.stack button").await?;
    Ok(())
}

/// Opens `path` as `username`: logged out, the page sends to the login
/// form, which comes back to it.
async fn as_official(app: &App, b: &Browser, username: &str, path: &str) -> Result<()> {
    b.goto(app, path).await?;
    official_logs_in(b, username).await?;
    let url = b.url().await?;
    let bare = path.split('?').next().unwrap_or(path);
    if !url.contains(bare) {
        bail!("after {username}'s login the browser is at {url}, not {path}");
    }
    Ok(())
}

async fn logout(b: &Browser) -> Result<()> {
    b.click_to_load(".who button").await
}

/// Clicks an action of the official's dossier page and waits for the
/// status to read `status`.
async fn act(b: &Browser, action: &str, status: &str) -> Result<()> {
    b.click_to_load(&format!("#do-{action}")).await?;
    let seen = b.wait_text("#status", status).await?;
    if seen != status {
        let err = b.source().await?;
        let head: String = err.chars().take(3000).collect();
        bail!("after {action} the status is {seen:?}, not {status:?}: {head}");
    }
    Ok(())
}

async fn run_issue_paths(app: &App, b: &Browser, sink: &SmtpSink) -> Result<()> {
    // A citizen books an appointment: from the procedure page to a slot
    // of the next working day at the Center of Nùng Trí Cao.
    let today = motcua_domain::dossier::vietnam_date(chrono::Utc::now());
    let day = app
        .state
        .engine
        .rules(motcua_engine::demo::DEMO_PROVINCE_CODE, today)
        .calendar
        .next_working_day(today)?;
    b.goto(app, "/thu-tuc/1.001193").await?;
    b.click_to_load("#dat-lich").await?;
    b.click(&format!("#trung_tam option[value='{UNIT}']"))
        .await?;
    b.execute(
        "document.getElementById('ngay').value = arguments[0];",
        json!([day.to_string()]),
    )
    .await?;
    b.screenshot("20-dat-lich").await?;
    b.click_to_load("form.stack[method='get'] button").await?;
    b.click("input[name='khung_gio']")
        .await
        .context("a bookable slot on the next working day")?;
    b.type_into("#ho_ten", "Nông Thị Minh Trang").await?;
    b.type_into("#dien_thoai", "0912 345 678").await?;
    b.screenshot("21-dat-lich-khung-gio").await?;
    b.click_to_load("form.stack[method='post'] button").await?;
    let url = b.url().await?;
    if !url.contains("/dat-lich/LH-") || !url.contains("t=") {
        bail!("after booking the browser is not at the booking's page with its token: {url}");
    }
    b.find("#cancel-h")
        .await
        .context("the holder's page offers to cancel")?;
    b.screenshot("22-dat-lich-ma-hen").await?;

    // The citizen submits online: the submission form sends to the login
    // (e-mail, one-time code), which comes back to the form.
    b.goto(app, &format!("/thu-tuc/{PERMIT}")).await?;
    b.click_to_load("#nop-truc-tuyen").await?;
    if !b.url().await?.contains("/dang-nhap?next=") {
        bail!(
            "the submission form did not ask for a login: {}",
            b.url().await?
        );
    }
    citizen_logs_in(app, b).await?;
    b.find("#nop")
        .await
        .context("back on the submission form")?;
    b.type_into("#ho_ten", "Nông Thị Minh Trang").await?;
    b.click(&format!("#don_vi option[value='{UNIT}']")).await?;
    b.screenshot("23-nop-truc-tuyen").await?;
    b.click_to_load("#nop").await?;
    let url = b.url().await?;
    let code = url
        .rsplit("/ho-so-cua-toi/")
        .next()
        .filter(|_| url.contains("/ho-so-cua-toi/"))
        .ok_or_else(|| anyhow!("after submitting the browser is at {url}"))?
        .to_string();
    let pdf = std::env::temp_dir().join(format!("motcua-don-{}.pdf", std::process::id()));
    std::fs::write(&pdf, PDF)?;
    let input = b.find("#tep").await?;
    b.call(
        "POST",
        &format!("/element/{input}/value"),
        Some(json!({"text": pdf.display().to_string()})),
    )
    .await?;
    b.click_to_load("#tai-len").await?;
    if !b.wait_source("application/pdf").await? {
        bail!("the PDF is not listed among the dossier's documents");
    }
    b.screenshot("24-ho-so-cua-toi-tai-lieu").await?;
    logout(b).await?;

    // The Center accepts it; the citizen's e-mail arrives.
    let page = format!("/can-bo/ho-so/{code}");
    as_official(app, b, "canbo.tiepnhan.01279", &page).await?;
    if !b.source().await?.contains("application/pdf") {
        bail!("the official does not see the attached PDF");
    }
    act(b, "accept", "Đã tiếp nhận").await?;
    b.screenshot("25-can-bo-tiep-nhan-truc-tuyen").await?;
    let mut mail = None;
    let since = tokio::time::Instant::now();
    while patient(since) {
        mail = sink.messages().into_iter().find(|m| {
            m.rcpt_to.iter().any(|r| r == CITIZEN_EMAIL)
                && m.subject().contains(&code)
                && m.subject().contains("đã được tiếp nhận")
        });
        if mail.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mail = mail.ok_or_else(|| {
        anyhow!(
            "no acceptance e-mail for {code} at the SMTP sink: {:?}",
            sink.messages()
                .iter()
                .map(|m| (m.rcpt_to.clone(), m.subject()))
                .collect::<Vec<_>>()
        )
    })?;
    if !mail.body().contains(&code) {
        bail!("the e-mail does not name the dossier: {}", mail.body());
    }
    act(b, "transfer", "Đang xử lý").await?;
    logout(b).await?;

    // The department head assigns it from the queue (bulk assignment).
    as_official(app, b, HEAD, "/can-bo").await?;
    b.click(&format!("input[name='ma'][value='{code}']"))
        .await
        .context("the dossier can be chosen for assignment")?;
    // The specialist is picked from the unit's specialists, not typed.
    b.click(&format!("#can_bo option[value='{SPECIALIST}']"))
        .await
        .context("the specialist is in the picker")?;
    b.screenshot("26-truong-phong-phan-cong").await?;
    b.click_to_load("#phan-cong").await?;
    let summary = b.text("#summary").await?;
    if !summary.contains("1/1") {
        bail!("bulk assignment: {summary:?}");
    }
    b.screenshot("27-ket-qua-phan-cong").await?;
    logout(b).await?;

    // The specialist appraises, the department head reviews.
    as_official(app, b, SPECIALIST, &page).await?;
    b.click_to_load("#do-appraise").await?;
    b.screenshot("28-chuyen-vien-tham-dinh").await?;
    logout(b).await?;
    as_official(app, b, HEAD, &page).await?;
    b.click_to_load("#do-review_ok").await?;
    logout(b).await?;

    // The leader finds it in the approval queue and approves it.
    as_official(app, b, "chutich.01279", "/can-bo?buoc=approve").await?;
    b.find(&format!("a[href^='/can-bo/ho-so/{code}?']"))
        .await
        .context("the dossier is in the leader's approval queue")?;
    b.screenshot("29-lanh-dao-cho-phe-duyet").await?;
    b.click_to_load(&format!("a[href^='/can-bo/ho-so/{code}?']"))
        .await?;
    b.click_to_load("#do-approve").await?;
    logout(b).await?;

    // The clerical office registers and issues the result.
    as_official(app, b, "vanthu.01279", &page).await?;
    b.type_into("#issue_result-number", "15/2026/GPXD").await?;
    b.type_into("#issue_result-register", "Sổ cấp giấy phép xây dựng")
        .await?;
    act(b, "issue_result", "Đã có kết quả").await?;
    b.screenshot("30-van-thu-phat-hanh").await?;
    logout(b).await?;

    // The Center returns it at the counter (the way defaults to online for
    // an online dossier; no electronic result was attached to this one).
    as_official(app, b, "canbo.tiepnhan.01279", &page).await?;
    b.execute(
        "document.querySelector('#return_result-way').value = 'counter'; return true;",
        json!([]),
    )
    .await?;
    act(b, "return_result", "Đã trả kết quả").await?;
    b.screenshot("31-tra-ket-qua").await?;
    logout(b).await?;

    // The citizen rates it.
    b.goto(app, &format!("/ho-so-cua-toi/{code}")).await?;
    citizen_logs_in(app, b).await?;
    b.click("#r-very_satisfied").await?;
    b.type_into("#y_kien", "Cán bộ hướng dẫn tận tình.").await?;
    b.screenshot("32-danh-gia").await?;
    b.click_to_load("#do-rate").await?;
    let rated = b.wait_text("#rated", "Rất hài lòng").await?;
    if rated != "Rất hài lòng" {
        bail!("the rating reads {rated:?}");
    }
    b.screenshot("33-da-danh-gia").await?;
    logout(b).await?;

    // The counter receives a paper dossier: the checklist, a scan, the
    // pages digitized, and the acceptance.
    as_official(
        app,
        b,
        "canbo.tiepnhan.01279",
        "/can-bo/tiep-nhan?thu_tuc=1.001193",
    )
    .await?;
    b.find("#checklist").await?;
    b.type_into("#ho_ten", "Hoàng Thị Lan").await?;
    for i in 0..3 {
        b.click(&format!("#nhan_{i}")).await?;
    }
    let input = b.find("#tep_0").await?;
    b.call(
        "POST",
        &format!("/element/{input}/value"),
        Some(json!({"text": pdf.display().to_string()})),
    )
    .await?;
    b.type_into("#so_trang", "3").await?;
    b.click("#qd-accept").await?;
    b.screenshot("34-tiep-nhan-tai-quay").await?;
    b.click_to_load("#ghi-nhan").await?;
    let seen = b.wait_text("#status", "Đã tiếp nhận").await?;
    if seen != "Đã tiếp nhận" {
        bail!("the paper dossier's status is {seen:?}");
    }
    if !b.source().await?.contains("application/pdf") {
        bail!("the scan is not attached to the paper dossier");
    }
    b.screenshot("35-tiep-nhan-da-nhan").await?;
    logout(b).await?;

    // The inspector reads the unit's dossiers and acts on none.
    as_official(app, b, "thanhtra.01279", "/can-bo").await?;
    b.find("#read-only").await?;
    b.screenshot("36-thanh-tra-chi-xem").await?;
    Ok(())
}

/// The issue's paths in Chromium: booking, online submission with a PDF,
/// acceptance with the e-mail read back from a real SMTP server, the
/// processing chain with each official logging in through the login page,
/// return at the counter, and the citizen's rating.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_submission_processing_chain_and_rating_in_chromium() -> Result<()> {
    if !browser_available()? {
        return Ok(());
    }
    let _one = ONE_BROWSER.lock().await;
    let app = App::spawn().await?;
    let sink = &app.codes.sink;
    let data = std::env::temp_dir().join(format!("motcua-browser-notify-{}", std::process::id()));
    std::fs::create_dir_all(&data)?;
    let worker = motcua_notify::spawn_worker(
        app.state.store.clone(),
        NotifyConfig {
            smtp_url: Some(sink.url()),
            sms_gateway: "none".to_string(),
            poll_secs: 1,
            data_dir: data,
            ..NotifyConfig::default()
        },
    )?;
    let browser = Browser::start().await?;
    let result = run_issue_paths(&app, &browser, sink).await;
    if result.is_err() {
        let _ = browser.screenshot("failure-paths").await;
    }
    browser.quit().await;
    worker.abort();
    result
}

/// The first page of the portal, compressed, with its stylesheet: under
/// 50 KB; and no script at all.
#[tokio::test]
async fn the_portal_first_page_is_small_and_script_free() -> Result<()> {
    let app = App::spawn().await?;
    let http = reqwest::Client::new();
    let mut total = 0;
    for path in ["/thu-tuc", "/static/site.css"] {
        let res = http
            .get(format!("{}{path}", app.base))
            .header("accept-encoding", "gzip")
            .send()
            .await?;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(
            res.headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some("gzip"),
            "{path} is compressed"
        );
        total += res.bytes().await?.len();
    }
    assert!(
        total < 50 * 1024,
        "first page weighs {total} bytes compressed"
    );
    let html = http
        .get(format!("{}/thu-tuc", app.base))
        .send()
        .await?
        .text()
        .await?;
    assert!(!html.contains("<script"), "no scripts on the portal");
    eprintln!("portal first page: {total} bytes compressed (HTML + CSS)");
    Ok(())
}

/// axe-core's `axe.min.js`: `target/axe-core` (installed by
/// `scripts/axe-core` from npm on first use).
fn axe_source() -> Result<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let js = root.join("target/axe-core/node_modules/axe-core/axe.min.js");
    if !js.exists() {
        let out = Command::new(root.join("scripts/axe-core"))
            .stderr(Stdio::inherit())
            .output()
            .context("running scripts/axe-core (needs npm)")?;
        if !out.status.success() {
            bail!("scripts/axe-core failed: axe-core could not be installed from npm");
        }
    }
    std::fs::read_to_string(&js).with_context(|| format!("reading {}", js.display()))
}

impl Browser {
    /// Runs an asynchronous script: its last argument is the callback.
    async fn execute_async(&self, script: &str, args: Value) -> Result<Value> {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// axe-core's serious and critical violations on the current page
    /// (WCAG 2.0–2.2 A and AA rules and best practices), one line each.
    async fn axe_serious(&self, axe: &str) -> Result<Vec<String>> {
        self.call("POST", "/timeouts", Some(json!({"script": 120_000})))
            .await?;
        self.execute(&format!("{axe}\n;return typeof axe;"), json!([]))
            .await?;
        let found = self
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {resultTypes: ['violations']})\
                   .then(r => done(JSON.stringify({passes: r.passes.length, violations: r.violations.map(v => ({id: v.id, impact: v.impact, \
                      help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))})))\
                   .catch(e => done('error: ' + e));",
                json!([]),
            )
            .await?;
        let text = found.as_str().unwrap_or("");
        let found: Value =
            serde_json::from_str(text).map_err(|_| anyhow!("axe-core did not run: {text}"))?;
        if found["passes"].as_u64().unwrap_or(0) == 0 {
            bail!("axe-core checked nothing on {}: {text}", self.url().await?);
        }
        let list = found["violations"].as_array().cloned().unwrap_or_default();
        Ok(list
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                format!(
                    "{} ({}): {} at {}",
                    v["id"], v["impact"], v["help"], v["nodes"]
                )
            })
            .collect())
    }
}

/// Logs a citizen in through the login page, with the code read from the
/// SMS file.
async fn citizen_logs_in_by_sms(app: &App, b: &Browser, phone: &str) -> Result<()> {
    let contact = motcua_domain::access::Contact::phone(phone)?;
    b.goto(app, "/dang-nhap").await?;
    b.type_into("#lien_he", phone).await?;
    b.click_to_load("form.stack button").await?;
    let code = app
        .codes
        .last_code(&contact)
        .ok_or_else(|| anyhow!("no one-time code arrived by SMS (sms.log)"))?;
    b.type_into("#ma", &code).await?;
    b.click_to_load("form.stack button").await?;
    if !b.url().await?.contains("/ho-so-cua-toi") {
        bail!("after the code the browser is at {}", b.url().await?);
    }
    Ok(())
}

/// A citizen with a dossier, logged in by the code from the SMS file.
async fn citizen_with_a_dossier(app: &App, b: &Browser, phone: &str) -> Result<String> {
    let contact = motcua_domain::access::Contact::phone(phone)?;
    let citizen = app
        .state
        .store
        .citizen_for_contact(
            &contact,
            &UserId::parse(&format!("citizen.a11y.{}", &phone[phone.len() - 3..]))?,
            chrono::Utc::now(),
        )
        .await?;
    let own = app.submitted_for(citizen.id.as_str()).await?;
    citizen_logs_in_by_sms(app, b, phone).await?;
    Ok(own)
}

async fn axe_paths(app: &App, b: &Browser) -> Result<Vec<String>> {
    let axe = axe_source()?;
    let mut failures = Vec::new();
    let mut check = |kind: &str, found: Vec<String>| {
        eprintln!("axe: {kind}: {} serious/critical", found.len());
        for f in found {
            failures.push(format!("{kind}: {f}"));
        }
    };
    let public = [
        ("portal", "/".to_string()),
        ("search", "/thu-tuc?q=khai+sinh".to_string()),
        ("procedure", "/thu-tuc/1.001193".to_string()),
        ("tracking form", "/tra-cuu".to_string()),
        ("booking", "/dat-lich".to_string()),
        ("login", "/dang-nhap".to_string()),
        ("official login", "/can-bo/dang-nhap".to_string()),
        ("registry", "/don-vi-hanh-chinh".to_string()),
        ("registry province", "/don-vi-hanh-chinh/04".to_string()),
        ("404", "/khong-co-trang-nay".to_string()),
    ];
    for (kind, path) in &public {
        b.goto(app, path).await?;
        check(kind, b.axe_serious(&axe).await?);
    }
    let own = citizen_with_a_dossier(app, b, "0912 000 111").await?;
    for (kind, path) in [
        ("my dossiers", "/ho-so-cua-toi".to_string()),
        ("my dossier", format!("/ho-so-cua-toi/{own}")),
        ("tracking", format!("/tra-cuu/{own}")),
    ] {
        b.goto(app, &path).await?;
        check(kind, b.axe_serious(&axe).await?);
    }
    logout(b).await?;
    let page = format!("/can-bo/ho-so/{own}");
    as_official(app, b, "canbo.tiepnhan.01279", "/can-bo").await?;
    for (kind, path) in [
        ("official queue", "/can-bo".to_string()),
        ("official dossier", page),
        ("counter", "/can-bo/quay".to_string()),
        ("intake", "/can-bo/tiep-nhan?thu_tuc=1.001193".to_string()),
        ("dashboard", "/bao-cao".to_string()),
        ("own account", "/can-bo/tai-khoan".to_string()),
    ] {
        b.goto(app, &path).await?;
        check(kind, b.axe_serious(&axe).await?);
    }
    logout(b).await?;
    as_official(app, b, "quantri.04", "/can-bo/tai-khoan").await?;
    check("accounts", b.axe_serious(&axe).await?);
    Ok(failures)
}

/// axe-core on every kind of page — the portal, search, procedure,
/// tracking, booking, the logins, the citizen's dossiers and dossier, the
/// official's queue, dossier, counter, intake and dashboard, the
/// accounts, the registry and the 404 page: no serious or critical
/// violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_core_finds_no_serious_violation_on_any_kind_of_page() -> Result<()> {
    if !browser_available()? {
        return Ok(());
    }
    let _one = ONE_BROWSER.lock().await;
    let app = App::spawn().await?;
    let browser = Browser::start().await?;
    let result = axe_paths(&app, &browser).await;
    if result.is_err() {
        let _ = browser.screenshot("failure-axe").await;
    }
    browser.quit().await;
    let failures = result?;
    if !failures.is_empty() {
        bail!(
            "{} serious or critical accessibility violations:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
    Ok(())
}

/// WCAG relative luminance of `rgb(r, g, b)` / `rgba(…)`.
fn luminance(css: &str) -> Result<f64> {
    let inner = css
        .split_once('(')
        .and_then(|(_, r)| r.split_once(')'))
        .map(|(v, _)| v)
        .ok_or_else(|| anyhow!("not a colour: {css}"))?;
    let parts: Vec<f64> = inner
        .split(',')
        .take(3)
        .map(|p| p.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()?;
    let lin = |c: f64| {
        let c = c / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    Ok(0.2126 * lin(parts[0]) + 0.7152 * lin(parts[1]) + 0.0722 * lin(parts[2]))
}

fn contrast(a: &str, b: &str) -> Result<f64> {
    let (x, y) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if x > y { (x, y) } else { (y, x) };
    Ok((hi + 0.05) / (lo + 0.05))
}

async fn phone_paths(app: &App, b: &Browser) -> Result<()> {
    b.resize(390, 844).await?;
    let own = citizen_with_a_dossier(app, b, "0912 000 222").await?;
    for _ in 0..3 {
        app.submitted_for(&own_user(app, "0912 000 222").await?)
            .await?;
    }
    b.goto(app, "/ho-so-cua-toi").await?;
    b.find("#my-dossiers").await?;
    let width = b
        .execute(
            "return [document.documentElement.clientWidth, document.documentElement.scrollWidth, \
             window.innerWidth];",
            json!([]),
        )
        .await?;
    b.screenshot("40-ho-so-cua-toi-390px").await?;
    let (client, scroll) = (
        width[0].as_i64().unwrap_or(0),
        width[1].as_i64().unwrap_or(0),
    );
    if client == 0 || client > 390 {
        bail!("the window is not 390 px wide: {width}");
    }
    if scroll > client {
        bail!("'my dossiers' overflows a 390-px screen: {scroll} px of content in {client} px");
    }
    let items = b
        .execute(
            "return Array.from(document.querySelectorAll('#my-dossiers > li')).map(li => \
             [li.getBoundingClientRect().right, li.textContent.includes(arguments[0])]);",
            json!([own]),
        )
        .await?;
    let items = items.as_array().cloned().unwrap_or_default();
    if items.len() < 4 || !items.iter().any(|i| i[1].as_bool() == Some(true)) {
        bail!("'my dossiers' does not list the citizen's dossiers: {items:?}");
    }
    if items
        .iter()
        .any(|i| i[0].as_f64().unwrap_or(f64::MAX) > client as f64 + 0.5)
    {
        bail!("a dossier card is wider than the screen: {items:?}");
    }

    // Touch targets: every link of the navigation, every button and field
    // is at least 44 px high (and wide) on the phone.
    for path in ["/", "/ho-so-cua-toi", "/dang-nhap", "/thu-tuc"] {
        b.goto(app, path).await?;
        let small = b
            .execute(
                "return Array.from(document.querySelectorAll('header nav a, .who button, \
                 main button, main .button, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), \
                 main select, footer a'))\
                 .filter(e => e.offsetParent !== null)\
                 .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height, e.getBoundingClientRect().width])\
                 .filter(([_, h, w]) => h < 44 || w < 44);",
                json!([]),
            )
            .await?;
        if small.as_array().is_some_and(|a| !a.is_empty()) {
            bail!("touch targets under 44 px on {path} at 390 px: {small}");
        }
    }

    // The focus ring: at least 3 px and 3:1 against the background, in
    // the page and in the header.
    b.resize(1280, 1000).await?;
    b.goto(app, "/").await?;
    for (css, background) in [
        ("#q", "body"),
        ("#portal-book", "body"),
        ("header nav a[href='/thu-tuc']", "header"),
    ] {
        let id = b.find(css).await?;
        let el = json!({ ELEMENT: id });
        let seen = b
            .execute(
                "arguments[0].focus({focusVisible: true}); const s = getComputedStyle(arguments[0]);\
                 return [s.outlineStyle, s.outlineWidth, s.outlineColor, \
                 getComputedStyle(document.querySelector(arguments[1])).backgroundColor, \
                 document.activeElement === arguments[0]];",
                json!([el, background]),
            )
            .await?;
        let width: f64 = seen[1]
            .as_str()
            .unwrap_or("0")
            .trim_end_matches("px")
            .parse()
            .unwrap_or(0.0);
        let ratio = contrast(
            seen[2].as_str().unwrap_or(""),
            seen[3].as_str().unwrap_or(""),
        )?;
        if seen[4].as_bool() != Some(true) || seen[0].as_str() == Some("none") || width < 3.0 {
            bail!("{css} has no visible focus ring: {seen}");
        }
        if ratio < 3.0 {
            bail!("the focus ring of {css} has a contrast of {ratio:.2}:1 (< 3:1): {seen}");
        }
        eprintln!("focus ring of {css}: {width} px, {ratio:.1}:1");
    }
    Ok(())
}

/// The account id of the citizen with `phone`.
async fn own_user(app: &App, phone: &str) -> Result<String> {
    let contact = motcua_domain::access::Contact::phone(phone)?;
    let c = app
        .state
        .store
        .citizen_for_contact(
            &contact,
            &UserId::parse("citizen.unused")?,
            chrono::Utc::now(),
        )
        .await?;
    Ok(c.id.as_str().to_string())
}

/// On a 390-px phone "my dossiers" fits the screen (no horizontal
/// scrolling); touch targets are at least 44 px; the focus ring has at
/// least 3:1 contrast.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_dossiers_fit_a_390_px_phone_with_44_px_targets_and_a_visible_focus_ring() -> Result<()>
{
    if !browser_available()? {
        return Ok(());
    }
    let _one = ONE_BROWSER.lock().await;
    let app = App::spawn().await?;
    let browser = Browser::start().await?;
    let result = phone_paths(&app, &browser).await;
    if result.is_err() {
        let _ = browser.screenshot("failure-phone").await;
    }
    browser.quit().await;
    result
}

// ---------------------------------------------------------------------------
// citizen: the supplement (Mẫu 02) seen by the citizen, and the online
// result downloaded from their page.

const SUPPLEMENT_PHONE: &str = "0912 000 777";
const SUPPLEMENT_REASON: &str = "Thiếu giấy chứng sinh bản chính";
const JUSTICE_SPECIALIST: &str = "chuyenvien.tuphap.01279";

/// The engine's actor for a step of the demo commune.
fn demo_staff(role: Role, user: &str) -> Result<Actor> {
    Ok(Actor::new(
        role,
        UserId::parse(user)?,
        Some(motcua_domain::dossier::UnitId::parse(UNIT)?),
    ))
}

/// Drives `code` with the engine until its current step is `until`
/// (assigning the appraisal to [`JUSTICE_SPECIALIST`]).
async fn drive_to(app: &App, code: &str, until: motcua_domain::procedure::StepKind) -> Result<()> {
    use motcua_domain::procedure::{AgencyRef, StepKind};
    let code = motcua_domain::dossier::DossierCode::parse(code)?;
    let engine = &app.state.engine;
    for _ in 0..20 {
        let d = app
            .state
            .store
            .dossier(&code)
            .await?
            .and_then(|s| s.dossier)
            .ok_or_else(|| anyhow!("no dossier {code}"))?;
        let (action, actor) = match d.current_step().map(|s| (s.kind, s.role)) {
            Some((kind, _)) if kind == until => return Ok(()),
            Some((StepKind::Receive, _)) => (
                motcua_engine::Action::Accept { pages_digitized: 0 },
                demo_staff(Role::ReceivingOfficer, "canbo.tiepnhan.01279")?,
            ),
            Some((StepKind::Transfer, role)) => (
                motcua_engine::Action::Transfer {
                    to: d
                        .procedure
                        .workflow
                        .get(d.step + 1)
                        .map_or(AgencyRef::Competent, |s| s.agency.clone()),
                },
                demo_staff(role, "canbo.demo.01279")?,
            ),
            Some((StepKind::Assign, role)) => (
                motcua_engine::Action::Assign {
                    assignee: UserId::parse(JUSTICE_SPECIALIST)?,
                },
                demo_staff(role, "truongphong.tuphap.01279")?,
            ),
            Some((StepKind::Appraise, role)) => (
                motcua_engine::Action::Appraise {
                    outcome: motcua_domain::dossier::AppraisalOutcome::Eligible,
                },
                demo_staff(role, JUSTICE_SPECIALIST)?,
            ),
            Some((StepKind::Review, role)) => (
                motcua_engine::Action::ReviewOk,
                demo_staff(role, "truongphong.tuphap.01279")?,
            ),
            Some((StepKind::Approve, role)) => (
                motcua_engine::Action::Approve,
                demo_staff(role, "chutich.01279")?,
            ),
            other => bail!("{code}: cannot drive the step {other:?}"),
        };
        engine
            .act(&code, None, action, actor, chrono::Utc::now(), None)
            .await?;
    }
    bail!("{code} never reached {until:?}")
}

/// The session cookie of the browser, for downloads checked byte by byte.
async fn session_cookie(b: &Browser) -> Result<String> {
    let c = b.call("GET", "/cookie/motcua_session", None).await?;
    let value = c["value"]
        .as_str()
        .ok_or_else(|| anyhow!("no session cookie: {c}"))?;
    Ok(format!("motcua_session={value}"))
}

/// GETs `href` with the browser's session: (status, content type, bytes).
async fn download(app: &App, b: &Browser, href: &str) -> Result<(u16, String, Vec<u8>)> {
    let res = reqwest::Client::new()
        .get(format!("{}{href}", app.base))
        .header("cookie", session_cookie(b).await?)
        .send()
        .await?;
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    Ok((status, kind, res.bytes().await?.to_vec()))
}

/// The `href` of the element `css`.
async fn href_of(b: &Browser, css: &str) -> Result<String> {
    let id = b.find(css).await?;
    let v = b
        .call("GET", &format!("/element/{id}/attribute/href"), None)
        .await?;
    let href = v.as_str().unwrap_or("").to_string();
    Ok(href
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
        .unwrap_or(href))
}

/// Chooses `path` for the file input `css`.
async fn choose_file(b: &Browser, css: &str, path: &Path) -> Result<()> {
    let input = b.find(css).await?;
    b.call(
        "POST",
        &format!("/element/{input}/value"),
        Some(json!({"text": path.display().to_string()})),
    )
    .await?;
    Ok(())
}

async fn supplement_and_online_result(app: &App, b: &Browser, sms_log: &Path) -> Result<()> {
    let contact = motcua_domain::access::Contact::phone(SUPPLEMENT_PHONE)?;
    let citizen = app
        .state
        .store
        .citizen_for_contact(
            &contact,
            &UserId::parse("citizen.supplement")?,
            chrono::Utc::now(),
        )
        .await?;
    let submission = serde_json::from_value(json!({
        "procedure": "1.001193",
        "intake": "online",
        "receiving_unit": UNIT,
        "applicant": {"name": "Nông Thị Minh Trang", "personal_id": "004190000123",
                      "user": citizen.id.as_str()},
        "documents": [{"name_vi": "Tờ khai đăng ký khai sinh", "form": "original", "count": 1}],
        "contact": {"phone": SUPPLEMENT_PHONE}
    }))?;
    let actor = Actor::new(Role::Applicant, citizen.id.clone(), None);
    let code = app
        .state
        .engine
        .submit(submission, actor, chrono::Utc::now(), None)
        .await?
        .code
        .to_string();
    drive_to(app, &code, motcua_domain::procedure::StepKind::Appraise).await?;

    // The specialist asks for a supplement, with the documents missing.
    let official = format!("/can-bo/ho-so/{code}");
    as_official(app, b, JUSTICE_SPECIALIST, &official).await?;
    b.type_into("#request_supplement-reason", SUPPLEMENT_REASON)
        .await?;
    b.type_into(
        "#request_supplement-documents",
        "Giấy chứng sinh; Bản sao giấy tờ tùy thân",
    )
    .await?;
    act(b, "request_supplement", "Chờ bổ sung").await?;
    b.screenshot("50-chuyen-vien-yeu-cau-bo-sung").await?;
    logout(b).await?;

    // The SMS arrives with the reason and the link to the citizen's page.
    let mut sms = None;
    let since = tokio::time::Instant::now();
    while patient(since) && sms.is_none() {
        sms = motcua_notify::FileSmsGateway::read(sms_log)?
            .into_iter()
            .map(|l| l.text)
            .find(|t| t.contains(&code) && t.contains("bo sung"));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let sms =
        sms.ok_or_else(|| anyhow!("no supplement SMS for {code} in {}", sms_log.display()))?;
    if !sms.contains("Ly do: Thieu giay chung sinh ban chinh.") {
        bail!("the SMS does not give the reason: {sms}");
    }
    let link = sms
        .split_whitespace()
        .find(|w| w.starts_with("http") && w.contains("/ho-so-cua-toi/"))
        .ok_or_else(|| anyhow!("the SMS has no link to the dossier's page: {sms}"))?;
    if !link.starts_with(&app.base) {
        bail!(
            "the SMS link {link} is not under the public address {}",
            app.base
        );
    }

    // The citizen follows the link and logs in with the code sent by SMS.
    b.goto(app, &link[app.base.len()..]).await?;
    b.type_into("#lien_he", SUPPLEMENT_PHONE).await?;
    b.click_to_load("form.stack button").await?;
    let otp = app
        .codes
        .last_code(&contact)
        .ok_or_else(|| anyhow!("no one-time code arrived by SMS"))?;
    b.type_into("#ma", &otp).await?;
    b.click_to_load("form.stack button").await?;
    if !b.url().await?.ends_with(&format!("/ho-so-cua-toi/{code}")) {
        bail!("after the login the citizen is at {}", b.url().await?);
    }
    let reason = b.text("#ly-do-bo-sung").await?;
    if reason != SUPPLEMENT_REASON {
        bail!("the page gives the reason {reason:?}");
    }
    let missing = b.text("#giay-to-thieu").await?;
    if !missing.contains("Giấy chứng sinh") || !missing.contains("Bản sao giấy tờ tùy thân")
    {
        bail!("the missing documents read {missing:?}");
    }
    b.screenshot("51-cong-dan-thay-yeu-cau-bo-sung").await?;
    let axe = axe_source()?;
    let found = b.axe_serious(&axe).await?;
    if !found.is_empty() {
        bail!("the supplement's page: {}", found.join("\n"));
    }
    let form = href_of(b, "#mau-02").await?;
    let (status, kind, pdf) = download(app, b, &form).await?;
    if status != 200 || kind != "application/pdf" || !pdf.starts_with(b"%PDF-") {
        bail!("Mẫu 02 from {form}: {status} {kind}, {} bytes", pdf.len());
    }

    // "Supplement provided" without a new document: the message, in place.
    b.click_to_load("#do-provide_supplement").await?;
    let message = b.text("#loi").await?;
    if !message.contains("Hãy tải lên ít nhất một giấy tờ bổ sung mới") {
        bail!("the refusal reads {message:?}");
    }
    if b.text("#status").await? != "Chờ bổ sung" {
        bail!("the dossier moved without a document");
    }
    b.screenshot("52-bo-sung-chua-co-tai-lieu").await?;
    let found = b.axe_serious(&axe).await?;
    if !found.is_empty() {
        bail!("the refused supplement's page: {}", found.join("\n"));
    }

    // Upload, then provide: back to processing.
    let file = std::env::temp_dir().join(format!("motcua-bo-sung-{}.pdf", std::process::id()));
    std::fs::write(&file, PDF)?;
    choose_file(b, "#tep", &file).await?;
    b.click_to_load("#tai-len").await?;
    b.find("#da-bo-sung")
        .await
        .context("the upload is listed as the supplement")?;
    act(b, "provide_supplement", "Đang xử lý").await?;
    b.screenshot("53-da-bo-sung").await?;
    logout(b).await?;

    // The clerical office attaches the signed result as a PDF.
    drive_to(app, &code, motcua_domain::procedure::StepKind::Clerical).await?;
    let result: Vec<u8> = [PDF, b"% the signed certificate\n".as_slice()].concat();
    let signed = std::env::temp_dir().join(format!("motcua-ket-qua-{}.pdf", std::process::id()));
    std::fs::write(&signed, &result)?;
    as_official(app, b, "vanthu.01279", &official).await?;
    b.type_into("#dk-ten", "Trích lục khai sinh (bản điện tử)")
        .await?;
    choose_file(b, "#dk-tep", &signed).await?;
    b.click_to_load("#dinh-kem-tep").await?;
    if !b.wait_source("Trích lục khai sinh (bản điện tử)").await? {
        bail!("the result is not listed on the official's page");
    }
    b.screenshot("54-van-thu-dinh-kem-ket-qua").await?;
    b.type_into("#issue_result-number", "12/2026/TLKS").await?;
    b.type_into("#issue_result-register", "Sổ đăng ký khai sinh")
        .await?;
    act(b, "issue_result", "Đã có kết quả").await?;
    let found = b.axe_serious(&axe).await?;
    if !found.is_empty() {
        bail!("the result's upload form: {}", found.join("\n"));
    }
    logout(b).await?;

    // The citizen downloads it from their page: the same bytes.
    b.goto(app, &format!("/ho-so-cua-toi/{code}")).await?;
    b.type_into("#lien_he", SUPPLEMENT_PHONE).await?;
    b.click_to_load("form.stack button").await?;
    let otp = app
        .codes
        .last_code(&contact)
        .ok_or_else(|| anyhow!("no second one-time code"))?;
    b.type_into("#ma", &otp).await?;
    b.click_to_load("form.stack button").await?;
    let href = href_of(b, "#ket-qua a").await?;
    b.screenshot("55-cong-dan-tai-ket-qua").await?;
    let (status, kind, bytes) = download(app, b, &href).await?;
    if status != 200 || kind != "application/pdf" || bytes != result {
        bail!(
            "the result from {href}: {status} {kind}, {} bytes (expected {})",
            bytes.len(),
            result.len()
        );
    }
    Ok(())
}

/// The citizen's supplement and online result in Chromium: a specialist
/// asks for a supplement; the citizen follows the SMS link, logs in with
/// the code sent by SMS, reads the reason and the missing documents,
/// downloads Mẫu 02, is refused "supplement provided" without a file,
/// uploads one and provides, and the dossier is processed again; the
/// clerical office attaches the signed PDF, which the citizen downloads
/// from their page, byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_citizen_supplements_and_downloads_the_online_result_in_chromium() -> Result<()> {
    if !browser_available()? {
        return Ok(());
    }
    let _one = ONE_BROWSER.lock().await;
    let app = App::spawn().await?;
    let data = app
        .codes
        .sms_log
        .parent()
        .ok_or_else(|| anyhow!("no data directory"))?
        .to_path_buf();
    let worker = motcua_notify::spawn_worker(
        app.state.store.clone(),
        NotifyConfig {
            poll_secs: 1,
            data_dir: data,
            ..NotifyConfig::default()
        }
        .with_public_url(&app.base, |_| false),
    )?;
    let sms_log = app.codes.sms_log.clone();
    let browser = Browser::start().await?;
    let result = supplement_and_online_result(&app, &browser, &sms_log).await;
    if result.is_err() {
        let _ = browser.screenshot("failure-supplement").await;
    }
    browser.quit().await;
    worker.abort();
    result
}
