//! The engine benchmark: N dossiers through the whole one-stop lifecycle
//! (submit → accept → transfer → assign → appraise → review → approve →
//! issue → return: 9 durable commands each, procedure 1.001776), C at a
//! time, through the same engine the server uses. The baseline, measured
//! in the same run on the same database with the same durability, is the
//! plainest loop: one row per committed INSERT, one after the other.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use motcua_domain::dossier::{
    Actor, Applicant, AppraisalOutcome, DossierCode, ReturnWay, Role, UnitId, UserId,
};
use motcua_domain::procedure::{AgencyRef, Catalogue, ProcedureCode};
use motcua_engine::{Action, Engine, Submission};
use motcua_store::blobs::FsBlobStore;
use motcua_store::{Intake, Store};

const PROCEDURE: &str = "1.001776";
const UNIT: &str = "04.01279";
const COMMANDS_PER_LIFECYCLE: usize = 9;

struct Figures {
    lifecycles: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

fn actor(role: Role, user: &str) -> anyhow::Result<Actor> {
    let unit = (role != Role::Applicant)
        .then(|| UnitId::parse(UNIT))
        .transpose()?;
    Ok(Actor::new(role, UserId::parse(user)?, unit))
}

async fn lifecycle(engine: &Engine, n: usize, lat: &mut Vec<Duration>) -> anyhow::Result<()> {
    // The real clock: appointments are computed from it like in service.
    let now = Utc::now();
    let ro = actor(Role::ReceivingOfficer, "ro")?;
    let submission = Submission {
        procedure: ProcedureCode::parse(PROCEDURE)?,
        intake: Intake::Counter,
        receiving_unit: UnitId::parse(UNIT)?,
        competent_unit: None,
        applicant: Applicant {
            name: format!("Người nộp {n}"),
            personal_id: None,
            user: None,
        },
        documents: vec![],
        contact: None,
        application_data: None,
    };
    let t = Instant::now();
    let applied = engine.submit(submission, ro.clone(), now, None).await?;
    lat.push(t.elapsed());
    let code: DossierCode = applied.code;
    let steps: [(Action, Actor); 8] = [
        (Action::Accept { pages_digitized: 2 }, ro.clone()),
        (
            Action::Transfer {
                to: AgencyRef::Competent,
            },
            ro.clone(),
        ),
        (
            Action::Assign {
                assignee: UserId::parse("cv1")?,
            },
            actor(Role::DepartmentHead, "tp")?,
        ),
        (
            Action::Appraise {
                outcome: AppraisalOutcome::Eligible,
            },
            actor(Role::Specialist, "cv1")?,
        ),
        (Action::ReviewOk, actor(Role::DepartmentHead, "tp")?),
        (Action::Approve, actor(Role::Leader, "ct")?),
        (
            Action::IssueResult {
                number: format!("{n}/QĐ"),
                register: "Sổ 2026".into(),
            },
            actor(Role::Clerical, "vt")?,
        ),
        (
            Action::ReturnResult {
                way: ReturnWay::Counter,
            },
            ro,
        ),
    ];
    for (action, who) in steps {
        let t = Instant::now();
        engine
            .act(&code, None, action, who, Utc::now(), None)
            .await
            .with_context(|| format!("dossier {code}"))?;
        lat.push(t.elapsed());
    }
    Ok(())
}

async fn run_engine(
    store: Arc<dyn Store>,
    blobs: &std::path::Path,
    dossiers: usize,
    concurrency: usize,
) -> anyhow::Result<Figures> {
    let catalogue = Catalogue::from_json(motcua_refdata::PROCEDURES_CAOBANG_JSON)?;
    store.put_procedures(catalogue.procedures()).await?;
    let engine = Engine::new(store, Arc::new(FsBlobStore::new(blobs)?))?;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let engine = engine.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= dossiers {
                    break;
                }
                lifecycle(&engine, n, &mut lat).await?;
            }
            anyhow::Ok(lat)
        }));
    }
    let mut latencies = Vec::with_capacity(dossiers * COMMANDS_PER_LIFECYCLE);
    for t in tasks {
        latencies.extend(t.await??);
    }
    Ok(Figures {
        lifecycles: dossiers,
        elapsed: start.elapsed(),
        latencies,
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(backend: &str, f: &mut Figures, bytes: u64, baseline_rows_per_s: f64) {
    f.latencies.sort_unstable();
    let secs = f.elapsed.as_secs_f64();
    let commands = f.latencies.len() as f64;
    let lifecycles_s = f.lifecycles as f64 / secs;
    let commands_s = commands / secs;
    println!("== engine on {backend}");
    println!(
        "  {} lifecycles ({} durable commands) in {:.2} s",
        f.lifecycles, commands as usize, secs
    );
    println!("  lifecycles/s: {lifecycles_s:.0}    commands/s: {commands_s:.0}");
    println!(
        "  command latency p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
        percentile(&f.latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&f.latencies, 0.99).as_secs_f64() * 1e3,
        percentile(&f.latencies, 1.0).as_secs_f64() * 1e3
    );
    println!(
        "  bytes stored per dossier: {}",
        bytes / f.lifecycles.max(1) as u64
    );
    println!(
        "  baseline (one committed INSERT per row, sequential): {baseline_rows_per_s:.0} rows/s"
    );
    println!(
        "  ratio commands/s ÷ baseline rows/s: {:.2}",
        commands_s / baseline_rows_per_s
    );
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("motcua-bench-{tag}-{}", std::process::id()))
}

pub async fn run_sqlite(dossiers: usize, concurrency: usize) -> anyhow::Result<()> {
    let dir = temp_dir("sqlite");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let baseline = tokio::task::spawn_blocking({
        let path = dir.join("baseline.db");
        let rows = (dossiers * COMMANDS_PER_LIFECYCLE).min(20_000);
        move || sqlite_baseline(&path, rows)
    })
    .await??;
    let db = dir.join("motcua.db");
    let store = Arc::new(motcua_store_sqlite::SqliteStore::open(&db)?);
    let mut f = run_engine(store.clone(), &dir.join("blobs"), dossiers, concurrency).await?;
    drop(store);
    let bytes: u64 = ["motcua.db", "motcua.db-wal"]
        .iter()
        .filter_map(|n| std::fs::metadata(dir.join(n)).ok())
        .map(|m| m.len())
        .sum();
    report("SQLite (WAL, synchronous=FULL)", &mut f, bytes, baseline);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// One row per transaction: the plainest durable loop.
fn sqlite_baseline(path: &std::path::Path, rows: usize) -> anyhow::Result<f64> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, dossier TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL);",
    )?;
    let body = "x".repeat(400);
    let mut stmt = conn.prepare("INSERT INTO rows (dossier, seq, body) VALUES (?1, ?2, ?3)")?;
    let start = Instant::now();
    for i in 0..rows {
        stmt.execute(rusqlite::params![
            format!("D{}", i / 9),
            (i % 9) as i64,
            body
        ])?;
    }
    Ok(rows as f64 / start.elapsed().as_secs_f64())
}

