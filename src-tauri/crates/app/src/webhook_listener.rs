//! The webhook listener `paysync daemon` serves when `[webhooks] listen` is set:
//! `POST /webhooks/stripe`, and `POST /webhooks/payoneer/<kind>` for Payoneer's IPCNs (one URL per
//! notification type: `payment-accepted`, `payout-cancelled`, `account-loaded`, `payee-approved`,
//! `payee-declined`). Every decision (signature, decoding, the inbox) is the engine's; this is the
//! HTTP edge: the raw body, the header, the URL Payoneer signed, the status code.
//!
//! Answers: 200 once the event is committed to the inbox (or was already there); 400 when the
//! delivery is refused (bad or missing signature, stale or future timestamp, not an event), so
//! the provider shows the failure; 500 when it could not be stored, and 503 when the keychain
//! cannot be read or holds no signing secret yet, so the provider delivers again later.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use paysync_connectors::payoneer::ipcn::{self, IpcnKind};
use paysync_connectors::stripe::signature::HEADER;
use paysync_core::Secret;
use paysync_engine::Engine;
use paysync_engine::webhooks::WebhookReceipt;
use serde_json::json;
use tokio::sync::{Mutex, watch};
use tokio::task::JoinHandle;

use crate::connections::Connections;

/// Stripe's events are small; a larger body is not one.
const MAX_BODY: usize = 1024 * 1024;

/// How long signing secrets read from the keychain are reused before reading them again.
const SECRETS_FRESH_FOR: Duration = Duration::from_secs(30);

/// A refused signature reads the secrets again (one may just have been rolled), but not more
/// often than this: a flood of forged deliveries must not become a flood of keychain calls.
const SECRETS_REREAD_AFTER: Duration = Duration::from_secs(1);

/// A running listener.
#[derive(Debug)]
pub struct WebhookListener {
    /// The address it listens on (the configured one, with the port filled in if it was 0).
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl WebhookListener {
    /// Waits for the listener to finish (after the stop signal).
    pub async fn join(self) {
        let _ = self.task.await;
    }
}

/// Signing secrets read from the keychain, and when.
type CachedSecrets = Option<(Vec<Secret<String>>, Instant)>;

struct Listener {
    engine: Engine,
    connections: Connections,
    stripe_secrets: Mutex<CachedSecrets>,
    payoneer_secrets: Mutex<CachedSecrets>,
    public_url: Option<String>,
}

impl Listener {
    /// `provider`'s signing secrets; read again from the keychain when older than a few seconds,
    /// or at once when `stale` (a delivery failed against the cached ones: the secret may just
    /// have been rolled).
    async fn secrets(&self, provider: &'static str, stale: bool) -> Result<Vec<Secret<String>>, String> {
        let mut cached = if provider == "stripe" {
            self.stripe_secrets.lock().await
        } else {
            self.payoneer_secrets.lock().await
        };
        let fresh_for = if stale {
            SECRETS_REREAD_AFTER
        } else {
            SECRETS_FRESH_FOR
        };
        if let Some((secrets, at)) = cached.as_ref()
            && at.elapsed() < fresh_for
        {
            return Ok(secrets.clone());
        }
        let fresh = self
            .connections
            .webhook_secrets(provider)
            .await
            .map_err(|e| e.to_string())?;
        *cached = Some((fresh.clone(), Instant::now()));
        Ok(fresh)
    }

    /// The URL Payoneer called, which its signature covers: the configured public URL when a
    /// relay forwards deliveries here, else this listener's own address as the caller named it.
    fn called_url(&self, headers: &HeaderMap, uri: &Uri) -> String {
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        match &self.public_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => {
                let host = headers
                    .get(axum::http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or_default();
                format!("http://{host}{path}")
            }
        }
    }
}

/// Starts listening on `addr` until `stop` turns true. `public_url` is the scheme and host the
/// providers call when a relay forwards to `addr` (Payoneer signs the URL it called).
pub async fn serve(
    addr: SocketAddr,
    public_url: Option<String>,
    engine: Engine,
    connections: Connections,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<WebhookListener> {
    let state = Arc::new(Listener {
        engine,
        connections,
        stripe_secrets: Mutex::new(None),
        payoneer_secrets: Mutex::new(None),
        public_url,
    });
    let app = Router::new()
        .route("/webhooks/stripe", post(stripe))
        .route("/webhooks/payoneer/{kind}", post(payoneer))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let shutdown = async move {
            while !*stop.borrow() {
                if stop.changed().await.is_err() {
                    break;
                }
            }
        };
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::error!(error = %e, "The webhook listener stopped.");
        }
    });
    tracing::info!(
        %addr,
        "Receiving Stripe webhooks at POST /webhooks/stripe and Payoneer IPCNs at POST /webhooks/payoneer/<kind>."
    );
    Ok(WebhookListener { addr, task })
}

