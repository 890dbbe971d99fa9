//! The webhook listener `paysync daemon` serves when `[webhooks] listen` is set:
//! `POST /webhooks/stripe`. Every decision (signature, decoding, the inbox) is the engine's; this
//! is the HTTP edge: the raw body, the header, the status code.
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
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use paysync_connectors::stripe::signature::{HEADER, SignatureError};
use paysync_core::Secret;
use paysync_engine::Engine;
use paysync_engine::webhooks::{WebhookError, WebhookReceipt};
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

struct Listener {
    engine: Engine,
    connections: Connections,
    secrets: Mutex<Option<(Vec<Secret<String>>, Instant)>>,
}

impl Listener {
    /// The signing secrets; read again from the keychain when older than a few seconds, or at
    /// once when `stale` (a delivery failed against the cached ones: the secret may just have
    /// been rolled).
    async fn secrets(&self, stale: bool) -> Result<Vec<Secret<String>>, String> {
        let mut cached = self.secrets.lock().await;
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
            .webhook_secrets("stripe")
            .await
            .map_err(|e| e.to_string())?;
        *cached = Some((fresh.clone(), Instant::now()));
        Ok(fresh)
    }
}

/// Starts listening on `addr` until `stop` turns true.
pub async fn serve(
    addr: SocketAddr,
    engine: Engine,
    connections: Connections,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<WebhookListener> {
    let state = Arc::new(Listener {
        engine,
        connections,
        secrets: Mutex::new(None),
    });
    let app = Router::new()
        .route("/webhooks/stripe", post(stripe))
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
    tracing::info!(%addr, "Receiving Stripe webhooks at POST /webhooks/stripe.");
    Ok(WebhookListener { addr, task })
}

async fn stripe(State(listener): State<Arc<Listener>>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get(HEADER).and_then(|v| v.to_str().ok());
    let mut stale = false;
    loop {
        let secrets = match listener.secrets(stale).await {
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
            Err(WebhookError::Unauthentic(SignatureError::Mismatch | SignatureError::NoSecret)) if !stale => {
                // Try once more with the secrets read afresh.
                stale = true;
            }
            Err(e) if e.is_senders() => {
                tracing::warn!(error = %e, "Stripe webhook refused.");
                return answer(StatusCode::BAD_REQUEST, &e.to_string());
            }
            Err(WebhookError::Unauthentic(SignatureError::NoSecret)) => {
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

fn answer(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}
