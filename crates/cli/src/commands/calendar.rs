//! `motcua calendar due` — the appointment of a receipt slip (Mẫu 01) and
//! how it was computed, from the working calendar (holidays, Tết, working
//! hours 07:30–11:30 and 13:00–17:00) and the deadline rules.

use std::process::ExitCode;

use chrono::{DateTime, FixedOffset, NaiveDateTime, NaiveTime, Utc};
use clap::{ArgGroup, Subcommand, ValueEnum};
use motcua_domain::calendar::{
    due, to_vietnam_local, vietnam_local_to_fixed, CalendarConfig, DeadlinePolicy, Limit, Step,
    WorkingCalendar, WorkingDayCounting, VIETNAM_OFFSET,
};
use motcua_domain::procedure::{ProcedureCode, TimeLimit};
use serde_json::json;

use super::out::{fail, fail_engine, print_json, when, when_en};
use crate::config::Settings;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// Hạn trả kết quả — the due date and time of a dossier received at
    /// --received, with the steps of the computation.
    #[command(group(
        ArgGroup::new("limit")
            .required(true)
            .args(["working_days", "working_hours", "same_day", "procedure"])
    ))]
    Due {
        /// Receipt time: RFC 3339 (2026-02-13T10:00:00+07:00) or a local
        /// Vietnam time (2026-02-13T10:00, 2026-02-13 10:00).
        #[arg(long)]
        received: String,
        /// Limit in working days (legal time limits).
        #[arg(long)]
        working_days: Option<u32>,
        /// Limit in working hours (internal step budgets, 8 per day).
        #[arg(long)]
        working_hours: Option<u32>,
        /// Within the day of receipt.
        #[arg(long)]
        same_day: bool,
        /// The limit and cut-off of a procedure of the catalogue (national
        /// code, e.g. 2.000815), as printed on its receipt slip.
        #[arg(long)]
        procedure: Option<String>,
        /// Receipt after this time (HH:MM) counts from the next working day.
        #[arg(long)]
        cutoff: Option<String>,
        /// How working days are counted.
        #[arg(long, value_enum, default_value = "end-of-day")]
        counting: CountingArg,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CountingArg {
    /// Day of receipt not counted; due at the close of the N-th working day.
    EndOfDay,
    /// N × 8 working hours from the receipt instant.
    SameTimeOfDay,
}

/// Parses a receipt time: RFC 3339 with any offset, or a local Vietnam time.
pub fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(s, f) {
            return vietnam_local_to_fixed(local).ok();
        }
    }
    None
}

fn parse_cutoff(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    (s.len() == 5)
        .then(|| NaiveTime::parse_from_str(s, "%H:%M").ok())
        .flatten()
}

fn limit_json(l: Limit) -> serde_json::Value {
    serde_json::to_value(l).unwrap_or(serde_json::Value::Null)
}