async fn stripe(State(listener): State<Arc<Listener>>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get(HEADER).and_then(|v| v.to_str().ok());
    let mut stale = false;
    loop {
        let secrets = match listener.secrets("stripe", stale).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "Webhook signing secrets could not be read.");
                return answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the signing secret could not be read",
                );
            }
        };
        match listener
            .engine
            .receive_stripe_webhook(signature, &body, &secrets)
            .await
        {
            Ok(WebhookReceipt::Recorded { event_id }) => {
                tracing::info!(event = %event_id, "Stripe webhook recorded.");
                return (
                    StatusCode::OK,
                    axum::Json(json!({"received": true, "duplicate": false})),
                )
                    .into_response();
            }
            Ok(WebhookReceipt::Duplicate { event_id }) => {
                tracing::debug!(event = %event_id, "Stripe webhook already recorded.");
                return (
                    StatusCode::OK,
                    axum::Json(json!({"received": true, "duplicate": true})),
                )
                    .into_response();
            }
            Err(e) if e.may_be_a_new_secret() && !stale => {
                // Try once more with the secrets read afresh.
                stale = true;
            }
            Err(e) if e.is_senders() => {
                tracing::warn!(error = %e, "Stripe webhook refused.");
                return answer(StatusCode::BAD_REQUEST, &e.to_string());
            }
            Err(e) if !e.is_senders() && e.may_be_a_new_secret() => {
                tracing::error!(
                    "A Stripe webhook arrived but no signing secret is saved; run `paysync webhooks secret stripe`. Stripe will deliver it again."
                );
                return answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "no webhook signing secret is set up",
                );
            }
            Err(e) => {
                tracing::error!(error = %e, "Stripe webhook not stored; Stripe will deliver it again.");
                return answer(StatusCode::INTERNAL_SERVER_ERROR, "the event could not be stored");
            }
        }
    }
}

async fn payoneer(
    State(listener): State<Arc<Listener>>,
    Path(kind): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(kind) = IpcnKind::from_path_segment(&kind) else {
        return answer(StatusCode::NOT_FOUND, "no such Payoneer notification type");
    };
    let authorization = headers.get(ipcn::HEADER).and_then(|v| v.to_str().ok());
    let url = listener.called_url(&headers, &uri);
    let mut stale = false;
    loop {
        let secrets = match listener.secrets("payoneer", stale).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "Payoneer IPCN secrets could not be read.");
                return answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the IPCN secret could not be read",
                );
            }
        };
        match listener
            .engine
            .receive_payoneer_ipcn(kind, authorization, &url, &body, &secrets)
            .await
        {
            Ok(WebhookReceipt::Recorded { event_id }) => {
                tracing::info!(notice = %event_id, "Payoneer IPCN recorded.");
                return (
                    StatusCode::OK,
                    axum::Json(json!({"received": true, "duplicate": false})),
                )
                    .into_response();
            }
            Ok(WebhookReceipt::Duplicate { event_id }) => {
                tracing::debug!(notice = %event_id, "Payoneer IPCN already recorded.");
                return (
                    StatusCode::OK,
                    axum::Json(json!({"received": true, "duplicate": true})),
                )
                    .into_response();
            }
            Err(e) if e.may_be_a_new_secret() && !stale => stale = true,
            Err(e) if e.is_senders() => {
                tracing::warn!(error = %e, url = %url, "Payoneer IPCN refused.");
                return answer(StatusCode::BAD_REQUEST, &e.to_string());
            }
            Err(e) if e.may_be_a_new_secret() => {
                tracing::error!(
                    "A Payoneer IPCN arrived but no IPCN secret is saved; run `paysync webhooks secret payoneer`. Payouts are still tracked by polling."
                );
                return answer(StatusCode::SERVICE_UNAVAILABLE, "no IPCN secret is set up");
            }
            Err(e) => {
                tracing::error!(error = %e, "Payoneer IPCN not stored; payouts are still tracked by polling.");
                return answer(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the notice could not be stored",
                );
            }
        }
    }
}

fn answer(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}
