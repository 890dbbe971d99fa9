//! Configuration: built-in defaults, then a TOML file, then `PAYSYNC_`-prefixed environment
//! variables (`__` separates sections, e.g. `PAYSYNC_ENGINE__WORKERS=4`). Secrets never live
//! here: connections keep only references to the OS keychain.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use paysync_engine::backoff::RetryPolicy;
use paysync_engine::{EngineOptions, RunnerConfig};
use serde::{Deserialize, Serialize};

/// The example configuration shipped in the repository and written by `paysync init`.
pub const EXAMPLE: &str = include_str!("../../../../paysync.example.toml");

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The job runner and scheduler.
    pub engine: EngineSection,
    /// Backoff between attempts.
    pub retry: RetrySection,
    /// Schedules by flow name (`every 1d`, a cron expression, or `off`).
    pub flows: HashMap<String, String>,
    /// Logging.
    pub log: LogSection,
    /// The local simulators (`paysync sandbox`, and the first-run demo).
    pub sandbox: SandboxSection,
    /// Named environments, each with its own connections (`[profiles.NAME]`). `sandbox` and
    /// `production` exist without being configured.
    pub profiles: std::collections::BTreeMap<String, ProfileSection>,
    /// The webhook listener of `paysync daemon`.
    pub webhooks: WebhooksSection,
    /// How the Stripe ↔ Salesforce flows read and write.
    pub sync: SyncSection,
}

/// `[sync]`: the Stripe ↔ Salesforce flows' options (their schedules are under `[flows]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SyncSection {
    /// `stripe.salesforce`.
    pub stripe_to_salesforce: StripeToSalesforceSection,
    /// `salesforce.stripe`.
    pub salesforce_to_stripe: SalesforceToStripeSection,
    /// `payoneer.payouts`.
    pub payouts: PayoutsSection,
    /// `reconcile.daily` and `paysync reconcile`.
    pub reconcile: ReconcileSection,
}

/// `[sync.reconcile]`: what a scheduled reconciliation covers and how records are matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReconcileSection {
    /// Days a scheduled run covers, ending today (1–92).
    pub days: u32,
    /// `[sync.reconcile.rules]`: amount tolerance, date window, reference and counterparty use.
    pub rules: paysync_core::reconcile::Rules,
}

impl Default for ReconcileSection {
    fn default() -> Self {
        let d = paysync_engine::reconcile::ReconcileOptions::default();
        Self {
            days: d.days,
            rules: d.rules,
        }
    }
}

/// `[sync.payouts]`: how payment requests become Payoneer payouts (the program is the connected
/// Payoneer program).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PayoutsSection {
    /// Items per batch (at most 500, Payoneer's limit).
    pub max_batch: usize,
    /// A batch above this many major units of its currency needs two different approvers.
    pub two_approvers_above: rust_decimal::Decimal,
    /// The `Payment_Request__c.Status__c` Paysync picks up.
    pub request_status: String,
    /// The Opportunity stage whose deals are paid out to their `Payee_Contact__c`. Absent: no
    /// Opportunity is paid out.
    pub opportunity_stage: Option<String>,
}

impl Default for PayoutsSection {
    fn default() -> Self {
        let d = paysync_engine::payouts::PayoutOptions::default();
        Self {
            max_batch: d.max_batch,
            two_approvers_above: d.two_approvers_above,
            request_status: d.request_status,
            opportunity_stage: d.opportunity_stage,
        }
    }
}

/// `[sync.stripe_to_salesforce]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StripeToSalesforceSection {
    /// The share (percent) of the org's daily API allocation the flow may use before it pauses.
    pub api_share_percent: u8,
    /// Inbox events read per batch.
    pub batch_events: u32,
    /// sObject Collections calls in flight at once.
    pub write_concurrency: usize,
    /// Look for an Account the org already keeps (by e-mail, then domain) before creating one for
    /// a new Stripe customer.
    pub match_existing_accounts: bool,
}

impl Default for StripeToSalesforceSection {
    fn default() -> Self {
        let d = paysync_engine::flows::stripe_salesforce::ApplyOptions::default();
        Self {
            api_share_percent: d.api_share_percent,
            batch_events: d.batch_events,
            write_concurrency: d.write_concurrency,
            match_existing_accounts: d.match_existing_accounts,
        }
    }
}

/// `[sync.salesforce_to_stripe]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SalesforceToStripeSection {
    /// Seconds before the watermark each poll reads again.
    pub overlap_secs: u64,
    /// Days a customer has to pay a subscription's invoices.
    pub days_until_due: u32,
}

