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

use std::collections::HashMap;
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

/// Signing secrets read from the keychain, by provider, and when.
type CachedSecrets = HashMap<&'static str, (Vec<Secret<String>>, Instant)>;

struct Listener {
    engine: Engine,
    connections: Connections,
    secrets: Mutex<CachedSecrets>,
    public_url: Option<String>,
}

/// How one provider's deliveries are named in answers and logs.
struct Sender {
    /// Whose secrets check them (`paysync webhooks secret <provider>`).
    provider: &'static str,
    /// "Stripe webhook", "Payoneer IPCN".
    delivery: &'static str,
    /// What the secret is called.
    secret: &'static str,
    /// What a delivery carries.
    item: &'static str,
    /// What still happens while deliveries are not taken.
    meanwhile: &'static str,
}

const STRIPE: Sender = Sender {
    provider: "stripe",
    delivery: "Stripe webhook",
    secret: "signing secret",
    item: "event",
    meanwhile: "Stripe will deliver it again.",
};

const PAYONEER: Sender = Sender {
    provider: "payoneer",
    delivery: "Payoneer IPCN",
    secret: "IPCN secret",
    item: "notice",
    meanwhile: "Payouts are still tracked by polling.",
};

impl Listener {
    /// `provider`'s signing secrets; read again from the keychain when older than a few seconds,
    /// or at once when `stale` (a delivery failed against the cached ones: the secret may just
    /// have been rolled).
    async fn secrets(&self, provider: &'static str, stale: bool) -> Result<Vec<Secret<String>>, String> {
        let mut cached = self.secrets.lock().await;
        let fresh_for = if stale {
            SECRETS_REREAD_AFTER
        } else {
            SECRETS_FRESH_FOR
        };
        if let Some((secrets, at)) = cached.get(provider)
            && at.elapsed() < fresh_for
        {
            return Ok(secrets.clone());
        }
        let fresh = self
            .connections
            .webhook_secrets(provider)
            .await
            .map_err(|e| e.to_string())?;
        cached.insert(provider, (fresh.clone(), Instant::now()));
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
        secrets: Mutex::new(HashMap::new()),
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
    take(&listener, Delivery::Stripe { signature }, &body).await
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
    let delivery = Delivery::Payoneer {
        kind,
        authorization: headers.get(ipcn::HEADER).and_then(|v| v.to_str().ok()),
        url: listener.called_url(&headers, &uri),
    };
    take(&listener, delivery, &body).await
}

/// One delivery's signature and what the engine needs besides the body.
enum Delivery<'a> {
    /// `Stripe-Signature`.
    Stripe { signature: Option<&'a str> },
    /// `Authorization: hmacauth …`, over the URL Payoneer called.
    Payoneer {
        kind: IpcnKind,
        authorization: Option<&'a str>,
        url: String,
    },
}

impl Delivery<'_> {
    fn sender(&self) -> &'static Sender {
        match self {
            Self::Stripe { .. } => &STRIPE,
            Self::Payoneer { .. } => &PAYONEER,
        }
    }

    async fn receive(
        &self,
        engine: &Engine,
        body: &[u8],
        secrets: &[Secret<String>],
    ) -> Result<WebhookReceipt, WebhookError> {
        match self {
            Self::Stripe { signature } => engine.receive_stripe_webhook(*signature, body, secrets).await,
            Self::Payoneer {
                kind,
                authorization,
                url,
            } => {
                engine
                    .receive_payoneer_ipcn(*kind, *authorization, url, body, secrets)
                    .await
            }
        }
    }
}

/// Takes one delivery: the engine checks and records it with the sender's current secrets,
/// which are read again once when none matches (one may just have been rolled).
async fn take(listener: &Listener, incoming: Delivery<'_>, body: &[u8]) -> Response {
    let Sender {
        provider,
        delivery,
        secret,
        item,
        meanwhile,
    } = incoming.sender();
    let mut stale = false;
    loop {
        let secrets = match listener.secrets(provider, stale).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "{delivery} secrets could not be read.");
                return answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    &format!("the {secret} could not be read"),
                );
            }
        };
        match incoming.receive(&listener.engine, body, &secrets).await {
            Ok(WebhookReceipt::Recorded { event_id }) => {
                tracing::info!(event = %event_id, "{delivery} recorded.");
                return (
                    StatusCode::OK,
                    axum::Json(json!({"received": true, "duplicate": false})),
                )
                    .into_response();
            }
            Ok(WebhookReceipt::Duplicate { event_id }) => {
                tracing::debug!(event = %event_id, "{delivery} already recorded.");
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
                tracing::warn!(error = %e, "{delivery} refused.");
                return answer(StatusCode::BAD_REQUEST, &e.to_string());
            }
            Err(e) if e.may_be_a_new_secret() => {
                tracing::error!(
                    "A {delivery} arrived but no {secret} is saved; run `paysync webhooks secret {provider}`. {meanwhile}"
                );
                return answer(StatusCode::SERVICE_UNAVAILABLE, &format!("no {secret} is set up"));
            }
            Err(e) => {
                tracing::error!(error = %e, "{delivery} not stored. {meanwhile}");
                return answer(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("the {item} could not be stored"),
                );
            }
        }
    }
}

fn answer(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}
