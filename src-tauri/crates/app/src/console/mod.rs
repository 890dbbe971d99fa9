//! The console façade: the one API the desktop shell calls, one method per IPC command. It owns
//! the engine, decides the profile (sandbox until a production account is connected), runs the
//! first-run sandbox with demo data, and turns engine results into the [`api`] shapes the UI shows.

pub mod api;
mod error;
mod health;
pub mod payouts;
pub mod reconcile;
pub use health::provider_label;
mod record_links;
mod sandbox_flows;
mod views;

use std::path::PathBuf;
use std::sync::Arc;

use paysync_connectors::http::{BreakerState, Executor};
use paysync_core::{SharedClock, SharedRandom};
use paysync_engine::{Engine, EngineEvent};
use paysync_sandbox::sandbox::{Sandbox, SandboxUrls};
use paysync_store::{AuditFilter, AuditSort};
use tokio::sync::{Mutex, broadcast, watch};

use crate::config::Config;
use crate::connections::{Connections, KeyCredentials, PROVIDERS, Profile as ConnectionProfile, ProfileKind};
use crate::keychain::OsKeychain;
use api::{
    AppInfo, AuditPage, AuditQuery, AuditStatus, ConnectInput, ConnectMethod, ConnectionCard, ConnectionTest,
    ConsoleEvent, DemoSummary, FacetChoice, FailureAge, FailureDetail, FailureFacets, FailureGroup,
    FailureGroupOutcome, FailurePage, FailurePreview, FailureQuery, FailureScope, FieldChange, FlowRow,
    Overview, PaymentDetail, PaymentPage, PaymentQuery, Preferences, Profile, RunRow, SandboxInfo, Screen,
    SearchHit, Simulator, Theme,
};
pub use error::ConsoleError;

/// A corrected payload typed in the console (JSON text), when one was given.
fn corrected_payload(text: Option<String>) -> Result<Option<serde_json::Value>, ConsoleError> {
    text.filter(|text| !text.trim().is_empty())
        .map(|text| {
            serde_json::from_str(&text).map_err(|e| {
                ConsoleError::invalid("payload", format!("the corrected payload is not JSON: {e}"))
            })
        })
        .transpose()
}

/// Days of synced volume the Overview charts.
pub const VOLUME_DAYS: u32 = 30;

/// Largest page the console asks the engine for.
pub const MAX_PAGE: u32 = 500;

const THEME_KEY: &str = "console.theme";
const CLOSE_TO_TRAY_KEY: &str = "console.close_to_tray";

/// How to open the console.
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The loaded configuration.
    pub config: Config,
    /// This process's name for job leases.
    pub owner: String,
    /// The app's version, shown in the frame.
    pub version: String,
}

/// How far the first-run demo data has got.
#[derive(Debug, Clone)]
enum Seeding {
    /// Still being seeded, on a blocking thread.
    InProgress,
    /// Done; `None` when the sandbox already held its demo data.
    Done(Option<DemoSummary>),
    /// Seeding failed; the simulators run without demo data.
    Failed(String),
}

struct RunningSandbox {
    urls: SandboxUrls,
    /// The simulated org's user: the sandbox's approver of payout batches.
    approver: String,
    seeding: watch::Receiver<Seeding>,
    /// The simulators, handed back by the seeding task when it is done; stopped on shutdown.
    sandbox: Mutex<Option<Sandbox>>,
    seeder: Mutex<Option<tokio::task::JoinHandle<Sandbox>>>,
}

/// The running console: engine, profile and (in the sandbox profile) the simulators.
#[derive(Clone)]
pub struct Console {
    engine: Engine,
    profile: Profile,
    sandbox: Option<Arc<RunningSandbox>>,
    executors: Vec<Executor>,
    connections: Connections,
    /// The audit chain's last verification, kept fresh by engine events so the Overview never
    /// re-reads the whole chain.
    audit: Arc<std::sync::Mutex<Option<AuditStatus>>>,
    http: reqwest::Client,
    clock: SharedClock,
    version: String,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("profile", &self.profile)
            .field("data_dir", &self.engine.data_dir())
            .finish_non_exhaustive()
    }
}

