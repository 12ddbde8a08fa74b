//! Chuyển đổi địa chỉ hàng loạt — streaming batch conversion of legacy
//! (three-level) addresses in CSV files to the two-level system of
//! 1 July 2025, on top of [`motcua_domain::units::Registry`].
//!
//! * [`convert_csv`] reads a CSV with a header row, finds the commune
//!   (xã) column and optional district (huyện) and province (tỉnh) columns,
//!   keeps every input column and appends the new commune and province, or
//!   sends the row to a rejects file with a machine-readable reason. Memory
//!   is constant: one reused record, no collecting.
//! * [`generate_bench_csv`] writes a deterministic mixed file of legacy
//!   addresses (codes, exact names, unaccented names without prefixes).
//! * [`run_bench`] measures conversion throughput against the plain cost of
//!   reading and writing the same CSV, and peak memory.

mod batch;
mod bench;
mod generate;

pub use batch::{
    convert_csv, ConvertCsvError, ConvertOptions, Progress, Stats, NEW_COLUMNS, REJECT_COLUMNS,
};
pub use bench::{peak_memory_kib, run_bench, BenchError, BenchPhase, BenchReport};
pub use generate::{generate_bench_csv, generate_bench_csv_with, RowKind, BENCH_COLUMNS};

use motcua_domain::units::{parse_dataset, DatasetError, Registry, UnitSources};

/// The registry of the reference data compiled into the binary
/// (`motcua-refdata`), for the CLI and the benchmark.
pub fn shipped_registry() -> Result<Registry, DatasetError> {
    let dataset = parse_dataset(&UnitSources {
        provinces_2025: motcua_refdata::PROVINCES_2025,
        communes_2025: motcua_refdata::COMMUNES_2025,
        provinces_legacy: motcua_refdata::PROVINCES_LEGACY,
        districts_legacy: motcua_refdata::DISTRICTS_LEGACY,
        communes_legacy: motcua_refdata::COMMUNES_LEGACY,
        merger_2025: motcua_refdata::MERGER_2025,
    })?;
    Ok(Registry::new(&dataset))
}
