//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Paysync: payment providers ↔ Salesforce sync engine (headless).
#[derive(Debug, Parser)]
#[command(name = "paysync", version, about, long_about = None)]
pub struct Cli {
    /// Data directory (database, keys, logs). Default: the platform's app-data directory.
    #[arg(long, global = true, env = "PAYSYNC_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Configuration file. Default: <data dir>/paysync.toml.
    #[arg(long, global = true, env = "PAYSYNC_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// The profile (named environment) whose connections to use: `sandbox`, `production`, or one
    /// configured under `[profiles.NAME]`.
    #[arg(long, global = true, env = "PAYSYNC_PROFILE", default_value = "sandbox")]
    pub profile: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the data directory, the configuration file and the database.
    Init,
    /// Show connections, flows, last runs, queue and DLQ depth.
    Status,
    /// Run the job runner and scheduler until SIGINT/SIGTERM.
    Daemon,
    /// Run a flow now and wait for it to finish.
    Run {
        /// The flow's name, e.g. audit.verify.
        flow: String,
    },
    /// Pause a flow's schedule (a running run finishes; `paysync run` still works).
    Pause {
        /// The flow's name.
        flow: String,
    },
    /// Resume a paused flow's schedule.
    Resume {
        /// The flow's name.
        flow: String,
    },
    /// Inspect, replay or discard dead-lettered jobs.
    Dlq {
        /// What to do with the DLQ.
        #[command(subcommand)]
        command: DlqCommand,
    },
    /// Payoneer payout batches: list, inspect, dry-run, approve (four eyes) or reject, and the
    /// recipients waiting for a correction.
    Payouts {
        /// What to do.
        #[command(subcommand)]
        command: PayoutsCommand,
    },
    /// Reconciliation of provider money against Salesforce.
    Reconcile {
        /// What to do.
        #[command(subcommand)]
        command: ReconcileCommand,
    },
    /// The tamper-evident audit log.
    Audit {
        /// What to do with the audit log.
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Exercise the job queue end to end with self-test jobs.
    Selftest {
        /// What to do.
        #[command(subcommand)]
        command: SelftestCommand,
    },
    /// Start the local simulators of Salesforce, Stripe, Checkout.com, Payoneer and MaldoPay (with demo
    /// data) and print their base URLs; runs until SIGINT/SIGTERM.
    Sandbox {
        /// Start empty, without demo data.
        #[arg(long)]
        no_demo: bool,
        /// Override the configured seed.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Connect an account: Salesforce through OAuth in the browser, the others with keys. Secrets
    /// left off the command line are read from standard input, one per line (safer: they stay out
    /// of the shell history and the process list).
    Connect(ConnectArgs),
    /// List, test or disconnect the profile's connections.
    Connections {
        /// What to do.
        #[command(subcommand)]
        command: ConnectionsCommand,
    },
    /// Webhook signing secrets, for the listener of `paysync daemon` (`[webhooks] listen`).
    Webhooks {
        /// What to do.
        #[command(subcommand)]
        command: WebhooksCommand,
    },
    /// Benchmarks that print figures.
    Bench {
        /// Which benchmark.
        #[command(subcommand)]
        command: BenchCommand,
    },
}

/// `paysync connect …`
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The provider.
    #[arg(value_enum)]
    pub provider: ProviderArg,
    /// Salesforce: print the sign-in URL instead of opening the browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Stripe or Checkout.com: the secret key (else read from standard input).
    #[arg(long)]
    pub key: Option<String>,
    /// Payoneer: the program id.
    #[arg(long)]
    pub program_id: Option<String>,
    /// Payoneer or MaldoPay: the client id; Checkout.com: the OAuth access key id (`ack_…`), to
    /// connect with an OAuth client instead of a secret key.
    #[arg(long)]
    pub client_id: Option<String>,
    /// Payoneer or Checkout.com (OAuth): the client secret (else read from standard input).
    #[arg(long)]
    pub client_secret: Option<String>,
    /// MaldoPay: the brand id.
    #[arg(long)]
    pub brand_id: Option<String>,
    /// MaldoPay: the API key (else the first line of standard input).
    #[arg(long)]
    pub api_key: Option<String>,
    /// MaldoPay: the callback signing secret (else the next line of standard input).
    #[arg(long)]
    pub callback_secret: Option<String>,
}

/// The providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    /// Salesforce (OAuth).
    Salesforce,
    /// Stripe (secret or restricted key).
    Stripe,
    /// Checkout.com (secret key).
    Checkout,
    /// Payoneer (program API client).
    Payoneer,
    /// MaldoPay (client, brand, API key, callback secret).
    Maldopay,
}