impl Console {
    /// Opens the engine and, when no production account is connected, starts the sandbox's
    /// simulators. Demo data is seeded in the background so the window has answers at once; the
    /// scheduler starts (in [`Console::run`]) once the demo is in place.
    pub async fn open(
        options: ConsoleOptions,
        clock: SharedClock,
        rng: SharedRandom,
    ) -> Result<Self, ConsoleError> {
        let engine_options = options
            .config
            .engine_options(&options.data_dir, options.owner.clone());
        // Production accounts are recorded by the Connections screen; until one exists the
        // console runs on the sandbox, whose simulators stand in for every provider.
        let rng_for_connections = rng.clone();
        let probe = Engine::open(engine_options.clone(), clock.clone(), rng.clone()).await?;
        let production = probe
            .status()
            .await?
            .connections
            .iter()
            .any(|c| c.profile == "production");
        let mut engine_options = engine_options;
        // The Salesforce user who connected the profile is who the audit log names.
        let profile_name = if production { "production" } else { "sandbox" };
        if let Some(user) = crate::connections::signed_in_user(probe.store(), profile_name).await? {
            engine_options.actor = user;
        }
        let probe_store = probe.store().clone();
        drop(probe);
        let (engine, profile, sandbox, executors) = if production {
            // The connected accounts' flows; their Salesforce sessions are renewed through the
            // keychain's refresh token.
            let connections = Connections::new(
                probe_store,
                Arc::new(OsKeychain::new()),
                session_http()?,
                (clock.clone(), rng.clone()),
                options.config.profile("production")?,
                &options.config.engine.actor,
            );
            let extensions = crate::provider_flows::connected(
                &connections,
                &options.config.sync,
                (clock.clone(), rng.clone()),
            )
            .await
            .map_err(|e| ConsoleError::Http(e.to_string()))?;
            let executors = extensions.executors.clone();
            let engine = Engine::open_extended(engine_options, clock.clone(), rng, extensions).await?;
            (engine, Profile::Production, None, executors)
        } else {
            let section = &options.config.sandbox;
            let simulators =
                crate::sandbox::start_simulators(section, &options.data_dir, None, clock.clone()).await?;
            tracing::info!(urls = ?simulators.urls, "Sandbox profile: simulators started.");
            let extensions =
                sandbox_flows::extensions(&simulators, &options.config.sync, clock.clone(), rng.clone())?;
            let executors = extensions.executors.clone();
            let engine = Engine::open_extended(engine_options, clock.clone(), rng, extensions).await?;
            let urls = simulators.urls.clone();
            let approver = simulators.salesforce.user().user_id;
            let (tx, seeding) = watch::channel(Seeding::InProgress);
            let (section, data_dir, seed_clock) = (section.clone(), options.data_dir.clone(), clock.clone());
            let seeder = tokio::task::spawn_blocking(move || {
                let started = std::time::Instant::now();
                let state =
                    match crate::sandbox::seed_demo(&simulators, &section, &data_dir, None, &seed_clock) {
                        Ok(demo) => Seeding::Done(demo.map(|(_, m)| DemoSummary {
                            customers: m.counts.customers,
                            payments: m.counts.payments,
                            payees: m.counts.payees,
                            payment_requests: m.counts.payment_requests,
                            discrepancies: m.discrepancies.len() as u64,
                        })),
                        Err(e) => {
                            tracing::error!(error = %e, "Demo data could not be seeded.");
                            Seeding::Failed(e.to_string())
                        }
                    };
                tracing::info!(
                    elapsed_ms = started.elapsed().as_millis(),
                    "Sandbox demo data ready."
                );
                let _ = tx.send(state);
                simulators
            });
            let running = RunningSandbox {
                urls,
                approver,
                seeding,
                sandbox: Mutex::new(None),
                seeder: Mutex::new(Some(seeder)),
            };
            (engine, Profile::Sandbox, Some(Arc::new(running)), executors)
        };
        let http = session_http()?;
        let connection_profile = match &sandbox {
            // The sandbox profile's providers are the simulators, with the Salesforce
            // simulator's registered desktop client.
            Some(s) => ConnectionProfile {
                salesforce_client_id: Some(paysync_sandbox::salesforce::SANDBOX_CLIENT_ID.to_owned()),
                ..ConnectionProfile::new(
                    "sandbox",
                    ProfileKind::Sandbox,
                    &s.urls
                        .named()
                        .into_iter()
                        .map(|(p, u)| (p.to_owned(), u.to_owned()))
                        .collect(),
                )
            },
            None => options.config.profile("production")?,
        };
        let connections = Connections::new(
            engine.store().clone(),
            Arc::new(OsKeychain::new()),
            http.clone(),
            (clock.clone(), rng_for_connections),
            connection_profile,
            &options.config.engine.actor,
        );
        Ok(Self {
            engine,
            profile,
            sandbox,
            executors,
            connections,
            audit: Arc::new(std::sync::Mutex::new(None)),
            http,
            clock,
            version: options.version,
        })
    }

