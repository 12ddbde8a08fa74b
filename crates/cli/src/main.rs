//! `motcua` — the one binary: serve the system, query and convert the unit
//! registry, compute due dates, manage the procedure catalogue and the
//! one-stop dossiers, verify the audit chains, load demo data, run
//! benchmarks. Every command works on a fresh data directory:
//! it creates, migrates and loads the reference data on first use.

mod commands;
mod config;
mod open;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Một cửa điện tử cấp xã — the digital one-stop administration of Vietnamese communes"
)]
struct Cli {
    /// Configuration file (TOML). Default: ./motcua.toml if it exists.
    #[arg(long, global = true, env = "MOTCUA_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for the embedded database and stored files.
    #[arg(long, global = true, env = "MOTCUA_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: `sqlite:PATH` (default: DATA_DIR/motcua.db) or `postgres://...`.
    #[arg(
        long,
        global = true,
        env = "MOTCUA_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the JSON API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "MOTCUA_LISTEN")]
        listen: Option<String>,
        /// Do not load the demo data set (Cao Bằng procedures and dossiers)
        /// into an empty store.
        #[arg(long, env = "MOTCUA_NO_DEMO")]
        no_demo: bool,
        /// Sign-in and session security (also the `[auth]` table of the file).
        #[command(flatten)]
        auth: config::AuthSettings,
        /// The public address and the portal's Center (also keys of the file).
        #[command(flatten)]
        site: config::SiteSettings,
    },
    /// The administrative-unit registry (đơn vị hành chính).
    #[command(subcommand)]
    Units(commands::units::UnitsCommand),
    /// Benchmarks (print ratios against a baseline measured in the same run).
    #[command(subcommand)]
    Bench(commands::bench::BenchCommand),
    /// Working calendar: due dates of receipt slips (lịch làm việc, hạn trả kết quả).
    #[command(subcommand)]
    Calendar(commands::calendar::CalendarCommand),
    /// The procedure catalogue (danh mục thủ tục hành chính).
    #[command(subcommand)]
    Procedures(commands::procedures::ProceduresCommand),
    /// Dossiers of the one-stop shop (hồ sơ một cửa): submit, act, show, list.
    #[command(subcommand)]
    Dossiers(commands::dossiers::DossiersCommand),
    /// A province's settings (cấu hình cấp tỉnh): export, import, history.
    #[command(subcommand)]
    Config(commands::province_config::ConfigCommand),
    /// Audit: verify the hash chains of every dossier's events.
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// Demo data (dữ liệu mẫu): the Cao Bằng catalogue and demo dossiers.
    #[command(subcommand)]
    Demo(commands::demo::DemoCommand),
}

fn init_tracing(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MOTCUA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = match config::FileConfig::load(cli.config.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("motcua: {e:#}");
            return ExitCode::from(2);
        }
    };
    let listen = match &cli.command {
        Command::Serve { listen, .. } => listen.clone(),
        _ => None,
    };
    init_tracing(file.log.as_deref().unwrap_or(match cli.command {
        Command::Serve { .. } => "info",
        _ => "warn",
    }));
    let settings = config::Settings::resolve(&file, cli.data_dir, cli.database_url, listen);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("motcua: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve {
                no_demo,
                auth,
                site,
                ..
            } => {
                let auth = auth
                    .over(&file.auth)
                    .resolve()
                    .context("the [auth] settings")?;
                let site = site.over(&file.site()).resolve()?;
                commands::serve::run(&settings, !no_demo, auth, site).await
            }
            Command::Units(cmd) => commands::units::run(&settings, cmd).await,
            Command::Bench(cmd) => commands::bench::run(&settings, cmd).await,
            Command::Calendar(cmd) => commands::calendar::run(&settings, cmd).await,
            Command::Procedures(cmd) => commands::procedures::run(&settings, cmd).await,
            Command::Dossiers(cmd) => commands::dossiers::run(&settings, cmd).await,
            Command::Audit(cmd) => commands::audit::run(&settings, cmd).await,
            Command::Config(cmd) => commands::province_config::run(&settings, cmd).await,
            Command::Demo(cmd) => commands::demo::run(&settings, cmd).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("motcua: {e:#}");
            ExitCode::FAILURE
        }
    }
}
