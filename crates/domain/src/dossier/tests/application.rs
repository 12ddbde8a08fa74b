//! The application data of a new dossier: checked by the decider against
//! the snapshot's form, kept in the opening event and the state, and
//! chained like every other payload.

use std::collections::BTreeMap;

use super::*;
use crate::procedure::form::validate;

fn birth_values() -> BTreeMap<String, String> {
    [
        ("child_name", "Nông Minh An"),
        ("child_birth_date", "03/10/2026"),
        ("child_sex", "nam"),
        ("child_birth_place", "Trạm Y tế phường Nùng Trí Cao"),
        ("mother_name", "Nông Thị Lan"),
        ("applicant_relation", "me"),
        ("applicant_address.street", "Tổ 5"),
        ("applicant_address.commune", "01279"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn submit(n: NewDossier) -> Result<Vec<Event>, DossierError> {
    decide(
        &DossierState::new(),
        &Command::SubmitOnline { dossier: n },
        &applicant("citizen:1"),
        t0(),
    )
}

#[test]
fn valid_application_data_is_kept_in_the_event_and_the_state() {
    let mut n = new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 1);
    let data = validate(&n.procedure.form, &birth_values()).expect("valid");
    n.application_data = Some(data.clone());
    let events = submit(n).expect("submitted");
    let EventData::Submitted(o) = &events[0].data else {
        panic!("not a submission: {:?}", events[0].data)
    };
    assert_eq!(o.application_data.as_ref(), Some(&data));
    assert!(
        !o.procedure.form.is_empty(),
        "the snapshot carries the form"
    );
    let state = events.iter().fold(DossierState::new(), apply);
    let d = state.dossier.expect("dossier");
    assert_eq!(d.application_data, Some(data));
    // Canonical bytes read back to the same event.
    let bytes = canonical_bytes(&events[0]).expect("bytes");
    assert_eq!(parse_canonical(&bytes).expect("parse"), events[0]);
}

#[test]
fn data_that_misses_a_required_field_opens_nothing() {
    let mut n = new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 1);
    let mut v = birth_values();
    v.remove("child_name");
    // Normal-form data without the child's name (as a client bypassing
    // the engine's check would send it).
    let mut form = n.procedure.form.clone();
    for g in &mut form.groups {
        g.fields.retain(|f| f.key != "child_name");
    }
    n.application_data = Some(validate(&form, &v).expect("valid without the name"));
    let err = submit(n).expect_err("refused");
    assert_eq!(err.code(), "invalid_application_data");
    let DossierError::InvalidApplicationData(fields) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].field, "child_name");
    assert!(err.message_vi().contains("Họ, chữ đệm và tên của trẻ"));
}

#[test]
fn data_not_in_normal_form_is_refused() {
    let mut n = new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 1);
    // Deserialised as stored data, but with the date as typed.
    let raw: crate::procedure::ApplicationData =
        serde_json::from_value(serde_json::to_value(birth_values()).expect("json")).expect("data");
    n.application_data = Some(raw);
    assert_eq!(
        submit(n).expect_err("refused").code(),
        "invalid_application_data"
    );
}

#[test]
fn an_opening_event_without_application_data_reads_as_before() {
    let n = new_dossier("1.001193", UNIT_A, UNIT_A, t0(), 1);
    let events = submit(n).expect("submitted");
    let bytes = canonical_bytes(&events[0]).expect("bytes");
    let text = String::from_utf8(bytes.clone()).expect("utf8");
    assert!(!text.contains("application_data"), "absent, not null");
    assert_eq!(parse_canonical(&bytes).expect("parse"), events[0]);
}
