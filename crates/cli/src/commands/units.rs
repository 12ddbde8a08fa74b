//! `motcua units …` — the unit registry from the command line.

use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Subcommand;
use motcua_domain::units::{
    ConvertError, Era, Level, Registry, Unit, UnitCode, LEGACY_LAST_DAY, REFORM_DAY,
};
use serde_json::json;

use crate::config::Settings;

#[derive(Subcommand)]
pub enum UnitsCommand {
    /// Show a unit by code: the record valid on --at, or every record held under the code.
    Show {
        code: String,
        /// Date (YYYY-MM-DD); codes are reused across eras.
        #[arg(long)]
        at: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Lineage of a commune: a new commune's legacy sources, or (with --at ≤ 2025-06-30) a legacy commune's successors.
    Lineage {
        /// Commune code or name (with or without diacritics or type prefix).
        code_or_name: String,
        #[arg(long)]
        at: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Convert a legacy address (commune, district, province) to the new commune and province.
    Convert {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        district: Option<String>,
        #[arg(long)]
        province: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Convert a CSV of legacy addresses (streaming); unconvertible rows go to a rejects file.
    ConvertCsv {
        input: PathBuf,
        output: PathBuf,
        /// Where rejected rows go (default: OUTPUT with `.rejects.csv`).
        #[arg(long)]
        rejects: Option<PathBuf>,
        /// Header of the commune column (default: detected, e.g. `commune`, `xa`).
        #[arg(long)]
        commune_column: Option<String>,
        #[arg(long)]
        district_column: Option<String>,
        #[arg(long)]
        province_column: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(settings: &Settings, cmd: UnitsCommand) -> anyhow::Result<ExitCode> {
    let state = crate::open::app(settings).await?;
    let registry = &*state.registry;
    match cmd {
        UnitsCommand::Show { code, at, json } => {
            let code = parse_code(&code)?;
            let records = match at {
                Some(at) => state.store.unit_at(&code, at).await?.into_iter().collect(),
                None => state.store.unit_history(&code).await?,
            };
            if records.is_empty() {
                let when = at.map(|d| format!(" on {d}")).unwrap_or_default();
                return fail(
                    json,
                    "unit_not_found",
                    &format!("Không có đơn vị mã {code}{when}."),
                    &format!("No unit with code {code}{when}."),
                );
            }
            if json {
                print_json(&json!(records
                    .iter()
                    .map(|u| unit_json(registry, u))
                    .collect::<Vec<_>>()))?;
            } else {
                for u in &records {
                    println!("{}", describe(registry, u));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        UnitsCommand::Lineage {
            code_or_name,
            at,
            json,
        } => {
            let at = at.unwrap_or(REFORM_DAY);
            let era = Era::of(at);
            let unit = match UnitCode::parse_at(&code_or_name, Level::Commune) {
                Ok(code) => registry.unit_at(&code, at).ok_or_else(|| {
                    anyhow::anyhow!(
                        "Không có xã mã {code} vào ngày {at} / no commune with code {code} on {at}"
                    )
                }),
                Err(_) => registry
                    .resolve(&code_or_name, era, Level::Commune, None)
                    .map_err(|e| anyhow::anyhow!("{}\n{}", e.message_vi(), e)),
            };
            let unit = match unit {
                Ok(u) => u,
                Err(e) => return fail(json, "unit_not_found", &e.to_string(), ""),
            };
            let (direction, links) = match era {
                Era::TwoLevel => ("sources", registry.sources_of(&unit.code)),
                Era::Legacy => ("successors", registry.successors_of(&unit.code)),
            };
            if json {
                let links: Vec<_> = links
                    .iter()
                    .map(|(l, u)| json!({"unit": unit_json(registry, u), "split": l.split, "primary": l.primary}))
                    .collect();
                print_json(
                    &json!({"unit": unit_json(registry, unit), "direction": direction, "links": links}),
                )?;
            } else {
                println!("{}", describe(registry, unit));
                println!(
                    "{}",
                    if direction == "sources" {
                        "Hợp thành từ (formed from):"
                    } else {
                        "Chuyển thành (went into):"
                    }
                );
                for (l, u) in &links {
                    let mark = match (l.split, l.primary) {
                        (true, true) => "  [chia tách, đơn vị chính / split, primary]",
                        (true, false) => "  [chia tách / split]",
                        _ => "",
                    };
                    println!("  {}{mark}", describe(registry, u));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        UnitsCommand::Convert {
            commune,
            district,
            province,
            json,
        } => match registry.convert_parts(&commune, district.as_deref(), province.as_deref()) {
            Ok(c) => {
                if json {
                    print_json(&json!(c))?;
                } else {
                    println!(
                        "Địa chỉ cũ (legacy):  {}",
                        describe(registry, c.legacy_unit())
                    );
                    let primary = c.primary();
                    println!(
                        "Địa chỉ mới (new):    {}",
                        describe(registry, primary.commune)
                    );
                    if c.split {
                        println!("Lưu ý: xã cũ đã được chia cho {} xã mới; đơn vị trên là đơn vị chính. Các đơn vị khác:", c.successors().len());
                        println!("Note: the legacy commune was split; the unit above is the primary successor. Others:");
                        for s in c.successors().skip(1) {
                            println!("  {}", describe(registry, s.commune));
                        }
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => fail_convert(json, &e),
        },
        UnitsCommand::ConvertCsv {
            input,
            output,
            rejects,
            commune_column,
            district_column,
            province_column,
            json,
        } => convert_csv(
            registry,
            input,
            output,
            rejects,
            motcua_convert::ConvertOptions {
                commune_column,
                district_column,
                province_column,
                ..Default::default()
            },
            json,
        ),
    }
}

fn parse_code(s: &str) -> anyhow::Result<UnitCode> {
    UnitCode::parse(s).map_err(|e| anyhow::anyhow!("Mã không hợp lệ / {e}"))
}

fn print_json(v: &serde_json::Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn fail(json: bool, code: &str, vi: &str, en: &str) -> anyhow::Result<ExitCode> {
    if json {
        print_json(&json!({"error": {"code": code, "message_vi": vi, "message_en": en}}))?;
    } else {
        eprintln!("{vi}");
        if !en.is_empty() {
            eprintln!("{en}");
        }
    }
    Ok(ExitCode::from(1))
}

fn fail_convert(json: bool, e: &ConvertError) -> anyhow::Result<ExitCode> {
    if json {
        print_json(&json!({"error": {
            "code": e.code(), "message_vi": e.message_vi(), "message_en": e.to_string(),
            "candidates": e.candidates()
        }}))?;
        Ok(ExitCode::from(1))
    } else {
        fail(false, e.code(), &e.message_vi(), &e.to_string())
    }
}

/// "Phường Nùng Trí Cao [01234] — Tỉnh Cao Bằng [04] (2025-07-01 →)"
fn describe(registry: &Registry, u: &Unit) -> String {
    let date = if u.era() == Era::Legacy {
        LEGACY_LAST_DAY
    } else {
        REFORM_DAY
    };
    let mut parents = Vec::new();
    let mut parent = u.parent_code.as_ref();
    while let Some(p) = parent.and_then(|c| registry.unit_at(c, date)) {
        parents.push(format!("{} [{}]", p.name, p.code));
        parent = p.parent_code.as_ref();
    }
    let period = match (u.valid_from, u.valid_to) {
        (Some(f), None) => format!("{f} →"),
        (None, Some(t)) => format!("→ {t}"),
        (Some(f), Some(t)) => format!("{f} → {t}"),
        (None, None) => String::new(),
    };
    let mut s = format!("{} [{}]", u.name, u.code);
    if !parents.is_empty() {
        s.push_str(" — ");
        s.push_str(&parents.join(", "));
    }
    if !period.is_empty() {
        s.push_str(&format!(" ({period})"));
    }
    s
}

fn unit_json(registry: &Registry, u: &Unit) -> serde_json::Value {
    let date = if u.era() == Era::Legacy {
        LEGACY_LAST_DAY
    } else {
        REFORM_DAY
    };
    let province = registry
        .unit_at(&u.province_code, date)
        .map(|p| p.name.clone());
    json!({
        "code": u.code, "name": u.name, "short_name": u.short_name,
        "type": u.unit_type.as_str(), "level": u.level().as_str(), "era": u.era().as_str(),
        "parent_code": u.parent_code, "province_code": u.province_code, "province_name": province,
        "valid_from": u.valid_from, "valid_to": u.valid_to,
    })
}

fn convert_csv(
    registry: &Registry,
    input: PathBuf,
    output: PathBuf,
    rejects: Option<PathBuf>,
    options: motcua_convert::ConvertOptions,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let rejects = rejects.unwrap_or_else(|| {
        let stem = output
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        output.with_file_name(format!("{stem}.rejects.csv"))
    });
    let file =
        std::fs::File::open(&input).with_context(|| format!("opening {}", input.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let out =
        std::fs::File::create(&output).with_context(|| format!("creating {}", output.display()))?;
    let rej = std::fs::File::create(&rejects)
        .with_context(|| format!("creating {}", rejects.display()))?;
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut out_w = BufWriter::with_capacity(1 << 20, out);
    let mut rej_w = BufWriter::new(rej);
    let stats = motcua_convert::convert_csv(
        registry,
        BufReader::with_capacity(1 << 20, file),
        &mut out_w,
        &mut rej_w,
        &options,
        |p| {
            bar.set_position(p.bytes);
            bar.set_message(format!("{} dòng / rows", p.rows));
        },
    )
    .with_context(|| format!("converting {}", input.display()))?;
    out_w.flush()?;
    rej_w.flush()?;
    out_w.get_ref().sync_all()?;
    rej_w.get_ref().sync_all()?;
    bar.finish_and_clear();
    if json {
        print_json(&json!({
            "rows": stats.rows, "converted": stats.converted, "split": stats.split,
            "rejected": stats.rejected, "output": output, "rejects": rejects,
        }))?;
    } else {
        println!(
            "{} dòng: {} chuyển đổi ({} xã bị chia tách), {} bị loại → {}",
            stats.rows,
            stats.converted,
            stats.split,
            stats.rejected,
            rejects.display()
        );
        println!(
            "{} rows: {} converted ({} split), {} rejected → {}",
            stats.rows,
            stats.converted,
            stats.split,
            stats.rejected,
            rejects.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
