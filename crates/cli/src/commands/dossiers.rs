//! `motcua dossiers …` — the one-stop shop from the command line: submit or
//! receive a dossier, act on it (accept, assign, appraise, …, return, rate),
//! show it with its deadline and control sheet (Mẫu 06), list and search.
//!
//! Who acts: `--as ROLE:USER[@UNIT]` (e.g.
//! `--as receiving_officer:canbo.tiepnhan.01279@04.01279`). Without it the
//! command acts as the person whose turn it is under the demo naming
//! ([`motcua_engine::demo::staff_user`]): the receiving officer of the
//! receiving unit for receipt and return, the current step's role at the
//! unit holding the dossier, the assigned officer for an appraisal, the
//! leader of the competent unit for Mẫu 04 and stops, the applicant's
//! portal account (or the officer on their behalf) for supplements,
//! withdrawals and ratings. The domain checks every role and unit.

use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{ArgGroup, Subcommand, ValueEnum};
use motcua_domain::calendar::{vietnam_local_to_utc, Timeliness};
use motcua_domain::dossier::{
    Actor, Applicant, AppraisalOutcome, ChainedEvent, Channel, Dossier, DossierCode, DossierState,
    PersonalId, Rating, ReceivedDocument, ReturnWay, Role, Status, UnitId, UserId,
};
use motcua_domain::procedure::{AgencyRef, ProcedureCode, StepKind};
use motcua_engine::demo::staff_user;
use motcua_engine::{Action, DossierView, Engine, EngineError, Submission};
use motcua_store::{DossierFilter, DossierSummary, Intake, MAX_LIMIT};
use serde_json::{json, Value};

use super::out::{fail, fail_engine, print_json, rfc3339_vn, vn, when};
use crate::config::Settings;