    /// The engine, for the shell's background loop.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The active profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Waits for the demo data (so no flow syncs a half-seeded sandbox), then runs the engine (job
    /// runner and scheduler) until `shutdown` turns true, then stops the sandbox.
    pub async fn run(&self, shutdown: watch::Receiver<bool>) -> Result<(), ConsoleError> {
        if let Some(sandbox) = &self.sandbox {
            let seeder = sandbox.seeder.lock().await.take();
            if let Some(seeder) = seeder {
                let simulators = seeder
                    .await
                    .map_err(|e| ConsoleError::Background(format!("the demo seeding task failed: {e}")))?;
                *sandbox.sandbox.lock().await = Some(simulators);
            }
        }
        let audit_watch = tokio::spawn(keep_audit_status(
            self.engine.subscribe(),
            self.audit.clone(),
            self.clock.clone(),
        ));
        let result = self.engine.run(shutdown).await;
        audit_watch.abort();
        if let Some(sandbox) = &self.sandbox
            && let Some(running) = sandbox.sandbox.lock().await.take()
        {
            running.stop().await?;
        }
        Ok(result?)
    }

    /// Engine events as the console shows them.
    pub fn subscribe(&self) -> ConsoleEvents {
        ConsoleEvents(self.engine.subscribe())
    }

    /// The frame: profile, version, sandbox and preferences.
    pub async fn app_info(&self) -> Result<AppInfo, ConsoleError> {
        let sandbox = self.sandbox.as_ref().map(|s| SandboxInfo {
            simulators: s
                .urls
                .named()
                .into_iter()
                .map(|(provider, url)| Simulator {
                    provider: provider.to_owned(),
                    base_url: url.to_owned(),
                })
                .collect(),
            seeding: matches!(*s.seeding.borrow(), Seeding::InProgress),
            seeding_problem: match &*s.seeding.borrow() {
                Seeding::Failed(problem) => Some(problem.clone()),
                Seeding::InProgress | Seeding::Done(_) => None,
            },
            demo: match &*s.seeding.borrow() {
                Seeding::Done(demo) => demo.clone(),
                Seeding::InProgress | Seeding::Failed(_) => None,
            },
        });
        Ok(AppInfo {
            profile: self.profile,
            version: self.version.clone(),
            data_dir: self.engine.data_dir().display().to_string(),
            sandbox,
            preferences: self.preferences().await?,
        })
    }

    /// Who approves payout batches here: the Salesforce user signed in (in the sandbox, the
    /// simulated org's user); empty when nobody is.
    pub async fn approver(&self) -> Result<String, ConsoleError> {
        if let Some(sandbox) = &self.sandbox {
            return Ok(sandbox.approver.clone());
        }
        Ok(
            crate::connections::signed_in_user_id(self.engine.store(), "production")
                .await?
                .unwrap_or_default(),
        )
    }

    /// Everything on the Overview.
    pub async fn overview(&self) -> Result<Overview, ConsoleError> {
        let status = self.engine.status().await?;
        let recent = self.engine.recent_runs(None, 10).await?;
        let (mut connections, salesforce_api) = match &self.sandbox {
            Some(s) => tokio::join!(
                health::probe_sandbox(&self.http, &s.urls, self.clock.now()),
                health::sandbox_salesforce_usage(&self.http, &s.urls.salesforce),
            ),
            None => (health::from_connections(&status.connections), None),
        };
        health::apply_breakers(&mut connections, &self.breakers());
        let cached = self
            .audit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let audit = match cached {
            Some(audit) => audit,
            None => self.verify_audit().await?,
        };
        let volume = self.engine.daily_volume(VOLUME_DAYS).await?;
        Ok(views::overview(
            self.profile,
            &status,
            &recent,
            views::Extras {
                connections,
                salesforce_api,
                volume: volume.iter().map(views::daily_volume).collect(),
                audit,
                payouts_awaiting_approval: self.payouts_awaiting_approval().await?,
            },
            self.clock.now(),
        ))
    }

    /// Every flow with its schedule and latest run.
    pub async fn flows(&self) -> Result<Vec<FlowRow>, ConsoleError> {
        Ok(self
            .engine
            .status()
            .await?
            .flows
            .iter()
            .map(views::flow_row)
            .collect())
    }

    /// The latest runs, newest first, of one flow or all.
    pub async fn runs(&self, flow: Option<String>, limit: u32) -> Result<Vec<RunRow>, ConsoleError> {
        let runs = self
            .engine
            .recent_runs(flow.as_deref(), limit.clamp(1, MAX_PAGE))
            .await?;
        Ok(runs.iter().map(views::run_row).collect())
    }

