//! Dữ liệu mẫu — the demo data set: the shipped Cao Bằng procedure
//! catalogue and a few hundred dossiers across the 56 communes of Cao Bằng
//! over the last ~60 days, in every portal status (1–10).
//!
//! Every dossier is produced through the engine's public commands
//! ([`Engine::submit`], [`Engine::act`]), so each has a real, verifiable
//! event chain. The set is deterministic for a given `(now, seed)`: a
//! dossier's life is first rehearsed in memory with the pure domain
//! ([`decide`] / [`apply`], the same appointments as the engine) and placed
//! in time so that every action lies in the past and moves forward; then it
//! is executed for real, dossiers in order of submission so that the daily
//! code sequences follow the clock.
//!
//! Conventions shared with the server and the CLI:
//! * unit identifiers: a commune is `"<province>.<commune code>"`, e.g.
//!   `04.01279` for Phường Nùng Trí Cao ([`commune_unit_id`]); the province
//!   itself (provincial Center and departments) is `"04"`
//!   ([`province_unit_id`]);
//! * staff user ids: `canbo.tiepnhan.01279` (receiving officer),
//!   `chuyenvien.tuphap.01279` (specialist of a field), `truongphong.…`,
//!   `chutich.01279` / `phochutich.01279` (leader), `vanthu.01279`
//!   (clerical) — see [`staff_user`]; online applicants log in as
//!   `vneid.<personal id>`; automated actors are `hethong.dvcqg` (portal),
//!   `hethong.thanhtoan` (payments), `hethong.danhgia` (rating kiosk) and
//!   `lienthong.<agency key>` (inter-agency legs).
//!
//! DEMO DATA: names, identifiers, amounts and events are invented.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use motcua_domain::calendar::{
    apology_deadline, to_vietnam_local, vietnam_local_to_utc, CalendarError,
};
use motcua_domain::dossier::{
    apply, decide, vietnam_date, Actor, Applicant, AppraisalOutcome, Channel, Command, Dossier,
    DossierCode, DossierCodeError, DossierState, NewDossier, PersonalId, Rating, ReceivedDocument,
    ReturnWay, Role, Status, UnitId, UserId,
};
use motcua_domain::procedure::{
    AgencyRef, Catalogue, CompetentLevel, FeeAmount, OnlineLevel, Procedure, StepKind, TimeLimit,
    WorkflowStep,
};
use motcua_store::{CommandError, DossierFilter, Intake};
use serde::Serialize;

use crate::{Action, Engine, EngineError, Submission, Upload};

mod supplement;

/// The demo province: Cao Bằng.
pub const DEMO_PROVINCE_CODE: &str = "04";
/// How many dossiers [`load_demo`] generates.
pub const DEFAULT_DEMO_DOSSIERS: usize = 300;
/// The default seed (the day the two-level government began).
pub const DEFAULT_DEMO_SEED: u64 = 20_250_701;
/// How far back the demo dossiers go, in calendar days.
pub const DEMO_WINDOW_DAYS: u64 = 60;

/// The shipped demo catalogue (41 Cao Bằng procedures, DEMO DATA).
pub fn demo_catalogue() -> Catalogue {
    // The file is compiled in and validated by this module's tests.
    Catalogue::from_json(motcua_refdata::PROCEDURES_CAOBANG_JSON)
        .expect("the shipped demo catalogue is valid (checked by the engine's tests)")
}

/// The unit identifier of a commune in dossier codes: `"<province>.<commune>"`,
/// e.g. `commune_unit_id("04", "01279")` = `04.01279` (Phường Nùng Trí Cao).
pub fn commune_unit_id(
    province_code: &str,
    commune_code: &str,
) -> Result<UnitId, DossierCodeError> {
    UnitId::parse(&format!("{}.{}", province_code.trim(), commune_code.trim()))
}

/// The unit identifier of a province (its Center and departments): the
/// province code, e.g. `04`.
pub fn province_unit_id(province_code: &str) -> Result<UnitId, DossierCodeError> {
    UnitId::parse(province_code.trim())
}

/// The communes of the demo province (Cao Bằng, 56 units from 1 July 2025),
/// as unit identifiers, from the shipped reference data.
pub fn demo_communes() -> Vec<UnitId> {
    motcua_refdata::COMMUNES_2025
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            match cols.as_slice() {
                [code, _, _, province, ..] if *province == DEMO_PROVINCE_CODE => {
                    commune_unit_id(province, code).ok()
                }
                _ => None,
            }
        })
        .collect()
}

/// The last segment of a unit id (`01279` of `04.01279`), used in user ids.
fn unit_suffix(unit: &UnitId) -> &str {
    unit.as_str().rsplit('.').next().unwrap_or(unit.as_str())
}

fn uid(s: &str) -> UserId {
    let clean: String = s
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect();
    let clean = if clean.is_empty() {
        "demo".to_string()
    } else {
        clean
    };
    UserId::parse(&clean).expect("1-64 printable ASCII characters")
}

/// The conventional user id of a staff member of `unit` in the demo data
/// (and the CLI's default actor): `canbo.tiepnhan.01279`,
/// `chuyenvien.tuphap.01279` (with a field) or `chuyenvien.01279`,
/// `truongphong.…`, `chutich.01279` / `phochutich.01279`, `vanthu.01279`.
pub fn staff_user(role: Role, unit: &UnitId, field: Option<&str>) -> UserId {
    let s = unit_suffix(unit);
    let with_field = |prefix: &str| match field {
        Some(f) => format!("{prefix}.{f}.{s}"),
        None => format!("{prefix}.{s}"),
    };
    uid(&match role {
        Role::ReceivingOfficer => format!("canbo.tiepnhan.{s}"),
        Role::Specialist => with_field("chuyenvien"),
        Role::DepartmentHead => with_field("truongphong"),
        Role::Leader => match field {
            Some("tuphap" | "vhxh" | "congan") => format!("phochutich.{s}"),
            _ => format!("chutich.{s}"),
        },
        Role::Clerical => format!("vanthu.{s}"),
        Role::Applicant => format!("congdan.{s}"),
        Role::System => "hethong.dvcqg".to_string(),
    })
}

/// Imports the demo catalogue if the store holds no procedure at all.
/// Returns how many procedure versions were imported (0 if none needed).
pub async fn ensure_demo_catalogue(engine: &Engine) -> Result<usize, EngineError> {
    if !engine.store().procedures().await?.is_empty() {
        return Ok(0);
    }
    let catalogue = demo_catalogue();
    engine
        .store()
        .put_procedures(catalogue.procedures())
        .await?;
    tracing::info!(
        procedures = catalogue.procedures().len(),
        "imported the demo procedure catalogue"
    );
    Ok(catalogue.procedures().len())
}

/// What [`load_demo`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoReport {
    /// Procedure versions imported (0 when the store already had some).
    pub procedures_imported: usize,
    /// True when the store already held dossiers: nothing was generated.
    pub skipped_existing_dossiers: bool,
    pub dossiers: usize,
    pub events: usize,
    /// Dossiers per portal status code (1–10).
    pub by_status: BTreeMap<u8, usize>,
    /// Dossiers per channel (`in_person`, `online`, `post`).
    pub by_channel: BTreeMap<String, usize>,
    /// Result issued after the date of the original appointment (trễ hạn).
    pub late: usize,
    /// Still in process (status 2 or 4) with the original due date passed
    /// (quá hạn).
    pub overdue: usize,
    /// With an apology and new appointment (Mẫu 04).
    pub rescheduled: usize,
    /// Received by one commune for another (tiếp nhận phi địa giới).
    pub boundary_free: usize,
    pub with_supplement: usize,
    pub with_payment: usize,
    pub sent_back: usize,
    pub rated: usize,
    /// Dossiers that could not be placed in the window (should be 0).
    pub not_placed: usize,
    /// The earliest and latest event times.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Options of [`load_demo_with`].
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The receiving / competent communes (empty: the Cao Bằng communes).
    pub communes: Vec<UnitId>,
    pub now: DateTime<Utc>,
    pub seed: u64,
    pub dossiers: usize,
}

