//! Group commit on SQLite, measured: the same commands executed one after
//! the other (each waits for its own fsync) and concurrently (they share
//! transactions and fsyncs), on a WAL database with `synchronous=FULL`.
//!
//! ```text
//! cargo run --release -p motcua-store-sqlite --example group_commit \
//!     [--lifecycles-only] [COMMANDS] [DIR]
//! ```
//!
//! Runs 1. COMMANDS sequential opens, 2. COMMANDS concurrent (spawned)
//! opens, 3. COMMANDS / 8 complete lifecycles (8 commands each) run
//! concurrently, and prints the rates and the ratio to the sequential run.
//! The databases are kept when DIR is given.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use motcua_store::conformance::{
    cast, demo_catalogue, lifecycle_commands, new_request, open, request, t0, Cast, BIRTH,
};
use motcua_store::{CommandRequest, DossierStore, Intake, OpenDossier};
use motcua_store_sqlite::SqliteStore;

fn main() -> anyhow::Result<()> {
    let mut lifecycles_only = false;
    let mut positional = Vec::new();
    for a in std::env::args().skip(1) {
        if a == "--lifecycles-only" {
            lifecycles_only = true;
        } else {
            positional.push(a);
        }
    }
    let mut positional = positional.into_iter();
    let commands: usize = positional
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000);
    let given = positional.next().map(std::path::PathBuf::from);
    let dir = given.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("motcua-bench-{}", std::process::id()))
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(run(commands, &dir, lifecycles_only));
    if given.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

fn opening(unit: &str, name: &str) -> OpenDossier {
    open(Intake::Online, BIRTH, unit, unit, name)
}

fn fresh(dir: &std::path::Path, name: &str) -> anyhow::Result<Arc<SqliteStore>> {
    let path = dir.join(name).join("motcua.db");
    let _ = std::fs::remove_dir_all(path.parent().unwrap_or(dir));
    Ok(Arc::new(SqliteStore::open(&path)?))
}

/// CPU seconds used so far by each live thread of this process, by thread
/// id, with its name (Linux `/proc`; empty elsewhere).
fn thread_times() -> HashMap<String, (String, f64)> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return HashMap::new();
    };
    let ticks = 100.0;
    tasks
        .flatten()
        .filter_map(|t| {
            let name = std::fs::read_to_string(t.path().join("comm")).ok()?;
            let stat = std::fs::read_to_string(t.path().join("stat")).ok()?;
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            let tid = t.file_name().to_string_lossy().into_owned();
            Some((tid, (name.trim_end().to_string(), (utime + stime) / ticks)))
        })
        .collect()
}

/// CPU seconds spent between two snapshots by the threads whose name starts
/// with `prefix` (threads that ended in between are not counted).
fn cpu_between(
    before: &HashMap<String, (String, f64)>,
    after: &HashMap<String, (String, f64)>,
    prefix: &str,
) -> f64 {
    after
        .iter()
        .filter(|(_, (name, _))| name.starts_with(prefix))
        .map(|(tid, (_, t))| t - before.get(tid).map_or(0.0, |(_, b)| *b))
        .sum()
}

