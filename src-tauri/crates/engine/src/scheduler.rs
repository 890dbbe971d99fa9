//! The scheduler: runs named flows on an interval or a cron expression, with "run now".
//! Two runs of one flow never overlap: the store's `runs` table allows one live run per flow, so
//! the guard holds across tasks, processes and crashes (a crashed run's lease expires).

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use croner::Cron;
use paysync_core::{SharedClock, SharedRandom};
use paysync_store::{RunCounts, RunOutcome, RunTrigger, Store};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::error::EngineError;
use crate::events::{EngineEvent, EventBus};
use crate::runner::wait;

/// When a flow runs by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// At a fixed interval after the previous run started.
    Every(Duration),
    /// At the times a cron expression names (UTC).
    Cron(Box<Cron>),
}

impl Schedule {
    /// The next time at or after which a run is due, given when the last one started.
    /// With no previous run, an interval flow is due at once and a cron flow at its next tick.
    pub fn next_due(
        &self,
        last_started: Option<DateTime<Utc>>,
        since: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        match self {
            Self::Every(interval) => {
                let interval = chrono::Duration::from_std(*interval).ok()?;
                Some(last_started.map_or(since, |t| t + interval))
            }
            Self::Cron(cron) => cron
                .find_next_occurrence(&last_started.unwrap_or(since), false)
                .ok(),
        }
    }
}

impl FromStr for Schedule {
    type Err = EngineError;

    /// Parses `every 30s` / `every 5m` / `every 2h` / `every 1d`, or a cron expression.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("every ") {
            return parse_interval(rest.trim()).map(Self::Every);
        }
        Cron::from_str(s)
            .map(|c| Self::Cron(Box::new(c)))
            .map_err(|e| EngineError::Invalid {
                field: "schedule",
                message: format!("{s:?} is neither `every <n><s|m|h|d>` nor a cron expression: {e}"),
            })
    }
}

pub(crate) fn parse_interval(s: &str) -> Result<Duration, EngineError> {
    let invalid = || EngineError::Invalid {
        field: "schedule",
        message: format!("{s:?} is not an interval like 30s, 5m, 2h or 1d"),
    };
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(invalid)?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().map_err(|_| invalid())?;
    let secs = match unit {
        "s" => n,
        "m" => n.checked_mul(60).ok_or_else(invalid)?,
        "h" => n.checked_mul(3_600).ok_or_else(invalid)?,
        "d" => n.checked_mul(86_400).ok_or_else(invalid)?,
        _ => return Err(invalid()),
    };
    if secs == 0 {
        return Err(invalid());
    }
    Ok(Duration::from_secs(secs))
}

/// What a flow gets when it runs.
#[derive(Debug, Clone)]
pub struct FlowContext {
    /// The store.
    pub store: Store,
    /// Injected time.
    pub clock: SharedClock,
    /// Injected randomness.
    pub rng: SharedRandom,
    /// Where to report what happened.
    pub events: EventBus,
    /// This run's id.
    pub run_id: i64,
    /// The flow's name.
    pub flow: String,
}

impl FlowContext {
    /// Reports how far the run has got, for progress bars; `total` when it is known.
    pub fn progress(&self, done: u64, total: Option<u64>) {
        self.events.emit(EngineEvent::RunProgress {
            run_id: self.run_id,
            flow: self.flow.clone(),
            done,
            total,
        });
    }
}

/// Why a flow run failed.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct FlowError {
    /// What went wrong, for the run's record.
    pub message: String,
    /// What the run got done before failing.
    pub counts: RunCounts,
}

impl FlowError {
    /// A failure with what the run got done before it.
    pub fn new(message: impl Into<String>, counts: RunCounts) -> Self {
        Self {
            message: message.into(),
            counts,
        }
    }
}

