//! The crash campaign: a real `paysync daemon` works a queue of self-test jobs (whose side effect is
//! recorded by an idempotent counter) and is killed with SIGKILL at random moments, then restarted.
//! Afterwards every job must have exactly one successful completion, none may be lost or stuck in
//! `running`, and the DLQ must hold exactly the jobs made to fail.
//!
//! Sizes are parameters: `PAYSYNC_CRASH_JOBS` (default 2,000), `PAYSYNC_CRASH_ROUNDS` (default 20),
//! `PAYSYNC_CRASH_SEED` (default 20261121).

use std::collections::{BTreeMap, HashSet};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use paysync_tests::{env_count, paysync, run, run_json, start_daemon, write_fast_config};
use rand::{Rng, SeedableRng};
use sqlx::Row;

fn spawn_daemon(dir: &std::path::Path) -> Child {
    paysync(dir)
        .arg("daemon")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start paysync daemon: {e}"))
}

fn signal(child: &Child, sig: Signal) {
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
    kill(pid, sig).unwrap_or_else(|e| panic!("could not send {sig} to the daemon: {e}"));
}

fn unfinished(dir: &std::path::Path) -> u64 {
    let s = run_json(dir, &["status"]);
    let q = &s["queue"];
    ["pending", "running", "in_doubt"]
        .iter()
        .map(|k| q[k].as_u64().unwrap_or(u64::MAX))
        .sum()
}

#[test]
fn sigkilled_daemon_completes_every_job_exactly_once() {
    let jobs = env_count("PAYSYNC_CRASH_JOBS", 2_000);
    let rounds = env_count("PAYSYNC_CRASH_ROUNDS", 20);
    let seed = env_count("PAYSYNC_CRASH_SEED", 20_261_121);
    let fail_terminal = jobs / 50;
    let fail_retriable = jobs / 100;
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("data");
    write_fast_config(&dir, 2);
    assert!(run(&dir, &["init"]).status.success());
    let enq = run_json(
        &dir,
        &[
            "selftest",
            "enqueue",
            "--batch",
            "crash",
            "--jobs",
            &jobs.to_string(),
            "--fail-terminal",
            &fail_terminal.to_string(),
            "--fail-retriable",
            &fail_retriable.to_string(),
            "--work-ms",
            "5",
        ],
    );
    assert_eq!(enq["created"].as_u64(), Some(jobs));

    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    for round in 0..rounds {
        let mut child = spawn_daemon(&dir);
        // Kill anywhere from start-up (mid-migration, mid-reclaim) to well into the work.
        std::thread::sleep(Duration::from_millis(rng.random_range(30..700)));
        signal(&child, Signal::SIGKILL);
        let status = child.wait().unwrap_or_else(|e| panic!("wait: {e}"));
        assert!(
            !status.success(),
            "round {round}: the daemon should have died from SIGKILL"
        );
    }

    // Let the last daemon finish the queue, then stop it gracefully.
    let mut child = start_daemon(&dir);
    let deadline = Instant::now() + Duration::from_secs(180);
    while unfinished(&dir) > 0 {
        assert!(
            Instant::now() < deadline,
            "the queue did not drain within 180 s after the crash rounds"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    signal(&child, Signal::SIGTERM);
    let status = child.wait().unwrap_or_else(|e| panic!("wait: {e}"));
    assert!(status.success(), "graceful shutdown failed: {status:?}");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("rt: {e}"));
    rt.block_on(check_outcome(&dir, jobs, fail_terminal + fail_retriable));

    let verify = run(&dir, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "audit verify: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
    let ledger = run_json(&dir, &["selftest", "report"]);
    eprintln!(
        "crash campaign: {jobs} jobs, {rounds} SIGKILLs, seed {seed}: {} executions, {} re-executions absorbed",
        ledger["executions"], ledger["duplicates_absorbed"]
    );
}

async fn check_outcome(dir: &std::path::Path, jobs: u64, failing: u64) {
    let url = format!("sqlite://{}?mode=ro", dir.join("paysync.db").display());
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("open {url}: {e}"));
    let rows = sqlx::query(
        "SELECT j.id, j.idempotency_key, j.status, json_extract(j.payload, '$.fail') AS fail, \
         (SELECT COUNT(*) FROM job_attempts a WHERE a.job_id = j.id AND a.outcome = 'succeeded') AS ok \
         FROM jobs j WHERE j.kind = 'selftest.count'",
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_else(|e| panic!("query jobs: {e}"));
    assert_eq!(rows.len() as u64, jobs, "every enqueued job is still there");

    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    let mut should_fail = HashSet::new();
    let mut should_succeed_keys = HashSet::new();
    for r in &rows {
        let id: i64 = r.get("id");
        let key: String = r.get("idempotency_key");
        let status: String = r.get("status");
        let fail: Option<String> = r.get("fail");
        let ok: i64 = r.get("ok");
        *by_status.entry(status.clone()).or_default() += 1;
        if fail.is_some() {
            should_fail.insert(id);
            assert_eq!((status.as_str(), ok), ("dead", 0), "job {id} was made to fail");
        } else {
            should_succeed_keys.insert(key);
            assert_eq!(
                (status.as_str(), ok),
                ("succeeded", 1),
                "job {id} must complete exactly once"
            );
        }
    }
    assert_eq!(should_fail.len() as u64, failing);
    eprintln!("crash campaign: jobs by status {by_status:?}");

    let open: Vec<i64> = sqlx::query_scalar("SELECT job_id FROM dead_letters WHERE status = 'open'")
        .fetch_all(&pool)
        .await
        .unwrap_or_else(|e| panic!("query dead letters: {e}"));
    let open_set: HashSet<i64> = open.iter().copied().collect();
    assert_eq!(open.len(), open_set.len(), "one open DLQ entry per job");
    assert_eq!(
        open_set, should_fail,
        "the DLQ holds exactly the jobs made to fail"
    );

    let running: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'running'")
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|e| panic!("query running: {e}"));
    assert_eq!(running, 0, "no job is left running");

    let ledger = std::fs::read_to_string(dir.join("selftest-ledger.log")).unwrap_or_default();
    let applied: HashSet<String> = ledger
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    assert_eq!(
        applied, should_succeed_keys,
        "the idempotent counter saw each succeeding job, and only those"
    );
    pool.close().await;
}