fn rate(n: usize, d: StdDuration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// Units to spread the opens over (a unit-day holds at most 9,999 codes).
fn unit_of(i: usize) -> String {
    format!("04.{:05}", 1000 + i / 5000)
}

async fn run(commands: usize, dir: &std::path::Path, lifecycles_only: bool) -> anyhow::Result<()> {
    let procedures = demo_catalogue().procedures().to_vec();
    let templates: Vec<OpenDossier> = (0..=commands / 5000)
        .map(|u| opening(&unit_of(u * 5000), "Nguyễn Văn An"))
        .collect();
    let citizen = cast("04.01000", "04.01000").citizen;
    let open_req = |i: usize| -> CommandRequest {
        new_request(
            templates[i / 5000].clone(),
            &citizen,
            t0() + Duration::milliseconds(i as i64),
        )
    };

    println!("SQLite group commit, WAL, synchronous=FULL, {commands} commands a run");
    if !lifecycles_only {
        let store = fresh(dir, "sequential")?;
        store.put_procedures(&procedures).await?;
        let started = Instant::now();
        for i in 0..commands {
            store
                .execute(open_req(i))
                .await?
                .map_err(anyhow::Error::new)?;
        }
        let sequential = started.elapsed();
        drop(store);

        let store = fresh(dir, "concurrent")?;
        store.put_procedures(&procedures).await?;
        let cpu = thread_times();
        let started = Instant::now();
        let tasks: Vec<_> = (0..commands)
            .map(|i| {
                let (store, r) = (store.clone(), open_req(i));
                tokio::spawn(async move { store.execute(r).await })
            })
            .collect();
        for t in tasks {
            t.await??.map_err(anyhow::Error::new)?;
        }
        let concurrent = started.elapsed();
        let concurrent_cpu = cpu_between(&cpu, &thread_times(), "motcua-sqlite-w");
        drop(store);
        println!(
            "  sequential opens:      {:>7.2} s {:>8.0} commands/s",
            sequential.as_secs_f64(),
            rate(commands, sequential)
        );
        println!(
            "  concurrent opens:      {:>7.2} s {:>8.0} commands/s ({:.1}x sequential; writer {:.1} µs CPU/command)",
            concurrent.as_secs_f64(),
            rate(commands, concurrent),
            sequential.as_secs_f64() / concurrent.as_secs_f64(),
            concurrent_cpu * 1e6 / commands as f64
        );
    }

    let lifecycles = commands / 8;
    let store = fresh(dir, "lifecycles")?;
    store.put_procedures(&procedures).await?;
    let cpu = thread_times();
    let started = Instant::now();
    let tasks: Vec<_> = (0..lifecycles)
        .map(|i| {
            let store = store.clone();
            let unit = unit_of(i);
            let open = templates[i / 5000].clone();
            let start = t0() + Duration::milliseconds(i as i64);
            tokio::spawn(
                async move { run_lifecycle(&store, open, &cast(&unit, &unit), start).await },
            )
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    let whole = started.elapsed();
    let after = thread_times();
    let whole_cpu = cpu_between(&cpu, &after, "motcua-sqlite-w");
    let process_cpu = cpu_between(&cpu, &after, "");

    println!(
        "  concurrent lifecycles: {:>7.2} s {:>8.0} lifecycles/s = {:.0} commands/s \
         ({lifecycles} x 8 commands)",
        whole.as_secs_f64(),
        rate(lifecycles, whole),
        rate(lifecycles * 8, whole)
    );
    if whole_cpu > 0.0 {
        println!(
            "  CPU per command in lifecycles: writer {:.1} µs (alone it bounds the rate \
             at {:.0} lifecycles/s), all threads {:.1} µs",
            whole_cpu * 1e6 / (lifecycles * 8) as f64,
            lifecycles as f64 / whole_cpu,
            process_cpu * 1e6 / (lifecycles * 8) as f64
        );
    }
    Ok(())
}

async fn run_lifecycle(
    store: &SqliteStore,
    open: OpenDossier,
    cast: &Cast,
    start: DateTime<Utc>,
) -> anyhow::Result<()> {
    let first = store
        .execute(new_request(open, &cast.citizen, start))
        .await?
        .map_err(anyhow::Error::new)?;
    let mut version = first.version;
    let mut now = start;
    for (command, actor) in lifecycle_commands(cast, start) {
        now += Duration::minutes(10);
        let a = store
            .execute(request(&first.code, Some(version), command, &actor, now))
            .await?
            .map_err(anyhow::Error::new)?;
        version = a.version;
    }
    anyhow::ensure!(version == 8, "lifecycle ended at version {version}");
    Ok(())
}
