//! The storage conformance suite on SQLite (always run).

async fn fixture() -> Option<motcua_store::fixture::Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

motcua_store::conformance_tests!(fixture);
