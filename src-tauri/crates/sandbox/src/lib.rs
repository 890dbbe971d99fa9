//! Faithful local simulators of the five external APIs Paysync talks to, for tests, benchmarks and
//! the first-run demo (ARCHITECTURE §5). Each simulator follows its provider's published behaviour
//! (error bodies, pagination, signatures, idempotency, rate limits, status enums) and shares no code
//! with the connectors, so it can catch their mistakes.
//!
//! - [`server`]: running one simulator on a loopback port, with `/__sandbox/` admin routes.
//! - [`faults`]: seeded fault injection (latency, error rates, 429 + `Retry-After`, timeouts,
//!   outages, "commit then lose the response"), changeable at run time.
//! - [`salesforce`], [`stripe`], [`checkout`], [`payoneer`], [`maldopay`]: the simulators.
//! - [`sandbox`]: all five started together; [`demo`]: the seeded demo data and its manifest.

pub mod checkout;
pub mod demo;
pub mod error;
pub mod faults;
pub mod maldopay;
pub mod payoneer;
pub mod salesforce;
pub mod sandbox;
pub mod server;
pub mod stripe;

pub use error::SandboxError;
pub use faults::{ErrorFault, FaultConfig, FaultController, FaultRule, Outage};
pub use server::{ServeOptions, SimContext, SimHandle, Simulator, serve};

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for simulator tests: start one on a random loopback port with a manual clock.

    use std::sync::Arc;

    use paysync_core::{ManualClock, SeededRandom};

    use crate::server::{ServeOptions, SimHandle, Simulator, serve};
    use crate::{FaultConfig, SimContext};

    /// Starts `build` on 127.0.0.1:0 with a manual clock at the fixed origin and seed 7.
    pub async fn start<S: Simulator>(
        build: impl FnOnce(SimContext) -> Arc<S>,
    ) -> (SimHandle, Arc<S>, ManualClock, reqwest::Client) {
        let clock = ManualClock::at_fixed_origin();
        let options = ServeOptions {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            faults: FaultConfig::default(),
            persist_to: None,
        };
        let (handle, sim) = serve(
            options,
            Arc::new(clock.clone()),
            Arc::new(SeededRandom::new(7)),
            build,
        )
        .await
        .unwrap_or_else(|e| panic!("start simulator: {e}"));
        (handle, sim, clock, reqwest::Client::new())
    }
}
