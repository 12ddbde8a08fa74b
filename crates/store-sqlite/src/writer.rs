//! Group commit: every write goes through one thread that owns the writer
//! connection. It takes whatever jobs are queued (up to [`MAX_BATCH`]),
//! opens one `BEGIN IMMEDIATE` transaction, runs each job inside its own
//! `SAVEPOINT` (a job that fails or is refused is rolled back to its
//! savepoint alone, so every job stays atomic), commits once — one WAL
//! fsync for the whole batch under `synchronous=FULL` — and only then
//! answers the jobs. If the batch fails (the commit, or SQLite abandoning
//! the transaction), every job of it gets the storage error, refusals
//! included: nothing of the batch survives, and a refusal may have rested
//! on an earlier job's changes.
//!
//! The report rollup deltas of the kept jobs are summed in memory and
//! written once per batch, just before `COMMIT` ([`crate::reports::flush`]):
//! a failure there fails the batch like a failed commit.
//!
//! Two helper threads keep work off the writer: one delivers the answers
//! (waking the callers), one checkpoints the WAL into the database after
//! commits (`PASSIVE`, concurrently with the writer). The writer's own
//! automatic checkpoint stays on, with a higher threshold, as a backstop
//! that bounds the WAL under sustained load.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::time::Duration;

use motcua_store::{StoreError, StoreResult};
use rusqlite::Connection;
use tokio::sync::oneshot;

/// The most jobs one transaction carries.
pub(crate) const MAX_BATCH: usize = 256;

/// WAL pages after which the writer checkpoints by itself (the backstop;
/// the checkpoint thread normally keeps the WAL well below it).
pub(crate) const WRITER_AUTOCHECKPOINT: u32 = 8192;

/// Least time between two checkpoints of the checkpoint thread.
const CHECKPOINT_PAUSE: Duration = Duration::from_millis(20);

/// A unit of work run by the writer thread.
pub(crate) trait Job: Send {
    /// Runs inside the batch transaction, in the job's own savepoint.
    /// Returns whether its changes are kept.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the batch is over: `Ok` when it committed,
    /// otherwise why not.
    fn finish(self: Box<Self>, batch: Result<(), &str>);
    /// Whether the job runs alone in its transaction, without a savepoint
    /// (a bulk job: under an open savepoint SQLite keeps the original of
    /// every page the job changes in the in-memory sub-journal, and each
    /// statement's end walks that journal, so a job writing millions of
    /// rows would slow down quadratically).
    fn solo(&self) -> bool {
        false
    }
}

/// A closure job: its changes are kept when it returns `Ok(v)` with
/// `keep(&v)`.
pub(crate) struct WriteJob<T, F> {
    f: Option<F>,
    keep: fn(&T) -> bool,
    solo: bool,
    out: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T, F> WriteJob<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
{
    pub(crate) fn boxed(
        f: F,
        keep: fn(&T) -> bool,
        solo: bool,
    ) -> (Box<dyn Job>, oneshot::Receiver<StoreResult<T>>) {
        let (reply, rx) = oneshot::channel();
        let job = WriteJob {
            f: Some(f),
            keep,
            solo,
            out: None,
            reply,
        };
        (Box::new(job), rx)
    }
}

impl<T, F> Job for WriteJob<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(f) = self.f.take() else {
            return false;
        };
        let out = f(conn);
        let keep = matches!(&out, Ok(v) if (self.keep)(v));
        self.out = Some(out);
        keep
    }

    fn finish(self: Box<Self>, batch: Result<(), &str>) {
        let answer = match (self.out, batch) {
            (None, Err(why)) => Err(other(format!("write not done: {why}"))),
            (None, Ok(())) => Err(other("the write job panicked".to_string())),
            (Some(out), Ok(())) => out,
            // Even a refusal is withdrawn: it may have been decided on the
            // changes of an earlier job of the batch, which are gone.
            (Some(_), Err(why)) => Err(other(format!("commit failed: {why}"))),
        };
        let _ = self.reply.send(answer);
    }

    fn solo(&self) -> bool {
        self.solo
    }
}

