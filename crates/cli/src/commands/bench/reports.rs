//! `motcua bench reports` (issue 5): do the dashboards stay instant as the
//! history grows? Ten million realistic dossiers of one province (see
//! [`super::reports_pool`]) are loaded in batches through
//! [`ReportStore::load_facts`]; at each step (1M, then 10M by default) the
//! three reports are timed on the rollup path, several times (median):
//!
//! * (a) the service index of Decision 766/QĐ-TTg of every commune of the
//!   province for 2026, and their ranking: competent-perspective rollups of
//!   the year → figures → [`score`] → [`rank`];
//! * (b) one commune's monthly dashboard: its rows for one month, figures
//!   of both perspectives and per procedure;
//! * (c) the province's bottleneck table for 2026, as the dashboard builds
//!   it: the step rows summed per province → [`BottleneckReport`] across
//!   units, the top step per procedure and per month; and each commune's
//!   top step ([`ReportStore::top_steps_by_unit`]: ranked on the totals the
//!   database sums, then only those procedures read whole);
//!
//! and the baselines, measured in the same run: (a) again from
//! [`ReportStore::scan_facts`] (one row per dossier), and (c) again from
//! every step row per unit (c0). Each pair must give the same result
//! (checked at every step).
//! Printed: the medians, the ratio rollup ÷ full scan, the growth from the
//! first to the last step, and PASS/FAIL of the 1 s target on SQLite.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use motcua_domain::dossier::UnitId;
use motcua_domain::procedure::{Catalogue, CompetentLevel, Procedure, ProcedureCode};
use motcua_domain::reports::{
    rank, score, BottleneckReport, CatalogueInputs, ExternalInputs, Figures, IndexConfig,
    IndexInputs, Month, Perspective, RankedUnit, Rollup, Rollups, StepRollups, StepStats,
    UnitIndex,
};
use motcua_store::{ReportStore, RollupQuery};

use super::reports_pool::{today, Pool, NOW, WINDOW_START};

/// The target of issue 5 on SQLite with 10M dossiers.
pub const TARGET: Duration = Duration::from_secs(1);
/// The province of the demo data (Cao Bằng).
const PROVINCE: &str = "04";
/// The year the index is computed for.
const YEAR: i32 = 2026;

#[derive(Debug, Clone)]
pub struct Options {
    /// Dossiers in total (the last step).
    pub dossiers: usize,
    /// Where to measure (dossiers loaded so far), ascending.
    pub steps: Vec<usize>,
    /// Dossiers generated through the engine for the pool.
    pub pool: usize,
    pub seed: u64,
    /// Dossiers per `load_facts` call.
    pub batch: usize,
    /// Repetitions of each rollup-path report (median).
    pub reps: usize,
    /// Repetitions of the full scan (median).
    pub scan_reps: usize,
}

impl Options {
    /// The steps, ascending, capped at `dossiers`, with `dossiers` last.
    pub fn steps(&self) -> Vec<usize> {
        let mut s: Vec<usize> = self
            .steps
            .iter()
            .copied()
            .filter(|n| *n > 0 && *n < self.dossiers)
            .collect();
        s.push(self.dossiers);
        s.sort_unstable();
        s.dedup();
        s
    }
}

/// What the reports need besides the rollups.
pub struct Context {
    config: IndexConfig,
    /// The communes of the province with their names.
    communes: Vec<(UnitId, String)>,
    /// Commune-level procedures in force on the report day.
    procedures: Vec<Procedure>,
    as_of: NaiveDate,
    /// The commune of the dashboard (the busiest ward) and its month.
    dashboard_unit: UnitId,
    dashboard_month: Month,
}

fn month(y: i32, m: u32) -> anyhow::Result<Month> {
    Month::new(y, m).ok_or_else(|| anyhow::anyhow!("invalid month {y}-{m}"))
}

impl Context {
    pub fn new() -> anyhow::Result<Self> {
        let catalogue = Catalogue::from_json(motcua_refdata::PROCEDURES_CAOBANG_JSON)?;
        let as_of = today();
        let procedures = catalogue
            .procedures()
            .iter()
            .filter(|p| p.level == CompetentLevel::Commune && p.in_force_on(as_of))
            .cloned()
            .collect();
        let communes: Vec<(UnitId, String)> = motcua_refdata::COMMUNES_2025
            .lines()
            .skip(1)
            .filter_map(|line| {
                let cols: Vec<&str> = line.split(',').collect();
                match cols.as_slice() {
                    [code, name, _, province, ..] if *province == PROVINCE => {
                        UnitId::parse(&format!("{province}.{code}"))
                            .ok()
                            .map(|u| (u, name.to_string()))
                    }
                    _ => None,
                }
            })
            .collect();
        let dashboard_unit = communes
            .first()
            .map(|(u, _)| u.clone())
            .ok_or_else(|| anyhow::anyhow!("no commune in province {PROVINCE}"))?;
        Ok(Context {
            config: IndexConfig::default_2026(),
            communes,
            procedures,
            as_of,
            dashboard_unit,
            dashboard_month: month(YEAR, 11)?,
        })
    }

