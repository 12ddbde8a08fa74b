//! The conformance suite: the same behaviour asked of every backend. Each
//! backend's `tests/conformance.rs` calls [`conformance_tests!`] with a
//! factory that returns a fresh, empty store (or `None` when the backend is
//! not available, which the factory must say out loud).

use chrono::NaiveDate;
use motcua_domain::units::{parse_dataset, Era, UnitCode, UnitDataset, UnitSources};

use crate::{Store, StoreError};

mod account_admin;
mod accounts;
mod appointments;
mod blobs;
mod dossiers;
mod log;
mod outbox;
mod report_inputs;
mod reports;
pub use account_admin::*;
pub use accounts::*;
pub use appointments::*;
pub use blobs::*;
pub use dossiers::*;
pub use log::*;
pub use outbox::*;
pub use report_inputs::*;
pub use reports::*;

/// The reference data shipped in the binary.
pub fn shipped_units() -> UnitDataset {
    parse_dataset(&UnitSources {
        provinces_2025: motcua_refdata::PROVINCES_2025,
        communes_2025: motcua_refdata::COMMUNES_2025,
        provinces_legacy: motcua_refdata::PROVINCES_LEGACY,
        districts_legacy: motcua_refdata::DISTRICTS_LEGACY,
        communes_legacy: motcua_refdata::COMMUNES_LEGACY,
        merger_2025: motcua_refdata::MERGER_2025,
    })
    .expect("the shipped unit data parses")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn code(s: &str) -> UnitCode {
    UnitCode::parse(s).expect("valid test code")
}

fn new_commune_code(data: &UnitDataset, name: &str) -> UnitCode {
    data.units
        .iter()
        .find(|u| u.era() == Era::TwoLevel && u.name == name && u.province_code.as_str() == "04")
        .map(|u| u.code.clone())
        .unwrap_or_else(|| panic!("{name} is in the shipped data"))
}

pub async fn units_import_and_counts(store: &dyn Store) {
    assert_eq!(store.units_data_version().await.expect("version"), None);
    let data = shipped_units();
    store.import_units("v1", &data).await.expect("import");
    assert_eq!(
        store
            .units_data_version()
            .await
            .expect("version")
            .as_deref(),
        Some("v1")
    );
    let cao_bang = store
        .communes_of_province(&code("04"), day(2025, 7, 1))
        .await
        .expect("communes");
    assert_eq!(
        cao_bang.len(),
        56,
        "Cao Bằng has 56 communes after the merger"
    );
    let before = store
        .communes_of_province(&code("04"), day(2025, 6, 30))
        .await
        .expect("legacy communes");
    assert!(before.len() > 56, "legacy Cao Bằng had more communes");
    assert!(before.iter().all(|u| u.era() == Era::Legacy));

    let loaded = store.load_units().await.expect("load");
    assert_eq!(loaded.units.len(), data.units.len());
    assert_eq!(loaded.lineage.len(), data.lineage.len());
    let mut a = data.units.clone();
    let mut b = loaded.units;
    a.sort_by(|x, y| (&x.code, x.valid_to).cmp(&(&y.code, y.valid_to)));
    b.sort_by(|x, y| (&x.code, x.valid_to).cmp(&(&y.code, y.valid_to)));
    assert_eq!(a, b, "units round-trip unchanged");
}

pub async fn unit_codes_are_resolved_by_date(store: &dyn Store) {
    let data = shipped_units();
    store.import_units("v1", &data).await.expect("import");
    // A commune code reused by the reform for a unit with another name.
    let reused = data
        .units
        .iter()
        .filter(|u| u.era() == Era::TwoLevel && u.level() == motcua_domain::units::Level::Commune)
        .find_map(|new| {
            data.units
                .iter()
                .find(|old| {
                    old.era() == Era::Legacy && old.code == new.code && old.name != new.name
                })
                .map(|old| (old.clone(), new.clone()))
        })
        .expect("the data has reused codes");
    let (old, new) = reused;
    let at_old = store
        .unit_at(&old.code, day(2025, 6, 30))
        .await
        .expect("query");
    let at_new = store
        .unit_at(&new.code, day(2025, 7, 1))
        .await
        .expect("query");
    assert_eq!(at_old.as_ref().map(|u| &u.name), Some(&old.name));
    assert_eq!(at_new.as_ref().map(|u| &u.name), Some(&new.name));
    let history = store.unit_history(&new.code).await.expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].era(), Era::Legacy);
    assert_eq!(history[1].era(), Era::TwoLevel);
    assert_eq!(
        store
            .unit_at(&code("99999"), day(2025, 7, 1))
            .await
            .expect("query"),
        None
    );
}

pub async fn lineage_follows_the_merger(store: &dyn Store) {
    let data = shipped_units();
    store.import_units("v1", &data).await.expect("import");
    let nung_tri_cao = new_commune_code(&data, "Phường Nùng Trí Cao");
    let sources = store.sources_of(&nung_tri_cao).await.expect("sources");
    let mut names: Vec<String> = Vec::new();
    for link in &sources {
        let legacy = link.legacy_commune_code.as_ref().expect("a commune source");
        let unit = store
            .unit_at(legacy, day(2025, 6, 30))
            .await
            .expect("query")
            .expect("legacy unit exists");
        names.push(unit.name);
    }
    names.sort();
    assert_eq!(
        names,
        ["Phường Ngọc Xuân", "Phường Sông Bằng", "Xã Vĩnh Quang"]
    );
    let tan_giang = new_commune_code(&data, "Phường Tân Giang");
    assert_eq!(
        store.sources_of(&tan_giang).await.expect("sources").len(),
        5
    );

    let split = data
        .lineage
        .iter()
        .find(|l| l.split && !l.primary)
        .and_then(|l| l.legacy_commune_code.clone())
        .expect("the data has split communes");
    let successors = store.successors_of(&split).await.expect("successors");
    assert!(successors.len() >= 2);
    assert!(successors[0].primary, "the primary successor comes first");
    assert!(successors[1..].iter().all(|l| !l.primary));
}

