//! The HTML pages over plain HTTP (no browser): search folding, language,
//! the login forms' CSRF, an official's scope on dossier pages and
//! actions, and a citizen's one-time-code login and own dossiers.

use std::sync::Arc;

use motcua_domain::access::Contact;
use motcua_domain::dossier::{Actor, Role, UserId};
use motcua_server::auth::{AuthConfig, MemoryCodeSender};
use reqwest::redirect::Policy;
use serde_json::{json, Value};

const PASSWORD: &str = motcua_server::auth::bootstrap::DEFAULT_DEMO_PASSWORD;

struct App {
    base: String,
    state: motcua_server::AppState,
    codes: Arc<MemoryCodeSender>,
    http: reqwest::Client,
    _fixture: motcua_store::fixture::Fixture,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for App {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A response: status, `Set-Cookie` name=value pairs, Location, body.
struct Page {
    status: u16,
    cookies: Vec<(String, String)>,
    location: String,
    body: String,
}

impl Page {
    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// The value of the hidden `csrf_token` field.
    fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        self.body
            .split_once(marker)
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(v, _)| v.to_string())
            .unwrap_or_default()
    }
}

impl App {
    async fn spawn() -> App {
        Self::spawn_on(motcua_store_sqlite::test_fixture()).await
    }

    async fn spawn_on(fixture: motcua_store::fixture::Fixture) -> App {
        let blobs = std::env::temp_dir().join(format!(
            "motcua-pages-blobs-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
        ));
        let codes = Arc::new(MemoryCodeSender::new());
        let state = motcua_server::bootstrap::prepare(fixture.shared(), &blobs)
            .await
            .expect("prepare")
            .with_auth_config(AuthConfig {
                cookie_secure: false,
                ..AuthConfig::default()
            })
            .with_code_sender(codes.clone());
        motcua_server::bootstrap::ensure_demo_accounts(&*state.store)
            .await
            .expect("demo officials");
        motcua_engine::demo::ensure_demo_catalogue(&state.engine)
            .await
            .expect("demo catalogue");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = motcua_server::service(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        App {
            base: format!("http://{addr}"),
            state,
            codes,
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            _fixture: fixture,
            server,
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Page {
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let cookies = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = res.text().await.unwrap_or_default();
        Page {
            status,
            cookies,
            location,
            body,
        }
    }

    async fn get(&self, path: &str, cookie: &str) -> Page {
        self.send(
            self.http
                .get(format!("{}{path}", self.base))
                .header("cookie", cookie),
        )
        .await
    }

    async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Page {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("cookie", cookie)
                .form(form),
        )
        .await
    }

    async fn submit(&self, unit: &str, user: &str) -> String {
        let submission = serde_json::from_value(json!({
            "procedure": "1.001193",
            "intake": "online",
            "receiving_unit": unit,
            "applicant": {"name": "Hoàng Văn Bình", "personal_id": "004190000777", "user": user},
            "documents": [{"name_vi": "Tờ khai", "form": "original", "count": 1}]
        }))
        .expect("a submission");
        let actor = Actor::new(
            Role::Applicant,
            UserId::parse(user).expect("a user id"),
            None,
        );
        self.state
            .engine
            .submit(submission, actor, chrono::Utc::now(), None)
            .await
            .expect("submitted")
            .code
            .to_string()
    }

    /// Logs an official in through the form; returns the session cookie.
    async fn official_login(&self, username: &str) -> String {
        let form = self.get("/can-bo/dang-nhap", "").await;
        let token = form.csrf();
        let cookie = format!(
            "motcua_form={}",
            form.cookie("motcua_form").expect("a form cookie")
        );
        let res = self
            .post(
                "/can-bo/dang-nhap",
                &cookie,
                &[
                    ("csrf_token", &token),
                    ("username", username),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location, "/can-bo");
        format!(
            "motcua_session={}",
            res.cookie("motcua_session").expect("a session cookie")
        )
    }
}

#[tokio::test]
async fn procedure_search_folds_diacritics_filters_by_field_and_speaks_english() {
    let app = App::spawn().await;
    for q in [
        "dang+ky+khai+sinh",
        "%C4%91%C4%83ng+k%C3%BD+khai+sinh",
        "1.001193",
    ] {
        let page = app.get(&format!("/thu-tuc?q={q}"), "").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Thủ tục đăng ký khai sinh"), "{q}");
        assert!(
            !page.body.contains("Đăng ký thành lập hộ kinh doanh"),
            "{q}"
        );
    }
    let field = app
        .get("/thu-tuc?linh_vuc=H%E1%BB%99+t%E1%BB%8Bch", "")
        .await;
    assert!(field.body.contains("Thủ tục đăng ký kết hôn"));
    assert!(!field.body.contains("Đăng ký thành lập hộ kinh doanh"));

    let en = app.get("/thu-tuc?lang=en", "").await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(en.body.contains("Find an administrative procedure"));
    let remembered = app.get("/thu-tuc", "lang=en").await;
    assert!(remembered.body.contains("Find an administrative procedure"));
    let switch = app.get("/ngon-ngu/en?next=/thu-tuc/1.001193", "").await;
    assert_eq!(switch.status, 303);
    assert_eq!(switch.location, "/thu-tuc/1.001193");
    assert_eq!(switch.cookie("lang"), Some("en"));
    let away = app.get("/ngon-ngu/en?next=//evil.example", "").await;
    assert_eq!(away.location, "/", "only local paths");

    let missing = app.get("/thu-tuc/9.999999", "").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Không có thủ tục") && missing.body.contains("No procedure"));
    let bad = app.get("/thu-tuc/%3Cscript%3E", "").await;
    assert_eq!(bad.status, 404);
    assert!(!bad.body.contains("<script>"), "user input is escaped");
}

#[tokio::test]
async fn officials_act_only_within_their_unit_and_with_the_csrf_token() {
    let app = App::spawn().await;
    let ours = app.submit("04.01279", "citizen.001").await;
    let theirs = app.submit("04.01273", "citizen.002").await;

    let no_token = app
        .post(
            "/can-bo/dang-nhap",
            "",
            &[("username", "tiepnhan.01279"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(no_token.status, 403, "a login form without its token");

    let wrong = app.get("/can-bo/dang-nhap", "").await;
    let cookie = format!("motcua_form={}", wrong.cookie("motcua_form").unwrap_or(""));
    let token = wrong.csrf();
    let res = app
        .post(
            "/can-bo/dang-nhap",
            &cookie,
            &[
                ("csrf_token", &token),
                ("username", "tiepnhan.01279"),
                ("password", "not-the-password"),
            ],
        )
        .await;
    assert_eq!(res.status, 401);
    assert!(res.body.contains("role=\"alert\""));

    assert_eq!(
        app.get("/can-bo", "").await.location,
        "/can-bo/dang-nhap?next=/can-bo"
    );
    let session = app.official_login("tiepnhan.01279").await;
    let queue = app.get("/can-bo", &session).await;
    assert!(queue.body.contains(&ours));
    assert!(!queue.body.contains(&theirs));

    assert!(queue.body.contains(&format!(
        "/can-bo/ho-so/{ours}?vai_tro=receiving_officer&amp;don_vi=04.01279"
    )));
    let not_mine = app
        .get("/can-bo?vai_tro=leader&don_vi=04.01279", &session)
        .await;
    assert_eq!(not_mine.status, 403, "a role the official does not hold");

    let other = app.get(&format!("/can-bo/ho-so/{theirs}"), &session).await;
    assert_eq!(other.status, 404, "another commune's dossier is hidden");
    let page = app.get(&format!("/can-bo/ho-so/{ours}"), &session).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("do-accept"));
    let csrf = page.csrf();

    let forged = app
        .post(
            &format!("/can-bo/ho-so/{ours}"),
            &session,
            &[("action", "accept")],
        )
        .await;
    assert_eq!(forged.status, 403, "an action without the CSRF token");
    let across = app
        .post(
            &format!("/can-bo/ho-so/{theirs}"),
            &session,
            &[("csrf_token", &csrf), ("action", "accept")],
        )
        .await;
    assert_eq!(across.status, 404, "no action on another commune's dossier");
    let nonsense = app
        .post(
            &format!("/can-bo/ho-so/{ours}"),
            &session,
            &[("csrf_token", &csrf), ("action", "launch_rocket")],
        )
        .await;
    assert_eq!(nonsense.status, 400);

    let accepted = app
        .post(
            &format!("/can-bo/ho-so/{ours}"),
            &session,
            &[("csrf_token", &csrf), ("action", "accept")],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let page = app.get(&format!("/can-bo/ho-so/{ours}"), &session).await;
    assert!(page.body.contains("Đã tiếp nhận"));
    assert!(page
        .body
        .contains(&format!("/api/v1/dossiers/{ours}/forms/01")));

    let again = app
        .post(
            &format!("/can-bo/ho-so/{ours}"),
            &session,
            &[("csrf_token", &csrf), ("action", "accept")],
        )
        .await;
    assert!(again.status >= 400, "accepting twice is refused");
    assert!(again.body.contains("lang=\"en\""), "bilingual error page");
}

#[tokio::test]
async fn a_citizen_logs_in_with_a_code_and_sees_only_their_own_dossiers() {
    let app = App::spawn().await;
    assert_eq!(app.get("/ho-so-cua-toi", "").await.location, "/dang-nhap");

    let form = app.get("/dang-nhap", "").await;
    let form_cookie = format!("motcua_form={}", form.cookie("motcua_form").unwrap_or(""));
    let token = form.csrf();
    let bad = app
        .post(
            "/dang-nhap",
            &form_cookie,
            &[("csrf_token", &token), ("lien_he", "12345")],
        )
        .await;
    assert_eq!(bad.status, 400);
    let sent = app
        .post(
            "/dang-nhap",
            &form_cookie,
            &[("csrf_token", &token), ("lien_he", "0987 654 321")],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("autocomplete=\"one-time-code\""));
    let code = app
        .codes
        .last_code(&Contact::phone("0987654321").expect("a phone"))
        .expect("a code was sent");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = app
        .post(
            "/dang-nhap",
            &form_cookie,
            &[
                ("csrf_token", &token),
                ("lien_he", "0987654321"),
                ("ma", wrong),
            ],
        )
        .await;
    assert_eq!(refused.status, 401);
    let ok = app
        .post(
            "/dang-nhap",
            &form_cookie,
            &[
                ("csrf_token", &token),
                ("lien_he", "0987654321"),
                ("ma", &code),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.location, "/ho-so-cua-toi");
    let session = format!(
        "motcua_session={}",
        ok.cookie("motcua_session").expect("a session")
    );

    let me: Value = app
        .http
        .get(format!("{}/api/v1/auth/me", app.base))
        .header("cookie", &session)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    let user = me["user"].as_str().expect("a user id").to_string();
    let mine = app.submit("04.01279", &user).await;
    let someone_elses = app.submit("04.01279", "citizen.999").await;

    let list = app.get("/ho-so-cua-toi", &session).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&mine));
    assert!(!list.body.contains(&someone_elses));

    let own = app.get(&format!("/tra-cuu/{mine}"), &session).await;
    assert!(
        own.body.contains("Hoàng Văn Bình"),
        "the applicant sees the name"
    );
    let public = app.get(&format!("/tra-cuu/{mine}"), "").await;
    assert!(public.body.contains("Mới đăng ký"));
    assert!(
        !public.body.contains("Hoàng Văn Bình"),
        "the public does not"
    );
    let other = app
        .get(&format!("/tra-cuu/{someone_elses}"), &session)
        .await;
    assert!(!other.body.contains("Hoàng Văn Bình"));

    let redirect = app.get(&format!("/tra-cuu?ma={mine}"), "").await;
    assert_eq!(redirect.location, format!("/tra-cuu/{mine}"));
    let nonsense = app.get("/tra-cuu?ma=abc", "").await;
    assert_eq!(nonsense.status, 400);

    let logout_page = app.get("/ho-so-cua-toi", &session).await;
    let out = app
        .post(
            "/dang-xuat",
            &session,
            &[("csrf_token", &logout_page.csrf())],
        )
        .await;
    assert_eq!(out.status, 303);
    assert_eq!(
        app.get("/ho-so-cua-toi", &session).await.location,
        "/dang-nhap"
    );
}

impl App {
    /// Logs a citizen in with a one-time code; returns the session cookie
    /// and the account's user id.
    async fn citizen_login(&self, phone: &str) -> (String, String) {
        let form = self.get("/dang-nhap", "").await;
        let form_cookie = format!("motcua_form={}", form.cookie("motcua_form").unwrap_or(""));
        let token = form.csrf();
        let sent = self
            .post(
                "/dang-nhap",
                &form_cookie,
                &[("csrf_token", &token), ("lien_he", phone)],
            )
            .await;
        assert_eq!(sent.status, 200, "{}", sent.body);
        let code = self
            .codes
            .last_code(&Contact::phone(phone).expect("a phone"))
            .expect("a code was sent");
        let ok = self
            .post(
                "/dang-nhap",
                &form_cookie,
                &[("csrf_token", &token), ("lien_he", phone), ("ma", &code)],
            )
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        let session = format!(
            "motcua_session={}",
            ok.cookie("motcua_session").expect("a session")
        );
        let me: Value = self
            .http
            .get(format!("{}/api/v1/auth/me", self.base))
            .header("cookie", &session)
            .send()
            .await
            .expect("me")
            .json()
            .await
            .expect("json");
        (session, me["user"].as_str().expect("a user").to_string())
    }

    /// Posts one file as `multipart/form-data`.
    async fn upload(&self, path: &str, cookie: &str, csrf: &str, file: &[u8]) -> Page {
        let boundary = "motcuaTestBoundary42";
        let mut body = Vec::new();
        for (k, v) in [("csrf_token", csrf), ("ten", "Tờ khai"), ("idem", "u1")] {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"to-khai.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("cookie", cookie)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body),
        )
        .await
    }
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

#[tokio::test]
async fn a_citizen_submits_online_uploads_pays_and_withdraws() {
    let app = App::spawn().await;
    let proc_page = app.get("/thu-tuc/1.001193", "").await;
    assert!(proc_page.body.contains("/thu-tuc/1.001193/nop"));
    let anon = app.get("/thu-tuc/1.001193/nop", "").await;
    assert_eq!(anon.status, 303);
    assert!(anon.location.starts_with("/dang-nhap"));

    let (session, user) = app.citizen_login("0912345678").await;
    let form = app.get("/thu-tuc/1.001193/nop", &session).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("912345678\""), "phone pre-filled");
    assert!(form.body.contains("04.01279"));
    // The receiving Center is chosen on purpose: none is preselected, and
    // a form sent without one says so.
    assert!(
        form.body
            .contains("<option value=\"\" selected>— Chọn nơi nộp hồ sơ —</option>"),
        "{}",
        form.body
    );
    assert!(!form.body.contains("value=\"04.01279\" selected"));
    let unchosen = app
        .post(
            "/thu-tuc/1.001193/nop",
            &session,
            &[
                ("csrf_token", form.csrf().as_str()),
                ("ho_ten", "Trần Thị Mai"),
                ("don_vi", ""),
                ("dien_thoai", "0912345678"),
                ("idem", "k-000"),
            ],
        )
        .await;
    assert_eq!(unchosen.status, 400, "{}", unchosen.body);
    assert!(
        unchosen.body.contains("Hãy chọn nơi tiếp nhận."),
        "{}",
        unchosen.body
    );
    assert!(
        unchosen.body.contains("value=\"Trần Thị Mai\""),
        "what was typed is kept"
    );
    let csrf = form.csrf();
    let fields = [
        ("ho_ten", "Trần Thị Mai"),
        ("so_dinh_danh", "004190000123"),
        ("don_vi", "04.01279"),
        ("dien_thoai", "0912345678"),
        ("idem", "k-123"),
        ("tk.child_name", "Trần Minh An"),
        ("tk.child_birth_date", "01/10/2026"),
        ("tk.child_sex", "nam"),
        ("tk.child_birth_place", "Bệnh viện Đa khoa tỉnh Cao Bằng"),
        ("tk.mother_name", "Trần Thị Mai"),
        ("tk.applicant_relation", "me"),
        ("tk.applicant_address.street", "Tổ 5"),
        ("tk.applicant_address.commune", "01279"),
    ];
    let forged = app.post("/thu-tuc/1.001193/nop", &session, &fields).await;
    assert_eq!(forged.status, 403, "no CSRF token");
    let mut with_token = fields.to_vec();
    with_token.push(("csrf_token", &csrf));
    let bad_id = {
        let mut f = with_token.clone();
        f[1] = ("so_dinh_danh", "123");
        app.post("/thu-tuc/1.001193/nop", &session, &f).await
    };
    assert_eq!(bad_id.status, 400);
    assert!(bad_id.body.contains("12 chữ số"));
    let first = app
        .post("/thu-tuc/1.001193/nop", &session, &with_token)
        .await;
    assert_eq!(first.status, 303, "{}", first.body);
    let again = app
        .post("/thu-tuc/1.001193/nop", &session, &with_token)
        .await;
    assert_eq!(again.location, first.location, "a retry opens one dossier");
    let code = first
        .location
        .strip_prefix("/ho-so-cua-toi/")
        .expect("the dossier page")
        .to_string();

    let page = app.get(&first.location, &session).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Trần Thị Mai"));
    assert!(page.body.contains("tai-lieu"));
    let list = app.get("/ho-so-cua-toi", &session).await;
    assert!(list.body.contains(&format!("/ho-so-cua-toi/{code}")));

    let up_path = format!("/ho-so-cua-toi/{code}/tai-lieu");
    let no_token = app.upload(&up_path, &session, "", PDF).await;
    assert_eq!(no_token.status, 403, "an upload without the CSRF token");
    let not_pdf = app
        .upload(&up_path, &session, &csrf, b"just some text, not a document")
        .await;
    assert_eq!(not_pdf.status, 415);
    assert!(not_pdf.body.contains("lang=\"en\""), "{}", not_pdf.body);
    let ok = app.upload(&up_path, &session, &csrf, PDF).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let page = app.get(&first.location, &session).await;
    assert!(page.body.contains("application/pdf"));

    let (other, _) = app.citizen_login("0987000111").await;
    assert_eq!(app.get(&first.location, &other).await.status, 404);
    let other_csrf = app.get("/ho-so-cua-toi", &other).await.csrf();
    let across = app
        .post(
            &first.location,
            &other,
            &[("csrf_token", &other_csrf), ("action", "withdraw")],
        )
        .await;
    assert_eq!(across.status, 404, "no action on someone else's dossier");

    // The Center accepts it and asks for the fee; the citizen pays.
    let dcode = motcua_domain::dossier::DossierCode::parse(&code).expect("a code");
    let officer = Actor::new(
        Role::ReceivingOfficer,
        UserId::parse("tiepnhan.01279").expect("a user"),
        Some(motcua_domain::dossier::UnitId::parse("04.01279").expect("a unit")),
    );
    let engine = &app.state.engine;
    engine
        .act(
            &dcode,
            None,
            motcua_engine::Action::Accept { pages_digitized: 0 },
            officer.clone(),
            chrono::Utc::now(),
            None,
        )
        .await
        .expect("accepted");
    engine
        .act(
            &dcode,
            None,
            motcua_engine::Action::RequestPayment {
                amount_vnd: 8000,
                description: "Lệ phí".into(),
            },
            officer,
            chrono::Utc::now(),
            None,
        )
        .await
        .expect("payment requested");
    let page = app.get(&first.location, &session).await;
    assert!(page.body.contains("8.000 đ"), "{}", page.body);
    let pay = app
        .get(&format!("{}/thanh-toan", first.location), &session)
        .await;
    assert_eq!(pay.status, 200);
    let paid = app
        .post(
            &format!("{}/thanh-toan", first.location),
            &session,
            &[("csrf_token", &csrf), ("idem", "p1")],
        )
        .await;
    assert_eq!(paid.status, 303, "{}", paid.body);
    let d = app
        .state
        .store
        .dossier(&dcode)
        .await
        .expect("read")
        .and_then(|s| s.dossier)
        .expect("a dossier");
    assert_eq!(d.paid_vnd, 8000);
    assert_eq!(
        d.applicant.user.as_ref().map(ToString::to_string),
        Some(user.clone()),
        "the account is the applicant"
    );

    let gone = app
        .post(
            &first.location,
            &session,
            &[
                ("csrf_token", &csrf),
                ("action", "withdraw"),
                ("ly_do", "Nộp nhầm"),
            ],
        )
        .await;
    assert_eq!(gone.status, 303, "{}", gone.body);
    let page = app.get(&first.location, &session).await;
    assert!(page.body.contains("Rút hồ sơ") || page.body.contains("rút"));
    assert!(!page.body.contains("do-withdraw"));
}

// ---- Đặt lịch hẹn and the waiting-room board -------------------------

const CENTER: &str = "04.01279";
const BIRTH: &str = "1.001193";

/// The value of a hidden field of a form.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    body.split_once(marker.as_str())
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_string())
        .unwrap_or_default()
}

/// The value of `name` in the query of a URL.
fn hidden_query(url: &str, name: &str) -> String {
    url.split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap_or_default()
        .to_string()
}

/// The first bookable slot on the page and its free places.
fn first_slot(body: &str) -> (String, u32) {
    let start = hidden(body, "khung_gio");
    (start.clone(), free_of(body, &start))
}

fn free_of(body: &str, start: &str) -> u32 {
    let marker = format!("data-start=\"{start}\">");
    body.split_once(marker.as_str())
        .and_then(|(_, rest)| rest.split_once('<'))
        .and_then(|(n, _)| n.trim().parse().ok())
        .expect("the slot's free places")
}

/// A mobile number per name (one number books at most 2 a day):
/// `0912 345 678` for Nguyễn Thị Lan.
fn phone_of(name: &str) -> String {
    if name == "Nguyễn Thị Lan" {
        return "0912 345 678".to_string();
    }
    let n = name
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 100_000_000;
    format!("09{n:08}")
}

impl App {
    /// The booking page of an open day at least two days ahead.
    async fn booking_day(&self) -> (String, Page) {
        let today = motcua_domain::dossier::vietnam_date(chrono::Utc::now());
        for ahead in 2..20 {
            let day = today + chrono::Duration::days(ahead);
            let page = self
                .get(
                    &format!("/dat-lich?thu_tuc={BIRTH}&trung_tam={CENTER}&ngay={day}"),
                    "",
                )
                .await;
            assert_eq!(page.status, 200, "{}", page.body);
            if page.body.contains("name=\"khung_gio\"") {
                return (day.to_string(), page);
            }
        }
        panic!("no open day in the next weeks");
    }

    /// Books `start` through the form of `page`; returns the response.
    async fn book_page(&self, page: &Page, day: &str, start: &str, name: &str, q: &str) -> Page {
        let cookie = format!(
            "motcua_form={}",
            page.cookie("motcua_form").expect("a form cookie")
        );
        let key = hidden(&page.body, "idempotency_key");
        assert!(!key.is_empty(), "an idempotency key in the form");
        self.post(
            &format!("/dat-lich{q}"),
            &cookie,
            &[
                ("csrf_token", &page.csrf()),
                ("idempotency_key", &key),
                ("thu_tuc", BIRTH),
                ("trung_tam", CENTER),
                ("ngay", day),
                ("khung_gio", start),
                ("ho_ten", name),
                ("dien_thoai", &phone_of(name)),
                ("email", ""),
            ],
        )
        .await
    }
}

#[tokio::test]
async fn a_citizen_books_sees_one_fewer_seat_and_cancels_through_the_pages() {
    let app = App::spawn().await;
    let (day, page) = app.booking_day().await;
    assert!(page.body.contains("Đặt lịch hẹn"), "{}", page.body);
    let (start, free) = first_slot(&page.body);
    assert!(free >= 1);

    // Without the form token: refused.
    let res = app
        .post(
            "/dat-lich",
            "",
            &[
                ("thu_tuc", BIRTH),
                ("trung_tam", CENTER),
                ("khung_gio", &start),
            ],
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.body);

    let res = app
        .book_page(&page, &day, &start, "Nguyễn Thị Lan", "")
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(
        res.location.starts_with("/dat-lich/LH-"),
        "{}",
        res.location
    );
    let code = res
        .location
        .trim_start_matches("/dat-lich/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();

    // The same form submitted twice (same idempotency key): one booking.
    let again = app
        .book_page(&page, &day, &start, "Nguyễn Thị Lan", "")
        .await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert!(again.location.contains(&code), "{}", again.location);
    let token = hidden_query(&res.location, "t");
    assert_eq!(token.len(), 32, "the holder's token: {}", res.location);
    assert_eq!(
        hidden_query(&again.location, "t"),
        token,
        "the replay finds the same token"
    );
    let stranger = app.get(&format!("/dat-lich/{code}"), "").await;
    assert_eq!(
        stranger.status, 404,
        "without the token the booking is not found: {}",
        stranger.body
    );

    let confirmation = app.get(&res.location, "").await;
    assert_eq!(confirmation.status, 200, "{}", confirmation.body);
    assert!(confirmation.body.contains(&code));
    assert!(confirmation.body.contains("Đã đặt lịch"));
    assert!(
        !confirmation.body.contains("0912345678"),
        "the phone is masked"
    );

    let (_, after) = app.booking_day().await;
    assert_eq!(
        free_of(&after.body, &start),
        free - 1,
        "one fewer free seat"
    );

    // Cancel from the booking's page: not without the token.
    let view = app.get(&format!("/dat-lich/{code}?t={token}"), "").await;
    let cookie = format!(
        "motcua_form={}",
        view.cookie("motcua_form").expect("a form cookie")
    );
    let refused = app
        .post(
            &format!("/dat-lich/{code}/huy"),
            &cookie,
            &[("csrf_token", &view.csrf())],
        )
        .await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    let action = format!("/dat-lich/{code}/huy?t={token}");
    assert!(
        view.body.contains(&format!("action=\"{action}\"")),
        "{}",
        view.body
    );
    let res = app
        .post(&action, &cookie, &[("csrf_token", &view.csrf())])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let view = app
        .get(&format!("/dat-lich/{code}?t={token}&lang=en"), "")
        .await;
    assert!(view.body.contains("Cancelled"), "{}", view.body);
    let (_, after) = app.booking_day().await;
    assert_eq!(free_of(&after.body, &start), free, "the seat is free again");
}

#[tokio::test]
async fn a_full_slot_is_refused_in_both_languages() {
    let app = App::spawn().await;
    let (day, page) = app.booking_day().await;
    let (start, free) = first_slot(&page.body);
    for i in 0..free {
        let (_, page) = app.booking_day().await;
        let res = app
            .book_page(&page, &day, &start, &format!("Người thứ {i}"), "")
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    let (_, page) = app.booking_day().await;
    assert_eq!(free_of(&page.body, &start), 0);
    let res = app
        .book_page(&page, &day, &start, "Trần Văn Muộn", "")
        .await;
    assert_eq!(res.status, 409, "{}", res.body);
    assert!(
        res.body.contains("Khung giờ này đã hết chỗ"),
        "{}",
        res.body
    );
    let res = app
        .book_page(&page, &day, &start, "Trần Văn Muộn", "?lang=en")
        .await;
    assert_eq!(res.status, 409, "{}", res.body);
    assert!(
        res.body.contains("This slot is fully booked"),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn the_waiting_room_board_shows_numbers_and_no_names() {
    use motcua_store::NewTicket;
    let app = App::spawn().await;
    let (day, page) = app.booking_day().await;
    let (start, _) = first_slot(&page.body);
    let res = app
        .book_page(&page, &day, &start, "Phạm Thị Bí Mật", "")
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    let unit = motcua_domain::dossier::UnitId::parse(CENTER).expect("a unit");
    let now = chrono::Utc::now();
    let today = motcua_domain::dossier::vietnam_date(now);
    for _ in 0..3 {
        app.state
            .store
            .issue_ticket(&unit, today, &NewTicket::WalkIn { procedure: None }, now)
            .await
            .expect("a ticket");
    }
    let called = app
        .state
        .store
        .call_next(&unit, today, 2, now)
        .await
        .expect("call")
        .expect("a ticket called");

    let board = app.get(&format!("/bang-cho/{CENTER}"), "").await;
    assert_eq!(board.status, 200, "{}", board.body);
    assert!(board
        .body
        .contains("<meta http-equiv=\"refresh\" content=\"10\">"));
    assert!(board.body.contains("Đang phục vụ"));
    assert!(board.body.contains("Quầy 2"));
    assert!(board
        .body
        .contains(&format!("<td class=\"num\">{}</td>", called.number)));
    assert!(board.body.contains("<li>2</li>") && board.body.contains("<li>3</li>"));
    assert!(!board.body.contains("Bí Mật") && !board.body.contains("0912"));
    assert!(!board.body.contains("<script"));
    let en = app.get(&format!("/bang-cho/{CENTER}?lang=en"), "").await;
    assert!(en.body.contains("Now serving"));
    let missing = app.get("/bang-cho/04.99999", "").await;
    assert_eq!(missing.status, 404);
}

// The official's workspace: login back to the page asked for, the
// inspector's read-only list, bulk assignment, the leader's approval
// queue and the counter's intake checklist; on SQLite and, when
// MOTCUA_TEST_DATABASE_URL is set, on PostgreSQL.

const PERMIT: &str = "1.013225";

impl App {
    /// Logs an official in through the form, posting `next`; returns the
    /// response (a redirect) of the post.
    async fn official_login_next(&self, username: &str, next: &str) -> Page {
        let form = self.get("/can-bo/dang-nhap", "").await;
        let cookie = format!(
            "motcua_form={}",
            form.cookie("motcua_form").expect("a form cookie")
        );
        self.post(
            "/can-bo/dang-nhap",
            &cookie,
            &[
                ("csrf_token", &form.csrf()),
                ("username", username),
                ("password", PASSWORD),
                ("next", next),
            ],
        )
        .await
    }

    /// A building permit (assignment step after the hand-over) received
    /// online at `unit`, accepted and handed over by its Center.
    /// The dossier `code` as stored (read back after a page's action).
    async fn stored_dossier(&self, code: &str) -> motcua_domain::dossier::Dossier {
        let code = motcua_domain::dossier::DossierCode::parse(code).expect("a code");
        self.state
            .store
            .dossier(&code)
            .await
            .expect("read")
            .and_then(|s| s.dossier)
            .expect("a dossier")
    }

    async fn permit_at_assignment(&self, unit: &str) -> String {
        self.handed_over(PERMIT, unit).await
    }

    /// An online dossier of `procedure` at `unit`, accepted and handed
    /// over to its competent unit.
    async fn handed_over(&self, procedure: &str, unit: &str) -> String {
        let submission = serde_json::from_value(json!({
            "procedure": procedure,
            "intake": "online",
            "receiving_unit": unit,
            "applicant": {"name": "Lương Văn Cường", "user": "citizen.009"},
            "documents": [{"name_vi": "Đơn đề nghị", "form": "original", "count": 1}]
        }))
        .expect("a submission");
        let engine = &self.state.engine;
        let now = chrono::Utc::now();
        let applicant = Actor::new(
            Role::Applicant,
            UserId::parse("citizen.009").expect("id"),
            None,
        );
        let code = engine
            .submit(submission, applicant, now, None)
            .await
            .expect("submitted")
            .code;
        let suffix = unit.rsplit('.').next().unwrap_or(unit);
        let receiver = Actor::new(
            Role::ReceivingOfficer,
            UserId::parse(&format!("canbo.tiepnhan.{suffix}")).expect("id"),
            Some(motcua_domain::dossier::UnitId::parse(unit).expect("unit")),
        );
        engine
            .act(
                &code,
                None,
                motcua_engine::Action::Accept { pages_digitized: 1 },
                receiver.clone(),
                now,
                None,
            )
            .await
            .expect("accepted");
        let state = self.state.store.dossier(&code).await.expect("read");
        let d = state.and_then(|s| s.dossier).expect("a dossier");
        let to = d
            .procedure
            .workflow
            .get(d.step + 1)
            .expect("next")
            .agency
            .clone();
        engine
            .act(
                &code,
                None,
                motcua_engine::Action::Transfer { to },
                receiver,
                now,
                None,
            )
            .await
            .expect("handed over");
        code.to_string()
    }

    /// Posts a `multipart/form-data` form: text fields and files.
    async fn multipart(
        &self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Page {
        let boundary = "motcuaIntakeBoundary7";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (k, name, data) in files {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("cookie", cookie)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body),
        )
        .await
    }
}

fn session_of(res: &Page) -> String {
    format!(
        "motcua_session={}",
        res.cookie("motcua_session").expect("a session cookie")
    )
}

#[tokio::test]
async fn the_login_comes_back_to_the_page_asked_for_and_never_leaves_the_site() {
    let app = App::spawn().await;
    let ours = app.submit("04.01279", "citizen.001").await;
    let asked = app.get(&format!("/can-bo/ho-so/{ours}"), "").await;
    assert_eq!(asked.status, 303);
    assert_eq!(
        asked.location,
        format!("/can-bo/dang-nhap?next=/can-bo/ho-so/{ours}")
    );
    let form = app.get(&asked.location, "").await;
    assert_eq!(hidden(&form.body, "next"), format!("/can-bo/ho-so/{ours}"));
    let evil = app
        .get("/can-bo/dang-nhap?next=https://evil.example/", "")
        .await;
    assert!(!evil.body.contains("name=\"next\""));
    let res = app
        .official_login_next("tiepnhan.01279", &format!("/can-bo/ho-so/{ours}"))
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location, format!("/can-bo/ho-so/{ours}"));
    for evil in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let res = app.official_login_next("tiepnhan.01279", evil).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location, "/can-bo", "{evil} is not followed");
    }
    let citizen = app.get(&format!("/ho-so-cua-toi/{ours}"), "").await;
    assert_eq!(
        citizen.location,
        format!("/dang-nhap?next=/ho-so-cua-toi/{ours}")
    );
    let form = app.get(&citizen.location, "").await;
    assert_eq!(hidden(&form.body, "next"), format!("/ho-so-cua-toi/{ours}"));
}

#[tokio::test]
async fn the_portal_links_to_booking_and_lists_the_centers_of_any_province() {
    let app = App::spawn().await;
    let home = app.get("/thu-tuc", "").await;
    assert!(home.body.contains("href=\"/dat-lich\""));
    let page = app.get("/thu-tuc/1.001193", "").await;
    assert!(page.body.contains("href=\"/dat-lich?thu_tuc=1.001193\""));
    assert!(page.body.contains("class=\"button"));
    let css = app.get("/static/site.css", "").await;
    assert!(css.body.contains(".button{"));
    let booking = app.get("/dat-lich", "").await;
    assert!(
        booking.body.contains("value=\"04.01279\""),
        "Cao Bằng by default"
    );
    let hanoi = app.get("/dat-lich?tinh=01", "").await;
    assert_eq!(hanoi.status, 200);
    assert!(hanoi.body.contains("value=\"01."), "Hà Nội's Centers");
    assert!(!hanoi.body.contains("value=\"04.01279\""));
    let chosen = app.get("/dat-lich?trung_tam=04.01279", "").await;
    assert!(chosen.body.contains("value=\"04.01279\" selected"));
}

async fn workspace_paths(app: &App) {
    let ours = app.permit_at_assignment("04.01279").await;
    let second = app.permit_at_assignment("04.01279").await;
    let theirs = app.permit_at_assignment("04.01273").await;

    // The inspector reads and never acts.
    let res = app.official_login_next("thanhtra.01279", "/can-bo").await;
    let inspector = session_of(&res);
    let list = app.get("/can-bo", &inspector).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("id=\"read-only\""));
    assert!(list.body.contains(&ours) && !list.body.contains(&theirs));
    let page = app.get(&format!("/can-bo/ho-so/{ours}"), &inspector).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("id=\"do-"),
        "no action for an inspector"
    );
    let tried = app
        .post(
            &format!("/can-bo/ho-so/{ours}"),
            &inspector,
            &[("csrf_token", &page.csrf()), ("action", "assign")],
        )
        .await;
    assert_eq!(tried.status, 403);

    // The department head assigns two at once; another unit's is refused
    // on its own line.
    let res = app
        .official_login_next("truongphong.diachinh.01279", "/can-bo")
        .await;
    let head = session_of(&res);
    let queue = app.get("/can-bo", &head).await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    for code in [&ours, &second] {
        assert!(
            queue
                .body
                .contains(&format!("name=\"ma\" value=\"{code}\"")),
            "{code} can be chosen"
        );
    }
    // The specialist is picked from the unit's specialists, never typed:
    // the leader is not among them.
    let picker = queue
        .body
        .split("<select id=\"can_bo\" name=\"can_bo\" required>")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .unwrap_or_else(|| panic!("the assignee picker: {}", queue.body));
    assert!(
        picker.contains("<option value=\"chuyenvien.diachinh.01279\">"),
        "{picker}"
    );
    assert!(!picker.contains("chutich.01279"), "{picker}");
    let page = app.get(&format!("/can-bo/ho-so/{ours}"), &head).await;
    assert!(
        page.body
            .contains("<select id=\"assign-assignee\" name=\"assignee\">")
            && page
                .body
                .contains("<option value=\"chuyenvien.diachinh.01279\">"),
        "the dossier page's picker: {}",
        page.body
    );
    let csrf = queue.csrf();
    let base = [
        ("csrf_token", csrf.as_str()),
        ("vai_tro", "department_head"),
        ("don_vi", "04.01279"),
    ];
    let mut form = base.to_vec();
    form.extend([("ma", ours.as_str()), ("can_bo", "chutich.01279")]);
    let wrong = app.post("/can-bo/phan-cong", &head, &form).await;
    assert_eq!(wrong.status, 400, "only a specialist of the unit");
    let mut form = base.to_vec();
    form.extend([
        ("ma", ours.as_str()),
        ("ma", second.as_str()),
        ("ma", theirs.as_str()),
        ("can_bo", "chuyenvien.diachinh.01279"),
    ]);
    let done = app.post("/can-bo/phan-cong", &head, &form).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("2/3"), "{}", done.body);
    for code in [&ours, &second] {
        let d = app
            .state
            .store
            .dossier(&motcua_domain::dossier::DossierCode::parse(code).expect("code"))
            .await
            .expect("read")
            .and_then(|s| s.dossier)
            .expect("dossier");
        assert_eq!(
            d.assignee.map(|a| a.to_string()).as_deref(),
            Some("chuyenvien.diachinh.01279")
        );
    }
    let not_head = app
        .official_login_next("chuyenvien.diachinh.01279", "/can-bo")
        .await;
    let specialist = session_of(&not_head);
    let own = app.get("/can-bo", &specialist).await.csrf();
    let mut form = vec![("csrf_token", own.as_str())];
    form.extend([
        ("ma", ours.as_str()),
        ("can_bo", "chuyenvien.diachinh.01279"),
    ]);
    let refused = app.post("/can-bo/phan-cong", &specialist, &form).await;
    assert_eq!(refused.status, 403, "a specialist assigns nothing");

    // The leader's approval queue is the leader's queue at approval steps.
    let res = app.official_login_next("chutich.01279", "/can-bo").await;
    let leader = session_of(&res);
    let approvals = app.get("/can-bo?buoc=approve", &leader).await;
    assert_eq!(approvals.status, 200);
    assert!(approvals.body.contains("Hồ sơ chờ phê duyệt, ký"));
    assert!(!approvals.body.contains(&ours), "not yet at approval");

    // The leader's late notice (Mẫu 04) takes a date and an hour; the hour
    // starts at the close of the working day, 17:00.
    let late_day = (chrono::Utc::now() + chrono::TimeDelta::days(90))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    for (code, typed, expected_utc) in [(&ours, "", "10:00"), (&second, "15:30", "08:30")] {
        let page = app.get(&format!("/can-bo/ho-so/{code}"), &leader).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body
                .contains("name=\"new_appointment_time\" type=\"time\" value=\"17:00\""),
            "the hour defaults to 17:00: {}",
            page.body
        );
        let form = [
            ("csrf_token", page.csrf()),
            ("version", hidden(&page.body, "version")),
            ("vai_tro", hidden(&page.body, "vai_tro")),
            ("don_vi", hidden(&page.body, "don_vi")),
            ("action", "notify_late".to_string()),
            ("reason", "Cần xác minh thực địa".to_string()),
            ("new_appointment", late_day.clone()),
            ("new_appointment_time", typed.to_string()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let done = app
            .post(&format!("/can-bo/ho-so/{code}"), &leader, &form)
            .await;
        assert!(done.status < 400, "{}: {}", done.status, done.body);
        let d = app
            .state
            .store
            .dossier(&motcua_domain::dossier::DossierCode::parse(code).expect("code"))
            .await
            .expect("read")
            .and_then(|s| s.dossier)
            .expect("dossier");
        let at = d.new_appointment.expect("a new appointment");
        assert_eq!(
            at.format("%Y-%m-%d %H:%M").to_string(),
            format!("{late_day} {expected_utc}"),
            "{typed:?} at UTC+7"
        );
    }

    // The counter receives a paper dossier with its checklist.
    let res = app.official_login_next("tiepnhan.01279", "/can-bo").await;
    let counter = session_of(&res);
    let form = app
        .get("/can-bo/tiep-nhan?thu_tuc=1.001193", &counter)
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("id=\"checklist\""));
    assert!(form.body.contains("name=\"nhan_2\""));
    let idem = hidden(&form.body, "idem");
    let csrf = form.csrf();
    // A scan over the upload limit: the same procedure's form again, with
    // the size message and what was typed, not a problem document.
    let boundary = "motcuaTooLarge";
    let text = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    let mut body = [
        text("csrf_token", &csrf),
        text("idem", &idem),
        text("vai_tro", "receiving_officer"),
        text("don_vi", "04.01279"),
        text("thu_tuc", "1.001193"),
        text("ho_ten", "Hoàng Thị Lan Anh"),
        text("dien_thoai", "0912345678"),
        text("nhan_1", "1"),
        text("quyet_dinh", "accept"),
    ]
    .concat()
    .into_bytes();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"tep_1\"; filename=\"scan.pdf\"\r\n\r\n%PDF-1.4\n"
        )
        .as_bytes(),
    );
    body.extend(std::iter::repeat_n(b'%', 60_000_000));
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let huge = app
        .send(
            app.http
                .post(format!("{}/can-bo/tiep-nhan", app.base))
                .header("cookie", &counter)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body),
        )
        .await;
    assert_eq!(huge.status, 400, "{}", huge.body);
    assert!(huge.body.contains("id=\"err\""), "{}", huge.body);
    assert!(
        huge.body.contains("tối đa 20 MB"),
        "the limit is said: {}",
        huge.body
    );
    assert!(
        huge.body.contains("id=\"checklist\""),
        "the same procedure's form"
    );
    assert!(
        huge.body.contains("value=\"Hoàng Thị Lan Anh\""),
        "what was typed is kept: {}",
        huge.body
    );
    assert!(huge.body.contains("value=\"0912345678\""), "{}", huge.body);
    assert!(
        huge.body.contains("id=\"nhan_1\" checked"),
        "what was ticked is kept: {}",
        huge.body
    );
    assert!(
        huge.body.contains("id=\"qd-accept\" required checked"),
        "{}",
        huge.body
    );
    let fields = |decision: &'static str, all: bool, idem: String| {
        let mut f: Vec<(&str, String)> = vec![
            ("csrf_token", csrf.clone()),
            ("idem", idem),
            ("vai_tro", "receiving_officer".into()),
            ("don_vi", "04.01279".into()),
            ("thu_tuc", "1.001193".into()),
            ("ho_ten", "Hoàng Thị Lan".into()),
            ("so_trang", "3".into()),
            ("quyet_dinh", decision.into()),
            (
                "ly_do",
                if decision == "accept" {
                    String::new()
                } else {
                    "Thiếu giấy chứng sinh".into()
                },
            ),
            ("nhan_0", "1".into()),
            ("ban_0", "original".into()),
            ("so_0", "1".into()),
            ("nhan_2", "1".into()),
            ("ban_2", "certified_copy".into()),
        ];
        if all {
            f.push(("nhan_1", "1".into()));
        }
        f
    };
    let missing = fields("accept", false, idem.clone());
    let missing: Vec<(&str, &str)> = missing.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app
        .multipart("/can-bo/tiep-nhan", &counter, &missing, &[])
        .await;
    assert_eq!(res.status, 400, "accepting without a mandatory component");
    assert!(res.body.contains("role=\"alert\""));
    let complete = fields("accept", true, idem.clone());
    let complete: Vec<(&str, &str)> = complete.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app
        .multipart(
            "/can-bo/tiep-nhan",
            &counter,
            &complete,
            &[("tep_0", "to-khai.pdf", PDF)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(res.location.starts_with("/can-bo/ho-so/04.01279-"));
    let again = app
        .multipart(
            "/can-bo/tiep-nhan",
            &counter,
            &complete,
            &[("tep_0", "to-khai.pdf", PDF)],
        )
        .await;
    assert_eq!(
        again.location, res.location,
        "a retried post opens one dossier"
    );
    let page = app.get(&res.location, &counter).await;
    assert!(page.body.contains("Đã tiếp nhận"), "{}", page.body);
    assert!(
        page.body.contains("application/pdf"),
        "the scan is attached"
    );
    let supplement = fields("supplement", false, "other-key".into());
    let supplement: Vec<(&str, &str)> = supplement.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app
        .multipart("/can-bo/tiep-nhan", &counter, &supplement, &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = app.get(&res.location, &counter).await;
    assert!(page.body.contains("Chờ bổ sung"), "{}", page.body);
    let head_tries = app.get("/can-bo/tiep-nhan?thu_tuc=1.001193", &head).await;
    assert_eq!(
        head_tries.status, 403,
        "the counter is the receiving officer's"
    );
}

#[tokio::test]
async fn the_officials_workspace_on_sqlite() {
    let app = App::spawn().await;
    workspace_paths(&app).await;
}

#[tokio::test]
async fn the_officials_workspace_on_postgres() {
    let Some(fixture) = motcua_store_postgres::test_fixture().await else {
        return;
    };
    let app = App::spawn_on(fixture).await;
    workspace_paths(&app).await;
}

// The Center's counter: issue tickets, call the next one to a counter,
// serve it and close it; only the Center's receiving officers.
#[tokio::test]
async fn the_counter_issues_calls_and_closes_queue_tickets() {
    let app = App::spawn().await;
    let session = app.official_login("tiepnhan.01279").await;
    let page = app.get("/can-bo/quay", &session).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Quầy tiếp nhận"));
    assert!(page.body.contains("Chưa có số nào."));
    // The walk-in's procedure is chosen from the catalogue, by name.
    assert!(
        page.body
            .contains("<select id=\"thu_tuc\" name=\"thu_tuc\">"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<option value=\"1.001193\">Thủ tục đăng ký khai sinh (1.001193)"),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let post = |viec: &'static str, extra: Vec<(&'static str, String)>| {
        let mut form: Vec<(&str, String)> = vec![
            ("csrf_token", csrf.clone()),
            ("viec", viec.to_string()),
            ("quay", "1".to_string()),
        ];
        form.extend(extra);
        let session = session.clone();
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post("/can-bo/quay", &session, &form).await
        }
    };
    let first = post("cap", vec![("thu_tuc", "1.001193".into())]).await;
    assert_eq!(first.status, 303, "{}", first.body);
    assert!(first.location.contains("tb=cap") && first.location.ends_with("so=1"));
    let second = post("cap", vec![]).await;
    assert!(second.location.ends_with("so=2"), "{}", second.location);

    let called = post("goi", vec![]).await;
    assert_eq!(called.status, 303, "{}", called.body);
    assert!(called.location.contains("tb=goi") && called.location.ends_with("so=1"));
    let page = app.get(&called.location, &session).await;
    assert!(
        page.body.contains("<strong class=\"big\">1</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Đã gọi số 1 đến quầy 1."));
    assert!(page.body.contains("(1 đang chờ)"));
    // Calling a number opens the intake for its procedure.
    let open = page
        .body
        .split("id=\"mo-tiep-nhan\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the link to the intake")
        .replace("&amp;", "&");
    assert!(open.contains("thu_tuc=1.001193"), "{open}");
    let intake = app.get(&open, &session).await;
    assert_eq!(intake.status, 200, "{}", intake.body);
    assert!(intake.body.contains("id=\"checklist\""), "{}", intake.body);

    let done = post("xong", vec![("so", "1".into())]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let unit = motcua_domain::dossier::UnitId::parse(CENTER).expect("a unit");
    let today = motcua_domain::dossier::vietnam_date(chrono::Utc::now());
    let tickets = app
        .state
        .store
        .tickets(&unit, today)
        .await
        .expect("tickets");
    let status: Vec<(u32, &str)> = tickets
        .iter()
        .map(|t| (t.number, t.status.as_str()))
        .collect();
    assert_eq!(status, vec![(1, "done"), (2, "waiting")]);
    assert_eq!(tickets[0].procedure.as_deref(), Some("1.001193"));

    // The board shows the one still waiting.
    let board = app.get(&format!("/bang-cho/{CENTER}"), "").await;
    assert!(board.body.contains("<li>2</li>"), "{}", board.body);

    // Without the CSRF token nothing happens; a leader is not at the counter.
    let forged = app
        .post("/can-bo/quay", &session, &[("viec", "cap"), ("quay", "1")])
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let leader = app.official_login("chutich.01279").await;
    let refused = app.get("/can-bo/quay", &leader).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(
        app.state
            .store
            .tickets(&unit, today)
            .await
            .expect("tickets")
            .len(),
        2
    );
    let en = app.get("/can-bo/quay?lang=en", &session).await;
    assert!(en.body.contains("Call the next number"));
}

/// The birth registration's form, filled in (posted names `tk.*`).
fn birth_form<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("ho_ten", "Trần Thị Mai"),
        ("don_vi", "04.01279"),
        ("idem", "k-form-1"),
        ("tk.child_name", "Trần Minh An"),
        ("tk.child_birth_date", "01/10/2026"),
        ("tk.child_sex", "nu"),
        ("tk.child_birth_place", "Bệnh viện Đa khoa tỉnh Cao Bằng"),
        ("tk.mother_name", "Trần Thị Mai"),
        ("tk.applicant_relation", "me"),
        ("tk.applicant_address.street", "Tổ 5"),
        ("tk.applicant_address.commune", "01279"),
    ]
}