impl Default for SalesforceToStripeSection {
    fn default() -> Self {
        let d = paysync_engine::flows::salesforce_stripe::ReverseOptions::default();
        Self {
            overlap_secs: u64::try_from(d.overlap.num_seconds()).unwrap_or(60),
            days_until_due: d.days_until_due,
        }
    }
}

impl SyncSection {
    /// The options of `stripe.salesforce`.
    pub fn apply_options(&self) -> paysync_engine::flows::stripe_salesforce::ApplyOptions {
        let s = &self.stripe_to_salesforce;
        paysync_engine::flows::stripe_salesforce::ApplyOptions {
            api_share_percent: s.api_share_percent.clamp(1, 100),
            batch_events: s.batch_events.max(1),
            write_concurrency: s.write_concurrency.max(1),
            match_existing_accounts: s.match_existing_accounts,
            ..paysync_engine::flows::stripe_salesforce::ApplyOptions::default()
        }
    }

    /// The options of `payoneer.payouts` for `program_id`.
    pub fn payout_options(&self, program_id: &str) -> paysync_engine::payouts::PayoutOptions {
        let s = &self.payouts;
        paysync_engine::payouts::PayoutOptions {
            program_id: program_id.to_owned(),
            max_batch: s.max_batch.clamp(1, 500),
            two_approvers_above: s.two_approvers_above.max(rust_decimal::Decimal::ZERO),
            request_status: s.request_status.clone(),
            opportunity_stage: s
                .opportunity_stage
                .as_deref()
                .map(str::trim)
                .filter(|stage| !stage.is_empty())
                .map(str::to_owned),
            ..paysync_engine::payouts::PayoutOptions::default()
        }
    }

    /// The options of `reconcile.daily` and `paysync reconcile`.
    pub fn reconcile_options(&self) -> paysync_engine::reconcile::ReconcileOptions {
        paysync_engine::reconcile::ReconcileOptions {
            rules: self.reconcile.rules.clone(),
            days: self.reconcile.days.clamp(1, 92),
        }
    }

    /// The options of `salesforce.stripe`.
    pub fn reverse_options(&self) -> paysync_engine::flows::salesforce_stripe::ReverseOptions {
        let s = &self.salesforce_to_stripe;
        paysync_engine::flows::salesforce_stripe::ReverseOptions {
            overlap: chrono::Duration::seconds(i64::try_from(s.overlap_secs).unwrap_or(i64::MAX).min(86_400)),
            days_until_due: s.days_until_due,
        }
    }
}

/// `[webhooks]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksSection {
    /// Where `paysync daemon` listens for `POST /webhooks/stripe` and Payoneer's IPCNs at
    /// `POST /webhooks/payoneer/<kind>` (e.g. `"127.0.0.1:8787"`, behind a relay or tunnel that
    /// forwards the provider's deliveries). Off when absent: a desktop is rarely reachable from
    /// the internet, and polling keeps Paysync complete without it.
    pub listen: Option<std::net::SocketAddr>,
    /// The scheme and host the providers call when a relay forwards to `listen` (e.g.
    /// `"https://hooks.example.com"`): Payoneer signs the URL it called, so Paysync must know it.
    /// Absent: `http://` and the `Host` the delivery names.
    pub public_url: Option<String>,
}

/// `[profiles.NAME]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSection {
    /// `sandbox` (test credentials, sandbox hosts) or `production`.
    pub kind: crate::connections::ProfileKind,
    /// Base URLs by provider, replacing the providers' default hosts for this kind (MaldoPay's
    /// host is per merchant and must be set here).
    #[serde(default)]
    pub urls: std::collections::BTreeMap<String, String>,
    /// The consumer key of your Salesforce External Client App (see the README).
    #[serde(default)]
    pub salesforce_client_id: Option<String>,
}

/// `[sandbox]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SandboxSection {
    /// Seed for ids, simulated outcomes and demo data: the same seed gives the same sandbox.
    pub seed: u64,
    /// Address to listen on (loopback by default).
    pub host: std::net::IpAddr,
    /// Ports by simulator (`salesforce`, `stripe`, `checkout`, `payoneer`, `maldopay`); 0 or absent = any free port.
    pub ports: std::collections::BTreeMap<String, u16>,
    /// Keep the simulators' state in `<data dir>/sandbox/` between runs.
    pub persist: bool,
    /// Demo data volumes.
    pub demo: paysync_sandbox::demo::DemoConfig,
    /// Initial faults by simulator (`[sandbox.faults.stripe]`, …); also changeable at run time
    /// through each simulator's `/__sandbox/faults`.
    pub faults: std::collections::BTreeMap<String, paysync_sandbox::FaultConfig>,
}

