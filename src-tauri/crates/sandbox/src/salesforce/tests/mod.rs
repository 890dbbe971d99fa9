//! HTTP tests of the Salesforce simulator: a real server on a loopback port, a manual clock at
//! 2026-01-01T00:00:00Z and seed 7 (see `crate::testing::start`).

mod collections;
mod limits;
mod oauth;
mod query;
mod sobjects;
mod validation;

use std::sync::Arc;

use paysync_core::ManualClock;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::SalesforceSim;
use crate::server::SimHandle;

/// A running simulator with a live access token.
pub(super) struct Org {
    pub handle: SimHandle,
    pub sim: Arc<SalesforceSim>,
    pub clock: ManualClock,
    pub http: reqwest::Client,
    pub token: String,
}

/// A response: status, headers, JSON body (`Null` when empty or not JSON).
pub(super) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The first top-level error's code.
    pub(super) fn error_code(&self) -> &str {
        self.body[0]["errorCode"].as_str().unwrap_or("")
    }

    /// The first top-level error's message.
    pub(super) fn error_message(&self) -> &str {
        self.body[0]["message"].as_str().unwrap_or("")
    }
}

pub(super) async fn start() -> Org {
    let (handle, sim, clock, http) = crate::testing::start(SalesforceSim::new).await;
    let minted: Value = http
        .post(format!("{}/__sandbox/salesforce/tokens", handle.base_url))
        .json(&json!({"scope": "api refresh_token"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("mint: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("mint json: {e}"));
    let token = minted["access_token"].as_str().unwrap_or_default().to_owned();
    assert!(!token.is_empty(), "minted token: {minted}");
    Org {
        handle,
        sim,
        clock,
        http,
        token,
    }
}

pub(super) fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

impl Org {
    pub(super) fn base(&self) -> &str {
        &self.handle.base_url
    }

    /// `{base}/services/data/v66.0{path}`.
    pub(super) fn data(&self, path: &str) -> String {
        format!("{}/services/data/v66.0{path}", self.base())
    }

    pub(super) async fn call_with(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A REST call under `/services/data/v66.0` with the org token.
    pub(super) async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let url = self.data(path);
        self.call_with(method, &url, Some(&self.token), body, &[]).await
    }

    pub(super) async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub(super) async fn query(&self, soql: &str) -> Reply {
        let url = format!(
            "{}?{}",
            self.data("/query"),
            serde_urlencoded::to_string([("q", soql)]).unwrap_or_default()
        );
        self.call_with(Method::GET, &url, Some(&self.token), None, &[])
            .await
    }

    /// Seeds a record at the current sandbox time.
    pub(super) fn seed(&self, object: &str, fields: Value) -> String {
        let now = self.clock_now();
        self.sim
            .insert_record(object, obj(fields), now)
            .unwrap_or_else(|e| panic!("seed {object}: {e}"))
    }

    pub(super) fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        paysync_core::Clock::now(&self.clock)
    }

    /// POSTs an admin route.
    pub(super) async fn admin(&self, method: Method, path: &str, body: Value) -> Reply {
        let url = format!("{}/__sandbox/salesforce{path}", self.base());
        self.call_with(method, &url, None, Some(body), &[]).await
    }
}
