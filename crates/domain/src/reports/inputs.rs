//! Số liệu ngoài hệ thống — the external inputs of the Decision 766 index
//! ([`ExternalInputs`]), declared by a unit (a commune, or the province for
//! its own Center and departments) for one month.
//!
//! The national portal scores a unit per month, quarter, half and year
//! (Decision 766/QĐ-TTg, 2022; domain.md §3). The engine cannot know how
//! many procedures were published on time, how many dossiers reached the
//! national portal, how PAKN were handled or how the population database
//! was used, so an authorised official declares them month by month. A
//! period's inputs are the sum of its months' ([`combine`]): ratios add
//! their numerators and denominators, counts add, PAKN counts add, and a
//! field stays `None` only when no month of the period has it, so a period
//! with one declared month is scored on that month rather than on nothing.
//!
//! Declarations are versioned and never overwritten: the latest
//! declaration of a (unit, month) is the one in force ([`InputsDeclaration`]),
//! the earlier ones stay for the audit.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::index766::{ExternalInputs, PaknInputs, Ratio};
use super::period::Month;
use crate::access::{province_of, Principal, StaffRole};
use crate::dossier::{UnitId, UserId};

/// The largest count a declaration accepts (far above any unit's monthly
/// volume; keeps every sum of a period exact).
pub const MAX_COUNT: u64 = 1_000_000_000;

/// The longest note (characters).
pub const MAX_NOTE_CHARS: usize = 500;

/// Trường số liệu — one field of [`ExternalInputs`], with its labels, for
/// validation messages and the entry form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputField {
    PublishedOnTime,
    UpdatedOnTime,
    PublishedComplete,
    SynchronizedDossiers,
    FeeProceduresOnPortal,
    Pakn,
    DigitizedDataReused,
    DigitizedDataShared,
    PopulationDataUsed,
    ProceduresOnPopulationDb,
    ElectronicCertifiedCopies,
}

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A numerator over a denominator.
    Ratio,
    /// One count (its denominator comes from the figures or the catalogue).
    Count,
    /// The four PAKN counts.
    Pakn,
}

impl InputField {
    pub const ALL: [InputField; 11] = [
        InputField::PublishedOnTime,
        InputField::UpdatedOnTime,
        InputField::PublishedComplete,
        InputField::SynchronizedDossiers,
        InputField::FeeProceduresOnPortal,
        InputField::Pakn,
        InputField::DigitizedDataReused,
        InputField::DigitizedDataShared,
        InputField::PopulationDataUsed,
        InputField::ProceduresOnPopulationDb,
        InputField::ElectronicCertifiedCopies,
    ];