impl Default for SandboxSection {
    fn default() -> Self {
        Self {
            seed: 20_261_121,
            host: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            ports: std::collections::BTreeMap::new(),
            persist: false,
            demo: paysync_sandbox::demo::DemoConfig::default(),
            faults: std::collections::BTreeMap::new(),
        }
    }
}

/// `[engine]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineSection {
    /// Jobs run at once.
    pub workers: usize,
    /// Seconds a job lease lasts before a crashed worker's job is taken back.
    pub lease_secs: u64,
    /// Milliseconds between looks for new work when idle.
    pub poll_interval_ms: u64,
    /// Seconds a graceful shutdown waits for running jobs.
    pub shutdown_grace_secs: u64,
    /// Seconds between status checks of in-doubt jobs.
    pub in_doubt_check_secs: u64,
    /// Milliseconds between scheduler ticks.
    pub scheduler_tick_ms: u64,
    /// Who is acting, for the audit log, until a Salesforce user is connected.
    pub actor: String,
}

impl Default for EngineSection {
    fn default() -> Self {
        Self {
            workers: 2,
            lease_secs: 60,
            poll_interval_ms: 500,
            shutdown_grace_secs: 10,
            in_doubt_check_secs: 60,
            scheduler_tick_ms: 1000,
            actor: "local-operator".into(),
        }
    }
}

/// `[retry]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetrySection {
    /// Backoff ceiling of the first retry, in milliseconds; doubles per attempt.
    pub base_ms: u64,
    /// Largest backoff ceiling, in milliseconds.
    pub cap_ms: u64,
    /// Attempts before a retriable failure goes to the DLQ.
    pub max_attempts: u32,
}

impl Default for RetrySection {
    fn default() -> Self {
        Self {
            base_ms: 2_000,
            cap_ms: 900_000,
            max_attempts: 8,
        }
    }
}

/// `[log]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    /// A tracing filter, e.g. `info` or `paysync_engine=debug,info`.
    pub level: String,
    /// `text` or `json`.
    pub format: LogFormat,
}

impl Default for LogSection {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people.
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// A configuration that could not be loaded; the message names the file, key and problem.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ConfigError(Box<figment::Error>);

impl Config {
    /// The profile called `name`: as configured, or the built-in `sandbox`/`production`.
    pub fn profile(
        &self,
        name: &str,
    ) -> Result<crate::connections::Profile, crate::connections::ConnectError> {
        use crate::connections::{Profile, ProfileKind};
        match (self.profiles.get(name), name) {
            (Some(p), _) => Ok(Profile {
                salesforce_client_id: p.salesforce_client_id.clone(),
                ..Profile::new(name, p.kind, &p.urls)
            }),
            (None, "sandbox") => Ok(Profile::new(name, ProfileKind::Sandbox, &Default::default())),
            (None, "production") => Ok(Profile::new(name, ProfileKind::Production, &Default::default())),
            (None, _) => Err(crate::connections::ConnectError::UnknownProfile(name.to_owned())),
        }
    }

    /// Loads defaults, then `file` if it exists, then the environment.
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        Self::from_figment(Figment::from(Serialized::defaults(Config::default())).merge(Toml::file(file)))
    }

