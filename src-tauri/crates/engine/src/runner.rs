//! The job runner: leases jobs from the durable queue, runs their handlers, and records each
//! outcome (ARCHITECTURE §3.2–3.5). Leases expire, so a crashed worker's jobs come back; jobs whose
//! side effects are unsafe to repeat come back *in doubt* instead, and wait for a status check.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use paysync_core::{ErrorClass, SharedClock, SharedRandom};
use paysync_store::{InDoubtResolution, JobFailure, JobStatus, LeasedJob, Reclaimed, Store};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::backoff::{NextStep, RetryPolicy};
use crate::error::EngineError;
use crate::events::{EngineEvent, EventBus};
use crate::handler::{JobContext, JobError, JobHandler, StatusCheck};

/// How the runner behaves.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// This process's lease-owner name; unique per running engine.
    pub owner: String,
    /// How many jobs run at once.
    pub workers: usize,
    /// How long a lease lasts before another worker may take the job back. Renewed every third of it.
    pub lease: Duration,
    /// How often an idle worker looks for new work.
    pub poll_interval: Duration,
    /// Backoff between attempts.
    pub retry: RetryPolicy,
    /// How long a graceful shutdown waits for running jobs before releasing their leases.
    pub shutdown_grace: Duration,
    /// How often in-doubt jobs are checked against their provider.
    pub in_doubt_check_interval: Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            owner: "paysync".into(),
            workers: 2,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
            retry: RetryPolicy::default(),
            shutdown_grace: Duration::from_secs(10),
            in_doubt_check_interval: Duration::from_secs(60),
        }
    }
}

/// Whether [`JobRunner::run_once`] found work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A job was leased and its outcome recorded.
    Processed,
    /// Nothing was ready.
    Idle,
}

/// The handlers the runner knows, by job kind.
pub type Handlers = Arc<HashMap<String, Arc<dyn JobHandler>>>;

/// Leases and runs jobs.
#[derive(Clone)]
pub struct JobRunner {
    store: Store,
    clock: SharedClock,
    rng: SharedRandom,
    events: EventBus,
    handlers: Handlers,
    kinds: Arc<Vec<String>>,
    config: RunnerConfig,
}

impl std::fmt::Debug for JobRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobRunner")
            .field("kinds", &self.kinds)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

fn failure_of(e: &JobError) -> JobFailure {
    JobFailure {
        class: e.class,
        code: e.code.clone(),
        message: e.message.clone(),
    }
}

impl JobRunner {
    /// The handler of `kind`, with a context to call it outside a lease (a preview).
    pub(crate) fn handler_for(&self, kind: &str) -> Option<(Arc<dyn JobHandler>, JobContext)> {
        let handler = self.handlers.get(kind)?.clone();
        let ctx = JobContext {
            store: self.store.clone(),
            clock: self.clock.clone(),
            rng: self.rng.clone(),
            attempt: 0,
        };
        Some((handler, ctx))
    }

    /// A runner over `store` for the given handlers.
    pub fn new(
        store: Store,
        clock: SharedClock,
        rng: SharedRandom,
        events: EventBus,
        handlers: Handlers,
        config: RunnerConfig,
    ) -> Self {
        let mut kinds: Vec<String> = handlers.keys().cloned().collect();
        kinds.sort();
        Self {
            store,
            clock,
            rng,
            events,
            handlers,
            kinds: Arc::new(kinds),
            config,
        }
    }

    /// Leases at most one ready job and runs it to a recorded outcome.
    pub async fn run_once(&self) -> Result<Outcome, EngineError> {
        let now = self.clock.now();
        let lease = chrono_duration(self.config.lease);
        let mut leased = self
            .store
            .jobs()
            .lease(&self.config.owner, &self.kinds, 1, lease, now)
            .await?;
        match leased.pop() {
            Some(job) => {
                self.process(job).await?;
                Ok(Outcome::Processed)
            }
            None => Ok(Outcome::Idle),
        }
    }

    /// Runs jobs until none is ready; returns how many were processed. For tests and one-shot use.
    pub async fn run_until_idle(&self) -> Result<u64, EngineError> {
        let mut n = 0;
        while self.run_once().await? == Outcome::Processed {
            n += 1;
        }
        Ok(n)
    }