    /// The query of (a) and (d): the province's competent rows of the year.
    pub fn year_query(&self) -> anyhow::Result<RollupQuery> {
        Ok(RollupQuery {
            province: Some(PROVINCE.to_string()),
            perspective: Some(Perspective::Competent),
            ..RollupQuery::months(month(YEAR, 1)?, month(YEAR, 12)?)
        })
    }

    /// The query of (c): the province's step rows of the year.
    pub fn steps_query(&self) -> anyhow::Result<RollupQuery> {
        Ok(RollupQuery {
            province: Some(PROVINCE.to_string()),
            ..RollupQuery::months(month(YEAR, 1)?, month(YEAR, 12)?)
        })
    }

    /// The months of (c)'s trend: the year's.
    pub fn months(&self) -> anyhow::Result<Vec<Month>> {
        (1..=12).map(|m| month(YEAR, m)).collect()
    }

    /// The query of (b): one commune, one month, both perspectives.
    pub fn dashboard_query(&self) -> RollupQuery {
        RollupQuery {
            units: Some(vec![self.dashboard_unit.clone()]),
            ..RollupQuery::months(self.dashboard_month, self.dashboard_month)
        }
    }

    /// (a) from the rows of [`Context::year_query`]: every commune's index
    /// and the ranking.
    pub fn index(&self, rollups: &Rollups) -> Vec<RankedUnit> {
        let mut by_unit: BTreeMap<UnitId, BTreeMap<ProcedureCode, Rollup>> = BTreeMap::new();
        for (k, r) in rollups.rows() {
            *by_unit
                .entry(k.unit.clone())
                .or_default()
                .entry(k.procedure.clone())
                .or_default() += r;
        }
        let empty = BTreeMap::new();
        let units: Vec<UnitIndex> = self
            .communes
            .iter()
            .map(|(unit, name)| {
                let by_procedure = by_unit.get(unit).unwrap_or(&empty);
                let total: Rollup = by_procedure.values().sum();
                let inputs = IndexInputs {
                    figures: total.figures(self.as_of),
                    catalogue: CatalogueInputs::from_catalogue(&self.procedures, by_procedure),
                    external: ExternalInputs::default(),
                };
                UnitIndex {
                    unit: unit.clone(),
                    name_vi: name.clone(),
                    report: score(&self.config, &inputs),
                }
            })
            .collect();
        rank(&units)
    }

    /// (b) from the rows of [`Context::dashboard_query`].
    pub fn dashboard(&self, rollups: &Rollups) -> Dashboard {
        let of = |p: Perspective| rollups.total(|k| k.perspective == p).figures(self.as_of);
        Dashboard {
            receiving: of(Perspective::Receiving),
            competent: of(Perspective::Competent),
            by_procedure: rollups
                .group_by(|k| {
                    (k.perspective == Perspective::Competent).then(|| k.procedure.clone())
                })
                .into_iter()
                .map(|(p, r)| (p, r.figures(self.as_of)))
                .collect(),
        }
    }
}

/// (b): a commune's month.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub receiving: Figures,
    pub competent: Figures,
    pub by_procedure: BTreeMap<ProcedureCode, Figures>,
}

/// (c): the province's bottleneck table across units, its top step per
/// procedure, the top step of each month, and each commune's top step.
#[derive(Debug, Clone, PartialEq)]
pub struct Bottleneck {
    pub across: BottleneckReport,
    pub by_month: Vec<Option<StepStats>>,
    pub top_by_unit: Vec<StepStats>,
}

impl Bottleneck {
    fn of(rows: &StepRollups, top_by_unit: Vec<StepStats>, months: &[Month]) -> Self {
        Bottleneck {
            across: BottleneckReport::across_units(rows, |_| true),
            by_month: months
                .iter()
                .map(|m| {
                    BottleneckReport::across_units(rows, |k| k.month == *m)
                        .top()
                        .cloned()
                })
                .collect(),
            top_by_unit,
        }
    }

