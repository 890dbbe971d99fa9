//! HTTP tests of the Payoneer simulator: a real server on a loopback port, a manual clock, seed 7.

mod auth;
mod ipcn;
mod payees;
mod payouts;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use paysync_core::{Clock, ManualClock};
use rust_decimal::Decimal;
use serde_json::Value;

use super::{NewPayee, PayeeStatus, PayoneerSim, PayoutFailure};
use crate::server::SimHandle;

pub(super) const PROGRAM: &str = "100010001";

/// A started simulator with a token for the default client.
pub(super) struct Fixture {
    pub handle: SimHandle,
    pub sim: Arc<PayoneerSim>,
    pub clock: ManualClock,
    pub http: reqwest::Client,
    pub token: String,
}

impl Fixture {
    pub async fn start() -> Self {
        let (handle, sim, clock, http) = crate::testing::start(PayoneerSim::new).await;
        let token = get_token(&http, &handle.base_url).await;
        Self {
            handle,
            sim,
            clock,
            http,
            token,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/v4/programs/{PROGRAM}{path}", self.handle.base_url)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        read(r).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        read(r).await
    }

    pub async fn put(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .put(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("PUT {path}: {e}"));
        read(r).await
    }

    /// Seeds an Active payee paid in `currency`.
    pub fn payee(&self, id: &str, currency: &str) {
        self.sim
            .insert_payee(new_payee(id, PayeeStatus::Active, currency, None), self.now());
    }

    /// Seeds an Active payee whose payouts fail at settlement.
    pub fn failing_payee(&self, id: &str) {
        let failure = PayoutFailure {
            code: 30013,
            description: "Bank details - Invalid Branch Code".into(),
        };
        self.sim.insert_payee(
            new_payee(id, PayeeStatus::Active, "USD", Some(failure)),
            self.now(),
        );
    }

    pub async fn stop(self) {
        self.handle.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
    }
}

pub(super) fn new_payee(
    id: &str,
    status: PayeeStatus,
    currency: &str,
    fail: Option<PayoutFailure>,
) -> NewPayee {
    NewPayee {
        payee_id: id.into(),
        status,
        reasons: vec![],
        email: format!("{id}@example.test"),
        country: "US".into(),
        payout_currency: currency.into(),
        fail_payouts_with: fail,
    }
}

pub(super) fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("decimal {s}: {e}"))
}

pub(super) async fn read(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

pub(super) async fn get_token(http: &reqwest::Client, base: &str) -> String {
    let r = http
        .post(format!("{base}/api/v2/oauth2/token"))
        .basic_auth("paysync-sandbox", Some("sandbox-secret"))
        .form(&[("grant_type", "client_credentials"), ("scope", "read write")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("token: {e}"));
    let (status, body) = read(r).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap_or_default().to_owned()
}

pub(super) use crate::testing::Receiver;

#[tokio::test]
async fn snapshot_restore_round_trips() {
    use crate::server::Simulator as _;
    let f = Fixture::start().await;
    f.payee("p-1", "EUR");
    f.sim.set_balance("USD", dec("1000.00"));
    f.sim.set_fx_rate("USD", "EUR", dec("0.9215"));
    f.sim.set_fee("USD", dec("1.50"));
    let batch = serde_json::json!({"Payments":[{"client_reference_id":"r-1","payee_id":"p-1","amount":"10.00","currency":"USD","description":"x"}]});
    let (status, _) = f.post("/masspayouts", &batch).await;
    assert_eq!(status, 200);
    let snap = f.sim.snapshot();
    let (_, copy, _, _) = crate::testing::start(PayoneerSim::new).await;
    copy.restore(snap.clone())
        .unwrap_or_else(|e| panic!("restore: {e}"));
    assert_eq!(copy.snapshot(), snap);
    assert_eq!(copy.ledger(), f.sim.ledger());
    assert_eq!(copy.balance("USD"), dec("988.50"));
    assert!(copy.restore(serde_json::json!({"nonsense": true})).is_err());
    f.stop().await;
}

#[tokio::test]
async fn the_same_seed_replays_the_same_ids() {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let f = Fixture::start().await;
        f.payee("p-1", "USD");
        f.sim.set_balance("USD", dec("100"));
        let batch = serde_json::json!({"Payments":[{"client_reference_id":"r-1","payee_id":"p-1","amount":1,"currency":"USD","description":"x"}]});
        let (status, _) = f.post("/masspayouts", &batch).await;
        assert_eq!(status, 200);
        ids.push((
            f.token.clone(),
            f.sim.ledger()[0].payout_id.clone(),
            f.sim.payees()[0].account_id.clone(),
        ));
        f.stop().await;
    }
    assert_eq!(ids[0], ids[1]);
}
