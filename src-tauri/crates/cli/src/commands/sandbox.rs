//! `paysync sandbox`: starts the five simulators with demo data and prints their base URLs.
//! With `--json` the first line of standard output is one JSON object
//! `{"salesforce": URL, "stripe": URL, "checkout": URL, "payoneer": URL, "maldopay": URL}`.

use std::sync::Arc;

use paysync_core::SystemClock;

use super::Context;
use super::daemon::Signals;
use crate::output;

/// Runs `paysync sandbox`.
pub async fn run(ctx: &Context, no_demo: bool, seed: Option<u64>) -> anyhow::Result<()> {
    let mut signals = Signals::install()?;
    let started = paysync_app::sandbox::start(
        &ctx.config.sandbox,
        &ctx.data_dir,
        seed,
        !no_demo,
        Arc::new(SystemClock),
    )
    .await?;
    let sandbox = started.sandbox;
    if ctx.json {
        output::line(serde_json::to_string(&sandbox.urls)?)?;
    } else {
        output::line("Paysync sandbox — local simulators (no real provider is contacted):")?;
        for (name, url) in sandbox.urls.named() {
            let label = paysync_app::console::provider_label(name);
            output::line(format!("  {label:<13} {url}"))?;
        }
        if let Some((path, m)) = &started.demo {
            output::line(format!(
                "Demo data: {} customers, {} payments, {} payees, {} payment requests; {} seeded discrepancies (manifest: {}).",
                m.counts.customers,
                m.counts.payments,
                m.counts.payees,
                m.counts.payment_requests,
                m.discrepancies.len(),
                path.display()
            ))?;
        }
        output::line("Press Ctrl-C to stop.")?;
    }
    tracing::info!(urls = ?sandbox.urls, "Sandbox started.");
    signals.recv().await;
    sandbox.stop().await?;
    tracing::info!("Sandbox stopped.");
    Ok(())
}