    /// Rows of the table and top steps (what a page would show).
    pub fn size(&self) -> usize {
        self.across.rows.len()
            + self.across.top_by_procedure().len()
            + self.by_month.len()
            + self.top_by_unit.len()
    }

    pub fn top(&self) -> Option<String> {
        self.across
            .top()
            .map(|s| format!("{} step {} ({})", s.procedure, s.step, s.kind.as_str()))
    }
}

/// (c) as the dashboard computes it: the rows summed per province, and
/// the top step per unit ranked on the database's totals.
pub async fn bottleneck<S>(
    store: &S,
    q: &RollupQuery,
    months: &[Month],
) -> anyhow::Result<Bottleneck>
where
    S: ReportStore + Sync + ?Sized,
{
    let rows = store.province_step_rollups(q).await?;
    let tops = store.top_steps_by_unit(q, &|_| true).await?;
    Ok(Bottleneck::of(&rows, tops, months))
}

/// (c) from every row per unit (the path before the rows per province: its
/// baseline, and the reference the fast path must equal).
pub async fn bottleneck_from_unit_rows<S>(
    store: &S,
    q: &RollupQuery,
    months: &[Month],
) -> anyhow::Result<(Bottleneck, usize)>
where
    S: ReportStore + Sync + ?Sized,
{
    let rows = store.step_rollups(q).await?;
    let tops = BottleneckReport::per_unit(&rows, |_| true)
        .top_by_unit()
        .into_iter()
        .cloned()
        .collect();
    Ok((Bottleneck::of(&rows, tops, months), rows.rows().count()))
}

/// The figures measured at one step.
#[derive(Debug, Clone)]
pub struct StepFigures {
    pub dossiers: usize,
    /// Cumulative seconds generating instances and in `load_facts`.
    pub generate: Duration,
    pub load: Duration,
    pub index: Duration,
    pub dashboard: Duration,
    pub bottleneck: Duration,
    /// (c) from the rows per unit (baseline).
    pub bottleneck_unit_rows: Duration,
    pub scan: Duration,
    /// Rows read by (a) on the rollup path, and dossiers the scan folded.
    pub rollup_rows: usize,
    pub step_rows: usize,
    pub scanned_dossiers: u64,
    /// Rollups and ranking equal on both paths.
    pub agree: bool,
    pub top_step: Option<String>,
    pub first_ranked: Option<String>,
}

async fn median<T, F, Fut>(reps: usize, mut f: F) -> anyhow::Result<(Duration, T)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let mut times = Vec::with_capacity(reps.max(1));
    let mut last = None;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let v = f().await?;
        times.push(t.elapsed());
        last = Some(v);
    }
    times.sort_unstable();
    let v = last.ok_or_else(|| anyhow::anyhow!("no repetition"))?;
    Ok((times[times.len() / 2], v))
}