#[tokio::test]
async fn the_application_form_keeps_what_was_typed_and_shows_each_error() {
    let app = App::spawn().await;
    let (session, _) = app.citizen_login("0912345600").await;
    let form = app.get("/thu-tuc/1.001193/nop", &session).await;
    assert!(form.body.contains("Thông tin trẻ"), "the form's groups");
    assert!(form.body.contains("name=\"tk.child_name\""));
    let csrf = form.csrf();
    let mut fields = birth_form();
    fields.push(("csrf_token", &csrf));
    for f in fields.iter_mut() {
        if f.0 == "tk.child_birth_date" {
            f.1 = "31/02/2026";
        }
        if f.0 == "tk.mother_name" {
            f.1 = "";
        }
    }
    let bad = app.post("/thu-tuc/1.001193/nop", &session, &fields).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("Tờ khai chưa hợp lệ"));
    assert!(bad.body.contains("id=\"tk-child_birth_date-error\""));
    assert!(
        bad.body.contains("ngày không hợp lệ"),
        "the date's own error"
    );
    assert!(bad.body.contains("id=\"tk-mother_name-error\""));
    assert!(
        bad.body.contains("bắt buộc nhập"),
        "the missing name's error"
    );
    assert!(bad.body.contains("value=\"Trần Minh An\""), "input kept");
    assert!(
        bad.body.contains("value=\"31/02/2026\""),
        "the bad value kept"
    );
    assert!(bad.body.contains("<option value=\"nu\" selected>"));
    assert!(bad.body.contains("value=\"Tổ 5\""));
    let list = app.get("/ho-so-cua-toi", &session).await;
    assert!(!list.body.contains("/ho-so-cua-toi/04."), "nothing opened");
}

