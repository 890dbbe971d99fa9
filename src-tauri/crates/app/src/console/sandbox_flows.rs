//! The provider flows the sandbox profile runs: the same flows a connected account gets, pointed
//! at the simulators with the sandbox's published test keys (which are not secrets).

use std::sync::Arc;

use paysync_connectors::http::{Executor, ExecutorConfig, ProviderConfig, ProviderPolicy, StaticBearer};
use paysync_core::{Secret, SharedClock, SharedRandom};
use paysync_engine::Extensions;
use paysync_engine::flows::stripe_events::StripeEventsFlow;
use paysync_engine::flows::stripe_payments::StripePaymentsFlow;
use paysync_sandbox::sandbox::SandboxUrls;

use super::ConsoleError;

/// Stripe's page size for the pulls.
const PAGE_SIZE: u32 = 100;

/// The flows and their default schedules for the sandbox's simulators.
pub(crate) fn extensions(
    urls: &SandboxUrls,
    clock: SharedClock,
    rng: SharedRandom,
) -> Result<Extensions, ConsoleError> {
    let stripe = ProviderConfig {
        name: paysync_connectors::stripe::PROVIDER.to_owned(),
        base_url: urls.stripe.clone(),
        idempotency_header: Some("Idempotency-Key".to_owned()),
        policy: ProviderPolicy::default(),
        auth: Arc::new(StaticBearer::new(Secret::new(
            paysync_sandbox::stripe::DEFAULT_TEST_KEY.to_owned(),
        ))),
    };
    let executor = Executor::new(&ExecutorConfig::default(), vec![stripe], clock, rng)
        .map_err(|e| ConsoleError::Http(e.to_string()))?;
    Ok(Extensions {
        handlers: Vec::new(),
        flows: vec![
            (
                Arc::new(StripePaymentsFlow::new(executor.clone(), PAGE_SIZE)),
                "every 15m".to_owned(),
            ),
            (
                Arc::new(StripeEventsFlow::new(executor.clone(), PAGE_SIZE)),
                "every 5m".to_owned(),
            ),
        ],
        executors: vec![executor],
    })
}
