//! `cargo bench -p motcua-convert --bench convert [-- ROWS]`: runs
//! [`motcua_convert::run_bench`] on the shipped reference data and prints
//! the report. ROWS defaults to 1,000,000; run it with 100000 and 1000000 to
//! compare peak memory (it must not grow with the number of rows).

use std::process::ExitCode;

fn main() -> ExitCode {
    // `cargo bench` passes "--bench"; the first number is the row count.
    let rows = std::env::args()
        .skip(1)
        .find_map(|a| a.replace('_', "").parse::<usize>().ok())
        .unwrap_or(1_000_000);
    let registry = match motcua_convert::shipped_registry() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("reference data: {e}");
            return ExitCode::FAILURE;
        }
    };
    match motcua_convert::run_bench(&registry, rows) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("benchmark failed: {e}");
            ExitCode::FAILURE
        }
    }
}