    async fn process(&self, leased: LeasedJob) -> Result<(), EngineError> {
        let LeasedJob { job, attempt_no, .. } = leased;
        let Some(handler) = self.handlers.get(&job.kind).cloned() else {
            // Only registered kinds are leased, so this is a programming error; park it visibly.
            let e = JobError::terminal(
                "no_handler",
                format!("no handler is registered for job kind {}", job.kind),
            );
            return self.record_failure(&job, attempt_no, &e).await;
        };
        let ctx = JobContext {
            store: self.store.clone(),
            clock: self.clock.clone(),
            rng: self.rng.clone(),
            attempt: attempt_no,
        };
        let heartbeat = self.spawn_heartbeat(job.id);
        // Run on its own task so a panicking handler becomes a recorded failure, not a dead worker.
        let task_job = job.clone();
        let result = tokio::spawn(async move { handler.run(&ctx, &task_job).await }).await;
        heartbeat.abort();
        let result = result.unwrap_or_else(|join| {
            Err(JobError::retriable(
                "handler_panicked",
                format!("the handler stopped unexpectedly: {join}"),
                None,
            ))
        });
        match result {
            Ok(value) => {
                let now = self.clock.now();
                if self
                    .store
                    .jobs()
                    .complete(job.id, &self.config.owner, attempt_no, value.as_ref(), now)
                    .await?
                {
                    self.events.emit(EngineEvent::JobSucceeded {
                        job_id: job.id,
                        kind: job.kind.clone(),
                    });
                } else {
                    tracing::warn!(job_id = job.id, kind = %job.kind, "Lease lost before completion was recorded.");
                }
                Ok(())
            }
            Err(e) => self.record_failure(&job, attempt_no, &e).await,
        }
    }

    async fn record_failure(
        &self,
        job: &paysync_store::Job,
        attempt_no: u32,
        e: &JobError,
    ) -> Result<(), EngineError> {
        let now = self.clock.now();
        let owner = &self.config.owner;
        let failure = failure_of(e);
        if let (Some(until), ErrorClass::Retriable) = (e.held_until, e.class) {
            // A breaker stopped the call: the job waits for the provider, not for a person.
            let run_at = until.max(now);
            let held = self
                .store
                .jobs()
                .hold_until(job.id, owner, attempt_no, &failure, run_at, now)
                .await?;
            if held {
                self.events.emit(EngineEvent::JobRetryScheduled {
                    job_id: job.id,
                    kind: job.kind.clone(),
                    attempt: attempt_no,
                    error_code: e.code.clone(),
                    delay_ms: u64::try_from((run_at - now).num_milliseconds()).unwrap_or(0),
                });
            } else {
                tracing::warn!(job_id = job.id, kind = %job.kind, "Lease lost before the hold was recorded.");
            }
            return Ok(());
        }
        let step = self.config.retry.next_step(
            e.class,
            attempt_no,
            job.max_attempts,
            e.retry_after,
            self.rng.as_ref(),
        );
        let jobs = self.store.jobs();
        let recorded = match step {
            NextStep::RetryAfter(delay) => {
                let run_at = now + chrono_duration(delay);
                let ok = jobs
                    .retry_later(job.id, owner, attempt_no, &failure, run_at, now)
                    .await?;
                if ok {
                    self.events.emit(EngineEvent::JobRetryScheduled {
                        job_id: job.id,
                        kind: job.kind.clone(),
                        attempt: attempt_no,
                        error_code: e.code.clone(),
                        delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    });
                }
                ok
            }
            NextStep::DeadLetter => match jobs.dead_letter(job.id, owner, attempt_no, &failure, now).await? {
                Some(dead_letter_id) => {
                    self.events.emit(EngineEvent::JobDeadLettered {
                        job_id: job.id,
                        dead_letter_id,
                        kind: job.kind.clone(),
                        error_code: e.code.clone(),
                    });
                    true
                }
                None => false,
            },
            NextStep::AwaitStatusCheck => {
                let ok = jobs
                    .mark_in_doubt(job.id, owner, attempt_no, &failure, now)
                    .await?;
                if ok {
                    self.events.emit(EngineEvent::JobInDoubt {
                        job_id: job.id,
                        kind: job.kind.clone(),
                        error_code: e.code.clone(),
                    });
                }
                ok
            }
        };
        if !recorded {
            tracing::warn!(job_id = job.id, kind = %job.kind, "Lease lost before the failure was recorded.");
        }
        Ok(())
    }

