//! What the flows' tests share: a Stripe simulator on a manual clock, an executor pointed at it,
//! and an engine running one flow.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use paysync_connectors::http::{
    BreakerPolicy, Executor, ExecutorConfig, ProviderConfig, ProviderPolicy, RateLimit, StaticBearer,
};
use paysync_connectors::stripe::PROVIDER;
use paysync_core::retry::RetryPolicy;
use paysync_core::{Secret, SeededRandom, SharedClock};
use paysync_sandbox::salesforce::{SANDBOX_CLIENT_ID, SalesforceSim};
use paysync_sandbox::stripe::{
    DEFAULT_TEST_KEY, NewCustomer, NewPayment, NewPrice, NewProduct, PaymentStatus, StripeSim,
};
use paysync_sandbox::{ServeOptions, SimHandle, serve};

use crate::scheduler::Flow;
use crate::{Engine, EngineOptions, Extensions};

/// An executor for Stripe at `base_url`, quick to retry.
pub(crate) fn stripe_executor(base_url: &str, clock: SharedClock) -> Executor {
    stripe_executor_with(base_url, clock, BreakerPolicy::default(), 2)
}

/// An executor for Stripe at `base_url` with the given breaker and attempts.
pub(crate) fn stripe_executor_with(
    base_url: &str,
    clock: SharedClock,
    breaker: BreakerPolicy,
    max_attempts: u32,
) -> Executor {
    provider_executor(PROVIDER, base_url, DEFAULT_TEST_KEY, clock, breaker, max_attempts)
}

/// An executor for Salesforce at `instance_url` with a session token.
pub(crate) fn salesforce_executor(instance_url: &str, access_token: &str, clock: SharedClock) -> Executor {
    provider_executor(
        paysync_connectors::salesforce::PROVIDER,
        instance_url,
        access_token,
        clock,
        BreakerPolicy::default(),
        2,
    )
}

/// A Payoneer simulator on `clock` and an executor that authenticates to it with client
/// credentials (tokens renew as the clock moves).
pub(crate) async fn start_payoneer(
    clock: SharedClock,
) -> (SimHandle, Arc<paysync_sandbox::payoneer::PayoneerSim>, Executor) {
    use paysync_connectors::oauth::{ClientCredentials, ClientCredentialsConfig, oauth_http_client};
    use paysync_sandbox::payoneer::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, PayoneerSim};
    let (handle, sim) = serve(
        ServeOptions::loopback(),
        clock.clone(),
        Arc::new(SeededRandom::new(6)),
        PayoneerSim::new,
    )
    .await
    .unwrap_or_else(|e| panic!("simulator: {e}"));
    let config = ClientCredentialsConfig::payoneer(
        &handle.base_url,
        DEFAULT_CLIENT_ID,
        Secret::new(DEFAULT_CLIENT_SECRET.to_owned()),
    );
    let http = oauth_http_client(StdDuration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
    let auth = ClientCredentials::new(config, http, clock.clone()).unwrap_or_else(|e| panic!("{e}"));
    let provider = ProviderConfig {
        name: paysync_connectors::payoneer::PROVIDER.to_owned(),
        base_url: handle.base_url.clone(),
        idempotency_header: None,
        policy: ProviderPolicy {
            rate: RateLimit::per_second(500),
            max_attempts: 2,
            backoff: RetryPolicy {
                base: StdDuration::from_millis(10),
                cap: StdDuration::from_millis(50),
            },
            breaker: BreakerPolicy::default(),
            timeout: StdDuration::from_secs(5),
        },
        auth: Arc::new(auth),
    };
    let executor = Executor::new(
        &ExecutorConfig::default(),
        vec![provider],
        clock,
        Arc::new(SeededRandom::new(7)),
    )
    .unwrap_or_else(|e| panic!("executor: {e}"));
    (handle, sim, executor)
}

