//! The storage conformance suite on PostgreSQL (run when
//! `MOTCUA_TEST_DATABASE_URL` is set; CI always sets it).

motcua_store::conformance_tests!(motcua_store_postgres::test_fixture);
