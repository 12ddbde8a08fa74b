//! Conformance checks of the declarations of external inputs: versions per
//! (unit, month), the latest in force, the history kept whole, the scope
//! and month filters, and gap-free versions under concurrent writes. Run
//! by each backend's `tests/report_inputs.rs` through
//! [`crate::report_inputs_conformance_tests!`].

use chrono::{DateTime, TimeZone, Utc};
use motcua_domain::dossier::{UnitId, UserId};
use motcua_domain::reports::{ExternalInputs, Month, PaknInputs, Ratio};

use super::dossiers::join_all;
use crate::{InputsScope, NewInputsDeclaration, Store};

fn month(y: i32, m: u32) -> Month {
    Month::new(y, m).expect("valid test month")
}

fn unit(s: &str) -> UnitId {
    UnitId::parse(s).expect("valid test unit")
}

/// A time with whole microseconds (what both backends keep).
fn at(second: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_767_225_600 + second, 123_456_000)
        .single()
        .expect("valid test time")
}

fn new(u: &str, m: Month, n: u64, who: &str, second: i64) -> NewInputsDeclaration {
    NewInputsDeclaration {
        unit: unit(u),
        month: m,
        inputs: ExternalInputs {
            published_on_time: Some(Ratio::new(n, 10)),
            ..ExternalInputs::default()
        },
        entered_by: UserId::parse(who).expect("valid test user"),
        entered_at: at(second),
        note: None,
    }
}

pub async fn inputs_are_versioned_and_the_latest_is_in_force(store: &dyn Store) {
    let (jan, feb, mar) = (month(2026, 1), month(2026, 2), month(2026, 3));
    let a = "04.01279";
    assert_eq!(
        store
            .inputs_in_force(&InputsScope::Unit(unit(a)), jan, mar)
            .await
            .expect("read"),
        [],
        "nothing declared yet"
    );
    let first = store
        .declare_inputs(&new(a, jan, 7, "lanhdao.01279", 0))
        .await
        .expect("declare");
    assert_eq!((first.version, first.month), (1, jan));
    let mut full = new(a, jan, 9, "quantri.tinh", 60);
    full.inputs.pakn = Some(PaknInputs {
        received: 4,
        handled_on_time: 3,
        rated: 2,
        satisfied: 2,
    });
    full.inputs.synchronized_dossiers = Some(0);
    full.note = Some("Báo cáo số 12/BC-UBND ngày 05/02/2026".to_string());
    let second = store.declare_inputs(&full).await.expect("declare again");
    assert_eq!(second.version, 2);
    assert_eq!(second.inputs, full.inputs);
    store
        .declare_inputs(&new(a, feb, 5, "lanhdao.01279", 120))
        .await
        .expect("declare February");
    store
        .declare_inputs(&new(a, mar, 1, "lanhdao.01279", 180))
        .await
        .expect("declare March");
    store
        .declare_inputs(&new("04.01288", jan, 2, "lanhdao.01288", 240))
        .await
        .expect("another commune");
    store
        .declare_inputs(&new("04", jan, 3, "quantri.tinh", 300))
        .await
        .expect("the province's own unit");
    store
        .declare_inputs(&new("01.00004", jan, 4, "quantri.hanoi", 360))
        .await
        .expect("another province");

    let mine = store
        .inputs_in_force(&InputsScope::Unit(unit(a)), jan, feb)
        .await
        .expect("read");
    assert_eq!(mine.len(), 2, "January and February, not March: {mine:?}");
    assert_eq!((mine[0].month, mine[0].version), (jan, 2));
    assert_eq!(mine[0].inputs, full.inputs, "the latest is in force");
    assert_eq!(mine[0].entered_by.as_str(), "quantri.tinh");
    assert_eq!(mine[0].entered_at, at(60));
    assert_eq!(mine[0].note, full.note);
    assert_eq!((mine[1].month, mine[1].version), (feb, 1));

    let history = store.inputs_history(&unit(a), jan).await.expect("history");
    assert_eq!(history.len(), 2, "the older declaration is kept");
    assert_eq!(history[0], first);
    assert_eq!(history[1], second);
    assert_eq!(history[0].inputs.published_on_time, Some(Ratio::new(7, 10)));
    assert_eq!(history[0].note, None);
    assert!(store
        .inputs_history(&unit(a), month(2025, 12))
        .await
        .expect("history")
        .is_empty());

    let province = store
        .inputs_in_force(&InputsScope::Province("04".to_string()), jan, jan)
        .await
        .expect("province");
    let scope = InputsScope::Province("04".to_string());
    assert!(province.iter().all(|d| scope.covers(&d.unit)));
    assert!(!scope.covers(&unit("01.00004")));
    let units: Vec<(&str, u32)> = province
        .iter()
        .map(|d| (d.unit.as_str(), d.version))
        .collect();
    assert_eq!(
        units,
        [("04", 1), ("04.01279", 2), ("04.01288", 1)],
        "the province's units, by unit, without the other province"
    );
}

pub async fn concurrent_declarations_get_gap_free_versions(store: &dyn Store) {
    let m = month(2026, 2);
    let writes: Vec<NewInputsDeclaration> = (0..12)
        .map(|i| {
            new(
                "04.01279",
                m,
                i,
                "lanhdao.01279",
                i64::try_from(i).unwrap_or(0),
            )
        })
        .collect();
    let results = join_all(writes.iter().map(|w| store.declare_inputs(w)).collect()).await;
    let mut versions: Vec<u32> = results
        .into_iter()
        .map(|r| r.expect("every write is stored").version)
        .collect();
    versions.sort_unstable();
    assert_eq!(versions, (1..=12).collect::<Vec<u32>>());
    let history = store
        .inputs_history(&unit("04.01279"), m)
        .await
        .expect("history");
    assert_eq!(history.len(), 12);
    assert!(history.windows(2).all(|w| w[0].version + 1 == w[1].version));
    let last = history.last().expect("a last declaration");
    let in_force = store
        .inputs_in_force(&InputsScope::Unit(unit("04.01279")), m, m)
        .await
        .expect("in force");
    assert_eq!(in_force.as_slice(), std::slice::from_ref(last));
}

/// Generates one test per report-input conformance check, each on a fresh
/// store made by `$factory` (see [`crate::conformance_tests!`]).
#[macro_export]
macro_rules! report_inputs_conformance_tests {
    ($factory:path) => {
        $crate::conformance_tests!(@each $factory,
            inputs_are_versioned_and_the_latest_is_in_force,
            concurrent_declarations_get_gap_free_versions
        );
    };
}
