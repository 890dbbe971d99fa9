//! Events and webhook deliveries (Workflows; apis.md §3.4, reliability.md §1.3).
//!
//! Each event is serialised once and every delivery (first try, retry, duplicate) sends those
//! exact bytes with `Cko-Signature` = hex HMAC-SHA256 of the raw body under the receiver's
//! signature key, plus the receiver's configured headers (e.g. `Authorization`). A delivery
//! counts as done on any 2xx within the timeout; otherwise it is retried with doubling delays
//! up to the configured number of attempts (Checkout.com's own schedule is not published).

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::state::{Delivery, EventRecord, Receiver, State as SimState};
use super::wire::ts;
use super::{CheckoutSim, ids};

/// The event schema version in the envelope (apis.md §3.4 quotes `1.0.29`).
const EVENT_VERSION: &str = "1.0.29";

/// The `Cko-Signature` value for `body`: lowercase hex HMAC-SHA256 keyed with the webhook's
/// signature key. Verify on the raw bytes; re-serialised JSON may not match.
pub fn signature(key: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

impl CheckoutSim {
    /// Records an event about `subject_id` and, if `deliver`, sends it to every receiver that
    /// wants its type. Takes the locked state so the event is recorded atomically with the change
    /// it reports; deliveries run in the background.
    pub(crate) fn emit(
        &self,
        state: &mut SimState,
        event_type: &str,
        subject_id: &str,
        data: Value,
        created_on: DateTime<Utc>,
        deliver: bool,
    ) -> String {
        let id = ids::event(&*self.ctx.rng);
        let base = &self.ctx.base_url;
        let mut links = json!({
            "self": { "href": format!("{base}/workflows/events/{id}") },
            "subject": { "href": format!("{base}/workflows/events/subject/{subject_id}") },
        });
        if subject_id.starts_with("pay_") {
            links["payment"] = json!({ "href": format!("{base}/payments/{subject_id}") });
            links["payment_actions"] = json!({ "href": format!("{base}/payments/{subject_id}/actions") });
        } else if subject_id.starts_with("dsp_") {
            links["dispute"] = json!({ "href": format!("{base}/disputes/{subject_id}") });
        }
        let envelope = json!({
            "id": id,
            "type": event_type,
            "version": EVENT_VERSION,
            "created_on": ts(created_on),
            "data": data,
            "_links": links,
        });
        let body = envelope.to_string();
        state.events.push(EventRecord {
            id: id.clone(),
            event_type: event_type.to_owned(),
            subject_id: subject_id.to_owned(),
            created_on,
            body: body.clone(),
        });
        if deliver {
            let receivers: Vec<Receiver> = state
                .receivers
                .values()
                .filter(|r| r.event_types.is_empty() || r.event_types.iter().any(|t| t == event_type))
                .cloned()
                .collect();
            let copies = if state.config.webhook_duplicates { 2 } else { 1 };
            for receiver in receivers {
                for _ in 0..copies {
                    let (receiver, body, event_id) = (receiver.clone(), body.clone(), id.clone());
                    self.spawn(move |sim| async move { sim.deliver(receiver, event_id, body).await });
                }
            }
        }
        id
    }

    /// Delivers one event to one receiver, retrying with doubling delays.
    async fn deliver(&self, receiver: Receiver, event_id: String, body: String) {
        let (max_attempts, base_ms, timeout_ms) = {
            let state = self.lock();
            let c = &state.config;
            (
                c.webhook_max_attempts.max(1),
                c.webhook_retry_base_ms,
                c.webhook_timeout_ms,
            )
        };
        let sig = signature(&receiver.signature_key, body.as_bytes());
        for attempt in 1..=max_attempts {
            let mut request = self
                .ctx
                .http
                .post(&receiver.url)
                .timeout(std::time::Duration::from_millis(timeout_ms))
                .header("content-type", "application/json")
                .header("cko-signature", &sig)
                .body(body.clone());
            for (name, value) in &receiver.headers {
                request = request.header(name, value);
            }
            let (status, error) = match request.send().await {
                Ok(response) => (Some(response.status().as_u16()), None),
                Err(e) => (None, Some(e.to_string())),
            };
            let ok = status.is_some_and(|s| (200..300).contains(&s));
            let at = self.now();
            self.lock().log_delivery(Delivery {
                event_id: event_id.clone(),
                receiver_id: receiver.id.clone(),
                attempt,
                status,
                error,
                at,
            });
            if ok || attempt == max_attempts {
                return;
            }
            let factor = 1u64 << (attempt - 1).min(16);
            tokio::time::sleep(std::time::Duration::from_millis(base_ms.saturating_mul(factor))).await;
        }
    }
}

/// Whether a receiver URL points at this machine (deliveries never leave loopback).
pub(crate) fn loopback_url(raw: &str) -> bool {
    let Ok(url) = url::Url::parse(raw) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hex_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn only_loopback_receivers() {
        assert!(loopback_url("http://127.0.0.1:9/hook"));
        assert!(loopback_url("http://localhost:9/hook"));
        assert!(loopback_url("http://[::1]:9/hook"));
        assert!(!loopback_url("http://10.0.0.1/hook"));
        assert!(!loopback_url("https://example.com/hook"));
        assert!(!loopback_url("file:///etc/passwd"));
    }
}
