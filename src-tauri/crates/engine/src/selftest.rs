//! The queue self-test: a job kind whose only side effect is one line in an append-only ledger
//! file, keyed by the job's idempotency key. Operators use it to prove a deployment's queue works
//! end to end (`paysync selftest`), and the crash tests use the ledger as their oracle: a key may
//! appear more than once after a crash (at-least-once execution), but the counter it feeds is
//! idempotent, so each key counts once.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use paysync_store::{Job, NewJob};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::classify::RetrySafety;
use crate::handler::{JobContext, JobError, JobHandler};

/// The self-test job kind.
pub const KIND: &str = "selftest.count";

/// How a self-test job should behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelftestFailure {
    /// Fail with a terminal error: straight to the DLQ.
    Terminal,
    /// Fail with a retriable error every time: DLQ once attempts run out.
    Retriable,
}

/// A self-test job's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelftestPayload {
    /// Milliseconds of simulated work after the side effect, widening the crash window.
    #[serde(default)]
    pub work_ms: u64,
    /// Make the job fail.
    #[serde(default)]
    pub fail: Option<SelftestFailure>,
}

/// What to enqueue.
#[derive(Debug, Clone)]
pub struct SelftestPlan {
    /// A name that makes this batch's idempotency keys unique.
    pub batch: String,
    /// Jobs in total.
    pub jobs: u32,
    /// How many of them fail terminally.
    pub fail_terminal: u32,
    /// How many fail retriably until their attempts run out.
    pub fail_retriable: u32,
    /// Simulated work per job.
    pub work_ms: u64,
    /// Attempts for jobs that should succeed.
    pub max_attempts: u32,
}

impl SelftestPlan {
    /// The jobs of this plan; the failing ones are spread evenly through the batch.
    pub fn jobs(&self, now: chrono::DateTime<chrono::Utc>) -> Vec<NewJob> {
        let failing = self.fail_terminal + self.fail_retriable;
        let stride = self.jobs.checked_div(failing).map_or(u32::MAX, |s| s.max(1));
        let mut made_to_fail = 0;
        (0..self.jobs)
            .map(|i| {
                let fail = if i % stride == 0 && made_to_fail < failing {
                    made_to_fail += 1;
                    Some(if made_to_fail <= self.fail_terminal {
                        SelftestFailure::Terminal
                    } else {
                        SelftestFailure::Retriable
                    })
                } else {
                    None
                };
                let payload = SelftestPayload {
                    work_ms: self.work_ms,
                    fail,
                };
                NewJob {
                    kind: KIND.to_owned(),
                    payload: serde_json::to_value(&payload).unwrap_or(Value::Null),
                    idempotency_key: format!("selftest-{}-{i:06}", self.batch),
                    concurrency_key: None,
                    max_attempts: if fail == Some(SelftestFailure::Retriable) {
                        3
                    } else {
                        self.max_attempts
                    },
                    run_at: now,
                    replay_safe: true,
                }
            })
            .collect()
    }
}

/// Runs self-test jobs against a ledger file.
#[derive(Debug, Clone)]
pub struct SelftestHandler {
    ledger: PathBuf,
}

impl SelftestHandler {
    /// A handler appending to `ledger`.
    pub fn new(ledger: PathBuf) -> Self {
        Self { ledger }
    }

    fn record(&self, key: &str) -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.ledger)?;
        // One write per line keeps concurrent appends whole (O_APPEND); fsync makes it a real effect.
        f.write_all(format!("{key}\n").as_bytes())?;
        f.sync_data()
    }
}

#[async_trait]
impl JobHandler for SelftestHandler {
    fn kind(&self) -> &str {
        KIND
    }

    fn retry_safety(&self) -> RetrySafety {
        RetrySafety::ReplaySafe
    }

    async fn run(&self, _ctx: &JobContext, job: &Job) -> Result<Option<Value>, JobError> {
        let payload: SelftestPayload = serde_json::from_value(job.payload.clone()).map_err(|e| {
            JobError::terminal(
                "invalid:payload",
                format!("self-test job {} has an invalid payload: {e}", job.id),
            )
        })?;
        match payload.fail {
            Some(SelftestFailure::Terminal) => {
                return Err(JobError::terminal(
                    "selftest_terminal",
                    format!("self-test job {} failed on purpose", job.id),
                ));
            }
            Some(SelftestFailure::Retriable) => {
                return Err(JobError::retriable(
                    "selftest_retriable",
                    format!("self-test job {} failed on purpose (retriable)", job.id),
                    None,
                ));
            }
            None => {}
        }
        let this = self.clone();
        let key = job.idempotency_key.clone();
        tokio::task::spawn_blocking(move || this.record(&key))
            .await
            .map_err(|e| JobError::retriable("local_fault", e.to_string(), None))?
            .map_err(|e| JobError::retriable("local_fault", format!("ledger write failed: {e}"), None))?;
        if payload.work_ms > 0 {
            tokio::time::sleep(Duration::from_millis(payload.work_ms)).await;
        }
        Ok(None)
    }
}

/// What the ledger shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerReport {
    /// Lines written, one per executed side effect.
    pub executions: u64,
    /// Distinct keys: what the idempotent counter counts.
    pub distinct: u64,
    /// Re-executions absorbed by the counter (crash recovery at work).
    pub duplicates_absorbed: u64,
}

/// Reads a ledger file (a missing file is an empty ledger).
pub fn read_ledger(path: &Path) -> std::io::Result<(LedgerReport, HashSet<String>)> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let mut keys = HashSet::new();
    let mut executions = 0u64;
    for line in text.lines().filter(|l| !l.is_empty()) {
        executions += 1;
        keys.insert(line.to_owned());
    }
    let distinct = keys.len() as u64;
    Ok((
        LedgerReport {
            executions,
            distinct,
            duplicates_absorbed: executions - distinct,
        },
        keys,
    ))
}

#[cfg(test)]
mod tests {
    use paysync_core::ManualClock;

    use super::*;

    #[test]
    fn plan_spreads_failures_and_counts_them() {
        let plan = SelftestPlan {
            batch: "b".into(),
            jobs: 100,
            fail_terminal: 3,
            fail_retriable: 2,
            work_ms: 0,
            max_attempts: 8,
        };
        let jobs = plan.jobs(paysync_core::Clock::now(&ManualClock::at_fixed_origin()));
        assert_eq!(jobs.len(), 100);
        let fails = |want: SelftestFailure| {
            jobs.iter()
                .filter(|j| {
                    serde_json::from_value::<SelftestPayload>(j.payload.clone())
                        .ok()
                        .and_then(|p| p.fail)
                        == Some(want)
                })
                .count()
        };
        assert_eq!(
            (
                fails(SelftestFailure::Terminal),
                fails(SelftestFailure::Retriable)
            ),
            (3, 2)
        );
        let keys: HashSet<&str> = jobs.iter().map(|j| j.idempotency_key.as_str()).collect();
        assert_eq!(keys.len(), 100);
    }

    #[test]
    fn ledger_counts_distinct_keys() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = dir.path().join("ledger");
        let h = SelftestHandler::new(path.clone());
        for k in ["a", "b", "a"] {
            assert!(h.record(k).is_ok());
        }
        let (report, keys) = read_ledger(&path).unwrap_or_else(|e| panic!("read: {e}"));
        assert_eq!(
            report,
            LedgerReport {
                executions: 3,
                distinct: 2,
                duplicates_absorbed: 1
            }
        );
        assert!(keys.contains("a") && keys.contains("b"));
    }
}
