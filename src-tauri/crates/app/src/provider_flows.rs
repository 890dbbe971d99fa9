//! The provider flows and their job handlers for whichever accounts a profile has: the sandbox's
//! simulators, or the accounts connected in the keychain. The daemon, `paysync run` and the
//! console register the same set, so a flow behaves the same wherever it runs.

use std::sync::Arc;

use async_trait::async_trait;
use paysync_connectors::http::{
    Executor, ExecutorConfig, HttpError, ProviderConfig, ProviderPolicy, RefreshingBearer, StaticBearer,
    TokenSource,
};
use paysync_core::{Secret, SharedClock, SharedRandom};
use paysync_engine::Extensions;
use paysync_engine::flows::salesforce_stripe::SalesforceToStripeFlow;
use paysync_engine::flows::stripe_events::StripeEventsFlow;
use paysync_engine::flows::stripe_payments::StripePaymentsFlow;
use paysync_engine::flows::stripe_salesforce::{StripeMappings, StripeToSalesforceFlow};
use paysync_engine::payouts::PayoutsFlow;
use paysync_engine::reconcile::Reconciler;

use crate::config::SyncSection;
use crate::connections::{Connections, KeyCredentials};

/// Stripe's page size for the pulls.
const PAGE_SIZE: u32 = 100;

/// The flows could not be assembled (an executor or the default mappings were refused).
#[derive(Debug, thiserror::Error)]
#[error("the provider flows could not be set up: {0}")]
pub struct FlowSetupError(String);

/// Stripe at `base_url` with a secret key.
pub fn stripe_provider(base_url: &str, secret_key: Secret<String>) -> ProviderConfig {
    ProviderConfig {
        name: paysync_connectors::stripe::PROVIDER.to_owned(),
        base_url: base_url.to_owned(),
        idempotency_header: Some("Idempotency-Key".to_owned()),
        policy: ProviderPolicy::default(),
        auth: Arc::new(StaticBearer::new(secret_key)),
    }
}

/// Salesforce at `instance_url`, with sessions from `sessions` (a first one may be known).
pub fn salesforce_provider<S: TokenSource + 'static>(
    instance_url: &str,
    sessions: S,
    current: Option<Secret<String>>,
) -> ProviderConfig {
    let auth = match current {
        Some(token) => RefreshingBearer::with_token(sessions, token),
        None => RefreshingBearer::new(sessions),
    };
    ProviderConfig {
        name: paysync_connectors::salesforce::PROVIDER.to_owned(),
        base_url: instance_url.to_owned(),
        idempotency_header: None,
        policy: ProviderPolicy::default(),
        auth: Arc::new(auth),
    }
}

/// Payoneer at `base_url` (API and token host), with a program's client credentials.
pub fn payoneer_provider(
    base_url: &str,
    client_id: &str,
    client_secret: Secret<String>,
    clock: SharedClock,
) -> Result<ProviderConfig, FlowSetupError> {
    use paysync_connectors::oauth::{ClientCredentials, ClientCredentialsConfig, oauth_http_client};
    let config = ClientCredentialsConfig::payoneer(base_url, client_id, client_secret);
    let http =
        oauth_http_client(std::time::Duration::from_secs(30)).map_err(|e| FlowSetupError(e.to_string()))?;
    let auth = ClientCredentials::new(config, http, clock).map_err(|e| FlowSetupError(e.to_string()))?;
    Ok(ProviderConfig {
        name: paysync_connectors::payoneer::PROVIDER.to_owned(),
        base_url: base_url.to_owned(),
        // Payoneer has no idempotency header: it deduplicates on client_reference_id.
        idempotency_header: None,
        policy: ProviderPolicy::default(),
        auth: Arc::new(auth),
    })
}

/// The provider accounts a profile has.
#[derive(Debug, Default)]
pub struct Providers {
    /// Stripe.
    pub stripe: Option<ProviderConfig>,
    /// Salesforce.
    pub salesforce: Option<ProviderConfig>,
    /// Payoneer, with the program paid from.
    pub payoneer: Option<(ProviderConfig, String)>,
}