    fn spawn_heartbeat(&self, job_id: i64) -> tokio::task::JoinHandle<()> {
        let store = self.store.clone();
        let clock = self.clock.clone();
        let owner = self.config.owner.clone();
        let lease = self.config.lease;
        tokio::spawn(async move {
            let every = (lease / 3).max(Duration::from_millis(10));
            loop {
                tokio::time::sleep(every).await;
                match store
                    .jobs()
                    .extend_lease(job_id, &owner, chrono_duration(lease), clock.now())
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(
                            job_id,
                            "Lease could not be extended; another worker may take the job."
                        );
                        return;
                    }
                    Err(e) => tracing::warn!(job_id, error = %e, "Lease extension failed; will try again."),
                }
            }
        })
    }

    /// Takes back jobs whose leases expired (their worker crashed or stalled).
    pub async fn reclaim(&self) -> Result<Reclaimed, EngineError> {
        let reclaimed = self.store.jobs().reclaim_expired(self.clock.now()).await?;
        if !(reclaimed.requeued.is_empty()
            && reclaimed.in_doubt.is_empty()
            && reclaimed.dead_lettered.is_empty())
        {
            self.events.emit(EngineEvent::LeasesReclaimed {
                requeued: reclaimed.requeued.len() as u64,
                in_doubt: reclaimed.in_doubt.len() as u64,
                dead_lettered: reclaimed.dead_lettered.len() as u64,
            });
        }
        Ok(reclaimed)
    }

    /// Asks each in-doubt job's handler whether its side effect happened, and resolves the ones it
    /// can answer. Returns how many were resolved.
    pub async fn check_in_doubt(&self) -> Result<u64, EngineError> {
        let jobs = self.store.jobs().list(Some(JobStatus::InDoubt), 100, 0).await?;
        let mut resolved = 0;
        for job in jobs {
            let Some(handler) = self.handlers.get(&job.kind) else {
                continue;
            };
            let ctx = JobContext {
                store: self.store.clone(),
                clock: self.clock.clone(),
                rng: self.rng.clone(),
                attempt: job.attempts,
            };
            let resolution = match handler.check_status(&ctx, &job).await {
                Ok(StatusCheck::Done(result)) => InDoubtResolution::Succeeded { result },
                Ok(StatusCheck::NotDone) => InDoubtResolution::Requeue,
                Ok(StatusCheck::Unknown) => continue,
                Err(e) if e.class == ErrorClass::Terminal => InDoubtResolution::DeadLetter(failure_of(&e)),
                Err(e) => {
                    tracing::info!(job_id = job.id, error = %e, "Status check failed; will ask again.");
                    continue;
                }
            };
            self.store
                .jobs()
                .resolve_in_doubt(job.id, resolution, "engine", self.clock.now())
                .await?;
            resolved += 1;
        }
        Ok(resolved)
    }

    /// Runs workers, the lease reclaimer and the in-doubt checker until `shutdown` turns true, then
    /// waits up to the grace period for running jobs and releases whatever is still leased.
    pub async fn run(&self, shutdown: watch::Receiver<bool>) -> Result<(), EngineError> {
        // Leases left by a previous crash of this same owner are stale by definition.
        self.reclaim().await?;
        let mut tasks = JoinSet::new();
        for _ in 0..self.config.workers.max(1) {
            let runner = self.clone();
            let mut stop = shutdown.clone();
            tasks.spawn(async move {
                while !*stop.borrow() {
                    match runner.run_once().await {
                        Ok(Outcome::Processed) => {}
                        Ok(Outcome::Idle) => wait(&mut stop, runner.config.poll_interval).await,
                        Err(e) => {
                            tracing::error!(error = %e, "Worker failed to take or record a job; backing off.");
                            wait(&mut stop, runner.config.poll_interval * 4).await;
                        }
                    }
                }
            });
        }
        let maintenance = self.clone();
        let mut stop = shutdown.clone();
        tasks.spawn(async move {
            let reclaim_every = (maintenance.config.lease / 2).max(Duration::from_millis(50));
            let mut since_check = Duration::ZERO;
            while !*stop.borrow() {
                if let Err(e) = maintenance.reclaim().await {
                    tracing::error!(error = %e, "Reclaiming expired leases failed.");
                }
                if since_check >= maintenance.config.in_doubt_check_interval {
                    since_check = Duration::ZERO;
                    if let Err(e) = maintenance.check_in_doubt().await {
                        tracing::error!(error = %e, "Checking in-doubt jobs failed.");
                    }
                }
                wait(&mut stop, reclaim_every).await;
                since_check += reclaim_every;
            }
        });
        let mut stop = shutdown;
        if !*stop.borrow() {
            let _ = stop.changed().await;
        }
        let drained = tokio::time::timeout(self.config.shutdown_grace, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tasks.abort_all();
        }
        let released = self
            .store
            .jobs()
            .release(&self.config.owner, self.clock.now())
            .await?;
        tracing::info!(released, "Job runner stopped.");
        Ok(())
    }
}