    /// The JSON key of the field in [`ExternalInputs`].
    pub fn key(self) -> &'static str {
        match self {
            InputField::PublishedOnTime => "published_on_time",
            InputField::UpdatedOnTime => "updated_on_time",
            InputField::PublishedComplete => "published_complete",
            InputField::SynchronizedDossiers => "synchronized_dossiers",
            InputField::FeeProceduresOnPortal => "fee_procedures_on_portal",
            InputField::Pakn => "pakn",
            InputField::DigitizedDataReused => "digitized_data_reused",
            InputField::DigitizedDataShared => "digitized_data_shared",
            InputField::PopulationDataUsed => "population_data_used",
            InputField::ProceduresOnPopulationDb => "procedures_on_population_db",
            InputField::ElectronicCertifiedCopies => "electronic_certified_copies",
        }
    }

    pub fn kind(self) -> FieldKind {
        match self {
            InputField::SynchronizedDossiers | InputField::FeeProceduresOnPortal => {
                FieldKind::Count
            }
            InputField::Pakn => FieldKind::Pakn,
            _ => FieldKind::Ratio,
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            InputField::PublishedOnTime => "TTHC công bố đúng hạn / TTHC phải công bố",
            InputField::UpdatedOnTime => "TTHC cập nhật, công khai đúng hạn / TTHC phải cập nhật",
            InputField::PublishedComplete => "TTHC công khai đầy đủ / TTHC đã công khai",
            InputField::SynchronizedDossiers => "Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia",
            InputField::FeeProceduresOnPortal => {
                "TTHC có phí, lệ phí tích hợp thanh toán trực tuyến trên Cổng"
            }
            InputField::Pakn => "Phản ánh, kiến nghị (PAKN)",
            InputField::DigitizedDataReused => "Hồ sơ tái sử dụng dữ liệu số hóa / hồ sơ",
            InputField::DigitizedDataShared => "Hồ sơ số hóa có kết nối, chia sẻ / hồ sơ số hóa",
            InputField::PopulationDataUsed => {
                "Hồ sơ khai thác CSDL dân cư / hồ sơ có thể khai thác"
            }
            InputField::ProceduresOnPopulationDb => {
                "TTHC đã kết nối CSDL dân cư / TTHC phải kết nối"
            }
            InputField::ElectronicCertifiedCopies => {
                "Chứng thực bản sao điện tử / chứng thực bản sao"
            }
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            InputField::PublishedOnTime => "Procedures published on time / to publish",
            InputField::UpdatedOnTime => "Procedures updated on time / to update",
            InputField::PublishedComplete => "Procedures published complete / published",
            InputField::SynchronizedDossiers => "Dossiers synchronized to the national portal",
            InputField::FeeProceduresOnPortal => {
                "Fee-charging procedures with online payment on the portal"
            }
            InputField::Pakn => "Feedback and complaints (PAKN)",
            InputField::DigitizedDataReused => "Dossiers reusing digitized data / dossiers",
            InputField::DigitizedDataShared => "Digitized dossiers with data shared / digitized",
            InputField::PopulationDataUsed => "Dossiers using population data / could",
            InputField::ProceduresOnPopulationDb => {
                "Procedures connected to the population database / to connect"
            }
            InputField::ElectronicCertifiedCopies => {
                "Electronic certified copies / certified copies"
            }
        }
    }

    /// The ratio of this field in `x` (None for counts and PAKN).
    pub fn ratio(self, x: &ExternalInputs) -> Option<Ratio> {
        match self {
            InputField::PublishedOnTime => x.published_on_time,
            InputField::UpdatedOnTime => x.updated_on_time,
            InputField::PublishedComplete => x.published_complete,
            InputField::DigitizedDataReused => x.digitized_data_reused,
            InputField::DigitizedDataShared => x.digitized_data_shared,
            InputField::PopulationDataUsed => x.population_data_used,
            InputField::ProceduresOnPopulationDb => x.procedures_on_population_db,
            InputField::ElectronicCertifiedCopies => x.electronic_certified_copies,
            InputField::SynchronizedDossiers
            | InputField::FeeProceduresOnPortal
            | InputField::Pakn => None,
        }
    }

    /// The count of this field in `x` (None for ratios and PAKN).
    pub fn count(self, x: &ExternalInputs) -> Option<u64> {
        match self {
            InputField::SynchronizedDossiers => x.synchronized_dossiers,
            InputField::FeeProceduresOnPortal => x.fee_procedures_on_portal,
            _ => None,
        }
    }

    /// Whether `x` has a value for this field.
    pub fn is_set(self, x: &ExternalInputs) -> bool {
        match self.kind() {
            FieldKind::Ratio => self.ratio(x).is_some(),
            FieldKind::Count => self.count(x).is_some(),
            FieldKind::Pakn => x.pakn.is_some(),
        }
    }
}