pub async fn run(settings: &Settings, cmd: CalendarCommand) -> anyhow::Result<ExitCode> {
    let CalendarCommand::Due {
        received,
        working_days,
        working_hours,
        same_day,
        procedure,
        cutoff,
        counting,
        json,
    } = cmd;
    let Some(received_at) = parse_time(&received) else {
        return fail(
            json,
            "invalid_received",
            &format!(
                "Thời điểm tiếp nhận không hợp lệ: {received:?}. Dùng dạng 2026-02-13T10:00:00+07:00."
            ),
            &format!("Invalid receipt time {received:?}: use e.g. 2026-02-13T10:00:00+07:00."),
        );
    };
    let cutoff = match cutoff.as_deref().map(|c| (c, parse_cutoff(c))) {
        None => None,
        Some((_, Some(t))) => Some(t),
        Some((c, None)) => {
            return fail(
                json,
                "invalid_cutoff",
                &format!("Giờ chốt không hợp lệ: {c:?} (dạng HH:MM, ví dụ 15:00)."),
                &format!("Invalid cut-off {c:?}: expected HH:MM, e.g. 15:00."),
            )
        }
    };
    let policy = DeadlinePolicy {
        counting: match counting {
            CountingArg::EndOfDay => WorkingDayCounting::EndOfDay,
            CountingArg::SameTimeOfDay => WorkingDayCounting::SameTimeOfDay,
        },
        ..DeadlinePolicy::default()
    };
    let local = to_vietnam_local(&received_at);

    // A procedure of the catalogue: the engine's appointment.
    if let Some(code) = procedure {
        return procedure_due(settings, &code, received_at, cutoff, policy, json).await;
    }

    let limit = match (working_days, working_hours, same_day) {
        (Some(n), _, _) => Limit::WorkingDays(n),
        (_, Some(h), _) => Limit::WorkingHours(h),
        _ => Limit::SameDay,
    };
    let calendar = WorkingCalendar::from_csv(motcua_refdata::HOLIDAYS, CalendarConfig::default())?;
    let rule = policy.rule(limit, cutoff);
    let computed = match due(local, &rule, &calendar) {
        Ok(d) => d,
        Err(e) => {
            return fail(
                json,
                "calendar_error",
                &format!("Không tính được hạn: {e}."),
                &format!("Cannot compute the due date: {e}."),
            )
        }
    };
    let due_at = computed.at_vietnam()?;
    let clock_start = vietnam_local_to_fixed(computed.clock_start)?;
    let received_vn = received_at.with_timezone(&VIETNAM_OFFSET);
    if json {
        print_json(&json!({
            "received": received_vn.to_rfc3339(),
            "clock_start": clock_start.to_rfc3339(),
            "due": due_at.to_rfc3339(),
            "due_date": due_at.date_naive().to_string(),
            "rule": rule,
            "limit": limit_json(limit),
            "budget_seconds": computed.budget.num_seconds(),
            "explanation": computed.explanation,
        }))?;
    } else {
        print_due(due_at, &computed.explanation);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_due(due_at: DateTime<FixedOffset>, steps: &[Step]) {
    println!("Hạn trả kết quả: {}", when(due_at));
    println!("Due: {}", when_en(due_at));
    println!("Cách tính / How it was computed:");
    for (i, s) in steps.iter().enumerate() {
        println!("{:>3}. {}", i + 1, s.vi);
        println!("     {}", s.en);
    }
}

async fn procedure_due(
    settings: &Settings,
    code: &str,
    received_at: DateTime<FixedOffset>,
    cutoff: Option<NaiveTime>,
    policy: DeadlinePolicy,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let code = match ProcedureCode::parse(code) {
        Ok(c) => c,
        Err(e) => {
            return fail(
                json,
                "invalid_procedure_code",
                &format!("Mã thủ tục không hợp lệ: {code:?}."),
                &e.to_string(),
            )
        }
    };
    let state = crate::open::app(settings).await?;
    let engine = &state.engine;
    if let Err(e) = motcua_engine::demo::ensure_demo_catalogue(engine).await {
        return fail_engine(json, &e);
    }
    let received_utc = received_at.with_timezone(&Utc);
    let day = motcua_domain::dossier::vietnam_date(received_utc);
    let Some(procedure) = engine.store().procedure(&code, day).await? else {
        return fail(
            json,
            "procedure_not_found",
            &format!("Không có thủ tục {code} có hiệu lực vào ngày {day}."),
            &format!("No procedure {code} in force on {day}."),
        );
    };
    let mut snapshot = procedure.snapshot();
    if let Some(c) = cutoff {
        snapshot.same_day_cutoff = motcua_domain::procedure::TimeOfDay::new(
            chrono::Timelike::hour(&c),
            chrono::Timelike::minute(&c),
        );
    }
    // The appointment exactly as the engine prints it on Mẫu 01, counted
    // with the settings of the Center's province in force that day.
    let center = motcua_domain::dossier::UnitId::parse(&state.site.center)?;
    let rules = engine.rules_for(&center, day);
    let appointment = match engine.appointment_for(&snapshot, &center, received_utc) {
        Ok(a) => a.with_timezone(&VIETNAM_OFFSET),
        Err(e) => return fail_engine(json, &e),
    };
    let local = to_vietnam_local(&received_at);
    let cutoff = snapshot.same_day_cutoff.map(|c| c.time());
    let mut steps: Vec<Step> = match snapshot.time_limit.to_calendar_limit() {
        Some(limit) => due(local, &policy.rule(limit, cutoff), &rules.calendar)
            .map(|d| d.explanation)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let head = Step::new(
        format!(
            "procedure {} v{} — {}: limit {}{}",
            snapshot.code,
            snapshot.version,
            snapshot.name_vi,
            snapshot.time_limit,
            cutoff
                .map(|c| format!(", cut-off {}", c.format("%H:%M")))
                .unwrap_or_default()
        ),
        format!(
            "Thủ tục {} (phiên bản {}) — {}: thời hạn {}{}",
            snapshot.code,
            snapshot.version,
            snapshot.name_vi,
            limit_vi(snapshot.time_limit),
            cutoff
                .map(|c| format!(", giờ chốt {}", c.format("%H:%M")))
                .unwrap_or_default()
        ),
    );
    steps.insert(0, head);
    match snapshot.time_limit {
        TimeLimit::CalendarDays(n) => steps.push(Step::new(
            format!(
                "limit in calendar days: the last of the {n} days, moved to the next working \
                 day if it is not one (Civil Code 2015 Art. 148); due {}",
                when_en(appointment)
            ),
            format!(
                "Thời hạn tính theo ngày: ngày cuối cùng của {n} ngày, nếu là ngày nghỉ thì \
                 chuyển sang ngày làm việc tiếp theo (Điều 148 Bộ luật Dân sự 2015); hẹn {}",
                super::out::when_vi(appointment)
            ),
        )),
        TimeLimit::NotStated => steps.push(Step::new(
            format!(
                "the catalogue states no time limit (unverified): the engine applies its default \
                 limit; due {}",
                when_en(appointment)
            ),
            format!(
                "Danh mục không nêu thời hạn (chưa xác minh): áp dụng thời hạn mặc định của hệ \
                 thống; hẹn {}",
                super::out::when_vi(appointment)
            ),
        )),
        _ => {}
    }
    if json {
        print_json(&json!({
            "received": received_at.with_timezone(&VIETNAM_OFFSET).to_rfc3339(),
            "due": appointment.to_rfc3339(),
            "due_date": appointment.date_naive().to_string(),
            "procedure": {
                "code": snapshot.code,
                "version": snapshot.version,
                "name_vi": snapshot.name_vi,
                "time_limit": snapshot.time_limit,
                "same_day_cutoff": snapshot.same_day_cutoff,
            },
            "explanation": steps,
        }))?;
    } else {
        print_due(appointment, &steps);
    }
    Ok(ExitCode::SUCCESS)
}

fn limit_vi(l: TimeLimit) -> String {
    l.text_vi().to_lowercase()
}
