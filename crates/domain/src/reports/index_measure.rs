//! Mỗi tiêu chí đo gì — what each sub-criterion of the service index
//! measures: its inputs (with their source) and the numerator and
//! denominator of its ratio.

use super::index766::{Criterion, IndexInputs, InputSource, InputValue, Ratio};

/// What a criterion measures: inputs and the ratio's parts.
pub(super) struct Measure {
    pub(super) inputs: Vec<InputValue>,
    /// (numerator, denominator) or None if an external input is missing.
    pub(super) ratio: Option<(u64, u64)>,
    pub(super) num_vi: &'static str,
    pub(super) num_en: &'static str,
    pub(super) den_vi: &'static str,
    pub(super) den_en: &'static str,
}

fn input(key: &str, vi: &str, en: &str, value: Option<u64>, source: InputSource) -> InputValue {
    InputValue {
        key: key.to_string(),
        label_vi: vi.to_string(),
        label_en: en.to_string(),
        value,
        source,
    }
}

/// A ratio measure with two inputs.
fn ratio_measure(
    num: (
        &'static str,
        &'static str,
        &'static str,
        Option<u64>,
        InputSource,
    ),
    den: (
        &'static str,
        &'static str,
        &'static str,
        Option<u64>,
        InputSource,
    ),
) -> Measure {
    let ratio = num.3.zip(den.3);
    Measure {
        inputs: vec![
            input(num.0, num.1, num.2, num.3, num.4),
            input(den.0, den.1, den.2, den.3, den.4),
        ],
        ratio,
        num_vi: num.1,
        num_en: num.2,
        den_vi: den.1,
        den_en: den.2,
    }
}

