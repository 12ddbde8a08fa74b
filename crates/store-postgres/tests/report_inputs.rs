//! The declarations of external inputs on PostgreSQL (run when
//! `MOTCUA_TEST_DATABASE_URL` is set): the conformance checks, and the
//! table refusing to change or lose a stored declaration.

motcua_store::report_inputs_conformance_tests!(motcua_store_postgres::test_fixture);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_declarations_are_append_only() {
    use motcua_domain::dossier::{UnitId, UserId};
    use motcua_domain::reports::{ExternalInputs, Month};
    use motcua_store::{NewInputsDeclaration, ReportInputStore};

    let Some((store, fixture)) = motcua_store_postgres::test_store().await else {
        return;
    };
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
    for sql in [
        "UPDATE report_inputs SET inputs = '{}'::jsonb",
        "DELETE FROM report_inputs",
    ] {
        let err = sqlx::query(sql).execute(store.pool()).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let history = store.inputs_history(&unit, month).await.expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].inputs.synchronized_dossiers, Some(5));
    fixture.finish().await;
}
