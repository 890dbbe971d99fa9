//! `paysync sandbox`: starts the five simulators with demo data and prints their base URLs.
//! With `--json` the first line of standard output is one JSON object
//! `{"salesforce": URL, "stripe": URL, "checkout": URL, "payoneer": URL, "maldopay": URL}`.

use std::sync::Arc;

use paysync_core::{Clock, SystemClock};
use paysync_sandbox::demo;
use paysync_sandbox::sandbox::{Sandbox, SandboxConfig};

use super::Context;
use super::daemon::Signals;
use crate::output;

/// The demo manifest's file name in the data directory.
pub const MANIFEST_FILE: &str = "sandbox-manifest.json";

/// Runs `paysync sandbox`.
pub async fn run(ctx: &Context, no_demo: bool, seed: Option<u64>) -> anyhow::Result<()> {
    let mut signals = Signals::install()?;
    let section = &ctx.config.sandbox;
    let config = SandboxConfig {
        host: section.host,
        ports: section.ports.clone(),
        seed: seed.unwrap_or(section.seed),
        faults: section.faults.clone(),
        state_dir: section.persist.then(|| ctx.data_dir.join("sandbox")),
    };
    let clock = Arc::new(SystemClock);
    let sandbox = Sandbox::start(&config, clock.clone()).await?;
    let manifest = if no_demo || demo::already_seeded(&sandbox) {
        None
    } else {
        let demo_config = demo::DemoConfig {
            seed: config.seed,
            ..section.demo.clone()
        };
        let manifest = demo::seed(&sandbox, &demo_config, clock.now())?;
        std::fs::create_dir_all(&ctx.data_dir)?;
        let path = ctx.data_dir.join(MANIFEST_FILE);
        std::fs::write(&path, serde_json::to_vec_pretty(&manifest)?)?;
        Some((path, manifest))
    };
    if ctx.json {
        output::line(serde_json::to_string(&sandbox.urls)?)?;
    } else {
        output::line("Paysync sandbox — local simulators (no real provider is contacted):")?;
        for (name, url) in [
            ("Salesforce", &sandbox.urls.salesforce),
            ("Stripe", &sandbox.urls.stripe),
            ("Checkout.com", &sandbox.urls.checkout),
            ("Payoneer", &sandbox.urls.payoneer),
            ("MaldoPay", &sandbox.urls.maldopay),
        ] {
            output::line(format!("  {name:<13} {url}"))?;
        }
        if let Some((path, m)) = &manifest {
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
