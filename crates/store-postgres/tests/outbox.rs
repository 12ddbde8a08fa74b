//! The outbox conformance suite on PostgreSQL (run when
//! `MOTCUA_TEST_DATABASE_URL` is set; CI always sets it).

motcua_store::outbox_conformance_tests!(motcua_store_postgres::test_fixture);
