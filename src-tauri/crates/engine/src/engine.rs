//! The [`Engine`] façade: the one API that the CLI, the desktop shell and `tests/` call.
//! It owns the store, the job runner, the scheduler and the event bus, and it is where the
//! actor of every audited action is attached.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use paysync_core::{SharedClock, SharedRandom};
use paysync_store::{
    AuditEntry, AuditFilter, AuditSort, AuditVerification, Connection, DeadLetter, DeadLetterFilter,
    Enqueued, JobCounts, NewAuditEntry, NewJob, Page, Run, Store, StoreOptions,
};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::{broadcast, watch};

use crate::builtin_flows::{AUDIT_VERIFY, AuditVerifyFlow};
use crate::error::EngineError;
use crate::events::{CounterSnapshot, EngineEvent, EventBus};
use crate::handler::JobHandler;
use crate::keys::load_or_create_audit_key;
use crate::runner::{JobRunner, RunnerConfig};
use crate::scheduler::{FlowSpec, RunSummary, Schedule, Scheduler};
use crate::selftest::{self, LedgerReport, SelftestHandler, SelftestPlan};

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "paysync.db";
/// The audit key file inside the data directory.
pub const AUDIT_KEY_FILE: &str = "audit.key";
/// The self-test ledger inside the data directory.
pub const SELFTEST_LEDGER_FILE: &str = "selftest-ledger.log";

/// How to open an engine.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Where the database, keys and ledgers live.
    pub data_dir: PathBuf,
    /// The job runner's settings.
    pub runner: RunnerConfig,
    /// How often the scheduler looks for due flows.
    pub scheduler_tick: Duration,
    /// Schedules by flow name, overriding each flow's default (`every 1d`, a cron expression, or `off`).
    pub schedules: HashMap<String, String>,
    /// Who is acting, for the audit log (the connected user once accounts are connected).
    pub actor: String,
    /// Attempts a job gets before a retriable failure goes to the DLQ, unless the job says otherwise.
    pub max_attempts: u32,
}

impl EngineOptions {
    /// Defaults for a data directory.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            runner: RunnerConfig::default(),
            scheduler_tick: Duration::from_secs(1),
            schedules: HashMap::new(),
            actor: "local-operator".into(),
            max_attempts: 8,
        }
    }
}

/// One flow's schedule and latest run, for status screens.
#[derive(Debug, Clone, Serialize)]
pub struct FlowStatus {
    /// The flow.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Its schedule as configured, or `None` for run-on-demand only.
    pub schedule: Option<String>,
    /// Its most recent run.
    pub last_run: Option<Run>,
    /// When it is next due (`None` while paused).
    pub next_due: Option<DateTime<Utc>>,
    /// Whether its schedule is paused.
    pub paused: bool,
}

/// The dead-letter queue at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetterDepth {
    /// Open entries.
    pub open: u64,
    /// When the oldest open entry was parked.
    pub oldest_open_at: Option<DateTime<Utc>>,
}

/// Everything `paysync status` and the Overview show.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// The data directory.
    pub data_dir: PathBuf,
    /// Connected accounts (metadata only).
    pub connections: Vec<Connection>,
    /// Flows and their runs.
    pub flows: Vec<FlowStatus>,
    /// Jobs by status.
    pub queue: JobCounts,
    /// The dead-letter queue.
    pub dead_letters: DeadLetterDepth,
    /// The audit chain's head sequence number.
    pub audit_head_seq: Option<i64>,
    /// What this process did since it started.
    pub counters: CounterSnapshot,
}

