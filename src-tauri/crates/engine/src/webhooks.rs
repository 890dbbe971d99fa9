//! Webhook intake: a delivery is verified on its raw bytes, decoded, and recorded in the inbox
//! before it is acknowledged (ARCHITECTURE §2). The HTTP listener that calls this lives at the
//! binaries' edge; everything that decides what a delivery means lives here, so it is tested
//! without a socket.

use paysync_connectors::payoneer::ipcn::{self, IpcnAuthError, IpcnDecodeError, IpcnKind};
use paysync_connectors::stripe::events::{EventDecodeError, decode_event};
use paysync_connectors::stripe::signature::{DEFAULT_TOLERANCE_SECS, SignatureError, verify};
use paysync_core::Secret;
use paysync_store::{InboxOutcome, StoreError};

use crate::Engine;
use crate::flows::stripe_events::SOURCE as STRIPE_SOURCE;

/// What became of an accepted delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookReceipt {
    /// The event is new and now durably in the inbox.
    Recorded {
        /// Its id.
        event_id: String,
    },
    /// The event was already in the inbox (a retry, or the poller got there first).
    Duplicate {
        /// Its id.
        event_id: String,
    },
}

/// Why a delivery was refused. Refusals of what the sender sent answer 400 (the sender's problem);
/// Paysync's own failures (nothing to store it in, no signing secret set up yet) answer 5xx, so
/// the provider keeps delivering until they are mended.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The signature does not check out: not from the provider, altered, or replayed late.
    #[error("refused: {0}")]
    Unauthentic(#[from] SignatureError),
    /// Authentic, but not an event Paysync can read. The poller will list it too; the error
    /// names the field.
    #[error("refused: {0}")]
    Undecodable(#[from] EventDecodeError),
    /// A Payoneer IPCN whose `hmacauth` signature does not check out.
    #[error("refused: {0}")]
    IpcnUnauthentic(#[from] IpcnAuthError),
    /// An authentic IPCN without what its kind must carry; the field is named.
    #[error("refused: {0}")]
    IpcnUndecodable(#[from] IpcnDecodeError),
    /// It could not be stored; not acknowledged.
    #[error("could not be stored: {0}")]
    Store(#[from] StoreError),
}

impl WebhookError {
    /// Whether the sender is at fault (answer 400) rather than Paysync (answer 5xx, retried).
    pub fn is_senders(&self) -> bool {
        !matches!(
            self,
            Self::Store(_)
                | Self::Unauthentic(SignatureError::NoSecret)
                | Self::IpcnUnauthentic(IpcnAuthError::NoSecret)
        )
    }

    /// Whether the refusal is a signature that matched none of the secrets held, so reading the
    /// secrets again (one may just have been rolled) could change the answer.
    pub fn may_be_a_new_secret(&self) -> bool {
        matches!(
            self,
            Self::Unauthentic(SignatureError::Mismatch | SignatureError::NoSecret)
                | Self::IpcnUnauthentic(IpcnAuthError::Mismatch | IpcnAuthError::NoSecret)
        )
    }
}

/// The inbox source of Payoneer's IPCNs.
pub const PAYONEER_IPCN_SOURCE: &str = "payoneer.ipcn";

impl Engine {
    /// Takes a Stripe webhook delivery: `signature` is the `Stripe-Signature` header (`None` if
    /// absent), `body` the raw bytes as received, `secrets` the endpoint's current signing
    /// secrets. Returns only after the event is committed to the inbox (or found there).
    pub async fn receive_stripe_webhook(
        &self,
        signature: Option<&str>,
        body: &[u8],
        secrets: &[Secret<String>],
    ) -> Result<WebhookReceipt, WebhookError> {
        let now = self.clock().now();
        verify(signature, body, secrets, now, DEFAULT_TOLERANCE_SECS)?;
        let event = decode_event(body)?;
        let payload: serde_json::Value = serde_json::from_slice(body).map_err(StoreError::from)?;
        let outcome = self
            .store()
            .inbox()
            .record(STRIPE_SOURCE, &event.id, &event.kind, &payload, None, now)
            .await?;
        Ok(match outcome {
            InboxOutcome::New { .. } => WebhookReceipt::Recorded { event_id: event.id },
            InboxOutcome::Duplicate => WebhookReceipt::Duplicate { event_id: event.id },
        })
    }
}

impl Engine {
    /// Takes a Payoneer IPCN of `kind`: `authorization` is the `Authorization` header, `url` the
    /// URL Payoneer called (as registered with Payoneer, with its query), `body` the raw bytes,
    /// `secrets` the program's current IPCN secrets. Returns once the notice is committed to the
    /// inbox (or found there), and wakes the payouts flow, which asks Payoneer for the status of
    /// the payout named before anything changes: a notice is a reason to look, not the truth.
    pub async fn receive_payoneer_ipcn(
        &self,
        kind: IpcnKind,
        authorization: Option<&str>,
        url: &str,
        body: &[u8],
        secrets: &[Secret<String>],
    ) -> Result<WebhookReceipt, WebhookError> {
        let now = self.clock().now();
        ipcn::verify(
            authorization,
            "POST",
            url,
            body,
            secrets,
            now,
            ipcn::DEFAULT_TOLERANCE_SECS,
        )?;
        let notice = ipcn::decode(kind, body)?;
        let event_id = ipcn::event_id(kind, body);
        let payload = serde_json::json!({
            "payee_id": notice.payee_id,
            "client_reference_id": notice.client_reference_id,
            "reason_code": notice.reason_code,
            "reason_description": notice.reason_description,
            "amount": notice.amount,
            "currency": notice.currency,
            "account_id": notice.account_id,
            "body": String::from_utf8_lossy(body),
        });
        let outcome = self
            .store()
            .inbox()
            .record(
                PAYONEER_IPCN_SOURCE,
                &event_id,
                kind.path_segment(),
                &payload,
                None,
                now,
            )
            .await?;
        self.wake_flow(crate::payouts::NAME);
        Ok(match outcome {
            InboxOutcome::New { .. } => WebhookReceipt::Recorded { event_id },
            InboxOutcome::Duplicate => WebhookReceipt::Duplicate { event_id },
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};
    use paysync_connectors::stripe::signature::sign;
    use paysync_core::{ManualClock, SeededRandom};
    use serde_json::json;

    use super::*;
    use crate::EngineOptions;

    const SECRET: &str = "whsec_test_receiver";

    async fn engine(dir: &std::path::Path) -> Engine {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .single()
            .unwrap_or_default();
        Engine::open(
            EngineOptions::new(dir.to_path_buf()),
            Arc::new(ManualClock::new(now)),
            Arc::new(SeededRandom::new(3)),
        )
        .await
        .unwrap_or_else(|e| panic!("engine: {e}"))
    }

    fn delivery(engine: &Engine, id: &str) -> (String, Vec<u8>) {
        let body = serde_json::to_vec(&json!({
            "id": id,
            "object": "event",
            "type": "charge.refunded",
            "created": 1_763_640_000,
            "data": {"object": {"id": "ch_1", "object": "charge", "amount_refunded": 500}},
            "livemode": false
        }))
        .unwrap_or_default();
        let t = engine.clock().now().timestamp();
        (format!("t={t},v1={}", sign(SECRET, t, &body)), body)
    }

    fn secrets() -> Vec<Secret<String>> {
        vec![Secret::new(SECRET.to_owned())]
    }

    #[tokio::test]
    async fn an_authentic_delivery_is_in_the_inbox_before_it_is_acknowledged_and_only_once() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let engine = engine(dir.path()).await;
        let (header, body) = delivery(&engine, "evt_hook1");
        let first = engine
            .receive_stripe_webhook(Some(&header), &body, &secrets())
            .await;
        assert_eq!(
            first.ok(),
            Some(WebhookReceipt::Recorded {
                event_id: "evt_hook1".into()
            })
        );
        let stored = engine
            .store()
            .inbox()
            .get(STRIPE_SOURCE, "evt_hook1")
            .await
            .ok()
            .flatten();
        let stored = stored.unwrap_or_else(|| panic!("not in the inbox"));
        assert_eq!(stored.event_type, "charge.refunded");
        assert_eq!(stored.payload["data"]["object"]["amount_refunded"], 500);

        let again = engine
            .receive_stripe_webhook(Some(&header), &body, &secrets())
            .await;
        assert_eq!(
            again.ok(),
            Some(WebhookReceipt::Duplicate {
                event_id: "evt_hook1".into()
            })
        );
    }

    #[tokio::test]
    async fn refusals_store_nothing_and_say_whose_fault_they_are() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let engine = engine(dir.path()).await;
        let (header, body) = delivery(&engine, "evt_hook2");
        let mut tampered = body.clone();
        tampered.extend_from_slice(b" ");
        let refused = engine
            .receive_stripe_webhook(Some(&header), &tampered, &secrets())
            .await;
        assert!(matches!(
            refused,
            Err(WebhookError::Unauthentic(SignatureError::Mismatch))
        ));
        let unsigned = engine.receive_stripe_webhook(None, &body, &secrets()).await;
        assert!(matches!(
            unsigned,
            Err(WebhookError::Unauthentic(SignatureError::Missing))
        ));

        // Authentic but not an event: refused with the field named.
        let t = engine.clock().now().timestamp();
        let odd = br#"{"id":"cus_1","object":"customer"}"#;
        let header = format!("t={t},v1={}", sign(SECRET, t, odd));
        let refused = engine
            .receive_stripe_webhook(Some(&header), odd, &secrets())
            .await;
        let Err(e) = refused else { panic!("accepted") };
        assert!(e.is_senders());
        assert!(e.to_string().contains("field body"), "{e}");

        assert!(
            engine
                .store()
                .inbox()
                .unprocessed(10)
                .await
                .unwrap_or_default()
                .is_empty()
        );
    }
}