/// Loads the instances of `pool` into `store` and measures at each step.
pub async fn run_store<S>(
    store: &S,
    pool: &Pool,
    ctx: &Context,
    opts: &Options,
) -> anyhow::Result<Vec<StepFigures>>
where
    S: ReportStore + Sync + ?Sized,
{
    let mut instances = pool.instances(opts.seed);
    let (year, steps_q, dash_q) = (ctx.year_query()?, ctx.steps_query()?, ctx.dashboard_query());
    let mut loaded = 0usize;
    let (mut generate, mut load) = (Duration::ZERO, Duration::ZERO);
    let mut out = Vec::new();
    let mut next_report = opts.batch.max(1) * 10;
    for step in opts.steps() {
        while loaded < step {
            let n = opts.batch.max(1).min(step - loaded);
            let t = Instant::now();
            let batch = instances.batch(n)?;
            generate += t.elapsed();
            let t = Instant::now();
            store.load_facts(&batch.facts, &batch.steps).await?;
            load += t.elapsed();
            loaded += n;
            if loaded >= next_report {
                next_report += opts.batch.max(1) * 10;
                eprintln!(
                    "  loaded {loaded} dossiers ({:.0}/s)",
                    loaded as f64 / load.as_secs_f64().max(1e-9)
                );
            }
        }
        let (index, (rolled, ranking)) = median(opts.reps, || async {
            let r = store.rollups(&year).await?;
            let ranking = ctx.index(&r);
            Ok((r, ranking))
        })
        .await?;
        let (dashboard, _) = median(opts.reps, || async {
            let r = store.rollups(&dash_q).await?;
            Ok(ctx.dashboard(&r))
        })
        .await?;
        let months = ctx.months()?;
        let (bottleneck_t, fast) =
            median(opts.reps, || bottleneck(store, &steps_q, &months)).await?;
        let (bottleneck_unit_rows, (slow, step_rows)) = median(opts.scan_reps, || {
            bottleneck_from_unit_rows(store, &steps_q, &months)
        })
        .await?;
        let top_step = fast.top();
        let (scan, (scanned, scan_ranking)) = median(opts.scan_reps, || async {
            let r = store.scan_facts(&year).await?;
            let ranking = ctx.index(&r);
            Ok((r, ranking))
        })
        .await?;
        let scanned_dossiers = scanned
            .rows()
            .map(|(_, r)| r.dossiers.total().max(0) as u64)
            .sum();
        out.push(StepFigures {
            dossiers: loaded,
            generate,
            load,
            index,
            dashboard,
            bottleneck: bottleneck_t,
            bottleneck_unit_rows,
            scan,
            rollup_rows: rolled.len(),
            step_rows,
            scanned_dossiers,
            agree: rolled == scanned && ranking == scan_ranking && fast == slow && fast.size() > 0,
            top_step,
            first_ranked: ranking
                .first()
                .map(|r| format!("{} {} {:.2}", r.unit, r.name_vi, r.total)),
        });
        print_step(out.last());
    }
    Ok(out)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

fn print_step(f: Option<&StepFigures>) {
    let Some(f) = f else { return };
    println!(
        "  {:>11} dossiers: index {} | dashboard {} | bottleneck {} (from unit rows {}) | index by full scan {} | rollup/scan {:.5} ({:.0}× faster) | {} rollup rows, {} step rows per unit, {} dossiers scanned | agree: {}",
        f.dossiers,
        ms(f.index),
        ms(f.dashboard),
        ms(f.bottleneck),
        ms(f.bottleneck_unit_rows),
        ms(f.scan),
        ratio(f.index, f.scan),
        ratio(f.scan, f.index),
        f.rollup_rows,
        f.step_rows,
        f.scanned_dossiers,
        if f.agree { "yes" } else { "NO" },
    );
}

/// The summary of one backend's run; returns whether the target was met
/// (always true when `target` is None).
pub fn summarize(backend: &str, figures: &[StepFigures], target: Option<Duration>) -> bool {
    let (Some(first), Some(last)) = (figures.first(), figures.last()) else {
        return false;
    };
    println!("{backend}: summary");
    println!(
        "  load: {} dossiers in {:.1} s through load_facts ({:.0} dossiers/s), generation {:.1} s ({:.0}/s)",
        last.dossiers,
        last.load.as_secs_f64(),
        last.dossiers as f64 / last.load.as_secs_f64().max(1e-9),
        last.generate.as_secs_f64(),
        last.dossiers as f64 / last.generate.as_secs_f64().max(1e-9),
    );
    println!(
        "  | report | {} | {} | growth {}→{} |",
        first.dossiers, last.dossiers, first.dossiers, last.dossiers
    );
    type Get = fn(&StepFigures) -> Duration;
    let rows: [(&str, Get); 5] = [
        ("(a) 766 index, province, year (rollups)", |f| f.index),
        ("(b) commune monthly dashboard (rollups)", |f| f.dashboard),
        (
            "(c) bottleneck table, province, year (rows per province + totals)",
            |f| f.bottleneck,
        ),
        ("(c0) the same from every row per unit (baseline)", |f| {
            f.bottleneck_unit_rows
        }),
        ("(d) 766 index by full scan (baseline)", |f| f.scan),
    ];
    for (name, get) in rows {
        println!(
            "  | {name} | {} | {} | {:.2}× |",
            ms(get(first)),
            ms(get(last)),
            ratio(get(last), get(first))
        );
    }
    for f in figures {
        println!(
            "  rollup ÷ full scan at {} dossiers: {:.5} (the rollup path {:.0}× faster); bottleneck per province ÷ per unit rows: {:.4}",
            f.dossiers,
            ratio(f.index, f.scan),
            ratio(f.scan, f.index),
            ratio(f.bottleneck, f.bottleneck_unit_rows),
        );
    }
    if let Some(top) = &last.top_step {
        println!("  top step contributing to lateness: {top}");
    }
    if let Some(first) = &last.first_ranked {
        println!("  first in the ranking: {first}");
    }
    let agree = figures.iter().all(|f| f.agree);
    println!(
        "  rollup path and full scan agree at every step: {}",
        if agree { "yes" } else { "NO" }
    );
    let Some(target) = target else {
        return agree;
    };
    let worst = last.index.max(last.dashboard).max(last.bottleneck);
    let pass = worst < target && agree;
    println!(
        "  target: each report < {} s with {} dossiers: {} (slowest {})",
        target.as_secs(),
        last.dossiers,
        if pass { "PASS" } else { "FAIL" },
        ms(worst)
    );
    pass
}

fn temp_dir(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("motcua-bench-reports-{tag}-{}", std::process::id()))
}

