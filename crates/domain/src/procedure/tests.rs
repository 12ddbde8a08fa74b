//! Tests of the procedure model and of the Cao Bằng demo catalogue.

use chrono::NaiveDate;

use super::workflow::tests::{standard_steps, step};
use super::*;
use crate::dossier::Role;

const CATALOGUE: &str = include_str!("../../../../data/procedures/catalogue_caobang.json");
const SOURCE_CSV: &str = include_str!("../../../../data/procedures/commune_procedures.csv");

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn code(s: &str) -> ProcedureCode {
    ProcedureCode::parse(s).expect("code")
}

pub(crate) fn sample_spec() -> ProcedureSpec {
    ProcedureSpec {
        code: code("1.001776"),
        version: 1,
        effective_from: d(2025, 7, 1),
        effective_until: None,
        name_vi: "Thực hiện trợ cấp xã hội hằng tháng".into(),
        name_en: Some("Monthly social allowance".into()),
        field_vi: "Bảo trợ xã hội".into(),
        level: CompetentLevel::Commune,
        competent_agency: CompetentAgency {
            name_vi: "Ủy ban nhân dân xã".into(),
            decision_maker_vi: "Chủ tịch UBND xã".into(),
        },
        time_limit: TimeLimit::WorkingDays(21),
        time_limit_text_vi: None,
        extensions: vec![],
        same_day_cutoff: None,
        fees: vec![Fee {
            description_vi: "Không thu".into(),
            amount: FeeAmount::Vnd(0),
            per_vi: None,
        }],
        documents: vec![DocumentRequirement {
            name_vi: "Tờ khai (Mẫu 1A)".into(),
            form: DocumentForm::Original,
            count: 1,
            mandatory: true,
        }],
        online_level: OnlineLevel::Partial,
        boundary_free: false,
        legal_basis_vi: Some("Nghị định 20/2021/NĐ-CP".into()),
        external_agencies: vec![],
        workflow: Workflow::new(standard_steps()).expect("workflow"),
        unverified: vec!["time_limit".into(), "documents[0]".into()],
        notes: vec![],
        source: None,
        form: Default::default(),
    }
}

fn err(spec: ProcedureSpec) -> &'static str {
    Procedure::new(spec).expect_err("invalid").code()
}

#[test]
fn sample_is_valid() {
    let p = Procedure::new(sample_spec()).expect("valid");
    assert_eq!(p.workflow.total_budget_hours(), 168);
    assert_eq!(p.time_limit.limit_hours(), Some(168));
    assert!(p.is_unverified("time_limit"));
    assert!(p.is_unverified("documents[0]"));
    assert!(!p.is_unverified("fees"));
    assert!(p.in_force_on(d(2025, 7, 1)));
    assert!(!p.in_force_on(d(2025, 6, 30)));
}

#[test]
fn budget_must_fit_the_limit() {
    let mut s = sample_spec();
    s.time_limit = TimeLimit::WorkingDays(20);
    assert_eq!(err(s), "budget_exceeds_limit");
    let mut s = sample_spec();
    s.time_limit = TimeLimit::WorkingHours(167);
    assert_eq!(err(s), "budget_exceeds_limit");
    let mut s = sample_spec();
    s.time_limit = TimeLimit::NotStated;
    assert!(Procedure::new(s).is_ok());
    // 30 calendar days contain at least 20 working days = 160 h < 168 h.
    let mut s = sample_spec();
    s.time_limit = TimeLimit::CalendarDays(30);
    assert_eq!(err(s), "budget_exceeds_limit");
    let mut s = sample_spec();
    s.time_limit = TimeLimit::WorkingDays(0);
    assert_eq!(err(s), "zero_time_limit");
}

#[test]
fn calendar_day_bound() {
    assert_eq!(TimeLimit::CalendarDays(7).limit_hours(), Some(40));
    assert_eq!(TimeLimit::CalendarDays(15).limit_hours(), Some(80));
    assert_eq!(TimeLimit::CalendarDays(30).limit_hours(), Some(160));
    assert_eq!(TimeLimit::CalendarDays(1).limit_hours(), Some(0));
    assert_eq!(TimeLimit::SameDay.limit_hours(), Some(8));
    assert_eq!(TimeLimit::NotStated.limit_hours(), None);
}