#[derive(Subcommand)]
pub enum DossiersCommand {
    /// Nộp / tiếp nhận — open a dossier: online (status 1, to be checked),
    /// at the counter or by post.
    Submit {
        /// Procedure code (e.g. 1.001193).
        #[arg(long)]
        procedure: String,
        /// Receiving unit (đơn vị tiếp nhận), e.g. 04.01279.
        #[arg(long)]
        unit: String,
        /// Competent unit when another unit of the province resolves it
        /// (boundary-free receipt); default: the receiving unit.
        #[arg(long)]
        competent: Option<String>,
        /// Applicant's full name.
        #[arg(long)]
        applicant: String,
        /// 12-digit personal identification number.
        #[arg(long)]
        personal_id: Option<String>,
        #[arg(long, value_enum, default_value = "counter")]
        channel: ChannelArg,
        /// A document received (repeatable); default: the procedure's
        /// mandatory documents.
        #[arg(long = "document")]
        documents: Vec<String>,
        /// Who submits or receives: ROLE:USER[@UNIT].
        #[arg(long = "as", value_name = "ROLE:USER[@UNIT]")]
        as_actor: Option<String>,
        /// Idempotency key: a retry with the same key does not act twice.
        #[arg(long)]
        idempotency_key: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The dossier: status, deadline, control sheet (Mẫu 06) and events.
    Show {
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// Act on a dossier, e.g. `act CODE accept --pages 3`.
    Act {
        code: String,
        #[command(subcommand)]
        action: ActionArgs,
        /// Refuse unless the dossier is still at this version.
        #[arg(long, global = true)]
        expect_version: Option<u64>,
        /// Who acts: ROLE:USER[@UNIT] (default: whose turn it is).
        #[arg(long = "as", global = true, value_name = "ROLE:USER[@UNIT]")]
        as_actor: Option<String>,
        /// Idempotency key: a retry with the same key does not act twice.
        #[arg(long, global = true)]
        idempotency_key: Option<String>,
        #[arg(long, global = true)]
        json: bool,
    },
    /// List and search dossiers, newest first.
    List {
        /// Receiving or competent unit.
        #[arg(long)]
        unit: Option<String>,
        /// Status number 1–10 or name (processing, result_returned, …).
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        procedure: Option<String>,
        /// Part of the applicant's name (case-insensitive).
        #[arg(long)]
        applicant: Option<String>,
        /// Part of the dossier code.
        #[arg(long)]
        code: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ChannelArg {
    Online,
    Counter,
    Post,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum WayArg {
    Counter,
    Post,
    Online,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RatingArg {
    VerySatisfied,
    Satisfied,
    NotSatisfied,
}

#[derive(Subcommand)]
pub enum ActionArgs {
    /// Tiếp nhận — the dossier is complete: Mẫu 01 with the appointment.
    Accept {
        /// Pages digitised (scanned).
        #[arg(long, default_value_t = 0)]
        pages: u32,
    },
    /// Mẫu 02 — ask for a supplement (at receipt, or while appraising).
    RequestSupplement {
        #[arg(long)]
        reason: String,
        #[arg(long = "document")]
        documents: Vec<String>,
    },
    /// Mẫu 03 — refuse to receive, with the reason.
    Refuse {
        #[arg(long)]
        reason: String,
    },
    /// The supplement arrived: each `--file` is attached first (a
    /// supplement needs a document attached since the request), named by
    /// the `--document` of the same rank or else by its file name.
    ProvideSupplement {
        #[arg(long = "document")]
        documents: Vec<String>,
        #[arg(long = "file")]
        files: Vec<std::path::PathBuf>,
    },
    /// Hand the dossier to the next agency of the workflow.
    Transfer {
        /// receiving_center, competent or external:KEY (default: the next step's agency).
        #[arg(long)]
        to: Option<String>,
    },
    /// Phân công — assign an officer.
    Assign {
        #[arg(long)]
        to: String,
    },
    /// Phân công lại — move the dossier to another officer (a head), with why.
    Reassign {
        #[arg(long)]
        to: String,
        #[arg(long)]
        reason: String,
    },
    /// Thẩm định — the appraisal's outcome.
    #[command(group(ArgGroup::new("outcome").required(true).args(["eligible", "ineligible"])))]
    Appraise {
        #[arg(long)]
        eligible: bool,
        /// Not eligible, with the reason (the result is a written answer).
        #[arg(long, value_name = "REASON")]
        ineligible: Option<String>,
    },
    /// Xem xét — the review agrees.
    ReviewOk,
    /// Send back to appraisal, with the reason.
    SendBack {
        #[arg(long)]
        reason: String,
    },
    /// Phê duyệt, ký số.
    Approve,
    /// Văn thư — number, register and issue the result.
    Issue {
        #[arg(long)]
        number: String,
        #[arg(long)]
        register: String,
    },
    /// Ask for fees or a financial obligation (status 6).
    RequestPayment {
        /// Amount in VND.
        #[arg(long)]
        amount: u64,
        #[arg(long)]
        description: String,
    },
    /// The payment was made.
    ConfirmPayment {
        #[arg(long)]
        amount: u64,
        #[arg(long)]
        receipt: String,
    },
    /// Mẫu 04 — apology and new appointment (once per dossier).
    NotifyLate {
        #[arg(long)]
        reason: String,
        /// RFC 3339, local Vietnam time, or a date (the close of that day).
        #[arg(long)]
        new_date: String,
    },
    /// Mẫu 05 — the applicant withdraws (before any decision).
    Withdraw {
        #[arg(long)]
        reason: Option<String>,
    },
    /// Mẫu 05 — dừng giải quyết at the applicant's request, after acceptance
    /// and before any decision (status 8, final). `--reason`: what the
    /// request says.
    Stop {
        #[arg(long)]
        reason: String,
    },
    /// Trả kết quả.
    Return {
        #[arg(long, value_enum, default_value = "counter")]
        way: WayArg,
    },
    /// Đánh giá mức độ hài lòng.
    Rate {
        #[arg(long, value_enum)]
        rating: RatingArg,
        #[arg(long)]
        comment: Option<String>,
    },
}

/// A refusal to report: code, Vietnamese, English.
struct Refusal(&'static str, String, String);

impl Refusal {
    fn report(self, json: bool) -> anyhow::Result<ExitCode> {
        fail(json, self.0, &self.1, &self.2)
    }
}

fn parse_unit(s: &str) -> Result<UnitId, Refusal> {
    UnitId::parse(s.trim()).map_err(|e| {
        Refusal(
            e.code(),
            format!("Mã đơn vị không hợp lệ: {s:?} (ví dụ 04.01279)."),
            e.to_string(),
        )
    })
}

fn parse_code(s: &str) -> Result<DossierCode, Refusal> {
    DossierCode::parse(s.trim()).map_err(|e| {
        Refusal(
            e.code(),
            format!("Mã hồ sơ không hợp lệ: {s:?} (dạng <đơn vị>-<YYMMDD>-<NNNN>)."),
            e.to_string(),
        )
    })
}

fn parse_procedure(s: &str) -> Result<ProcedureCode, Refusal> {
    ProcedureCode::parse(s.trim()).map_err(|e| {
        Refusal(
            "invalid_procedure_code",
            format!("Mã thủ tục không hợp lệ: {s:?}."),
            e.to_string(),
        )
    })
}

fn parse_user(s: &str) -> Result<UserId, Refusal> {
    UserId::parse(s.trim()).map_err(|e| {
        Refusal(
            "invalid_user",
            format!("Mã người dùng không hợp lệ: {s:?}."),
            e.to_string(),
        )
    })
}

fn parse_role(s: &str) -> Result<Role, Refusal> {
    let norm = s.trim().to_lowercase().replace('-', "_");
    Role::ALL
        .into_iter()
        .find(|r| r.as_str() == norm)
        .ok_or_else(|| {
            let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            Refusal(
                "invalid_role",
                format!(
                    "Vai trò không hợp lệ: {s:?}. Các vai trò: {}.",
                    all.join(", ")
                ),
                format!("Unknown role {s:?}. Roles: {}.", all.join(", ")),
            )
        })
}

/// `ROLE:USER[@UNIT]`; a staff actor without a unit gets `default_unit`.
fn parse_actor(s: &str, default_unit: Option<&UnitId>) -> Result<Actor, Refusal> {
    let Some((role, rest)) = s.split_once(':') else {
        return Err(Refusal(
            "invalid_actor",
            format!("Người thực hiện không hợp lệ: {s:?}. Dạng VAI_TRÒ:NGƯỜI_DÙNG[@ĐƠN_VỊ], ví dụ receiving_officer:canbo.tiepnhan.01279@04.01279."),
            format!("Invalid actor {s:?}: expected ROLE:USER[@UNIT], e.g. receiving_officer:canbo.tiepnhan.01279@04.01279."),
        ));
    };
    let role = parse_role(role)?;
    let (user, unit) = match rest.split_once('@') {
        Some((u, unit)) => (parse_user(u)?, Some(parse_unit(unit)?)),
        None => (parse_user(rest)?, None),
    };
    let unit = match unit {
        Some(u) => Some(u),
        None if role.is_staff() => default_unit.cloned(),
        None => None,
    };
    Ok(Actor::new(role, user, unit))
}

fn parse_status(s: &str) -> Result<Status, Refusal> {
    let t = s.trim();
    let found = match t.parse::<u8>() {
        Ok(n) => Status::from_code(n),
        Err(_) => {
            let norm = t.to_lowercase().replace('-', "_");
            Status::ALL.into_iter().find(|st| st.as_str() == norm)
        }
    };
    found.ok_or_else(|| {
        Refusal(
            "invalid_status",
            format!("Trạng thái không hợp lệ: {s:?} (1–10 hoặc tên, ví dụ processing)."),
            format!("Invalid status {s:?}: 1-10 or a name such as processing."),
        )
    })
}

fn parse_agency(s: &str) -> Result<AgencyRef, Refusal> {
    let t = s.trim();
    match t {
        "receiving_center" | "receiving-center" => Ok(AgencyRef::ReceivingCenter),
        "competent" => Ok(AgencyRef::Competent),
        _ => match t.strip_prefix("external:") {
            Some(k) if !k.is_empty() => Ok(AgencyRef::External(k.to_string())),
            _ => Err(Refusal(
                "invalid_agency",
                format!(
                    "Cơ quan không hợp lệ: {s:?} (receiving_center, competent hoặc external:KHÓA)."
                ),
                format!("Invalid agency {s:?}: receiving_center, competent or external:KEY."),
            )),
        },
    }
}

/// RFC 3339, a local Vietnam date-time, or a date (the close of that
/// working day).
fn parse_new_date(s: &str, engine: &Engine, unit: &UnitId) -> Result<DateTime<Utc>, Refusal> {
    if let Some(t) = super::calendar::parse_time(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        let rules = engine.rules_for(unit, d);
        if let Ok(t) = vietnam_local_to_utc(rules.calendar.end_of_day(d)) {
            return Ok(t);
        }
    }
    Err(Refusal(
        "invalid_date",
        format!(
            "Ngày hẹn mới không hợp lệ: {s:?} (ví dụ 2026-03-02 hoặc 2026-03-02T17:00:00+07:00)."
        ),
        format!("Invalid new date {s:?}: e.g. 2026-03-02 or 2026-03-02T17:00:00+07:00."),
    ))
}

fn not_found(code: &DossierCode) -> Refusal {
    Refusal(
        "dossier_not_found",
        format!("Không có hồ sơ {code}."),
        format!("No dossier {code}."),
    )
}

pub async fn run(settings: &Settings, cmd: DossiersCommand) -> anyhow::Result<ExitCode> {
    let state = crate::open::app(settings).await?;
    let engine = &state.engine;
    match cmd {
        DossiersCommand::Submit {
            procedure,
            unit,
            competent,
            applicant,
            personal_id,
            channel,
            documents,
            as_actor,
            idempotency_key,
            json,
        } => {
            let args = SubmitArgs {
                procedure,
                unit,
                competent,
                applicant,
                personal_id,
                channel,
                documents,
                as_actor,
            };
            submit(engine, args, idempotency_key, json).await
        }
        DossiersCommand::Show { code, json } => show(engine, &code, json).await,
        DossiersCommand::Act {
            code,
            action,
            expect_version,
            as_actor,
            idempotency_key,
            json,
        } => {
            act(
                engine,
                &code,
                action,
                expect_version,
                as_actor,
                idempotency_key,
                json,
            )
            .await
        }
        DossiersCommand::List {
            unit,
            status,
            procedure,
            applicant,
            code,
            limit,
            offset,
            json,
        } => {
            let filter = (|| {
                Ok::<_, Refusal>(DossierFilter {
                    code: code.filter(|c| !c.trim().is_empty()),
                    unit: unit.as_deref().map(parse_unit).transpose()?,
                    procedure: procedure.as_deref().map(parse_procedure).transpose()?,
                    applicant: applicant.filter(|a| !a.trim().is_empty()),
                    status: status.as_deref().map(parse_status).transpose()?,
                    submitted_from: None,
                    submitted_to: None,
                    limit: limit.clamp(1, MAX_LIMIT),
                    offset,
                })
            })();
            match filter {
                Ok(f) => list(engine, &f, json).await,
                Err(r) => r.report(json),
            }
        }
    }
}

struct SubmitArgs {
    procedure: String,
    unit: String,
    competent: Option<String>,
    applicant: String,
    personal_id: Option<String>,
    channel: ChannelArg,
    documents: Vec<String>,
    as_actor: Option<String>,
}

async fn submit(
    engine: &Engine,
    a: SubmitArgs,
    idempotency_key: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let parsed = (|| {
        let procedure = parse_procedure(&a.procedure)?;
        let unit = parse_unit(&a.unit)?;
        let competent = a.competent.as_deref().map(parse_unit).transpose()?;
        let personal_id = match a.personal_id.as_deref() {
            None => None,
            Some(p) => Some(PersonalId::parse(p.trim()).map_err(|e| {
                Refusal(
                    "invalid_personal_id",
                    format!("Số định danh cá nhân không hợp lệ: {p:?} (12 chữ số)."),
                    e.to_string(),
                )
            })?),
        };
        let name = a.applicant.trim().to_string();
        if name.is_empty() {
            return Err(Refusal(
                "empty_field",
                "Tên người nộp không được để trống.".into(),
                "The applicant's name must not be empty.".into(),
            ));
        }
        let actor = match a.as_actor.as_deref() {
            Some(s) => parse_actor(s, Some(&unit))?,
            None => match a.channel {
                // Online: the applicant's portal account when the personal
                // id is known, else the portal itself.
                ChannelArg::Online => match &personal_id {
                    Some(p) => Actor::new(
                        Role::Applicant,
                        parse_user(&format!("vneid.{}", p.as_str()))?,
                        None,
                    ),
                    None => Actor::new(Role::System, parse_user("hethong.dvcqg")?, None),
                },
                _ => Actor::new(
                    Role::ReceivingOfficer,
                    staff_user(Role::ReceivingOfficer, &unit, None),
                    Some(unit.clone()),
                ),
            },
        };
        Ok((procedure, unit, competent, personal_id, name, actor))
    })();
    let (procedure, unit, competent, personal_id, name, actor) = match parsed {
        Ok(p) => p,
        Err(r) => return r.report(json),
    };
    if let Err(e) = motcua_engine::demo::ensure_demo_catalogue(engine).await {
        return fail_engine(json, &e);
    }
    let now = Utc::now();
    let documents = if a.documents.is_empty() {
        let day = motcua_domain::dossier::vietnam_date(now);
        match engine.store().procedure(&procedure, day).await? {
            Some(p) => p
                .documents
                .iter()
                .filter(|d| d.mandatory)
                .map(|d| ReceivedDocument {
                    name_vi: d.name_vi.clone(),
                    form: d.form,
                    count: d.count,
                })
                .collect(),
            None => Vec::new(),
        }
    } else {
        a.documents
            .iter()
            .filter(|d| !d.trim().is_empty())
            .map(|d| ReceivedDocument {
                name_vi: d.trim().to_string(),
                form: motcua_domain::procedure::DocumentForm::Original,
                count: 1,
            })
            .collect()
    };
    let applicant = Applicant {
        name,
        personal_id,
        user: (actor.role == Role::Applicant).then(|| actor.user.clone()),
    };
    let submission = Submission {
        procedure,
        intake: match a.channel {
            ChannelArg::Online => Intake::Online,
            ChannelArg::Counter => Intake::Counter,
            ChannelArg::Post => Intake::Post,
        },
        receiving_unit: unit,
        competent_unit: competent,
        applicant,
        documents,
        contact: None,
        application_data: None,
    };
    let applied = match engine
        .submit(submission, actor.clone(), now, idempotency_key)
        .await
    {
        Ok(a) => a,
        Err(e) => return fail_engine(json, &e),
    };
    report_applied(engine, &applied.code, "submit", &actor, &applied, json).await
}

/// After a command: the dossier's new status and appointment.
async fn report_applied(
    engine: &Engine,
    code: &DossierCode,
    action: &str,
    actor: &Actor,
    applied: &motcua_store::Applied,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let view = match engine.view(code, Utc::now()).await {
        Ok(v) => v,
        Err(e) => return fail_engine(json, &e),
    };
    if json {
        print_json(&json!({
            "code": code,
            "action": action,
            "version": view.version,
            "replayed": applied.replayed,
            "status": view.dossier.status,
            "status_code": view.status_code,
            "status_vi": view.status_vi,
            "status_en": view.status_en,
            "due": view.deadline.as_ref().map(|d| d.due.to_rfc3339()),
            "actor": actor,
            "events": applied.events.iter().map(|e| json!({
                "seq": e.event.seq,
                "type": e.event.type_name(),
                "hash": hex_of(&e.hash),
            })).collect::<Vec<_>>(),
        }))?;
    } else {
        if applied.replayed {
            println!("Yêu cầu đã được thực hiện trước đó (cùng khóa): không thực hiện lại.");
            println!("Already done with this idempotency key: nothing was done again.");
        }
        println!(
            "Đã thực hiện {action} — hồ sơ {code} (phiên bản {}).",
            view.version
        );
        println!(
            "Done: {action} on dossier {code} (version {}).",
            view.version
        );
        println!(
            "Trạng thái / Status: {} — {} / {}",
            view.status_code, view.status_vi, view.status_en
        );
        if let Some(d) = &view.deadline {
            println!("Hẹn trả kết quả / Due: {}", when(d.due));
        }
        println!("Người thực hiện / Actor: {}", actor_text(actor));
    }
    Ok(ExitCode::SUCCESS)
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn actor_text(a: &Actor) -> String {
    match &a.unit {
        Some(u) => format!("{} {} @ {} ({})", a.role, a.user, u, a.role.label_vi()),
        None => format!("{} {} ({})", a.role, a.user, a.role.label_vi()),
    }
}

fn action_of(args: ActionArgs, d: &Dossier, engine: &Engine) -> Result<Action, Refusal> {
    Ok(match args {
        ActionArgs::Accept { pages } => Action::Accept {
            pages_digitized: pages,
        },
        ActionArgs::RequestSupplement { reason, documents } => {
            Action::RequestSupplement { reason, documents }
        }
        ActionArgs::Refuse { reason } => Action::Refuse { reason },
        ActionArgs::ProvideSupplement { documents, .. } => Action::ProvideSupplement { documents },
        ActionArgs::Transfer { to } => {
            let to = match to {
                Some(t) => parse_agency(&t)?,
                None => d
                    .procedure
                    .workflow
                    .get(d.step + 1)
                    .map(|s| s.agency.clone())
                    .unwrap_or(AgencyRef::Competent),
            };
            Action::Transfer { to }
        }
        ActionArgs::Assign { to } => Action::Assign {
            assignee: parse_user(&to)?,
        },
        ActionArgs::Reassign { to, reason } => Action::Reassign {
            assignee: parse_user(&to)?,
            reason,
        },
        ActionArgs::Appraise {
            eligible: _,
            ineligible,
        } => Action::Appraise {
            outcome: match ineligible {
                Some(reason) => AppraisalOutcome::Ineligible { reason },
                None => AppraisalOutcome::Eligible,
            },
        },
        ActionArgs::ReviewOk => Action::ReviewOk,
        ActionArgs::SendBack { reason } => Action::SendBack { reason },
        ActionArgs::Approve => Action::Approve,
        ActionArgs::Issue { number, register } => Action::IssueResult { number, register },
        ActionArgs::RequestPayment {
            amount,
            description,
        } => Action::RequestPayment {
            amount_vnd: amount,
            description,
        },
        ActionArgs::ConfirmPayment { amount, receipt } => Action::ConfirmPayment {
            amount_vnd: amount,
            receipt,
        },
        ActionArgs::NotifyLate { reason, new_date } => Action::NotifyLate {
            reason,
            new_appointment: parse_new_date(&new_date, engine, &d.competent_unit)?,
        },
        ActionArgs::Withdraw { reason } => Action::Withdraw { reason },
        ActionArgs::Stop { reason } => Action::Stop { reason },
        ActionArgs::Return { way } => Action::ReturnResult {
            way: match way {
                WayArg::Counter => ReturnWay::Counter,
                WayArg::Post => ReturnWay::Post,
                WayArg::Online => ReturnWay::Online,
            },
        },
        ActionArgs::Rate { rating, comment } => Action::Rate {
            rating: match rating {
                RatingArg::VerySatisfied => Rating::VerySatisfied,
                RatingArg::Satisfied => Rating::Satisfied,
                RatingArg::NotSatisfied => Rating::NotSatisfied,
            },
            comment,
        },
    })
}

fn action_name(a: &Action) -> &'static str {
    match a {
        Action::Accept { .. } => "accept",
        Action::RequestSupplement { .. } => "request_supplement",
        Action::Refuse { .. } => "refuse",
        Action::ProvideSupplement { .. } => "provide_supplement",
        Action::Transfer { .. } => "transfer",
        Action::Assign { .. } => "assign",
        Action::Reassign { .. } => "reassign",
        Action::Appraise { .. } => "appraise",
        Action::ReviewOk => "review_ok",
        Action::SendBack { .. } => "send_back",
        Action::Approve => "approve",
        Action::IssueResult { .. } => "issue_result",
        Action::RequestPayment { .. } => "request_payment",
        Action::ConfirmPayment { .. } => "confirm_payment",
        Action::NotifyLate { .. } => "notify_late",
        Action::Withdraw { .. } => "withdraw",
        Action::Stop { .. } => "stop",
        Action::ReturnResult { .. } => "return_result",
        Action::Rate { .. } => "rate",
        Action::AttachDocument { .. } => "attach_document",
        Action::ExtendLimit { .. } => "extend_limit",
        Action::RecordPostmark { .. } => "record_postmark",
    }
}

/// Whose turn it is for `action` (see the module doc).
fn default_actor(d: &Dossier, action: &Action) -> Actor {
    let recv = &d.receiving_unit;
    let comp = &d.competent_unit;
    let staff = |role: Role, unit: &UnitId| {
        Actor::new(role, staff_user(role, unit, None), Some(unit.clone()))
    };
    let officer = || staff(Role::ReceivingOfficer, recv);
    let applicant = || {
        d.applicant
            .user
            .clone()
            .map(|u| Actor::new(Role::Applicant, u, None))
    };
    let system = |user: &str| {
        Actor::new(
            Role::System,
            UserId::parse(user).unwrap_or_else(|_| staff_user(Role::System, recv, None)),
            None,
        )
    };
    // The current step's role at the unit holding it.
    let step_actor = || match d.current_step() {
        Some(step) => match (&step.agency, d.unit_of(&step.agency)) {
            (AgencyRef::External(key), _) => system(&format!("lienthong.{key}")),
            (_, Some(unit)) if step.kind == StepKind::Appraise => Actor::new(
                step.role,
                d.assignee
                    .clone()
                    .unwrap_or_else(|| staff_user(step.role, unit, None)),
                Some(unit.clone()),
            ),
            (_, Some(unit)) => staff(step.role, unit),
            (_, None) => officer(),
        },
        None => officer(),
    };
    // A step action out of turn: the role that normally performs it, so
    // that the refusal names the real reason (wrong step, status).
    let canonical = |kinds: &[StepKind], role: Role, unit: &UnitId| match d.current_step() {
        Some(step) if kinds.contains(&step.kind) => step_actor(),
        _ => staff(role, unit),
    };
    match action {
        Action::Transfer { .. } => canonical(
            &[StepKind::Transfer, StepKind::External],
            Role::ReceivingOfficer,
            recv,
        ),
        Action::Assign { .. } => canonical(&[StepKind::Assign], Role::Leader, comp),
        Action::Reassign { .. } => staff(Role::Leader, comp),
        Action::Appraise { .. } => canonical(&[StepKind::Appraise], Role::Specialist, comp),
        Action::ReviewOk => canonical(&[StepKind::Review], Role::DepartmentHead, comp),
        Action::SendBack { .. } => canonical(
            &[StepKind::Review, StepKind::Approve],
            Role::DepartmentHead,
            comp,
        ),
        Action::Approve => canonical(&[StepKind::Approve], Role::Leader, comp),
        Action::IssueResult { .. } => canonical(&[StepKind::Clerical], Role::Clerical, comp),
        Action::Accept { .. }
        | Action::Refuse { .. }
        | Action::ConfirmPayment { .. }
        | Action::RequestPayment { .. }
        | Action::RecordPostmark { .. }
        | Action::ReturnResult { .. } => officer(),
        Action::ExtendLimit { .. } => canonical(&[StepKind::Appraise], Role::Specialist, comp),
        Action::RequestSupplement { .. } if d.status == Status::Submitted => officer(),
        Action::RequestSupplement { .. } => {
            canonical(&[StepKind::Appraise], Role::Specialist, comp)
        }
        Action::ProvideSupplement { .. } | Action::Withdraw { .. } | Action::Stop { .. } => {
            applicant().unwrap_or_else(officer)
        }
        Action::Rate { .. } => applicant().unwrap_or_else(|| system("hethong.danhgia")),
        Action::AttachDocument { .. } => applicant().unwrap_or_else(officer),
        Action::NotifyLate { .. } => staff(Role::Leader, comp),
    }
}

/// The unit a staff member named without `@UNIT` acts for.
fn default_unit(d: &Dossier, action: &Action) -> UnitId {
    default_actor(d, action)
        .unit
        .unwrap_or_else(|| d.receiving_unit.clone())
}

async fn act(
    engine: &Engine,
    code: &str,
    args: ActionArgs,
    expect_version: Option<u64>,
    as_actor: Option<String>,
    idempotency_key: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let code = match parse_code(code) {
        Ok(c) => c,
        Err(r) => return r.report(json),
    };
    let Some(DossierState {
        dossier: Some(d), ..
    }) = engine.store().dossier(&code).await?
    else {
        return not_found(&code).report(json);
    };
    let files = match &args {
        ActionArgs::ProvideSupplement { documents, files } => files
            .iter()
            .enumerate()
            .map(|(i, f)| (documents.get(i).cloned(), f.clone()))
            .collect(),
        _ => Vec::new(),
    };
    let prepared = (|| {
        let action = action_of(args, &d, engine)?;
        let actor = match as_actor.as_deref() {
            Some(s) => parse_actor(s, Some(&default_unit(&d, &action)))?,
            None => default_actor(&d, &action),
        };
        Ok::<_, Refusal>((action, actor))
    })();
    let (action, actor) = match prepared {
        Ok(p) => p,
        Err(r) => return r.report(json),
    };
    let name = action_name(&action);
    for (document, path) in files {
        let bytes =
            std::fs::read(&path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        let name = document.unwrap_or_else(|| {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let upload = motcua_engine::Upload {
            name,
            kind: motcua_domain::dossier::DocumentKind::Component,
            electronic: actor.role == Role::Applicant,
            bytes,
        };
        if let Err(e) = engine
            .attach(&code, None, upload, actor.clone(), Utc::now(), None)
            .await
        {
            return fail_engine(json, &e);
        }
    }
    let applied = match engine
        .act(
            &code,
            expect_version,
            action,
            actor.clone(),
            Utc::now(),
            idempotency_key,
        )
        .await
    {
        Ok(a) => a,
        Err(e) => return fail_engine(json, &e),
    };
    report_applied(engine, &code, name, &actor, &applied, json).await
}

fn event_vi(t: &str) -> &'static str {
    match t {
        "submitted" => "Nộp trực tuyến",
        "received" => "Nhận hồ sơ (trực tiếp / bưu chính)",
        "accepted" => "Tiếp nhận, hẹn trả (Mẫu 01)",
        "supplement_requested" => "Yêu cầu bổ sung (Mẫu 02)",
        "supplement_provided" => "Đã bổ sung hồ sơ",
        "refused" => "Từ chối tiếp nhận (Mẫu 03)",
        "transferred" => "Chuyển hồ sơ (Mẫu 06)",
        "assigned" => "Phân công",
        "reassigned" => "Phân công lại",
        "appraised" => "Thẩm định",
        "reviewed" => "Xem xét",
        "sent_back" => "Trả lại thẩm định",
        "approved" => "Phê duyệt, ký",
        "result_issued" => "Vào số, phát hành kết quả",
        "payment_requested" => "Yêu cầu thực hiện nghĩa vụ tài chính",
        "payment_confirmed" => "Đã thực hiện nghĩa vụ tài chính",
        "late_notified" => "Xin lỗi và hẹn lại (Mẫu 04)",
        "withdrawn" => "Rút hồ sơ (Mẫu 05)",
        "stopped" => "Dừng xử lý",
        "resumed" => "Tiếp tục xử lý",
        "result_returned" => "Trả kết quả",
        "rated" => "Đánh giá mức độ hài lòng",
        _ => "",
    }
}

fn timeliness_text(t: Timeliness) -> String {
    let en = serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("{} / {en}", t.label_vi())
}

fn channel_text(c: Channel) -> &'static str {
    match c {
        Channel::InPerson => "trực tiếp / in person",
        Channel::Online => "trực tuyến / online",
        Channel::Post => "bưu chính / post",
    }
}

async fn show(engine: &Engine, code: &str, json: bool) -> anyhow::Result<ExitCode> {
    let code = match parse_code(code) {
        Ok(c) => c,
        Err(r) => return r.report(json),
    };
    let view = match engine.view(&code, Utc::now()).await {
        Ok(v) => v,
        Err(e) => return fail_engine(json, &e),
    };
    let events = engine.store().events(&code).await?;
    if json {
        let mut v = serde_json::to_value(&view)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("code".into(), json!(code));
            // Each event as stored (canonical fields) with its chain hash.
            let mut flat = Vec::with_capacity(events.len());
            for ce in &events {
                let mut e = serde_json::to_value(&ce.event)?;
                if let Some(eo) = e.as_object_mut() {
                    eo.insert("hash".into(), json!(hex_of(&ce.hash)));
                }
                flat.push(e);
            }
            o.insert("events".into(), Value::Array(flat));
        }
        print_json(&v)?;
    } else {
        print_view(&view, &events);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_view(view: &DossierView, events: &[ChainedEvent]) {
    let d = &view.dossier;
    println!(
        "Hồ sơ / Dossier {} (phiên bản / version {})",
        d.code, view.version
    );
    println!(
        "Thủ tục / Procedure: {} v{} — {}",
        d.procedure.code, d.procedure.version, d.procedure.name_vi
    );
    let pid = d
        .applicant
        .personal_id
        .as_ref()
        .map(|p| format!(" — số định danh / personal id {}", p.as_str()))
        .unwrap_or_default();
    println!("Người nộp / Applicant: {}{pid}", d.applicant.name);
    println!("Kênh / Channel: {}", channel_text(d.channel));
    println!(
        "Đơn vị tiếp nhận / Receiving unit: {}; đơn vị giải quyết / competent unit: {}{}",
        d.receiving_unit,
        d.competent_unit,
        if d.receiving_unit != d.competent_unit {
            " (phi địa giới / boundary-free)"
        } else {
            ""
        }
    );
    println!(
        "Trạng thái / Status: {} — {} / {}",
        view.status_code, view.status_vi, view.status_en
    );
    if let Some(step) = d.current_step() {
        if !d.status.is_final() {
            println!(
                "Bước hiện tại / Current step: {} {} ({} @ {}){}",
                d.step,
                step.kind,
                step.role,
                step.agency,
                d.assignee
                    .as_ref()
                    .map(|a| format!(", giao cho / assigned to {a}"))
                    .unwrap_or_default()
            );
        }
    }
    println!("Nộp lúc / Submitted: {}", when(vn(d.submitted_at)));
    if let Some(a) = d.accepted_at {
        println!("Tiếp nhận / Accepted: {}", when(vn(a)));
    }
    if let Some(dl) = &view.deadline {
        println!("Hẹn trả kết quả / Due: {}", when(dl.due));
        if let (Some(orig), Some(_)) = (dl.original_due, dl.new_appointment) {
            println!(
                "  Hẹn ban đầu / original appointment: {} — đã xin lỗi, hẹn lại (Mẫu 04) / rescheduled",
                when(orig)
            );
        }
        if let Some(t) = dl.timeliness {
            println!("  Tình trạng / Timeliness: {}", timeliness_text(t));
        }
        if let Some(by) = dl.apology_by {
            println!(
                "  Hạn gửi thư xin lỗi nếu trễ (Mẫu 04) / apology due by: {}",
                super::out::date_vi(by)
            );
        }
    }
    if let Some(r) = &d.result {
        println!(
            "Kết quả / Result: số / no. {} — {} — {}",
            r.number,
            r.register,
            when(vn(r.issued_at))
        );
    }
    if let Some(p) = &d.payment {
        println!(
            "Chờ nộp / Payment due: {} đồng — {}",
            p.amount_vnd, p.description
        );
    }
    if d.paid_vnd > 0 {
        println!("Đã nộp / Paid: {} đồng", d.paid_vnd);
    }
    if let Some(r) = &d.rating {
        let rating = serde_json::to_value(r.rating)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        println!(
            "Đánh giá / Rating: {rating}{}",
            r.comment
                .as_ref()
                .map(|c| format!(" — {c}"))
                .unwrap_or_default()
        );
    }
    println!();
    println!("Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 06) / Control sheet:");
    println!("  # | bước / step | vai trò / role | cơ quan / agency | nhận / received | giao / handed over | định mức / budget | thực tế / spent | kết quả / result");
    for row in &view.control_sheet {
        let spent = format!(
            "{}h{:02}",
            row.working_minutes / 60,
            row.working_minutes % 60
        );
        println!(
            "  {} | {}{} | {} | {} | {} | {} | {} h | {} | {}{}",
            row.step,
            row.kind,
            row.label_vi
                .as_ref()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default(),
            row.role,
            row.agency,
            super::out::when_vi(row.received_at),
            row.handed_over_at
                .map(super::out::when_vi)
                .unwrap_or_else(|| "—".to_string()),
            row.budget_hours,
            spent,
            row.timeliness
                .map(timeliness_text)
                .unwrap_or_else(|| "—".to_string()),
            if row.sent_back {
                " [trả lại / sent back]"
            } else {
                ""
            }
        );
    }
    println!();
    println!("Nhật ký sự kiện / Events (chuỗi băm SHA-256 / hash chain):");
    for ce in events {
        let e = &ce.event;
        println!(
            "  #{} {} {} ({}) — {}{}{}",
            e.seq,
            rfc3339_vn(e.at),
            e.type_name(),
            event_vi(e.type_name()),
            e.actor.role,
            format_args!(" {}", e.actor.user),
            e.reason
                .as_ref()
                .map(|r| format!(" — lý do / reason: {r}"))
                .unwrap_or_default()
        );
    }
}

async fn list(engine: &Engine, filter: &DossierFilter, json: bool) -> anyhow::Result<ExitCode> {
    let rows = match engine.store().search(filter).await {
        Ok(r) => r,
        Err(e) => return fail_engine(json, &EngineError::from(e)),
    };
    if json {
        print_json(&json!(rows.iter().map(summary_json).collect::<Vec<_>>()))?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        println!("Không có hồ sơ nào phù hợp. / No matching dossiers.");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} hồ sơ / dossier(s), mới nhất trước / newest first:",
        rows.len()
    );
    for r in &rows {
        println!(
            "{} | {:>2} {} | {} | {} | {}{} | hẹn / due {}",
            r.code,
            r.status.code(),
            r.status.label_vi(),
            r.procedure_code,
            r.applicant_name,
            r.receiving_unit,
            if r.competent_unit != r.receiving_unit {
                format!(" → {}", r.competent_unit)
            } else {
                String::new()
            },
            r.due
                .map(|d| when(vn(d)))
                .unwrap_or_else(|| "—".to_string()),
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn summary_json(r: &DossierSummary) -> serde_json::Value {
    json!({
        "code": r.code,
        "status": r.status,
        "status_code": r.status.code(),
        "status_vi": r.status.label_vi(),
        "status_en": r.status.label_en(),
        "procedure_code": r.procedure_code,
        "procedure_name": r.procedure_name,
        "applicant_name": r.applicant_name,
        "receiving_unit": r.receiving_unit,
        "competent_unit": r.competent_unit,
        "step_role": r.step_role,
        "holder_unit": r.holder_unit,
        "assignee": r.assignee,
        "submitted_at": rfc3339_vn(r.submitted_at),
        "due": r.due.map(rfc3339_vn),
        "version": r.version,
    })
}