pub async fn run_postgres(url: &str, dossiers: usize, concurrency: usize) -> anyhow::Result<()> {
    let schema = format!("motcua_bench_{}", std::process::id());
    let baseline = postgres_baseline(url, (dossiers * COMMANDS_PER_LIFECYCLE).min(20_000)).await?;
    let store = motcua_store_postgres::PgStore::connect(url, Some(&schema)).await?;
    let pool = store.pool().clone();
    let dir = temp_dir("pg");
    let mut f = run_engine(Arc::new(store), &dir.join("blobs"), dossiers, concurrency).await?;
    let bytes: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname IN ('dossiers', 'dossier_events', 'dossier_sequences')",
    )
    .bind(&schema)
    .fetch_one(&pool)
    .await?;
    pool.close().await;
    report("PostgreSQL", &mut f, bytes.max(0) as u64, baseline);
    motcua_store_postgres::PgStore::drop_schema(url, &schema).await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

async fn postgres_baseline(url: &str, rows: usize) -> anyhow::Result<f64> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let table = format!("motcua_bench_baseline_{}", std::process::id());
    sqlx::query(&format!(
        "CREATE TABLE {table} (id BIGSERIAL PRIMARY KEY, dossier TEXT NOT NULL, seq INT NOT NULL, body TEXT NOT NULL)"
    ))
    .execute(&mut conn)
    .await?;
    let body = "x".repeat(400);
    let sql = format!("INSERT INTO {table} (dossier, seq, body) VALUES ($1, $2, $3)");
    let start = Instant::now();
    for i in 0..rows {
        sqlx::query(&sql)
            .bind(format!("D{}", i / 9))
            .bind((i % 9) as i32)
            .bind(&body)
            .execute(&mut conn)
            .await?;
    }
    let rate = rows as f64 / start.elapsed().as_secs_f64();
    sqlx::query(&format!("DROP TABLE {table}"))
        .execute(&mut conn)
        .await?;
    Ok(rate)
}