/// A named unit of scheduled work (a sync, a reconciliation, a maintenance task).
#[async_trait]
pub trait Flow: Send + Sync {
    /// The flow's stable name, e.g. `audit.verify`.
    fn name(&self) -> &str;
    /// What the flow does, in a sentence an operator understands.
    fn description(&self) -> &str {
        ""
    }
    /// Runs once.
    async fn run(&self, ctx: &FlowContext) -> Result<RunCounts, FlowError>;
}

/// A flow and when it runs by itself.
#[derive(Clone)]
pub struct FlowSpec {
    /// The flow.
    pub flow: Arc<dyn Flow>,
    /// Its schedule; `None` runs only when asked.
    pub schedule: Option<Schedule>,
}

/// The summary of one finished run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunSummary {
    /// The run.
    pub run_id: i64,
    /// The flow.
    pub flow: String,
    /// `succeeded`, `partial` or `failed`.
    pub outcome: String,
    /// What it did.
    pub counts: RunCounts,
    /// The error, for a failed run.
    pub error: Option<String>,
}

/// The setting that holds whether a flow is paused.
fn paused_key(flow: &str) -> String {
    format!("flow.paused.{flow}")
}

/// Starts flows when they are due or asked for.
#[derive(Clone)]
pub struct Scheduler {
    flows: Arc<Vec<FlowSpec>>,
    store: Store,
    clock: SharedClock,
    rng: SharedRandom,
    events: EventBus,
    owner: String,
    lease: Duration,
    started_at: DateTime<Utc>,
    /// Flows asked to run at the next tick (a notification arrived), whatever their schedule.
    woken: Arc<std::sync::Mutex<std::collections::BTreeSet<String>>>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.flows.iter().map(|s| s.flow.name()).collect();
        f.debug_struct("Scheduler")
            .field("flows", &names)
            .finish_non_exhaustive()
    }
}

impl Scheduler {
    /// A scheduler for `flows`; `owner` names this process in run leases.
    pub fn new(
        flows: Vec<FlowSpec>,
        store: Store,
        clock: SharedClock,
        rng: SharedRandom,
        events: EventBus,
        owner: String,
        lease: Duration,
    ) -> Self {
        let started_at = clock.now();
        Self {
            flows: Arc::new(flows),
            store,
            clock,
            rng,
            events,
            owner,
            lease,
            started_at,
            woken: Arc::default(),
        }
    }

    /// Asks for a run of `name` at the next tick, as if its schedule were due (a paused flow
    /// stays paused). A run already going is not interrupted: the flow runs again after it.
    pub fn wake(&self, name: &str) {
        if let Ok(mut woken) = self.woken.lock() {
            woken.insert(name.to_owned());
        }
    }

    fn take_woken(&self, name: &str) -> bool {
        self.woken.lock().is_ok_and(|mut w| w.remove(name))
    }

    /// The flows and their schedules.
    pub fn flows(&self) -> &[FlowSpec] {
        &self.flows
    }

    fn spec(&self, name: &str) -> Result<&FlowSpec, EngineError> {
        self.flows
            .iter()
            .find(|s| s.flow.name() == name)
            .ok_or_else(|| EngineError::NotFound {
                what: "flow",
                id: name.to_owned(),
            })
    }

    /// Whether `name` is paused: its schedule starts no runs until it is resumed.
    pub async fn is_paused(&self, name: &str) -> Result<bool, EngineError> {
        Ok(self.store.settings().get(&paused_key(name)).await?.as_deref() == Some("true"))
    }

    /// Pauses or resumes `name`'s schedule; returns whether that changed anything. A running run
    /// finishes; a person can still run a paused flow now.
    pub async fn set_paused(&self, name: &str, paused: bool) -> Result<bool, EngineError> {
        self.spec(name)?;
        if self.is_paused(name).await? == paused {
            return Ok(false);
        }
        self.store
            .settings()
            .set(
                &paused_key(name),
                if paused { "true" } else { "false" },
                self.clock.now(),
            )
            .await?;
        Ok(true)
    }

