//! The outbox conformance suite on SQLite (always run).

async fn fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

motcua_store::outbox_conformance_tests!(fixture);
