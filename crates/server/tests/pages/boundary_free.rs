//! Boundary-free receipt on the pages: for a procedure that allows it, the
//! citizen (online) and the counter (on paper) pick the commune that
//! decides, from the province's; one outside the province is refused, by
//! the page and by the engine.

use serde_json::json;

use super::{hidden, session_of, App};

/// Giấy xác nhận tình trạng hôn nhân: boundary-free, fully online.
const MARITAL_STATUS: &str = "1.004873";
const RECEIVING: &str = "04.01279";
const DECIDING: &str = "04.01273";

async fn competent_of(app: &App, code: &str) -> String {
    app.stored_dossier(code).await.competent_unit.to_string()
}

async fn boundary_free_paths(app: &App) {
    // Online: the citizen files at one Center, another commune decides.
    let (session, _) = app.citizen_login("0912000777").await;
    let path = format!("/thu-tuc/{MARITAL_STATUS}/nop");
    let form = app.get(&path, &session).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body
            .contains("<select id=\"don_vi_giai_quyet\" name=\"don_vi_giai_quyet\">"),
        "{}",
        form.body
    );
    let csrf = form.csrf();
    let post = |deciding: &'static str, idem: &'static str| {
        let session = session.clone();
        let csrf = csrf.clone();
        let path = path.clone();
        async move {
            app.post(
                &path,
                &session,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("ho_ten", "Nông Văn Hải"),
                    ("don_vi", RECEIVING),
                    ("don_vi_giai_quyet", deciding),
                    ("dien_thoai", "0912000777"),
                    ("idem", idem),
                ],
            )
            .await
        }
    };
    // Another province's commune is not in the list: refused on the form.
    let outside = post("01.00004", "bf-1").await;
    assert_eq!(outside.status, 400, "{}", outside.body);
    assert!(
        outside
            .body
            .contains("Hãy chọn xã, phường giải quyết trong danh sách."),
        "{}",
        outside.body
    );
    assert!(outside.body.contains("value=\"Nông Văn Hải\""));
    let done = post(DECIDING, "bf-2").await;
    assert_eq!(done.status, 303, "{}", done.body);
    let code = done
        .location
        .strip_prefix("/ho-so-cua-toi/")
        .expect("the dossier page")
        .to_string();
    assert_eq!(competent_of(app, &code).await, DECIDING);
    assert!(
        code.starts_with(RECEIVING),
        "numbered by the receiving Center"
    );

    // At the counter: the same choice on the intake form.
    let res = app.official_login_next("tiepnhan.01279", "/can-bo").await;
    let counter = session_of(&res);
    let intake = app
        .get(
            &format!("/can-bo/tiep-nhan?thu_tuc={MARITAL_STATUS}"),
            &counter,
        )
        .await;
    assert_eq!(intake.status, 200, "{}", intake.body);
    assert!(
        intake
            .body
            .contains(&format!("<option value=\"{DECIDING}\">")),
        "{}",
        intake.body
    );
    let fields = [
        ("csrf_token", intake.csrf()),
        ("idem", hidden(&intake.body, "idem")),
        ("vai_tro", "receiving_officer".to_string()),
        ("don_vi", RECEIVING.to_string()),
        ("thu_tuc", MARITAL_STATUS.to_string()),
        ("ho_ten", "Lục Thị Hoa".to_string()),
        ("don_vi_giai_quyet", DECIDING.to_string()),
        ("nhan_0", "1".to_string()),
        ("so_trang", "2".to_string()),
        ("quyet_dinh", "accept".to_string()),
    ];
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.multipart("/can-bo/tiep-nhan", &counter, &f, &[]).await;
    assert_eq!(res.status, 303, "{}: {}", res.status, res.body);
    let code = res
        .location
        .strip_prefix("/can-bo/ho-so/")
        .and_then(|rest| rest.split('?').next())
        .expect("the dossier page")
        .to_string();
    assert_eq!(competent_of(app, &code).await, DECIDING);

    // The engine refuses a commune outside the province, whoever asks.
    let submission = serde_json::from_value(json!({
        "procedure": MARITAL_STATUS,
        "intake": "counter",
        "receiving_unit": RECEIVING,
        "competent_unit": "01.00004",
        "applicant": {"name": "Lục Thị Hoa"},
        "documents": []
    }))
    .expect("a submission");
    let officer = motcua_domain::dossier::Actor::new(
        motcua_domain::dossier::Role::ReceivingOfficer,
        motcua_domain::dossier::UserId::parse("tiepnhan.01279").expect("id"),
        Some(motcua_domain::dossier::UnitId::parse(RECEIVING).expect("unit")),
    );
    let refused = app
        .state
        .engine
        .submit(submission, officer, chrono::Utc::now(), None)
        .await
        .expect_err("outside the province");
    assert_eq!(refused.code(), "competent_unit_outside_province");
}

#[tokio::test]
async fn boundary_free_receipt_picks_the_deciding_commune_on_sqlite() {
    let app = App::spawn().await;
    boundary_free_paths(&app).await;
}

#[tokio::test]
async fn boundary_free_receipt_picks_the_deciding_commune_on_postgres() {
    let Some(fixture) = motcua_store_postgres::test_fixture().await else {
        return;
    };
    let app = App::spawn_on(fixture).await;
    boundary_free_paths(&app).await;
}