    /// Parses configuration text (used for the example-file test), then applies the environment.
    #[cfg(test)]
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        Self::from_figment(Figment::from(Serialized::defaults(Config::default())).merge(Toml::string(text)))
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        // Only sectioned variables (`PAYSYNC_ENGINE__WORKERS`) are configuration; others such as
        // `PAYSYNC_DATA_DIR` and `PAYSYNC_LOG` are read elsewhere and must not be refused as unknown keys.
        figment
            .merge(
                Env::prefixed("PAYSYNC_")
                    .filter(|key| key.as_str().contains("__"))
                    .split("__"),
            )
            .extract()
            .map_err(|e| ConfigError(Box::new(e)))
    }

    /// The engine options this configuration describes.
    pub fn engine_options(&self, data_dir: &Path, owner: String) -> EngineOptions {
        let e = &self.engine;
        let mut options = EngineOptions::new(data_dir.to_path_buf());
        options.runner = RunnerConfig {
            owner,
            workers: e.workers.max(1),
            lease: Duration::from_secs(e.lease_secs.max(1)),
            poll_interval: Duration::from_millis(e.poll_interval_ms.max(10)),
            retry: RetryPolicy {
                base: Duration::from_millis(self.retry.base_ms),
                cap: Duration::from_millis(self.retry.cap_ms.max(self.retry.base_ms)),
            },
            shutdown_grace: Duration::from_secs(e.shutdown_grace_secs),
            in_doubt_check_interval: Duration::from_secs(e.in_doubt_check_secs.max(1)),
        };
        options.scheduler_tick = Duration::from_millis(e.scheduler_tick_ms.max(10));
        options.schedules = self.flows.clone();
        options.actor = e.actor.clone();
        options.max_attempts = self.retry.max_attempts.max(1);
        options
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's test jail returns its own large error type.
mod tests {
    use super::*;

    #[test]
    fn the_example_file_parses_and_matches_the_defaults_it_documents() {
        let parsed = Config::from_toml_str(EXAMPLE).unwrap_or_else(|e| panic!("example config: {e}"));
        assert_eq!(parsed.engine, EngineSection::default());
        assert_eq!(parsed.retry, RetrySection::default());
        assert_eq!(
            parsed.flows.get("audit.verify").map(String::as_str),
            Some("every 1d")
        );
    }

    #[test]
    fn the_sync_options_are_read_and_kept_in_range() {
        let parsed = Config::from_toml_str(EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.sync, SyncSection::default());
        let text = "[sync.stripe_to_salesforce]\napi_share_percent = 0\nmatch_existing_accounts = false\n\
                    [sync.salesforce_to_stripe]\ndays_until_due = 14\n";
        let cfg = Config::from_toml_str(text).unwrap_or_else(|e| panic!("{e}"));
        let apply = cfg.sync.apply_options();
        assert_eq!(apply.api_share_percent, 1, "a share of 0 would never write");
        assert!(!apply.match_existing_accounts);
        assert_eq!(cfg.sync.reverse_options().days_until_due, 14);
        assert!(Config::from_toml_str("[sync.stripe_to_salesforce]\nshare = 5\n").is_err());
        let payouts =
            Config::from_toml_str("[sync.payouts]\nmax_batch = 5000\ntwo_approvers_above = \"2500.50\"\n")
                .unwrap_or_else(|e| panic!("{e}"))
                .sync
                .payout_options("100010001");
        assert_eq!(
            payouts.max_batch, 500,
            "Payoneer takes at most 500 payments a call"
        );
        assert_eq!(
            payouts.two_approvers_above,
            rust_decimal::Decimal::new(250_050, 2)
        );
        assert_eq!(payouts.program_id, "100010001");
    }

    #[test]
    fn profiles_are_built_in_or_configured_with_their_own_hosts() {
        use crate::connections::ProfileKind;
        let text = "[profiles.eu-live]\nkind = \"production\"\n[profiles.eu-live.urls]\nmaldopay = \"https://api.maldopay.example\"\n";
        let cfg = Config::from_toml_str(text).unwrap_or_else(|e| panic!("{e}"));
        let eu = cfg.profile("eu-live").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(eu.kind, ProfileKind::Production);
        assert_eq!(eu.url("maldopay"), Some("https://api.maldopay.example"));
        assert_eq!(eu.url("stripe"), Some("https://api.stripe.com"));
        assert_eq!(
            cfg.profile("sandbox").map(|p| p.kind).ok(),
            Some(ProfileKind::Sandbox)
        );
        let unknown = cfg
            .profile("staging")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(unknown.contains("staging"), "{unknown}");
    }

    #[test]
    fn sandbox_faults_can_be_configured() {
        let text = "[sandbox.faults.stripe]\nseed = 9\n[[sandbox.faults.stripe.rules]]\npath_prefix = \"/v1/payment_intents\"\n\
                    latency_ms = 50\nerrors = [{ status = 429, rate_bp = 2000, retry_after_secs = 2 }]\n";
        let cfg = Config::from_toml_str(text).unwrap_or_else(|e| panic!("{e}"));
        let stripe = &cfg.sandbox.faults["stripe"];
        assert_eq!(stripe.seed, 9);
        assert_eq!(stripe.rules[0].errors[0].status, 429);
        assert_eq!(stripe.rules[0].latency_ms, 50);
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let err = Config::from_toml_str("[engine]\nworkerz = 3\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("workerz"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("PAYSYNC_ENGINE__WORKERS", "7");
            jail.set_env("PAYSYNC_LOG__FORMAT", "json");
            jail.set_env("PAYSYNC_LOG", "debug");
            jail.set_env("PAYSYNC_DATA_DIR", "/tmp/elsewhere");
            let cfg = Config::from_toml_str("[engine]\nworkers = 3\n").map_err(|e| *e.0)?;
            assert_eq!(cfg.engine.workers, 7);
            assert_eq!(cfg.log.format, LogFormat::Json);
            Ok(())
        });
    }
}