pub async fn failed_import_changes_nothing(store: &dyn Store) {
    let data = shipped_units();
    store.import_units("v1", &data).await.expect("import");
    let mut broken = data.clone();
    let dup = broken.units[0].clone();
    broken.units.push(dup);
    broken.lineage.truncate(10);
    let err = store
        .import_units("v2", &broken)
        .await
        .expect_err("duplicate unit");
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");
    assert_eq!(
        store
            .units_data_version()
            .await
            .expect("version")
            .as_deref(),
        Some("v1")
    );
    let loaded = store.load_units().await.expect("load");
    assert_eq!(loaded.lineage.len(), data.lineage.len());
    assert_eq!(loaded.units.len(), data.units.len());
}

/// The deployment kind is absent on a fresh store, the first claim wins
/// (also between concurrent claims), and it never changes afterwards.
pub async fn deployment_kind_is_claimed_once(store: &dyn Store) {
    use crate::meta::{claim_deployment_kind, deployment_kind, DeploymentKind};
    assert_eq!(deployment_kind(store).await.expect("read"), None);
    let claims = join_all(
        (0..8)
            .map(|i| {
                let kind = if i % 2 == 0 {
                    DeploymentKind::Production
                } else {
                    DeploymentKind::Demo
                };
                claim_deployment_kind(store, kind)
            })
            .collect(),
    )
    .await;
    let won: Vec<DeploymentKind> = claims.into_iter().map(|c| c.expect("claim")).collect();
    assert!(won.windows(2).all(|w| w[0] == w[1]), "one winner: {won:?}");
    assert_eq!(deployment_kind(store).await.expect("read"), Some(won[0]));
    let other = match won[0] {
        DeploymentKind::Demo => DeploymentKind::Production,
        DeploymentKind::Production => DeploymentKind::Demo,
    };
    assert_eq!(
        claim_deployment_kind(store, other).await.expect("claim"),
        won[0],
        "a later claim changes nothing"
    );
    assert_eq!(store.meta_value("no such key").await.expect("read"), None);
}

/// Generates one test per conformance check, each on a fresh store made by
/// `$factory` (an async fn returning `Option<(impl Store, guard)>`, where
/// the guard cleans up when dropped or when `finish` is awaited).
#[macro_export]
macro_rules! conformance_tests {
    ($factory:path) => {
        $crate::conformance_tests!(@each $factory,
            units_import_and_counts,
            unit_codes_are_resolved_by_date,
            lineage_follows_the_merger,
            failed_import_changes_nothing,
            deployment_kind_is_claimed_once,
            procedures_import_is_transactional,
            lifecycle_from_online_submission_to_rating,
            stored_events_verify_with_the_chain,
            codes_follow_unit_and_vietnam_day,
            concurrent_opens_get_gap_free_sequence,
            concurrent_commands_on_one_dossier,
            idempotent_retry,
            concurrent_retries_act_once,
            refused_command_writes_nothing,
            event_streams_page_in_code_order,
            queue_orders_by_urgency,
            search_filters_and_pages,
            officials_with_assignments,
            sessions_expire_and_end,
            account_changes_append_events,
            revocation_and_deactivation_follow_the_manage_rule,
            concurrent_revocations_keep_a_role,
            password_change_ends_the_other_sessions,
            idle_sessions_are_touched_and_swept,
            officials_are_listed_by_scope,
            lockout_after_repeated_failures,
            concurrent_failures_are_all_counted,
            reserved_attempts_lock_before_the_check,
            concurrent_reservations_stop_at_the_limit,
            citizens_are_known_by_contact,
            one_time_codes_are_used_once,
            scoped_search_sees_only_the_scope,
            center_configs_default_and_replace,
            concurrent_bookings_respect_capacity,
            concurrent_bookings_respect_the_contact_cap,
            cancel_frees_the_seat_and_withdraws_the_reminder,
            rebook_is_atomic,
            concurrent_tickets_are_gap_free,
            next_ticket_calls_due_appointments_first,
            rollups_follow_the_event_log,
            refused_command_changes_no_rollup,
            concurrent_commands_keep_rollups_exact,
            load_facts_replaces_a_dossiers_facts,
            queue_counts_equal_the_open_dossiers,
            staged_blobs_are_written_with_their_command,
            the_startup_lock_has_one_holder_at_a_time,
            log_streams_append_in_order_and_read_back,
            a_stale_append_writes_nothing,
            concurrent_appends_to_one_stream_serialize,
            a_rewritten_log_event_is_detected
        );
    };
    (@each $factory:path, $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fixture) = $factory().await else { return };
                $crate::conformance::$name(fixture.store()).await;
                fixture.finish().await;
            }
        )*
    };
}