#[test]
fn other_validation_errors() {
    let mut s = sample_spec();
    s.same_day_cutoff = TimeOfDay::new(15, 0);
    assert_eq!(err(s), "cutoff_without_same_day");
    let mut s = sample_spec();
    s.name_vi = "  ".into();
    assert_eq!(err(s), "empty_field");
    let mut s = sample_spec();
    s.version = 0;
    assert_eq!(err(s), "zero_version");
    let mut s = sample_spec();
    s.effective_until = Some(d(2025, 7, 1));
    assert_eq!(err(s), "effective_range");
    let mut s = sample_spec();
    s.documents[0].count = 0;
    assert_eq!(err(s), "zero_document_count");
    let mut s = sample_spec();
    s.unverified.push("colour".into());
    assert_eq!(err(s), "unknown_unverified_field");
    let mut s = sample_spec();
    s.unverified.push("documents[1]".into());
    assert_eq!(err(s), "unknown_unverified_field");
    // An external step whose agency is not declared.
    let mut s = sample_spec();
    let mut steps = standard_steps();
    steps.insert(
        7,
        step(
            StepKind::External,
            Role::System,
            AgencyRef::External("thue".into()),
            0,
        ),
    );
    s.workflow = Workflow::new(steps).expect("structurally valid");
    assert_eq!(err(s.clone()), "unknown_external_agency");
    s.external_agencies = vec![ExternalAgency {
        key: "thue".into(),
        name_vi: "Thuế cơ sở".into(),
        name_en: None,
    }];
    let p = Procedure::new(s.clone()).expect("declared");
    assert!(p.workflow.is_inter_agency());
    s.external_agencies.push(s.external_agencies[0].clone());
    assert_eq!(err(s), "bad_external_agency");
}

#[test]
fn cutoff_parsing() {
    assert_eq!(TimeOfDay::parse("15:00").expect("ok").to_string(), "15:00");
    for bad in ["15", "25:00", "15:60", "3:00", "15:00:00", ""] {
        assert_eq!(
            TimeOfDay::parse(bad).expect_err(bad).code(),
            "invalid_cutoff"
        );
    }
}

