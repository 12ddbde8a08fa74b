//! Account administration over HTTP, against the real application with
//! `insecure_actor_headers` off (as deployed), on SQLite always and on
//! PostgreSQL when `MOTCUA_TEST_DATABASE_URL` is set: the idle timeout of
//! sessions, password changes, deactivation, role revocation, the reach of
//! unit administrators, re-authentication, account events and the pages.

#[allow(dead_code)] // helpers shared with the other test binaries
mod common;

macro_rules! account_tests {
    ($backend:ident, $factory:path) => {
        mod $backend {
            use super::common::*;
            use super::helpers::*;
            use serde_json::json;

            async fn spawn() -> Option<TestApp> {
                let fixture = $factory().await?;
                Some(TestApp::spawn_with(fixture, false).await)
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_idle_official_session_is_refused_after_the_idle_timeout() {
                let Some(app) = spawn().await else { return };
                official(&app, "chuyenvien.01279", &[("specialist", A)]).await;
                let s = session(&app, "chuyenvien.01279").await;
                let now = chrono::Utc::now();
                let hash = motcua_server::auth::secret::sha256(s.token.as_bytes());

                // Seen 5 minutes ago: alive, and its activity moves to now.
                assert!(app.store().touch_session(&hash, now - chrono::Duration::minutes(5)).await.expect("touch"));
                let (status, me) = send(s.bearer(app.client.get(app.url("/api/v1/auth/me")))).await;
                assert_eq!(status, 200, "{me}");
                let seen = app.store().session(&hash, chrono::Utc::now()).await.expect("read").expect("alive").last_seen_at;
                assert!(seen >= now, "the request was recorded: {seen} < {now}");

                // Seen 31 minutes ago (the default timeout is 30): over.
                assert!(app.store().touch_session(&hash, now - chrono::Duration::minutes(31)).await.expect("touch"));
                let (status, p) = send(s.bearer(app.client.get(app.url("/api/v1/auth/me")))).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("session_expired")), "{p}");
                assert!(
                    app.store().session(&hash, chrono::Utc::now()).await.expect("read").is_none(),
                    "the idle session is deleted"
                );
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_password_change_needs_the_current_one_and_ends_the_other_sessions() {
                let Some(app) = spawn().await else { return };
                official(&app, "chuyenvien.01279", &[("specialist", A)]).await;
                let here = session(&app, "chuyenvien.01279").await;
                let elsewhere = session(&app, "chuyenvien.01279").await;
                let change = |current: Option<&str>, new: &str| {
                    here.bearer(app.client.post(app.url("/api/v1/officials/me/password")))
                        .json(&json!({"current_password": current, "new_password": new}))
                };
                let (status, p) = send(change(None, NEW_PASSWORD)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("reauth_required")), "{p}");
                let (status, p) = send(change(Some("không phải mật khẩu"), NEW_PASSWORD)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("reauth_required")), "{p}");
                assert!(p["message_vi"].as_str().is_some_and(|m| m.contains("mật khẩu")), "{p}");
                let (status, p) = send(change(Some(PASSWORD), "ngắn")).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("weak_password")), "{p}");
                let res = change(Some(PASSWORD), NEW_PASSWORD).send().await.expect("request");
                assert_eq!(res.status().as_u16(), 204);

                let (status, _) = send(here.bearer(app.client.get(app.url("/api/v1/auth/me")))).await;
                assert_eq!(status, 200, "the session that changed it stays");
                let (status, p) = send(elsewhere.bearer(app.client.get(app.url("/api/v1/auth/me")))).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("session_expired")), "the other one ended");
                let (status, p) = login(&app, "chuyenvien.01279", PASSWORD).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("invalid_credentials")), "the old password fails");
                let (status, p) = login(&app, "chuyenvien.01279", NEW_PASSWORD).await;
                assert_eq!(status, 200, "{p}");

                let citizen_token = citizen(&app).await;
                let (status, p) = send(app.client.post(app.url("/api/v1/officials/me/password")).bearer_auth(&citizen_token)
                    .json(&json!({"current_password": "x", "new_password": NEW_PASSWORD}))).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "citizens have no password");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_deactivated_official_cannot_log_in_and_their_session_is_dead() {
                let Some(app) = spawn().await else { return };
                official(&app, "quantri.01279", &[("unit_admin", A)]).await;
                official(&app, "chuyenvien.01279", &[("specialist", A)]).await;
                let admin = session(&app, "quantri.01279").await;
                let victim = session(&app, "chuyenvien.01279").await;
                let path = "/api/v1/officials/chuyenvien.01279/deactivate";
                let (status, p) = send(admin.bearer(app.client.post(app.url(path))).json(&json!({}))).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("reauth_required")), "{p}");
                let (status, _) = send(victim.bearer(app.client.get(app.url("/api/v1/auth/me")))).await;
                assert_eq!(status, 200, "nothing changed yet");
                let (status, p) = send(admin.bearer(app.client.post(app.url(path))).json(&json!({"current_password": PASSWORD}))).await;
                assert_eq!(status, 200, "{p}");
                assert_eq!(p["active"], false);

                let (status, p) = send(victim.bearer(app.client.get(app.url("/api/v1/auth/me")))).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("session_expired")), "ended at once");
                let (status, p) = login(&app, "chuyenvien.01279", PASSWORD).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("invalid_credentials")));

                let (status, p) = send(admin.bearer(app.client.post(app.url("/api/v1/officials/chuyenvien.01279/reactivate"))).json(&json!({"current_password": PASSWORD}))).await;
                assert_eq!((status, p["active"].as_bool()), (200, Some(true)), "{p}");
                let (status, _) = login(&app, "chuyenvien.01279", PASSWORD).await;
                assert_eq!(status, 200);

                let (status, events) = send(admin.bearer(app.client.get(app.url("/api/v1/officials/chuyenvien.01279/events")))).await;
                assert_eq!(status, 200, "{events}");
                let kinds: Vec<&str> = events.as_array().expect("a list").iter().filter_map(|e| e["kind"].as_str()).collect();
                assert_eq!(kinds, ["created", "deactivated", "reactivated"]);
                assert_eq!(events[1]["actor"], "quantri.01279");
                assert_eq!(events[0]["actor"], serde_json::Value::Null, "created by the system");

                let (status, p) = send(admin.bearer(app.client.post(app.url("/api/v1/officials/quantri.01279/deactivate"))).json(&json!({"current_password": PASSWORD}))).await;
                assert_eq!((status, p["code"].as_str()), (409, Some("own_account")), "{p}");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_revoked_role_no_longer_acts() {
                let Some(app) = spawn().await else { return };
                app.import_catalogue().await;
                official(&app, "quantri.01279", &[("unit_admin", A)]).await;
                official(&app, "canbo.01279", &[("receiving_officer", A), ("specialist", A)]).await;
                let admin = session(&app, "quantri.01279").await;
                let before = session(&app, "canbo.01279").await;
                let submit = |s: &Session| {
                    s.bearer(app.client.post(app.url("/api/v1/dossiers")))
                        .header("x-acting-role", "receiving_officer")
                        .json(&counter_submission(A, "Hoàng Văn Ba"))
                };
                let (status, p) = send(submit(&before)).await;
                assert_eq!(status, 201, "{p}");

                let revoke = |role: &str, password: Option<&str>| {
                    admin.bearer(app.client.post(app.url("/api/v1/officials/canbo.01279/roles/revoke")))
                        .json(&json!({"role": role, "unit": A, "current_password": password}))
                };
                let (status, p) = send(revoke("receiving_officer", None)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("reauth_required")), "{p}");
                let (status, p) = send(revoke("receiving_officer", Some(PASSWORD))).await;
                assert_eq!(status, 200, "{p}");
                assert_eq!(p["roles"], json!([{"role": "specialist", "unit": A}]));

                let (status, p) = send(submit(&before)).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("session_expired")), "the session ended: {p}");
                let after = session(&app, "canbo.01279").await;
                let (status, p) = send(submit(&after)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("role_not_assigned")), "{p}");

                let (status, p) = send(revoke("specialist", Some(PASSWORD))).await;
                assert_eq!((status, p["code"].as_str()), (409, Some("last_role")), "{p}");
                let (status, p) = send(revoke("leader", Some(PASSWORD))).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("role_not_held")), "{p}");
                let (status, p) = send(revoke("pilot", Some(PASSWORD))).await;
                assert_eq!((status, p["code"].as_str()), (400, Some("invalid_role")), "{p}");
                let (_, events) = send(admin.bearer(app.client.get(app.url("/api/v1/officials/canbo.01279/events")))).await;
                assert_eq!(events[1]["kind"], "role_revoked");
                assert_eq!(events[1]["roles"], json!([{"role": "receiving_officer", "unit": A}]));
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_unit_administrator_cannot_manage_another_units_official() {
                let Some(app) = spawn().await else { return };
                official(&app, "quantri.01279", &[("unit_admin", A)]).await;
                official(&app, "quantri.04", &[("province_admin", "04")]).await;
                official(&app, "chuyenvien.01279", &[("specialist", A)]).await;
                official(&app, "chuyenvien.01288", &[("specialist", B)]).await;
                official(&app, "haidonvi", &[("specialist", A), ("specialist", B)]).await;
                let admin = session(&app, "quantri.01279").await;
                let other = session(&app, "chuyenvien.01288").await;
                let body = json!({"current_password": PASSWORD});
                let post = |s: &Session, path: &str, body: &serde_json::Value| s.bearer(app.client.post(app.url(path))).json(body);

                let (status, p) = send(post(&admin, "/api/v1/officials/chuyenvien.01288/deactivate", &body)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "{p}");
                let (status, p) = send(post(&admin, "/api/v1/officials/chuyenvien.01288/roles/revoke", &json!({"role": "specialist", "unit": B, "current_password": PASSWORD}))).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "{p}");
                let (status, p) = send(post(&admin, "/api/v1/officials/haidonvi/deactivate", &body)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "a role at B too: {p}");
                let (status, p) = send(admin.bearer(app.client.get(app.url("/api/v1/officials/chuyenvien.01288")))).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "{p}");
                let (status, p) = send(admin.bearer(app.client.get(app.url("/api/v1/officials/chuyenvien.01288/events")))).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "{p}");
                let (_, listed) = send(admin.bearer(app.client.get(app.url("/api/v1/officials")))).await;
                let names: Vec<&str> = listed.as_array().expect("a list").iter().filter_map(|o| o["username"].as_str()).collect();
                assert_eq!(names, ["chuyenvien.01279", "haidonvi", "quantri.01279"]);
                let (status, _) = send(other.bearer(app.client.get(app.url("/api/v1/auth/me")))).await;
                assert_eq!(status, 200, "B's official is untouched");

                let (status, p) = send(other.bearer(app.client.get(app.url("/api/v1/officials")))).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "not an administrator: {p}");
                let (status, p) = send(post(&other, "/api/v1/officials/chuyenvien.01279/deactivate", &body)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "{p}");

                let province = session(&app, "quantri.04").await;
                let (status, p) = send(post(&province, "/api/v1/officials/haidonvi/deactivate", &body)).await;
                assert_eq!(status, 200, "the province reaches both: {p}");
                let (status, p) = send(post(&province, "/api/v1/officials/nobody.here/deactivate", &body)).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("official_not_found")), "{p}");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn role_changes_need_the_administrators_password_again() {
                let Some(app) = spawn().await else { return };
                official(&app, "quantri.01279", &[("unit_admin", A)]).await;
                official(&app, "chuyenvien.01279", &[("specialist", A)]).await;
                let admin = session(&app, "quantri.01279").await;
                let grant = |password: Option<&str>| {
                    admin.bearer(app.client.post(app.url("/api/v1/officials/chuyenvien.01279/roles")))
                        .json(&json!({"roles": [{"role": "leader", "unit": A}], "current_password": password}))
                };
                let create = |password: Option<&str>| {
                    admin.bearer(app.client.post(app.url("/api/v1/officials"))).json(&json!({
                        "username": "vanthu.01279", "display_name": "Cán bộ văn thư",
                        "password": NEW_PASSWORD, "roles": [{"role": "clerical", "unit": A}],
                        "current_password": password
                    }))
                };
                let (status, p) = send(grant(None)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("reauth_required")), "{p}");
                let (status, p) = send(create(None)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("reauth_required")), "{p}");
                let (status, p) = send(grant(Some(PASSWORD))).await;
                assert_eq!(status, 200, "{p}");
                let (status, p) = send(create(Some(PASSWORD))).await;
                assert_eq!(status, 201, "{p}");
                let (_, events) = send(admin.bearer(app.client.get(app.url("/api/v1/officials/vanthu.01279/events")))).await;
                assert_eq!(events[0]["kind"], "created");
                assert_eq!(events[0]["actor"], "quantri.01279");
                assert_eq!(events[0]["roles"], json!([{"role": "clerical", "unit": A}]));
                let (_, events) = send(admin.bearer(app.client.get(app.url("/api/v1/officials/chuyenvien.01279/events")))).await;
                assert_eq!(events[1]["kind"], "roles_granted");

                for _ in 0..5 {
                    let (status, p) = send(grant(Some("sai mật khẩu rồi"))).await;
                    assert_eq!((status, p["code"].as_str()), (403, Some("reauth_required")), "{p}");
                }
                let (status, p) = send(grant(Some(PASSWORD))).await;
                assert_eq!((status, p["code"].as_str()), (429, Some("reauth_locked")), "locked after 5 wrong ones: {p}");
                let (status, _) = login(&app, "quantri.01279", PASSWORD).await;
                assert_eq!(status, 200, "the login itself is not locked");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_account_pages_work_without_script() {
                let Some(app) = spawn().await else { return };
                official(&app, "quantri.01279", &[("unit_admin", A)]).await;
                official(&app, "chuyenvien.01279", &[("specialist", A), ("leader", A)]).await;
                let admin = session(&app, "quantri.01279").await;
                let victim = session(&app, "chuyenvien.01279").await;
                let client = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .expect("client");
                let page = |path: &str| admin.cookie(client.get(app.url(path)));
                let form = |path: &str, fields: &[(&str, &str)], csrf: bool| {
                    let mut all: Vec<(&str, &str)> = fields.to_vec();
                    if csrf {
                        all.push(("csrf_token", admin.csrf.as_str()));
                    }
                    admin.cookie(client.post(app.url(path))).form(&all)
                };

                let res = page("/can-bo/tai-khoan").send().await.expect("request");
                assert_eq!(res.status().as_u16(), 200);
                let html = res.text().await.expect("html");
                assert!(html.contains("Đổi mật khẩu") && html.contains("/can-bo/tai-khoan/chuyenvien.01279"), "{html}");
                let res = page("/can-bo/tai-khoan/chuyenvien.01279").send().await.expect("request");
                assert_eq!(res.status().as_u16(), 200);
                let html = res.text().await.expect("html");
                assert!(html.contains("Thu hồi") && html.contains("Khóa tài khoản") && html.contains("Lịch sử tài khoản"), "{html}");

                let path = "/can-bo/tai-khoan/chuyenvien.01279";
                let revoke = [("thao_tac", "thu-hoi"), ("role", "leader"), ("unit", A), ("current_password", PASSWORD)];
                let res = form(path, &revoke, false).send().await.expect("request");
                assert_eq!(res.status().as_u16(), 403, "CSRF is checked");
                let wrong = [("thao_tac", "thu-hoi"), ("role", "leader"), ("unit", A), ("current_password", "sai")];
                let res = form(path, &wrong, true).send().await.expect("request");
                assert_eq!(res.status().as_u16(), 403);
                assert!(res.text().await.expect("html").contains("reauth_required"));
                let res = form(path, &revoke, true).send().await.expect("request");
                assert_eq!(res.status().as_u16(), 303);
                let (status, _) = send(victim.bearer(app.client.get(app.url("/api/v1/auth/me")))).await;
                assert_eq!(status, 401, "revocation from the page ends the sessions too");

                let res = form(path, &[("thao_tac", "khoa"), ("current_password", PASSWORD)], true).send().await.expect("request");
                assert_eq!(res.status().as_u16(), 303);
                let html = page(&format!("{path}?xong=khoa")).send().await.expect("request").text().await.expect("html");
                assert!(html.contains("Đã khóa") && html.contains("Thu hồi vai trò") && html.contains("quantri.01279"), "{html}");
                let (status, _) = login(&app, "chuyenvien.01279", PASSWORD).await;
                assert_eq!(status, 401);

                let res = form("/can-bo/mat-khau", &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)], true)
                    .send().await.expect("request");
                assert_eq!(res.status().as_u16(), 303);
                let (status, _) = login(&app, "quantri.01279", NEW_PASSWORD).await;
                assert_eq!(status, 200, "the administrator's own password changed");
                app.finish().await;
            }
        }
    };
}

