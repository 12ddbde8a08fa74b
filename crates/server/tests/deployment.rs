//! A real store and the demo officials, on both backends: a store that
//! received them before stores recorded their kind is found out and
//! refused until they are deactivated; a demo store takes them.

use chrono::Utc;
use motcua_domain::access::{Assignment, StaffRole, Username};
use motcua_domain::dossier::UnitId;
use motcua_server::auth::bootstrap::{demo_officials, ensure_demo_accounts};
use motcua_server::deployment::{
    disable_demo_accounts, ensure_no_demo_password, officials_with_the_demo_password, settle_kind,
};
use motcua_store::fixture::Fixture;
use motcua_store::meta::deployment_kind;
use motcua_store::{DeploymentKind, NewOfficial, Store};

async fn real_official(store: &dyn Store) {
    let new = NewOfficial {
        username: Username::parse("nguyen.van.an").expect("username"),
        display_name: "Nguyễn Văn An".to_string(),
        password_hash: motcua_server::auth::secret::hash_password("Mat-khau-rieng-2026")
            .await
            .expect("hash"),
        assignments: vec![Assignment::new(
            StaffRole::ReceivingOfficer,
            UnitId::parse("04.01279").expect("unit"),
        )
        .expect("assignment")],
    };
    store
        .create_official(&new, Utc::now())
        .await
        .expect("create");
}

async fn a_polluted_real_store_is_refused_until_the_demo_accounts_are_off(fixture: Fixture) {
    let store = fixture.store();
    // What an older binary did: demo officials beside real ones, no kind.
    ensure_demo_accounts(store, None)
        .await
        .expect("demo officials");
    real_official(store).await;
    assert_eq!(deployment_kind(store).await.expect("kind"), None);

    assert_eq!(
        settle_kind(store, true).await.expect("settle"),
        DeploymentKind::Production,
        "a real official makes it a real store, whatever serve asks"
    );
    let found = officials_with_the_demo_password(store).await.expect("scan");
    assert_eq!(found.len(), demo_officials().expect("demo").len());
    assert!(found.iter().any(|u| u == "quantri.04"), "{found:?}");
    let err = ensure_no_demo_password(store)
        .await
        .expect_err("refused")
        .to_string();
    assert!(err.contains("demo disable-accounts"), "{err}");
    assert!(
        motcua_server::bootstrap::ensure_demo_accounts(store)
            .await
            .is_err(),
        "no demo officials are added to a real store"
    );

    let off = disable_demo_accounts(store).await.expect("disable");
    assert_eq!(off.len(), found.len());
    ensure_no_demo_password(store)
        .await
        .expect("nothing left to refuse");
    let quantri = store
        .official(&Username::parse("quantri.04").expect("username"))
        .await
        .expect("read")
        .expect("still there, inactive");
    assert!(!quantri.official.active);
    let real = store
        .official(&Username::parse("nguyen.van.an").expect("username"))
        .await
        .expect("read")
        .expect("the real official");
    assert!(real.official.active, "real officials are left alone");
    fixture.finish().await;
}

async fn a_fresh_store_becomes_what_is_asked_once(fixture: Fixture) {
    let store = fixture.store();
    assert_eq!(
        settle_kind(store, true).await.expect("settle"),
        DeploymentKind::Demo
    );
    motcua_server::bootstrap::ensure_demo_accounts(store)
        .await
        .expect("demo officials in a demo store");
    real_official(store).await;
    assert_eq!(
        settle_kind(store, false).await.expect("settle"),
        DeploymentKind::Demo,
        "recorded once: later officials or flags do not change it"
    );
    fixture.finish().await;
}

async fn a_fresh_store_without_the_demo_is_real(fixture: Fixture) {
    let store = fixture.store();
    assert_eq!(
        settle_kind(store, false).await.expect("settle"),
        DeploymentKind::Production
    );
    assert!(motcua_server::bootstrap::ensure_demo_accounts(store)
        .await
        .is_err());
    assert_eq!(store.count_officials().await.expect("count"), 0);
    fixture.finish().await;
}

macro_rules! deployment_tests {
    ($backend:ident, $factory:path) => {
        mod $backend {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_polluted_real_store_is_refused_until_the_demo_accounts_are_off() {
                let Some(f) = $factory().await else { return };
                super::a_polluted_real_store_is_refused_until_the_demo_accounts_are_off(f).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_fresh_store_becomes_what_is_asked_once() {
                let Some(f) = $factory().await else { return };
                super::a_fresh_store_becomes_what_is_asked_once(f).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_fresh_store_without_the_demo_is_real() {
                let Some(f) = $factory().await else { return };
                super::a_fresh_store_without_the_demo_is_real(f).await;
            }
        }
    };
}

async fn sqlite_fixture() -> Option<Fixture> {
    Some(motcua_store_sqlite::test_fixture())
}

deployment_tests!(sqlite, crate::sqlite_fixture);
deployment_tests!(postgres, motcua_store_postgres::test_fixture);
