//! The declarations of external inputs on SQLite: the conformance checks,
//! and the table refusing to change or lose a stored declaration.

async fn fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

motcua_store::report_inputs_conformance_tests!(fixture);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_declarations_are_append_only() {
    use motcua_domain::dossier::{UnitId, UserId};
    use motcua_domain::reports::{ExternalInputs, Month};
    use motcua_store::{NewInputsDeclaration, ReportInputStore};

    let (store, fixture) = motcua_store_sqlite::test_store();
    let unit = UnitId::parse("04.01279").expect("unit");
    let month = Month::new(2026, 1).expect("month");
    store
        .declare_inputs(&NewInputsDeclaration {
            unit: unit.clone(),
            month,
            inputs: ExternalInputs {
                synchronized_dossiers: Some(5),
                ..ExternalInputs::default()
            },
            entered_by: UserId::parse("lanhdao.01279").expect("user"),
            entered_at: chrono::Utc::now(),
            note: None,
        })
        .await
        .expect("declare");
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    for sql in [
        "UPDATE report_inputs SET inputs = '{}'",
        "DELETE FROM report_inputs",
    ] {
        let err = conn.execute(sql, []).expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    drop(conn);
    let history = store.inputs_history(&unit, month).await.expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].inputs.synchronized_dossiers, Some(5));
    fixture.finish().await;
}
