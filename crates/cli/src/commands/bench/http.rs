//! `motcua bench http`: the real application in this process on
//! 127.0.0.1:0 (SQLite, the demo data), driven over loopback by a bounded
//! number of keep-alive connections for a fixed time per endpoint. The
//! trivial health endpoint is the baseline; the tracking page and the
//! procedure search are reported as a ratio of its throughput.
//!
//! The client is a minimal HTTP/1.1 one over tokio (GET, keep-alive,
//! `Content-Length` or chunked bodies), so that the load costs as little
//! as possible and the command needs no other tool.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// What one endpoint did under load.
pub struct Measure {
    pub label: String,
    pub path: String,
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub bytes: u64,
}

impl Measure {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }
}

struct Conn {
    r: BufReader<TcpStream>,
}

impl Conn {
    async fn open(addr: std::net::SocketAddr) -> anyhow::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn {
            r: BufReader::new(s),
        })
    }

    /// One GET; returns (status, body bytes).
    async fn get(&mut self, request: &[u8]) -> anyhow::Result<(u16, u64)> {
        self.r.get_mut().write_all(request).await?;
        let mut line = String::new();
        if self.r.read_line(&mut line).await? == 0 {
            bail!("connection closed");
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("a status line")?;
        let mut length: Option<u64> = None;
        let mut chunked = false;
        loop {
            line.clear();
            if self.r.read_line(&mut line).await? == 0 {
                bail!("connection closed in the headers");
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let k = k.trim().to_ascii_lowercase();
                if k == "content-length" {
                    length = v.trim().parse().ok();
                } else if k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked") {
                    chunked = true;
                }
            }
        }
        let mut total = 0u64;
        if chunked {
            loop {
                line.clear();
                self.r.read_line(&mut line).await?;
                let size = u64::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)
                    .context("a chunk size")?;
                let mut skip = (&mut self.r).take(size + 2);
                tokio::io::copy(&mut skip, &mut tokio::io::sink()).await?;
                total += size;
                if size == 0 {
                    break;
                }
            }
        } else {
            let n = length.unwrap_or(0);
            let mut body = (&mut self.r).take(n);
            tokio::io::copy(&mut body, &mut tokio::io::sink()).await?;
            total = n;
        }
        Ok((status, total))
    }
}

/// Drives `path` with `connections` keep-alive connections for `duration`
/// (after a short warm-up).
pub async fn measure(
    addr: std::net::SocketAddr,
    label: &str,
    path: &str,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Measure> {
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: motcua-bench\r\n\r\n")
            .into_bytes();
    let request = std::sync::Arc::new(request);
    let warmup = Duration::from_millis(500);
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + duration;
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat: Vec<u32> = Vec::with_capacity(4096);
            let mut errors = 0u64;
            let mut bytes = 0u64;
            let mut conn = Conn::open(addr).await.ok();
            loop {
                let t0 = Instant::now();
                if t0 >= end {
                    break;
                }
                let c = match conn.as_mut() {
                    Some(c) => c,
                    None => {
                        conn = Conn::open(addr).await.ok();
                        errors += 1;
                        continue;
                    }
                };
                match c.get(&request).await {
                    Ok((status, n)) => {
                        if t0 >= measure_from {
                            if status == 200 {
                                lat.push(t0.elapsed().as_micros().min(u32::MAX as u128) as u32);
                                bytes += n;
                            } else {
                                errors += 1;
                            }
                        }
                    }
                    Err(_) => {
                        errors += 1;
                        conn = None;
                    }
                }
            }
            (lat, errors, bytes)
        }));
    }
    let mut all: Vec<u32> = Vec::new();
    let mut errors = 0;
    let mut bytes = 0;
    for t in tasks {
        let (lat, e, b) = t.await?;
        all.extend(lat);
        errors += e;
        bytes += b;
    }
    all.sort_unstable();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return f64::NAN;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[i] as f64 / 1000.0
    };
    Ok(Measure {
        label: label.to_string(),
        path: path.to_string(),
        requests: all.len() as u64,
        errors,
        seconds: duration.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        bytes,
    })
}

/// Starts the application with the demo data and measures the endpoints.
pub async fn run(connections: usize, seconds: u64) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("motcua-bench-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = motcua_store_sqlite::SqliteStore::open(&dir.join("bench.db"))
        .context("opening the SQLite database")?;
    let store: std::sync::Arc<dyn motcua_store::Store> = std::sync::Arc::new(store);
    let state = motcua_server::bootstrap::prepare(store, &dir.join("blobs")).await?;
    motcua_server::bootstrap::ensure_demo_accounts(&*state.store).await?;
    let report = motcua_engine::demo::load_demo(
        &state.engine,
        &[],
        chrono::Utc::now(),
        motcua_engine::demo::DEFAULT_DEMO_SEED,
    )
    .await
    .context("loading the demo data")?;
    let code = state
        .store
        .search(&motcua_store::DossierFilter::default())
        .await?
        .first()
        .map(|d| d.code.to_string())
        .context("a demo dossier")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(motcua_server::serve(listener, state));
    println!(
        "motcua bench http — {} dossiers of demo data, SQLite, {connections} connections, {seconds} s per endpoint, http://{addr}",
        report.dossiers
    );
    let duration = Duration::from_secs(seconds);
    let endpoints = [
        ("health", "/api/health".to_string()),
        ("tracking", format!("/tra-cuu/{code}")),
        ("search", "/thu-tuc?q=khai%20sinh".to_string()),
    ];
    let mut results = Vec::new();
    for (label, path) in &endpoints {
        results.push(measure(addr, label, path, connections, duration).await?);
    }
    let base = results.first().map_or(1.0, Measure::rps);
    println!(
        "{:<10} {:>10} {:>9} {:>9} {:>8} {:>8} {:>9}  path",
        "endpoint", "req/s", "p50 ms", "p99 ms", "ratio", "errors", "KB/resp"
    );
    for m in &results {
        println!(
            "{:<10} {:>10.0} {:>9.2} {:>9.2} {:>7.0}% {:>8} {:>9.1}  {}",
            m.label,
            m.rps(),
            m.p50_ms,
            m.p99_ms,
            100.0 * m.rps() / base,
            m.errors,
            m.bytes as f64 / m.requests.max(1) as f64 / 1024.0,
            m.path
        );
    }
    if let Some(t) = results.get(1) {
        let ok = t.rps() >= 0.5 * base && t.p99_ms < 50.0;
        println!(
            "target (tracking ≥ 50% of health, p99 < 50 ms): {}",
            if ok { "met" } else { "NOT met" }
        );
    }
    server.abort();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
