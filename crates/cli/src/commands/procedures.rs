//! `motcua procedures …` — the procedure catalogue (danh mục thủ tục hành
//! chính): import a JSON catalogue, export it (JSON or flat CSV), list it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use motcua_domain::procedure::{Catalogue, Procedure};
use motcua_store::StoreError;
use serde_json::json;

use super::out::{fail, print_json};
use crate::config::Settings;

#[derive(Subcommand)]
pub enum ProceduresCommand {
    /// Import a catalogue (JSON: {"notice", "province", "as_of", "procedures": [...]}).
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Export the stored catalogue as JSON (or the flat CSV) to FILE or stdout.
    Export {
        /// The flat CSV (one row per procedure version) instead of JSON.
        #[arg(long)]
        csv: bool,
        file: Option<PathBuf>,
    },
    /// List the stored procedures.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(settings: &Settings, cmd: ProceduresCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ProceduresCommand::Import { file, json } => import(settings, &file, json).await,
        ProceduresCommand::Export { csv, file } => export(settings, csv, file).await,
        ProceduresCommand::List { json } => list(settings, json).await,
    }
}

async fn import(settings: &Settings, file: &PathBuf, json: bool) -> anyhow::Result<ExitCode> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                json,
                "file_unreadable",
                &format!("Không đọc được tệp {}: {e}.", file.display()),
                &format!("Cannot read {}: {e}.", file.display()),
            )
        }
    };
    let catalogue = match Catalogue::from_json(&text) {
        Ok(c) => c,
        Err(e) => {
            return fail(
                json,
                e.code(),
                &format!("Danh mục thủ tục không hợp lệ: {e}."),
                &format!("Invalid catalogue: {e}."),
            )
        }
    };
    let state = crate::open::app(settings).await?;
    match state
        .engine
        .store()
        .put_procedures(catalogue.procedures())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(what)) => {
            return fail(
                json,
                "conflict",
                &format!(
                    "Xung đột: {what}. Một phiên bản thủ tục đã lưu chỉ được nhập lại nếu giống hệt; hãy tăng số phiên bản."
                ),
                &format!(
                    "Conflict: {what}. A stored procedure version may only be re-imported unchanged; use a new version."
                ),
            )
        }
        Err(e) => return Err(e).context("importing the catalogue"),
    }
    let n = catalogue.procedures().len();
    if json {
        print_json(&json!({
            "imported": n,
            "notice": catalogue.notice,
            "province": catalogue.province,
            "codes": catalogue.procedures().iter().map(|p| format!("{} v{}", p.code, p.version)).collect::<Vec<_>>(),
        }))?;
    } else {
        println!("Đã nhập {n} thủ tục từ {}.", file.display());
        println!("Imported {n} procedure version(s) from {}.", file.display());
        println!("{}", catalogue.notice);
    }
    Ok(ExitCode::SUCCESS)
}

/// The stored procedures as a catalogue. When they are exactly (a subset
/// of) the shipped demo catalogue its notice is kept, so that "DEMO DATA"
/// and the "(unverified)" explanation travel with an export.
fn stored_catalogue(procedures: Vec<Procedure>) -> anyhow::Result<Catalogue> {
    let demo = motcua_engine::demo::demo_catalogue();
    let all_demo = !procedures.is_empty()
        && procedures
            .iter()
            .all(|p| demo.procedures().iter().any(|d| d == p));
    let (notice, province, as_of) = if all_demo {
        (demo.notice.clone(), demo.province.clone(), demo.as_of)
    } else {
        (
            format!(
                "Exported from motcua on {}: the procedure versions held by this installation. \
                 Values marked (unverified) were not confirmed in a source.",
                chrono::Utc::now().date_naive()
            ),
            None,
            None,
        )
    };
    Ok(Catalogue::new(notice, province, as_of, procedures)?)
}

async fn export(settings: &Settings, csv: bool, file: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let state = crate::open::app(settings).await?;
    let procedures = state.engine.store().procedures().await?;
    let catalogue = stored_catalogue(procedures)?;
    let text = if csv {
        catalogue.to_csv()?
    } else {
        catalogue.to_json_pretty()? + "\n"
    };
    match file {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "Đã xuất {} thủ tục ra {} / exported {} procedure version(s) to {}",
                catalogue.procedures().len(),
                path.display(),
                catalogue.procedures().len(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(settings: &Settings, json: bool) -> anyhow::Result<ExitCode> {
    let state = crate::open::app(settings).await?;
    let procedures = state.engine.store().procedures().await?;
    if json {
        print_json(&serde_json::to_value(
            procedures.iter().map(|p| p.to_row()).collect::<Vec<_>>(),
        )?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if procedures.is_empty() {
        println!("Chưa có thủ tục nào. Nhập danh mục: motcua procedures import FILE.json (hoặc motcua demo load).");
        println!("No procedures yet. Import a catalogue: motcua procedures import FILE.json (or motcua demo load).");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} thủ tục / procedure version(s) — mã | phiên bản | thời hạn | giờ chốt | phi địa giới | tên",
        procedures.len()
    );
    println!("code | version | time limit | cut-off | boundary-free | name");
    for p in &procedures {
        let unverified = if p.unverified_notes().is_empty() {
            ""
        } else {
            " [có giá trị chưa xác minh / has unverified values]"
        };
        println!(
            "{} | v{} | {} | {} | {} | {}{}",
            p.code,
            p.version,
            p.time_limit,
            p.same_day_cutoff
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into()),
            if p.boundary_free {
                "có/yes"
            } else {
                "không/no"
            },
            p.name_vi,
            unverified
        );
    }
    Ok(ExitCode::SUCCESS)
}