mod helpers {
    use serde_json::{json, Value};

    use super::common::TestApp;

    pub const A: &str = "04.01279";
    pub const B: &str = "04.01288";
    pub const PASSWORD: &str = "mật khẩu thử nghiệm";
    pub const NEW_PASSWORD: &str = "một mật khẩu mới dài";

    pub struct Session {
        pub token: String,
        pub csrf: String,
    }

    impl Session {
        pub fn bearer(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
            req.bearer_auth(&self.token)
        }

        pub fn cookie(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
            req.header("cookie", format!("motcua_session={}", self.token))
        }
    }

    pub use crate::common::send;

    /// Creates an official (password [`PASSWORD`]) directly in the store.
    pub async fn official(app: &TestApp, username: &str, roles: &[(&str, &str)]) {
        app.create_official(username, PASSWORD, roles).await;
    }

    pub async fn login(app: &TestApp, username: &str, password: &str) -> (u16, Value) {
        send(
            app.client
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({"username": username, "password": password})),
        )
        .await
    }

    pub async fn session(app: &TestApp, username: &str) -> Session {
        let (status, body) = login(app, username, PASSWORD).await;
        assert_eq!(status, 200, "{username}: {body}");
        Session {
            token: body["token"].as_str().expect("a token").to_string(),
            csrf: body["csrf_token"]
                .as_str()
                .expect("a CSRF token")
                .to_string(),
        }
    }

    /// A citizen's session token (logged in by a one-time code).
    pub async fn citizen(app: &TestApp) -> String {
        let phone = json!({"phone": "0912345678"});
        let (status, p) = send(
            app.client
                .post(app.url("/api/v1/auth/otp/request"))
                .json(&phone),
        )
        .await;
        assert_eq!(status, 202, "{p}");
        let contact = motcua_domain::access::Contact::phone("0912345678").expect("phone");
        let code = app.codes.last_code(&contact).expect("a code was sent");
        let (status, p) = send(
            app.client
                .post(app.url("/api/v1/auth/otp/verify"))
                .json(&json!({"phone": "0912345678", "code": code})),
        )
        .await;
        assert_eq!(status, 200, "{p}");
        p["token"].as_str().expect("a token").to_string()
    }

    pub fn counter_submission(unit: &str, name: &str) -> Value {
        json!({
            "procedure": "1.004873",
            "intake": "counter",
            "receiving_unit": unit,
            "applicant": {"name": name, "personal_id": "004190000456"},
            "documents": [{"name_vi": "Tờ khai", "form": "original", "count": 1}]
        })
    }
}

async fn sqlite_fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

account_tests!(sqlite, crate::sqlite_fixture);
account_tests!(postgres, motcua_store_postgres::test_fixture);
