//! Sign-in hardening over HTTP (issue 10, items 1, 2, 5, 7): the lock-out
//! holds against a parallel burst and is per (account, client address);
//! rate limits and the bound on password verifications; limits on
//! one-time codes, which are never logged; security events. On SQLite
//! always and on PostgreSQL when `MOTCUA_TEST_DATABASE_URL` is set.
//!
//! The server trusts `X-Forwarded-For` from 127.0.0.1 in most of these
//! tests (`trusted_proxies`), so that one test can speak from several
//! client addresses.

#[allow(dead_code)]
mod common;

mod capture {
    //! Every `tracing` event of this test binary, as the text `motcua
    //! serve` would print at its default level (`info`).

    use std::io::Write;
    use std::sync::{Arc, Mutex, OnceLock};

    #[derive(Clone)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut b) = self.0.lock() {
                b.extend_from_slice(data);
            }
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn buffer() -> &'static Arc<Mutex<Vec<u8>>> {
        static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
        LOG.get_or_init(|| {
            let buf = Arc::new(Mutex::new(Vec::new()));
            let writer = Buf(buf.clone());
            let subscriber = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
                .with_ansi(false)
                .without_time()
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
            buf
        })
    }

    /// Starts capturing (idempotent).
    pub fn start() {
        buffer();
    }

    /// The lines logged so far.
    pub fn lines() -> Vec<String> {
        let bytes = buffer().lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The security events (`motcua::security`) naming `needle`.
    pub fn security(needle: &str) -> Vec<String> {
        lines()
            .into_iter()
            .filter(|l| l.contains("motcua::security") && l.contains(needle))
            .collect()
    }
}

