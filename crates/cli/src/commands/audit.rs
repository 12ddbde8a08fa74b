//! `motcua audit verify` — recompute every dossier's hash chain from the
//! stored events; report the first broken link of each broken dossier.

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use super::out::{fail_engine, print_json};
use crate::config::Settings;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify every dossier's event chain (exit 1 if any link is broken).
    Verify {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(settings: &Settings, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify { json } = cmd;
    let state = crate::open::app(settings).await?;
    let report = match state.engine.audit().await {
        Ok(r) => r,
        Err(e) => return fail_engine(json, &e),
    };
    if json {
        print_json(&json!({
            "ok": report.is_ok(),
            "dossiers": report.dossiers,
            "events": report.events,
            "broken": report.broken,
            "log_streams": report.log_streams,
            "log_events": report.log_events,
            "broken_streams": report.broken_streams,
        }))?;
    } else if report.is_ok() {
        println!(
            "Chuỗi băm hợp lệ: đã kiểm tra {} hồ sơ, {} sự kiện; nhật ký: {} luồng, {} sự kiện.",
            report.dossiers, report.events, report.log_streams, report.log_events
        );
        println!(
            "Hash chains verified: {} dossier(s), {} event(s), no broken link.",
            report.dossiers, report.events
        );
    } else {
        println!(
            "PHÁT HIỆN SAI LỆCH: {} trên {} hồ sơ có chuỗi băm không khớp.",
            report.broken.len(),
            report.dossiers
        );
        println!(
            "TAMPERING DETECTED: {} of {} dossier(s) have a broken hash chain.",
            report.broken.len(),
            report.dossiers
        );
        for b in &report.broken {
            println!(
                "  {} — sự kiện / event #{}: tính lại / recomputed {} ≠ lưu / stored {}",
                b.code,
                b.index,
                if b.expected.is_empty() {
                    "(không mã hóa được / unencodable)"
                } else {
                    &b.expected
                },
                b.found
            );
        }
        for b in &report.broken_streams {
            println!("  nhật ký / log {}/{}: {}", b.kind, b.id, b.why);
        }
    }
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