impl ProviderArg {
    /// The provider's name in the engine.
    pub fn name(self) -> &'static str {
        match self {
            Self::Salesforce => "salesforce",
            Self::Stripe => "stripe",
            Self::Checkout => "checkout",
            Self::Payoneer => "payoneer",
            Self::Maldopay => "maldopay",
        }
    }
}

/// `paysync connections …`
#[derive(Debug, Subcommand)]
pub enum ConnectionsCommand {
    /// The profile's connections.
    List,
    /// Test a connection with its stored credentials.
    Test {
        /// The provider.
        #[arg(value_enum)]
        provider: ProviderArg,
    },
    /// Disconnect: revoke (Salesforce) and delete the secret from the keychain.
    Disconnect {
        /// The provider.
        #[arg(value_enum)]
        provider: ProviderArg,
    },
}

/// `paysync webhooks …`
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Save a provider's webhook signing secret (read from standard input) in the
    /// keychain. The one it replaces stays valid for the overlap, so deliveries signed while the
    /// provider rolls its secret are still accepted.
    Secret {
        /// The provider whose deliveries it signs.
        #[arg(value_enum)]
        provider: WebhookProviderArg,
        /// Hours the previous secret stays valid (0–24; match what was chosen in the Dashboard).
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u8).range(0..=24))]
        keep_previous_hours: u8,
    },
}

/// Providers whose webhooks Paysync receives.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WebhookProviderArg {
    /// Stripe (`whsec_…`, from the endpoint's page in the Dashboard).
    Stripe,
    /// Payoneer (the IPCN HMAC secret Payoneer provisions for the program).
    Payoneer,
}

/// `paysync dlq …`
#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// List entries, newest first.
    List(DlqListArgs),
    /// Show one entry with its payload and every attempt.
    Show {
        /// The entry's id.
        id: i64,
    },
    /// What replaying an entry would write, field by field against the target's current state
    /// (writes nothing).
    Preview {
        /// The entry's id.
        id: i64,
        /// A corrected payload (JSON) to preview instead of the stored one.
        #[arg(long)]
        payload_file: Option<std::path::PathBuf>,
    },
    /// Put an entry's job back in the queue (same idempotency key).
    Replay {
        /// The entry's id (or give a whole group with `--kind` and `--code`).
        #[arg(required_unless_present = "kind", conflicts_with_all = ["kind", "code"])]
        id: Option<i64>,
        /// Replay every open entry of this job kind (with `--code`: one root cause, as
        /// `list --group` shows it).
        #[arg(long, requires = "code")]
        kind: Option<String>,
        /// The group's error code.
        #[arg(long, requires = "kind")]
        code: Option<String>,
        /// A JSON file with a corrected payload to replay instead of the original (one entry only).
        #[arg(long, conflicts_with = "kind")]
        payload_file: Option<PathBuf>,
        /// With `--kind` and `--code`: only the group's entries within these filters.
        #[command(flatten)]
        scope: DlqScopeArgs,
    },
    /// Close an entry without replaying it.
    Discard {
        /// The entry's id (or give a whole group with `--kind` and `--code`).
        #[arg(required_unless_present = "kind", conflicts_with_all = ["kind", "code"])]
        id: Option<i64>,
        /// Discard every open entry of this job kind (with `--code`).
        #[arg(long, requires = "code")]
        kind: Option<String>,
        /// The group's error code.
        #[arg(long, requires = "kind")]
        code: Option<String>,
        /// Why (mandatory; recorded in the audit log for each entry).
        #[arg(long)]
        reason: String,
        /// With `--kind` and `--code`: only the group's entries within these filters.
        #[command(flatten)]
        scope: DlqScopeArgs,
    },
}

