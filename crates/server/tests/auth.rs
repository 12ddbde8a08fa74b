//! Accounts and access over HTTP, against the real application with
//! `insecure_actor_headers` off (as deployed), on SQLite always and on
//! PostgreSQL when `MOTCUA_TEST_DATABASE_URL` is set.

#[allow(dead_code)] // helpers shared with api.rs that these tests do not use
mod common;

macro_rules! auth_tests {
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
            async fn login_me_and_logout() {
                let Some(app) = spawn().await else { return };
                official(&app, "tiepnhan.01279", &[("receiving_officer", A)]).await;
                let res = app
                    .client
                    .post(app.url("/api/v1/auth/login"))
                    .json(&json!({"username": "TiepNhan.01279", "password": PASSWORD}))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 200);
                let cookie = res
                    .headers()
                    .get("set-cookie")
                    .and_then(|v| v.to_str().ok())
                    .expect("a session cookie")
                    .to_string();
                for attr in ["motcua_session=", "HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
                    assert!(cookie.contains(attr), "{attr} in {cookie}");
                }
                let body: serde_json::Value = res.json().await.expect("json");
                let s = Session::of(&body);
                assert!(cookie.contains(&s.token), "the cookie carries the token");
                assert_eq!(body["me"]["user"], "tiepnhan.01279");
                assert_eq!(body["me"]["kind"], "official");
                assert_eq!(body["me"]["roles"], json!([{"role": "receiving_officer", "unit": A}]));

                let (status, me) = send(app.client.get(app.url("/api/v1/auth/me")).bearer_auth(&s.token)).await;
                assert_eq!(status, 200, "{me}");
                assert_eq!(me["csrf_token"], s.csrf.as_str());
                let (status, _) = send(s.cookie(app.client.get(app.url("/api/v1/auth/me")))).await;
                assert_eq!(status, 200, "the cookie works too");

                let (status, p) = send(app.client.get(app.url("/api/v1/auth/me"))).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("authentication_required")));
                let (status, p) = send(app.client.get(app.url("/api/v1/auth/me")).bearer_auth("0".repeat(64))).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("session_expired")));

                let (status, p) = send(s.cookie(app.client.post(app.url("/api/v1/auth/logout")))).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("csrf_failed")), "logout is CSRF-protected");
                let res = s
                    .cookie(app.client.post(app.url("/api/v1/auth/logout")))
                    .header("x-csrf-token", &s.csrf)
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 204);
                let cleared = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
                assert!(cleared.contains("Max-Age=0"), "{cleared}");
                let (status, p) = send(app.client.get(app.url("/api/v1/auth/me")).bearer_auth(&s.token)).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("session_expired")), "the session is gone");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn wrong_passwords_get_401_then_the_username_is_locked() {
                let Some(app) = spawn().await else { return };
                official(&app, "tiepnhan.01279", &[("receiving_officer", A)]).await;
                let (_, unknown) = login(&app, "khong.co.ai", "sai mat khau roi").await;
                for i in 0..5 {
                    let (status, p) = login(&app, "tiepnhan.01279", "sai mat khau roi").await;
                    assert_eq!((status, p["code"].as_str()), (401, Some("invalid_credentials")), "try {i}");
                    assert_eq!(p, unknown, "a wrong password reads like an unknown user");
                    assert!(p["message_vi"].as_str().is_some_and(|m| !m.is_empty()));
                }
                let res = app
                    .client
                    .post(app.url("/api/v1/auth/login"))
                    .json(&json!({"username": "tiepnhan.01279", "password": PASSWORD}))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 429, "locked, even with the right password");
                let retry: u64 = res
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .expect("Retry-After");
                assert!((1..=900).contains(&retry), "{retry}");
                let p: serde_json::Value = res.json().await.expect("json");
                assert_eq!(p["code"], "login_locked");
                let (status, _) = login(&app, "other.official", "whatever-it-is").await;
                assert_eq!(status, 401, "other usernames are not locked");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn unsafe_cookie_requests_need_the_csrf_token() {
                let Some(app) = spawn().await else { return };
                app.import_catalogue().await;
                official(&app, "tiepnhan.01279", &[("receiving_officer", A)]).await;
                let s = session(&app, "tiepnhan.01279").await;
                let submission = counter_submission(A, "Hoàng Văn Ba");
                let (status, p) = send(s.cookie(app.client.post(app.url("/api/v1/dossiers"))).json(&submission)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("csrf_failed")), "{p}");
                assert!(p["message_en"].as_str().is_some_and(|m| !m.is_empty()));
                let (status, p) = send(
                    s.cookie(app.client.post(app.url("/api/v1/dossiers")))
                        .header("x-csrf-token", "f".repeat(64))
                        .json(&submission),
                )
                .await;
                assert_eq!((status, p["code"].as_str()), (403, Some("csrf_failed")), "a wrong token");
                let (status, p) = send(
                    s.cookie(app.client.post(app.url("/api/v1/dossiers")))
                        .header("x-csrf-token", &s.csrf)
                        .json(&submission),
                )
                .await;
                assert_eq!(status, 201, "{p}");
                let (status, p) = send(app.client.post(app.url("/api/v1/dossiers")).bearer_auth(&s.token).json(&submission)).await;
                assert_eq!(status, 201, "bearer requests are exempt: {p}");
                let (status, _) = send(s.cookie(app.client.get(app.url("/api/v1/dossiers")))).await;
                assert_eq!(status, 200, "safe requests need no token");
                let res = s
                    .cookie(app.client.post(app.url("/api/v1/auth/logout")))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("next=%2F&csrf_token={}", s.csrf))
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 204, "the form field works too");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn x_actor_headers_are_refused_by_default() {
                let Some(app) = spawn().await else { return };
                app.import_catalogue().await;
                let (status, p) = app.submit_online("1.004873", None).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("authentication_required")), "{p}");
                for path in ["/api/v1/dossiers", "/api/v1/queues?unit=04.01279&role=specialist", "/api/v1/audit/verify"] {
                    let (status, p) = app.get_json(path).await;
                    assert_eq!((status, p["code"].as_str()), (401, Some("authentication_required")), "{path}");
                }
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_official_of_commune_a_can_neither_see_nor_act_on_commune_b() {
                let Some(app) = spawn().await else { return };
                app.import_catalogue().await;
                official(&app, "tiepnhan.01279", &[("receiving_officer", A)]).await;
                official(&app, "tiepnhan.01288", &[("receiving_officer", B)]).await;
                official(&app, "quantri.04", &[("province_admin", "04")]).await;
                let a = session(&app, "tiepnhan.01279").await;
                let b = session(&app, "tiepnhan.01288").await;
                let province = session(&app, "quantri.04").await;
                let (status, opened) = send(b.bearer(app.client.post(app.url("/api/v1/dossiers"))).json(&counter_submission(B, "Hoàng Thị Bích"))).await;
                assert_eq!(status, 201, "{opened}");
                let code = opened["code"].as_str().expect("a code").to_string();
                let missing = format!("{}-9999", &code[..code.len() - 5]);
                let as_missing = |p: &serde_json::Value| {
                    serde_json::to_string(p).expect("json").replace(&code, &missing)
                };

                // Reading: exactly as if the dossier did not exist.
                for path in ["", "/events"] {
                    let (status, hidden) = send(a.bearer(app.client.get(app.url(&format!("/api/v1/dossiers/{code}{path}"))))).await;
                    let (missing_status, absent) = send(a.bearer(app.client.get(app.url(&format!("/api/v1/dossiers/{missing}{path}"))))).await;
                    assert_eq!((status, hidden["code"].as_str()), (404, Some("dossier_not_found")), "{path}: {hidden}");
                    assert_eq!(missing_status, 404);
                    assert_eq!(as_missing(&hidden), serde_json::to_string(&absent).expect("json"), "{path}");
                }
                let (_, found) = send(a.bearer(app.client.get(app.url("/api/v1/dossiers")))).await;
                assert_eq!(found, json!([]), "not in A's search");
                let (_, found) = send(a.bearer(app.client.get(app.url(&format!("/api/v1/dossiers?unit={B}&code={code}"))))).await;
                assert_eq!(found, json!([]), "not even when asked for");
                let (status, p) = send(a.bearer(app.client.get(app.url(&format!("/api/v1/queues?unit={B}&role=receiving_officer"))))).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")));

                // Acting: 404, not 403 wrong_unit (which would tell it exists).
                let accept = json!({"action": "accept", "pages_digitized": 1});
                let (status, hidden) = send(a.bearer(app.client.post(app.url(&format!("/api/v1/dossiers/{code}/actions")))).json(&accept)).await;
                let (_, absent) = send(a.bearer(app.client.post(app.url(&format!("/api/v1/dossiers/{missing}/actions")))).json(&accept)).await;
                assert_eq!((status, hidden["code"].as_str()), (404, Some("dossier_not_found")), "{hidden}");
                assert_eq!(as_missing(&hidden), serde_json::to_string(&absent).expect("json"));
                let res = a
                    .bearer(app.client.post(app.url(&format!("/api/v1/dossiers/{code}/documents?name=Scan&kind=digitized"))))
                    .header("content-type", "application/octet-stream")
                    .body(PDF.to_vec())
                    .send()
                    .await
                    .expect("request");
                assert_eq!(res.status().as_u16(), 404, "no upload either");

                // B sees and acts; the province administrator sees but only reads.
                let (status, view) = send(b.bearer(app.client.get(app.url(&format!("/api/v1/dossiers/{code}"))))).await;
                assert_eq!(status, 200, "{view}");
                assert_eq!(view["version"], 1, "A's attempts changed nothing");
                let (_, queue) = send(b.bearer(app.client.get(app.url(&format!("/api/v1/queues?unit={B}&role=receiving_officer"))))).await;
                assert_eq!(queue.as_array().map(Vec::len), Some(1));
                let (status, p) = send(province.bearer(app.client.get(app.url(&format!("/api/v1/dossiers/{code}"))))).await;
                assert_eq!(status, 200, "{p}");
                let (_, found) = send(province.bearer(app.client.get(app.url("/api/v1/dossiers")))).await;
                assert_eq!(found.as_array().map(Vec::len), Some(1));
                let (status, p) = send(province.bearer(app.client.post(app.url(&format!("/api/v1/dossiers/{code}/actions")))).json(&accept)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("read_only")), "{p}");
                let (status, audit) = send(province.bearer(app.client.get(app.url("/api/v1/audit/verify")))).await;
                assert_eq!(status, 200, "{audit}");
                let (status, p) = send(a.bearer(app.client.get(app.url("/api/v1/audit/verify")))).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")));
                let (status, p) = send(b.bearer(app.client.post(app.url(&format!("/api/v1/dossiers/{code}/actions")))).json(&accept)).await;
                assert_eq!(status, 200, "{p}");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_citizen_logs_in_by_code_and_sees_only_their_own_dossiers() {
                let Some(app) = spawn().await else { return };
                app.import_catalogue().await;
                let first = citizen(&app, json!({"phone": "0912 345 678"}), "0912345678").await;
                let second = citizen(&app, json!({"email": "Chi.Hoang@Example.vn"}), "email:chi.hoang@example.vn").await;
                let (status, mine) = send(first.bearer(app.client.post(app.url("/api/v1/dossiers"))).json(&online_submission(A, "Nông Thị Minh Trang"))).await;
                assert_eq!(status, 201, "{mine}");
                let mine = mine["code"].as_str().expect("code").to_string();
                let (status, theirs) = send(second.bearer(app.client.post(app.url("/api/v1/dossiers"))).json(&online_submission(A, "Hoàng Thị Chi"))).await;
                assert_eq!(status, 201, "{theirs}");
                let theirs = theirs["code"].as_str().expect("code").to_string();

                let (_, found) = send(first.bearer(app.client.get(app.url("/api/v1/dossiers")))).await;
                let codes: Vec<&str> = found.as_array().expect("list").iter().filter_map(|d| d["code"].as_str()).collect();
                assert_eq!(codes, [mine.as_str()]);
                let (status, view) = send(first.bearer(app.client.get(app.url(&format!("/api/v1/dossiers/{mine}"))))).await;
                assert_eq!(status, 200);
                assert_eq!(view["dossier"]["applicant"]["user"], first.user.as_str());
                let (status, p) = send(first.bearer(app.client.get(app.url(&format!("/api/v1/dossiers/{theirs}"))))).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("dossier_not_found")));
                let (status, p) = send(first.bearer(app.client.post(app.url(&format!("/api/v1/dossiers/{theirs}/actions")))).json(&json!({"action": "withdraw", "reason": "x"}))).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("dossier_not_found")));
                let (status, p) = send(first.bearer(app.client.get(app.url(&format!("/api/v1/queues?unit={A}&role=specialist"))))).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")));

                // The same contact logs in to the same account.
                let again = citizen(&app, json!({"phone": "+84912345678"}), "0912345678").await;
                assert_eq!(again.user, first.user);
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn one_time_codes_are_checked() {
                let Some(app) = spawn().await else { return };
                let phone = json!({"phone": "0987654321"});
                let (status, p) = send(app.client.post(app.url("/api/v1/auth/otp/request")).json(&json!({"phone": "12345"}))).await;
                assert_eq!((status, p["code"].as_str()), (400, Some("invalid_contact")));
                let (status, p) = send(app.client.post(app.url("/api/v1/auth/otp/request")).json(&phone)).await;
                assert_eq!(status, 202, "{p}");
                assert_eq!(p["sent_to"], "+84******321");
                assert_eq!(p["expires_in_seconds"], 300);
                let (status, p) = send(app.client.post(app.url("/api/v1/auth/otp/request")).json(&phone)).await;
                assert_eq!((status, p["code"].as_str()), (429, Some("otp_too_soon")));
                let code = app.codes.last_code(&contact("0987654321")).expect("a code was sent");
                assert_eq!(app.codes.count(), 1);
                let wrong = if code == "000000" { "111111" } else { "000000" };
                let (status, p) = send(app.client.post(app.url("/api/v1/auth/otp/verify")).json(&json!({"phone": "0987654321", "code": wrong}))).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("otp_invalid")));
                let (status, p) = send(app.client.post(app.url("/api/v1/auth/otp/verify")).json(&json!({"phone": "0987654321", "code": code}))).await;
                assert_eq!(status, 200, "{p}");
                assert_eq!(p["me"]["kind"], "citizen");
                assert_eq!(p["me"]["contact"], "+84******321");
                let (status, p) = send(app.client.post(app.url("/api/v1/auth/otp/verify")).json(&json!({"phone": "0987654321", "code": code}))).await;
                assert_eq!((status, p["code"].as_str()), (401, Some("otp_invalid")), "used once");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn public_tracking_hides_personal_data() {
                let Some(app) = spawn().await else { return };
                app.import_catalogue().await;
                let owner = citizen(&app, json!({"phone": "0912345678"}), "0912345678").await;
                let other = citizen(&app, json!({"phone": "0912345679"}), "0912345679").await;
                let (status, opened) = send(owner.bearer(app.client.post(app.url("/api/v1/dossiers"))).json(&online_submission(A, "Nông Thị Minh Trang"))).await;
                assert_eq!(status, 201, "{opened}");
                let code = opened["code"].as_str().expect("code").to_string();
                let path = format!("/api/v1/track/{code}");

                for who in [None, Some(&other)] {
                    let req = app.client.get(app.url(&path));
                    let req = match who { Some(s) => s.bearer(req), None => req };
                    let (status, public) = send(req).await;
                    assert_eq!(status, 200, "{public}");
                    assert_eq!(public["code"], code.as_str());
                    assert_eq!(public["status_code"], 1);
                    assert!(public["submitted_at"].as_str().is_some_and(|t| t.ends_with("+07:00")));
                    let text = public.to_string();
                    for secret in ["Nông", "Minh Trang", "004190000123", "applicant", "citizen:", "dossier\""] {
                        assert!(!text.contains(secret), "{secret} in {text}");
                    }
                }
                let (status, full) = send(owner.bearer(app.client.get(app.url(&path)))).await;
                assert_eq!(status, 200);
                assert_eq!(full["dossier"]["dossier"]["applicant"]["name"], "Nông Thị Minh Trang", "the applicant sees it all");
                let missing = format!("{}-9999", &code[..code.len() - 5]);
                let (status, p) = app.get_json(&format!("/api/v1/track/{missing}")).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("dossier_not_found")));
                let (status, p) = app.get_json("/api/v1/track/not-a-code").await;
                assert_eq!((status, p["code"].as_str()), (400, Some("invalid_dossier_code")));
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn administrators_create_officials_within_their_scope() {
                let Some(app) = spawn().await else { return };
                assert!(motcua_server::auth::bootstrap::ensure_first_admin(app.store(), Some("mật khẩu quản trị")).await.expect("bootstrap"));
                assert!(!motcua_server::auth::bootstrap::ensure_first_admin(app.store(), Some("mật khẩu quản trị")).await.expect("bootstrap"), "only the first time");
                let (status, body) = login(&app, "admin", "mật khẩu quản trị").await;
                assert_eq!(status, 200, "{body}");
                let admin = Session::of(&body);
                let create = |s: &Session, username: &str, role: &str, unit: &str, password: &str| {
                    let own = if s.user == "admin" { "mật khẩu quản trị" } else { PASSWORD };
                    s.bearer(app.client.post(app.url("/api/v1/officials"))).json(&json!({
                        "username": username, "display_name": format!("Cán bộ {username}"),
                        "password": password, "roles": [{"role": role, "unit": unit}],
                        "current_password": own
                    }))
                };
                let (status, p) = send(create(&admin, "quantri.01279", "unit_admin", A, PASSWORD)).await;
                assert_eq!(status, 201, "{p}");
                assert_eq!(p["roles"], json!([{"role": "unit_admin", "unit": A}]));
                let (status, p) = send(create(&admin, "quantri.01279", "unit_admin", A, PASSWORD)).await;
                assert_eq!((status, p["code"].as_str()), (409, Some("official_exists")));
                let (status, p) = send(create(&admin, "ngoai.tinh", "specialist", "40.01279", PASSWORD)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "outside the province");

                let unit_admin = session(&app, "quantri.01279").await;
                let (status, p) = send(create(&unit_admin, "chuyenvien.01279", "specialist", A, PASSWORD)).await;
                assert_eq!(status, 201, "{p}");
                let (status, p) = send(create(&unit_admin, "chuyenvien.01288", "specialist", B, PASSWORD)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "another commune");
                let (status, p) = send(create(&unit_admin, "quantri.tinh", "province_admin", "04", PASSWORD)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")));
                let (status, p) = send(create(&unit_admin, "vanthu.01279", "clerical", A, "ngan")).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("weak_password")));
                let (status, p) = send(create(&unit_admin, "Bad Name", "clerical", A, PASSWORD)).await;
                assert_eq!((status, p["code"].as_str()), (400, Some("invalid_username")));
                let (status, p) = send(create(&unit_admin, "vanthu.01279", "pilot", A, PASSWORD)).await;
                assert_eq!((status, p["code"].as_str()), (400, Some("invalid_role")));

                let specialist = session(&app, "chuyenvien.01279").await;
                let (status, p) = send(create(&specialist, "x.01279", "specialist", A, PASSWORD)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "not an administrator");
                let (status, p) = send(unit_admin.bearer(app.client.post(app.url("/api/v1/officials/chuyenvien.01279/roles"))).json(&json!({"roles": [{"role": "department_head", "unit": A}], "current_password": PASSWORD}))).await;
                assert_eq!(status, 200, "{p}");
                assert_eq!(p["roles"].as_array().map(Vec::len), Some(2));
                let (status, p) = send(unit_admin.bearer(app.client.post(app.url("/api/v1/officials/nobody.here/roles"))).json(&json!({"roles": [{"role": "clerical", "unit": A}], "current_password": PASSWORD}))).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("official_not_found")));
                let (status, _) = send(app.client.post(app.url("/api/v1/officials")).json(&json!({}))).await;
                assert_eq!(status, 401);

                // Only a province administrator imports the catalogue.
                let catalogue = include_str!("../../../data/procedures/catalogue_caobang.json");
                let import = |s: &Session| {
                    s.bearer(app.client.post(app.url("/api/v1/procedures/import")))
                        .header("content-type", "application/json")
                        .body(catalogue)
                };
                let (status, p) = send(import(&unit_admin)).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "{p}");
                let (status, p) = send(import(&admin)).await;
                assert_eq!(status, 200, "{p}");
                let (status, _) = send(app.client.post(app.url("/api/v1/procedures/import")).body(catalogue)).await;
                assert_eq!(status, 401);

                // Two acting roles now: the request says which.
                let specialist = session(&app, "chuyenvien.01279").await;
                let (status, p) = send(specialist.bearer(app.client.post(app.url("/api/v1/dossiers"))).json(&counter_submission(A, "X"))).await;
                assert_eq!((status, p["code"].as_str()), (400, Some("acting_role_required")), "{p}");
                assert_eq!(p["extra"]["choices"].as_array().map(Vec::len), Some(2));
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn demo_officials_can_log_in() {
                let Some(app) = spawn().await else { return };
                let made = motcua_server::auth::bootstrap::ensure_demo_accounts(app.store(), None).await.expect("demo");
                assert!(made.default_password);
                assert_eq!(made.created, made.usernames.len());
                assert!(made.usernames.iter().any(|u| u == "tiepnhan.01279"));
                let again = motcua_server::auth::bootstrap::ensure_demo_accounts(app.store(), None).await.expect("demo");
                assert_eq!(again.created, 0, "idempotent");
                let (status, body) = login(&app, "tiepnhan.01279", motcua_server::auth::bootstrap::DEFAULT_DEMO_PASSWORD).await;
                assert_eq!(status, 200, "{body}");
                assert_eq!(body["me"]["roles"], json!([{"role": "receiving_officer", "unit": A}]));
                let (status, body) = login(&app, "quantri.04", motcua_server::auth::bootstrap::DEFAULT_DEMO_PASSWORD).await;
                assert_eq!(status, 200, "{body}");
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
    pub const PDF: &[u8] =
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

    pub struct Session {
        pub token: String,
        pub csrf: String,
        pub user: String,
    }

    impl Session {
        pub fn of(body: &Value) -> Session {
            Session {
                token: body["token"].as_str().expect("a token").to_string(),
                csrf: body["csrf_token"]
                    .as_str()
                    .expect("a CSRF token")
                    .to_string(),
                user: body["me"]["user"].as_str().expect("a user").to_string(),
            }
        }

        pub fn bearer(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
            req.bearer_auth(&self.token)
        }

        pub fn cookie(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
            req.header("cookie", format!("lang=vi; motcua_session={}", self.token))
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
        Session::of(&body)
    }

    pub fn contact(s: &str) -> motcua_domain::access::Contact {
        match s.strip_prefix("email:") {
            Some(e) => motcua_domain::access::Contact::email(e).expect("email"),
            None => motcua_domain::access::Contact::phone(s).expect("phone"),
        }
    }

    /// Logs a citizen in with the code "sent" to them.
    pub async fn citizen(app: &TestApp, who: Value, contact_text: &str) -> Session {
        let (status, p) = send(
            app.client
                .post(app.url("/api/v1/auth/otp/request"))
                .json(&who),
        )
        .await;
        assert_eq!(status, 202, "{p}");
        let code = app
            .codes
            .last_code(&contact(contact_text))
            .expect("a code was sent");
        let mut body = who.clone();
        body["code"] = json!(code);
        let (status, p) = send(
            app.client
                .post(app.url("/api/v1/auth/otp/verify"))
                .json(&body),
        )
        .await;
        assert_eq!(status, 200, "{p}");
        Session::of(&p)
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

    pub fn online_submission(unit: &str, name: &str) -> Value {
        json!({
            "procedure": "1.004873",
            "intake": "online",
            "receiving_unit": unit,
            "applicant": {"name": name, "personal_id": "004190000123"},
            "documents": [{"name_vi": "Tờ khai", "form": "original", "count": 1}]
        })
    }
}

async fn sqlite_fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

auth_tests!(sqlite, crate::sqlite_fixture);
auth_tests!(postgres, motcua_store_postgres::test_fixture);