/// Generates the pool (in a temporary directory, removed after).
pub async fn pool(opts: &Options) -> anyhow::Result<Pool> {
    let dir = temp_dir("pool");
    let t = Instant::now();
    let pool = Pool::generate(&dir, opts.pool, opts.seed).await;
    let _ = std::fs::remove_dir_all(&dir);
    let pool = pool?;
    println!(
        "pool: {} dossiers ({} events, {} in a final status) generated through the engine in {:.1} s; now = {NOW}, receipts from {WINDOW_START}",
        pool.entries.len(),
        pool.events,
        pool.settled(),
        t.elapsed().as_secs_f64()
    );
    Ok(pool)
}

pub async fn run_sqlite(pool: &Pool, opts: &Options) -> anyhow::Result<bool> {
    let dir = temp_dir("sqlite");
    let result = async {
        let store = motcua_store_sqlite::SqliteStore::open(&dir.join("reports.sqlite"))?;
        println!("SQLite ({})", dir.display());
        let ctx = Context::new()?;
        let figures = run_store(&store, pool, &ctx, opts).await?;
        let bytes = dir_size(&dir);
        println!("  database size: {:.1} MiB", bytes as f64 / 1048576.0);
        Ok::<_, anyhow::Error>(summarize("SQLite", &figures, Some(TARGET)))
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

pub async fn run_postgres(url: &str, pool: &Pool, opts: &Options) -> anyhow::Result<bool> {
    let schema = format!("motcua_bench_reports_{}", std::process::id());
    let result = async {
        let store = motcua_store_postgres::PgStore::connect(url, Some(&schema)).await?;
        println!("PostgreSQL (schema {schema})");
        let ctx = Context::new()?;
        let figures = run_store(&store, pool, &ctx, opts).await?;
        Ok::<_, anyhow::Error>(summarize("PostgreSQL", &figures, None))
    }
    .await;
    motcua_store_postgres::PgStore::drop_schema(url, &schema).await?;
    result
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The harness on SQLite with a small pool and a few thousand
    /// dossiers: the rollup path and the full scan give the same rollups,
    /// the same ranking and the same dashboard (not timed).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rollups_and_full_scan_agree_on_sqlite() -> anyhow::Result<()> {
        let opts = Options {
            dossiers: 3_000,
            steps: vec![1_000],
            pool: 200,
            seed: 7,
            batch: 400,
            reps: 1,
            scan_reps: 1,
        };
        let dir = tempfile::tempdir()?;
        let pool = Pool::generate(&dir.path().join("pool"), opts.pool, opts.seed).await?;
        assert!(pool.settled() > 0 && pool.settled() < pool.entries.len());
        let store = motcua_store_sqlite::SqliteStore::open(&dir.path().join("r.sqlite"))?;
        let ctx = Context::new()?;
        let figures = run_store(&store, &pool, &ctx, &opts).await?;
        assert_eq!(
            figures.iter().map(|f| f.dossiers).collect::<Vec<_>>(),
            vec![1_000, 3_000]
        );
        for f in &figures {
            assert!(f.agree, "rollups and full scan differ at {}", f.dossiers);
            assert!(f.rollup_rows > 0 && f.step_rows > 0);
        }

        // The same instances folded in memory give the stored rollups.
        let mut mem = Rollups::new();
        let mut instances = pool.instances(opts.seed);
        let batch = instances.batch(opts.dossiers)?;
        for f in &batch.facts {
            mem.add_dossier(f);
        }
        let year = ctx.year_query()?;
        let stored = store.rollups(&year).await?;
        let expected = mem.total(|k| year.matches(k));
        assert_eq!(stored.total(|_| true), expected);
        let dash = ctx.dashboard_query();
        assert_eq!(
            ctx.dashboard(&store.rollups(&dash).await?),
            ctx.dashboard(&store.scan_facts(&dash).await?)
        );
        let steps = store.step_rollups(&ctx.steps_query()?).await?;
        assert_eq!(
            steps.rows().count(),
            batch
                .steps
                .rows()
                .filter(|(k, _)| ctx.steps_query().is_ok_and(|q| q.matches_step(k)))
                .count()
        );
        Ok(())
    }
}