macro_rules! hardening_tests {
    ($backend:ident, $factory:path) => {
        mod $backend {
            use std::net::IpAddr;
            use std::sync::Arc;

            use chrono::TimeDelta;
            use motcua_server::auth::{AuthConfig, Limits};
            use serde_json::json;

            use super::capture;
            use super::common::*;
            use super::helpers::*;

            const BACKEND: &str = stringify!($backend);

            /// A client address of this test and backend (documentation
            /// ranges: nothing real is named).
            fn addr(test: u8, n: u8) -> String {
                let b = if BACKEND == "sqlite" { 1 } else { 2 };
                format!("198.51.{}.{}", test * 2 + b, n)
            }

            fn behind_proxy(limits: Limits) -> AuthConfig {
                AuthConfig {
                    limits: Limits {
                        trusted_proxies: vec![IpAddr::from([127, 0, 0, 1])],
                        ..limits
                    },
                    ..AuthConfig::default()
                }
            }

            /// No rate limits and room for every verification: only the
            /// lock-out decides.
            fn lockout_only() -> AuthConfig {
                behind_proxy(Limits {
                    login_per_address_per_minute: 0,
                    login_per_account_per_minute: 0,
                    password_verifications: 128,
                    password_wait: std::time::Duration::from_secs(30),
                    ..Limits::default()
                })
            }

            async fn spawn(config: AuthConfig) -> Option<TestApp> {
                capture::start();
                let fixture = $factory().await?;
                Some(TestApp::spawn_custom(fixture, false, move |s| s.with_auth_config(config)).await)
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_parallel_burst_of_wrong_passwords_gets_at_most_max_failures_checks() {
                let Some(app) = spawn(lockout_only()).await else { return };
                let user = format!("tiepnhan.burst.{BACKEND}");
                official(&app, &user, &[("receiving_officer", A)]).await;
                let from = addr(1, 1);
                let mut burst = tokio::task::JoinSet::new();
                for _ in 0..100 {
                    let req = app
                        .client
                        .post(app.url("/api/v1/auth/login"))
                        .header("x-forwarded-for", from.clone())
                        .json(&json!({"username": user, "password": "sai mat khau roi"}));
                    burst.spawn(send(req));
                }
                let mut checked = 0;
                let mut locked = 0;
                while let Some(r) = burst.join_next().await {
                    match r.expect("request task") {
                        (401, p) if p["code"] == "invalid_credentials" => checked += 1,
                        (429, p) if p["code"] == "login_locked" => locked += 1,
                        other => panic!("unexpected answer {other:?}"),
                    }
                }
                let max = AuthConfig::default().lockout.max_failures;
                assert_eq!((checked, locked), (max, 100 - max), "only max_failures passwords checked");
                let (status, p) = login_from(&app, &user, PASSWORD, &from).await;
                assert_eq!((status, p["code"].as_str()), (429, Some("login_locked")), "even the right password");
                let (status, p) = login_from(&app, &user, PASSWORD, &addr(1, 2)).await;
                assert_eq!(status, 200, "another address is not locked out: {p}");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_lockout_is_per_address_and_several_addresses_raise_an_alert() {
                let Some(app) = spawn(lockout_only()).await else { return };
                let user = format!("quantri.alert.{BACKEND}");
                official(&app, &user, &[("province_admin", "04")]).await;
                let attacker = addr(2, 1);
                for _ in 0..5 {
                    let (status, _) = login_from(&app, &user, "sai mat khau roi", &attacker).await;
                    assert_eq!(status, 401);
                }
                let (status, _) = login_from(&app, &user, "sai mat khau roi", &attacker).await;
                assert_eq!(status, 429, "the attacker's address is locked");
                let (status, p) = login_from(&app, &user, PASSWORD, &addr(2, 9)).await;
                assert_eq!(status, 200, "the administrator still signs in from their own address: {p}");
                assert!(capture::security(&user).iter().any(|l| l.contains("login_locked")));
                assert!(
                    !capture::security(&user).iter().any(|l| l.contains("account_attacked")),
                    "one address is no alert yet"
                );
                for n in 3..5 {
                    let (status, _) = login_from(&app, &user, "sai mat khau roi", &addr(2, n)).await;
                    assert_eq!(status, 401);
                }
                let alerts: Vec<String> = capture::security(&user)
                    .into_iter()
                    .filter(|l| l.contains("account_attacked"))
                    .collect();
                assert_eq!(alerts.len(), 1, "{alerts:?}");
                assert!(alerts[0].contains("WARN") && alerts[0].contains("addresses=3"), "{}", alerts[0]);
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn logins_are_rate_limited_per_address_and_per_account() {
                let config = behind_proxy(Limits {
                    login_per_address_per_minute: 3,
                    login_per_account_per_minute: 5,
                    ..Limits::default()
                });
                let Some(app) = spawn(config).await else { return };
                let from = addr(3, 1);
                for i in 0..3 {
                    let (status, _) = login_from(&app, &format!("khong.co.{i}"), "sai mat khau roi", &from).await;
                    assert_eq!(status, 401, "try {i}");
                }
                let res = app
                    .client
                    .post(app.url("/api/v1/auth/login"))
                    .header("x-forwarded-for", from.clone())
                    .json(&json!({"username": "khong.co.9", "password": "sai mat khau roi"}))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 429);
                assert!(res.headers().get("retry-after").is_some(), "Retry-After");
                let p: serde_json::Value = res.json().await.expect("json");
                assert_eq!(p["code"], "login_rate_limited");
                assert!(p["message_vi"].as_str().is_some_and(|m| m.contains("Quá nhiều")), "{p}");

                let target = "muc.tieu";
                for n in 10..15 {
                    let (status, _) = login_from(&app, target, "sai mat khau roi", &addr(3, n)).await;
                    assert_eq!(status, 401, "address {n}");
                }
                let (status, p) = login_from(&app, target, "sai mat khau roi", &addr(3, 20)).await;
                assert_eq!((status, p["code"].as_str()), (429, Some("login_rate_limited")), "per account");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn logins_beyond_the_verification_slots_are_told_the_server_is_busy() {
                let config = behind_proxy(Limits {
                    password_verifications: 2,
                    password_wait: std::time::Duration::from_millis(50),
                    ..Limits::default()
                });
                let Some(app) = spawn(config).await else { return };
                let user = format!("tiepnhan.busy.{BACKEND}");
                official(&app, &user, &[("receiving_officer", A)]).await;
                let held = app.auth.guard.hold_all_slots().await.expect("the slots");
                let res = app
                    .client
                    .post(app.url("/api/v1/auth/login"))
                    .json(&json!({"username": "khong.co.ai", "password": "sai mat khau roi"}))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 503);
                assert_eq!(res.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
                let p: serde_json::Value = res.json().await.expect("json");
                assert_eq!(p["code"], "login_busy");
                let (status, _) = login_from(&app, &user, PASSWORD, &addr(4, 1)).await;
                assert_eq!(status, 503, "a known account waits like any other");
                drop(held);
                let (status, p) = login_from(&app, &user, PASSWORD, &addr(4, 1)).await;
                assert_eq!(status, 200, "busy did not count as a failure: {p}");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn one_address_cannot_get_codes_for_twenty_numbers() {
                let Some(app) = spawn(behind_proxy(Limits::default())).await else { return };
                let from = addr(5, 1);
                let mut sent = 0;
                for i in 0..20 {
                    let phone = format!("09123450{i:02}");
                    let res = app
                        .client
                        .post(app.url("/api/v1/auth/otp/request"))
                        .header("x-forwarded-for", from.clone())
                        .json(&json!({"phone": phone}))
                        .send()
                        .await
                        .expect("request");
                    match res.status().as_u16() {
                        202 => sent += 1,
                        429 => {
                            assert!(res.headers().get("retry-after").is_some());
                            let p: serde_json::Value = res.json().await.expect("json");
                            assert_eq!(p["code"], "otp_rate_limited", "{p}");
                        }
                        s => panic!("status {s}"),
                    }
                }
                let per_address = Limits::default().otp_per_address_per_hour as usize;
                assert_eq!(sent, per_address);
                assert_eq!(app.codes.count(), per_address, "no code beyond the limit was sent");
                let (status, _) = otp_from(&app, "0912345099", &addr(5, 2)).await;
                assert_eq!(status, 202, "another address is not limited");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn codes_are_limited_per_number_and_in_all() {
                let mut config = behind_proxy(Limits {
                    otp_per_contact_per_hour: 2,
                    otp_per_hour: 4,
                    ..Limits::default()
                });
                config.otp.resend_after = TimeDelta::zero();
                let Some(app) = spawn(config).await else { return };
                let number = "0987650001";
                for n in 1..=2 {
                    let (status, p) = otp_from(&app, number, &addr(6, n)).await;
                    assert_eq!(status, 202, "{p}");
                }
                let (status, p) = otp_from(&app, number, &addr(6, 3)).await;
                assert_eq!((status, p["code"].as_str()), (429, Some("otp_rate_limited")), "per number, from any address");
                for (n, number) in [(4, "0987650002"), (5, "0987650003")] {
                    let (status, p) = otp_from(&app, number, &addr(6, n)).await;
                    assert_eq!(status, 202, "{p}");
                }
                let (status, p) = otp_from(&app, "0987650004", &addr(6, 6)).await;
                assert_eq!((status, p["code"].as_str()), (429, Some("otp_rate_limited")), "in all");
                assert_eq!(app.codes.count(), 4);
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn codes_never_reach_the_log() {
                capture::start();
                let Some(fixture) = $factory().await else { return };
                let recorded = Arc::new(motcua_server::auth::MemoryCodeSender::new());
                let sender = Arc::new(DevSenderToo(recorded.clone()));
                let app = TestApp::spawn_custom(fixture, false, move |s| {
                    s.with_auth_config(behind_proxy(Limits::default())).with_code_sender(sender)
                })
                .await;
                let phone = if BACKEND == "sqlite" { "0901234561" } else { "0901234562" };
                let (status, p) = otp_from(&app, phone, &addr(7, 1)).await;
                assert_eq!(status, 202, "{p}");
                let code = recorded.last_code(&contact(phone)).expect("a code");
                let masked = p["sent_to"].as_str().expect("masked").to_string();
                let lines = capture::lines();
                assert!(
                    lines.iter().any(|l| l.contains(&masked) && l.contains("otp_sent")),
                    "the request was logged (masked)"
                );
                assert!(
                    lines.iter().any(|l| l.contains(&masked) && l.contains("DEVELOPMENT code sender")),
                    "the development sender ran"
                );
                for l in &lines {
                    if l.contains(&masked) {
                        assert!(!l.contains(&code), "the code is in the log: {l}");
                    }
                    assert!(!l.contains("Your motcua code is"), "a code message is in the log: {l}");
                    assert!(!l.contains(phone), "the number is in the log: {l}");
                }
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sign_ins_are_security_events_without_personal_data() {
                let Some(app) = spawn(lockout_only()).await else { return };
                let user = format!("chutich.log.{BACKEND}");
                official(&app, &user, &[("leader", A)]).await;
                let from = addr(8, 1);
                let (status, body) = login_from(&app, &user, PASSWORD, &from).await;
                assert_eq!(status, 200);
                let s = Session::of(&body);
                let wrong = format!("{}-sai", PASSWORD);
                for _ in 0..5 {
                    login_from(&app, &user, &wrong, &from).await;
                }
                let (status, _) = login_from(&app, &user, &wrong, &from).await;
                assert_eq!(status, 429);
                let typo = format!("mat.khau.{BACKEND}.nham.o");
                login_from(&app, &typo, "sai mat khau roi", &from).await;
                let (status, _) = send(
                    s.bearer(app.client.post(app.url("/api/v1/auth/logout")))
                        .header("x-forwarded-for", from.clone()),
                )
                .await;
                assert_eq!(status, 204);

                let events = capture::security(&user);
                let count = |e: &str| events.iter().filter(|l| l.contains(&format!("event=\"{e}\""))).count();
                assert_eq!(count("login_succeeded"), 1, "{events:#?}");
                assert_eq!(count("login_failed"), 5, "{events:#?}");
                assert_eq!(count("login_locked"), 1, "{events:#?}");
                assert_eq!(count("logout"), 1, "{events:#?}");
                let hashed = motcua_server::auth::events::hashed_account(&user);
                assert!(
                    capture::security(&hashed).iter().any(|l| l.contains("login_refused") && l.contains("reason=\"locked\"")),
                    "a refusal names the account by its hash"
                );
                assert!(events.iter().all(|l| l.contains(&from)), "with the client address: {events:#?}");
                let all = capture::lines();
                assert!(all.iter().all(|l| !l.contains(PASSWORD)), "never a password");
                assert!(all.iter().all(|l| !l.contains(&typo)), "an unknown name only hashed");
                assert!(
                    capture::security(&motcua_server::auth::events::hashed_account(&typo))
                        .iter()
                        .any(|l| l.contains("reason=\"unknown_account\"")),
                );
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn refusals_and_role_grants_are_security_events() {
                let Some(app) = spawn(lockout_only()).await else { return };
                let admin = format!("quantri.grant.{BACKEND}");
                let officer = format!("tiepnhan.grant.{BACKEND}");
                official(&app, &admin, &[("unit_admin", A)]).await;
                official(&app, &officer, &[("receiving_officer", A)]).await;
                let a = Session::of(&login_from(&app, &admin, PASSWORD, &addr(9, 1)).await.1);
                let o = Session::of(&login_from(&app, &officer, PASSWORD, &addr(9, 2)).await.1);
                let (status, p) = send(
                    a.bearer(app.client.post(app.url(&format!("/api/v1/officials/{officer}/roles"))))
                        .json(&json!({"roles": [{"role": "specialist", "unit": A}], "current_password": PASSWORD})),
                )
                .await;
                assert_eq!(status, 200, "{p}");
                let (status, _) = send(
                    o.bearer(app.client.post(app.url(&format!("/api/v1/officials/{admin}/roles"))))
                        .json(&json!({"roles": [{"role": "leader", "unit": A}], "current_password": PASSWORD})),
                )
                .await;
                assert_eq!(status, 403);
                let granted = capture::security(&format!("account=\"{officer}\""));
                assert!(
                    granted.iter().any(|l| l.contains("roles_granted") && l.contains(&format!("by=\"{admin}\"")) && l.contains("specialist@04.01279")),
                    "{granted:#?}"
                );
                let denied = capture::security(&format!("account=\"{officer}\""));
                assert!(
                    denied.iter().any(|l| l.contains("access_denied") && l.contains("/roles")),
                    "{denied:#?}"
                );
                app.finish().await;
            }
        }
    };
}

mod helpers {
    use async_trait::async_trait;
    use chrono::TimeDelta;
    use motcua_domain::access::Contact;
    use motcua_server::auth::codes::SendError;
    use motcua_server::auth::{CodeSender, LogCodeSender, MemoryCodeSender};
    use serde_json::{json, Value};
    use std::sync::Arc;

    use super::common::TestApp;

    pub const A: &str = "04.01279";
    pub const PASSWORD: &str = "mật khẩu thử nghiệm";

    pub struct Session {
        pub token: String,
    }

    impl Session {
        pub fn of(body: &Value) -> Session {
            Session {
                token: body["token"].as_str().expect("a token").to_string(),
            }
        }

        pub fn bearer(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
            req.bearer_auth(&self.token)
        }
    }

    /// The development sender as `serve` runs it, recording the code so
    /// that the test knows what must not be logged.
    pub struct DevSenderToo(pub Arc<MemoryCodeSender>);

    #[async_trait]
    impl CodeSender for DevSenderToo {
        async fn send_code(
            &self,
            contact: &Contact,
            code: &str,
            valid_for: TimeDelta,
        ) -> Result<(), SendError> {
            self.0.send_code(contact, code, valid_for).await?;
            LogCodeSender.send_code(contact, code, valid_for).await
        }
    }

    pub use crate::common::send;

    /// Creates an official (password [`PASSWORD`]) directly in the store.
    pub async fn official(app: &TestApp, username: &str, roles: &[(&str, &str)]) {
        app.create_official(username, PASSWORD, roles).await;
    }

    /// A login from `client` (through the trusted local proxy).
    pub async fn login_from(
        app: &TestApp,
        username: &str,
        password: &str,
        client: &str,
    ) -> (u16, Value) {
        send(
            app.client
                .post(app.url("/api/v1/auth/login"))
                .header("x-forwarded-for", client)
                .json(&json!({"username": username, "password": password})),
        )
        .await
    }

    /// A code request for a phone number from `client`.
    pub async fn otp_from(app: &TestApp, phone: &str, client: &str) -> (u16, Value) {
        send(
            app.client
                .post(app.url("/api/v1/auth/otp/request"))
                .header("x-forwarded-for", client)
                .json(&json!({ "phone": phone })),
        )
        .await
    }

    pub fn contact(s: &str) -> Contact {
        Contact::phone(s).expect("phone")
    }
}

async fn sqlite_fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

hardening_tests!(sqlite, crate::sqlite_fixture);
hardening_tests!(postgres, motcua_store_postgres::test_fixture);