/// `paysync payouts …`. Approvals and rejections are made as the Salesforce user connected in
/// the profile.
#[derive(Debug, Subcommand)]
pub enum PayoutsCommand {
    /// Batches, newest first.
    List {
        /// `open` (unfinished), `all`, or one status (draft, approved, held, submitted, …).
        #[arg(long, default_value = "open")]
        status: String,
    },
    /// One batch: totals, approvals, the content hash to approve, and every item.
    Show {
        /// The batch id (`pb_…`).
        id: String,
    },
    /// What sending the batch now would do, without sending anything.
    DryRun {
        /// The batch id.
        id: String,
    },
    /// Approve a batch as reviewed: `--hash` is the content hash `show` printed, so an approval
    /// never covers content you did not see.
    Approve {
        /// The batch id.
        id: String,
        /// The content hash you reviewed.
        #[arg(long)]
        hash: String,
    },
    /// Reject a batch; its requests go back to Salesforce with the reason.
    Reject {
        /// The batch id.
        id: String,
        /// Why (mandatory).
        #[arg(long)]
        reason: String,
    },
    /// Items waiting for support to correct their recipient.
    Corrections,
    /// Correct an item's recipient (written to the Salesforce Contact, then checked again).
    Correct {
        /// The item id.
        item: i64,
        /// A new e-mail.
        #[arg(long)]
        email: Option<String>,
        /// A new country (ISO alpha-2).
        #[arg(long)]
        country: Option<String>,
        /// A new Payoneer payee id.
        #[arg(long)]
        payee_id: Option<String>,
    },
}