/// The flows (with their default schedules), handlers and executor for the providers given:
/// Stripe's pulls when Stripe is there, both directions between Stripe and Salesforce when both
/// are, payouts when Payoneer and Salesforce are, and reconciliation wherever Salesforce is.
pub fn assemble(
    given: Providers,
    sync: &SyncSection,
    (clock, rng): (SharedClock, SharedRandom),
) -> Result<Extensions, FlowSetupError> {
    let Providers {
        stripe,
        salesforce,
        payoneer,
    } = given;
    let both = stripe.is_some() && salesforce.is_some();
    let has_stripe = stripe.is_some();
    let has_salesforce = salesforce.is_some();
    let payouts_program = payoneer
        .as_ref()
        .filter(|_| salesforce.is_some())
        .map(|(_, program)| program.clone());
    let providers: Vec<ProviderConfig> = stripe
        .into_iter()
        .chain(salesforce)
        .chain(payoneer.map(|(p, _)| p))
        .collect();
    if providers.is_empty() {
        return Ok(Extensions::default());
    }
    let executor = Executor::new(&ExecutorConfig::default(), providers, clock, rng)
        .map_err(|e| FlowSetupError(e.to_string()))?;
    let mut extensions = Extensions {
        executors: vec![executor.clone()],
        ..Extensions::default()
    };
    if has_stripe {
        extensions.flows.push((
            Arc::new(StripePaymentsFlow::new(executor.clone(), PAGE_SIZE)),
            "every 15m".to_owned(),
        ));
        extensions.flows.push((
            Arc::new(StripeEventsFlow::new(executor.clone(), PAGE_SIZE)),
            "every 5m".to_owned(),
        ));
    }
    if has_salesforce {
        extensions.reconcile = Some(Reconciler::new(
            has_stripe.then(|| executor.clone()),
            executor.clone(),
            sync.reconcile_options(),
        ));
    }
    if let Some(program) = payouts_program {
        extensions.payouts = Some(PayoutsFlow::new(
            executor.clone(),
            executor.clone(),
            sync.payout_options(&program),
        ));
    }
    if both {
        let mappings = StripeMappings::defaults().map_err(|e| FlowSetupError(e.to_string()))?;
        let to_salesforce =
            StripeToSalesforceFlow::new(executor.clone(), executor.clone(), mappings, sync.apply_options());
        let to_stripe = SalesforceToStripeFlow::new(executor.clone(), executor, sync.reverse_options());
        extensions.handlers.push(to_salesforce.record_handler());
        extensions.handlers.extend(to_stripe.handlers());
        extensions
            .flows
            .push((Arc::new(to_salesforce), "every 5m".to_owned()));
        extensions
            .flows
            .push((Arc::new(to_stripe), "every 5m".to_owned()));
    }
    Ok(extensions)
}

/// Salesforce sessions renewed through a connection's refresh token.
#[derive(Debug)]
struct ConnectedSession(Connections);

#[async_trait]
impl TokenSource for ConnectedSession {
    async fn fetch(&self) -> Result<Secret<String>, HttpError> {
        self.0
            .renew_salesforce_session()
            .await
            .map_err(|e| HttpError::AuthRefused {
                endpoint: "salesforce".to_owned(),
                message: e.to_string(),
            })
    }
}

/// The flows of the accounts connected in `connections`' profile. A connection whose secret
/// cannot be read is left out with a warning (its card says to reconnect), so one broken account
/// never stops the others.
pub async fn connected(
    connections: &Connections,
    sync: &SyncSection,
    (clock, rng): (SharedClock, SharedRandom),
) -> Result<Extensions, FlowSetupError> {
    let profile = connections.profile().clone();
    let stripe = match (connections.get("stripe").await, profile.url("stripe")) {
        (Ok(Some(conn)), Some(url)) => match connections.credentials(&conn).await {
            Ok(KeyCredentials::Stripe { secret_key }) => Some(stripe_provider(url, secret_key)),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, "Stripe is connected but its key cannot be read; its flows are off.");
                None
            }
        },
        (Ok(_), _) => None,
        (Err(e), _) => {
            tracing::warn!(error = %e, "Stripe's connection cannot be read; its flows are off.");
            None
        }
    };
    let salesforce = match connections.get("salesforce").await {
        Ok(Some(_)) => match connections.salesforce_session().await {
            Ok((instance, token)) => Some(salesforce_provider(
                &instance,
                ConnectedSession(connections.clone()),
                Some(token),
            )),
            Err(e) => {
                tracing::warn!(error = %e, "Salesforce is connected but its session cannot be read; its flows are off.");
                None
            }
        },
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, "Salesforce's connection cannot be read; its flows are off.");
            None
        }
    };
    let payoneer = match (connections.get("payoneer").await, profile.url("payoneer")) {
        (Ok(Some(conn)), Some(url)) => match connections.credentials(&conn).await {
            Ok(KeyCredentials::Payoneer {
                client_id,
                client_secret,
                program_id,
            }) => Some((
                payoneer_provider(url, &client_id, client_secret, clock.clone())?,
                program_id,
            )),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, "Payoneer is connected but its client secret cannot be read; payouts are off.");
                None
            }
        },
        (Ok(_), _) => None,
        (Err(e), _) => {
            tracing::warn!(error = %e, "Payoneer's connection cannot be read; payouts are off.");
            None
        }
    };
    assemble(
        Providers {
            stripe,
            salesforce,
            payoneer,
        },
        sync,
        (clock, rng),
    )
}
