//! HTTP tests of the MaldoPay simulator: a real server on a loopback port, a manual clock, seed 7.

mod flow;
mod lifecycle;
mod signing;

use std::sync::Arc;

use paysync_core::ManualClock;
use serde_json::{Value, json};

use super::{CallbackConfig, CallbackSigning, MaldoPaySim};
use crate::server::SimHandle;

/// A started simulator.
pub(super) struct Fixture {
    pub handle: SimHandle,
    pub sim: Arc<MaldoPaySim>,
    pub clock: ManualClock,
    pub http: reqwest::Client,
}

impl Fixture {
    pub async fn start() -> Self {
        let (handle, sim, clock, http) = crate::testing::start(MaldoPaySim::new).await;
        Self {
            handle,
            sim,
            clock,
            http,
        }
    }

    /// POSTs `json=<doc>` (plus `apiKey` when given) to `path`.
    pub async fn form(&self, path: &str, doc: &Value, api_key: Option<&str>) -> (u16, Value) {
        let mut fields = vec![("json".to_owned(), doc.to_string())];
        if let Some(key) = api_key {
            fields.push(("apiKey".to_owned(), key.to_owned()));
        }
        let r = self
            .http
            .post(format!("{}{path}", self.handle.base_url))
            .form(&fields)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Step 1: a player token (currency `currency`).
    pub async fn token(&self, currency: &str) -> String {
        let (status, body) = self
            .form("/json/auth/", &auth_doc("player-1", currency), None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(body["transaction"]["codeId"], 0, "{body}");
        body["response"]["token"].as_str().unwrap_or_default().to_owned()
    }

    /// Step 2: creates a transaction.
    pub async fn create(
        &self,
        token: &str,
        service: u32,
        kind: &str,
        amount: Value,
        reference: &str,
    ) -> Value {
        let (status, body) = self
            .form(
                "/json/transactions/",
                &tx_doc(token, service, kind, amount, "BRL", reference),
                None,
            )
            .await;
        assert_eq!(status, 200);
        body
    }

    /// Sends callbacks to `receiver` with `signing`.
    pub fn callbacks_to(&self, receiver: &Receiver, signing: CallbackSigning) {
        self.sim.set_callbacks(CallbackConfig {
            url: Some(format!("{}/maldopay/callback", receiver.base)),
            signing,
        });
    }

    pub async fn stop(self) {
        self.handle.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
    }
}

pub(super) fn auth_doc(player: &str, currency: &str) -> Value {
    json!({"auth": {"clientId": 1001, "brandId": 1, "request": {
        "firstName": "Ana", "lastName": "Silva", "birthDate": "1990-01-01", "countryCode": "BR",
        "playerId": player, "postCode": "01000", "currencyCode": currency, "languageCode": "pt",
        "emailAddress": "ana@example.test", "ipAddr": "127.0.0.1", "city": "São Paulo",
        "phone": "+5511999999999", "address": "Rua 1"}}})
}

pub(super) fn tx_doc(
    token: &str,
    service: u32,
    kind: &str,
    amount: Value,
    currency: &str,
    reference: &str,
) -> Value {
    json!({"transaction": {"clientId": 1001, "brandId": 1, "integrationId": 1,
        "landingPages": {"landingSuccess": "http://127.0.0.1:1/ok", "landingPending": "http://127.0.0.1:1/pending",
                         "landingDeclined": "http://127.0.0.1:1/declined", "landingFailed": "http://127.0.0.1:1/failed"},
        "request": {"serviceId": service, "currencyCode": currency, "type": kind, "token": token,
                    "ipAddr": "127.0.0.1", "amount": amount, "reason": "deposit", "referenceOrderId": reference,
                    "chainMode": "", "bonusCode": ""}}})
}

pub(super) use crate::testing::Receiver;

#[tokio::test]
async fn snapshot_restore_round_trips() {
    use crate::server::Simulator as _;
    let f = Fixture::start().await;
    let token = f.token("BRL").await;
    let created = f.create(&token, 2157, "DEPOSIT", json!(1050), "snap-1").await;
    assert_eq!(created["transaction"]["codeId"], 311);
    let snap = f.sim.snapshot();
    let (_, copy, _, _) = crate::testing::start(MaldoPaySim::new).await;
    copy.restore(snap.clone())
        .unwrap_or_else(|e| panic!("restore: {e}"));
    assert_eq!(copy.snapshot(), snap);
    assert_eq!(copy.transactions(), f.sim.transactions());
    assert!(copy.restore(json!([1, 2])).is_err());
    f.stop().await;
}

#[tokio::test]
async fn the_same_seed_replays_the_same_ids() {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let f = Fixture::start().await;
        let token = f.token("BRL").await;
        let created = f.create(&token, 2157, "DEPOSIT", json!(100), "seed-ids").await;
        ids.push((token, created["transaction"]["transactionId"].clone()));
        f.stop().await;
    }
    assert_eq!(ids[0], ids[1]);
}