#[tokio::test]
async fn an_old_address_converts_to_the_new_commune_on_the_form() {
    let app = App::spawn().await;
    let (session, _) = app.citizen_login("0912345601").await;
    let csrf = app.get("/thu-tuc/1.001193/nop", &session).await.csrf();
    let mut fields: Vec<(&str, &str)> = birth_form()
        .into_iter()
        .filter(|(k, _)| *k != "tk.applicant_address.commune")
        .collect();
    fields.extend([
        ("csrf_token", csrf.as_str()),
        ("tkcu.applicant_address.xa", "Sông Bằng"),
        ("tkcu.applicant_address.huyen", "Thành phố Cao Bằng"),
        ("tkcu.applicant_address.tinh", "Cao Bằng"),
        ("doi_dia_chi", "applicant_address"),
    ]);
    let page = app.post("/thu-tuc/1.001193/nop", &session, &fields).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<option value=\"01279\" selected>Phường Nùng Trí Cao</option>"),
        "the commune picker is filled"
    );
    assert!(
        page.body.contains("Đã chuyển đổi"),
        "the conversion is told"
    );
    assert!(
        page.body.contains("value=\"Sông Bằng\""),
        "the old address kept"
    );
    assert!(
        page.body.contains("value=\"Trần Minh An\""),
        "the rest kept"
    );
    assert!(
        page.body.contains("value=\"Trần Thị Mai\""),
        "the applicant kept"
    );
    let list = app.get("/ho-so-cua-toi", &session).await;
    assert!(
        !list.body.contains("/ho-so-cua-toi/04."),
        "nothing submitted"
    );

    // An unknown old commune says so, and fills nothing.
    for f in fields.iter_mut() {
        if f.0 == "tkcu.applicant_address.xa" {
            f.1 = "Xyzzy";
        }
    }
    let page = app.post("/thu-tuc/1.001193/nop", &session, &fields).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"tk-applicant_address-note\""));
    assert!(!page.body.contains("value=\"01279\" selected"));
}

