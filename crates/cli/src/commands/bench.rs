//! `motcua bench …` — benchmarks that print figures as ratios against a
//! baseline measured in the same run (the machines are shared and noisy).

mod engine;
mod http;
mod reports;
mod reports_pool;

use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};

use crate::config::Settings;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Batch address conversion: code-based and name-based rows vs. a plain CSV copy.
    Convert {
        /// Rows per input file.
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
    },
    /// The one-stop engine: complete dossier lifecycles (9 durable commands
    /// each) with concurrent officials, vs. a plain insert loop with the
    /// same durability on the same database.
    Engine {
        /// Dossiers to run through their whole lifecycle.
        #[arg(long, default_value_t = 5_000)]
        dossiers: usize,
        /// Lifecycles in flight at once.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        #[arg(long, value_enum, default_value_t = Backend::Sqlite)]
        backend: Backend,
        /// PostgreSQL URL (default: MOTCUA_TEST_DATABASE_URL, else the local `test` database).
        #[arg(long)]
        postgres_url: Option<String>,
    },
    /// The portal over HTTP: the app in this process (SQLite, demo data)
    /// on 127.0.0.1:0, loaded with keep-alive connections for a fixed time
    /// per endpoint; the tracking page and the procedure search as a
    /// ratio of the health endpoint's throughput.
    Http {
        /// Concurrent connections.
        #[arg(long, default_value_t = 200)]
        connections: usize,
        /// Seconds of load per endpoint.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Reports on a growing history (issue 5): the 766 index of a
    /// province's communes for a year, a commune's monthly dashboard and
    /// the bottleneck table from the rollups, at each step of dossiers
    /// loaded, vs. the index from a full scan of the per-dossier facts.
    Reports {
        /// Dossiers in total (the last step).
        #[arg(long, default_value_t = 10_000_000)]
        dossiers: usize,
        /// Dossier counts to measure at before the last (comma-separated).
        #[arg(long, value_delimiter = ',', default_value = "1000000")]
        steps: Vec<usize>,
        #[arg(long, value_enum, default_value_t = Backend::Sqlite)]
        backend: Backend,
        /// PostgreSQL URL (default: MOTCUA_TEST_DATABASE_URL, else the local `test` database).
        #[arg(long)]
        postgres_url: Option<String>,
        /// Realistic dossiers generated through the engine, then instantiated.
        #[arg(long, default_value_t = 10_000)]
        pool: usize,
        #[arg(long, default_value_t = 20_250_701)]
        seed: u64,
        /// Dossiers per bulk load (one transaction each).
        #[arg(long, default_value_t = 100_000)]
        batch: usize,
        /// Repetitions of each rollup-path report (the median is printed).
        #[arg(long, default_value_t = 7)]
        reps: usize,
        /// Repetitions of the full scan.
        #[arg(long, default_value_t = 3)]
        scan_reps: usize,
    },
}

pub async fn run(_settings: &Settings, cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BenchCommand::Convert { rows } => {
            let registry = motcua_convert::shipped_registry()?;
            let report =
                tokio::task::spawn_blocking(move || motcua_convert::run_bench(&registry, rows))
                    .await??;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Engine {
            dossiers,
            concurrency,
            backend,
            postgres_url,
        } => {
            let url = postgres_url
                .or_else(|| std::env::var("MOTCUA_TEST_DATABASE_URL").ok())
                .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_string());
            if matches!(backend, Backend::Sqlite | Backend::Both) {
                engine::run_sqlite(dossiers, concurrency).await?;
            }
            if matches!(backend, Backend::Postgres | Backend::Both) {
                engine::run_postgres(&url, dossiers, concurrency).await?;
            }
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Http {
            connections,
            seconds,
        } => {
            http::run(connections.clamp(1, 2000), seconds.clamp(1, 600)).await?;
            Ok(ExitCode::SUCCESS)
        }
        BenchCommand::Reports {
            dossiers,
            steps,
            backend,
            postgres_url,
            pool,
            seed,
            batch,
            reps,
            scan_reps,
        } => {
            let url = postgres_url
                .or_else(|| std::env::var("MOTCUA_TEST_DATABASE_URL").ok())
                .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_string());
            let opts = reports::Options {
                dossiers: dossiers.max(1),
                steps,
                pool: pool.max(1),
                seed,
                batch,
                reps,
                scan_reps,
            };
            let pool = reports::pool(&opts).await?;
            let mut ok = true;
            if matches!(backend, Backend::Sqlite | Backend::Both) {
                ok &= reports::run_sqlite(&pool, &opts).await?;
            }
            if matches!(backend, Backend::Postgres | Backend::Both) {
                ok &= reports::run_postgres(&url, &pool, &opts).await?;
            }
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