/// What a front end adds to the built-in engine: job handlers and flows of connected providers.
#[derive(Default)]
pub struct Extensions {
    /// Job handlers by the kind they declare.
    pub handlers: Vec<Arc<dyn JobHandler>>,
    /// Flows with their default schedule (`every 15m`, a cron expression, or `off`), which the
    /// `[flows]` configuration overrides.
    pub flows: Vec<(Arc<dyn crate::scheduler::Flow>, String)>,
    /// The HTTP executors the flows call through; their breaker transitions become
    /// [`EngineEvent::BreakerChanged`] events.
    pub executors: Vec<paysync_connectors::http::Executor>,
    /// Payouts, when Payoneer and Salesforce are both there: the flow (scheduled `every 1m`),
    /// its job handlers and the desk people act through are all registered from it.
    pub payouts: Option<crate::payouts::PayoutsFlow>,
    /// Reconciliation, when Salesforce is connected: the flow (scheduled `every 1d`) and the desk.
    pub reconcile: Option<crate::reconcile::Reconciler>,
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extensions")
            .field("handlers", &self.handlers.len())
            .field(
                "flows",
                &self
                    .flows
                    .iter()
                    .map(|(f, s)| (f.name().to_owned(), s))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The engine.
#[derive(Clone)]
pub struct Engine {
    store: Store,
    clock: SharedClock,
    events: EventBus,
    runner: JobRunner,
    scheduler: Scheduler,
    schedules: Arc<HashMap<String, Option<String>>>,
    options: Arc<EngineOptions>,
    payouts: Option<crate::payouts::PayoutDesk>,
    reconcile: Option<crate::reconcile::ReconDesk>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("data_dir", &self.options.data_dir)
            .finish_non_exhaustive()
    }
}

fn builtin_flows() -> Vec<(Arc<dyn crate::scheduler::Flow>, &'static str)> {
    vec![(Arc::new(AuditVerifyFlow), "every 1d")]
}

impl Engine {
    /// Opens the engine over `options.data_dir` with the built-in handlers and flows.
    pub async fn open(
        options: EngineOptions,
        clock: SharedClock,
        rng: SharedRandom,
    ) -> Result<Self, EngineError> {
        Self::open_with(options, clock, rng, Vec::new()).await
    }

    /// Opens the engine with extra job handlers (connector flows register theirs here).
    pub async fn open_with(
        options: EngineOptions,
        clock: SharedClock,
        rng: SharedRandom,
        extra_handlers: Vec<Arc<dyn JobHandler>>,
    ) -> Result<Self, EngineError> {
        let extensions = Extensions {
            handlers: extra_handlers,
            ..Extensions::default()
        };
        Self::open_extended(options, clock, rng, extensions).await
    }

    /// Opens the engine with extra job handlers and flows (the connected providers' flows).
    pub async fn open_extended(
        options: EngineOptions,
        clock: SharedClock,
        rng: SharedRandom,
        extensions: Extensions,
    ) -> Result<Self, EngineError> {
        let Extensions {
            handlers: mut extra_handlers,
            flows: mut extra_flows,
            executors,
            payouts,
            reconcile,
        } = extensions;
        if let Some(reconciler) = &reconcile {
            extra_flows.push((Arc::new(reconciler.flow()), "every 1d".to_owned()));
        }
        if let Some(flow) = &payouts {
            extra_handlers.extend(flow.handlers());
            extra_flows.push((Arc::new(flow.clone()), "every 1m".to_owned()));
        }
        let dir = &options.data_dir;
        create_private_dir(dir)?;
        let audit_key = load_or_create_audit_key(&dir.join(AUDIT_KEY_FILE), rng.as_ref())?;
        // Store::open refuses a database that is not WAL + synchronous=FULL + foreign keys (§3.2).
        let store = Store::open(StoreOptions {
            path: dir.join(DATABASE_FILE),
            audit_key,
        })
        .await?;
        let events = EventBus::new();
        for executor in &executors {
            forward_breaker_changes(executor.breaker_changes(), events.clone());
        }
        let mut handlers: HashMap<String, Arc<dyn JobHandler>> = HashMap::new();
        let selftest: Arc<dyn JobHandler> = Arc::new(SelftestHandler::new(dir.join(SELFTEST_LEDGER_FILE)));
        for h in std::iter::once(selftest).chain(extra_handlers) {
            handlers.insert(h.kind().to_owned(), h);
        }
        let runner = JobRunner::new(
            store.clone(),
            clock.clone(),
            rng.clone(),
            events.clone(),
            Arc::new(handlers),
            options.runner.clone(),
        );
        let mut specs = Vec::new();
        let mut schedules = HashMap::new();
        let flows = builtin_flows()
            .into_iter()
            .map(|(flow, schedule)| (flow, schedule.to_owned()))
            .chain(extra_flows);
        for (flow, default_schedule) in flows {
            let name = flow.name().to_owned();
            let text = options
                .schedules
                .get(&name)
                .map_or(default_schedule.as_str(), String::as_str)
                .trim()
                .to_owned();
            let schedule = if text == "off" {
                None
            } else {
                Some(text.parse::<Schedule>()?)
            };
            schedules.insert(name, schedule.is_some().then_some(text));
            specs.push(FlowSpec { flow, schedule });
        }
        let payouts = payouts.map(|flow| flow.desk(store.clone(), clock.clone()));
        let reconcile = reconcile.map(|r| crate::reconcile::ReconDesk::new(r, store.clone(), clock.clone()));
        let scheduler = Scheduler::new(
            specs,
            store.clone(),
            clock.clone(),
            rng,
            events.clone(),
            options.runner.owner.clone(),
            options.runner.lease,
        );
        Ok(Self {
            store,
            clock,
            events,
            runner,
            scheduler,
            schedules: Arc::new(schedules),
            options: Arc::new(options),
            payouts,
            reconcile,
        })
    }

