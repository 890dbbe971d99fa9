//! The provider flows the sandbox profile runs: the same flows a connected account gets, pointed
//! at the simulators with the sandbox's published test keys (which are not secrets), and at the
//! simulated org with a session the sandbox mints for its own user.

use std::sync::Arc;

use async_trait::async_trait;
use paysync_connectors::http::{HttpError, TokenSource};
use paysync_core::{Secret, SharedClock, SharedRandom};
use paysync_engine::Extensions;
use paysync_sandbox::salesforce::{SANDBOX_CLIENT_ID, SalesforceSim};
use paysync_sandbox::sandbox::Sandbox;

use super::ConsoleError;
use crate::provider_flows::{Providers, assemble, payoneer_provider, salesforce_provider, stripe_provider};

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
    sync: &crate::config::SyncSection,
    clock: SharedClock,
    rng: SharedRandom,
) -> Result<Extensions, ConsoleError> {
    let urls = &sandbox.urls;
    let stripe = stripe_provider(
        &urls.stripe,
        Secret::new(paysync_sandbox::stripe::DEFAULT_TEST_KEY.to_owned()),
    );
    let salesforce = salesforce_provider(&urls.salesforce, SandboxSession(sandbox.salesforce.clone()), None);
    let payoneer = payoneer_provider(
        &urls.payoneer,
        paysync_sandbox::payoneer::DEFAULT_CLIENT_ID,
        Secret::new(paysync_sandbox::payoneer::DEFAULT_CLIENT_SECRET.to_owned()),
        clock.clone(),
    )
    .map_err(|e| ConsoleError::Http(e.to_string()))?;
    let providers = Providers {
        stripe: Some(stripe),
        salesforce: Some(salesforce),
        payoneer: Some((payoneer, paysync_sandbox::payoneer::DEFAULT_PROGRAM_ID.to_owned())),
    };
    assemble(providers, sync, (clock, rng)).map_err(|e| ConsoleError::Http(e.to_string()))
}
