//! The conversion benchmark behind `motcua bench convert` and
//! `cargo bench -p motcua-convert`: throughput of code-based and name-based
//! rows, each against the plain cost of reading and writing the same CSV
//! with the csv crate, and peak memory (VmHWM) to show that it does not grow
//! with the number of rows.

use std::fmt;
use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::time::{Duration, Instant};

use csv::{ByteRecord, ReaderBuilder, WriterBuilder};
use motcua_domain::units::Registry;

use crate::{
    convert_csv, generate_bench_csv_with, ConvertCsvError, ConvertOptions, RowKind, Stats,
};

/// Each measurement is repeated and the fastest run kept, to damp noise
/// from other processes.
const RUNS: usize = 2;
const SEED: u64 = 0x6d6f_7463_7561; // "motcua"

/// A failure of the benchmark itself (temp files, I/O).
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("benchmark file: {0}")]
    Io(#[from] io::Error),
    #[error("benchmark CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Convert(#[from] ConvertCsvError),
}

/// One kind of input, converted and copied.
#[derive(Debug, Clone)]
pub struct BenchPhase {
    pub label: &'static str,
    pub rows: u64,
    /// Size of the input file.
    pub bytes: u64,
    /// Fastest plain read + write of the file with the csv crate.
    pub baseline: Duration,
    /// Fastest conversion of the file.
    pub conversion: Duration,
    pub stats: Stats,
}

fn per_sec(rows: u64, d: Duration) -> f64 {
    let s = d.as_secs_f64();
    if s > 0.0 {
        rows as f64 / s
    } else {
        f64::INFINITY
    }
}

impl BenchPhase {
    pub fn baseline_rows_per_sec(&self) -> f64 {
        per_sec(self.rows, self.baseline)
    }
    pub fn rows_per_sec(&self) -> f64 {
        per_sec(self.rows, self.conversion)
    }
    /// Conversion throughput as a fraction of the plain read + write.
    pub fn ratio(&self) -> f64 {
        self.rows_per_sec() / self.baseline_rows_per_sec()
    }
}

/// The result of [`run_bench`]; its `Display` is the printed report.
#[derive(Debug, Clone)]
pub struct BenchReport {
    pub rows: usize,
    pub code: BenchPhase,
    pub name: BenchPhase,
    /// Generating both input files.
    pub generate: Duration,
    /// Peak resident memory (KiB) before the first conversion (registry
    /// built, files generated) and at the end.
    pub peak_memory_kib_before: Option<u64>,
    pub peak_memory_kib_after: Option<u64>,
}

/// Peak resident set size of this process in KiB (`VmHWM` of
/// `/proc/self/status`); `None` where there is no procfs.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

fn copy_plain(file: &File) -> Result<(u64, Duration), BenchError> {
    let mut input = file;
    input.seek(SeekFrom::Start(0))?;
    let start = Instant::now();
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(input);
    let mut writer = WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(io::sink());
    writer.write_byte_record(reader.byte_headers()?)?;
    let mut record = ByteRecord::new();
    let mut rows = 0;
    while reader.read_byte_record(&mut record)? {
        writer.write_byte_record(&record)?;
        rows += 1;
    }
    writer.flush()?;
    Ok((rows, start.elapsed()))
}

fn convert_once(registry: &Registry, file: &File) -> Result<(Stats, Duration), BenchError> {
    let mut input = file;
    input.seek(SeekFrom::Start(0))?;
    let start = Instant::now();
    let stats = convert_csv(
        registry,
        input,
        io::sink(),
        io::sink(),
        &ConvertOptions::default(),
        |_| {},
    )?;
    Ok((stats, start.elapsed()))
}