    /// The payout desk, when Payoneer and Salesforce are both connected.
    pub fn payouts(&self) -> Result<&crate::payouts::PayoutDesk, EngineError> {
        self.payouts.as_ref().ok_or_else(|| {
            EngineError::Unavailable(
                "Payouts need Payoneer and Salesforce connected (and a Payoneer program id)".to_owned(),
            )
        })
    }

    /// The reconciliation desk, when Salesforce is connected.
    pub fn reconciliation(&self) -> Result<&crate::reconcile::ReconDesk, EngineError> {
        self.reconcile
            .as_ref()
            .ok_or_else(|| EngineError::Unavailable("Reconciliation needs Salesforce connected".to_owned()))
    }

    /// The underlying store, for cross-crate tests and the bench harness.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The engine's clock (injected, so tests control time).
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// Subscribes to engine events.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    /// The engine's options.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.options.data_dir
    }

    /// Connections, flows, queue, DLQ and audit at a glance.
    pub async fn status(&self) -> Result<StatusReport, EngineError> {
        let latest = self.store.runs().latest_per_flow().await?;
        let now = self.clock.now();
        let mut flows = Vec::with_capacity(self.scheduler.flows().len());
        for spec in self.scheduler.flows() {
            let name = spec.flow.name().to_owned();
            let paused = self.scheduler.is_paused(&name).await?;
            let last_run = latest.iter().find(|r| r.flow == name).cloned();
            let next_due = spec
                .schedule
                .as_ref()
                .filter(|_| !paused)
                .and_then(|s| s.next_due(last_run.as_ref().map(|r| r.started_at), now));
            let schedule = self.schedules.get(&name).cloned().flatten();
            flows.push(FlowStatus {
                description: spec.flow.description().to_owned(),
                name,
                schedule,
                last_run,
                next_due,
                paused,
            });
        }
        let (open, oldest_open_at) = self.store.dead_letters().open_summary().await?;
        Ok(StatusReport {
            data_dir: self.options.data_dir.clone(),
            connections: self.store.connections().list(None).await?,
            flows,
            queue: self.store.jobs().counts().await?,
            dead_letters: DeadLetterDepth { open, oldest_open_at },
            audit_head_seq: self.store.audit().head().await?.map(|(seq, _)| seq),
            counters: self.events.counters(),
        })
    }