fn provider_executor(
    name: &str,
    base_url: &str,
    token: &str,
    clock: SharedClock,
    breaker: BreakerPolicy,
    max_attempts: u32,
) -> Executor {
    let policy = ProviderPolicy {
        rate: RateLimit::per_second(200),
        max_attempts,
        backoff: RetryPolicy {
            base: StdDuration::from_millis(10),
            cap: StdDuration::from_millis(50),
        },
        breaker,
        timeout: StdDuration::from_secs(5),
    };
    let provider = ProviderConfig {
        name: name.to_owned(),
        base_url: base_url.to_owned(),
        idempotency_header: Some("Idempotency-Key".to_owned()),
        policy,
        auth: Arc::new(StaticBearer::new(Secret::new(token.to_owned()))),
    };
    Executor::new(
        &ExecutorConfig::default(),
        vec![provider],
        clock,
        Arc::new(SeededRandom::new(5)),
    )
    .unwrap_or_else(|e| panic!("executor: {e}"))
}

/// A Stripe simulator on `clock`, on a free loopback port.
pub(crate) async fn start_stripe(clock: SharedClock) -> (SimHandle, Arc<StripeSim>) {
    let options = ServeOptions::loopback();
    serve(options, clock, Arc::new(SeededRandom::new(1)), StripeSim::new)
        .await
        .unwrap_or_else(|e| panic!("simulator: {e}"))
}

/// One of each object the default mappings write, a minute apart from `at`: a customer, its
/// succeeded 123.45 EUR charge, a 20.00 refund and a dispute of it, a monthly subscription.
/// Returns the customer and the charge.
pub(crate) fn seed_one_of_each(stripe: &StripeSim, at: DateTime<Utc>) -> (String, String) {
    let customer = stripe.insert_customer(NewCustomer {
        email: Some("ada@example.com".to_owned()),
        name: Some("Ada Lovelace".to_owned()),
        created: at,
        ..NewCustomer::default()
    });
    let (_, charge) = stripe
        .insert_payment(NewPayment {
            customer: Some(customer.clone()),
            amount: 12_345,
            currency: "eur".to_owned(),
            status: PaymentStatus::Succeeded,
            created: at + Duration::minutes(1),
            ..NewPayment::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    stripe
        .insert_refund(&charge, 2_000, at + Duration::minutes(2))
        .unwrap_or_else(|e| panic!("{e}"));
    stripe
        .insert_dispute(
            &charge,
            10_345,
            "fraudulent",
            "needs_response",
            at + Duration::minutes(3),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let product = stripe.insert_product(NewProduct {
        name: "Pro plan".to_owned(),
        created: at,
        ..NewProduct::default()
    });
    let price = stripe
        .insert_price(NewPrice {
            product,
            unit_amount: 4_900,
            currency: "eur".to_owned(),
            interval: Some("month".to_owned()),
            interval_count: 1,
            created: at,
            ..NewPrice::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    stripe
        .insert_subscription(&customer, &price, at + Duration::minutes(4))
        .unwrap_or_else(|e| panic!("{e}"));
    (customer, charge)
}

/// A Salesforce simulator on `clock`, on a free loopback port, with an executor holding a session
/// minted for its user.
pub(crate) async fn start_salesforce(clock: SharedClock) -> (SimHandle, Arc<SalesforceSim>, Executor) {
    let (handle, sim) = serve(
        ServeOptions::loopback(),
        clock.clone(),
        Arc::new(SeededRandom::new(4)),
        SalesforceSim::new,
    )
    .await
    .unwrap_or_else(|e| panic!("simulator: {e}"));
    let token = sim.mint_token(SANDBOX_CLIENT_ID, "api");
    let executor = salesforce_executor(
        token["instance_url"].as_str().unwrap_or_default(),
        token["access_token"].as_str().unwrap_or_default(),
        clock,
    );
    (handle, sim, executor)
}

/// An engine in `dir` with `flow` registered (not scheduled).
pub(crate) async fn engine_with(dir: &std::path::Path, clock: SharedClock, flow: Arc<dyn Flow>) -> Engine {
    let extensions = Extensions {
        flows: vec![(flow, "off".to_owned())],
        ..Extensions::default()
    };
    engine_with_extensions(dir, clock, extensions).await
}

/// An engine in `dir` with `extensions` (flows, handlers, executors) registered.
pub(crate) async fn engine_with_extensions(
    dir: &std::path::Path,
    clock: SharedClock,
    extensions: Extensions,
) -> Engine {
    Engine::open_extended(
        EngineOptions::new(dir.to_path_buf()),
        clock,
        Arc::new(SeededRandom::new(2)),
        extensions,
    )
    .await
    .unwrap_or_else(|e| panic!("engine: {e}"))
}
