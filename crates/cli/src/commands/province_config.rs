//! `motcua config export|import|history` — a province's settings (working
//! hours, days off of a year, deadline policy, the 766 index) as JSON
//! documents, versioned by the day each takes effect. An import is an
//! adoption by the operator, recorded in the event log like one made on
//! the province administrator's page.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use motcua_domain::settings::parse_document;
use motcua_engine::settings::Configurer;
use serde_json::json;

use super::out::{fail, print_json};
use crate::config::Settings;

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Write the settings in force on a day (default today) as a JSON
    /// document, to edit and import as a new version.
    Export {
        /// The province, two digits (e.g. 04).
        #[arg(long)]
        province: String,
        /// The day whose version is written (YYYY-MM-DD).
        #[arg(long)]
        at: Option<NaiveDate>,
        /// Write every version (an array) instead of one.
        #[arg(long)]
        all: bool,
        /// Write to this file instead of stdout.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Adopt a JSON document as a new version of the province's settings,
    /// from its `valid_from` (today or later).
    Import {
        #[arg(long)]
        province: String,
        /// The document (as `config export` writes it).
        file: PathBuf,
        /// Why the settings change (kept in the log).
        #[arg(long)]
        reason: String,
        /// Who is importing (kept in the log; default the system user).
        #[arg(long, env = "USER", default_value = "operator")]
        operator: String,
        #[arg(long)]
        json: bool,
    },
    /// The versions adopted, with who, when and why.
    History {
        #[arg(long)]
        province: String,
        #[arg(long)]
        json: bool,
    },
}

fn province_ok(p: &str) -> bool {
    p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit())
}

pub async fn run(settings: &Settings, cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    let (ConfigCommand::Export { province, .. }
    | ConfigCommand::Import { province, .. }
    | ConfigCommand::History { province, .. }) = &cmd;
    if !province_ok(province) {
        return fail(
            false,
            "invalid_province",
            &format!("Mã tỉnh không hợp lệ: {province:?} (hai chữ số, ví dụ 04)."),
            &format!("Invalid province code {province:?}: two digits, e.g. 04."),
        );
    }
    let state = crate::open::app(settings).await?;
    let engine = &state.engine;
    match cmd {
        ConfigCommand::Export {
            province,
            at,
            all,
            file,
        } => {
            let book = engine.settings_book(&province);
            let text = if all {
                let docs: Vec<_> = book.versions().iter().map(|v| &v.document).collect();
                serde_json::to_string_pretty(&docs)?
            } else {
                let day = at.unwrap_or_else(|| motcua_domain::dossier::vietnam_date(Utc::now()));
                serde_json::to_string_pretty(&book.at(day).document)?
            };
            match file {
                Some(path) => std::fs::write(&path, text + "\n")?,
                None => println!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Import {
            province,
            file,
            reason,
            operator,
            json,
        } => {
            let text = std::fs::read_to_string(&file)?;
            let document = match parse_document(&text) {
                Ok(d) => d,
                Err(e) => return fail(json, e.code(), &e.message_vi(), &e.to_string()),
            };
            let valid_from = document.valid_from;
            let who = Configurer::Operator { name: operator };
            match engine
                .adopt_settings(who, &province, document, &reason, Utc::now())
                .await
            {
                Ok(book) => {
                    let seq = book.history().last().map_or(0, |h| h.seq);
                    if json {
                        print_json(&json!({
                            "province": province,
                            "valid_from": valid_from,
                            "seq": seq,
                        }))?;
                    } else {
                        println!(
                            "Đã áp dụng cấu hình tỉnh {province} từ ngày {} (phiên bản #{seq}).",
                            valid_from.format("%d/%m/%Y")
                        );
                        println!("Adopted the settings of province {province} from {valid_from} (version #{seq}).");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => fail(json, e.code(), &e.message_vi(), &e.to_string()),
            }
        }
        ConfigCommand::History { province, json } => {
            let book = engine.settings_book(&province);
            if json {
                print_json(&json!({ "province": province, "history": book.history() }))?;
            } else if book.history().is_empty() {
                println!("Tỉnh {province} dùng cấu hình mặc định / province {province} uses the shipped settings.");
            } else {
                for h in book.history() {
                    println!(
                        "#{} từ/from {} — {} ({}){}: {}",
                        h.seq,
                        h.valid_from,
                        h.recorded_by,
                        h.recorded_at.to_rfc3339(),
                        if h.superseded {
                            " [thay thế / superseded]"
                        } else {
                            ""
                        },
                        h.reason.as_deref().unwrap_or("")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
