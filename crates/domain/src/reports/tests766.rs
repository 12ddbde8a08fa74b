//! Decision 766 rules of issue 11: configuration in force by date,
//! proportional "procedures online", "dossiers digitized" over all
//! dossiers, empty denominators, units not rated, late apologies.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::dossier::UnitId;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

fn inputs(r: &Rollup, procedures: u64, online: u64) -> IndexInputs {
    IndexInputs {
        figures: r.figures(d(2026, 3, 31)),
        catalogue: CatalogueInputs {
            procedures,
            online,
            ..CatalogueInputs::default()
        },
        external: ExternalInputs::default(),
    }
}

fn pts(r: &IndexReport, c: Criterion) -> f64 {
    r.criterion(c).map_or(f64::NAN, |c| c.points)
}

#[test]
fn a_2025_period_is_scored_with_the_configuration_in_force_in_2025() {
    let set = IndexConfigs::shipped();
    let r = Rollup::new();
    let old = score_period(&set, d(2025, 10, 1), &inputs(&r, 1, 1)).expect("2025");
    assert_eq!(old.config_version, "766-2022.1");
    let new = score_period(&set, d(2026, 1, 1), &inputs(&r, 1, 1)).expect("2026");
    assert_eq!(new.config_version, "766-2026.1");
    assert_eq!(
        score_period(&set, d(2021, 12, 1), &inputs(&r, 1, 1)),
        Err(NoConfigInForce(d(2021, 12, 1)))
    );
    // Fed as dated versions (the settings store's shape).
    let mut spec = IndexConfig::default_2026().spec().clone();
    spec.version = "766-2027.1".into();
    spec.effective_from = d(2027, 1, 1);
    let c2027 = IndexConfig::new(spec).expect("valid");
    let set = IndexConfigs::from_versions(vec![
        (d(2027, 1, 1), c2027),
        (d(2026, 1, 1), IndexConfig::default_2026()),
    ])
    .expect("set");
    assert_eq!(
        set.for_date(d(2026, 12, 1)).map(|c| c.version.as_str()),
        Some("766-2026.1")
    );
    assert!(
        IndexConfigs::from_versions(vec![(d(2026, 2, 1), IndexConfig::default_2026())]).is_err()
    );
}

#[test]
fn every_criterion_states_its_empty_rule_and_the_default_is_full() {
    let rep = score(&IndexConfig::default_2026(), &inputs(&Rollup::new(), 0, 0));
    for g in &rep.groups {
        for c in &g.criteria {
            assert_eq!(c.if_empty, IfEmpty::Full, "{:?}", c.criterion);
        }
    }
    // Nothing received: progress, digitized and procedures online are no data.
    for c in [
        Criterion::OnTime,
        Criterion::DossiersDigitized,
        Criterion::ProceduresOnline,
    ] {
        let s = rep.criterion(c).expect("c");
        assert_eq!(s.status, ScoreStatus::NoData, "{c:?}");
        assert_eq!(s.points, s.max_points, "{c:?}");
    }
    assert_eq!(IfEmpty::Zero.label_vi(), "Không phát sinh: 0 điểm");
    assert_eq!(
        ScoreStatus::MissingInput.label_vi(),
        "Chưa có số liệu đầu vào"
    );
}

#[test]
fn a_unit_without_dossiers_is_not_rated_and_never_ranked() {
    let cfg = IndexConfig::default_2026();
    let empty = score(&cfg, &inputs(&Rollup::new(), 5, 5));
    assert!(!empty.rated);
    assert_eq!(empty.grade_vi, NOT_RATED_VI);
    let mut busy = Rollup::new();
    busy.dossiers.in_person = 10;
    busy.received.in_person = 10;
    busy.late = 10;
    busy.paper_received = 10;
    let low = score(&cfg, &inputs(&busy, 5, 1));
    assert!(low.rated);
    assert!(empty.total > low.total, "the empty unit has more points");
    let unit = |s: &str| UnitId::parse(s).expect("unit");
    let ranked = rank(&[
        UnitIndex {
            unit: unit("H04.01.01"),
            name_vi: "Xã trống".into(),
            report: empty,
        },
        UnitIndex {
            unit: unit("H04.01.02"),
            name_vi: "Xã bận".into(),
            report: low,
        },
    ]);
    assert_eq!(ranked[0].unit.as_str(), "H04.01.02");
    assert_eq!(ranked[0].rank, Some(1));
    assert_eq!(ranked[1].rank, None);
    assert_eq!(ranked[1].grade_vi, NOT_RATED_VI);
}

#[test]
fn late_apologies_are_those_issued_after_their_deadline() {
    let mut r = Rollup::new();
    // Due 10 March; deadline (say) 9 March.
    r.apologies
        .entry(d(2026, 3, 10))
        .or_default()
        .insert(d(2026, 3, 9), 1);
    r.apologies
        .entry(d(2026, 3, 10))
        .or_default()
        .insert(d(2026, 3, 10), 2);
    r.apologies
        .entry(d(2026, 3, 20))
        .or_default()
        .insert(d(2026, 3, 2), 1);
    let deadline = |due: NaiveDate| due.pred_opt();
    assert_eq!(r.apologies_issued(), 4);
    assert_eq!(r.apologies_late(deadline), 2);
    let zero = r.clone() - r.clone();
    assert!(zero.is_zero(), "{zero:?}");
}

proptest! {
    /// Below 80% "procedures offered online" scores ratio ÷ 80% × 2; from
    /// 80% full marks.
    #[test]
    fn procedures_online_scores_proportionally(procedures in 1u64..300, k in 0u64..=300) {
        let online = k.min(procedures);
        let rep = score(&IndexConfig::default_2026(), &inputs(&Rollup::new(), procedures, online));
        #[allow(clippy::cast_precision_loss)]
        let ratio = online as f64 / procedures as f64;
        let want = ((ratio / 0.8 * 2.0).min(2.0) * 100.0).round() / 100.0;
        prop_assert!((pts(&rep, Criterion::ProceduresOnline) - want).abs() < 1e-9);
    }

    /// "Dossiers digitized" is (online + paper digitized) ÷ all received,
    /// full marks from 80%.
    #[test]
    fn digitized_is_over_all_dossiers_with_an_80_percent_threshold(
        online in 0i64..50, paper in 0i64..50, scanned_k in 0i64..50,
    ) {
        let scanned = scanned_k.min(paper);
        let mut r = Rollup::new();
        r.dossiers.online = online;
        r.dossiers.in_person = paper;
        r.received.online = online;
        r.received.in_person = paper;
        r.paper_received = paper;
        r.digitized = scanned;
        let rep = score(&IndexConfig::default_2026(), &inputs(&r, 1, 1));
        let got = pts(&rep, Criterion::DossiersDigitized);
        if online + paper == 0 {
            prop_assert_eq!(got, 4.0);
        } else {
            #[allow(clippy::cast_precision_loss)]
            let ratio = (online + scanned) as f64 / (online + paper) as f64;
            if ratio >= 0.8 {
                prop_assert_eq!(got, 4.0);
            } else {
                let want = (ratio / 0.8 * 4.0 * 100.0).round() / 100.0;
                prop_assert!((got - want).abs() < 1e-9, "{} vs {}", got, want);
            }
        }
    }
}
