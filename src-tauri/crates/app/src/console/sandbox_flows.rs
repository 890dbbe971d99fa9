//! The provider flows the sandbox profile runs: the same flows a connected account gets, pointed
//! at the simulators with the sandbox's published test keys (which are not secrets), and at the
//! simulated org with a session the sandbox mints for its own user.

use std::sync::Arc;

use async_trait::async_trait;
use paysync_connectors::http::{
    Executor, ExecutorConfig, HttpError, ProviderConfig, ProviderPolicy, RefreshingBearer, StaticBearer,
    TokenSource,
};
use paysync_core::{Secret, SharedClock, SharedRandom};
use paysync_engine::Extensions;
use paysync_engine::flows::salesforce_stripe::{ReverseOptions, SalesforceToStripeFlow};
use paysync_engine::flows::stripe_events::StripeEventsFlow;
use paysync_engine::flows::stripe_payments::StripePaymentsFlow;
use paysync_engine::flows::stripe_salesforce::{ApplyOptions, StripeMappings, StripeToSalesforceFlow};
use paysync_sandbox::salesforce::{SANDBOX_CLIENT_ID, SalesforceSim};
use paysync_sandbox::sandbox::Sandbox;

use super::ConsoleError;

/// Stripe's page size for the pulls.
const PAGE_SIZE: u32 = 100;

/// Sessions for the simulated org, minted for the sandbox's user whenever one expires (the
/// sandbox's stand-in for a connected account's refresh token).
#[derive(Debug)]
struct SandboxSession(Arc<SalesforceSim>);

#[async_trait]
impl TokenSource for SandboxSession {
    async fn fetch(&self) -> Result<Secret<String>, HttpError> {
        let token = self.0.mint_token(SANDBOX_CLIENT_ID, "api");
        token["access_token"]
            .as_str()
            .map(|t| Secret::new(t.to_owned()))
            .ok_or_else(|| HttpError::AuthRefused {
                endpoint: "sandbox".to_owned(),
                message: "the sandbox org issued no session".to_owned(),
            })
    }
}

/// The flows and their default schedules for the sandbox's simulators.
pub(crate) fn extensions(
    sandbox: &Sandbox,
    clock: SharedClock,
    rng: SharedRandom,
) -> Result<Extensions, ConsoleError> {
    let urls = &sandbox.urls;
    let stripe = ProviderConfig {
        name: paysync_connectors::stripe::PROVIDER.to_owned(),
        base_url: urls.stripe.clone(),
        idempotency_header: Some("Idempotency-Key".to_owned()),
        policy: ProviderPolicy::default(),
        auth: Arc::new(StaticBearer::new(Secret::new(
            paysync_sandbox::stripe::DEFAULT_TEST_KEY.to_owned(),
        ))),
    };
    let salesforce = ProviderConfig {
        name: paysync_connectors::salesforce::PROVIDER.to_owned(),
        base_url: urls.salesforce.clone(),
        idempotency_header: None,
        policy: ProviderPolicy::default(),
        auth: Arc::new(RefreshingBearer::new(SandboxSession(sandbox.salesforce.clone()))),
    };
    let executor = Executor::new(&ExecutorConfig::default(), vec![stripe, salesforce], clock, rng)
        .map_err(|e| ConsoleError::Http(e.to_string()))?;
    let mappings = StripeMappings::defaults().map_err(|e| ConsoleError::Http(e.to_string()))?;
    let to_salesforce = StripeToSalesforceFlow::new(
        executor.clone(),
        executor.clone(),
        mappings,
        ApplyOptions::default(),
    );
    let to_stripe =
        SalesforceToStripeFlow::new(executor.clone(), executor.clone(), ReverseOptions::default());
    let mut handlers = vec![to_salesforce.record_handler()];
    handlers.extend(to_stripe.handlers());
    Ok(Extensions {
        handlers,
        flows: vec![
            (
                Arc::new(StripePaymentsFlow::new(executor.clone(), PAGE_SIZE)),
                "every 15m".to_owned(),
            ),
            (
                Arc::new(StripeEventsFlow::new(executor.clone(), PAGE_SIZE)),
                "every 5m".to_owned(),
            ),
            (Arc::new(to_salesforce), "every 5m".to_owned()),
            (Arc::new(to_stripe), "every 5m".to_owned()),
        ],
        executors: vec![executor],
    })
}