/// Sleeps for `d` or until shutdown is signalled, whichever comes first.
pub(crate) async fn wait(stop: &mut watch::Receiver<bool>, d: Duration) {
    tokio::select! {
        () = tokio::time::sleep(d) => {}
        _ = stop.changed() => {}
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use async_trait::async_trait;
    use paysync_core::{Clock, ManualClock, SeededRandom};
    use paysync_store::{AuditKey, Job, NewJob};
    use serde_json::json;

    use super::*;
    use crate::classify::{Failure, RetrySafety};

    /// Fails the first `fail_times` attempts with `failure`, then succeeds; counts every run.
    struct Flaky {
        kind: &'static str,
        safety: RetrySafety,
        failure: Failure,
        fail_times: u32,
        runs: AtomicU32,
        status: StatusCheck,
    }

    #[async_trait]
    impl JobHandler for Flaky {
        fn kind(&self) -> &str {
            self.kind
        }
        fn retry_safety(&self) -> RetrySafety {
            self.safety
        }
        async fn run(&self, _ctx: &JobContext, _job: &Job) -> Result<Option<serde_json::Value>, JobError> {
            let n = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
            if n <= self.fail_times {
                return Err(JobError::from_failure(
                    &self.failure,
                    self.safety,
                    format!("attempt {n} failed"),
                ));
            }
            Ok(Some(json!({ "run": n })))
        }
        async fn check_status(&self, _ctx: &JobContext, _job: &Job) -> Result<StatusCheck, JobError> {
            Ok(self.status.clone())
        }
    }

    fn flaky(kind: &'static str, safety: RetrySafety, failure: Failure, fail_times: u32) -> Arc<Flaky> {
        Arc::new(Flaky {
            kind,
            safety,
            failure,
            fail_times,
            runs: AtomicU32::new(0),
            status: StatusCheck::Unknown,
        })
    }

    async fn runner_with(handler: Arc<dyn JobHandler>) -> (JobRunner, Store, ManualClock, EventBus) {
        let key = AuditKey::new(vec![7; 32]).unwrap_or_else(|e| panic!("key: {e}"));
        let store = Store::open_in_memory(key)
            .await
            .unwrap_or_else(|e| panic!("store: {e}"));
        let clock = ManualClock::at_fixed_origin();
        let events = EventBus::new();
        let mut handlers: HashMap<String, Arc<dyn JobHandler>> = HashMap::new();
        handlers.insert(handler.kind().to_owned(), handler);
        let config = RunnerConfig {
            retry: RetryPolicy {
                base: Duration::from_secs(1),
                cap: Duration::from_secs(8),
            },
            ..RunnerConfig::default()
        };
        let runner = JobRunner::new(
            store.clone(),
            Arc::new(clock.clone()),
            Arc::new(SeededRandom::new(5)),
            events.clone(),
            Arc::new(handlers),
            config,
        );
        (runner, store, clock, events)
    }

    fn job(kind: &str, max_attempts: u32, replay_safe: bool, now: chrono::DateTime<chrono::Utc>) -> NewJob {
        NewJob {
            kind: kind.into(),
            payload: json!({ "record": "001" }),
            idempotency_key: format!("{kind}-1"),
            concurrency_key: Some("001".into()),
            max_attempts,
            run_at: now,
            replay_safe,
        }
    }

    #[tokio::test]
    async fn retriable_failures_back_off_then_succeed() {
        let h = flaky(
            "t.flaky",
            RetrySafety::ReplaySafe,
            Failure::Http {
                status: 503,
                code: None,
                retry_after: Some(Duration::from_secs(30)),
                should_retry: None,
            },
            2,
        );
        let (runner, store, clock, events) = runner_with(h.clone()).await;
        store
            .jobs()
            .enqueue(&job("t.flaky", 5, true, clock.now()), clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(runner.run_until_idle().await.ok(), Some(1));
        // Not before Retry-After: 29 s later nothing is due.
        clock.advance(chrono::Duration::seconds(29));
        assert_eq!(runner.run_until_idle().await.ok(), Some(0));
        clock.advance(chrono::Duration::seconds(2));
        assert_eq!(runner.run_until_idle().await.ok(), Some(1));
        clock.advance(chrono::Duration::seconds(31));
        assert_eq!(runner.run_until_idle().await.ok(), Some(1));
        assert_eq!(h.runs.load(Ordering::SeqCst), 3);
        let c = events.counters();
        assert_eq!(
            (c.jobs_retried, c.jobs_succeeded, c.jobs_dead_lettered),
            (2, 1, 0)
        );
        assert_eq!(store.jobs().counts().await.map(|c| c.succeeded).ok(), Some(1));
    }

    /// A provider behind an open breaker until `end`: each call is stopped for 30 s more.
    struct BehindBreaker {
        end: chrono::DateTime<chrono::Utc>,
        runs: AtomicU32,
    }

    #[async_trait]
    impl JobHandler for BehindBreaker {
        fn kind(&self) -> &'static str {
            "t.breaker"
        }
        fn retry_safety(&self) -> RetrySafety {
            RetrySafety::ReplaySafe
        }
        async fn run(&self, ctx: &JobContext, _job: &Job) -> Result<Option<serde_json::Value>, JobError> {
            self.runs.fetch_add(1, Ordering::SeqCst);
            let now = ctx.clock.now();
            if now < self.end {
                let until = now + chrono::Duration::seconds(30);
                return Err(JobError::from_failure(
                    &Failure::Unavailable { until },
                    RetrySafety::ReplaySafe,
                    "salesforce:POST composite: circuit open",
                ));
            }
            Ok(None)
        }
    }

    #[tokio::test]
    async fn a_job_behind_an_open_breaker_waits_without_spending_attempts() {
        let origin = ManualClock::at_fixed_origin().now();
        let h = Arc::new(BehindBreaker {
            end: origin + chrono::Duration::minutes(5),
            runs: AtomicU32::new(0),
        });
        let (runner, store, clock, events) = runner_with(h.clone()).await;
        store
            .jobs()
            .enqueue(&job("t.breaker", 3, true, clock.now()), clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Ten holds, far past the job's three attempts, and never a dead letter.
        for _ in 0..10 {
            assert_eq!(runner.run_until_idle().await.ok(), Some(1));
            clock.advance(chrono::Duration::seconds(29));
            assert_eq!(
                runner.run_until_idle().await.ok(),
                Some(0),
                "not before the breaker's time"
            );
            clock.advance(chrono::Duration::seconds(1));
        }
        assert_eq!(runner.run_until_idle().await.ok(), Some(1));
        assert_eq!(h.runs.load(Ordering::SeqCst), 11);
        let counts = store.jobs().counts().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((counts.succeeded, counts.dead), (1, 0));
        let c = events.counters();
        assert_eq!((c.jobs_retried, c.jobs_dead_lettered), (10, 0));
        let jobs = store
            .jobs()
            .list(None, 10, 0)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let attempts = store
            .jobs()
            .attempts(jobs[0].id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(attempts.len(), 11, "every stopped call is in the history");
        assert!(
            attempts[..10]
                .iter()
                .all(|a| a.error_code.as_deref() == Some("circuit_open"))
        );
    }

    #[tokio::test]
    async fn exhausted_and_terminal_failures_are_dead_lettered_with_history() {
        let h = flaky("t.down", RetrySafety::ReadOnly, Failure::ConnectFailed, u32::MAX);
        let (runner, store, clock, _) = runner_with(h.clone()).await;
        store
            .jobs()
            .enqueue(&job("t.down", 3, true, clock.now()), clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..3 {
            let _ = runner.run_until_idle().await;
            clock.advance(chrono::Duration::seconds(60));
        }
        assert_eq!(h.runs.load(Ordering::SeqCst), 3, "bounded attempts");
        let page = store
            .dead_letters()
            .list(&Default::default(), 10, 0)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].attempts.len(), 3, "every attempt is kept");
        assert_eq!(
            page.items[0].payload,
            json!({ "record": "001" }),
            "the full payload is kept"
        );

        let v = flaky(
            "t.invalid",
            RetrySafety::ReadOnly,
            Failure::Invalid {
                field: "BillingCountry".into(),
                message: "required".into(),
            },
            u32::MAX,
        );
        let (runner, store, clock, _) = runner_with(v.clone()).await;
        store
            .jobs()
            .enqueue(&job("t.invalid", 8, true, clock.now()), clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = runner.run_until_idle().await;
        assert_eq!(
            v.runs.load(Ordering::SeqCst),
            1,
            "terminal failures are not retried"
        );
        let dl = store
            .dead_letters()
            .list(&Default::default(), 10, 0)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(dl.items[0].error_code, "invalid:BillingCountry");
    }

    #[tokio::test]
    async fn in_doubt_jobs_are_never_resent_blindly() {
        let h = flaky(
            "t.payout",
            RetrySafety::ReferenceDedup,
            Failure::Timeout,
            u32::MAX,
        );
        let (runner, store, clock, _) = runner_with(h.clone()).await;
        let id = match store
            .jobs()
            .enqueue(&job("t.payout", 8, false, clock.now()), clock.now())
            .await
        {
            Ok(paysync_store::Enqueued::Created(id)) => id,
            other => panic!("enqueue: {other:?}"),
        };
        let _ = runner.run_until_idle().await;
        for _ in 0..5 {
            clock.advance(chrono::Duration::hours(1));
            let _ = runner.run_until_idle().await;
            let _ = runner.reclaim().await;
        }
        assert_eq!(
            h.runs.load(Ordering::SeqCst),
            1,
            "a timed-out unsafe send is not repeated"
        );
        assert_eq!(
            store.jobs().get(id).await.ok().flatten().map(|j| j.status),
            Some(JobStatus::InDoubt)
        );
        // The status check cannot tell: still in doubt.
        assert_eq!(runner.check_in_doubt().await.ok(), Some(0));
    }

    #[tokio::test]
    async fn a_status_check_resolves_in_doubt_without_a_second_send() {
        let h = Arc::new(Flaky {
            kind: "t.payout",
            safety: RetrySafety::ReferenceDedup,
            failure: Failure::Timeout,
            fail_times: u32::MAX,
            runs: AtomicU32::new(0),
            status: StatusCheck::Done(Some(json!({ "payout_id": "po_1" }))),
        });
        let (runner, store, clock, _) = runner_with(h.clone()).await;
        store
            .jobs()
            .enqueue(&job("t.payout", 8, false, clock.now()), clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = runner.run_until_idle().await;
        assert_eq!(runner.check_in_doubt().await.ok(), Some(1));
        let counts = store.jobs().counts().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((counts.succeeded, counts.in_doubt), (1, 0));
        assert_eq!(h.runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_expired_lease_on_an_unsafe_job_puts_it_in_doubt() {
        let h = flaky("t.payout", RetrySafety::ReferenceDedup, Failure::Timeout, 0);
        let (runner, store, clock, _) = runner_with(h.clone()).await;
        store
            .jobs()
            .enqueue(&job("t.payout", 8, false, clock.now()), clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // A worker that crashed after leasing: lease it by hand and never report.
        let leased = store
            .jobs()
            .lease(
                "crashed-worker",
                &["t.payout".to_owned()],
                1,
                chrono::Duration::seconds(60),
                clock.now(),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(leased.len(), 1);
        clock.advance(chrono::Duration::seconds(61));
        let reclaimed = runner.reclaim().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((reclaimed.requeued.len(), reclaimed.in_doubt.len()), (0, 1));
        assert_eq!(runner.run_until_idle().await.ok(), Some(0));
        assert_eq!(h.runs.load(Ordering::SeqCst), 0);
    }
}