    /// Pauses or resumes a flow's schedule (audited); returns the flow's row as it now stands.
    pub async fn set_flow_paused(&self, name: &str, paused: bool) -> Result<FlowRow, ConsoleError> {
        self.engine.set_flow_paused(name, paused).await?;
        self.flows()
            .await?
            .into_iter()
            .find(|f| f.name == name)
            .ok_or_else(|| ConsoleError::NotFound {
                what: "flow",
                id: name.to_owned(),
            })
    }

    /// Runs a flow now and returns its finished run; progress arrives as events meanwhile.
    pub async fn run_flow(&self, name: &str) -> Result<RunRow, ConsoleError> {
        let summary = self.engine.run_flow_now(name).await?;
        let run = self
            .engine
            .recent_runs(Some(name), 5)
            .await?
            .into_iter()
            .find(|r| r.id == summary.run_id)
            .ok_or_else(|| ConsoleError::NotFound {
                what: "run",
                id: summary.run_id.to_string(),
            })?;
        Ok(views::run_row(&run))
    }

    /// One page of payments, filtered and sorted in the database.
    pub async fn payments(&self, query: PaymentQuery) -> Result<PaymentPage, ConsoleError> {
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let currency = blank(&query.currency).map(|c| c.to_ascii_uppercase());
        let bound = |field: &'static str, text: Option<String>| -> Result<Option<i64>, ConsoleError> {
            let Some(text) = text else { return Ok(None) };
            let invalid = |message: String| ConsoleError::invalid(field, message);
            let code = currency
                .as_deref()
                .ok_or_else(|| invalid("choose a currency to filter by amount".to_owned()))?;
            let currency = code
                .parse::<paysync_core::Currency>()
                .map_err(|_| invalid(format!("{code} is not an ISO 4217 currency")))?;
            paysync_core::parse_decimal_amount(&text, currency)
                .map(|m| Some(m.minor()))
                .map_err(|e| invalid(e.to_string()))
        };
        let filter = paysync_store::PaymentFilter {
            text: blank(&query.text),
            status: blank(&query.status),
            min_minor: bound("minAmount", blank(&query.min_amount))?,
            max_minor: bound("maxAmount", blank(&query.max_amount))?,
            currency,
        };
        let sort = paysync_store::PaymentSort {
            column: views::payment_sort(query.sort),
            descending: query.descending,
        };
        let page = self
            .engine
            .payments_page(&filter, sort, query.limit.clamp(1, MAX_PAGE), query.offset)
            .await?;
        Ok(PaymentPage {
            total: page.total,
            rows: page.items.iter().map(views::payment_row).collect(),
        })
    }

    /// One payment with its timeline of provider events and Salesforce writes.
    pub async fn payment(&self, provider: &str, provider_id: &str) -> Result<PaymentDetail, ConsoleError> {
        let found = self
            .engine
            .payment_timeline(provider, provider_id)
            .await?
            .ok_or_else(|| ConsoleError::NotFound {
                what: "payment",
                id: provider_id.to_owned(),
            })?;
        Ok(PaymentDetail {
            payment: views::payment_row(&found.payment),
            timeline: found.entries.iter().map(views::timeline_row).collect(),
        })
    }

    /// The dead-letter narrowing of a Failures scope, relative to now.
    fn failure_scope(&self, scope: &FailureScope) -> Result<paysync_store::DeadLetterFilter, ConsoleError> {
        use std::time::Duration;
        const HOUR: Duration = Duration::from_secs(3_600);
        let (older_than, newer_than) = match scope.age {
            None => (None, None),
            Some(FailureAge::LastHour) => (None, Some(HOUR)),
            Some(FailureAge::LastDay) => (None, Some(HOUR * 24)),
            Some(FailureAge::OlderThanDay) => (Some(HOUR * 24), None),
            Some(FailureAge::OlderThanWeek) => (Some(HOUR * 24 * 7), None),
        };
        Ok(paysync_engine::failure_scope::scope(
            scope.provider.as_deref(),
            scope.object.as_deref(),
            older_than,
            newer_than,
            self.clock.now(),
        )?)
    }

    /// Failures (dead letters) of a status within `scope`, grouped by root cause, largest group
    /// first.
    pub async fn failure_groups(
        &self,
        status: Option<String>,
        scope: &FailureScope,
    ) -> Result<Vec<FailureGroup>, ConsoleError> {
        let filter = paysync_store::DeadLetterFilter {
            status: failure_status(status.as_deref())?,
            ..self.failure_scope(scope)?
        };
        let groups = self.engine.dead_letter_groups_in(&filter, MAX_PAGE).await?;
        Ok(groups.iter().map(views::failure_group).collect())
    }

    /// The choices of the Failures screen's provider and object filters.
    pub async fn failure_facets(&self) -> Result<FailureFacets, ConsoleError> {
        let providers = paysync_engine::failure_scope::providers_with_failures()
            .into_iter()
            .map(|p| FacetChoice {
                value: p.to_owned(),
                label: health::provider_label(p).to_owned(),
                count: None,
            })
            .collect();
        let objects = self
            .engine
            .dead_letter_objects(paysync_store::DeadLetterStatus::Open)
            .await?
            .into_iter()
            .map(|(object, count)| FacetChoice {
                label: views::object_label(&object),
                value: object,
                count: Some(count),
            })
            .collect();
        Ok(FailureFacets { providers, objects })
    }

    /// One page of failures, newest first.
    pub async fn failures(&self, query: FailureQuery) -> Result<FailurePage, ConsoleError> {
        let filter = paysync_store::DeadLetterFilter {
            status: failure_status(query.status.as_deref())?,
            kind: query.kind.filter(|k| !k.is_empty()),
            error_code: query.error_code.filter(|c| !c.is_empty()),
            ..self.failure_scope(&query.scope)?
        };
        let page = self
            .engine
            .dead_letters(&filter, query.limit.clamp(1, MAX_PAGE), query.offset)
            .await?;
        Ok(FailurePage {
            total: page.total,
            rows: page.items.iter().map(views::failure_row).collect(),
        })
    }

    /// One failure with its payload, every attempt and links to the records it is about.
    pub async fn failure(&self, id: i64) -> Result<FailureDetail, ConsoleError> {
        let letter = self.engine.dead_letter(id).await?;
        let records = paysync_engine::failure_records::records_of(&letter.kind, &letter.payload)
            .iter()
            .filter_map(|r| record_links::link(self.base_url(r.provider)?, r))
            .collect();
        Ok(views::failure_detail(&letter, records))
    }

    /// The base URL of a provider this console calls.
    fn base_url(&self, provider: &str) -> Option<&str> {
        self.executors.iter().find_map(|e| e.base_url(provider))
    }

    /// Opens a record's page at its provider with `open` (the system browser) and returns its
    /// URL. Only a Salesforce or Stripe record of a connected account, named plainly, is opened:
    /// the URL is built here, never taken from the caller.
    pub fn open_record(
        &self,
        provider: &str,
        object: &str,
        id: &str,
        test_mode: bool,
        open: impl FnOnce(&str) -> Result<(), String>,
    ) -> Result<String, ConsoleError> {
        let base = self.base_url(provider).ok_or_else(|| {
            ConsoleError::invalid("provider", format!("{provider:?} is not connected here"))
        })?;
        let url = record_links::url(base, provider, object, id, test_mode).ok_or_else(|| {
            ConsoleError::invalid(
                "record",
                format!("{provider} {object} {id:?} has no page to open"),
            )
        })?;
        open(&url).map_err(|e| ConsoleError::invalid("record", format!("could not open {url}: {e}")))?;
        Ok(url)
    }

    /// Replays a failure, with a corrected payload (JSON text) when given; it keeps its original
    /// idempotency key, so a replay of something that in fact succeeded cannot write twice.
    /// Audited with the signed-in user.
    pub async fn replay_failure(
        &self,
        id: i64,
        corrected: Option<String>,
    ) -> Result<FailureDetail, ConsoleError> {
        let corrected = corrected_payload(corrected)?;
        self.engine.replay_dead_letter(id, corrected.as_ref()).await?;
        self.failure(id).await
    }

    /// Closes a failure without replaying it; the reason is required and audited.
    pub async fn discard_failure(&self, id: i64, reason: &str) -> Result<FailureDetail, ConsoleError> {
        if reason.trim().is_empty() {
            return Err(ConsoleError::invalid(
                "reason",
                "say why this failure is discarded",
            ));
        }
        self.engine.discard_dead_letter(id, reason.trim()).await?;
        self.failure(id).await
    }

    /// What replaying a failure (with a corrected payload, JSON text, when given) would write,
    /// field by field against the target's current state; writes nothing.
    pub async fn preview_failure(
        &self,
        id: i64,
        corrected: Option<String>,
    ) -> Result<FailurePreview, ConsoleError> {
        let corrected = corrected_payload(corrected)?;
        let preview = self.engine.preview_dead_letter(id, corrected.as_ref()).await?;
        let Some(p) = preview else {
            return Ok(FailurePreview {
                action: "none".to_owned(),
                object: None,
                target_id: None,
                target_link: None,
                why: Some("This kind of failure has no preview: replaying it runs its job again.".to_owned()),
                fields: Vec::new(),
            });
        };
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        let target_link = match (text(&p["object"]), text(&p["target_id"])) {
            (Some(object), Some(id)) => self.base_url("salesforce").and_then(|base| {
                let target = paysync_engine::failure_records::RecordRef {
                    provider: "salesforce",
                    object,
                    id,
                    test_mode: false,
                };
                record_links::link(base, &target)
            }),
            _ => None,
        };
        Ok(FailurePreview {
            action: text(&p["action"]).unwrap_or_default(),
            object: text(&p["object"]),
            target_id: text(&p["target_id"]),
            target_link,
            why: text(&p["why"]),
            fields: p["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| FieldChange {
                    field: text(&f["field"]).unwrap_or_default(),
                    current: f["current"].to_string(),
                    proposed: f["proposed"].to_string(),
                    changed: f["changed"] == true,
                })
                .collect(),
        })
    }

    /// Replays every open failure of one root cause, oldest first, each with its original
    /// idempotency key; audited per failure with the signed-in user.
    pub async fn replay_failure_group(
        &self,
        kind: &str,
        error_code: &str,
        scope: &FailureScope,
    ) -> Result<FailureGroupOutcome, ConsoleError> {
        let scope = self.failure_scope(scope)?;
        let replayed = self
            .engine
            .replay_dead_letter_group(kind, error_code, &scope)
            .await?;
        Ok(FailureGroupOutcome {
            kind: kind.to_owned(),
            error_code: error_code.to_owned(),
            failure_ids: replayed.into_iter().map(|(id, _)| id).collect(),
        })
    }

    /// Discards every open failure of one root cause; the reason is required and audited per
    /// failure.
    pub async fn discard_failure_group(
        &self,
        kind: &str,
        error_code: &str,
        reason: &str,
        scope: &FailureScope,
    ) -> Result<FailureGroupOutcome, ConsoleError> {
        let scope = self.failure_scope(scope)?;
        let ids = self
            .engine
            .discard_dead_letter_group(kind, error_code, reason, &scope)
            .await?;
        Ok(FailureGroupOutcome {
            kind: kind.to_owned(),
            error_code: error_code.to_owned(),
            failure_ids: ids,
        })
    }

    /// One page of the audit log.
    pub async fn audit(&self, query: AuditQuery) -> Result<AuditPage, ConsoleError> {
        let filter = AuditFilter {
            actor: query.actor.clone(),
            action_prefix: query.action.clone(),
            subject_contains: query.subject.clone(),
        };
        let sort = AuditSort {
            column: views::sort_column(query.sort),
            descending: query.descending,
        };
        let page = self
            .engine
            .audit_page(&filter, sort, query.limit.clamp(1, MAX_PAGE), query.offset)
            .await?;
        Ok(AuditPage {
            total: page.total,
            rows: page.items.iter().map(views::audit_row).collect(),
        })
    }

    /// Verifies the audit chain now. A broken chain is a result to show, not an error.
    pub async fn verify_audit(&self) -> Result<AuditStatus, ConsoleError> {
        let checked_at = self.clock.now();
        let status = match self.engine.verify_audit().await {
            Ok(v) => AuditStatus {
                verified: true,
                entries: v.entries,
                problem: None,
                checked_at,
            },
            Err(paysync_engine::EngineError::AuditTampered(reason)) => AuditStatus {
                verified: false,
                entries: 0,
                problem: Some(reason),
                checked_at,
            },
            Err(e) => return Err(e.into()),
        };
        *self
            .audit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(status.clone());
        Ok(status)
    }

    /// Every circuit breaker that has seen a call.
    pub fn breakers(&self) -> Vec<BreakerState> {
        self.executors.iter().flat_map(Executor::breaker_states).collect()
    }

    /// Finds flows, runs and audit entries matching `text`.
    pub async fn search(&self, text: &str) -> Result<Vec<SearchHit>, ConsoleError> {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            return Ok(Vec::new());
        }
        let mut hits: Vec<SearchHit> = self
            .engine
            .status()
            .await?
            .flows
            .iter()
            .filter(|f| f.name.contains(&needle) || f.description.to_lowercase().contains(&needle))
            .map(|f| SearchHit {
                screen: Screen::Flows,
                title: f.name.clone(),
                detail: f.description.clone(),
                key: f.name.clone(),
            })
            .collect();
        for card in self.connections().await? {
            if card.label.to_lowercase().contains(&needle) || card.provider.contains(&needle) {
                hits.push(SearchHit {
                    screen: Screen::Connections,
                    detail: card.account.clone().unwrap_or_else(|| "Not connected".to_owned()),
                    title: card.label,
                    key: card.provider,
                });
            }
        }
        for filter in [
            AuditFilter {
                subject_contains: Some(text.trim().to_owned()),
                ..AuditFilter::default()
            },
            AuditFilter {
                action_prefix: Some(text.trim().to_owned()),
                ..AuditFilter::default()
            },
        ] {
            let newest = AuditSort {
                descending: true,
                ..AuditSort::default()
            };
            for e in self.engine.audit_page(&filter, newest, 8, 0).await?.items {
                if hits
                    .iter()
                    .any(|h| h.screen == Screen::Audit && h.key == e.seq.to_string())
                {
                    continue;
                }
                hits.push(SearchHit {
                    screen: Screen::Audit,
                    title: format!("{} {}", e.action, e.subject),
                    detail: format!("#{} by {} at {}", e.seq, e.actor, e.at.format("%Y-%m-%d %H:%M")),
                    key: e.seq.to_string(),
                });
            }
        }
        Ok(hits)
    }

    /// A card per provider for the active profile, connected or not.
    pub async fn connections(&self) -> Result<Vec<ConnectionCard>, ConsoleError> {
        let stored = self.connections.list().await?;
        let profile = self.connections.profile();
        Ok(PROVIDERS
            .iter()
            .map(|provider| {
                let conn = stored.iter().find(|c| c.provider == *provider);
                ConnectionCard {
                    provider: (*provider).to_owned(),
                    label: provider_label(provider).to_owned(),
                    profile: profile.name.clone(),
                    method: if *provider == "salesforce" {
                        ConnectMethod::OAuth
                    } else {
                        ConnectMethod::Keys
                    },
                    connected: conn.is_some(),
                    status: conn.map(|c| c.status.clone()),
                    account: conn.map(|c| c.display_name.clone()),
                    account_ref: conn.and_then(|c| c.account_ref.clone()),
                    endpoint: profile.url(provider).map(str::to_owned),
                    connected_at: conn.map(|c| c.created_at),
                    last_success_at: conn.and_then(|c| c.last_success_at),
                    last_error: conn.and_then(|c| c.last_error.clone()),
                }
            })
            .collect())
    }

    /// Connects a provider by key: checked, tested against the provider, then saved (the secret in
    /// the OS keychain). Returns the provider's card, which carries no secret.
    pub async fn connect_with_keys(&self, input: ConnectInput) -> Result<ConnectionCard, ConsoleError> {
        let creds = key_credentials(input);
        let provider = creds.provider();
        self.connections.connect(creds).await?;
        self.card(provider).await
    }

    /// Connects Salesforce through OAuth: `open_browser` opens the sign-in page in the system
    /// browser; resolves when the browser comes back to Paysync's loopback listener.
    pub async fn connect_salesforce(
        &self,
        open_browser: impl FnOnce(&str) -> Result<(), String> + Send,
    ) -> Result<ConnectionCard, ConsoleError> {
        self.connections.connect_salesforce(open_browser).await?;
        self.card("salesforce").await
    }

    /// Tests a connection with its stored credentials.
    pub async fn test_connection(&self, provider: &str) -> Result<ConnectionTest, ConsoleError> {
        let verdict = self.connections.test(provider).await?;
        Ok(ConnectionTest {
            provider: verdict.provider,
            ok: verdict.ok,
            message: verdict.message,
            tested_at: verdict.tested_at,
        })
    }

    /// Disconnects a provider: its secret leaves the keychain, its metadata the database.
    pub async fn disconnect(&self, provider: &str) -> Result<ConnectionCard, ConsoleError> {
        self.connections.disconnect(provider).await?;
        self.card(provider).await
    }

    async fn card(&self, provider: &str) -> Result<ConnectionCard, ConsoleError> {
        self.connections()
            .await?
            .into_iter()
            .find(|c| c.provider == provider)
            .ok_or_else(|| ConsoleError::NotFound {
                what: "provider",
                id: provider.to_owned(),
            })
    }

    /// The user's preferences, with defaults for those never set.
    pub async fn preferences(&self) -> Result<Preferences, ConsoleError> {
        let theme = match self.engine.preference(THEME_KEY).await?.as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::Auto,
        };
        let close_to_tray = self.engine.preference(CLOSE_TO_TRAY_KEY).await?.as_deref() == Some("true");
        Ok(Preferences { theme, close_to_tray })
    }

    /// Saves the user's preferences (each change is audited).
    pub async fn set_preferences(&self, preferences: &Preferences) -> Result<Preferences, ConsoleError> {
        let theme = match preferences.theme {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        };
        self.engine.set_preference(THEME_KEY, theme).await?;
        let tray = if preferences.close_to_tray {
            "true"
        } else {
            "false"
        };
        self.engine.set_preference(CLOSE_TO_TRAY_KEY, tray).await?;
        self.preferences().await
    }
}