#[test]
fn time_limit_json_and_text_forms() {
    let j = serde_json::to_string(&TimeLimit::WorkingDays(3)).expect("ser");
    assert_eq!(j, r#"{"working_days":3}"#);
    assert_eq!(
        serde_json::to_string(&TimeLimit::SameDay).expect("ser"),
        r#""same_day""#
    );
    for t in [
        TimeLimit::WorkingDays(3),
        TimeLimit::WorkingHours(4),
        TimeLimit::SameDay,
        TimeLimit::CalendarDays(15),
        TimeLimit::NotStated,
    ] {
        assert_eq!(t.to_string().parse::<TimeLimit>(), Ok(t));
    }
    assert!("weeks:2".parse::<TimeLimit>().is_err());
    // The three shared forms serialize exactly like the calendar's Limit.
    for t in [
        TimeLimit::WorkingDays(3),
        TimeLimit::WorkingHours(4),
        TimeLimit::SameDay,
    ] {
        let l = t.to_calendar_limit().expect("bridged");
        assert_eq!(
            serde_json::to_string(&t).expect("ser"),
            serde_json::to_string(&l).expect("ser")
        );
    }
    assert_eq!(TimeLimit::CalendarDays(15).to_calendar_limit(), None);
}

#[test]
fn deserializing_validates() {
    let mut s = sample_spec();
    s.time_limit = TimeLimit::WorkingDays(1);
    let j = serde_json::to_string(&s).expect("ser");
    assert!(serde_json::from_str::<Procedure>(&j).is_err());
    let ok = serde_json::to_string(&sample_spec()).expect("ser");
    let p: Procedure = serde_json::from_str(&ok).expect("valid");
    assert_eq!(p.spec(), &sample_spec());
}

// ------------------------------------------------------------ catalogue

fn catalogue() -> Catalogue {
    Catalogue::from_json(CATALOGUE).expect("the demo catalogue is valid")
}

#[test]
fn demo_catalogue_loads_and_every_procedure_validates() {
    let c = catalogue();
    assert!(c.notice.starts_with("DEMO DATA"));
    assert!(c.procedures().len() >= 25);
    for p in c.procedures() {
        // Re-validate explicitly (loading already did).
        Procedure::new(p.spec().clone()).expect("valid");
        if let Some(limit) = p.time_limit.limit_hours() {
            assert!(p.workflow.total_budget_hours() <= limit, "{}", p.code);
        }
        assert_eq!(p.workflow.steps()[0].kind, StepKind::Receive);
        assert_eq!(
            p.workflow.steps()[p.workflow.len() - 1].kind,
            StepKind::Return
        );
    }
}

#[test]
fn demo_catalogue_covers_the_required_procedures() {
    let c = catalogue();
    let on = d(2026, 10, 8);
    for k in [
        "1.001193",
        "1.000894",
        "1.000656",
        "2.000815",
        "1.004873",
        "1.001612",
        "1.013978",
        "1.001776",
        "1.013225",
        "LOCAL-04-0001",
        "LOCAL-04-0002",
    ] {
        assert!(c.find(&code(k), on).is_some(), "{k}");
    }
    let copy = c.find(&code("2.000815"), on).expect("certified copy");
    assert_eq!(copy.time_limit, TimeLimit::SameDay);
    assert_eq!(copy.same_day_cutoff, TimeOfDay::new(15, 0));
    assert!(copy.boundary_free);
    assert!(copy
        .fees
        .iter()
        .any(|f| f.amount == FeeAmount::Vnd(2000) && f.per_vi.as_deref() == Some("trang")));
    let birth = c.find(&code("1.001193"), on).expect("birth");
    assert_eq!(birth.online_level, OnlineLevel::FullProcess);
    assert!(!birth.is_unverified("time_limit"));
    let status = c.find(&code("1.004873"), on).expect("marital status");
    assert_eq!(status.time_limit, TimeLimit::WorkingDays(3));
    assert_eq!(status.extensions[0].limit, TimeLimit::CalendarDays(23));
    // Liên thông: birth + residence + health insurance, several agencies.
    let linked = c.find(&code("LOCAL-04-0002"), on).expect("linked");
    assert!(linked.workflow.is_inter_agency());
    assert!(linked.external_agencies.len() >= 2);
    assert_eq!(linked.time_limit, TimeLimit::WorkingDays(15));
    let land = c.find(&code("1.013978"), on).expect("land");
    assert!(land.workflow.is_inter_agency());
    // Environmental registration has no national code and no stated limit.
    let env = c.find(&code("LOCAL-04-0001"), on).expect("environment");
    assert_eq!(env.time_limit, TimeLimit::NotStated);
    assert!(env.is_unverified("code"));
    // A provincial procedure and a repealed one.
    assert!(c
        .procedures()
        .iter()
        .any(|p| p.level == CompetentLevel::Province));
    assert!(c.find(&code("1.011607"), d(2027, 1, 1)).is_none());
    assert!(c.find(&code("1.011607"), d(2026, 12, 31)).is_some());
}

#[test]
fn demo_catalogue_keeps_the_source_rows_and_their_unverified_marks() {
    let c = catalogue();
    let mut r = csv::Reader::from_reader(SOURCE_CSV.as_bytes());
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.expect("csv row");
        rows += 1;
        let (src_code, name, limit_text, level) = (&rec[0], &rec[1], &rec[4], &rec[3]);
        let p = c
            .procedures()
            .iter()
            .find(|p| p.name_vi == name)
            .unwrap_or_else(|| panic!("{src_code} missing"));
        if src_code.contains(UNVERIFIED_MARK) {
            assert!(!p.code.is_national());
            assert!(p.is_unverified("code"));
        } else {
            assert_eq!(p.code.as_str(), src_code);
        }
        assert_eq!(p.time_limit_text_vi.as_deref(), Some(limit_text));
        if limit_text.contains(UNVERIFIED_MARK) || rec[5].contains(UNVERIFIED_MARK) {
            assert!(p.is_unverified("time_limit"), "{src_code}");
        }
        if level.contains(UNVERIFIED_MARK) {
            assert!(p.is_unverified("level"), "{src_code}");
        }
        if rec[8].contains(UNVERIFIED_MARK) {
            assert!(p.is_unverified("online_level"), "{src_code}");
        }
        if rec[7].contains(UNVERIFIED_MARK) {
            assert!(
                p.unverified.iter().any(|u| u.starts_with("fees")),
                "{src_code}"
            );
        }
        // Every unverified document keeps its mark in its name.
        let marked = rec[9].matches(UNVERIFIED_MARK).count();
        let kept = p
            .documents
            .iter()
            .filter(|d| d.name_vi.contains(UNVERIFIED_MARK))
            .count();
        assert_eq!(marked, kept, "{src_code}");
        // The workflow is always a demo assumption.
        assert!(p.is_unverified("workflow"));
        assert!(!p.unverified_notes().is_empty());
    }
    assert_eq!(rows, 40);
}

