//! Stripe → Salesforce under a hostile delivery: a stream of at least 10,000 Stripe events, 30%
//! delivered twice, shuffled, arriving in uneven chunks between runs of `stripe.salesforce`, ends
//! with exactly the Salesforce state that the final Stripe objects imply, with no duplicate record.
//!
//! The oracle is a second org that received each final Stripe object once, as a re-scan would
//! deliver it. `PAYSYNC_SYNC_SCENARIO_CUSTOMERS` scales the stream (CI runs the default).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use paysync_connectors::http::{
    BreakerPolicy, Executor, ExecutorConfig, ProviderConfig, ProviderPolicy, RateLimit, StaticBearer,
};
use paysync_core::retry::RetryPolicy;
use paysync_core::{Clock, ManualClock, Secret, SeededRandom, SharedClock};
use paysync_engine::flows::stripe_salesforce::{ApplyOptions, NAME, StripeMappings, StripeToSalesforceFlow};
use paysync_engine::{Engine, EngineOptions, Extensions};
use paysync_sandbox::salesforce::{SANDBOX_CLIENT_ID, SalesforceSim};
use paysync_sandbox::stripe::{
    DEFAULT_TEST_KEY, NewCustomer, NewPayment, PaymentStatus, SimConfig, StripeSim,
};
use paysync_sandbox::{ServeOptions, SimHandle, serve};
use paysync_store::NewInboxEvent;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

/// Objects whose Salesforce records are compared, with their External ID fields.
const OBJECTS: [(&str, &str); 5] = [
    ("Account", "Stripe_Customer_Id__c"),
    ("Payment__c", "Stripe_Charge_Id__c"),
    ("Refund__c", "Stripe_Refund_Id__c"),
    ("Dispute__c", "Stripe_Dispute_Id__c"),
    ("Subscription_Contract__c", "Stripe_Subscription_Id__c"),
];
/// Fields Salesforce sets itself (they differ between two orgs).
const SYSTEM_FIELDS: [&str; 7] = [
    "Id",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
    "CreatedById",
    "LastModifiedById",
    "OwnerId",
];

fn executor(name: &str, base_url: &str, token: &str, clock: SharedClock) -> Executor {
    let provider = ProviderConfig {
        name: name.to_owned(),
        base_url: base_url.to_owned(),
        idempotency_header: Some("Idempotency-Key".to_owned()),
        policy: ProviderPolicy {
            rate: RateLimit::per_second(10_000),
            max_attempts: 3,
            backoff: RetryPolicy {
                base: StdDuration::from_millis(10),
                cap: StdDuration::from_millis(100),
            },
            breaker: BreakerPolicy::default(),
            timeout: StdDuration::from_secs(30),
        },
        auth: Arc::new(StaticBearer::new(Secret::new(token.to_owned()))),
    };
    Executor::new(
        &ExecutorConfig::default(),
        vec![provider],
        clock,
        Arc::new(SeededRandom::new(3)),
    )
    .unwrap_or_else(|e| panic!("executor: {e}"))
}