fn other(msg: String) -> StoreError {
    StoreError::Other(anyhow::anyhow!(msg))
}

/// A finished batch: its jobs and how the batch ended.
type Answers = (Vec<Box<dyn Job>>, Result<(), String>);

/// Starts the writer thread on `conn`, and the checkpoint thread on
/// `checkpointer`; they end when every sender is dropped. Answers are
/// delivered by a third thread, so waking the callers does not hold up the
/// next batch.
pub(crate) fn spawn(
    conn: Connection,
    checkpointer: Connection,
) -> std::io::Result<mpsc::Sender<Box<dyn Job>>> {
    let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
    let (answers_tx, answers_rx) = mpsc::channel::<Answers>();
    let (checkpoint_tx, checkpoint_rx) = mpsc::sync_channel::<()>(1);
    std::thread::Builder::new()
        .name("motcua-sqlite-checkpoint".into())
        .spawn(move || {
            while checkpoint_rx.recv().is_ok() {
                if let Err(e) =
                    checkpointer.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                {
                    tracing::warn!(error = %e, "SQLite: WAL checkpoint failed");
                }
                std::thread::sleep(CHECKPOINT_PAUSE);
            }
        })?;
    std::thread::Builder::new()
        .name("motcua-sqlite-answers".into())
        .spawn(move || {
            for (jobs, outcome) in answers_rx {
                let outcome = outcome.as_ref().map(|_| ()).map_err(String::as_str);
                for job in jobs {
                    job.finish(outcome);
                }
            }
        })?;
    std::thread::Builder::new()
        .name("motcua-sqlite-writer".into())
        .spawn(move || writer_loop(conn, rx, answers_tx, checkpoint_tx))?;
    Ok(tx)
}

