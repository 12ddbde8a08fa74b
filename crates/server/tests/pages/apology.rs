//! The apology lead time kept (Mẫu 04): a dossier whose apology is late is
//! flagged in the work queue and listed for the competent unit's leader on
//! opening the workspace; a same-day dossier still within its day is not;
//! once the leader issues the notice the dossier leaves the list.

use motcua_domain::dossier::{Actor, DossierCode, Role, UnitId, UserId};
use serde_json::json;

use super::{hidden, session_of, App};

const UNIT: &str = "04.01279";

impl App {
    /// A birth registration submitted online and accepted at the Center at
    /// `at` (the engine takes the time it is given).
    async fn accepted_birth_registration(&self, at: chrono::DateTime<chrono::Utc>) -> DossierCode {
        let submission = serde_json::from_value(json!({
            "procedure": "1.001193",
            "intake": "online",
            "receiving_unit": UNIT,
            "applicant": {"name": "Nông Thị Hoa", "user": "citizen.021"},
            "documents": [{"name_vi": "Tờ khai", "form": "original", "count": 1}]
        }))
        .expect("a submission");
        let applicant = Actor::new(
            Role::Applicant,
            UserId::parse("citizen.021").expect("user"),
            None,
        );
        let engine = &self.state.engine;
        let code = engine
            .submit(submission, applicant, at, None)
            .await
            .expect("submitted")
            .code;
        let receiver = Actor::new(
            Role::ReceivingOfficer,
            UserId::parse("canbo.tiepnhan.01279").expect("user"),
            Some(UnitId::parse(UNIT).expect("unit")),
        );
        engine
            .act(
                &code,
                None,
                motcua_engine::Action::Accept { pages_digitized: 1 },
                receiver,
                at,
                None,
            )
            .await
            .expect("accepted");
        code
    }
}

async fn apology_paths(app: &App) {
    let now = chrono::Utc::now();
    let late = app
        .accepted_birth_registration(now - chrono::TimeDelta::days(12))
        .await
        .to_string();
    let today = app.accepted_birth_registration(now).await.to_string();

    let res = app.official_login_next("chutich.01279", "/can-bo").await;
    let leader = session_of(&res);
    let queue = app.get("/can-bo", &leader).await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let list = queue
        .body
        .split("id=\"apology-queue\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .unwrap_or_else(|| panic!("the leader's list of apologies: {}", queue.body));
    assert!(list.contains(&late), "the late one is listed: {list}");
    assert!(list.contains("Quá hạn gửi thư xin lỗi (Mẫu 04)"), "{list}");
    assert!(
        !list.contains(&today),
        "a same-day dossier within its day owes nothing yet: {list}"
    );

    // The dossier page says so and offers the notice; issued, the dossier
    // leaves the list (a new date is set only once).
    let page = app.get(&format!("/can-bo/ho-so/{late}"), &leader).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("class=\"late apology\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"notify_late\""), "{}", page.body);
    let new_day = (now + chrono::TimeDelta::days(20))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let form = [
        ("csrf_token", page.csrf()),
        ("version", hidden(&page.body, "version")),
        ("vai_tro", hidden(&page.body, "vai_tro")),
        ("don_vi", hidden(&page.body, "don_vi")),
        ("action", "notify_late".to_string()),
        ("reason", "Phải xác minh lại với bệnh viện".to_string()),
        ("new_appointment", new_day),
        ("new_appointment_time", String::new()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = app
        .post(&format!("/can-bo/ho-so/{late}"), &leader, &form)
        .await;
    assert!(done.status < 400, "{}: {}", done.status, done.body);
    let after = app.get("/can-bo", &leader).await;
    assert_eq!(after.status, 200, "{}", after.body);
    let still_listed = after
        .body
        .split("id=\"apology-queue\"")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .is_some_and(|list| list.contains(&late));
    assert!(!still_listed, "issued, it leaves the list: {}", after.body);
    let page = app.get(&format!("/can-bo/ho-so/{late}"), &leader).await;
    assert!(
        !page.body.contains("value=\"notify_late\""),
        "only once: {}",
        page.body
    );
}

#[tokio::test]
async fn a_late_apology_is_flagged_and_listed_for_the_leader_on_sqlite() {
    let app = App::spawn().await;
    apology_paths(&app).await;
}

#[tokio::test]
async fn a_late_apology_is_flagged_and_listed_for_the_leader_on_postgres() {
    let Some(fixture) = motcua_store_postgres::test_fixture().await else {
        return;
    };
    let app = App::spawn_on(fixture).await;
    apology_paths(&app).await;
}