    /// Runs the job runner and the scheduler until `shutdown` turns true. The audit chain is
    /// verified first: a tampered log stops the engine before it moves anything.
    pub async fn run(&self, shutdown: watch::Receiver<bool>) -> Result<(), EngineError> {
        self.verify_audit().await?;
        let runner = self.runner.clone();
        let jobs = tokio::spawn({
            let stop = shutdown.clone();
            async move { runner.run(stop).await }
        });
        let scheduled = self.scheduler.run(shutdown, self.options.scheduler_tick).await;
        let jobs = jobs.await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "Job runner task failed.");
            Ok(())
        });
        scheduled.and(jobs)
    }

    /// Processes ready jobs until none is left (one-shot use and tests).
    pub async fn run_jobs_until_idle(&self) -> Result<u64, EngineError> {
        self.runner.run_until_idle().await
    }

    /// Takes back expired leases now.
    pub async fn reclaim_expired_leases(&self) -> Result<paysync_store::Reclaimed, EngineError> {
        self.runner.reclaim().await
    }

    /// Adds a job to the durable queue.
    pub async fn enqueue(&self, job: &NewJob) -> Result<Enqueued, EngineError> {
        Ok(self.store.jobs().enqueue(job, self.clock.now()).await?)
    }

    /// Asks for a run of `name` at the scheduler's next tick (a provider notified a change). No
    /// effect on a flow that is not registered or has no schedule.
    pub fn wake_flow(&self, name: &str) {
        self.scheduler.wake(name);
    }

    /// Runs a flow now; fails if it is already running.
    pub async fn run_flow_now(&self, name: &str) -> Result<RunSummary, EngineError> {
        self.scheduler
            .run_now(name, paysync_store::RunTrigger::Manual)
            .await
    }

    /// Recent runs, newest first.
    pub async fn recent_runs(&self, flow: Option<&str>, limit: u32) -> Result<Vec<Run>, EngineError> {
        Ok(self.store.runs().recent(flow, limit).await?)
    }

    /// A page of dead-letter entries, newest first.
    pub async fn dead_letters(
        &self,
        filter: &DeadLetterFilter,
        limit: u32,
        offset: u32,
    ) -> Result<Page<DeadLetter>, EngineError> {
        Ok(self.store.dead_letters().list(filter, limit, offset).await?)
    }

    /// Dead-letter entries grouped by root cause (job kind and error code), largest first.
    pub async fn dead_letter_groups(
        &self,
        status: Option<paysync_store::DeadLetterStatus>,
        limit: u32,
    ) -> Result<Vec<paysync_store::DeadLetterGroup>, EngineError> {
        Ok(self.store.dead_letters().groups(status, limit).await?)
    }

    /// Dead-letter entries of `filter`'s status and narrowing (provider kinds, object, age),
    /// grouped by root cause, largest first.
    pub async fn dead_letter_groups_in(
        &self,
        filter: &DeadLetterFilter,
        limit: u32,
    ) -> Result<Vec<paysync_store::DeadLetterGroup>, EngineError> {
        Ok(self.store.dead_letters().groups_in(filter, limit).await?)
    }

    /// The objects a status's dead letters are about, with how many each.
    pub async fn dead_letter_objects(
        &self,
        status: paysync_store::DeadLetterStatus,
    ) -> Result<Vec<(String, u64)>, EngineError> {
        Ok(self.store.dead_letters().objects(status).await?)
    }

    /// One dead-letter entry with its payload and every attempt.
    pub async fn dead_letter(&self, id: i64) -> Result<DeadLetter, EngineError> {
        self.store
            .dead_letters()
            .get(id)
            .await?
            .ok_or_else(|| EngineError::NotFound {
                what: "dead letter",
                id: id.to_string(),
            })
    }

    /// Puts a dead-letter entry back in the queue, optionally with a corrected payload. The job keeps
    /// its original idempotency key, so replaying something that in fact succeeded cannot write twice.
    pub async fn replay_dead_letter(
        &self,
        id: i64,
        corrected_payload: Option<&Value>,
    ) -> Result<i64, EngineError> {
        let job_id = self
            .store
            .dead_letters()
            .replay(id, corrected_payload, &self.options.actor, self.clock.now())
            .await?;
        self.events.emit(EngineEvent::DeadLetterReplayed {
            dead_letter_id: id,
            job_id,
        });
        Ok(job_id)
    }

    /// The open dead letters of one root cause (job kind and error code) within `scope`'s
    /// narrowing (provider kinds, object, age; its status, kind and code are ignored), oldest
    /// first.
    pub async fn open_dead_letter_group(
        &self,
        kind: &str,
        code: &str,
        scope: &DeadLetterFilter,
    ) -> Result<Vec<i64>, EngineError> {
        let filter = paysync_store::DeadLetterFilter {
            status: Some(paysync_store::DeadLetterStatus::Open),
            kind: Some(kind.to_owned()),
            error_code: Some(code.to_owned()),
            ..scope.clone()
        };
        let mut ids = Vec::new();
        let page_size = 500;
        loop {
            let offset = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            let page = self.dead_letters(&filter, page_size, offset).await?;
            let got = page.items.len();
            ids.extend(page.items.iter().map(|d| d.id));
            if got < page_size as usize {
                break;
            }
        }
        if ids.is_empty() {
            return Err(EngineError::NotFound {
                what: "open dead letters of",
                id: format!("{kind} / {code}"),
            });
        }
        ids.reverse();
        Ok(ids)
    }

    /// Replays every open dead letter of one root cause within `scope` (see
    /// [`Self::open_dead_letter_group`]), oldest first, each with its original idempotency key and
    /// its own audit entry; returns (dead letter, job) pairs.
    pub async fn replay_dead_letter_group(
        &self,
        kind: &str,
        code: &str,
        scope: &DeadLetterFilter,
    ) -> Result<Vec<(i64, i64)>, EngineError> {
        let mut replayed = Vec::new();
        for id in self.open_dead_letter_group(kind, code, scope).await? {
            replayed.push((id, self.replay_dead_letter(id, None).await?));
        }
        Ok(replayed)
    }

    /// Discards every open dead letter of one root cause with one reason (mandatory), each with
    /// its own audit entry; returns their ids.
    pub async fn discard_dead_letter_group(
        &self,
        kind: &str,
        code: &str,
        reason: &str,
        scope: &DeadLetterFilter,
    ) -> Result<Vec<i64>, EngineError> {
        if reason.trim().is_empty() {
            return Err(EngineError::Invalid {
                field: "reason",
                message: "say why these failures are discarded".to_owned(),
            });
        }
        let ids = self.open_dead_letter_group(kind, code, scope).await?;
        for id in &ids {
            self.discard_dead_letter(*id, reason.trim()).await?;
        }
        Ok(ids)
    }

    /// What replaying a dead-letter entry (with `corrected` as its payload, when given) would
    /// write, field by field against the target's current state; writes nothing. `None` when
    /// its kind has no preview.
    pub async fn preview_dead_letter(
        &self,
        id: i64,
        corrected: Option<&Value>,
    ) -> Result<Option<Value>, EngineError> {
        let letter = self.dead_letter(id).await?;
        let Some((handler, ctx)) = self.runner.handler_for(&letter.kind) else {
            return Ok(None);
        };
        let payload = corrected.unwrap_or(&letter.payload);
        handler
            .preview(&ctx, payload)
            .await
            .map_err(|e| EngineError::Provider(format!("previewing dead letter {id}: {}", e.message)))
    }

    /// Closes a dead-letter entry without replaying it; the reason is mandatory and audited.
    pub async fn discard_dead_letter(&self, id: i64, reason: &str) -> Result<(), EngineError> {
        self.store
            .dead_letters()
            .discard(id, reason, &self.options.actor, self.clock.now())
            .await?;
        self.events
            .emit(EngineEvent::DeadLetterDiscarded { dead_letter_id: id });
        Ok(())
    }

    /// Verifies the whole audit chain against its anchored head.
    pub async fn verify_audit(&self) -> Result<AuditVerification, EngineError> {
        match self.store.audit().verify().await {
            Ok(v) => {
                self.events
                    .emit(EngineEvent::AuditVerified { entries: v.entries });
                Ok(v)
            }
            Err(paysync_store::StoreError::Audit(e)) => {
                let reason = e.to_string();
                self.events.emit(EngineEvent::AuditTampered {
                    reason: reason.clone(),
                });
                Err(EngineError::AuditTampered(reason))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Appends an audit entry as this engine's actor.
    pub async fn record_audit(
        &self,
        action: &str,
        subject: &str,
        details: Value,
    ) -> Result<AuditEntry, EngineError> {
        let entry = NewAuditEntry {
            actor: self.options.actor.clone(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            details,
        };
        Ok(self.store.audit().append(&entry, self.clock.now()).await?)
    }

    /// Audit entries, newest first.
    pub async fn audit_entries(&self, limit: u32, offset: u32) -> Result<Vec<AuditEntry>, EngineError> {
        Ok(self.store.audit().list(limit, offset).await?)
    }

    /// One page of the audit log, filtered and sorted in the database.
    pub async fn audit_page(
        &self,
        filter: &AuditFilter,
        sort: AuditSort,
        limit: u32,
        offset: u32,
    ) -> Result<Page<AuditEntry>, EngineError> {
        Ok(self.store.audit().page(filter, sort, limit, offset).await?)
    }

    /// One page of provider payments for the Payments view.
    pub async fn payments_page(
        &self,
        filter: &paysync_store::PaymentFilter,
        sort: paysync_store::PaymentSort,
        limit: u32,
        offset: u32,
    ) -> Result<Page<paysync_store::StoredPayment>, EngineError> {
        Ok(self.store.payments().page(filter, sort, limit, offset).await?)
    }

    /// A payment and its timeline of events and Salesforce writes, or `None` if it is not stored.
    pub async fn payment_timeline(
        &self,
        provider: &str,
        provider_id: &str,
    ) -> Result<Option<crate::payment_timeline::PaymentTimeline>, EngineError> {
        crate::payment_timeline::timeline(&self.store, provider, provider_id).await
    }

    /// Succeeded provider payment volume per day and currency over the last `days` days.
    pub async fn daily_volume(&self, days: u32) -> Result<Vec<paysync_store::DailyVolume>, EngineError> {
        let since = self.clock.now() - chrono::Duration::days(i64::from(days));
        Ok(self.store.payments().daily_volume(since).await?)
    }

    /// A user preference (`console.*` keys), as stored.
    pub async fn preference(&self, key: &str) -> Result<Option<String>, EngineError> {
        Ok(self.store.settings().get(&preference_key(key)?).await?)
    }

    /// Changes a user preference; the change is audited with its old and new value.
    pub async fn set_preference(&self, key: &str, value: &str) -> Result<(), EngineError> {
        let stored = preference_key(key)?;
        let old = self.store.settings().get(&stored).await?;
        if old.as_deref() == Some(value) {
            return Ok(());
        }
        self.store
            .settings()
            .set(&stored, value, self.clock.now())
            .await?;
        self.record_audit(
            "preference.change",
            key,
            serde_json::json!({ "from": old, "to": value }),
        )
        .await?;
        Ok(())
    }

    /// Pauses or resumes a flow's schedule (audited as `flow.pause` / `flow.resume`). A run in
    /// progress finishes; a paused flow can still be run now by hand.
    pub async fn set_flow_paused(&self, name: &str, paused: bool) -> Result<(), EngineError> {
        if self.scheduler.set_paused(name, paused).await? {
            let action = if paused { "flow.pause" } else { "flow.resume" };
            self.record_audit(action, name, serde_json::json!({ "paused": paused }))
                .await?;
        }
        Ok(())
    }

    /// Enqueues a self-test batch; returns how many jobs were newly created.
    pub async fn enqueue_selftest(&self, plan: &SelftestPlan) -> Result<u64, EngineError> {
        if plan.fail_terminal.saturating_add(plan.fail_retriable) > plan.jobs {
            return Err(EngineError::Invalid {
                field: "jobs",
                message: "more failing jobs than jobs".into(),
            });
        }
        let now = self.clock.now();
        let jobs = plan.jobs(now);
        let mut created = 0;
        for chunk in jobs.chunks(500) {
            let outcome = self.store.jobs().enqueue_many(chunk, now).await?;
            created += outcome
                .iter()
                .filter(|e| matches!(e, Enqueued::Created(_)))
                .count() as u64;
        }
        self.record_audit(
            "selftest.enqueue",
            &plan.batch,
            serde_json::json!({ "jobs": plan.jobs, "created": created }),
        )
        .await?;
        Ok(created)
    }

    /// What the self-test ledger shows.
    pub fn selftest_ledger(&self) -> Result<LedgerReport, EngineError> {
        let path = self.options.data_dir.join(SELFTEST_LEDGER_FILE);
        selftest::read_ledger(&path)
            .map(|(report, _)| report)
            .map_err(|e| EngineError::io(&path, e))
    }

    /// The name of the built-in audit verification flow.
    pub const AUDIT_VERIFY_FLOW: &'static str = AUDIT_VERIFY;
}

/// Preferences live beside engine settings under their own prefix, so a preference can never
/// overwrite the audit head or another engine-owned setting.
fn preference_key(key: &str) -> Result<String, EngineError> {
    let valid = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
    if !valid {
        return Err(EngineError::Invalid {
            field: "preference",
            message: format!("{key:?} is not a preference name"),
        });
    }
    Ok(format!("preference.{key}"))
}

/// Turns one executor's breaker transitions into engine events until the executor is gone.
fn forward_breaker_changes(
    mut changes: broadcast::Receiver<paysync_connectors::http::BreakerState>,
    events: EventBus,
) {
    tokio::spawn(async move {
        loop {
            match changes.recv().await {
                Ok(change) => events.emit(EngineEvent::BreakerChanged {
                    provider: change.provider,
                    endpoint: change.endpoint,
                    circuit: change.circuit,
                }),
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    tracing::warn!(skipped, "Breaker changes were missed; the console refetches.");
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

fn create_private_dir(dir: &Path) -> Result<(), EngineError> {
    std::fs::create_dir_all(dir).map_err(|e| EngineError::io(dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| EngineError::io(dir, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use paysync_core::{ManualClock, SeededRandom};

    async fn engine(dir: &Path) -> Engine {
        let clock = Arc::new(ManualClock::new(DateTime::<Utc>::UNIX_EPOCH));
        Engine::open(
            EngineOptions::new(dir.to_path_buf()),
            clock,
            Arc::new(SeededRandom::new(1)),
        )
        .await
        .unwrap_or_else(|e| panic!("engine opens: {e}"))
    }

    #[tokio::test]
    async fn a_paused_flow_is_never_due_until_resumed_and_both_are_audited() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let engine = engine(dir.path()).await;
        let now = engine.clock.now();
        let name = crate::builtin_flows::AUDIT_VERIFY;
        assert_eq!(
            engine.scheduler.due(now).await.unwrap_or_default(),
            vec![name.to_owned()]
        );
        engine
            .set_flow_paused(name, true)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Pausing twice is one change.
        engine
            .set_flow_paused(name, true)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(engine.scheduler.due(now).await.unwrap_or_default().is_empty());
        let status = engine.status().await.unwrap_or_else(|e| panic!("{e}"));
        let flow = status.flows.iter().find(|f| f.name == name);
        assert!(flow.is_some_and(|f| f.paused && f.next_due.is_none()), "{flow:?}");
        // A person may still run it by hand.
        assert!(engine.run_flow_now(name).await.is_ok());
        engine
            .set_flow_paused(name, false)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let status = engine.status().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(
            status
                .flows
                .iter()
                .any(|f| f.name == name && !f.paused && f.next_due.is_some())
        );
        let actions: Vec<String> = engine
            .audit_entries(10, 0)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.action)
            .filter(|a| a.starts_with("flow."))
            .collect();
        assert_eq!(actions.len(), 2, "{actions:?}");
        assert!(actions.contains(&"flow.pause".to_owned()) && actions.contains(&"flow.resume".to_owned()));
        assert!(matches!(
            engine.set_flow_paused("no.such.flow", true).await,
            Err(EngineError::NotFound { what: "flow", .. })
        ));
    }

    #[tokio::test]
    async fn preferences_are_namespaced_validated_and_audited() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let engine = engine(dir.path()).await;
        assert_eq!(engine.preference("console.theme").await.ok().flatten(), None);
        engine
            .set_preference("console.theme", "dark")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // Setting the same value again is not a change and is not audited twice.
        engine
            .set_preference("console.theme", "dark")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            engine.preference("console.theme").await.ok().flatten().as_deref(),
            Some("dark")
        );
        let audit = engine.audit_entries(10, 0).await.unwrap_or_default();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "preference.change");
        // A preference can never reach engine-owned settings such as the audit head.
        for bad in ["", "audit.head", "../x", "Console.Theme"] {
            let err = engine.set_preference(bad, "x").await.err();
            assert!(
                matches!(
                    err,
                    Some(EngineError::Invalid {
                        field: "preference",
                        ..
                    })
                ) || bad == "audit.head",
                "{bad}: {err:?}"
            );
        }
        assert!(
            engine
                .store()
                .settings()
                .get("audit.head")
                .await
                .ok()
                .flatten()
                .is_some()
        );
        assert!(
            engine
                .store()
                .settings()
                .get("preference.audit.head")
                .await
                .ok()
                .flatten()
                .is_some()
        );
        assert!(engine.verify_audit().await.is_ok());
    }
}