/// `paysync reconcile …`
#[derive(Debug, Subcommand)]
pub enum ReconcileCommand {
    /// Reconcile a period now: read both sides (unless `--offline`), match, store the results.
    Run {
        /// First day (YYYY-MM-DD); default: `--days` before `--to`.
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Last day (YYYY-MM-DD); default: today.
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        /// Days covered when `--from` is not given.
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// Use only what earlier runs read (no provider or Salesforce call).
        #[arg(long)]
        offline: bool,
    },
    /// Recent runs, newest first.
    Runs {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// One run (the latest by default): totals per currency, results by category and kind.
    Show {
        /// The run id.
        run: Option<i64>,
    },
    /// A run's results, optionally of one category (matched, suggested, exception) and kind.
    Results {
        /// The run id.
        run: i64,
        /// Only this category.
        #[arg(long)]
        category: Option<String>,
        /// Only this kind (e.g. amount_mismatch, missing_in_salesforce, one_to_one).
        #[arg(long)]
        kind: Option<String>,
        /// Page size.
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Results to skip.
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// Decide about a result, as the Salesforce user connected: accept or reject a suggestion,
    /// explain an exception (with a note) or mark it fixed.
    Resolve {
        /// The result id.
        result: i64,
        /// The decision.
        #[arg(value_enum)]
        decision: ResolutionArg,
        /// Why (required to explain).
        #[arg(long)]
        note: Option<String>,
    },
    /// Fix an exception by writing its provider records (a Stripe charge, refund or dispute, or
    /// a Payoneer payout) to Salesforce through the normal write path, as the Salesforce user
    /// connected; the result is marked fixed with the queued jobs in its note.
    Fix {
        /// The result id.
        result: i64,
        /// Why, kept with the decision.
        #[arg(long)]
        note: Option<String>,
        /// Only queue the writes (the daemon or the console runs them); by default they run now.
        #[arg(long)]
        queue_only: bool,
    },
    /// Export a run's results for the accountants.
    Export {
        /// The run id.
        run: i64,
        /// `csv` or `xlsx`.
        #[arg(long, value_enum, default_value_t = ExportArg::Csv)]
        format: ExportArg,
        /// The file to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

/// A decision about a reconciliation result.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ResolutionArg {
    /// Take a suggestion as a match.
    Accept,
    /// Turn a suggestion down.
    Reject,
    /// Explain an exception (needs `--note`).
    Explain,
    /// Mark an exception fixed at its source.
    Fixed,
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportArg {
    /// Comma-separated values, exact decimal amounts.
    Csv,
    /// An Excel workbook (results and totals sheets).
    Xlsx,
}

/// Filters for `paysync dlq list`.
#[derive(Debug, Args)]
pub struct DlqListArgs {
    /// Only entries in this state.
    #[arg(long, value_enum, default_value_t = DlqStatusArg::Open)]
    pub status: DlqStatusArg,
    /// Only entries of this job kind.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only entries with this error code.
    #[arg(long)]
    pub code: Option<String>,
    /// Page size.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Entries to skip.
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
    /// Group by root cause (job kind and error code): counts, the oldest, a sample message.
    #[arg(long)]
    pub group: bool,
    /// Narrower: provider, object, age.
    #[command(flatten)]
    pub scope: DlqScopeArgs,
}

/// Narrows DLQ entries to a provider's flows, an object and an age.
#[derive(Debug, Clone, Default, Args)]
pub struct DlqScopeArgs {
    /// Only entries of flows involving this provider (`stripe`, `salesforce`, `payoneer`).
    #[arg(long)]
    pub provider: Option<String>,
    /// Only entries about this object (`customer`, `charge`, `Account`, `Payment_Request__c`, …).
    #[arg(long)]
    pub object: Option<String>,
    /// Only entries parked longer ago than this (`30m`, `2h`, `7d`).
    #[arg(long)]
    pub older_than: Option<String>,
    /// Only entries parked less long ago than this.
    #[arg(long)]
    pub newer_than: Option<String>,
}

/// A DLQ entry state filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DlqStatusArg {
    /// Waiting for a person.
    Open,
    /// Put back in the queue.
    Replayed,
    /// Closed with a reason.
    Discarded,
    /// Every state.
    All,
}

/// `paysync audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the whole chain against its anchored head; exit code 3 if it fails.
    Verify,
    /// List entries, newest first.
    List {
        /// Page size.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Entries to skip.
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
}

/// `paysync selftest …`
#[derive(Debug, Subcommand)]
pub enum SelftestCommand {
    /// Enqueue a batch of self-test jobs.
    Enqueue {
        /// Names the batch; the same name enqueues nothing twice.
        #[arg(long, default_value = "default")]
        batch: String,
        /// Jobs in total.
        #[arg(long, default_value_t = 100)]
        jobs: u32,
        /// Jobs that fail terminally (straight to the DLQ).
        #[arg(long, default_value_t = 0)]
        fail_terminal: u32,
        /// Jobs that fail retriably until their attempts run out.
        #[arg(long, default_value_t = 0)]
        fail_retriable: u32,
        /// Simulated work per job, in milliseconds.
        #[arg(long, default_value_t = 0)]
        work_ms: u64,
    },
    /// Show what the self-test ledger recorded.
    Report,
}

/// `paysync bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Seed an audit log of N entries in a temporary directory and time its verification.
    Audit {
        /// Entries to seed.
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
    },
    /// Run Stripe → Salesforce end to end against fresh simulators: N Stripe events paged from
    /// the Events API into the inbox while `stripe.salesforce` writes them to the org.
    Sync {
        /// Stripe events in the stream (about N/4 customers with a payment each, some refunded).
        #[arg(long, default_value_t = 100_000)]
        events: u64,
        /// Latency added to every simulator response, in milliseconds.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
    },
    /// Park N failed jobs in the dead-letter queue (through the store's own path) and time the
    /// Failures screen's queries over it: groups, pages at any depth, a group's page, the badge.
    Dlq {
        /// Dead letters to seed.
        #[arg(long, default_value_t = 100_000)]
        items: u64,
        /// How many times each query is timed.
        #[arg(long, default_value_t = 100)]
        rounds: u32,
    },
    /// Reconcile a generated data set with known answers (splits, fees, FX, duplicates, gaps,
    /// look-alikes) of N records per side, and score it: wall time, peak memory, precision and
    /// recall of the confirmed matches.
    Reconcile {
        /// Records per side.
        #[arg(long, default_value_t = 1_000_000)]
        records: u64,
        /// Seed of the generated data.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}