#[tokio::test]
async fn the_application_data_is_shown_by_name_to_the_citizen_and_the_official() {
    let app = App::spawn().await;
    let (session, _) = app.citizen_login("0912345602").await;
    let csrf = app.get("/thu-tuc/1.001193/nop", &session).await.csrf();
    let mut fields = birth_form();
    fields.push(("csrf_token", &csrf));
    let done = app.post("/thu-tuc/1.001193/nop", &session, &fields).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let code = done
        .location
        .strip_prefix("/ho-so-cua-toi/")
        .expect("the dossier page")
        .to_string();
    let mine = app.get(&done.location, &session).await;
    let official = app.official_login("tiepnhan.01279").await;
    let theirs = app.get(&format!("/can-bo/ho-so/{code}"), &official).await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    for body in [&mine.body, &theirs.body] {
        assert!(body.contains("Thông tin trẻ"));
        assert!(body.contains("<dd>01/10/2026</dd>"), "dd/mm/yyyy");
        assert!(body.contains("<dd>Nữ</dd>"), "the option's label");
        assert!(
            body.contains("<dd>Tổ 5, Phường Nùng Trí Cao, Tỉnh Cao Bằng</dd>"),
            "the commune by name"
        );
        assert!(
            body.contains("Trung tâm Phục vụ hành chính công Phường Nùng Trí Cao"),
            "the Center by name"
        );
        // Names, not codes: no raw field key or option value is read.
        for raw in [
            "child_sex",
            "applicant_relation",
            ">nu<",
            ">01279<",
            "competent_agency",
            "workflow",
        ] {
            assert!(!body.contains(raw), "{raw} on the page");
        }
    }
    assert!(
        !mine.body.contains("<dd class=\"code\">04.01279</dd>"),
        "the Center's code is not what the citizen reads"
    );
}

// ---- The citizen's supplement and the online result (tests/pages/supplement.rs)
#[path = "pages/supplement.rs"]
mod supplement;

// ---- The apology lead time (tests/pages/apology.rs)
#[path = "pages/apology.rs"]
mod apology;

// ---- Stopping at the applicant's request (tests/pages/stop.rs)
#[path = "pages/stop.rs"]
mod stop;

// ---- The province's settings (tests/pages/settings.rs)
#[path = "pages/settings.rs"]
mod settings;

// ---- Reassigning a dossier (tests/pages/reassign.rs)
#[path = "pages/reassign.rs"]
mod reassign;

// ---- The limit extension and the payment forms (tests/pages/limit_and_payment.rs)
#[path = "pages/limit_and_payment.rs"]
mod limit_and_payment;

// ---- Boundary-free receipt (tests/pages/boundary_free.rs)
#[path = "pages/boundary_free.rs"]
mod boundary_free;
