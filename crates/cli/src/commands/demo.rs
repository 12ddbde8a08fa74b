//! `motcua demo load` — load the demo data set (Cao Bằng catalogue and a
//! few hundred dossiers in every status) into the configured store.

use std::process::ExitCode;

use clap::Subcommand;
use motcua_domain::dossier::Status;
use motcua_engine::demo::{self, DemoOptions, DemoReport};
use motcua_store::DeploymentKind;

use super::out::{fail, fail_engine, print_json, rfc3339_vn};
use crate::config::Settings;

#[derive(Subcommand)]
pub enum DemoCommand {
    /// Load the demo catalogue (if no procedures) and demo dossiers (if no dossiers).
    Load {
        /// Seed of the generator (the same seed and day give the same set).
        #[arg(long, default_value_t = demo::DEFAULT_DEMO_SEED)]
        seed: u64,
        /// How many dossiers.
        #[arg(long, default_value_t = demo::DEFAULT_DEMO_DOSSIERS as u64, value_parser = clap::value_parser!(u64).range(1..=5000))]
        dossiers: u64,
        /// Reference time (RFC 3339, not in the future): the dossiers lie in
        /// the 60 days before it. Default: now.
        #[arg(long)]
        now: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Deactivate the demo officials found in a real (non-demo) store, e.g.
    /// one that received them before stores recorded their kind.
    DisableAccounts {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(settings: &Settings, cmd: DemoCommand) -> anyhow::Result<ExitCode> {
    let (seed, dossiers, now, json) = match cmd {
        DemoCommand::Load {
            seed,
            dossiers,
            now,
            json,
        } => (seed, dossiers, now, json),
        DemoCommand::DisableAccounts { json } => return disable_accounts(settings, json).await,
    };
    let real_now = chrono::Utc::now();
    let now = match now.as_deref() {
        None => real_now,
        Some(s) => match super::calendar::parse_time(s).map(|t| t.with_timezone(&chrono::Utc)) {
            Some(t) if t <= real_now => t,
            _ => {
                return fail(
                    json,
                    "invalid_now",
                    &format!("Thời điểm tham chiếu không hợp lệ hoặc ở tương lai: {s:?}."),
                    &format!("Invalid or future reference time {s:?}."),
                )
            }
        },
    };
    let state = crate::open::app(settings).await?;
    if motcua_server::deployment::settle_kind(&*state.store, true).await? != DeploymentKind::Demo {
        return fail(
            json,
            "not_a_demo_store",
            "Kho dữ liệu thật (có cán bộ thật): không nạp dữ liệu mẫu.",
            "A real store (it has real officials): the demo data is not loaded.",
        );
    }
    let options = DemoOptions {
        communes: demo::demo_communes(),
        now,
        seed,
        dossiers: usize::try_from(dossiers).unwrap_or(demo::DEFAULT_DEMO_DOSSIERS),
    };
    let report = match demo::load_demo_with(&state.engine, &options).await {
        Ok(r) => r,
        Err(e) => return fail_engine(json, &e),
    };
    if json {
        print_json(&serde_json::to_value(&report)?)?;
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

async fn disable_accounts(settings: &Settings, json: bool) -> anyhow::Result<ExitCode> {
    let state = crate::open::app(settings).await?;
    let done = motcua_server::deployment::disable_demo_accounts(&*state.store).await?;
    if json {
        print_json(&serde_json::json!({ "deactivated": done }))?;
    } else {
        println!(
            "Đã khoá {n} tài khoản mẫu / deactivated {n} demo account(s).",
            n = done.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &DemoReport) {
    if r.procedures_imported > 0 {
        println!(
            "Đã nhập danh mục mẫu: {} thủ tục / imported the demo catalogue: {} procedure(s).",
            r.procedures_imported, r.procedures_imported
        );
    }
    if r.skipped_existing_dossiers {
        println!("Kho dữ liệu đã có hồ sơ: không tạo hồ sơ mẫu.");
        println!("The store already holds dossiers: no demo dossiers were generated.");
        return;
    }
    println!(
        "Đã tạo {} hồ sơ mẫu, {} sự kiện (DỮ LIỆU MẪU).",
        r.dossiers, r.events
    );
    println!(
        "Generated {} demo dossiers, {} events (DEMO DATA).",
        r.dossiers, r.events
    );
    if let (Some(from), Some(to)) = (r.from, r.to) {
        println!("Từ / from {} đến / to {}", rfc3339_vn(from), rfc3339_vn(to));
    }
    println!("Theo trạng thái / by status:");
    for (code, n) in &r.by_status {
        if let Some(s) = Status::from_code(*code) {
            println!("  {code:>2} {} / {}: {n}", s.label_vi(), s.label_en());
        }
    }
    let channels: Vec<String> = r
        .by_channel
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    println!("Kênh / channels: {}", channels.join(", "));
    println!(
        "Trễ hạn / late: {}; quá hạn đang xử lý / overdue: {}; xin lỗi và hẹn lại (Mẫu 04) / rescheduled: {}",
        r.late, r.overdue, r.rescheduled
    );
    println!(
        "Phi địa giới / boundary-free: {}; bổ sung / supplements: {}; thanh toán / payments: {}; trả lại / sent back: {}; đánh giá / rated: {}",
        r.boundary_free, r.with_supplement, r.with_payment, r.sent_back, r.rated
    );
    if r.not_placed > 0 {
        println!("Không xếp được / not placed: {}", r.not_placed);
    }
}