fn external_ratio(
    r: Option<Ratio>,
    num: (&'static str, &'static str, &'static str),
    den: (&'static str, &'static str, &'static str),
) -> Measure {
    use InputSource::External;
    ratio_measure(
        (num.0, num.1, num.2, r.map(|r| r.numerator), External),
        (den.0, den.1, den.2, r.map(|r| r.denominator), External),
    )
}

pub(super) fn measure(c: Criterion, i: &IndexInputs) -> Measure {
    use InputSource::{Catalogue, Events, External};
    let f = &i.figures;
    let cat = &i.catalogue;
    let x = &i.external;
    match c {
        Criterion::PublishedOnTime => external_ratio(
            x.published_on_time,
            (
                "published_on_time",
                "TTHC công bố đúng hạn",
                "procedures published on time",
            ),
            ("to_publish", "TTHC phải công bố", "procedures to publish"),
        ),
        Criterion::UpdatedOnTime => external_ratio(
            x.updated_on_time,
            (
                "updated_on_time",
                "TTHC cập nhật, công khai đúng hạn",
                "procedures updated on time",
            ),
            ("to_update", "TTHC phải cập nhật", "procedures to update"),
        ),
        Criterion::PublishedComplete => external_ratio(
            x.published_complete,
            (
                "published_complete",
                "TTHC công khai đầy đủ",
                "procedures published completely",
            ),
            ("published", "TTHC công khai", "procedures published"),
        ),
        Criterion::SynchronizedToPortal => ratio_measure(
            (
                "synchronized",
                "hồ sơ đồng bộ lên Cổng DVC quốc gia",
                "dossiers synchronized to the portal",
                x.synchronized_dossiers,
                External,
            ),
            (
                "dossiers",
                "hồ sơ phát sinh",
                "dossiers opened",
                Some(f.dossiers.total),
                Events,
            ),
        ),
        Criterion::OnTime => {
            let mut m = ratio_measure(
                (
                    "within_deadline",
                    "hồ sơ đúng hạn",
                    "dossiers on time",
                    Some(f.within_deadline),
                    Events,
                ),
                (
                    "received",
                    "hồ sơ tiếp nhận",
                    "dossiers received",
                    Some(f.received.total),
                    Events,
                ),
            );
            m.inputs.extend([
                input(
                    "early",
                    "đã giải quyết trước hạn",
                    "done early",
                    Some(f.early),
                    Events,
                ),
                input(
                    "on_time",
                    "đã giải quyết đúng hạn",
                    "done on time",
                    Some(f.on_time),
                    Events,
                ),
                input(
                    "in_process_on_track",
                    "đang giải quyết trong hạn",
                    "in process within deadline",
                    Some(f.in_process_on_track),
                    Events,
                ),
                input(
                    "withdrawn_after_acceptance",
                    "rút hồ sơ sau tiếp nhận",
                    "withdrawn after acceptance",
                    Some(f.withdrawn_after_acceptance),
                    Events,
                ),
                input(
                    "late",
                    "đã giải quyết quá hạn",
                    "done late",
                    Some(f.late),
                    Events,
                ),
                input(
                    "overdue",
                    "đang giải quyết quá hạn",
                    "overdue in process",
                    Some(f.overdue),
                    Events,
                ),
            ]);
            m
        }
        Criterion::ProceduresOnline => ratio_measure(
            (
                "online",
                "TTHC cung cấp DVC trực tuyến",
                "procedures offered online",
                Some(cat.online),
                Catalogue,
            ),
            (
                "procedures",
                "TTHC thuộc thẩm quyền",
                "procedures under the unit",
                Some(cat.procedures),
                Catalogue,
            ),
        ),
        Criterion::OnlineServicesUsed => ratio_measure(
            (
                "online_used",
                "DVC trực tuyến có phát sinh hồ sơ",
                "online services with online dossiers",
                Some(cat.online_used),
                Catalogue,
            ),
            (
                "online",
                "DVC trực tuyến",
                "online services",
                Some(cat.online),
                Catalogue,
            ),
        ),
        Criterion::OnlineDossiers => ratio_measure(
            (
                "received_online",
                "hồ sơ trực tuyến",
                "dossiers received online",
                Some(f.received.online),
                Events,
            ),
            (
                "received",
                "hồ sơ tiếp nhận",
                "dossiers received",
                Some(f.received.total),
                Events,
            ),
        ),
        Criterion::FeeProceduresOnPortal => ratio_measure(
            (
                "fee_procedures_on_portal",
                "TTHC có phí tích hợp thanh toán trên Cổng",
                "fee-charging procedures payable on the portal",
                x.fee_procedures_on_portal,
                External,
            ),
            (
                "fee_charging_procedures",
                "TTHC có phí, lệ phí",
                "fee-charging procedures",
                Some(cat.fee_charging),
                Catalogue,
            ),
        ),
        Criterion::ProceduresWithOnlinePayment => ratio_measure(
            (
                "fee_charging_paid_online",
                "TTHC có giao dịch thanh toán trực tuyến",
                "procedures with an online payment",
                Some(cat.fee_charging_paid_online),
                Catalogue,
            ),
            (
                "fee_charging_procedures",
                "TTHC có phí, lệ phí",
                "fee-charging procedures",
                Some(cat.fee_charging),
                Catalogue,
            ),
        ),
        Criterion::DossiersPaidOnline => ratio_measure(
            (
                "paid_online",
                "hồ sơ thanh toán trực tuyến",
                "dossiers paid online",
                Some(f.paid_online),
                Events,
            ),
            (
                "fee_charging",
                "hồ sơ có nghĩa vụ tài chính",
                "fee-charging dossiers",
                Some(f.fee_charging),
                Events,
            ),
        ),
        Criterion::ProcessingSatisfaction => {
            let mut m = ratio_measure(
                (
                    "satisfied",
                    "đánh giá hài lòng, rất hài lòng",
                    "rated satisfied or very satisfied",
                    Some(f.ratings.very_satisfied + f.ratings.satisfied),
                    Events,
                ),
                (
                    "rated",
                    "lượt đánh giá",
                    "ratings",
                    Some(f.ratings.total),
                    Events,
                ),
            );
            m.inputs.extend([
                input(
                    "very_satisfied",
                    "rất hài lòng",
                    "very satisfied",
                    Some(f.ratings.very_satisfied),
                    Events,
                ),
                input(
                    "not_satisfied",
                    "không hài lòng",
                    "not satisfied",
                    Some(f.ratings.not_satisfied),
                    Events,
                ),
            ]);
            m
        }
        Criterion::PaknOnTime => ratio_measure(
            (
                "pakn_on_time",
                "PAKN xử lý đúng hạn",
                "feedback handled on time",
                x.pakn.map(|p| p.handled_on_time),
                External,
            ),
            (
                "pakn_received",
                "PAKN tiếp nhận",
                "feedback received",
                x.pakn.map(|p| p.received),
                External,
            ),
        ),
        Criterion::PaknSatisfaction => {
            let mut m = ratio_measure(
                (
                    "pakn_satisfied",
                    "đánh giá hài lòng về xử lý PAKN",
                    "satisfied with feedback handling",
                    x.pakn.map(|p| p.satisfied),
                    External,
                ),
                (
                    "pakn_rated",
                    "lượt đánh giá xử lý PAKN",
                    "feedback handlings rated",
                    x.pakn.map(|p| p.rated),
                    External,
                ),
            );
            m.inputs.push(input(
                "pakn_received",
                "PAKN tiếp nhận",
                "feedback received",
                x.pakn.map(|p| p.received),
                External,
            ));
            if x.pakn.is_some_and(|p| p.received == 0) {
                m.ratio = Some((0, 0));
            }
            m
        }
        Criterion::ElectronicResults => ratio_measure(
            (
                "electronic_result",
                "hồ sơ có kết quả điện tử",
                "dossiers with an electronic result",
                Some(f.electronic_result),
                Events,
            ),
            (
                "finished",
                "hồ sơ đã giải quyết",
                "dossiers finished",
                Some(f.finished),
                Events,
            ),
        ),
        // Over all dossiers received under the unit's competence: an online
        // dossier is born digital; a paper one counts once scanned
        // (Circular 01/2023/TT-VPCP; issue 11).
        Criterion::DossiersDigitized => {
            let mut m = ratio_measure(
                (
                    "digitized_total",
                    "hồ sơ được số hóa (trực tuyến + giấy đã số hóa)",
                    "dossiers digitized (online + paper digitized)",
                    Some(f.digitized + f.received.online),
                    Events,
                ),
                (
                    "received",
                    "hồ sơ tiếp nhận thuộc thẩm quyền",
                    "dossiers received under the unit's competence",
                    Some(f.received.total),
                    Events,
                ),
            );
            m.inputs.extend([
                input(
                    "received_online",
                    "hồ sơ trực tuyến",
                    "received online",
                    Some(f.received.online),
                    Events,
                ),
                input(
                    "paper_received",
                    "hồ sơ tiếp nhận trực tiếp, bưu chính",
                    "received in person or by post",
                    Some(f.paper_received),
                    Events,
                ),
                input(
                    "digitized",
                    "hồ sơ giấy đã số hóa",
                    "paper dossiers digitized",
                    Some(f.digitized),
                    Events,
                ),
            ]);
            m
        }
        Criterion::DigitizedDataReused => external_ratio(
            x.digitized_data_reused,
            (
                "reused",
                "hồ sơ tái sử dụng dữ liệu số hóa",
                "dossiers reusing digitized data",
            ),
            ("dossiers", "hồ sơ", "dossiers"),
        ),
        Criterion::DigitizedDataShared => external_ratio(
            x.digitized_data_shared,
            (
                "shared",
                "hồ sơ số hóa có kết nối, chia sẻ",
                "digitized dossiers with data shared",
            ),
            ("digitized", "hồ sơ số hóa", "digitized dossiers"),
        ),
        Criterion::PopulationDataUsed => external_ratio(
            x.population_data_used,
            (
                "population_data_used",
                "hồ sơ khai thác dữ liệu dân cư",
                "dossiers using population data",
            ),
            ("dossiers", "hồ sơ có thể khai thác", "dossiers that could"),
        ),
        Criterion::ProceduresOnPopulationDb => external_ratio(
            x.procedures_on_population_db,
            (
                "connected",
                "TTHC đã kết nối CSDL dân cư",
                "procedures connected",
            ),
            ("to_connect", "TTHC phải kết nối", "procedures to connect"),
        ),
        Criterion::ElectronicCertifiedCopies => external_ratio(
            x.electronic_certified_copies,
            (
                "electronic",
                "chứng thực bản sao điện tử",
                "electronic certified copies",
            ),
            ("certified_copies", "chứng thực bản sao", "certified copies"),
        ),
    }
}
