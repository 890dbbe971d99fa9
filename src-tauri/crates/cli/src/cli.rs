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
    /// Inspect, replay or discard dead-lettered jobs.
    Dlq {
        /// What to do with the DLQ.
        #[command(subcommand)]
        command: DlqCommand,
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
    /// Benchmarks that print figures.
    Bench {
        /// Which benchmark.
        #[command(subcommand)]
        command: BenchCommand,
    },
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
    /// Put an entry's job back in the queue (same idempotency key).
    Replay {
        /// The entry's id.
        id: i64,
        /// A JSON file with a corrected payload to replay instead of the original.
        #[arg(long)]
        payload_file: Option<PathBuf>,
    },
    /// Close an entry without replaying it.
    Discard {
        /// The entry's id.
        id: i64,
        /// Why (mandatory; recorded in the audit log).
        #[arg(long)]
        reason: String,
    },
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
}