#[test]
fn catalogue_json_round_trip() {
    let c = catalogue();
    let again = Catalogue::from_json(&c.to_json_pretty().expect("json")).expect("reload");
    assert_eq!(again, c);
}

#[test]
fn catalogue_csv_export() {
    let c = catalogue();
    let text = c.to_csv().expect("csv");
    let rows = rows_from_csv(&text).expect("read back");
    assert_eq!(rows.len(), c.procedures().len());
    for (row, p) in rows.iter().zip(c.procedures()) {
        assert_eq!(row, &p.to_row());
    }
    let copy = rows.iter().find(|r| r.code == "2.000815").expect("row");
    assert_eq!(copy.time_limit, "same_day");
    assert_eq!(copy.same_day_cutoff.as_deref(), Some("15:00"));
    assert_eq!(copy.limit_hours, Some(8));
    let death = rows.iter().find(|r| r.code == "1.000656").expect("row");
    assert!(death.unverified.split(';').any(|u| u == "time_limit"));
    assert!(text
        .lines()
        .next()
        .is_some_and(|h| h.starts_with("code,version,")));
}

#[test]
fn catalogue_errors() {
    let spec = sample_spec();
    let p = Procedure::new(spec.clone()).expect("valid");
    assert_eq!(
        Catalogue::new(" ".into(), None, None, vec![p.clone()])
            .expect_err("notice")
            .code(),
        "missing_notice"
    );
    assert_eq!(
        Catalogue::new("demo".into(), None, None, vec![p.clone(), p.clone()])
            .expect_err("dup")
            .code(),
        "duplicate_version"
    );
    let mut v2 = spec.clone();
    v2.version = 2;
    v2.effective_from = d(2026, 1, 1);
    let v2 = Procedure::new(v2).expect("v2");
    assert_eq!(
        Catalogue::new("demo".into(), None, None, vec![p.clone(), v2.clone()])
            .expect_err("overlap")
            .code(),
        "overlapping_versions"
    );
    let mut v1 = spec;
    v1.effective_until = Some(d(2026, 1, 1));
    let v1 = Procedure::new(v1).expect("v1");
    let c = Catalogue::new("demo".into(), None, None, vec![v1, v2]).expect("disjoint");
    assert_eq!(
        c.find(&code("1.001776"), d(2025, 12, 31))
            .map(|p| p.version),
        Some(1)
    );
    assert_eq!(
        c.find(&code("1.001776"), d(2026, 1, 1)).map(|p| p.version),
        Some(2)
    );
    assert_eq!(
        Catalogue::from_json("{").expect_err("json").code(),
        "catalogue_json"
    );
    let bad = r#"{"notice":"x","procedures":[{"code":"1.001776"}]}"#;
    assert_eq!(
        Catalogue::from_json(bad).expect_err("json").code(),
        "catalogue_json"
    );
}
