//! Appointments and queue tickets over HTTP, against the real application
//! on SQLite always and on PostgreSQL when `MOTCUA_TEST_DATABASE_URL` is
//! set. Officials act through the development `X-Actor-*` headers.

#[allow(dead_code)] // helpers shared with the other test binaries
mod common;

use serde_json::{json, Value};

use common::lifecycle::UNIT;
use common::TestApp;

const BIRTH: &str = "1.001193";
const OFFICER: (&str, &str, Option<&str>) = ("receiving_officer", "tiepnhan.01279", Some(UNIT));

async fn send(req: reqwest::RequestBuilder) -> (u16, Value) {
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The first open day at least two days ahead, and its slots.
async fn open_day(app: &TestApp) -> (String, Vec<Value>) {
    let today = motcua_domain::dossier::vietnam_date(chrono::Utc::now());
    for ahead in 2..20 {
        let day = today + chrono::Duration::days(ahead);
        let (status, body) = app
            .get_json(&format!(
                "/api/v1/centers/{UNIT}/slots?date={day}&procedure={BIRTH}"
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        if body["open"] == true {
            let slots = body["slots"].as_array().cloned().unwrap_or_default();
            return (day.to_string(), slots);
        }
    }
    panic!("no open day in the next weeks");
}

/// The first closed day (weekend) ahead.
fn closed_day() -> chrono::NaiveDate {
    use chrono::Datelike;
    let mut d =
        motcua_domain::dossier::vietnam_date(chrono::Utc::now()) + chrono::Duration::days(1);
    while d.weekday() != chrono::Weekday::Sat {
        d += chrono::Duration::days(1);
    }
    d
}

async fn slot(app: &TestApp, day: &str, start: &str) -> Value {
    let (_, body) = app
        .get_json(&format!("/api/v1/centers/{UNIT}/slots?date={day}"))
        .await;
    body["slots"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["start"] == start).cloned())
        .expect("the slot is listed")
}

async fn book(app: &TestApp, start: &str, name: &str, key: Option<&str>) -> (u16, Value) {
    book_by(app, start, name, "0912 345 678", key).await
}

/// A booking by `phone` (each phone number books at most 2 a day).
async fn book_by(
    app: &TestApp,
    start: &str,
    name: &str,
    phone: &str,
    key: Option<&str>,
) -> (u16, Value) {
    let email = Value::from(match phone {
        "0912 345 678" => "lan.nguyen@example.vn".to_string(),
        other => format!("{}@example.vn", other.replace(' ', "")),
    });
    let mut req = app
        .client
        .post(app.url("/api/v1/appointments"))
        .json(&json!({
            "unit": UNIT, "procedure": BIRTH, "start": start, "name": name,
            "phone": phone, "email": email
        }));
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    send(req).await
}

/// The holder's token of a booking's answer: 32 hex digits.
fn token(booking: &Value) -> String {
    let t = booking["token"].as_str().expect("the answer has the token");
    assert!(
        t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()),
        "{t}"
    );
    t.to_string()
}

/// Logs a citizen in by a one-time code sent to `phone`; the bearer token.
async fn citizen_token(app: &TestApp, phone: &str) -> String {
    let (status, p) = send(
        app.client
            .post(app.url("/api/v1/auth/otp/request"))
            .json(&json!({"phone": phone})),
    )
    .await;
    assert_eq!(status, 202, "{p}");
    let code = app
        .codes
        .last_code(&motcua_domain::access::Contact::phone(phone).expect("phone"))
        .expect("a code was sent");
    let (status, p) = send(
        app.client
            .post(app.url("/api/v1/auth/otp/verify"))
            .json(&json!({"phone": phone, "code": code})),
    )
    .await;
    assert_eq!(status, 200, "{p}");
    p["token"].as_str().expect("a session token").to_string()
}

async fn status_of(app: &TestApp, code: &str, t: Option<&str>) -> Value {
    let mut req = app
        .client
        .get(app.url(&format!("/api/v1/appointments/{code}")));
    if let Some(t) = t {
        req = req.header("x-booking-token", t);
    }
    let (status, b) = send(req).await;
    assert_eq!(status, 200, "{b}");
    b["status"].clone()
}

const PASSWORD: &str = "mật khẩu thử nghiệm";

/// Creates an official with `roles` in the store and logs in; returns the
/// bearer token.
async fn official_token(app: &TestApp, username: &str, roles: &[(&str, &str)]) -> String {
    use motcua_domain::access::{Assignment, StaffRole, Username};
    use motcua_domain::dossier::UnitId;
    let assignments = roles
        .iter()
        .map(|(r, u)| {
            Assignment::new(
                StaffRole::parse(r).expect("role"),
                UnitId::parse(u).expect("unit"),
            )
            .expect("assignment")
        })
        .collect();
    let new = motcua_store::NewOfficial {
        username: Username::parse(username).expect("username"),
        display_name: format!("Cán bộ {username}"),
        password_hash: motcua_server::auth::secret::hash_password(PASSWORD)
            .await
            .expect("hash"),
        assignments,
    };
    app.store()
        .create_official(&new, chrono::Utc::now())
        .await
        .expect("create official");
    let (status, body) = send(
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().expect("a token").to_string()
}

macro_rules! appointment_tests {
    ($backend:ident, $factory:path) => {
        mod $backend {
            use super::*;

            async fn spawn() -> Option<TestApp> {
                let fixture = $factory().await?;
                let app = TestApp::spawn(fixture).await;
                app.import_catalogue().await;
                Some(app)
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn book_shows_in_slots_cancel_restores_and_rebook_moves() {
                let Some(app) = spawn().await else { return };
                let (day, slots) = open_day(&app).await;
                assert_eq!(slots.len(), 32, "two 4-hour periods of 15-minute slots");
                assert_eq!(slots[0]["capacity"], 2);
                assert_eq!(slots[0]["free"], 2);
                let start = slots[0]["start"].as_str().expect("start").to_string();
                assert!(start.ends_with("+07:00"), "{start}");

                let (status, a) = book(&app, &start, "Nguyễn Thị Lan", None).await;
                assert_eq!(status, 201, "{a}");
                let code = a["code"].as_str().expect("code").to_string();
                assert!(code.starts_with("LH-"), "{code}");
                assert_eq!(a["status"], "booked");
                assert_eq!(a["phone"], "+8491*****78", "contacts are masked");
                assert_eq!(slot(&app, &day, &start).await["free"], 1);

                let (status, b) = book_by(&app, &start, "Trần Văn Nam", "0987 111 222", Some("key-1")).await;
                assert_eq!(status, 201, "{b}");
                let (status, replay) = book_by(&app, &start, "Trần Văn Nam", "0987 111 222", Some("key-1")).await;
                assert_eq!(status, 200, "a retry with the key returns the booking: {replay}");
                assert_eq!(replay["code"], b["code"]);
                assert_eq!(replay["token"], Value::Null, "a short key's replay cannot tell the token");
                let s = slot(&app, &day, &start).await;
                assert_eq!((s["taken"].clone(), s["free"].clone(), s["bookable"].clone()), (json!(2), json!(0), json!(false)));

                let (status, full) = book_by(&app, &start, "Lê Văn C", "0977 333 444", None).await;
                assert_eq!((status, full["code"].as_str()), (409, Some("slot_full")));

                let t = token(&a);
                let (status, got) = app.get_json(&format!("/api/v1/appointments/{code}?t={t}")).await;
                assert_eq!((status, got["status"].as_str()), (200, Some("booked")));
                assert_eq!(got["token"], Value::Null, "the token is shown only when booked");
                let (status, c) = send(app.client.post(app.url(&format!("/api/v1/appointments/{code}/cancel?t={t}")))).await;
                assert_eq!((status, c["status"].as_str()), (200, Some("cancelled")), "{c}");
                assert_eq!(slot(&app, &day, &start).await["free"], 1, "cancel frees the seat");
                let (status, again) = send(app.client.post(app.url(&format!("/api/v1/appointments/{code}/cancel?t={t}")))).await;
                assert_eq!((status, again["code"].as_str()), (409, Some("booking_not_active")));

                let reminders = app
                    .store()
                    .notifications(&motcua_store::outbox::OutboxQuery::default())
                    .await
                    .expect("outbox");
                let of = |c: &str| reminders.iter().filter(|n| n.payload.booking_code.as_deref() == Some(c)).collect::<Vec<_>>();
                assert_eq!(of(&code).len(), 2, "a reminder per channel");
                assert!(of(&code).iter().all(|n| n.status == motcua_store::outbox::OutboxStatus::Failed), "withdrawn on cancel");
                let b_code = b["code"].as_str().expect("code").to_string();
                assert!(of(&b_code).iter().all(|n| n.status == motcua_store::outbox::OutboxStatus::Pending
                    && n.kind == motcua_store::outbox::NotificationKind::AppointmentReminder));

                let next = slots[1]["start"].as_str().expect("start");
                let b_token = token(&b);
                let (status, moved) = send(app.client.post(app.url(&format!("/api/v1/appointments/{b_code}/rebook")))
                    .header("x-booking-token", &b_token).json(&json!({"start": next}))).await;
                assert_eq!(status, 201, "{moved}");
                assert_eq!(moved["start"], next);
                assert_ne!(moved["code"], b["code"]);
                let new_token = token(&moved);
                assert_ne!(new_token, b_token, "the new booking has a new token");
                let (_, old) = app.get_json(&format!("/api/v1/appointments/{b_code}?t={b_token}")).await;
                assert_eq!(old["status"], "cancelled");
                let moved_code = moved["code"].as_str().expect("code");
                let (status, _) = app.get_json(&format!("/api/v1/appointments/{moved_code}?t={b_token}")).await;
                assert_eq!(status, 404, "the old token does not open the new booking");
                let (status, _) = app.get_json(&format!("/api/v1/appointments/{moved_code}?t={new_token}")).await;
                assert_eq!(status, 200);
                assert_eq!(slot(&app, &day, &start).await["free"], 2);
                assert_eq!(slot(&app, &day, next).await["free"], 1);
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn without_the_token_a_booking_is_not_found_and_not_cancelled() {
                let Some(app) = spawn().await else { return };
                let (_, slots) = open_day(&app).await;
                let start = slots[0]["start"].as_str().expect("start");
                let (status, a) = book(&app, start, "Nguyễn Thị Lan", None).await;
                assert_eq!(status, 201, "{a}");
                let code = a["code"].as_str().expect("code");
                let t = token(&a);
                let missing = app.get_json("/api/v1/appointments/LH-260315-7K3Q").await;
                assert_eq!((missing.0, missing.1["code"].as_str()), (404, Some("booking_not_found")));

                let wrong = "0123456789abcdef0123456789abcdef";
                for url in [format!("/api/v1/appointments/{code}"), format!("/api/v1/appointments/{code}?t={wrong}"),
                            format!("/api/v1/appointments/{code}?t=abc")] {
                    let (status, p) = app.get_json(&url).await;
                    assert_eq!((status, p.clone()), missing.clone(), "{url}: told as a missing booking");
                }
                let cancel = |q: String| send(app.client.post(app.url(&format!("/api/v1/appointments/{code}/cancel{q}"))));
                let (status, p) = cancel(String::new()).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("booking_not_found")), "{p}");
                let (status, p) = cancel(format!("?t={wrong}")).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("booking_not_found")), "{p}");
                let (status, p) = send(app.client.post(app.url(&format!("/api/v1/appointments/{code}/rebook")))
                    .json(&json!({"start": slots[1]["start"]}))).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("booking_not_found")), "{p}");
                let stored = app.store().booking(&motcua_domain::appointments::BookingCode::parse(code).expect("code"))
                    .await.expect("read").expect("still there");
                assert_eq!(stored.status, motcua_domain::appointments::BookingStatus::Booked);
                assert_eq!(stored.token_hash.as_deref(), Some(motcua_domain::appointments::BookingToken::parse(&t).expect("token").hash().as_str()),
                    "the store keeps the token's SHA-256");
                assert_ne!(stored.token_hash.as_deref(), Some(t.as_str()), "never the token itself");

                assert_eq!(status_of(&app, code, Some(&t)).await, "booked");
                let (status, c) = cancel(format!("?t={}", t.to_uppercase())).await;
                assert_eq!((status, c["status"].as_str()), (200, Some("cancelled")), "{c}");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_holders_session_and_the_centers_officials_reach_the_booking() {
                let Some(app) = spawn().await else { return };
                let (_, slots) = open_day(&app).await;
                let start = |i: usize| slots[i]["start"].as_str().expect("start").to_string();
                let (_, a) = book_by(&app, &start(0), "Nguyễn Thị Lan", "0912 345 678", None).await;
                let (_, b) = book_by(&app, &start(1), "Nguyễn Thị Lan", "0912 345 678", None).await;
                let (a_code, b_code) = (a["code"].as_str().expect("code"), b["code"].as_str().expect("code"));

                let holder = citizen_token(&app, "0912345678").await;
                let stranger = citizen_token(&app, "0988777666").await;
                let get = |code: &str, bearer: &str| send(app.client.get(app.url(&format!("/api/v1/appointments/{code}"))).bearer_auth(bearer));
                let cancel = |code: &str, bearer: &str| send(app.client.post(app.url(&format!("/api/v1/appointments/{code}/cancel"))).bearer_auth(bearer));
                let (status, p) = get(a_code, &stranger).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("booking_not_found")), "another citizen: {p}");
                let (status, p) = cancel(a_code, &stranger).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("booking_not_found")));
                let (status, p) = get(a_code, &holder).await;
                assert_eq!((status, p["status"].as_str()), (200, Some("booked")), "{p}");
                let (status, p) = cancel(a_code, &holder).await;
                assert_eq!((status, p["status"].as_str()), (200, Some("cancelled")), "the holder's session cancels: {p}");

                let officer = official_token(&app, "tiepnhan.01279", &[("receiving_officer", UNIT)]).await;
                let elsewhere = official_token(&app, "tiepnhan.01273", &[("receiving_officer", "04.01273")]).await;
                let (status, p) = get(b_code, &elsewhere).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("booking_not_found")), "another Center's officer: {p}");
                let (status, p) = cancel(b_code, &elsewhere).await;
                assert_eq!(status, 404, "{p}");
                let (status, p) = get(b_code, &officer).await;
                assert_eq!((status, p["status"].as_str()), (200, Some("booked")), "{p}");
                let (status, p) = send(app.client.post(app.url(&format!("/api/v1/appointments/{b_code}/rebook")))
                    .bearer_auth(&officer).json(&json!({"start": start(2)}))).await;
                assert_eq!(status, 201, "the Center's officer rebooks: {p}");
                let moved = p["code"].as_str().expect("code");
                let (status, p) = cancel(moved, &officer).await;
                assert_eq!((status, p["status"].as_str()), (200, Some("cancelled")), "{p}");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn one_contact_books_at_most_two_a_day_even_in_parallel() {
                let Some(app) = spawn().await else { return };
                let (_, slots) = open_day(&app).await;
                let starts: Vec<String> = slots.iter().take(10).map(|s| s["start"].as_str().expect("start").to_string()).collect();
                let mut tasks = tokio::task::JoinSet::new();
                for (i, s) in starts.iter().enumerate() {
                    let (client, url) = (app.client.clone(), app.url("/api/v1/appointments"));
                    let body = json!({"unit": UNIT, "procedure": BIRTH, "start": s, "name": format!("Người đặt {i}"),
                                      "phone": "0933 444 555"});
                    tasks.spawn(async move { send(client.post(url).json(&body)).await });
                }
                let results: Vec<(u16, Value)> = tasks.join_all().await;
                let booked = results.iter().filter(|(s, _)| *s == 201).count();
                assert_eq!(booked, 2, "{results:?}");
                for (status, p) in results.iter().filter(|(s, _)| *s != 201) {
                    assert_eq!((*status, p["code"].as_str()), (429, Some("booking_limit_reached")), "{p}");
                    assert!(p["message_vi"].as_str().is_some_and(|m| m.contains("trong ngày")), "{p}");
                }
                let mut taken = 0;
                for s in &starts {
                    taken += slot(&app, &starts[0][..10], s).await["taken"].as_u64().unwrap_or(0);
                }
                assert_eq!(taken, 2, "the refused took no seat");
                let (status, p) = book_by(&app, &starts[3], "Người khác", "0944 555 666", None).await;
                assert_eq!(status, 201, "another number books: {p}");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn look_ups_by_code_are_rate_limited_per_client() {
                let Some(fixture) = $factory().await else { return };
                let limits = motcua_server::api::appointments::BookingLimits {
                    lookups_per_minute: 1,
                    lookup_burst: 3,
                    ..Default::default()
                };
                let app = TestApp::spawn_configured(fixture, |s| s.with_booking_limits(limits)).await;
                app.import_catalogue().await;
                for i in 0..3 {
                    let (status, p) = app.get_json(&format!("/api/v1/appointments/LH-260315-7K3{}", ["Q", "R", "S"][i])).await;
                    assert_eq!(status, 404, "{p}");
                }
                let (status, p) = app.get_json("/api/v1/appointments/LH-260315-7K3T").await;
                assert_eq!((status, p["code"].as_str()), (429, Some("too_many_lookups")), "{p}");
                assert!(p["message_vi"].as_str().is_some_and(|m| m.contains("tra cứu")));
                let (status, p) = send(app.client.post(app.url("/api/v1/appointments/LH-260315-7K3T/cancel"))).await;
                assert_eq!((status, p["code"].as_str()), (429, Some("too_many_lookups")), "cancel counts too: {p}");
                let page = app.client.get(app.url("/dat-lich/LH-260315-7K3T")).send().await.expect("request");
                assert_eq!(page.status().as_u16(), 429, "the page counts too");
                let (status, _) = app.get_json(&format!("/api/v1/centers/{UNIT}/slots")).await;
                assert_eq!(status, 200, "other routes are not limited");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_reminder_carries_the_link_with_the_token() {
                let Some(app) = spawn().await else { return };
                let (_, slots) = open_day(&app).await;
                let start = slots[0]["start"].as_str().expect("start");
                let key = "5f0c9a4e-2b7d-4c1e-9a8f-3d6b2e1f0a9c";
                let (status, a) = book(&app, start, "Nguyễn Thị Lan", Some(key)).await;
                assert_eq!(status, 201, "{a}");
                let (code, t) = (a["code"].as_str().expect("code"), token(&a));
                let (status, replay) = book(&app, start, "Nguyễn Thị Lan", Some(key)).await;
                assert_eq!((status, replay["token"].as_str()), (200, Some(t.as_str())), "a retry with a long key gets the token again");
                let rows = app.store().notifications(&motcua_store::outbox::OutboxQuery::default()).await.expect("outbox");
                let rows: Vec<_> = rows.into_iter().filter(|n| n.payload.booking_code.as_deref() == Some(code)).collect();
                assert_eq!(rows.len(), 2, "SMS and e-mail");
                let ctx = motcua_notify::TemplateContext {
                    booking_url: "https://dichvucong.example.vn/dat-lich/{code}?t={token}".into(),
                    ..Default::default()
                };
                let link = format!("https://dichvucong.example.vn/dat-lich/{code}?t={t}");
                for n in &rows {
                    let r = motcua_notify::render(n, &ctx);
                    match n.channel {
                        motcua_store::outbox::DeliveryChannel::Sms => assert!(r.sms.contains(&link), "{}", r.sms),
                        _ => assert!(r.text.contains(&link), "{}", r.text),
                    }
                }
                let path = link.trim_start_matches("https://dichvucong.example.vn");
                let page = app.client.get(app.url(path)).send().await.expect("request");
                assert_eq!(page.status().as_u16(), 200, "the link opens the booking's page");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn refusals_have_stable_codes() {
                let Some(app) = spawn().await else { return };
                let (day, _) = open_day(&app).await;
                let yesterday = motcua_domain::dossier::vietnam_date(chrono::Utc::now()) - chrono::Duration::days(1);
                let cases = [
                    (format!("{yesterday}T08:00"), 422, "slot_in_past"),
                    (format!("{}T08:00", closed_day()), 422, "center_closed"),
                    (format!("{day}T12:00"), 422, "slot_outside_hours"),
                    (format!("{day}T08:05"), 422, "slot_outside_hours"),
                    ("tomorrow".to_string(), 400, "invalid_start"),
                ];
                for (start, want_status, want_code) in cases {
                    let (status, p) = book(&app, &start, "Nguyễn Văn A", None).await;
                    assert_eq!((status, p["code"].as_str()), (want_status, Some(want_code)), "{start}: {p}");
                    assert!(p["message_vi"].is_string() && p["message_en"].is_string());
                }
                let post = |body: Value| send(app.client.post(app.url("/api/v1/appointments")).json(&body));
                let base = json!({"unit": UNIT, "procedure": "1.004222", "start": format!("{day}T08:00"),
                                  "name": "Nguyễn Văn A", "phone": "0912345678", "home": "04.01273"});
                let (status, p) = post(base.clone()).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("wrong_center")), "{p}");
                let mut province = base.clone();
                province["procedure"] = json!("2.001610");
                province["home"] = json!("01.00004");
                let (status, p) = post(province).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("wrong_center")), "boundary-free, other province: {p}");
                let mut other = base.clone();
                other["unit"] = json!("04.99999");
                let (status, p) = post(other).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("center_not_found")));
                let mut no_contact = base.clone();
                no_contact["phone"] = Value::Null;
                no_contact["home"] = json!(UNIT);
                let (status, p) = post(no_contact).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("contact_required")));
                let (status, p) = app.get_json(&format!("/api/v1/centers/{UNIT}/slots?date={day}&procedure=1.004222&home=04.01273")).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("wrong_center")));
                let (status, p) = app.get_json(&format!("/api/v1/centers/{UNIT}/slots?date={}", closed_day())).await;
                assert_eq!((status, p["open"].clone(), p["slots"].as_array().map(Vec::len)), (200, json!(false), Some(0)));

                let (status, p) = app.get_json("/api/v1/appointments/not-a-code").await;
                assert_eq!((status, p["code"].as_str()), (400, Some("invalid_booking_code")));
                let (status, p) = app.get_json("/api/v1/appointments/LH-260315-7K3Q").await;
                assert_eq!((status, p["code"].as_str()), (404, Some("booking_not_found")));

                let (status, p) = send(app.client.put(app.url(&format!("/api/v1/centers/{UNIT}/config")))
                    .json(&json!({"counters": 4, "slot_minutes": 20, "capacity": 3, "reminder_hours": 24, "horizon_days": 30}))).await;
                assert_eq!(status, 401, "configuration needs a session: {p}");
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn counter_checks_in_calls_and_finishes_and_the_board_is_anonymous() {
                let Some(app) = spawn().await else { return };
                let (_, slots) = open_day(&app).await;
                let start = slots[0]["start"].as_str().expect("start");
                let (status, booked) = book(&app, start, "Nguyễn Thị Lan", None).await;
                assert_eq!(status, 201, "{booked}");
                let code = booked["code"].as_str().expect("code");
                let tickets = format!("/api/v1/centers/{UNIT}/tickets");

                let (status, walk) = app.post_as(&tickets, OFFICER, &[], &json!({"procedure": "2.000815"})).await;
                assert_eq!((status, walk["number"].as_u64(), walk["kind"].as_str()), (201, Some(1), Some("walk_in")), "{walk}");
                let (status, t) = app.post_as(&tickets, OFFICER, &[], &json!({"booking": code})).await;
                assert_eq!((status, t["number"].as_u64(), t["kind"].as_str()), (201, Some(2), Some("appointment")), "{t}");
                assert_eq!(t["procedure"], BIRTH);
                let (_, b) = app.get_json(&format!("/api/v1/appointments/{code}?t={}", token(&booked))).await;
                assert_eq!(b["status"], "checked_in");
                let (status, p) = app.post_as(&tickets, OFFICER, &[], &json!({"booking": code})).await;
                assert_eq!((status, p["code"].as_str()), (409, Some("booking_not_active")));

                let stranger = ("receiving_officer", "tiepnhan.01273", Some("04.01273"));
                let (status, p) = app.post_as(&tickets, stranger, &[], &json!({})).await;
                assert_eq!((status, p["code"].as_str()), (403, Some("not_center_officer")));
                let specialist = ("specialist", "chuyenvien.01279", Some(UNIT));
                let (status, _) = app.post_as(&format!("{tickets}/next"), specialist, &[], &json!({"counter": 1})).await;
                assert_eq!(status, 403);

                let next = format!("{tickets}/next");
                let (status, p) = app.post_as(&next, OFFICER, &[], &json!({"counter": 9})).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("invalid_counter")));
                let (status, first) = app.post_as(&next, OFFICER, &[], &json!({"counter": 1})).await;
                assert_eq!(status, 200, "{first}");
                assert_eq!(first["ticket"]["number"], 1, "the booking is not due yet: walk-ins by number");
                assert_eq!(first["ticket"]["status"], "called");
                let (_, second) = app.post_as(&next, OFFICER, &[], &json!({"counter": 2})).await;
                assert_eq!(second["ticket"]["number"], 2);
                let (_, none) = app.post_as(&next, OFFICER, &[], &json!({"counter": 3})).await;
                assert_eq!(none["ticket"], Value::Null);

                let (status, board) = app.get_json(&format!("/api/v1/centers/{UNIT}/board")).await;
                assert_eq!(status, 200, "{board}");
                assert_eq!(board["serving"], json!([{"counter": 1, "number": 1, "status": "called"}, {"counter": 2, "number": 2, "status": "called"}]));
                let text = board.to_string();
                for private in ["Nguyễn", "Lan", "0912", "+8491", "example.vn", code] {
                    assert!(!text.contains(private), "the board shows no {private}: {text}");
                }

                let (status, s) = app.post_as(&format!("{tickets}/2/serve"), OFFICER, &[], &json!({})).await;
                assert_eq!((status, s["status"].as_str()), (200, Some("serving")), "{s}");
                let (status, d) = app.post_as(&format!("{tickets}/2/done"), OFFICER, &[], &json!({})).await;
                assert_eq!((status, d["status"].as_str()), (200, Some("done")));
                let (status, p) = app.post_as(&format!("{tickets}/2/skip"), OFFICER, &[], &json!({})).await;
                assert_eq!((status, p["code"].as_str()), (409, Some("illegal_ticket_transition")));
                let (status, p) = app.post_as(&format!("{tickets}/7/done"), OFFICER, &[], &json!({})).await;
                assert_eq!((status, p["code"].as_str()), (404, Some("ticket_not_found")));
                let (_, board) = app.get_json(&format!("/api/v1/centers/{UNIT}/board")).await;
                assert_eq!(board["serving"], json!([{"counter": 1, "number": 1, "status": "called"}]));
                assert_eq!(board["recently_called"], json!([2, 1]));
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_unit_administrator_configures_the_center() {
                let Some(app) = spawn().await else { return };
                let admin = official_token(&app, "quantri.01279", &[("unit_admin", UNIT)]).await;
                let officer = official_token(&app, "tiepnhan.01279", &[("receiving_officer", UNIT)]).await;
                let other = official_token(&app, "quantri.01273", &[("unit_admin", "04.01273")]).await;
                let url = app.url(&format!("/api/v1/centers/{UNIT}/config"));
                let config = json!({"counters": 4, "slot_minutes": 20, "capacity": 3, "reminder_hours": 12, "horizon_days": 14});
                for token in [&officer, &other] {
                    let (status, p) = send(app.client.put(&url).bearer_auth(token).json(&config)).await;
                    assert_eq!((status, p["code"].as_str()), (403, Some("forbidden")), "{p}");
                }
                let mut bad = config.clone();
                bad["capacity"] = json!(5);
                let (status, p) = send(app.client.put(&url).bearer_auth(&admin).json(&bad)).await;
                assert_eq!((status, p["code"].as_str()), (422, Some("invalid_center_config")), "{p}");
                let (status, p) = send(app.client.put(&url).bearer_auth(&admin).json(&config)).await;
                assert_eq!((status, p.clone()), (200, config.clone()), "{p}");
                let (day, slots) = open_day(&app).await;
                assert_eq!(slots.len(), 24, "8 hours of 20-minute slots on {day}");
                assert_eq!(slots[0]["capacity"], 3);
                app.finish().await;
            }
        }
    };
}

async fn sqlite_fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

appointment_tests!(sqlite, crate::sqlite_fixture);
appointment_tests!(postgres, motcua_store_postgres::test_fixture);
