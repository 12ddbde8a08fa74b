//! Tests of the application form: the demo catalogue's schemas, the
//! validation rules, the registry check and the display.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::form::*;
use super::{Catalogue, ProcedureCode, ProcedureError, ProcedureSpec};
use crate::units::Registry;

const CATALOGUE: &str = include_str!("../../../../data/procedures/catalogue_caobang.json");

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 8).expect("date")
}

fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| Catalogue::from_json(CATALOGUE).expect("catalogue"))
}

fn registry() -> &'static Registry {
    crate::units::registry_tests::registry()
}

fn form_of(code: &str) -> FormSchema {
    let code = ProcedureCode::parse(code).expect("code");
    catalogue()
        .find(&code, day())
        .expect("in force")
        .form
        .clone()
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn birth_values() -> BTreeMap<String, String> {
    values(&[
        ("child_name", "Nông Minh An"),
        ("child_birth_date", "03/10/2026"),
        ("child_sex", "nu"),
        ("child_birth_place", "Bệnh viện Đa khoa tỉnh Cao Bằng"),
        ("mother_name", "Nông Thị Lan"),
        ("mother_id", "004195 001234"),
        ("applicant_relation", "me"),
        ("applicant_address.street", "Tổ 5"),
        ("applicant_address.commune", "01279"),
    ])
}

fn codes(errors: &[FieldError]) -> Vec<(String, &'static str)> {
    errors.iter().map(|e| (e.field.clone(), e.code())).collect()
}

#[test]
fn the_demo_catalogue_gives_forms_to_birth_and_business_procedures() {
    for code in ["1.001193", "LOCAL-04-0001", "1.001612", "2.001610"] {
        let p = catalogue()
            .find(&ProcedureCode::parse(code).expect("code"), day())
            .expect("in force");
        assert!(!p.form.is_empty(), "{code} has a form");
        assert!(p.is_unverified("form"), "{code}: a demo form is unverified");
        assert_eq!(p.snapshot().form, p.form, "the snapshot keeps the form");
    }
    let birth = form_of("1.001193");
    let labels: Vec<&str> = birth.groups.iter().map(|g| g.label_vi.as_str()).collect();
    assert!(labels.contains(&"Thông tin trẻ"));
    let env = form_of("LOCAL-04-0001");
    assert!(env
        .groups
        .iter()
        .any(|g| g.label_vi == "Người đại diện theo pháp luật"));
    assert!(matches!(
        env.field("tax_code").map(|f| &f.kind),
        Some(FieldKind::TaxCode)
    ));
}

#[test]
fn valid_birth_data_is_normalised() {
    let data = validate(&form_of("1.001193"), &birth_values()).expect("valid");
    assert_eq!(data.get("child_birth_date"), Some("2026-10-03"));
    assert_eq!(data.get("mother_id"), Some("004195001234"));
    assert_eq!(data.get("applicant_address.commune"), Some("01279"));
    assert_eq!(
        data.get("father_name"),
        None,
        "empty optional fields are absent"
    );
    assert!(check_units(&form_of("1.001193"), &data, registry(), day(), Some("04")).is_empty());
}

#[test]
fn every_missing_required_field_is_reported_at_once() {
    let errors = validate(&form_of("1.001193"), &BTreeMap::new()).expect_err("empty");
    let fields: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
    for k in [
        "child_name",
        "child_birth_date",
        "child_sex",
        "child_birth_place",
        "mother_name",
        "applicant_relation",
        "applicant_address.street",
    ] {
        assert!(fields.contains(&k.to_string()), "{k} in {fields:?}");
    }
    assert!(!fields.contains(&"father_name".to_string()));
    assert!(errors.iter().all(|e| e.code() == "required"));
    let e = &errors[0];
    assert!(e.message_vi().contains("bắt buộc"), "{}", e.message_vi());
    assert!(e.message_en().contains("required"), "{}", e.message_en());
}

#[test]
fn bad_values_get_their_own_codes() {
    let mut v = birth_values();
    v.insert("child_birth_date".into(), "31/02/2026".into());
    v.insert("child_sex".into(), "x".into());
    v.insert("mother_id".into(), "12345".into());
    v.insert("applicant_address.commune".into(), "Nùng Trí Cao".into());
    v.insert("child_name".into(), "A".repeat(101));
    v.insert("favourite_colour".into(), "xanh".into());
    let errors = validate(&form_of("1.001193"), &v).expect_err("bad");
    let got = codes(&errors);
    for want in [
        ("child_birth_date", "bad_date"),
        ("child_sex", "not_an_option"),
        ("mother_id", "bad_national_id"),
        ("applicant_address.commune", "bad_unit"),
        ("child_name", "too_long"),
        ("favourite_colour", "unknown_field"),
    ] {
        assert!(
            got.contains(&(want.0.to_string(), want.1)),
            "{want:?} in {got:?}"
        );
    }
}

#[test]
fn tax_codes_have_10_or_13_digits() {
    let form = form_of("LOCAL-04-0001");
    let base = |tax: &str| {
        values(&[
            ("org_name", "Công ty TNHH Chế biến Nông sản Nà Cạn"),
            ("tax_code", tax),
            ("facility_address.street", "Xóm Nà Cạn"),
            ("facility_address.commune", "01279"),
            ("activity", "Chế biến nông sản"),
            ("rep_name", "Lương Văn Hòa"),
            ("rep_title", "Giám đốc"),
            ("rep_id", "004092007788"),
        ])
    };
    let ok = |tax: &str| validate(&form, &base(tax)).map(|d| d.get("tax_code").map(str::to_string));
    assert_eq!(ok("4800123456"), Ok(Some("4800123456".into())));
    assert_eq!(ok("4800123456-001"), Ok(Some("4800123456-001".into())));
    assert_eq!(ok("4800123456001"), Ok(Some("4800123456-001".into())));
    for bad in [
        "480012345",
        "48001234567",
        "4800123456-01",
        "48001234ab",
        "-4800123456",
    ] {
        let e = validate(&form, &base(bad)).expect_err(bad);
        assert_eq!(
            codes(&e),
            vec![("tax_code".to_string(), "bad_tax_code")],
            "{bad}"
        );
    }
}

#[test]
fn communes_must_be_current_ones_of_the_province() {
    let form = form_of("1.001193");
    let with = |commune: &str| {
        let mut v = birth_values();
        v.insert("applicant_address.commune".into(), commune.into());
        validate(&form, &v).expect("well-formed")
    };
    // 00097 is a commune of Hà Nội (01), not of Cao Bằng (04).
    let other = check_units(&form, &with("00097"), registry(), day(), Some("04"));
    assert_eq!(
        codes(&other),
        vec![("applicant_address.commune".into(), "unknown_unit")]
    );
    assert!(check_units(&form, &with("00097"), registry(), day(), None).is_empty());
    // 99999 is no unit at all.
    assert_eq!(
        check_units(&form, &with("99999"), registry(), day(), None).len(),
        1
    );
}

#[test]
fn shown_data_uses_names_labels_and_vietnamese_dates() {
    let form = form_of("1.001193");
    let data = validate(&form, &birth_values()).expect("valid");
    let names = |c: &str| {
        let code = crate::units::UnitCode::parse(c).ok()?;
        registry().unit_at(&code, day()).map(|u| u.name.clone())
    };
    let groups = show(&form, &data, &names);
    let all: Vec<(String, String)> = groups
        .iter()
        .flat_map(|g| g.fields.iter())
        .map(|f| (f.label_vi.clone(), f.value_vi.clone()))
        .collect();
    let value = |label: &str| {
        all.iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(value("Ngày, tháng, năm sinh"), Some("03/10/2026"));
    assert_eq!(value("Giới tính"), Some("Nữ"));
    assert_eq!(value("Nơi cư trú"), Some("Tổ 5, Phường Nùng Trí Cao"));
    assert!(
        !groups.iter().any(|g| g.label_vi == "Thông tin người cha"),
        "a group with no value is left out"
    );
}

#[test]
fn a_catalogue_with_a_broken_form_is_refused() {
    let mut spec: ProcedureSpec = super::tests::sample_spec();
    spec.form = FormSchema {
        groups: vec![FieldGroup {
            label_vi: "Nhóm".into(),
            label_en: "Group".into(),
            fields: vec![
                FormField {
                    key: "a".into(),
                    label_vi: "A".into(),
                    label_en: "A".into(),
                    kind: FieldKind::Text,
                    required: true,
                    max_len: None,
                },
                FormField {
                    key: "a".into(),
                    label_vi: "B".into(),
                    label_en: "B".into(),
                    kind: FieldKind::Select { options: vec![] },
                    required: false,
                    max_len: None,
                },
            ],
        }],
    };
    let err = super::Procedure::new(spec).expect_err("duplicate key");
    assert!(matches!(err, ProcedureError::BadForm(_)), "{err:?}");
    assert_eq!(err.code(), "bad_form");
}

/// A value that the field accepts, from a seed.
fn valid_value(kind: &FieldKind, seed: u64) -> String {
    match kind {
        FieldKind::Text | FieldKind::Address => format!("Giá trị {seed}"),
        FieldKind::Date => {
            let d = NaiveDate::from_ymd_opt(1950, 1, 1).expect("d")
                + chrono::Duration::days((seed % 30_000) as i64);
            if seed.is_multiple_of(2) {
                d.format("%d/%m/%Y").to_string()
            } else {
                d.format("%Y-%m-%d").to_string()
            }
        }
        FieldKind::Number => (seed % 1_000_000_000).to_string(),
        FieldKind::Select { options } => options[(seed as usize) % options.len()].value.clone(),
        FieldKind::TaxCode => {
            let ten = format!("{:010}", seed % 10_000_000_000);
            match seed % 3 {
                0 => ten,
                1 => format!("{ten}-{:03}", seed % 1000),
                _ => format!("{ten}{:03}", seed % 1000),
            }
        }
        FieldKind::NationalId => format!("{:012}", seed % 1_000_000_000_000),
        FieldKind::Unit => "01279".into(),
    }
}

fn fill(form: &FormSchema, seed: u64, optional: bool) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    for (i, f) in form.fields().enumerate() {
        if !f.required && !optional {
            continue;
        }
        let s = seed.wrapping_add(i as u64 * 7919);
        match f.kind {
            FieldKind::Address => {
                v.insert(street_key(&f.key), valid_value(&FieldKind::Text, s));
                v.insert(commune_key(&f.key), "01279".into());
            }
            ref k => {
                v.insert(f.key.clone(), valid_value(k, s));
            }
        }
    }
    v
}

fn demo_forms() -> Vec<FormSchema> {
    ["1.001193", "LOCAL-04-0001", "1.001612", "2.001610"]
        .into_iter()
        .map(form_of)
        .collect()
}

proptest! {
    #[test]
    fn valid_values_always_validate_and_normalising_is_idempotent(
        which in 0usize..4, seed in any::<u64>(), optional in any::<bool>()
    ) {
        let form = &demo_forms()[which];
        let data = validate(form, &fill(form, seed, optional));
        prop_assert!(data.is_ok(), "{:?}", data);
        let data = data.expect("ok");
        let again = validate(form, data.values());
        prop_assert_eq!(again, Ok(data));
    }

    #[test]
    fn any_missing_required_field_is_reported(
        which in 0usize..4, seed in any::<u64>(), pick in any::<usize>()
    ) {
        let form = &demo_forms()[which];
        let mut v = fill(form, seed, true);
        let required: Vec<&FormField> = form.fields().filter(|f| f.required).collect();
        let f = required[pick % required.len()];
        let key = match f.kind {
            FieldKind::Address => {
                v.remove(&commune_key(&f.key));
                street_key(&f.key)
            }
            _ => f.key.clone(),
        };
        v.remove(&key);
        let errors = validate(form, &v).expect_err("missing");
        prop_assert!(
            errors.iter().any(|e| e.field == key && e.code() == "required"),
            "{} not reported: {:?}", key, errors
        );
    }
}
