//! The whole sandbox: all five simulators started together on loopback ports, sharing one clock,
//! each with its own seeded randomness, faults and optional state file.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use paysync_core::{SeededRandom, SharedClock};
use serde::{Deserialize, Serialize};

use crate::checkout::CheckoutSim;
use crate::error::SandboxError;
use crate::faults::FaultConfig;
use crate::maldopay::MaldoPaySim;
use crate::payoneer::PayoneerSim;
use crate::salesforce::SalesforceSim;
use crate::server::{ServeOptions, SimHandle, serve};
use crate::stripe::StripeSim;

/// The five simulators, by name, in a stable order.
pub const SIMULATORS: [&str; 5] = ["salesforce", "stripe", "checkout", "payoneer", "maldopay"];

/// How to start the sandbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxConfig {
    /// The address to listen on; loopback unless deliberately changed.
    pub host: IpAddr,
    /// Ports by simulator name; 0 (the default) picks a free port.
    pub ports: BTreeMap<String, u16>,
    /// Seed for ids and simulated outcomes (each simulator derives its own from it).
    pub seed: u64,
    /// Initial faults by simulator name.
    pub faults: BTreeMap<String, FaultConfig>,
    /// A directory to keep each simulator's state in between runs (none: in memory only).
    pub state_dir: Option<PathBuf>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports: BTreeMap::new(),
            seed: 20_261_121,
            faults: BTreeMap::new(),
            state_dir: None,
        }
    }
}

/// The simulators' base URLs: what a connector configuration points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxUrls {
    /// Salesforce (login host and instance).
    pub salesforce: String,
    /// Stripe API.
    pub stripe: String,
    /// Checkout.com API (and its token endpoint).
    pub checkout: String,
    /// Payoneer API (and its login host).
    pub payoneer: String,
    /// MaldoPay API.
    pub maldopay: String,
}

impl SandboxUrls {
    /// Each simulator's name (as in [`SIMULATORS`]) and base URL, in that order.
    pub fn named(&self) -> [(&'static str, &str); 5] {
        [
            ("salesforce", &self.salesforce),
            ("stripe", &self.stripe),
            ("checkout", &self.checkout),
            ("payoneer", &self.payoneer),
            ("maldopay", &self.maldopay),
        ]
    }
}

/// A running sandbox.
#[derive(Debug)]
pub struct Sandbox {
    /// Where each simulator listens.
    pub urls: SandboxUrls,
    /// The Salesforce simulator, for seeding and inspection.
    pub salesforce: Arc<SalesforceSim>,
    /// The Stripe simulator.
    pub stripe: Arc<StripeSim>,
    /// The Checkout.com simulator.
    pub checkout: Arc<CheckoutSim>,
    /// The Payoneer simulator.
    pub payoneer: Arc<PayoneerSim>,
    /// The MaldoPay simulator.
    pub maldopay: Arc<MaldoPaySim>,
    handles: Vec<SimHandle>,
}

impl Sandbox {
    /// Starts all five simulators.
    pub async fn start(config: &SandboxConfig, clock: SharedClock) -> Result<Self, SandboxError> {
        if let Some(dir) = &config.state_dir {
            std::fs::create_dir_all(dir).map_err(|e| SandboxError::io(dir, e))?;
        }
        let options = |name: &str| ServeOptions {
            addr: SocketAddr::new(config.host, config.ports.get(name).copied().unwrap_or(0)),
            faults: config.faults.get(name).cloned().unwrap_or_default(),
            persist_to: config.state_dir.as_ref().map(|d| d.join(format!("{name}.json"))),
        };
        // Each simulator gets its own stream, so adding requests to one never shifts another's ids.
        let rng = |i: u64| Arc::new(SeededRandom::new(config.seed.wrapping_mul(31).wrapping_add(i)));
        let (sf, salesforce) =
            serve(options("salesforce"), clock.clone(), rng(1), SalesforceSim::new).await?;
        let (st, stripe) = serve(options("stripe"), clock.clone(), rng(2), StripeSim::new).await?;
        let (co, checkout) = serve(options("checkout"), clock.clone(), rng(3), CheckoutSim::new).await?;
        let (po, payoneer) = serve(options("payoneer"), clock.clone(), rng(4), PayoneerSim::new).await?;
        let (mp, maldopay) = serve(options("maldopay"), clock, rng(5), MaldoPaySim::new).await?;
        let urls = SandboxUrls {
            salesforce: sf.base_url.clone(),
            stripe: st.base_url.clone(),
            checkout: co.base_url.clone(),
            payoneer: po.base_url.clone(),
            maldopay: mp.base_url.clone(),
        };
        Ok(Self {
            urls,
            salesforce,
            stripe,
            checkout,
            payoneer,
            maldopay,
            handles: vec![sf, st, co, po, mp],
        })
    }

    /// The running simulators' handles (faults, base URLs).
    pub fn handles(&self) -> &[SimHandle] {
        &self.handles
    }

    /// Saves every simulator's state (when a state directory is configured).
    pub fn save(&self) -> Result<(), SandboxError> {
        self.handles.iter().try_for_each(SimHandle::save)
    }

    /// Saves state and stops every simulator.
    pub async fn stop(self) -> Result<(), SandboxError> {
        for handle in self.handles {
            handle.stop().await?;
        }
        Ok(())
    }
}
