//! Arbitrary input never makes a form panic and always gives a PDF that
//! reads back.

mod fixtures;
mod pdftext;

use chrono::{NaiveDate, NaiveDateTime};
use motcua_forms::*;
use proptest::prelude::*;

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ\n\t]{0,300}",
        Just(String::new()),
    ]
}

fn any_datetime() -> impl Strategy<Value = NaiveDateTime> {
    (-300_000i64..300_000i64, 0u32..86_400).prop_map(|(days, secs)| {
        NaiveDate::from_num_days_from_ce_opt(738_000 + days as i32)
            .unwrap_or(NaiveDate::MIN)
            .and_hms_opt(secs / 3600, secs / 60 % 60, secs % 60)
            .unwrap_or(NaiveDateTime::MIN)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn receipt_never_panics(
        texts in proptest::collection::vec(any_text(), 8),
        docs in proptest::collection::vec((any_text(), any::<u32>()), 0..12),
        when in any_datetime(),
        sets in any::<u32>(),
        fee in any::<u64>(),
    ) {
        let mut form = fixtures::receipt();
        form.heading.parent = texts[0].clone();
        form.heading.unit = texts[1].clone();
        form.heading.number = Some(texts[2].clone());
        form.heading.date = when.date();
        form.applicant.name = texts[3].clone();
        form.procedure = texts[4].clone();
        form.tracking_url = texts[5].clone();
        form.return_place = texts[6].clone();
        form.processing_time = Some(texts[7].clone());
        form.documents = docs
            .into_iter()
            .map(|(name, count)| ReceivedDocument { name, form: DocumentForm::Copy, count })
            .collect();
        form.received_at = when;
        form.appointment = when;
        form.sets = sets;
        form.fee = Fee::Vnd(fee);
        let pdf = receipt_slip(&form).expect("pdf");
        prop_assert!(pdftext::pages(&pdf) >= 1);
        prop_assert!(pdftext::text(&pdf).contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"));
    }

    #[test]
    fn control_sheet_never_panics(
        texts in proptest::collection::vec(any_text(), 4),
        rows in proptest::collection::vec((any_text(), any_text(), any_datetime()), 0..20),
    ) {
        let mut sheet = fixtures::control();
        sheet.applicant = texts[0].clone();
        sheet.procedure = texts[1].clone();
        sheet.dossier_code = texts[2].clone();
        sheet.heading.place = texts[3].clone();
        sheet.rows = rows
            .into_iter()
            .map(|(agency, note, at)| ControlRow {
                agency,
                step: None,
                officer: None,
                received_at: Some(at),
                handed_over_at: None,
                result: Some(StepResult::Late),
                note: Some(note),
            })
            .collect();
        let pdf = control_sheet(&sheet).expect("pdf");
        prop_assert!(pdftext::pages(&pdf) >= 1);
    }

    #[test]
    fn letters_never_panic(texts in proptest::collection::vec(any_text(), 6), when in any_datetime()) {
        let mut a = fixtures::apology();
        a.addressee = texts[0].clone();
        a.reason = texts[1].clone();
        a.signer.title = texts[2].clone();
        a.recipients = vec![texts[3].clone(), texts[4].clone()];
        a.new_appointment = when;
        apology(&a).expect("pdf");
        let mut s = fixtures::stop_notice();
        s.basis = Some(texts[5].clone());
        s.reason = texts[1].clone();
        s.heading.date = when.date();
        stop_notice(&s).expect("pdf");
        let mut r = fixtures::refusal();
        r.reason = texts[2].clone();
        refusal(&r).expect("pdf");
        let mut q = fixtures::supplement();
        q.items = texts.clone();
        supplement_request(&q).expect("pdf");
    }
}
