//! Faithful local simulators of the five external APIs Paysync talks to, for tests, benchmarks and
//! the first-run demo (ARCHITECTURE §5). Each simulator follows its provider's published behaviour
//! (error bodies, pagination, signatures, idempotency, rate limits, status enums) and shares no code
//! with the connectors, so it can catch their mistakes.
//!
//! - [`server`]: running one simulator on a loopback port, with `/__sandbox/` admin routes.
//! - [`faults`]: seeded fault injection (latency, error rates, 429 + `Retry-After`, timeouts,
//!   outages, "commit then lose the response"), changeable at run time.

pub mod error;
pub mod faults;
pub mod server;

#[cfg(all(
    feature = "salesforce",
    feature = "stripe",
    feature = "checkout",
    feature = "payoneer",
    feature = "maldopay"
))]
pub mod demo;
#[cfg(all(
    feature = "salesforce",
    feature = "stripe",
    feature = "checkout",
    feature = "payoneer",
    feature = "maldopay"
))]
pub mod sandbox;

#[cfg(feature = "checkout")]
pub mod checkout;
#[cfg(feature = "maldopay")]
pub mod maldopay;
#[cfg(feature = "payoneer")]
pub mod payoneer;
#[cfg(feature = "salesforce")]
pub mod salesforce;
#[cfg(feature = "stripe")]
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
    #[cfg_attr(
        not(any(
            feature = "salesforce",
            feature = "stripe",
            feature = "checkout",
            feature = "payoneer",
            feature = "maldopay"
        )),
        allow(dead_code)
    )]
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