fn writer_loop(
    conn: Connection,
    rx: mpsc::Receiver<Box<dyn Job>>,
    answers: mpsc::Sender<Answers>,
    checkpoint: mpsc::SyncSender<()>,
) {
    let mut carried: Option<Box<dyn Job>> = None;
    loop {
        let first = match carried.take() {
            Some(job) => job,
            None => match rx.recv() {
                Ok(job) => job,
                Err(_) => break,
            },
        };
        let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
        let solo = first.solo();
        batch.push(first);
        while !solo && batch.len() < MAX_BATCH {
            match rx.try_recv() {
                // A solo job waits for the next transaction.
                Ok(job) if job.solo() => {
                    carried = Some(job);
                    break;
                }
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let done = run_batch(&conn, batch, solo);
        if done.1.is_ok() {
            let _ = checkpoint.try_send(());
        }
        if let Err(mpsc::SendError((jobs, outcome))) = answers.send(done) {
            let outcome = outcome.as_ref().map(|_| ()).map_err(String::as_str);
            for job in jobs {
                job.finish(outcome);
            }
        }
    }
    tracing::debug!("SQLite writer stopped");
}

fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// Runs one batch in one transaction and returns the jobs to answer with
/// the batch's outcome (jobs not run when the batch broke are answered
/// with its error). A `solo` batch is one job without a savepoint: the
/// whole transaction is rolled back if it is not kept.
fn run_batch(conn: &Connection, batch: Vec<Box<dyn Job>>, solo: bool) -> Answers {
    let size = batch.len();
    if let Err(e) = exec(conn, "BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "SQLite: cannot begin a write transaction");
        return (batch, Err(e.to_string()));
    }
    crate::reports::batch_started();
    let mut done: Vec<Box<dyn Job>> = Vec::with_capacity(size);
    let mut pending = batch.into_iter();
    let mut broken: Option<String> = None;
    if solo {
        if let Some(mut job) = pending.next() {
            let keep =
                std::panic::catch_unwind(AssertUnwindSafe(|| job.run(conn))).unwrap_or(false);
            crate::reports::job_ended(keep);
            done.push(job);
            if !keep {
                broken = Some("the job was not kept".to_string());
            }
        }
    }
    for mut job in pending.by_ref() {
        if let Err(e) = exec(conn, "SAVEPOINT job") {
            broken = Some(e.to_string());
            done.push(job);
            break;
        }
        let keep = std::panic::catch_unwind(AssertUnwindSafe(|| job.run(conn))).unwrap_or(false);
        crate::reports::job_ended(keep);
        let closed = if keep {
            exec(conn, "RELEASE job")
        } else {
            exec(conn, "ROLLBACK TO job").and_then(|()| exec(conn, "RELEASE job"))
        };
        done.push(job);
        if let Err(e) = closed {
            broken = Some(e.to_string());
            break;
        }
        if conn.is_autocommit() {
            broken = Some("the transaction was rolled back by SQLite".to_string());
            break;
        }
    }
    let outcome = match broken {
        Some(why) => Err(why),
        None => crate::reports::flush(conn)
            .map_err(|e| format!("writing the report rollups: {e}"))
            .and_then(|()| exec(conn, "COMMIT").map_err(|e| e.to_string())),
    };
    match &outcome {
        Ok(()) => tracing::trace!(jobs = size, "SQLite group commit"),
        Err(why) => {
            tracing::error!(jobs = size, error = %why, "SQLite batch failed; rolled back");
            if !conn.is_autocommit() {
                if let Err(e) = conn.execute_batch("ROLLBACK") {
                    tracing::error!(error = %e, "SQLite: rollback failed");
                }
            }
        }
    }
    done.extend(pending);
    (done, outcome)
}

#[cfg(test)]
mod tests {
    use motcua_store::StoreError;
    use rusqlite::params;

    use crate::{db_err, test_store};

    /// Jobs sent together share transactions; a failing job is rolled back
    /// to its own savepoint and the others are kept.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_job_is_rolled_back_alone() {
        let (store, fixture) = test_store();
        let jobs = (0..200).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .write(move |c| {
                        c.execute(
                            "INSERT INTO meta (key, value) VALUES (?1, 'x')",
                            params![format!("job-{i}")],
                        )
                        .map_err(db_err)?;
                        if i % 3 == 0 {
                            return Err(StoreError::Conflict(format!("job {i} refuses")));
                        }
                        Ok(i)
                    })
                    .await
            })
        });
        let mut kept = 0;
        for (i, job) in jobs.collect::<Vec<_>>().into_iter().enumerate() {
            match job.await.expect("task") {
                Ok(n) => {
                    assert_eq!(n, i);
                    kept += 1;
                }
                Err(StoreError::Conflict(_)) => assert_eq!(i % 3, 0),
                Err(e) => panic!("job {i}: {e:?}"),
            }
        }
        let stored: Vec<String> = store
            .read(|c| {
                let mut stmt = c
                    .prepare("SELECT key FROM meta WHERE key LIKE 'job-%' ORDER BY key")
                    .map_err(db_err)?;
                let rows = stmt
                    .query_map([], |r| r.get::<_, String>(0))
                    .map_err(db_err)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
            })
            .await
            .expect("read");
        assert_eq!(stored.len(), kept);
        assert!(stored.iter().all(|k| k
            .trim_start_matches("job-")
            .parse::<usize>()
            .is_ok_and(|i| i % 3 != 0)));
        drop(store);
        fixture.finish().await;
    }

    /// A solo (bulk) job sent among ordinary jobs runs in a transaction of
    /// its own: when it fails, all of its rows are gone and the ordinary
    /// jobs around it are kept; when it succeeds, all of its rows stay.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_solo_job_is_atomic_and_alone() {
        let (store, fixture) = test_store();
        let insert = |c: &rusqlite::Connection, key: String| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES (?1, 'x')",
                params![key],
            )
            .map(|_| ())
            .map_err(db_err)
        };
        let mut tasks = Vec::new();
        for i in 0..60 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                match i % 20 {
                    // A bulk job that fails after writing 500 rows.
                    7 => store
                        .write_solo(move |c| {
                            for n in 0..500 {
                                insert(c, format!("bulk-bad-{i}-{n}"))?;
                            }
                            Err::<(), _>(StoreError::Conflict("bulk refused".to_string()))
                        })
                        .await
                        .is_ok(),
                    13 => store
                        .write_solo(move |c| {
                            for n in 0..500 {
                                insert(c, format!("bulk-ok-{i}-{n}"))?;
                            }
                            Ok(())
                        })
                        .await
                        .is_ok(),
                    _ => store
                        .write(move |c| insert(c, format!("job-{i}")))
                        .await
                        .is_ok(),
                }
            }));
        }
        let mut oks = Vec::new();
        for t in tasks {
            oks.push(t.await.expect("task"));
        }
        assert_eq!(
            oks.iter().filter(|ok| !**ok).count(),
            3,
            "only the failing bulk jobs fail"
        );
        let count = |like: &'static str| {
            let store = store.clone();
            async move {
                store
                    .read(move |c| {
                        c.query_row("SELECT COUNT(*) FROM meta WHERE key LIKE ?1", [like], |r| {
                            r.get::<_, i64>(0)
                        })
                        .map_err(db_err)
                    })
                    .await
                    .expect("count")
            }
        };
        assert_eq!(count("bulk-bad-%").await, 0);
        assert_eq!(count("bulk-ok-%").await, 1500);
        assert_eq!(count("job-%").await, 54);
        drop(store);
        fixture.finish().await;
    }

    /// The rollup deltas of a job that is rolled back never reach the
    /// batch's sum; those of the kept jobs of the batch all do.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rollup_deltas_of_a_failed_job_are_dropped() {
        use motcua_domain::reports::{Month, Perspective, Rollup, RollupKey};
        use motcua_store::report_support::ReportDelta;
        use motcua_store::{ReportStore, RollupQuery};

        let (store, fixture) = test_store();
        let month = Month::new(2025, 7).expect("month");
        let key = RollupKey {
            unit: motcua_domain::dossier::UnitId::parse("04.01273").expect("unit"),
            perspective: Perspective::Receiving,
            procedure: motcua_domain::procedure::ProcedureCode::parse("1.001193")
                .expect("procedure"),
            month,
        };
        let mut one = Rollup::default();
        one.dossiers.online = 1;
        let jobs = (0..60).map(|i| {
            let store = store.clone();
            let delta = ReportDelta {
                rollups: vec![(key.clone(), one.clone())],
                ..ReportDelta::default()
            };
            tokio::spawn(async move {
                store
                    .write(move |c| {
                        crate::reports::write_delta(c, &delta)?;
                        if i % 3 == 0 {
                            return Err(StoreError::Conflict(format!("job {i} refuses")));
                        }
                        Ok(())
                    })
                    .await
            })
        });
        let mut kept = 0;
        for job in jobs.collect::<Vec<_>>() {
            if job.await.expect("task").is_ok() {
                kept += 1;
            }
        }
        assert_eq!(kept, 40);
        let rollups = store
            .rollups(&RollupQuery::months(month, month))
            .await
            .expect("rollups");
        assert_eq!(rollups.get(&key).map(|r| r.dossiers.online), Some(kept));
        drop(store);
        fixture.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_job_fails_alone() {
        let (store, fixture) = test_store();
        let panicking = store.write(|_| -> motcua_store::StoreResult<()> {
            panic!("a bug in a job");
        });
        let fine = store.write(|c| {
            c.execute("INSERT INTO meta (key, value) VALUES ('after', 'ok')", [])
                .map_err(db_err)
        });
        let (p, f) = tokio::join!(panicking, fine);
        assert!(matches!(p, Err(StoreError::Other(_))));
        assert_eq!(f.expect("the next job runs"), 1);
        drop(store);
        fixture.finish().await;
    }
}