/// Loads the demo set: the catalogue if the store has no procedures, then
/// (if the store has no dossiers) [`DEFAULT_DEMO_DOSSIERS`] dossiers over
/// `communes` (empty: [`demo_communes`]) in the 60 days before `now`.
pub async fn load_demo(
    engine: &Engine,
    communes: &[UnitId],
    now: DateTime<Utc>,
    seed: u64,
) -> Result<DemoReport, EngineError> {
    load_demo_with(
        engine,
        &DemoOptions {
            communes: communes.to_vec(),
            now,
            seed,
            dossiers: DEFAULT_DEMO_DOSSIERS,
        },
    )
    .await
}

/// [`load_demo`] with every option.
pub async fn load_demo_with(
    engine: &Engine,
    options: &DemoOptions,
) -> Result<DemoReport, EngineError> {
    let mut report = DemoReport {
        procedures_imported: ensure_demo_catalogue(engine).await?,
        ..DemoReport::default()
    };
    let any = engine
        .store()
        .search(&DossierFilter {
            limit: 1,
            ..DossierFilter::default()
        })
        .await?;
    if !any.is_empty() {
        report.skipped_existing_dossiers = true;
        return Ok(report);
    }
    let communes = if options.communes.is_empty() {
        demo_communes()
    } else {
        options.communes.clone()
    };
    // Procedures in force over the whole window (or, for a window that
    // starts before the catalogue does, those in force today: dossiers
    // that cannot be placed are counted in `not_placed`).
    let today = vietnam_date(options.now);
    let window_start = today.checked_sub_days(Days::new(DEMO_WINDOW_DAYS + 30));
    let all: Vec<Procedure> = engine
        .store()
        .procedures()
        .await?
        .into_iter()
        .filter(|p| p.in_force_on(today))
        .collect();
    let whole_window: Vec<Procedure> = all
        .iter()
        .filter(|p| window_start.is_some_and(|d| p.in_force_on(d)))
        .cloned()
        .collect();
    let procedures = if whole_window.is_empty() {
        all
    } else {
        whole_window
    };
    if communes.is_empty() || procedures.is_empty() || options.dossiers == 0 {
        return Ok(report);
    }
    let generator = Generator::new(engine, &communes, &procedures, options)?;
    let mut plans = Vec::with_capacity(options.dossiers);
    for (i, spec) in generator.specs()?.into_iter().enumerate() {
        match generator.place(&spec, i as u64)? {
            Some(sim) => plans.push(sim),
            None => report.not_placed += 1,
        }
    }
    plans.sort_by_key(|s| s.steps.first().map(|p| p.at));
    number_results(&mut plans);
    for plan in &plans {
        execute(engine, plan).await?;
        summarize(&mut report, plan, options.now);
    }
    tracing::info!(
        dossiers = report.dossiers,
        events = report.events,
        late = report.late,
        "loaded the demo dossiers"
    );
    Ok(report)
}

// ---------------------------------------------------------------------------
// Randomness: SplitMix64 (deterministic, no dependency).

