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
    let mut req = app
        .client
        .post(app.url("/api/v1/appointments"))
        .json(&json!({
            "unit": UNIT, "procedure": BIRTH, "start": start, "name": name,
            "phone": "0912 345 678", "email": "lan.nguyen@example.vn"
        }));
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    send(req).await
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

                let (status, b) = book(&app, &start, "Trần Văn Nam", Some("key-1")).await;
                assert_eq!(status, 201, "{b}");
                let (status, replay) = book(&app, &start, "Trần Văn Nam", Some("key-1")).await;
                assert_eq!(status, 200, "a retry with the key returns the booking: {replay}");
                assert_eq!(replay["code"], b["code"]);
                let s = slot(&app, &day, &start).await;
                assert_eq!((s["taken"].clone(), s["free"].clone(), s["bookable"].clone()), (json!(2), json!(0), json!(false)));

                let (status, full) = book(&app, &start, "Lê Văn C", None).await;
                assert_eq!((status, full["code"].as_str()), (409, Some("slot_full")));

                let (status, got) = app.get_json(&format!("/api/v1/appointments/{code}")).await;
                assert_eq!((status, got["status"].as_str()), (200, Some("booked")));
                let (status, c) = send(app.client.post(app.url(&format!("/api/v1/appointments/{code}/cancel")))).await;
                assert_eq!((status, c["status"].as_str()), (200, Some("cancelled")), "{c}");
                assert_eq!(slot(&app, &day, &start).await["free"], 1, "cancel frees the seat");
                let (status, again) = send(app.client.post(app.url(&format!("/api/v1/appointments/{code}/cancel")))).await;
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
                let (status, moved) = send(app.client.post(app.url(&format!("/api/v1/appointments/{b_code}/rebook"))).json(&json!({"start": next}))).await;
                assert_eq!(status, 201, "{moved}");
                assert_eq!(moved["start"], next);
                assert_ne!(moved["code"], b["code"]);
                let (_, old) = app.get_json(&format!("/api/v1/appointments/{b_code}")).await;
                assert_eq!(old["status"], "cancelled");
                assert_eq!(slot(&app, &day, &start).await["free"], 2);
                assert_eq!(slot(&app, &day, next).await["free"], 1);
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
                let (_, b) = app.get_json(&format!("/api/v1/appointments/{code}")).await;
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