fn key_credentials(input: ConnectInput) -> KeyCredentials {
    use paysync_core::Secret;
    match input {
        ConnectInput::Stripe { secret_key } => KeyCredentials::Stripe {
            secret_key: Secret::new(secret_key),
        },
        ConnectInput::Checkout { secret_key } => KeyCredentials::Checkout {
            secret_key: Secret::new(secret_key),
        },
        ConnectInput::CheckoutOauth {
            client_id,
            client_secret,
        } => KeyCredentials::CheckoutOauth {
            client_id,
            client_secret: Secret::new(client_secret),
        },
        ConnectInput::Payoneer {
            program_id,
            client_id,
            client_secret,
        } => KeyCredentials::Payoneer {
            program_id,
            client_id,
            client_secret: Secret::new(client_secret),
        },
        ConnectInput::Maldopay {
            client_id,
            brand_id,
            api_key,
            callback_secret,
        } => KeyCredentials::Maldopay {
            client_id,
            brand_id,
            api_key: Secret::new(api_key),
            callback_secret: Secret::new(callback_secret),
        },
    }
}

/// Keeps the cached audit status in step with the engine's verifications (the scheduled
/// `audit.verify` flow and any other caller).
async fn keep_audit_status(
    mut events: broadcast::Receiver<EngineEvent>,
    cache: Arc<std::sync::Mutex<Option<AuditStatus>>>,
    clock: SharedClock,
) {
    loop {
        let status = match events.recv().await {
            Ok(EngineEvent::AuditVerified { entries }) => AuditStatus {
                verified: true,
                entries,
                problem: None,
                checked_at: clock.now(),
            },
            Ok(EngineEvent::AuditTampered { reason }) => AuditStatus {
                verified: false,
                entries: 0,
                problem: Some(reason),
                checked_at: clock.now(),
            },
            Ok(_) => continue,
            // Missed events may include a verification: forget the cache so the next Overview
            // verifies for itself.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                *cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        *cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(status);
    }
}

/// A subscription to engine events, filtered to what the console shows.
#[derive(Debug)]
pub struct ConsoleEvents(broadcast::Receiver<EngineEvent>);

impl ConsoleEvents {
    /// The next event the console shows; `None` once the engine is gone. A subscriber that fell
    /// behind skips what it missed: the UI refetches on the next event anyway.
    pub async fn next(&mut self) -> Option<ConsoleEvent> {
        loop {
            match self.0.recv().await {
                Ok(event) => {
                    if let Some(e) = views::console_event(&event) {
                        return Some(e);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

/// The client connection checks and session renewals use: short timeouts, no redirects.
fn session_http() -> Result<reqwest::Client, ConsoleError> {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ConsoleError::Http(e.to_string()))
}

/// A failure status from the UI: `open` unless told otherwise, `all` for every status.
fn failure_status(status: Option<&str>) -> Result<Option<paysync_store::DeadLetterStatus>, ConsoleError> {
    match status.unwrap_or("open") {
        "all" | "" => Ok(None),
        other => other.parse().map(Some).map_err(|_| {
            ConsoleError::invalid(
                "status",
                format!("{other:?} is not open, replayed, discarded or all"),
            )
        }),
    }
}

#[cfg(test)]
mod failure_status_tests {
    use super::failure_status;
    use paysync_store::DeadLetterStatus;

    #[test]
    fn open_is_the_default_all_means_every_status_and_others_are_refused() {
        assert_eq!(failure_status(None).ok(), Some(Some(DeadLetterStatus::Open)));
        assert_eq!(failure_status(Some("all")).ok(), Some(None));
        assert_eq!(
            failure_status(Some("discarded")).ok(),
            Some(Some(DeadLetterStatus::Discarded))
        );
        let refused = failure_status(Some("lost"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(refused.contains("status"), "{refused}");
    }
}