#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut r = Rng(seed ^ 0x6d6f_7463_7561_2e76);
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi` (`lo` if the range is empty).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next() % span) as i64
    }
    fn index(&mut self, len: usize) -> usize {
        if len == 0 {
            0
        } else {
            (self.next() % len as u64) as usize
        }
    }
    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.index(items.len())).copied().unwrap_or("")
    }
    /// Index chosen with the given weights (0 if all are 0).
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        if total == 0 {
            return 0;
        }
        let mut x = self.next() % total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        0
    }
}

// ---------------------------------------------------------------------------
// Names and texts (invented; common Kinh, Tày and Nùng family names).

const SURNAMES: &[&str] = &[
    "Nông", "Hoàng", "Nguyễn", "Lục", "Đàm", "Lương", "Bế", "Triệu", "Lý", "Nông", "Hoàng", "Mạc",
    "Sầm", "Hà", "Lâm", "Chu", "Trần", "Lê", "Phạm", "Vi", "Đinh", "Ma", "La", "Dương", "Đàm",
    "Lăng",
];
const MIDDLE_MALE: &[&str] = &["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thế", "Xuân"];
const MIDDLE_FEMALE: &[&str] = &["Thị", "Thị", "Thu", "Ngọc", "Kim", "Minh", "Thanh", "Hồng"];
const GIVEN_MALE: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong", "Quân", "Sơn",
    "Thắng", "Tuấn", "Toàn", "Việt", "Hưng", "Kiên", "Lâm", "Đạt",
];
const GIVEN_FEMALE: &[&str] = &[
    "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Phương", "Tâm", "Thảo", "Trang",
    "Vân", "Yến", "Huyền", "Loan", "Nhung", "Thơm", "Duyên", "Hằng",
];

fn person(rng: &mut Rng) -> Applicant {
    let female = rng.chance(50);
    let name = format!(
        "{} {} {}",
        rng.pick(SURNAMES),
        rng.pick(if female { MIDDLE_FEMALE } else { MIDDLE_MALE }),
        rng.pick(if female { GIVEN_FEMALE } else { GIVEN_MALE })
    );
    // 12-digit personal id: province of birth (004 = Cao Bằng), century and
    // sex digit, two digits of the year of birth, six random digits.
    let year = rng.range(1955, 2006);
    let century_sex = match (year >= 2000, female) {
        (false, false) => 0,
        (false, true) => 1,
        (true, false) => 2,
        (true, true) => 3,
    };
    let id = format!(
        "004{century_sex}{:02}{:06}",
        year % 100,
        rng.range(0, 999_999)
    );
    Applicant {
        name,
        personal_id: PersonalId::parse(&id).ok(),
        user: None,
    }
}

/// Field of a procedure → the specialist's department in user ids.
fn field_slug(p: &Procedure) -> &'static str {
    let f = p.field_vi.to_lowercase();
    let province = p.level == CompetentLevel::Province;
    if f.contains("doanh nghiệp") {
        "dkkd"
    } else if province {
        "nnmt"
    } else if f.contains("hộ tịch") || f.contains("chứng thực") || f.contains("con nuôi") {
        "tuphap"
    } else if f.contains("đất") {
        "diachinh"
    } else if f.contains("cư trú") {
        "congan"
    } else if f.contains("xã hội") || f.contains("nghèo") {
        "vhxh"
    } else {
        "kinhte"
    }
}

/// How often a procedure is asked for at a commune Center (demo weights).
fn popularity(p: &Procedure) -> u64 {
    match p.code.as_str() {
        "2.000815" => 30, // chứng thực bản sao
        "1.001193" => 22, // khai sinh
        "2.000884" => 12, // chứng thực chữ ký
        "1.004873" => 12, // xác nhận tình trạng hôn nhân
        "1.000894" => 10, // kết hôn
        "2.000635" => 10, // trích lục
        "1.000656" => 8,  // khai tử
        "1.004194" | "1.004222" => 8,
        "1.013978" => 8, // đăng ký đất đai
        "LOCAL-04-0002" => 6,
        "1.001612" | "2.000720" => 5,
        "2.001035" | "2.001019" => 4,
        "1.013225" | "1.013229" => 3,
        "1.001776" | "1.011607" | "1.011608" => 3,
        _ => 2,
    }
}

fn register_of(p: &Procedure) -> &'static str {
    match p.code.as_str() {
        "1.001193" | "LOCAL-04-0002" | "1.004884" => "Sổ đăng ký khai sinh",
        "1.000894" | "1.004746" => "Sổ đăng ký kết hôn",
        "1.000656" => "Sổ đăng ký khai tử",
        "1.004873" => "Sổ cấp Giấy xác nhận tình trạng hôn nhân",
        "2.000635" | "2.000908" => "Sổ cấp bản sao trích lục hộ tịch",
        "1.000881" => "Sổ đăng ký thay đổi, cải chính hộ tịch",
        "1.001022" => "Sổ đăng ký nhận cha, mẹ, con",
        "1.004837" => "Sổ đăng ký giám hộ",
        "2.001263" => "Sổ đăng ký nuôi con nuôi",
        "2.000815" => "Sổ chứng thực bản sao từ bản chính",
        "2.000884" => "Sổ chứng thực chữ ký",
        "2.001019" | "2.001035" => "Sổ chứng thực hợp đồng, giao dịch",
        _ => {
            let f = p.field_vi.to_lowercase();
            if f.contains("hộ kinh doanh") {
                "Sổ đăng ký hộ kinh doanh"
            } else if f.contains("đất") {
                "Sổ cấp Giấy chứng nhận quyền sử dụng đất"
            } else if f.contains("xây dựng") {
                "Sổ cấp giấy phép xây dựng"
            } else {
                "Sổ đăng ký văn bản đi"
            }
        }
    }
}

const REFUSALS: &[&str] = &[
    "Yêu cầu không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận",
    "Người yêu cầu không đủ điều kiện thực hiện thủ tục theo quy định",
    "Giấy tờ xuất trình có dấu hiệu tẩy xóa, sửa chữa nội dung",
];
const LATE_REASONS: &[&str] = &[
    "Cần xác minh thêm thông tin tại nơi cư trú trước đây của người yêu cầu",
    "Chờ kết quả xác minh của cơ quan phối hợp",
    "Hệ thống cơ sở dữ liệu chuyên ngành gián đoạn, chưa cập nhật được thông tin",
    "Công chức thẩm định nghỉ ốm đột xuất, hồ sơ chưa được xử lý kịp",
];
/// What the applicant's request to stop says (Mẫu 05).
const STOP_REQUESTS: &[&str] = &[
    "Người nộp đề nghị dừng giải quyết để bổ sung giấy tờ và nộp lại sau",
    "Người nộp đề nghị dừng giải quyết do đã chuyển nơi cư trú",
    "Người nộp đề nghị dừng giải quyết do không còn nhu cầu",
];

const SEND_BACKS: &[&str] = &[
    "Dự thảo kết quả chưa đúng thể thức, đề nghị chỉnh sửa",
    "Đề nghị bổ sung biên bản xác minh vào hồ sơ trình ký",
    "Thông tin trong dự thảo chưa khớp với giấy tờ của người yêu cầu",
];
const INELIGIBLE: &[&str] = &[
    "Không đủ điều kiện theo quy định: người yêu cầu không cư trú trên địa bàn",
    "Không đủ điều kiện theo quy định: giấy tờ chứng minh không hợp lệ",
];
const WITHDRAWALS: &[&str] = &[
    "Người nộp đề nghị rút hồ sơ để hoàn thiện lại giấy tờ",
    "Người nộp không còn nhu cầu giải quyết",
];
const PRAISE: &[&str] = &[
    "Cán bộ hướng dẫn tận tình, chu đáo",
    "Trả kết quả sớm hơn hẹn",
    "Thủ tục nhanh gọn",
];
const COMPLAINTS: &[&str] = &[
    "Thời gian chờ lâu, phải đi lại nhiều lần",
    "Trả kết quả chậm so với ngày hẹn",
];

// ---------------------------------------------------------------------------
// Dossier specifications: what happens to each dossier, independent of when.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pay {
    None,
    /// Financial obligation during processing (e.g. land: tax notice).
    InProcessing(u64),
    /// Fee collected before the result is handed over.
    AtResult(u64),
}

#[derive(Debug, Clone)]
struct Spec {
    procedure: Procedure,
    slug: &'static str,
    receiving: UnitId,
    competent: UnitId,
    intake: Intake,
    applicant: Applicant,
    documents: Vec<ReceivedDocument>,
    target: Status,
    /// 0 or 1: the two ways some statuses are reached.
    variant: u8,
    late: bool,
    apology: bool,
    supplement_at_receipt: bool,
    supplement_in_appraisal: bool,
    payment: Pay,
    send_back: bool,
    ineligible: bool,
    /// Where a dossier left in processing stops, in % of its workflow.
    stop_at_percent: u64,
    rating: Option<(Rating, Option<String>)>,
    /// Calendar days before `now` of the first attempt at placing it.
    days_back: i64,
    seed: u64,
}

/// How many of each status per 300 dossiers (1 submitted … 10 returned).
const STATUS_MIX: [(Status, usize); 10] = [
    (Status::Submitted, 14),
    (Status::Accepted, 10),
    (Status::Refused, 12),
    (Status::Processing, 45),
    (Status::AwaitingSupplement, 14),
    (Status::AwaitingPayment, 10),
    (Status::Withdrawn, 10),
    (Status::Stopped, 7),
    (Status::ResultReady, 28),
    (Status::ResultReturned, 150),
];

fn fee_amount(p: &Procedure, rng: &mut Rng, pages: u32) -> Option<u64> {
    for fee in &p.fees {
        match fee.amount {
            FeeAmount::Vnd(0) => {}
            FeeAmount::Vnd(n) => {
                let per_page = fee.per_vi.as_deref().is_some_and(|u| u.contains("trang"));
                return Some(if per_page {
                    n * u64::from(pages.max(1))
                } else {
                    n
                });
            }
            FeeAmount::SetByProvincialCouncil => {
                // A plausible demo amount (the council's rate is not in the catalogue).
                return Some(rng.range(4, 20) as u64 * 5_000);
            }
        }
    }
    None
}

fn has_kind(p: &Procedure, kind: StepKind) -> bool {
    p.workflow.steps().iter().any(|s| s.kind == kind)
}

/// The limit in calendar days, roughly (5 working days a week).
fn limit_days(p: &Procedure) -> i64 {
    match p.time_limit {
        TimeLimit::SameDay => 0,
        TimeLimit::WorkingDays(n) => i64::from(n) * 7 / 5,
        TimeLimit::WorkingHours(h) => i64::from(h) / 8 * 7 / 5,
        TimeLimit::CalendarDays(n) => i64::from(n),
        TimeLimit::NotStated => 21,
    }
}

fn long_limit(p: &Procedure) -> bool {
    match p.time_limit {
        TimeLimit::WorkingDays(n) => n >= 3,
        TimeLimit::WorkingHours(h) => h >= 24,
        TimeLimit::CalendarDays(n) => n <= 30,
        TimeLimit::SameDay => false,
        TimeLimit::NotStated => true,
    }
}

struct Generator<'a> {
    engine: &'a Engine,
    communes: &'a [UnitId],
    commune_weights: Vec<u64>,
    procedures: &'a [Procedure],
    province: UnitId,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
    seed: u64,
    count: usize,
}

impl<'a> Generator<'a> {
    fn new(
        engine: &'a Engine,
        communes: &'a [UnitId],
        procedures: &'a [Procedure],
        options: &DemoOptions,
    ) -> Result<Self, EngineError> {
        let province_code = communes
            .first()
            .and_then(|u| u.as_str().split('.').next())
            .unwrap_or(DEMO_PROVINCE_CODE)
            .to_string();
        let province = province_unit_id(&province_code)
            .or_else(|_| province_unit_id(DEMO_PROVINCE_CODE))
            .map_err(|_| EngineError::Calendar(CalendarError::OutOfRange))?;
        // Urban wards (the first codes of a province) receive more dossiers.
        let commune_weights = (0..communes.len())
            .map(|i| if i < 3 { 5 } else { 1 })
            .collect();
        Ok(Generator {
            engine,
            communes,
            commune_weights,
            procedures,
            province,
            now: options.now,
            horizon: options.now - TimeDelta::minutes(5),
            seed: options.seed,
            count: options.dossiers,
        })
    }

    fn commune(&self, rng: &mut Rng) -> UnitId {
        let i = rng.weighted(&self.commune_weights);
        self.communes
            .get(i)
            .cloned()
            .unwrap_or_else(|| self.province.clone())
    }

    fn other_commune(&self, rng: &mut Rng, not: &UnitId) -> UnitId {
        for _ in 0..8 {
            let c = self.commune(rng);
            if &c != not {
                return c;
            }
        }
        not.clone()
    }

    fn targets(&self, rng: &mut Rng) -> Vec<Status> {
        let total: usize = STATUS_MIX.iter().map(|(_, n)| n).sum();
        // At least one of each status, then in proportion.
        let mut counts: Vec<(Status, usize)> = STATUS_MIX
            .iter()
            .map(|(s, n)| (*s, (n * self.count / total).max(1)))
            .collect();
        let wanted = self.count.max(STATUS_MIX.len());
        loop {
            let sum: usize = counts.iter().map(|(_, n)| n).sum();
            if sum == wanted {
                break;
            }
            if sum < wanted {
                if let Some(last) = counts.last_mut() {
                    last.1 += 1;
                }
            } else if let Some(biggest) = counts.iter_mut().max_by_key(|(_, n)| *n) {
                biggest.1 -= 1;
            }
        }
        let mut out: Vec<Status> = counts
            .into_iter()
            .flat_map(|(s, n)| std::iter::repeat_n(s, n))
            .collect();
        // Fisher–Yates.
        for i in (1..out.len()).rev() {
            let j = rng.index(i + 1);
            out.swap(i, j);
        }
        out
    }

    fn pick_procedure(&self, rng: &mut Rng, target: Status) -> &'a Procedure {
        let weights: Vec<u64> = self
            .procedures
            .iter()
            .map(|p| {
                let w = popularity(p);
                match target {
                    // Stopped dossiers are those needing verification.
                    Status::Stopped if !has_kind(p, StepKind::Assign) => 0,
                    // A same-day dossier still in process is overdue by
                    // tomorrow: those in process are mostly longer ones.
                    Status::Accepted | Status::Processing if p.time_limit == TimeLimit::SameDay => {
                        0
                    }
                    Status::AwaitingPayment if fee_amount(p, &mut Rng::new(0), 1).is_none() => 0,
                    _ => w,
                }
            })
            .collect();
        let weights = if weights.iter().all(|w| *w == 0) {
            self.procedures.iter().map(popularity).collect()
        } else {
            weights
        };
        let i = rng.weighted(&weights);
        &self.procedures[i.min(self.procedures.len() - 1)]
    }

    fn specs(&self) -> Result<Vec<Spec>, EngineError> {
        let mut rng = Rng::new(self.seed);
        let targets = self.targets(&mut rng);
        let mut specs = Vec::with_capacity(targets.len());
        for (i, target) in targets.into_iter().enumerate() {
            specs.push(self.spec(&mut rng, target, i as u64));
        }
        Ok(specs)
    }

    fn spec(&self, rng: &mut Rng, target: Status, index: u64) -> Spec {
        let procedure = self.pick_procedure(rng, target).clone();
        let slug = field_slug(&procedure);
        // Units: own commune, boundary-free receipt at another commune's
        // Center, or the provincial level.
        let (receiving, competent) = if procedure.level == CompetentLevel::Province {
            if procedure.boundary_free && rng.chance(50) {
                (self.commune(rng), self.province.clone())
            } else {
                (self.province.clone(), self.province.clone())
            }
        } else {
            let competent = self.commune(rng);
            if procedure.boundary_free && rng.chance(18) {
                (self.other_commune(rng, &competent), competent)
            } else {
                (competent.clone(), competent)
            }
        };
        let boundary_free = receiving != competent;
        let online_share = match procedure.online_level {
            OnlineLevel::FullProcess => 60,
            OnlineLevel::Partial => 35,
            OnlineLevel::Unknown => 12,
            OnlineLevel::None => 0,
        };
        let mut intake = if !boundary_free && rng.chance(online_share) {
            Intake::Online
        } else if rng.chance(8) {
            Intake::Post
        } else {
            Intake::Counter
        };
        if target == Status::Submitted {
            // Waiting for the Center's check: online or by post.
            intake = if boundary_free || rng.chance(25) {
                Intake::Post
            } else {
                Intake::Online
            };
        }
        let mut applicant = person(rng);
        if intake == Intake::Online {
            applicant.user = applicant
                .personal_id
                .as_ref()
                .map(|id| uid(&format!("vneid.{}", id.as_str())));
        }
        let documents: Vec<ReceivedDocument> = procedure
            .documents
            .iter()
            .filter(|d| d.mandatory || rng.chance(50))
            .map(|d| ReceivedDocument {
                name_vi: d.name_vi.clone(),
                form: d.form,
                count: d.count,
            })
            .collect();
        let pages: u32 = documents.iter().map(|d| d.count).sum::<u32>() * rng.range(1, 3) as u32;
        let through_processing = matches!(target, Status::ResultReady | Status::ResultReturned);
        let late = through_processing
            && if long_limit(&procedure) {
                rng.chance(14)
            } else {
                rng.chance(6)
            };
        let apology = late && long_limit(&procedure) && rng.chance(60);
        let fee = fee_amount(&procedure, rng, pages);
        let tax_leg = procedure
            .external_agencies
            .iter()
            .any(|a| a.key.contains("thue"));
        let payment = if tax_leg && (through_processing || target == Status::AwaitingPayment) {
            Pay::InProcessing(rng.range(15, 120) as u64 * 100_000)
        } else if target == Status::AwaitingPayment {
            Pay::AtResult(fee.unwrap_or(50_000))
        } else {
            match fee {
                Some(a) if through_processing && rng.chance(45) => Pay::AtResult(a),
                _ => Pay::None,
            }
        };
        let rating = (target == Status::ResultReturned && rng.chance(78)).then(|| {
            let r = if late && rng.chance(50) || rng.chance(6) {
                Rating::NotSatisfied
            } else if rng.chance(58) {
                Rating::VerySatisfied
            } else {
                Rating::Satisfied
            };
            let comment = match r {
                Rating::NotSatisfied => Some(rng.pick(COMPLAINTS).to_string()),
                _ if rng.chance(30) => Some(rng.pick(PRAISE).to_string()),
                _ => None,
            };
            (r, comment)
        });
        let days_back = match target {
            Status::Submitted => rng.range(0, 2),
            Status::Accepted => rng.range(0, 1),
            Status::Refused | Status::Withdrawn => rng.range(1, 55),
            // Mostly within the limit; some overdue.
            Status::Processing if rng.chance(12) => {
                let d = limit_days(&procedure);
                rng.range(d + 2, d + 20)
            }
            Status::Processing => rng.range(0, (limit_days(&procedure) - 1).max(0)),
            Status::AwaitingSupplement => rng.range(1, 15),
            Status::AwaitingPayment => rng.range(1, 10),
            Status::Stopped => rng.range(3, 30),
            Status::ResultReady => rng.range(1, 8),
            Status::ResultReturned => rng.range(3, 58),
        };
        Spec {
            slug,
            receiving,
            competent,
            intake,
            applicant,
            documents,
            target,
            variant: u8::from(rng.chance(50)),
            late,
            apology,
            supplement_at_receipt: through_processing && rng.chance(7),
            supplement_in_appraisal: through_processing && rng.chance(7),
            payment,
            send_back: through_processing
                && has_kind(&procedure, StepKind::Review)
                && rng.chance(18),
            ineligible: through_processing && rng.chance(4),
            stop_at_percent: rng.range(0, 99) as u64,
            rating,
            days_back,
            seed: self.seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            procedure,
        }
    }

    /// Rehearses the dossier from a start `days_back` days ago, moving the
    /// start earlier until its last action lies before `now`.
    fn place(&self, spec: &Spec, index: u64) -> Result<Option<Sim<'a>>, EngineError> {
        let mut back = spec.days_back;
        let limit = DEMO_WINDOW_DAYS as i64 + 30;
        for attempt in 0..16u64 {
            let mut rng = Rng::new(spec.seed ^ attempt.wrapping_add(index << 8));
            let start = self.start_time(&mut rng, spec, back)?;
            if start < self.horizon {
                let sim = match rehearse(self.engine, spec, start, self.horizon) {
                    Ok(sim) => sim,
                    Err(e) => {
                        tracing::warn!(
                            procedure = %spec.procedure.code,
                            error = %e,
                            "demo dossier not placed"
                        );
                        return Ok(None);
                    }
                };
                if sim.t <= self.horizon {
                    return Ok(Some(sim));
                }
                back += (sim.t - self.horizon).num_days() + 1;
            } else {
                back += 1;
            }
            if back > limit {
                break;
            }
        }
        Ok(None)
    }

    fn start_time(
        &self,
        rng: &mut Rng,
        spec: &Spec,
        days_back: i64,
    ) -> Result<DateTime<Utc>, EngineError> {
        let today = vietnam_date(self.now);
        let date = today
            .checked_sub_days(Days::new(days_back.max(0) as u64))
            .ok_or(CalendarError::OutOfRange)?;
        let rules = self.engine.rules(DEMO_PROVINCE_CODE, date);
        let cal = &rules.calendar;
        let local = if spec.intake == Intake::Online {
            // People submit online at any hour, mostly by day.
            date.and_time(chrono::NaiveTime::MIN) + TimeDelta::minutes(rng.range(6 * 60, 23 * 60))
        } else {
            let day = cal.working_day_on_or_after(date)?;
            cal.add_working_time(cal.start_of_day(day), TimeDelta::minutes(rng.range(5, 460)))?
        };
        Ok(vietnam_local_to_utc(local)? + TimeDelta::seconds(rng.range(0, 59)))
    }
}

// ---------------------------------------------------------------------------
// Rehearsal: the pure domain, the engine's appointments.

#[derive(Debug, Clone)]
enum Op {
    Open(Submission),
    Act(Action),
    /// A document stored and attached ([`Engine::attach`]).
    Attach(Upload),
}

#[derive(Debug, Clone)]
struct Planned {
    at: DateTime<Utc>,
    actor: Actor,
    op: Op,
}

struct Sim<'a> {
    engine: &'a Engine,
    rng: Rng,
    state: DossierState,
    steps: Vec<Planned>,
    /// Time of the last action.
    t: DateTime<Utc>,
    spec_late: bool,
}

impl<'a> Sim<'a> {
    /// The settings the rehearsed dossier is counted with.
    fn rules(&self) -> std::sync::Arc<motcua_domain::settings::Rules> {
        self.engine.rules(DEMO_PROVINCE_CODE, vietnam_date(self.t))
    }

    fn d(&self) -> Result<&Dossier, EngineError> {
        self.state.dossier.as_ref().ok_or(EngineError::NoDeadline)
    }

    fn record(
        &mut self,
        at: DateTime<Utc>,
        actor: Actor,
        command: Command,
        op: Op,
    ) -> Result<(), EngineError> {
        let events = decide(&self.state, &command, &actor, at).map_err(CommandError::Refused)?;
        for e in &events {
            self.state = apply(std::mem::take(&mut self.state), e);
        }
        self.t = at;
        self.steps.push(Planned { at, actor, op });
        Ok(())
    }

    fn open(&mut self, at: DateTime<Utc>, actor: Actor, spec: &Spec) -> Result<(), EngineError> {
        let code = DossierCode::format(&spec.receiving, vietnam_date(at), 1)
            .map_err(|_| CalendarError::OutOfRange)?;
        let new = NewDossier {
            code,
            procedure: spec.procedure.snapshot(),
            competent_unit: spec.competent.clone(),
            applicant: spec.applicant.clone(),
            documents: spec.documents.clone(),
            application_data: None,
        };
        let command = match spec.intake {
            Intake::Online => Command::SubmitOnline { dossier: new },
            Intake::Counter => Command::ReceiveAtCounter {
                dossier: new,
                by_post: false,
            },
            Intake::Post => Command::ReceiveAtCounter {
                dossier: new,
                by_post: true,
            },
        };
        let submission = Submission {
            procedure: spec.procedure.code.clone(),
            intake: spec.intake,
            receiving_unit: spec.receiving.clone(),
            competent_unit: (spec.competent != spec.receiving).then(|| spec.competent.clone()),
            applicant: spec.applicant.clone(),
            documents: spec.documents.clone(),
            contact: None,
            application_data: None,
        };
        self.record(at, actor, command, Op::Open(submission))
    }

    fn act(&mut self, at: DateTime<Utc>, actor: Actor, action: Action) -> Result<(), EngineError> {
        let at = at.max(self.t + TimeDelta::minutes(1));
        let command = self
            .engine
            .command_for(Some(&self.state), action.clone(), at)?;
        self.record(at, actor, command, Op::Act(action))
    }

    /// The supplement's document, attached by `actor` (the applicant's
    /// upload, or the counter's scan) before "supplement provided".
    fn attach_supplement(
        &mut self,
        at: DateTime<Utc>,
        actor: Actor,
        name: &str,
    ) -> Result<(), EngineError> {
        let at = at.max(self.t + TimeDelta::minutes(1));
        let (upload, document) = supplement::supplement(name, actor.role == Role::Applicant);
        let command = Command::AttachDocument { document };
        self.record(at, actor, command, Op::Attach(upload))
    }

    /// The electronic result of a procedure named `procedure`, attached by
    /// the competent unit's clerk.
    fn attach_result(
        &mut self,
        at: DateTime<Utc>,
        actor: Actor,
        procedure: &str,
    ) -> Result<(), EngineError> {
        let at = at.max(self.t + TimeDelta::minutes(1));
        let (upload, document) = supplement::result_file(procedure);
        let command = Command::AttachDocument { document };
        self.record(at, actor, command, Op::Attach(upload))
    }

    /// `minutes` of working time after the last action, plus a few seconds.
    fn staff_after(&mut self, minutes: i64) -> Result<DateTime<Utc>, EngineError> {
        let rules = self.rules();
        let cal = &rules.calendar;
        let start = cal.next_working_instant(to_vietnam_local(&self.t))?;
        let end = cal.add_working_time(start, TimeDelta::minutes(minutes.max(1)))?;
        let at = vietnam_local_to_utc(end)? - TimeDelta::seconds(self.rng.range(0, 50));
        Ok(at.max(self.t + TimeDelta::minutes(1)))
    }

    /// A working time on the `n`-th working day after the last action's day.
    fn staff_days_later(&mut self, n: u32) -> Result<DateTime<Utc>, EngineError> {
        let rules = self.rules();
        let cal = &rules.calendar;
        let day = cal.add_working_days(vietnam_date(self.t), n)?;
        let local = cal.add_working_time(
            cal.start_of_day(day),
            TimeDelta::minutes(self.rng.range(10, 440)),
        )?;
        let at = vietnam_local_to_utc(local)? + TimeDelta::seconds(self.rng.range(0, 59));
        Ok(at.max(self.t + TimeDelta::minutes(1)))
    }

    /// A member of the public acts `hours` later (never at night).
    fn people_after(&mut self, hours: i64) -> DateTime<Utc> {
        let at =
            self.t + TimeDelta::hours(hours.max(1)) + TimeDelta::minutes(self.rng.range(0, 59));
        let local: NaiveDateTime = to_vietnam_local(&at);
        let hour = chrono::Timelike::hour(&local);
        if !(6..23).contains(&hour) {
            at + TimeDelta::hours(7)
        } else {
            at
        }
    }

    /// Working minutes left before the appointment, from the next working
    /// instant.
    fn minutes_to_due(&self) -> Result<Option<i64>, EngineError> {
        let Some(due) = self.d()?.due else {
            return Ok(None);
        };
        let rules = self.rules();
        let cal = &rules.calendar;
        let from = cal.next_working_instant(to_vietnam_local(&self.t))?;
        Ok(Some(
            cal.working_time_between(from, to_vietnam_local(&due))?
                .num_minutes(),
        ))
    }

    /// A step's duration, kept within the appointment unless the dossier is
    /// meant to be late: its share of the time left.
    fn duration(&mut self, minutes: i64, steps_left: i64) -> Result<i64, EngineError> {
        if self.spec_late {
            return Ok(minutes);
        }
        match self.minutes_to_due()? {
            Some(left) => Ok(minutes.min(left / (steps_left + 1)).max(1)),
            None => Ok(minutes),
        }
    }
}

fn actor(role: Role, user: UserId, unit: Option<&UnitId>) -> Actor {
    Actor::new(role, user, unit.cloned())
}

fn system(user: &str) -> Actor {
    Actor::new(Role::System, uid(user), None)
}

/// The minutes a step takes (before capping by the appointment).
fn step_minutes(rng: &mut Rng, step: &WorkflowStep) -> i64 {
    let budget = i64::from(step.budget_hours) * 60;
    match step.kind {
        StepKind::Transfer => rng.range(5, 90),
        StepKind::External => rng.range((budget / 4).max(60), (budget * 3 / 4).max(90)),
        _ if budget == 0 => rng.range(10, 60),
        _ => rng.range((budget / 8).max(10), (budget * 2 / 3).max(20)),
    }
}

/// Rehearses one dossier's life from `start` (see the module doc).
fn rehearse<'a>(
    engine: &'a Engine,
    spec: &Spec,
    start: DateTime<Utc>,
    horizon: DateTime<Utc>,
) -> Result<Sim<'a>, EngineError> {
    let mut sim = Sim {
        engine,
        rng: Rng::new(spec.seed.rotate_left(17)),
        state: DossierState::new(),
        steps: Vec::new(),
        t: start,
        spec_late: spec.late,
    };
    let recv = &spec.receiving;
    let comp = &spec.competent;
    let slug = Some(spec.slug);
    let online = spec.intake == Intake::Online;
    let officer = || {
        actor(
            Role::ReceivingOfficer,
            staff_user(Role::ReceivingOfficer, recv, slug),
            Some(recv),
        )
    };
    let leader = || {
        actor(
            Role::Leader,
            staff_user(Role::Leader, comp, slug),
            Some(comp),
        )
    };
    let applicant_actor = || {
        spec.applicant
            .user
            .clone()
            .map(|u| Actor::new(Role::Applicant, u, None))
    };
    // The applicant's own actions: online through the portal, otherwise
    // recorded by the receiving officer.
    let on_behalf = || applicant_actor().unwrap_or_else(officer);
    let target = spec.target;

    // 1. Submitted online, or received at the counter / by post.
    let opener = if online { on_behalf() } else { officer() };
    sim.open(start, opener, spec)?;
    if target == Status::Submitted && spec.variant == 0 {
        return Ok(sim);
    }

    // 2. The Center checks the dossier.
    let check = |sim: &mut Sim| -> Result<DateTime<Utc>, EngineError> {
        let m = match spec.intake {
            Intake::Online => sim.rng.range(20, 300),
            Intake::Post => sim.rng.range(15, 180),
            Intake::Counter => sim.rng.range(4, 20),
        };
        sim.staff_after(m)
    };
    let missing = spec
        .procedure
        .documents
        .iter()
        .map(|d| d.name_vi.clone())
        .next()
        .unwrap_or_else(|| "Giấy tờ theo quy định".to_string());
    let supplement_reason = format!("Hồ sơ chưa đầy đủ, đề nghị bổ sung: {missing}");
    let receipt_supplement = spec.supplement_at_receipt
        || target == Status::Submitted
        || (target == Status::AwaitingSupplement && spec.variant == 0)
        || (target == Status::Refused && spec.variant == 1);
    if receipt_supplement {
        let at = check(&mut sim)?;
        sim.act(
            at,
            officer(),
            Action::RequestSupplement {
                reason: supplement_reason.clone(),
                documents: vec![missing.clone()],
            },
        )?;
        if target == Status::AwaitingSupplement {
            return Ok(sim);
        }
        if target == Status::Refused {
            let days = sim.rng.range(3, 6) as u32;
            let at = sim.staff_days_later(days)?;
            let reason = "Quá thời hạn bổ sung theo Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02) mà người nộp không bổ sung".to_string();
            sim.act(at, officer(), Action::Refuse { reason })?;
            return Ok(sim);
        }
        let at = if online {
            let h = sim.rng.range(3, 60);
            sim.people_after(h)
        } else {
            let days = sim.rng.range(1, 4) as u32;
            sim.staff_days_later(days)?
        };
        sim.attach_supplement(at, on_behalf(), &missing)?;
        sim.act(
            at,
            on_behalf(),
            Action::ProvideSupplement {
                documents: vec![missing.clone()],
            },
        )?;
        if target == Status::Submitted {
            return Ok(sim);
        }
    }
    if target == Status::Refused {
        let at = check(&mut sim)?;
        let reason = sim.rng.pick(REFUSALS).to_string();
        sim.act(at, officer(), Action::Refuse { reason })?;
        return Ok(sim);
    }
    if target == Status::Withdrawn && spec.variant == 0 {
        let h = sim.rng.range(2, 30);
        let at = if online {
            sim.people_after(h)
        } else {
            check(&mut sim)?
        };
        let reason = Some(sim.rng.pick(WITHDRAWALS).to_string());
        sim.act(at, on_behalf(), Action::Withdraw { reason })?;
        return Ok(sim);
    }

    // 3. Accepted: Mẫu 01 with the appointment.
    let at = check(&mut sim)?;
    let pages_digitized = if online {
        0
    } else {
        spec.documents.iter().map(|d| d.count).sum::<u32>() * sim.rng.range(1, 4) as u32
    };
    sim.act(at, officer(), Action::Accept { pages_digitized })?;
    if target == Status::Accepted {
        return Ok(sim);
    }

    // 4. The workflow.
    let return_index = spec.procedure.workflow.return_index();
    let stop_step =
        2 + (return_index.saturating_sub(2) as u64 * spec.stop_at_percent / 100) as usize;
    let specialist_default = staff_user(Role::Specialist, comp, slug);
    let (mut supplemented, mut sent_back, mut paid) = (false, false, false);
    loop {
        let d = sim.d()?;
        if d.status == Status::ResultReady || d.status.is_final() {
            break;
        }
        let index = d.step;
        let step = d.current_step().cloned().ok_or(EngineError::NoDeadline)?;
        let next_agency = spec
            .procedure
            .workflow
            .get(index + 1)
            .map(|s| s.agency.clone());
        let assignee = d.assignee.clone();
        let due = d.due;
        let steps_left = (return_index.saturating_sub(index)) as i64;
        if target == Status::Processing && index >= stop_step && d.status == Status::Processing {
            return Ok(sim);
        }
        let unit = match step.agency {
            AgencyRef::ReceivingCenter => Some(recv),
            AgencyRef::Competent => Some(comp),
            AgencyRef::External(_) => None,
        };
        // Who performs the step: its role at its agency; the assigned
        // officer appraises; external legs are closed by the inter-agency
        // connection.
        let step_actor = match (&step.agency, unit) {
            (AgencyRef::External(key), _) => system(&format!("lienthong.{key}")),
            (_, Some(u)) if step.kind == StepKind::Appraise => actor(
                step.role,
                assignee
                    .clone()
                    .unwrap_or_else(|| staff_user(step.role, u, slug)),
                Some(u),
            ),
            (_, Some(u)) => actor(step.role, staff_user(step.role, u, slug), Some(u)),
            (_, None) => system("hethong.lienthong"),
        };
        let appraiser = || step_actor.clone();
        match step.kind {
            StepKind::Appraise => {
                if target == Status::Stopped {
                    let m = sim.rng.range(60, 600);
                    let at = sim.staff_after(m)?;
                    // At the applicant's request (Mẫu 05): final.
                    let reason = sim.rng.pick(STOP_REQUESTS).to_string();
                    sim.act(at, on_behalf(), Action::Stop { reason })?;
                    return Ok(sim);
                }
                if target == Status::Withdrawn {
                    let h = sim.rng.range(4, 40);
                    let at = if online {
                        sim.people_after(h)
                    } else {
                        sim.staff_after(h * 10)?
                    };
                    let reason = Some(sim.rng.pick(WITHDRAWALS).to_string());
                    sim.act(at, on_behalf(), Action::Withdraw { reason })?;
                    return Ok(sim);
                }
                let wants_supplement = spec.supplement_in_appraisal
                    || (target == Status::AwaitingSupplement && spec.variant == 1);
                if wants_supplement && !supplemented {
                    supplemented = true;
                    let m = sim.rng.range(60, 480);
                    let m = sim.duration(m, steps_left)?;
                    let at = sim.staff_after(m)?;
                    sim.act(
                        at,
                        appraiser(),
                        Action::RequestSupplement {
                            reason: supplement_reason.clone(),
                            documents: vec![missing.clone()],
                        },
                    )?;
                    if target == Status::AwaitingSupplement {
                        return Ok(sim);
                    }
                    let at = if online {
                        let h = sim.rng.range(6, 72);
                        sim.people_after(h)
                    } else {
                        let days = sim.rng.range(1, 3) as u32;
                        sim.staff_days_later(days)?
                    };
                    // The clock restarts from the complete supplement.
                    sim.attach_supplement(at, on_behalf(), &missing)?;
                    sim.act(
                        at,
                        on_behalf(),
                        Action::ProvideSupplement {
                            documents: vec![missing.clone()],
                        },
                    )?;
                    continue;
                }
            }
            StepKind::Review if spec.send_back && !sent_back => {
                sent_back = true;
                let m = step_minutes(&mut sim.rng, &step);
                let m = sim.duration(m, steps_left)?;
                let at = sim.staff_after(m)?;
                let reason = sim.rng.pick(SEND_BACKS).to_string();
                sim.act(at, step_actor.clone(), Action::SendBack { reason })?;
                continue;
            }
            StepKind::Approve if spec.late => {
                // The dossier runs late: the leader signs after the due date,
                // with (sometimes) an apology and new appointment first.
                let due = due.ok_or(EngineError::NoDeadline)?;
                let rules = sim.rules();
                let cal = &rules.calendar;
                let mut late_days = sim.rng.range(1, 3) as u32;
                if spec.apology {
                    let by = apology_deadline(
                        vietnam_date(due),
                        rules.policy().apology_lead_working_days,
                        cal,
                    )?;
                    let local = cal.add_working_time(
                        cal.start_of_day(by),
                        TimeDelta::minutes(sim.rng.range(30, 420)),
                    )?;
                    let mut at =
                        vietnam_local_to_utc(local)? + TimeDelta::seconds(sim.rng.range(0, 59));
                    if at <= sim.t {
                        let m = sim.rng.range(15, 90);
                        at = sim.staff_after(m)?;
                    }
                    if at + TimeDelta::minutes(30) < due {
                        let extra = sim.rng.range(2, 5) as u32;
                        let new_day = cal.add_working_days(vietnam_date(due), extra)?;
                        let new_appointment = vietnam_local_to_utc(cal.end_of_day(new_day))?;
                        let reason = sim.rng.pick(LATE_REASONS).to_string();
                        sim.act(
                            at,
                            leader(),
                            Action::NotifyLate {
                                reason,
                                new_appointment,
                            },
                        )?;
                        late_days = 1;
                    }
                }
                let due_day = vietnam_date(due);
                let day = cal.add_working_days(due_day, late_days)?;
                let local = cal.add_working_time(
                    cal.start_of_day(day),
                    TimeDelta::minutes(sim.rng.range(10, 300)),
                )?;
                let at = (vietnam_local_to_utc(local)? + TimeDelta::seconds(sim.rng.range(0, 59)))
                    .max(sim.t + TimeDelta::minutes(1));
                sim.act(at, step_actor.clone(), Action::Approve)?;
                continue;
            }
            _ => {}
        }

        // Perform the step.
        let m = step_minutes(&mut sim.rng, &step);
        let m = sim.duration(m, steps_left)?;
        let at = sim.staff_after(m)?;
        let action = match step.kind {
            StepKind::Transfer | StepKind::External => Action::Transfer {
                to: next_agency.ok_or(EngineError::NoDeadline)?,
            },
            StepKind::Assign => Action::Assign {
                assignee: specialist_default.clone(),
            },
            StepKind::Appraise => Action::Appraise {
                outcome: if spec.ineligible {
                    AppraisalOutcome::Ineligible {
                        reason: sim.rng.pick(INELIGIBLE).to_string(),
                    }
                } else {
                    AppraisalOutcome::Eligible
                },
            },
            StepKind::Review => Action::ReviewOk,
            StepKind::Approve => Action::Approve,
            StepKind::Clerical => Action::IssueResult {
                number: "0".to_string(),
                register: register_of(&spec.procedure).to_string(),
            },
            StepKind::Receive | StepKind::Return => return Err(EngineError::NoDeadline),
        };
        sim.act(at, step_actor, action)?;

        // A financial obligation notified during processing (land: after
        // the tax office's leg).
        let after_tax = matches!(&step.agency, AgencyRef::External(k) if k.contains("thue"));
        if let Pay::InProcessing(amount) = spec.payment {
            if after_tax && !paid {
                paid = true;
                pay(&mut sim, spec, amount, target, true, officer(), steps_left)?;
                if target == Status::AwaitingPayment {
                    return Ok(sim);
                }
            }
        }
    }

    // 5. Result ready at the Center.
    if let Pay::AtResult(amount) = spec.payment {
        if !paid {
            pay(&mut sim, spec, amount, target, false, officer(), 1)?;
            if target == Status::AwaitingPayment {
                return Ok(sim);
            }
        }
    }
    if target == Status::AwaitingPayment {
        // No obligation was met on the way: ask for the fee now.
        pay(&mut sim, spec, 50_000, target, false, officer(), 1)?;
        return Ok(sim);
    }
    if target == Status::ResultReady {
        return Ok(sim);
    }
    let online_return = sim.rng.chance(70);
    let (way, returner, at) = match spec.intake {
        Intake::Online
            if spec.procedure.online_level == OnlineLevel::FullProcess && online_return =>
        {
            let m = sim.rng.range(5, 60);
            let at = sim.staff_after(m)?;
            (ReturnWay::Online, system("hethong.dvcqg"), at)
        }
        Intake::Post => {
            let m = sim.rng.range(30, 240);
            let at = sim.staff_after(m)?;
            (ReturnWay::Post, officer(), at)
        }
        _ => {
            let days = sim.rng.range(0, 3) as u32;
            let at = if days == 0 {
                let m = sim.rng.range(30, 240);
                sim.staff_after(m)?
            } else {
                sim.staff_days_later(days)?
            };
            (ReturnWay::Counter, officer(), at)
        }
    };
    if at > horizon {
        // Not collected yet: leave it ready (the placement retries earlier).
        sim.t = at;
        return Ok(sim);
    }
    if way == ReturnWay::Online {
        // The electronic result is its file: the clerk attaches it for the
        // applicant to download before it is returned online.
        let clerk = actor(
            Role::Clerical,
            staff_user(Role::Clerical, comp, slug),
            Some(comp),
        );
        sim.attach_result(at - TimeDelta::minutes(2), clerk, &spec.procedure.name_vi)?;
    }
    sim.act(at, returner, Action::ReturnResult { way })?;
    if let Some((rating, comment)) = &spec.rating {
        let h = sim.rng.range(1, 30);
        let at = if online {
            sim.people_after(h)
        } else {
            sim.t + TimeDelta::minutes(sim.rng.range(1, 5))
        };
        let rater = applicant_actor().unwrap_or_else(|| system("hethong.danhgia"));
        sim.act(
            at,
            rater,
            Action::Rate {
                rating: *rating,
                comment: comment.clone(),
            },
        )?;
    }
    Ok(sim)
}

/// Requests a payment and (unless the dossier is to stay awaiting it)
/// confirms it.
fn pay(
    sim: &mut Sim,
    spec: &Spec,
    amount_vnd: u64,
    target: Status,
    in_processing: bool,
    officer: Actor,
    steps_left: i64,
) -> Result<(), EngineError> {
    let m = sim.rng.range(10, 120);
    let m = if in_processing {
        sim.duration(m, steps_left)?
    } else {
        m
    };
    let at = sim.staff_after(m)?;
    let description = if in_processing {
        "Tiền sử dụng đất, lệ phí trước bạ theo Thông báo nộp tiền của cơ quan thuế".to_string()
    } else {
        format!("Phí, lệ phí: {}", spec.procedure.name_vi)
    };
    let requester = if in_processing {
        let comp = &spec.competent;
        actor(
            Role::Specialist,
            staff_user(Role::Specialist, comp, Some(spec.slug)),
            Some(comp),
        )
    } else {
        officer.clone()
    };
    sim.act(
        at,
        requester,
        Action::RequestPayment {
            amount_vnd,
            description,
        },
    )?;
    if target == Status::AwaitingPayment {
        return Ok(());
    }
    let online = spec.intake == Intake::Online;
    let (payer, at, receipt) = if online {
        let h = sim.rng.range(1, 20);
        let h = if in_processing { h.min(6) } else { h };
        let at = sim.people_after(h);
        let receipt = format!("DVCQG-{}", at.format("%y%m%d%H%M%S"));
        (system("hethong.thanhtoan"), at, receipt)
    } else {
        let m = sim.rng.range(20, 400);
        let m = if in_processing {
            sim.duration(m, steps_left)?
        } else {
            m
        };
        let at = sim.staff_after(m)?;
        let receipt = format!("BL-{}", at.format("%y%m%d-%H%M%S"));
        (officer, at, receipt)
    };
    sim.act(
        at,
        payer,
        Action::ConfirmPayment {
            amount_vnd,
            receipt,
        },
    )
}

/// Numbers the issued results per register book of each unit, in the order
/// they were issued.
fn number_results(plans: &mut [Sim]) {
    let mut issued: Vec<(DateTime<Utc>, usize, usize)> = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        for (j, step) in plan.steps.iter().enumerate() {
            if let Op::Act(Action::IssueResult { .. }) = step.op {
                issued.push((step.at, i, j));
            }
        }
    }
    issued.sort();
    let mut counters: HashMap<(UnitId, String, i32), u32> = HashMap::new();
    for (at, i, j) in issued {
        let Some(step) = plans.get_mut(i).and_then(|p| p.steps.get_mut(j)) else {
            continue;
        };
        let Some(unit) = step.actor.unit.clone() else {
            continue;
        };
        if let Op::Act(Action::IssueResult { number, register }) = &mut step.op {
            let year = chrono::Datelike::year(&vietnam_date(at));
            let n = counters.entry((unit, register.clone(), year)).or_insert(0);
            *n += 1;
            *number = format!("{n}/{year}");
            if !register.contains("quyển") {
                *register = format!("{register}, quyển số 01/{year}");
            }
        }
    }
}

async fn execute(engine: &Engine, plan: &Sim<'_>) -> Result<(), EngineError> {
    let mut steps = plan.steps.iter();
    let Some(Planned {
        at,
        actor,
        op: Op::Open(submission),
    }) = steps.next()
    else {
        return Ok(());
    };
    let applied = engine
        .submit(submission.clone(), actor.clone(), *at, None)
        .await?;
    let code = applied.code;
    for step in steps {
        match &step.op {
            Op::Act(action) => {
                engine
                    .act(
                        &code,
                        None,
                        action.clone(),
                        step.actor.clone(),
                        step.at,
                        None,
                    )
                    .await?;
            }
            Op::Attach(upload) => {
                engine
                    .attach(
                        &code,
                        None,
                        upload.clone(),
                        step.actor.clone(),
                        step.at,
                        None,
                    )
                    .await?;
            }
            Op::Open(_) => {}
        }
    }
    Ok(())
}

fn summarize(report: &mut DemoReport, plan: &Sim<'_>, now: DateTime<Utc>) {
    let Some(d) = plan.state.dossier.as_ref() else {
        return;
    };
    report.dossiers += 1;
    report.events += plan.steps.len();
    *report.by_status.entry(d.status.code()).or_insert(0) += 1;
    let channel = match d.channel {
        Channel::InPerson => "in_person",
        Channel::Online => "online",
        Channel::Post => "post",
    };
    *report.by_channel.entry(channel.to_string()).or_insert(0) += 1;
    let judged: Option<NaiveDate> = d.original_due.or(d.due).map(vietnam_date);
    match (judged, &d.result) {
        (Some(due), Some(result)) if vietnam_date(result.issued_at) > due => report.late += 1,
        (Some(due), None)
            if matches!(d.status, Status::Accepted | Status::Processing)
                && vietnam_date(now) > due =>
        {
            report.overdue += 1
        }
        _ => {}
    }
    report.rescheduled += usize::from(d.new_appointment.is_some());
    report.boundary_free += usize::from(d.receiving_unit != d.competent_unit);
    report.with_supplement += usize::from(d.counters.supplement_requests > 0);
    report.with_payment += usize::from(d.counters.payment_requests > 0);
    report.sent_back += usize::from(d.counters.send_backs > 0);
    report.rated += usize::from(d.rating.is_some());
    if let (Some(first), Some(last)) = (plan.steps.first(), plan.steps.last()) {
        report.from = Some(report.from.map_or(first.at, |f| f.min(first.at)));
        report.to = Some(report.to.map_or(last.at, |t| t.max(last.at)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_loads() {
        let c = demo_catalogue();
        assert_eq!(c.procedures().len(), 41);
        assert!(c.notice.contains("DEMO"));
    }

    #[test]
    fn unit_ids_and_users() {
        let u = commune_unit_id("04", "01279").expect("unit");
        assert_eq!(u.as_str(), "04.01279");
        assert!(commune_unit_id("04", "bad code").is_err());
        assert_eq!(province_unit_id("04").expect("province").as_str(), "04");
        assert_eq!(
            staff_user(Role::ReceivingOfficer, &u, None).as_str(),
            "canbo.tiepnhan.01279"
        );
        assert_eq!(
            staff_user(Role::Specialist, &u, Some("tuphap")).as_str(),
            "chuyenvien.tuphap.01279"
        );
        let communes = demo_communes();
        assert_eq!(communes.len(), 56);
        assert!(communes.contains(&u));
    }

    #[test]
    fn rng_is_deterministic() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            assert_eq!(a.next(), b.next());
        }
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let x = r.range(3, 5);
            assert!((3..=5).contains(&x));
        }
        assert_eq!(r.range(4, 4), 4);
        let mut names = Rng::new(3);
        let p = person(&mut names);
        assert_eq!(p.name.split(' ').count(), 3);
        assert!(p.personal_id.is_some());
    }
}