fn phase(registry: &Registry, label: &'static str, file: &File) -> Result<BenchPhase, BenchError> {
    let bytes = file.metadata()?.len();
    let (mut baseline, mut conversion) = (Duration::MAX, Duration::MAX);
    let (mut rows, mut stats) = (0, Stats::default());
    for _ in 0..RUNS {
        let (r, d) = copy_plain(file)?;
        rows = r;
        baseline = baseline.min(d);
        let (s, d) = convert_once(registry, file)?;
        stats = s;
        conversion = conversion.min(d);
    }
    Ok(BenchPhase {
        label,
        rows,
        bytes,
        baseline,
        conversion,
        stats,
    })
}

/// Generates `rows` code-based rows and `rows` name-based rows (exact and
/// unaccented names with district and province) into temporary files, then
/// measures for each the plain csv read + write and the conversion (output
/// and rejects to a sink).
pub fn run_bench(registry: &Registry, rows: usize) -> Result<BenchReport, BenchError> {
    let start = Instant::now();
    let code_file = tempfile::tempfile()?;
    generate_bench_csv_with(registry, rows, &code_file, SEED, &[RowKind::Code])?;
    let name_file = tempfile::tempfile()?;
    generate_bench_csv_with(registry, rows, &name_file, SEED + 1, &RowKind::NAMES)?;
    let generate = start.elapsed();

    let peak_memory_kib_before = peak_memory_kib();
    let code = phase(registry, "code-based", &code_file)?;
    let name = phase(registry, "name-based", &name_file)?;
    Ok(BenchReport {
        rows,
        code,
        name,
        generate,
        peak_memory_kib_before,
        peak_memory_kib_after: peak_memory_kib(),
    })
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "n/a".to_string(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "motcua convert benchmark: {} rows per kind (generated in {:.2} s), best of {RUNS} runs, one thread",
            self.rows,
            self.generate.as_secs_f64()
        )?;
        writeln!(
            f,
            "{:<12} {:>9} {:>14} {:>14} {:>7} {:>10} {:>8} {:>9}",
            "input",
            "MiB",
            "baseline r/s",
            "convert r/s",
            "ratio",
            "converted",
            "split",
            "rejected"
        )?;
        for p in [&self.code, &self.name] {
            writeln!(
                f,
                "{:<12} {:>9.1} {:>14.0} {:>14.0} {:>6.0}% {:>10} {:>8} {:>9}",
                p.label,
                p.bytes as f64 / (1024.0 * 1024.0),
                p.baseline_rows_per_sec(),
                p.rows_per_sec(),
                p.ratio() * 100.0,
                p.stats.converted,
                p.stats.split,
                p.stats.rejected
            )?;
        }
        writeln!(
            f,
            "baseline = the same file read and written with the csv crate, no conversion; ratio = convert / baseline"
        )?;
        writeln!(
            f,
            "peak memory (VmHWM): {} before converting, {} after (growth {})",
            mib(self.peak_memory_kib_before),
            mib(self.peak_memory_kib_after),
            match (self.peak_memory_kib_before, self.peak_memory_kib_after) {
                (Some(b), Some(a)) => format!("{} KiB", a.saturating_sub(b)),
                _ => "n/a".to_string(),
            }
        )?;
        let target = |ok: bool| if ok { "met" } else { "NOT met" };
        writeln!(
            f,
            "targets: code-based >= 1,000,000 r/s {}; name-based >= 200,000 r/s {}",
            target(self.code.rows_per_sec() >= 1_000_000.0),
            target(self.name.rows_per_sec() >= 200_000.0)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_bench_runs_and_reports() {
        let r = crate::shipped_registry().expect("shipped data");
        let report = run_bench(&r, 2000).expect("runs");
        assert_eq!(report.code.rows, 2000);
        assert_eq!(report.code.stats.converted, 2000);
        assert_eq!(report.name.rows, 2000);
        assert_eq!(
            report.name.stats.converted + report.name.stats.rejected,
            2000
        );
        let text = report.to_string();
        assert!(
            text.contains("code-based") && text.contains("name-based"),
            "{text}"
        );
        if cfg!(target_os = "linux") {
            assert!(peak_memory_kib().is_some());
        }
    }
}
