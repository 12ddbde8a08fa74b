//! The province administrator's settings page: the version in force, a
//! refusal shown on the form with what was typed kept, the next year's
//! days off entered from the decree, and the history of who changed what.

use super::{session_of, App, PASSWORD};

async fn settings_paths(app: &App) {
    // An official without the role gets no page and no link.
    let res = app.official_login_next("chutich.01279", "/can-bo").await;
    let specialist = session_of(&res);
    let page = app.get("/can-bo", &specialist).await;
    assert!(!page.body.contains("/can-bo/cau-hinh"), "{}", page.body);
    let page = app.get("/can-bo/cau-hinh", &specialist).await;
    assert_eq!(page.status, 403, "{}", page.body);

    let res = app.official_login_next("quantri.04", "/can-bo").await;
    let admin = session_of(&res);
    let page = app.get("/can-bo/tai-khoan", &admin).await;
    assert!(
        page.body.contains("href=\"/can-bo/cau-hinh\""),
        "the navigation links the page"
    );
    let page = app.get("/can-bo/cau-hinh", &admin).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("value=\"07:30\""), "{}", page.body);
    assert!(
        page.body.contains("id=\"tam-tinh\">2027"),
        "2027 is provisional: {}",
        page.body
    );
    let csrf = page.csrf();
    let today = motcua_domain::dossier::vietnam_date(chrono::Utc::now()).to_string();
    let tet = "2027-02-05,Lunar New Year,Tết Nguyên Đán\n2027-02-08,Lunar New Year,Tết Nguyên Đán";
    let form = |from: &str, morning: &str, password: &str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("valid_from", from.to_string()),
            ("morning_start", morning.to_string()),
            ("morning_end", "11:30".to_string()),
            ("afternoon_start", "13:00".to_string()),
            ("afternoon_end", "17:00".to_string()),
            ("after_hours", "day_of_receipt".to_string()),
            ("supplement", "restart".to_string()),
            ("apology_lead", "2".to_string()),
            ("unstated_limit", "15".to_string()),
            ("online_acceptance", "8".to_string()),
            ("holiday_year", "2027".to_string()),
            ("holidays", tet.to_string()),
            ("reason", "Quyết định nghỉ Tết Đinh Mùi 2027".to_string()),
            ("current_password", password.to_string()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let admin = admin.clone();
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post("/can-bo/cau-hinh", &admin, &f).await
        }
    };

    // A morning that ends before it starts: refused on the form, as typed.
    let refused = post(form(&today, "12:00", PASSWORD)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("id=\"loi\""), "{}", refused.body);
    assert!(
        refused.body.contains("value=\"12:00\""),
        "what was typed is kept"
    );
    assert!(
        refused.body.contains("Tết Đinh Mùi 2027"),
        "the reason is kept"
    );
    assert!(
        refused.body.contains("2027-02-08,Lunar New Year"),
        "the list is kept"
    );
    // A day already past.
    let refused = post(form("2025-01-01", "07:30", PASSWORD)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("settings_in_the_past"),
        "{}",
        refused.body
    );
    // The password again.
    let refused = post(form(&today, "07:30", "sai mật khẩu")).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("reauth_required"), "{}", refused.body);

    let done = post(form(&today, "07:30", PASSWORD)).await;
    assert!(done.status < 400, "{}: {}", done.status, done.body);
    let page = app.get("/can-bo/cau-hinh?xong=ap-dung", &admin).await;
    assert!(page.body.contains("id=\"thong-bao\""), "{}", page.body);
    assert!(
        page.body.contains("id=\"da-xac-nhan\">2027"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("id=\"tam-tinh\">2027"),
        "2027 is no longer provisional"
    );
    assert!(
        page.body.contains("Quyết định nghỉ Tết Đinh Mùi 2027"),
        "the history names the reason"
    );
    assert!(page.body.contains("quantri.04"), "and who");

    // The engine counts with it: the decree's Tết days are days off.
    let rules = app.state.engine.rules(
        "04",
        motcua_domain::dossier::vietnam_date(chrono::Utc::now()),
    );
    let feb5 = chrono::NaiveDate::from_ymd_opt(2027, 2, 5).expect("date");
    assert!(!rules.calendar.is_working_day(feb5).expect("covered"));
    assert_eq!(rules.policy().apology_lead_working_days, 2);

    // The index of Decision 766 on the form: points, targets in %, bands.
    let page = app.get("/can-bo/cau-hinh", &admin).await;
    assert!(
        page.body
            .contains("name=\"diem.on_time\" inputmode=\"decimal\" size=\"6\" value=\"20\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(
            "name=\"muc_tieu.procedures_online\" inputmode=\"decimal\" size=\"6\" value=\"80\""
        ),
        "{}",
        page.body
    );
    let tomorrow = motcua_domain::dossier::vietnam_date(chrono::Utc::now())
        .succ_opt()
        .expect("a day");
    let with_index = |extra: &[(&'static str, &str)]| {
        let mut f = form(&tomorrow.to_string(), "07:30", PASSWORD);
        f.retain(|(k, _)| *k != "holiday_year" && *k != "holidays");
        f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        f
    };
    let refused = post(with_index(&[("diem.on_time", "hai mươi")])).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Hồ sơ giải quyết đúng hạn»: cần một số"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"hai mươi\""), "kept as typed");
    let done = post(with_index(&[
        ("muc_tieu.procedures_online", "75"),
        ("xl.xuat_sac", "92,5"),
    ]))
    .await;
    assert!(done.status < 400, "{}: {}", done.status, done.body);
    let rules = app.state.engine.rules("04", tomorrow);
    let index = rules.index.as_ref().expect("the version's own index");
    assert_eq!(index.effective_from, tomorrow);
    assert!(
        index.version.ends_with(&format!("+{tomorrow}")),
        "{}",
        index.version
    );
    let online = index
        .groups
        .iter()
        .flat_map(|g| &g.criteria)
        .find(|c| c.criterion == motcua_domain::reports::Criterion::ProceduresOnline)
        .expect("the criterion");
    assert_eq!(
        online.scoring,
        motcua_domain::reports::Scoring::Proportional { target: 0.75 }
    );
    assert_eq!(index.grades[0].min_points, 92.5);
    // Today's version keeps the shipped index.
    let today_rules = app.state.engine.rules(
        "04",
        motcua_domain::dossier::vietnam_date(chrono::Utc::now()),
    );
    assert!(today_rules.index.is_none());
}

#[tokio::test]
async fn the_province_administrator_records_a_version_on_the_page_on_sqlite() {
    let app = App::spawn().await;
    settings_paths(&app).await;
}

#[tokio::test]
async fn the_province_administrator_records_a_version_on_the_page_on_postgres() {
    let Some(fixture) = motcua_store_postgres::test_fixture().await else {
        return;
    };
    let app = App::spawn_on(fixture).await;
    settings_paths(&app).await;
}