/// Why a declaration is refused. Each has a stable [`InputsError::code`]
/// and a Vietnamese message ([`InputsError::message_vi`]); the English one
/// is its `Display`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputsError {
    #[error("{}: the numerator {numerator} exceeds the denominator {denominator}", field.key())]
    NumeratorExceedsDenominator {
        field: InputField,
        numerator: u64,
        denominator: u64,
    },
    #[error("{}: {value} is above the largest accepted count {MAX_COUNT}", field.key())]
    TooLarge { field: InputField, value: u64 },
    #[error("pakn: {part} ({value}) exceeds {whole} ({total})")]
    PaknInconsistent {
        part: &'static str,
        value: u64,
        whole: &'static str,
        total: u64,
    },
    #[error("the note has {0} characters; at most {MAX_NOTE_CHARS}")]
    NoteTooLong(usize),
    #[error("the month {month} has not started yet (today is {today})")]
    FutureMonth { month: Month, today: NaiveDate },
}

impl InputsError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            InputsError::NumeratorExceedsDenominator { .. } => "numerator_exceeds_denominator",
            InputsError::TooLarge { .. } => "input_too_large",
            InputsError::PaknInconsistent { .. } => "pakn_inconsistent",
            InputsError::NoteTooLong(_) => "note_too_long",
            InputsError::FutureMonth { .. } => "month_in_future",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            InputsError::NumeratorExceedsDenominator {
                field,
                numerator,
                denominator,
            } => format!(
                "{}: tử số {numerator} lớn hơn mẫu số {denominator}.",
                field.label_vi()
            ),
            InputsError::TooLarge { field, value } => format!(
                "{}: giá trị {value} vượt quá mức tối đa {MAX_COUNT}.",
                field.label_vi()
            ),
            InputsError::PaknInconsistent {
                part,
                value,
                whole,
                total,
            } => format!(
                "PAKN: số {} ({value}) lớn hơn số {} ({total}).",
                pakn_label_vi(part),
                pakn_label_vi(whole)
            ),
            InputsError::NoteTooLong(n) => {
                format!("Ghi chú dài {n} ký tự; tối đa {MAX_NOTE_CHARS} ký tự.")
            }
            InputsError::FutureMonth { month, .. } => format!(
                "Tháng {}/{} chưa bắt đầu: chưa thể kê khai số liệu.",
                month.month(),
                month.year()
            ),
        }
    }
}

fn pakn_label_vi(key: &str) -> &'static str {
    match key {
        "received" => "PAKN tiếp nhận",
        "handled_on_time" => "PAKN xử lý đúng hạn",
        "rated" => "lượt đánh giá",
        _ => "đánh giá hài lòng",
    }
}

fn add(a: u64, b: u64) -> u64 {
    a.saturating_add(b)
}

