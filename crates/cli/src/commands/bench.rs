//! `motcua bench …` — benchmarks that print figures as ratios against a
//! baseline measured in the same run (the machines are shared and noisy).

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::Settings;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Batch address conversion: code-based and name-based rows vs. a plain CSV copy.
    Convert {
        /// Rows per input file.
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
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
    }
}