    /// The flows due now, judged from each one's most recent run; paused flows never are.
    pub async fn due(&self, now: DateTime<Utc>) -> Result<Vec<String>, EngineError> {
        let latest = self.store.runs().latest_per_flow().await?;
        let mut due = Vec::new();
        for spec in self.flows.iter() {
            let Some(schedule) = &spec.schedule else { continue };
            let name = spec.flow.name();
            if self.is_paused(name).await? {
                continue;
            }
            let last = latest.iter().find(|r| r.flow == name);
            if let Some(live) = last.filter(|r| r.finished_at.is_none()) {
                // A live run holding its lease is left alone (a wake waits for it to end). One
                // whose lease ran out (its process died) never finished its work: the flow is due
                // again at once, which also answers a wake, and starting the next run finishes
                // the dead one as abandoned.
                if live.lease_expires_at < now {
                    self.take_woken(name);
                    due.push(name.to_owned());
                }
                continue;
            }
            if self.take_woken(name)
                || schedule
                    .next_due(last.map(|r| r.started_at), self.started_at)
                    .is_some_and(|t| t <= now)
            {
                due.push(name.to_owned());
            }
        }
        Ok(due)
    }

    /// Runs `name` now, to completion. Fails with [`EngineError::AlreadyRunning`] if a run is live.
    pub async fn run_now(&self, name: &str, trigger: RunTrigger) -> Result<RunSummary, EngineError> {
        let spec = self.spec(name)?.clone();
        let lease = chrono::Duration::from_std(self.lease).unwrap_or(chrono::Duration::MAX);
        let run_id = self
            .store
            .runs()
            .try_start(name, trigger, &self.owner, lease, self.clock.now())
            .await?
            .ok_or_else(|| EngineError::AlreadyRunning {
                flow: name.to_owned(),
            })?;
        self.events.emit(EngineEvent::RunStarted {
            run_id,
            flow: name.to_owned(),
            trigger: trigger.as_str().to_owned(),
        });
        let heartbeat = {
            let (store, clock, owner, every) = (
                self.store.clone(),
                self.clock.clone(),
                self.owner.clone(),
                (self.lease / 3).max(Duration::from_millis(10)),
            );
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    if let Err(e) = store.runs().heartbeat(run_id, &owner, lease, clock.now()).await {
                        tracing::warn!(run_id, error = %e, "Run heartbeat failed.");
                    }
                }
            })
        };
        let ctx = FlowContext {
            store: self.store.clone(),
            clock: self.clock.clone(),
            rng: self.rng.clone(),
            events: self.events.clone(),
            run_id,
            flow: spec.flow.name().to_owned(),
        };
        let timer = Instant::now();
        let flow = spec.flow.clone();
        let result = tokio::spawn(async move { flow.run(&ctx).await }).await;
        heartbeat.abort();
        let (outcome, counts, error) = match result {
            Ok(Ok(counts)) if counts.failed > 0 => (RunOutcome::Partial, counts, None),
            Ok(Ok(counts)) => (RunOutcome::Succeeded, counts, None),
            Ok(Err(e)) => (RunOutcome::Failed, e.counts, Some(e.message)),
            Err(join) => (
                RunOutcome::Failed,
                RunCounts::default(),
                Some(format!("the flow stopped unexpectedly: {join}")),
            ),
        };
        self.store
            .runs()
            .finish(run_id, outcome, &counts, error.as_deref(), self.clock.now())
            .await?;
        self.events.emit(EngineEvent::RunFinished {
            run_id,
            flow: name.to_owned(),
            outcome: outcome.as_str().to_owned(),
            written: counts.written,
            failed: counts.failed,
            duration_ms: u64::try_from(timer.elapsed().as_millis()).unwrap_or(u64::MAX),
        });
        Ok(RunSummary {
            run_id,
            flow: name.to_owned(),
            outcome: outcome.as_str().to_owned(),
            counts,
            error,
        })
    }

    /// Starts due flows every `tick` until `shutdown`, then waits for running flows to finish.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>, tick: Duration) -> Result<(), EngineError> {
        let mut running: JoinSet<()> = JoinSet::new();
        while !*shutdown.borrow() {
            while running.try_join_next().is_some() {}
            for name in self.due(self.clock.now()).await? {
                let this = self.clone();
                running.spawn(async move {
                    match this.run_now(&name, RunTrigger::Schedule).await {
                        Ok(_) => {}
                        Err(EngineError::AlreadyRunning { flow }) => {
                            this.events.emit(EngineEvent::RunSkipped { flow })
                        }
                        Err(e) => {
                            tracing::error!(flow = %name, error = %e, "Scheduled run could not be recorded.")
                        }
                    }
                });
            }
            wait(&mut shutdown, tick).await;
        }
        while running.join_next().await.is_some() {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, h, m, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn parses_intervals_and_cron() {
        assert_eq!(
            "every 30s".parse::<Schedule>().ok(),
            Some(Schedule::Every(Duration::from_secs(30)))
        );
        assert_eq!(
            "every 5m".parse::<Schedule>().ok(),
            Some(Schedule::Every(Duration::from_secs(300)))
        );
        assert_eq!(
            "every 1d".parse::<Schedule>().ok(),
            Some(Schedule::Every(Duration::from_secs(86_400)))
        );
        assert!("0 2 * * *".parse::<Schedule>().is_ok());
        for bad in ["every 0s", "every 5x", "every m", "whenever", "61 * * * *"] {
            assert!(bad.parse::<Schedule>().is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn interval_due_after_previous_start() {
        let s = Schedule::Every(Duration::from_secs(600));
        assert_eq!(s.next_due(None, t(9, 0)), Some(t(9, 0)));
        assert_eq!(s.next_due(Some(t(9, 0)), t(8, 0)), Some(t(9, 10)));
    }

    #[test]
    fn cron_due_at_next_tick() {
        let s: Schedule = "0 2 * * *"
            .parse()
            .unwrap_or(Schedule::Every(Duration::from_secs(1)));
        assert_eq!(s.next_due(None, t(1, 30)), Some(t(2, 0)));
        let next_day = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).single();
        assert_eq!(s.next_due(Some(t(2, 0)), t(0, 0)), next_day);
    }
}

#[cfg(test)]
mod run_guard_tests {
    use paysync_core::{ManualClock, SeededRandom};
    use paysync_store::AuditKey;

    use super::*;

    struct Slow;

    #[async_trait]
    impl Flow for Slow {
        fn name(&self) -> &str {
            "test.slow"
        }
        async fn run(&self, _ctx: &FlowContext) -> Result<RunCounts, FlowError> {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok(RunCounts {
                read: 1,
                written: 1,
                ..RunCounts::default()
            })
        }
    }

    /// A scheduler of the one slow flow, every `secs`, with a 30 s lease.
    fn slow_every(store: &Store, clock: paysync_core::SharedClock, secs: u64) -> Scheduler {
        Scheduler::new(
            vec![FlowSpec {
                flow: Arc::new(Slow),
                schedule: Some(Schedule::Every(Duration::from_secs(secs))),
            }],
            store.clone(),
            clock,
            Arc::new(SeededRandom::new(1)),
            EventBus::new(),
            "test".into(),
            Duration::from_secs(30),
        )
    }

    #[tokio::test]
    async fn two_runs_of_one_flow_never_overlap() {
        let key = AuditKey::new(vec![1; 32]).unwrap_or_else(|e| panic!("key: {e}"));
        let store = Store::open_in_memory(key)
            .await
            .unwrap_or_else(|e| panic!("store: {e}"));
        let clock = ManualClock::at_fixed_origin();
        let scheduler = slow_every(&store, Arc::new(clock), 60);
        let (a, b) = tokio::join!(scheduler.run_now("test.slow", RunTrigger::Manual), async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            scheduler.run_now("test.slow", RunTrigger::Manual).await
        });
        assert_eq!(a.ok().map(|s| s.outcome), Some("succeeded".to_owned()));
        assert!(matches!(b, Err(EngineError::AlreadyRunning { .. })), "{b:?}");
        // Once finished, it can run again; and it is due again only after its interval.
        assert!(scheduler.run_now("test.slow", RunTrigger::Manual).await.is_ok());
        let now = paysync_core::Clock::now(&ManualClock::at_fixed_origin());
        assert!(scheduler.due(now).await.unwrap_or_default().is_empty());
        assert_eq!(
            scheduler
                .due(now + chrono::Duration::seconds(61))
                .await
                .unwrap_or_default(),
            vec!["test.slow"]
        );
    }

    /// A run whose process died (its lease ran out) never blocks its flow: the flow is due at
    /// once, and the next run finishes the dead one as abandoned.
    #[tokio::test]
    async fn a_dead_owners_run_does_not_block_the_flow() {
        let key = AuditKey::new(vec![1; 32]).unwrap_or_else(|e| panic!("key: {e}"));
        let store = Store::open_in_memory(key)
            .await
            .unwrap_or_else(|e| panic!("store: {e}"));
        let clock = Arc::new(ManualClock::at_fixed_origin());
        let now = paysync_core::Clock::now(clock.as_ref());
        // A daemon started a run and was killed: the row stays live with its lease.
        store
            .runs()
            .try_start(
                "test.slow",
                RunTrigger::Schedule,
                "dead-daemon",
                chrono::Duration::seconds(5),
                now,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let scheduler = slow_every(&store, clock.clone(), 3600);
        assert!(
            scheduler.due(now).await.unwrap_or_default().is_empty(),
            "its lease still holds"
        );
        let later = now + chrono::Duration::seconds(6);
        assert_eq!(scheduler.due(later).await.unwrap_or_default(), vec!["test.slow"]);
        clock.advance(chrono::Duration::seconds(6));
        let run = scheduler
            .run_now("test.slow", RunTrigger::Schedule)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(run.outcome, "succeeded");
    }

    /// A notification wakes a flow before its schedule is due, once; a live run is left to
    /// finish first, and a paused flow stays paused.
    #[tokio::test]
    async fn a_woken_flow_is_due_at_the_next_tick_once() {
        let key = AuditKey::new(vec![1; 32]).unwrap_or_else(|e| panic!("key: {e}"));
        let store = Store::open_in_memory(key)
            .await
            .unwrap_or_else(|e| panic!("store: {e}"));
        let clock = Arc::new(ManualClock::at_fixed_origin());
        let now = paysync_core::Clock::now(clock.as_ref());
        let scheduler = slow_every(&store, clock.clone(), 3600);
        assert!(scheduler.run_now("test.slow", RunTrigger::Schedule).await.is_ok());
        assert!(scheduler.due(now).await.unwrap_or_default().is_empty());
        scheduler.wake("test.slow");
        assert_eq!(scheduler.due(now).await.unwrap_or_default(), vec!["test.slow"]);
        assert!(scheduler.due(now).await.unwrap_or_default().is_empty(), "once");

        // Woken while a run is live: due once that run is over.
        let live = store
            .runs()
            .try_start(
                "test.slow",
                RunTrigger::Schedule,
                "other",
                chrono::Duration::seconds(30),
                now,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("not started"));
        scheduler.wake("test.slow");
        assert!(scheduler.due(now).await.unwrap_or_default().is_empty());
        store
            .runs()
            .finish(live, RunOutcome::Succeeded, &RunCounts::default(), None, now)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(scheduler.due(now).await.unwrap_or_default(), vec!["test.slow"]);

        scheduler.wake("test.slow");
        assert!(scheduler.set_paused("test.slow", true).await.unwrap_or(false));
        assert!(scheduler.due(now).await.unwrap_or_default().is_empty(), "paused");
    }
}
