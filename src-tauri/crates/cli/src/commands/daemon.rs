//! `paysync daemon`: runs the job runner and the scheduler until SIGINT or SIGTERM, then finishes
//! or releases the jobs it holds.

use anyhow::Context as _;
use tokio::sync::watch;

use super::Context;

/// Runs `paysync daemon`.
pub async fn run(ctx: &Context) -> anyhow::Result<()> {
    // Listen before doing anything else, so a signal during start-up is a clean stop, not a kill.
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut signals = Signals::install()?;
    let watcher = tokio::spawn(async move {
        signals.recv().await;
        tracing::info!("Shutdown requested; finishing running jobs.");
        let _ = stop_tx.send(true);
    });
    let engine = ctx.engine().await?;
    // The listener stops after the engine has, however the engine stopped.
    let (listener_stop, listener_stop_rx) = watch::channel(false);
    let listener = match ctx.config.webhooks.listen {
        Some(addr) => {
            let connections = super::connect::with_store(ctx, engine.store().clone())?;
            let listener = paysync_app::webhook_listener::serve(
                addr,
                ctx.config.webhooks.public_url.clone(),
                engine.clone(),
                connections,
                listener_stop_rx,
            )
            .await
            .with_context(|| format!("listening for webhooks on {addr}"))?;
            Some(listener)
        }
        None => None,
    };
    tracing::info!(data_dir = %ctx.data_dir.display(), pid = std::process::id(), "Daemon started.");
    let result = engine.run(stop_rx).await;
    watcher.abort();
    let _ = listener_stop.send(true);
    if let Some(listener) = listener {
        listener.join().await;
    }
    result?;
    tracing::info!("Daemon stopped cleanly.");
    Ok(())
}

/// SIGINT and SIGTERM, installed before anything else so a signal during start-up is a clean stop.
#[cfg(unix)]
pub struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    /// Starts listening.
    pub fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Waits for the first signal.
    pub async fn recv(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

/// Ctrl-C, where there are no Unix signals.
#[cfg(not(unix))]
pub struct Signals;

#[cfg(not(unix))]
impl Signals {
    /// Starts listening.
    pub fn install() -> std::io::Result<Self> {
        Ok(Self)
    }

    /// Waits for Ctrl-C.
    pub async fn recv(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