fn add_opt<T: Copy>(a: Option<T>, b: Option<T>, f: impl Fn(T, T) -> T) -> Option<T> {
    match (a, b) {
        (Some(x), Some(y)) => Some(f(x, y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn add_ratio(a: Ratio, b: Ratio) -> Ratio {
    Ratio::new(
        add(a.numerator, b.numerator),
        add(a.denominator, b.denominator),
    )
}

fn add_pakn(a: PaknInputs, b: PaknInputs) -> PaknInputs {
    PaknInputs {
        received: add(a.received, b.received),
        handled_on_time: add(a.handled_on_time, b.handled_on_time),
        rated: add(a.rated, b.rated),
        satisfied: add(a.satisfied, b.satisfied),
    }
}

/// Cộng số liệu — the inputs of two months (or periods) together: ratios
/// add numerator and denominator, counts add, PAKN counts add; a field is
/// `None` only when both are. Associative and commutative, with
/// `ExternalInputs::default()` as identity.
pub fn combine(a: &ExternalInputs, b: &ExternalInputs) -> ExternalInputs {
    ExternalInputs {
        published_on_time: add_opt(a.published_on_time, b.published_on_time, add_ratio),
        updated_on_time: add_opt(a.updated_on_time, b.updated_on_time, add_ratio),
        published_complete: add_opt(a.published_complete, b.published_complete, add_ratio),
        synchronized_dossiers: add_opt(a.synchronized_dossiers, b.synchronized_dossiers, add),
        fee_procedures_on_portal: add_opt(
            a.fee_procedures_on_portal,
            b.fee_procedures_on_portal,
            add,
        ),
        pakn: add_opt(a.pakn, b.pakn, add_pakn),
        digitized_data_reused: add_opt(a.digitized_data_reused, b.digitized_data_reused, add_ratio),
        digitized_data_shared: add_opt(a.digitized_data_shared, b.digitized_data_shared, add_ratio),
        population_data_used: add_opt(a.population_data_used, b.population_data_used, add_ratio),
        procedures_on_population_db: add_opt(
            a.procedures_on_population_db,
            b.procedures_on_population_db,
            add_ratio,
        ),
        electronic_certified_copies: add_opt(
            a.electronic_certified_copies,
            b.electronic_certified_copies,
            add_ratio,
        ),
    }
}

/// The inputs of a period from its months' inputs (any order).
pub fn combine_all<'a>(months: impl IntoIterator<Item = &'a ExternalInputs>) -> ExternalInputs {
    months
        .into_iter()
        .fold(ExternalInputs::default(), |acc, x| combine(&acc, x))
}

/// Kiểm tra — the rules a month's declaration must meet: each ratio's
/// numerator at most its denominator; every count at most [`MAX_COUNT`];
/// PAKN handled on time and rated at most received, satisfied at most
/// rated. The first broken rule is reported, fields in their order.
pub fn validate(x: &ExternalInputs) -> Result<(), InputsError> {
    let small = |field: InputField, value: u64| {
        if value > MAX_COUNT {
            Err(InputsError::TooLarge { field, value })
        } else {
            Ok(())
        }
    };
    for field in InputField::ALL {
        match field.kind() {
            FieldKind::Ratio => {
                if let Some(r) = field.ratio(x) {
                    small(field, r.numerator)?;
                    small(field, r.denominator)?;
                    if r.numerator > r.denominator {
                        return Err(InputsError::NumeratorExceedsDenominator {
                            field,
                            numerator: r.numerator,
                            denominator: r.denominator,
                        });
                    }
                }
            }
            FieldKind::Count => {
                if let Some(n) = field.count(x) {
                    small(field, n)?;
                }
            }
            FieldKind::Pakn => {
                if let Some(p) = x.pakn {
                    for v in [p.received, p.handled_on_time, p.rated, p.satisfied] {
                        small(field, v)?;
                    }
                    let check = |part, value, whole, total| {
                        if value > total {
                            Err(InputsError::PaknInconsistent {
                                part,
                                value,
                                whole,
                                total,
                            })
                        } else {
                            Ok(())
                        }
                    };
                    check("handled_on_time", p.handled_on_time, "received", p.received)?;
                    check("rated", p.rated, "received", p.received)?;
                    check("satisfied", p.satisfied, "rated", p.rated)?;
                }
            }
        }
    }
    Ok(())
}

/// Checks a whole declaration: its inputs ([`validate`]), its note (at most
/// [`MAX_NOTE_CHARS`]) and its month (not after `today`'s month).
pub fn validate_declaration(
    month: Month,
    inputs: &ExternalInputs,
    note: Option<&str>,
    today: NaiveDate,
) -> Result<(), InputsError> {
    if month > Month::of(today) {
        return Err(InputsError::FutureMonth { month, today });
    }
    validate(inputs)?;
    if let Some(n) = note {
        let chars = n.chars().count();
        if chars > MAX_NOTE_CHARS {
            return Err(InputsError::NoteTooLong(chars));
        }
    }
    Ok(())
}

/// Who may declare a unit's inputs: the unit's leader (Lãnh đạo đơn vị)
/// for that unit, and the province administrator for any unit of the
/// province (its communes and the province's own unit). Inspectors, unit
/// administrators and the other roles read only.
pub fn may_declare(principal: &Principal, unit: &UnitId) -> bool {
    principal.assignments().iter().any(|a| match a.role {
        StaffRole::Leader => a.unit == *unit,
        StaffRole::ProvinceAdmin => province_of(unit) == a.unit.as_str(),
        _ => false,
    })
}

/// Bản kê khai — one stored declaration of a unit's inputs for a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputsDeclaration {
    pub unit: UnitId,
    pub month: Month,
    /// 1 for the first declaration of the (unit, month), then 2, 3…; the
    /// highest is in force.
    pub version: u32,
    pub inputs: ExternalInputs,
    /// Người nhập — who entered it.
    pub entered_by: UserId,
    pub entered_at: DateTime<Utc>,
    /// Ghi chú, văn bản nguồn — e.g. the number of the report the figures
    /// come from.
    pub note: Option<String>,
}

/// The inputs of each unit over the months of `period` from the
/// declarations in force (one per unit and month; other months ignored).
pub fn per_unit<'a>(
    declarations: impl IntoIterator<Item = &'a InputsDeclaration>,
    period: &super::Period,
) -> std::collections::BTreeMap<UnitId, ExternalInputs> {
    let mut out: std::collections::BTreeMap<UnitId, ExternalInputs> =
        std::collections::BTreeMap::new();
    for d in declarations
        .into_iter()
        .filter(|d| period.contains(d.month))
    {
        let e = out.entry(d.unit.clone()).or_default();
        *e = combine(e, &d.inputs);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Assignment;
    use crate::reports::{score, CatalogueInputs, IndexConfig, IndexInputs, ScoreStatus};
    use proptest::prelude::*;

    fn ratio(n: u64, d: u64) -> Option<Ratio> {
        Some(Ratio::new(n, d))
    }

    fn month(y: i32, m: u32) -> Month {
        Month::new(y, m).expect("a month")
    }

    #[test]
    fn combining_adds_numerators_denominators_and_counts() {
        let jan = ExternalInputs {
            published_on_time: ratio(9, 10),
            synchronized_dossiers: Some(40),
            pakn: Some(PaknInputs {
                received: 3,
                handled_on_time: 2,
                rated: 2,
                satisfied: 1,
            }),
            ..ExternalInputs::default()
        };
        let feb = ExternalInputs {
            published_on_time: ratio(5, 5),
            updated_on_time: ratio(1, 2),
            synchronized_dossiers: Some(2),
            ..ExternalInputs::default()
        };
        let q = combine(&jan, &feb);
        assert_eq!(q.published_on_time, ratio(14, 15));
        assert_eq!(q.updated_on_time, ratio(1, 2), "one month has it");
        assert_eq!(q.synchronized_dossiers, Some(42));
        assert_eq!(q.pakn, jan.pakn, "February declared no PAKN");
        assert_eq!(q.published_complete, None, "no month has it");
        assert_eq!(combine_all([&jan, &feb]), q);
        assert_eq!(combine_all([]), ExternalInputs::default());
    }

    #[test]
    fn validation_names_the_broken_rule() {
        let bad = ExternalInputs {
            population_data_used: ratio(11, 10),
            ..ExternalInputs::default()
        };
        let e = validate(&bad).expect_err("11 of 10");
        assert_eq!(e.code(), "numerator_exceeds_denominator");
        assert!(e.message_vi().contains("tử số 11 lớn hơn mẫu số 10"));
        assert!(e.to_string().starts_with("population_data_used:"));

        let pakn = |received, handled_on_time, rated, satisfied| ExternalInputs {
            pakn: Some(PaknInputs {
                received,
                handled_on_time,
                rated,
                satisfied,
            }),
            ..ExternalInputs::default()
        };
        assert_eq!(validate(&pakn(3, 3, 2, 2)), Ok(()));
        assert_eq!(validate(&pakn(0, 0, 0, 0)), Ok(()));
        for broken in [pakn(3, 4, 0, 0), pakn(3, 0, 4, 0), pakn(3, 0, 1, 2)] {
            assert_eq!(
                validate(&broken).map_err(|e| e.code()),
                Err("pakn_inconsistent")
            );
        }
        let big = ExternalInputs {
            synchronized_dossiers: Some(MAX_COUNT + 1),
            ..ExternalInputs::default()
        };
        assert_eq!(validate(&big).map_err(|e| e.code()), Err("input_too_large"));
        assert_eq!(validate(&ExternalInputs::default()), Ok(()));
        let today = NaiveDate::from_ymd_opt(2026, 3, 31).expect("date");
        assert_eq!(
            validate_declaration(month(2026, 4), &ExternalInputs::default(), None, today)
                .map_err(|e| e.code()),
            Err("month_in_future")
        );
        let long = "x".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(
            validate_declaration(
                month(2026, 3),
                &ExternalInputs::default(),
                Some(&long),
                today
            )
            .map_err(|e| e.code()),
            Err("note_too_long")
        );
        let ok = "ư".repeat(MAX_NOTE_CHARS);
        assert_eq!(
            validate_declaration(month(2026, 3), &ExternalInputs::default(), Some(&ok), today),
            Ok(()),
            "characters, not bytes"
        );
    }

    #[test]
    fn leaders_declare_for_their_unit_and_the_province_admin_for_all() {
        let unit = |s: &str| UnitId::parse(s).expect("unit");
        let official = |role, at: &str| Principal::Official {
            user: UserId::parse("u").expect("user"),
            assignments: vec![Assignment::new(role, unit(at)).expect("assignment")],
        };
        let a = unit("04.01279");
        let b = unit("04.01288");
        let own = unit("04");
        assert!(may_declare(&official(StaffRole::Leader, "04.01279"), &a));
        assert!(!may_declare(&official(StaffRole::Leader, "04.01279"), &b));
        assert!(!may_declare(&official(StaffRole::Leader, "04.01279"), &own));
        assert!(may_declare(&official(StaffRole::Leader, "04"), &own));
        let admin = official(StaffRole::ProvinceAdmin, "04");
        assert!(may_declare(&admin, &a) && may_declare(&admin, &b) && may_declare(&admin, &own));
        assert!(!may_declare(&admin, &unit("01.00004")), "another province");
        for role in [
            StaffRole::Inspector,
            StaffRole::UnitAdmin,
            StaffRole::ReceivingOfficer,
            StaffRole::Specialist,
            StaffRole::DepartmentHead,
            StaffRole::Clerical,
        ] {
            assert!(!may_declare(&official(role, "04.01279"), &a), "{role}");
        }
        let citizen = Principal::Citizen {
            user: UserId::parse("c").expect("user"),
        };
        assert!(!may_declare(&citizen, &a));
    }

    #[test]
    fn per_unit_sums_the_months_of_the_period_only() {
        let unit = UnitId::parse("04.01279").expect("unit");
        let decl = |m: Month, n, d| InputsDeclaration {
            unit: unit.clone(),
            month: m,
            version: 1,
            inputs: ExternalInputs {
                published_on_time: ratio(n, d),
                ..ExternalInputs::default()
            },
            entered_by: UserId::parse("lanhdao").expect("user"),
            entered_at: DateTime::<Utc>::MIN_UTC,
            note: None,
        };
        let all = [
            decl(month(2026, 1), 1, 2),
            decl(month(2026, 3), 3, 4),
            decl(month(2026, 4), 100, 100),
        ];
        let q1 = super::super::Period::Quarter {
            year: 2026,
            quarter: 1,
        };
        let m = per_unit(&all, &q1);
        assert_eq!(m.len(), 1);
        assert_eq!(m[&unit].published_on_time, ratio(4, 6));
    }

    #[test]
    fn declared_inputs_are_scored_not_missing() {
        let config = IndexConfig::default_2026();
        let figures = crate::reports::Rollup::default()
            .figures(NaiveDate::from_ymd_opt(2026, 3, 31).expect("date"));
        let inputs = |external| IndexInputs {
            figures: figures.clone(),
            catalogue: CatalogueInputs::default(),
            external,
        };
        let before = score(&config, &inputs(ExternalInputs::default()));
        let x = ExternalInputs {
            published_on_time: ratio(3, 4),
            ..ExternalInputs::default()
        };
        let after = score(&config, &inputs(x));
        let find = |r: &crate::reports::IndexReport| {
            r.groups
                .iter()
                .flat_map(|g| &g.criteria)
                .find(|c| c.criterion == crate::reports::Criterion::PublishedOnTime)
                .map(|c| (c.points, c.status))
        };
        assert_eq!(find(&before), Some((0.0, ScoreStatus::MissingInput)));
        assert_eq!(find(&after), Some((4.5, ScoreStatus::Scored)), "3/4 × 6");
        assert!((after.total - before.total - 4.5).abs() < 1e-9);
    }

    fn arb_ratio() -> impl Strategy<Value = Option<Ratio>> {
        prop::option::of((0u64..1_000, 0u64..1_000).prop_map(|(n, d)| Ratio::new(n, d)))
    }

    fn arb_inputs() -> impl Strategy<Value = ExternalInputs> {
        (
            (arb_ratio(), arb_ratio(), arb_ratio(), arb_ratio()),
            (arb_ratio(), arb_ratio(), arb_ratio(), arb_ratio()),
            prop::option::of(0u64..1_000),
            prop::option::of(0u64..1_000),
            prop::option::of((0u64..100, 0u64..100, 0u64..100, 0u64..100).prop_map(
                |(received, handled_on_time, rated, satisfied)| PaknInputs {
                    received,
                    handled_on_time,
                    rated,
                    satisfied,
                },
            )),
        )
            .prop_map(
                |((a, b, c, d), (e, f, g, h), s, fee, pakn)| ExternalInputs {
                    published_on_time: a,
                    updated_on_time: b,
                    published_complete: c,
                    synchronized_dossiers: s,
                    fee_procedures_on_portal: fee,
                    pakn,
                    digitized_data_reused: d,
                    digitized_data_shared: e,
                    population_data_used: f,
                    procedures_on_population_db: g,
                    electronic_certified_copies: h,
                },
            )
    }

    proptest! {
        #[test]
        fn combining_is_associative_and_commutative(
            a in arb_inputs(), b in arb_inputs(), c in arb_inputs()
        ) {
            prop_assert_eq!(combine(&combine(&a, &b), &c), combine(&a, &combine(&b, &c)));
            prop_assert_eq!(combine(&a, &b), combine(&b, &a));
            prop_assert_eq!(combine(&a, &ExternalInputs::default()), a);
        }

        #[test]
        fn a_period_does_not_depend_on_the_order_of_its_months(
            months in prop::collection::vec(arb_inputs(), 0..8),
            seed in any::<u64>()
        ) {
            let mut shuffled = months.clone();
            let n = shuffled.len();
            let mut s = seed;
            for i in (1..n).rev() {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let j = usize::try_from(s >> 33).unwrap_or(0) % (i + 1);
                shuffled.swap(i, j);
            }
            let all = combine_all(&months);
            prop_assert_eq!(combine_all(&shuffled), all);
            for f in InputField::ALL {
                prop_assert_eq!(f.is_set(&all), months.iter().any(|m| f.is_set(m)));
            }
        }

        #[test]
        fn valid_months_combine_into_a_valid_period(
            months in prop::collection::vec(arb_inputs(), 0..6)
        ) {
            let valid: Vec<ExternalInputs> =
                months.into_iter().filter(|m| validate(m).is_ok()).collect();
            prop_assert!(validate(&combine_all(&valid)).is_ok());
        }
    }
}
