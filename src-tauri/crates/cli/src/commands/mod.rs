//! One module per subcommand; each opens the engine through [`Context`] and prints its result.

mod audit;
mod bench;
mod bench_dlq;
mod bench_sync;
mod connect;
mod daemon;
mod dlq;
mod init;
mod payouts;
mod reconcile;
mod sandbox;
mod selftest;
mod status;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use paysync_core::{SystemClock, SystemRandom};
use paysync_engine::Engine;

use crate::cli::{Cli, Command};
use paysync_app::config::Config;
use paysync_app::{logging, paths};

use crate::output;

/// What every command needs: where the data is, the configuration, and how to print.
pub struct Context {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The configuration file's path.
    pub config_path: PathBuf,
    /// The loaded configuration.
    pub config: Config,
    /// Print JSON.
    pub json: bool,
    /// The profile whose connections commands use.
    pub profile: String,
}

impl Context {
    /// Opens the engine with the real clock and the OS random source.
    /// The engine, with the provider flows of the accounts connected in this profile.
    pub async fn engine(&self) -> anyhow::Result<Engine> {
        let owner = format!("paysync-{}", std::process::id());
        let options = self.config.engine_options(&self.data_dir, owner);
        let clock: paysync_core::SharedClock = Arc::new(SystemClock);
        let rng: paysync_core::SharedRandom = Arc::new(SystemRandom);
        let engine = Engine::open(options.clone(), clock.clone(), rng.clone()).await?;
        let connected = engine.store().connections().list(Some(&self.profile)).await?;
        if connected.is_empty() {
            return Ok(engine);
        }
        let connections = connect::with_store(self, engine.store().clone())?;
        let extensions = paysync_app::provider_flows::connected(
            &connections,
            &self.config.sync,
            (clock.clone(), rng.clone()),
        )
        .await?;
        drop(engine);
        Ok(Engine::open_extended(options, clock, rng, extensions).await?)
    }
}

/// Runs the parsed command.
pub async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let data_dir = paths::data_dir(cli.data_dir.as_deref())?;
    let config_path = paths::config_file(cli.config.as_deref(), &data_dir);
    let config = Config::load(&config_path).with_context(|| format!("reading {}", config_path.display()))?;
    let file_logs =
        matches!(cli.command, Command::Daemon | Command::Sandbox { .. }).then(|| paths::log_dir(&data_dir));
    let _log_guard = logging::init(&config.log, file_logs.as_deref())?;
    let ctx = Context {
        data_dir,
        config_path,
        config,
        json: cli.json,
        profile: cli.profile,
    };
    match cli.command {
        Command::Init => init::run(&ctx).await,
        Command::Status => status::run(&ctx).await,
        Command::Daemon => daemon::run(&ctx).await,
        Command::Run { flow } => {
            let summary = ctx.engine().await?.run_flow_now(&flow).await?;
            if ctx.json {
                output::json(&summary)
            } else {
                output::line(format!(
                    "{} run {}: {} (read {}, written {}, failed {}){}",
                    summary.flow,
                    summary.run_id,
                    summary.outcome,
                    summary.counts.read,
                    summary.counts.written,
                    summary.counts.failed,
                    summary.error.map(|e| format!(" — {e}")).unwrap_or_default()
                ))
            }
        }
        Command::Pause { flow } => set_paused(&ctx, &flow, true).await,
        Command::Resume { flow } => set_paused(&ctx, &flow, false).await,
        Command::Dlq { command } => dlq::run(&ctx, command).await,
        Command::Payouts { command } => payouts::run(&ctx, command).await,
        Command::Reconcile { command } => reconcile::run(&ctx, command).await,
        Command::Audit { command } => audit::run(&ctx, command).await,
        Command::Selftest { command } => selftest::run(&ctx, command).await,
        Command::Sandbox { no_demo, seed } => sandbox::run(&ctx, no_demo, seed).await,
        Command::Bench { command } => bench::run(&ctx, command).await,
        Command::Connect(args) => connect::connect(&ctx, args).await,
        Command::Connections { command } => connect::connections(&ctx, command).await,
        Command::Webhooks { command } => connect::webhooks(&ctx, command).await,
    }
}

/// `paysync pause` / `paysync resume`.
async fn set_paused(ctx: &Context, flow: &str, paused: bool) -> anyhow::Result<()> {
    ctx.engine().await?.set_flow_paused(flow, paused).await?;
    let state = if paused { "paused" } else { "resumed" };
    if ctx.json {
        output::json(&serde_json::json!({ "flow": flow, "paused": paused }))
    } else {
        output::line(format!("{flow}: schedule {state}"))
    }
}