/// An engine running `stripe.salesforce` from `stripe_url` into a fresh Salesforce org.
async fn org(
    dir: &std::path::Path,
    stripe_url: &str,
    clock: SharedClock,
    batch_events: u32,
) -> (Engine, SimHandle, Arc<SalesforceSim>) {
    let (handle, salesforce) = serve(
        ServeOptions::loopback(),
        clock.clone(),
        Arc::new(SeededRandom::new(11)),
        SalesforceSim::new,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let token = salesforce.mint_token(SANDBOX_CLIENT_ID, "api");
    let flow = StripeToSalesforceFlow::new(
        executor("stripe", stripe_url, DEFAULT_TEST_KEY, clock.clone()),
        executor(
            "salesforce",
            token["instance_url"].as_str().unwrap_or_default(),
            token["access_token"].as_str().unwrap_or_default(),
            clock.clone(),
        ),
        StripeMappings::defaults().unwrap_or_else(|e| panic!("{e}")),
        ApplyOptions {
            batch_events,
            api_share_percent: 100,
            ..ApplyOptions::default()
        },
    );
    let extensions = Extensions {
        handlers: vec![flow.record_handler()],
        flows: vec![(Arc::new(flow), "off".to_owned())],
        ..Extensions::default()
    };
    let engine = Engine::open_extended(
        EngineOptions::new(dir.to_path_buf()),
        clock,
        Arc::new(SeededRandom::new(2)),
        extensions,
    )
    .await
    .unwrap_or_else(|e| panic!("engine: {e}"));
    (engine, handle, salesforce)
}

async fn deliver(engine: &Engine, events: &[Value]) {
    let events: Vec<NewInboxEvent> = events
        .iter()
        .map(|e| {
            NewInboxEvent::from_value(
                e["id"].as_str().unwrap_or_default(),
                e["type"].as_str().unwrap_or_default(),
                e,
            )
            .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    engine
        .store()
        .inbox()
        .record_many("stripe", &events, received_at())
        .await
        .unwrap_or_else(|e| panic!("inbox: {e}"));
}

/// The inbox's receipt time is bookkeeping only; a fixed instant keeps the test deterministic.
fn received_at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

async fn run(engine: &Engine) {
    let run = engine
        .run_flow_now(NAME)
        .await
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(run.outcome, "succeeded", "{run:?}");
}

/// Every record of the compared objects by (object, External ID), system fields left out and
/// lookups replaced by the parent's External ID (record ids differ between orgs).
fn state(sim: &SalesforceSim) -> BTreeMap<(String, String), Map<String, Value>> {
    let mut by_id: HashMap<String, String> = HashMap::new();
    let mut all = Vec::new();
    for (object, key) in OBJECTS {
        for record in sim.records(object) {
            let ext = record
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if let Some(id) = record.get("Id").and_then(Value::as_str) {
                by_id.insert(id.to_owned(), format!("{object}:{ext}"));
            }
            all.push((object, ext, record));
        }
    }
    let mut out = BTreeMap::new();
    for (object, ext, record) in all {
        let fields: Map<String, Value> = record
            .into_iter()
            .filter(|(k, _)| !SYSTEM_FIELDS.contains(&k.as_str()))
            // A custom object's Name is an org-assigned auto-number.
            .filter(|(k, _)| object == "Account" || k != "Name")
            .map(|(k, v)| match v.as_str().and_then(|s| by_id.get(s)) {
                Some(parent) => (k, json!(parent)),
                None => (k, v),
            })
            .collect();
        let previous = out.insert((object.to_owned(), ext.clone()), fields);
        assert!(previous.is_none(), "{object} {ext} is in Salesforce twice");
    }
    out
}

/// Stripe HTTP calls that make events the seeding helpers do not: updates and deletions.
struct StripeApi {
    http: reqwest::Client,
    base: String,
}

impl StripeApi {
    async fn call(&self, method: reqwest::Method, path: &str, form: &[(&str, String)]) {
        let response = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(DEFAULT_TEST_KEY)
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(response.status().is_success(), "{path}: {}", response.status());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shuffled_duplicated_stream_ends_at_the_state_the_final_stripe_objects_imply() {
    let customers: usize = std::env::var("PAYSYNC_SYNC_SCENARIO_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_900);
    let start = Utc
        .with_ymd_and_hms(2026, 11, 18, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let clock = Arc::new(ManualClock::new(start));
    let shared: SharedClock = clock.clone();
    let (stripe_handle, stripe) = serve(
        ServeOptions::loopback(),
        shared.clone(),
        Arc::new(SeededRandom::new(7)),
        StripeSim::new,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    stripe.set_config(SimConfig {
        rate_limit_per_sec: 0,
        ..stripe.config()
    });
    let api = StripeApi {
        http: reqwest::Client::new(),
        base: stripe_handle.base_url.clone(),
    };
    let mut rng = StdRng::seed_from_u64(2026);

    // A history with many states per object: created, paid or failed, renamed (some twice in
    // one second), refunded in part, disputed, deleted.
    let mut ids = Vec::with_capacity(customers);
    for i in 0..customers {
        ids.push(stripe.insert_customer(NewCustomer {
            email: Some(format!("c{i}@example.com")),
            name: Some(format!("Customer {i}")),
            created: clock.now(),
            ..NewCustomer::default()
        }));
        if i % 50 == 49 {
            clock.advance(Duration::seconds(1));
        }
    }
    let mut charges = Vec::new();
    for (i, cus) in ids.iter().enumerate() {
        let (_, charge) = stripe
            .insert_payment(NewPayment {
                customer: Some(cus.clone()),
                amount: 1_000 + i64::try_from(i).unwrap_or_default(),
                currency: if i % 3 == 0 { "jpy" } else { "eur" }.to_owned(),
                status: if i % 7 == 0 {
                    PaymentStatus::Failed
                } else {
                    PaymentStatus::Succeeded
                },
                created: clock.now(),
                ..NewPayment::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        if i % 7 != 0 {
            charges.push(charge);
        }
        if i % 50 == 49 {
            clock.advance(Duration::seconds(1));
        }
    }
    for (i, cus) in ids.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        api.call(
            reqwest::Method::POST,
            &format!("/v1/customers/{cus}"),
            &[("name", format!("Renamed {i}"))],
        )
        .await;
        if i % 4 == 0 {
            // A second change in the same second: only Stripe knows which came last.
            api.call(
                reqwest::Method::POST,
                &format!("/v1/customers/{cus}"),
                &[("name", format!("Final {i}"))],
            )
            .await;
        }
        if i % 100 == 98 {
            clock.advance(Duration::seconds(1));
        }
    }
    clock.advance(Duration::seconds(1));
    for (i, charge) in charges.iter().enumerate() {
        if i % 4 == 0 {
            stripe
                .insert_refund(charge, 100, clock.now())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        if i % 10 == 1 {
            stripe
                .insert_dispute(charge, 500, "fraudulent", "needs_response", clock.now())
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    clock.advance(Duration::seconds(2));
    for cus in ids.iter().skip(3).step_by(40) {
        api.call(reqwest::Method::DELETE, &format!("/v1/customers/{cus}"), &[])
            .await;
    }
    clock.advance(Duration::minutes(5));

    let history = stripe.events();
    assert!(
        history.len() >= 10_000 || customers < 1_900,
        "only {} events",
        history.len()
    );
    let mut stream = history.clone();
    let dups: Vec<Value> = history.iter().filter(|_| rng.random_bool(0.3)).cloned().collect();
    stream.extend(dups);
    stream.shuffle(&mut rng);

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (engine, sf_handle, salesforce) =
        org(dir.path(), &stripe_handle.base_url, shared.clone(), 1_000).await;
    let mut rest = stream.as_slice();
    while !rest.is_empty() {
        let n = rng.random_range(200..3_000).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        deliver(&engine, chunk).await;
        run(&engine).await;
    }
    run(&engine).await;
    let unprocessed = engine
        .store()
        .inbox()
        .count_unprocessed("stripe")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unprocessed, 0);
    let letters = engine
        .dead_letters(&paysync_store::DeadLetterFilter::default(), 5, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(letters.total, 0, "{:?}", letters.items);

    // The oracle: each final object once, as a re-scan delivers it.
    let oracle_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (oracle, oracle_handle, oracle_sf) = org(
        oracle_dir.path(),
        &stripe_handle.base_url,
        shared.clone(),
        100_000,
    )
    .await;
    let at = clock.now().timestamp();
    let mut finals = Vec::new();
    for kind in ["customer", "charge", "refund", "dispute"] {
        for object in stripe.objects(kind) {
            let id = object["id"].as_str().unwrap_or_default().to_owned();
            finals.push(json!({
                "id": format!("evt_final_{id}"), "object": "event", "created": at,
                "type": format!("{kind}.rescanned"), "livemode": false,
                "data": {"object": object},
            }));
        }
    }
    // Deleted customers are gone from Stripe's lists; their deletion event holds their last state.
    finals.extend(
        history
            .iter()
            .filter(|e| e["type"] == "customer.deleted")
            .cloned(),
    );
    deliver(&oracle, &finals).await;
    run(&oracle).await;

    let got = state(&salesforce);
    let want = state(&oracle_sf);
    assert_eq!(got.len(), want.len(), "record counts differ");
    let deleted = got
        .values()
        .filter(|r| r.get("Stripe_Deleted__c") == Some(&json!(true)))
        .count();
    assert!(deleted > 0, "the deletions reached Salesforce");
    for (key, want_fields) in &want {
        assert_eq!(got.get(key), Some(want_fields), "{key:?}");
    }
    eprintln!(
        "stripe_to_salesforce: {} events ({} delivered), {} records",
        history.len(),
        stream.len(),
        got.len()
    );
    for handle in [stripe_handle, sf_handle, oracle_handle] {
        handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
    }
}
