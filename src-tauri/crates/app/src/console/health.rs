//! Connection health: live probes of the sandbox's simulators, or what the store knows about
//! connected accounts (last success, last error).

use chrono::{DateTime, Utc};
use paysync_connectors::http::{BreakerState, Circuit};
use paysync_sandbox::sandbox::SandboxUrls;
use paysync_store::Connection;
use serde::Deserialize;

use super::api::{ApiUsage, ConnectionHealth, Health};
use crate::connections::salesforce::read_limits;

/// The label a provider is shown with.
pub fn provider_label(provider: &str) -> &str {
    match provider {
        "salesforce" => "Salesforce",
        "stripe" => "Stripe",
        "checkout" => "Checkout.com",
        "payoneer" => "Payoneer",
        "maldopay" => "MaldoPay",
        other => other,
    }
}

/// Probes each simulator; one that does not answer is down, with the reason in words.
pub(crate) async fn probe_sandbox(
    http: &reqwest::Client,
    urls: &SandboxUrls,
    now: DateTime<Utc>,
) -> Vec<ConnectionHealth> {
    let probes = urls.named().map(|(provider, base)| async move {
        let url = format!("{}/__sandbox/faults", base.trim_end_matches('/'));
        let (health, detail) = match http.get(&url).send().await {
            Ok(r) if r.status().is_success() => (Health::Healthy, None),
            Ok(r) => (
                Health::Degraded,
                Some(format!(
                    "The simulator answered with HTTP {}.",
                    r.status().as_u16()
                )),
            ),
            Err(e) => (
                Health::Down,
                Some(format!("The simulator is not answering ({}).", error_kind(&e))),
            ),
        };
        ConnectionHealth {
            provider: provider.to_owned(),
            label: format!("{} (sandbox)", provider_label(provider)),
            health,
            detail,
            checked_at: Some(now),
        }
    });
    let mut out = Vec::with_capacity(probes.len());
    for probe in probes {
        out.push(probe.await);
    }
    out
}

/// Marks a connection degraded while one of its endpoints' breakers is open or probing, and
/// says which calls are paused and until when.
pub(crate) fn apply_breakers(connections: &mut [ConnectionHealth], breakers: &[BreakerState]) {
    for b in breakers {
        let paused = match b.circuit {
            Circuit::Closed { .. } => continue,
            Circuit::Open { until } => format!(
                "Calls to {} are paused after repeated failures until {} UTC.",
                b.endpoint,
                until.format("%H:%M:%S")
            ),
            Circuit::HalfOpen => format!("Trying {} again after repeated failures.", b.endpoint),
        };
        if let Some(c) = connections.iter_mut().find(|c| c.provider == b.provider) {
            if c.health == Health::Healthy {
                c.health = Health::Degraded;
            }
            c.detail = Some(match c.detail.take() {
                Some(d) => format!("{d} {paused}"),
                None => paused,
            });
        }
    }
}

fn error_kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection refused"
    } else {
        "request failed"
    }
}

/// Health of connected accounts, from the store's record of their last calls.
pub(crate) fn from_connections(connections: &[Connection]) -> Vec<ConnectionHealth> {
    connections
        .iter()
        .map(|c| {
            let health = match (c.status.as_str(), &c.last_error) {
                ("connected", None) => Health::Healthy,
                ("connected", Some(_)) => Health::Degraded,
                ("disconnected" | "revoked", _) => Health::NotConnected,
                _ => Health::Down,
            };
            ConnectionHealth {
                provider: c.provider.clone(),
                label: c.display_name.clone(),
                health,
                detail: c.last_error.clone(),
                checked_at: c.last_success_at,
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    instance_url: String,
}

/// The sandbox org's daily API usage, read the way a connected org's is: through the REST
/// `limits` resource, with a session the sandbox issues to its own demo client.
pub(crate) async fn sandbox_salesforce_usage(http: &reqwest::Client, base: &str) -> Option<ApiUsage> {
    let token: TokenResponse = http
        .post(format!(
            "{}/__sandbox/salesforce/tokens",
            base.trim_end_matches('/')
        ))
        .json(&serde_json::json!({}))
        .send()
        .await
        .ok()?
        .error_for_status()
        .ok()?
        .json()
        .await
        .ok()?;
    let usage = read_limits(http, &token.instance_url, &token.access_token)
        .await
        .ok()??;
    Some(ApiUsage {
        used: usage.used,
        limit: usage.limit,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn healthy(provider: &str) -> ConnectionHealth {
        ConnectionHealth {
            provider: provider.to_owned(),
            label: provider_label(provider).to_owned(),
            health: Health::Healthy,
            detail: None,
            checked_at: None,
        }
    }

    fn breaker(provider: &str, circuit: Circuit) -> BreakerState {
        BreakerState {
            provider: provider.to_owned(),
            endpoint: format!("{provider}:GET /v1/charges"),
            circuit,
        }
    }

    #[test]
    fn an_open_breaker_degrades_its_connection_and_says_until_when() {
        let until = Utc
            .with_ymd_and_hms(2026, 11, 22, 9, 30, 5)
            .single()
            .unwrap_or_default();
        let mut connections = vec![healthy("stripe"), healthy("salesforce")];
        apply_breakers(
            &mut connections,
            &[
                breaker("stripe", Circuit::Open { until }),
                breaker("salesforce", Circuit::Closed { failures: 2 }),
            ],
        );
        assert_eq!(connections[0].health, Health::Degraded);
        assert_eq!(
            connections[0].detail.as_deref(),
            Some("Calls to stripe:GET /v1/charges are paused after repeated failures until 09:30:05 UTC.")
        );
        assert_eq!(
            connections[1].health,
            Health::Healthy,
            "a closed breaker changes nothing"
        );
        assert_eq!(connections[1].detail, None);
    }

    #[test]
    fn a_down_connection_stays_down_with_the_breaker_noted() {
        let mut down = healthy("stripe");
        down.health = Health::Down;
        down.detail = Some("The simulator is not answering (connection refused).".to_owned());
        let mut connections = vec![down];
        apply_breakers(&mut connections, &[breaker("stripe", Circuit::HalfOpen)]);
        assert_eq!(connections[0].health, Health::Down);
        assert_eq!(
            connections[0].detail.as_deref(),
            Some(
                "The simulator is not answering (connection refused). Trying stripe:GET /v1/charges again after repeated failures."
            )
        );
    }
}
