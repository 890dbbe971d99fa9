//! "Test connection": one cheap authenticated call per provider, with a verdict a person can act
//! on. Credentials go on the wire and nowhere else: errors quote the provider's message, never a
//! request.

use paysync_connectors::oauth::{ClientCredentials, ClientCredentialsConfig, OAuthError};
use paysync_core::{Secret, SharedClock};
use serde_json::Value;

use super::credentials::KeyCredentials;

/// What a successful test learned about the account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Probed {
    /// The provider's id of the account, when the call tells it.
    pub account_ref: Option<String>,
    /// A name for the account, shown on the card.
    pub display_name: String,
    /// When the access token the test obtained renews itself (OAuth client credentials).
    pub token_renews_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Why a test failed, in words for the person connecting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    /// The provider refused the credentials.
    #[error("{0}")]
    Refused(String),
    /// The provider could not be reached or answered with an error.
    #[error("{0}")]
    Unreachable(String),
}

/// Where a probe calls: the provider's API base, and for OAuth clients the token host.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The API base URL.
    pub base: &'a str,
    /// Checkout.com's access (token) host; Payoneer's tokens come from the API host.
    pub access: &'a str,
}

/// Tests key-based credentials against `target` (the profile's URLs for the provider).
pub async fn probe(
    http: &reqwest::Client,
    clock: &SharedClock,
    target: Target<'_>,
    creds: &KeyCredentials,
) -> Result<Probed, ProbeError> {
    let base = target.base.trim_end_matches('/');
    match creds {
        KeyCredentials::Stripe { secret_key } => stripe(http, base, secret_key).await,
        KeyCredentials::Checkout { secret_key } => checkout(http, base, secret_key, "secret key").await,
        KeyCredentials::CheckoutOauth {
            client_id,
            client_secret,
        } => {
            let config = ClientCredentialsConfig::checkout(
                target.access,
                client_id.clone(),
                client_secret.clone(),
                vec!["gateway".to_owned()],
            );
            let (token, renews) = client_token(http, clock, config).await?;
            let probed = checkout(http, base, &token, "OAuth client").await?;
            Ok(Probed {
                token_renews_at: renews,
                ..probed
            })
        }
        KeyCredentials::Payoneer {
            program_id,
            client_id,
            client_secret,
        } => {
            let config = ClientCredentialsConfig::payoneer(base, client_id.clone(), client_secret.clone());
            let (token, renews) = client_token(http, clock, config).await?;
            let probed = payoneer_balance(http, base, program_id, &token).await?;
            Ok(Probed {
                token_renews_at: renews,
                ..probed
            })
        }
        KeyCredentials::Maldopay {
            client_id,
            brand_id,
            api_key,
            ..
        } => maldopay(http, base, client_id, brand_id, api_key).await,
    }
}

/// Stripe: `GET /v1/balance`, which every secret and most restricted keys may read.
async fn stripe(http: &reqwest::Client, base: &str, key: &Secret<String>) -> Result<Probed, ProbeError> {
    let response = http
        .get(format!("{base}/v1/balance"))
        .bearer_auth(key.expose())
        .send()
        .await
        .map_err(|e| unreachable_error("Stripe", &e))?;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    match status {
        200 => {
            let live = body["livemode"].as_bool().unwrap_or(false);
            let currencies: Vec<&str> = body["available"]
                .as_array()
                .map(|a| a.iter().filter_map(|b| b["currency"].as_str()).collect())
                .unwrap_or_default();
            Ok(Probed {
                account_ref: None,
                token_renews_at: None,
                display_name: format!(
                    "Stripe ({} mode{})",
                    if live { "live" } else { "test" },
                    if currencies.is_empty() {
                        String::new()
                    } else {
                        format!(", balances in {}", currencies.join(", ").to_uppercase())
                    }
                ),
            })
        }
        401 | 403 => Err(ProbeError::Refused(format!(
            "Stripe refused the key: {}",
            message(&body["error"]["message"], "not a valid key")
        ))),
        s => Err(ProbeError::Unreachable(format!(
            "Stripe answered HTTP {s}: {}",
            message(&body["error"]["message"], "no message")
        ))),
    }
}

/// A client-credentials access token and when it renews; a refusal is the provider's verdict on
/// the client.
async fn client_token(
    http: &reqwest::Client,
    clock: &SharedClock,
    config: ClientCredentialsConfig,
) -> Result<(Secret<String>, Option<chrono::DateTime<chrono::Utc>>), ProbeError> {
    let provider = config.provider.clone();
    let source = ClientCredentials::new(config, http.clone(), clock.clone())
        .map_err(|e| ProbeError::Unreachable(format!("{provider}: {e}")))?;
    let token = source.access_token().await.map_err(|e| match e {
        OAuthError::Refused { .. } | OAuthError::ReconnectNeeded { .. } => {
            ProbeError::Refused(format!("{provider} refused the client id or secret: {e}"))
        }
        other => ProbeError::Unreachable(format!("{provider}: {other}")),
    })?;
    Ok((token, source.refresh_at().await))
}

/// Checkout.com: `GET /payments/{id}` for an id that cannot exist: 404 proves the credential
/// works, 401 that it does not. Nothing is read or changed.
async fn checkout(
    http: &reqwest::Client,
    base: &str,
    key: &Secret<String>,
    kind: &str,
) -> Result<Probed, ProbeError> {
    let response = http
        .get(format!("{base}/payments/pay_paysyncconnectiontest00000"))
        .bearer_auth(key.expose())
        .send()
        .await
        .map_err(|e| unreachable_error("Checkout.com", &e))?;
    match response.status().as_u16() {
        200 | 404 => Ok(Probed {
            account_ref: None,
            token_renews_at: None,
            display_name: format!("Checkout.com ({kind})"),
        }),
        401 | 403 => Err(ProbeError::Refused(format!(
            "Checkout.com refused the {kind} (401): check it was copied whole, for this environment"
        ))),
        s => Err(ProbeError::Unreachable(format!("Checkout.com answered HTTP {s}"))),
    }
}

/// Payoneer: the program's balance, with a client-credentials token.
async fn payoneer_balance(
    http: &reqwest::Client,
    base: &str,
    program_id: &str,
    token: &Secret<String>,
) -> Result<Probed, ProbeError> {
    let response = http
        .get(format!("{base}/v4/programs/{program_id}/balance"))
        .bearer_auth(token.expose())
        .send()
        .await
        .map_err(|e| unreachable_error("Payoneer", &e))?;
    match response.status().as_u16() {
        200 => Ok(Probed {
            account_ref: Some(program_id.to_owned()),
            token_renews_at: None,
            display_name: format!("Payoneer program {program_id}"),
        }),
        401 | 403 | 404 => Err(ProbeError::Refused(format!(
            "Payoneer accepted the client but not program {program_id}: check the program id"
        ))),
        s => Err(ProbeError::Unreachable(format!(
            "Payoneer answered HTTP {s} for the balance"
        ))),
    }
}

/// MaldoPay: an `auth` call for a throwaway player, which checks client, brand and API key.
async fn maldopay(
    http: &reqwest::Client,
    base: &str,
    client_id: &str,
    brand_id: &str,
    api_key: &Secret<String>,
) -> Result<Probed, ProbeError> {
    let json = serde_json::json!({
        "auth": {
            "clientId": client_id,
            "brandId": brand_id,
            "request": { "playerId": "paysync-connection-test", "currencyCode": "EUR" }
        }
    });
    let response = http
        .post(format!("{base}/json/auth/"))
        .form(&[("json", json.to_string().as_str()), ("apiKey", api_key.expose())])
        .send()
        .await
        .map_err(|e| unreachable_error("MaldoPay", &e))?;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let code = body["transaction"]["codeId"]
        .as_u64()
        .or_else(|| body["codeId"].as_u64());
    match (status, code) {
        (200, Some(0)) => Ok(Probed {
            account_ref: Some(format!("{client_id}/{brand_id}")),
            token_renews_at: None,
            display_name: format!("MaldoPay client {client_id}, brand {brand_id}"),
        }),
        (200, Some(510)) => Err(ProbeError::Refused(
            "MaldoPay refused the client id, brand id or API key (code 510)".to_owned(),
        )),
        (200, Some(other)) => Err(ProbeError::Unreachable(format!(
            "MaldoPay answered code {other}: {}",
            message(&body["transaction"]["codeMessage"], "no message")
        ))),
        (s, _) => Err(ProbeError::Unreachable(format!("MaldoPay answered HTTP {s}"))),
    }
}

fn message(value: &Value, fallback: &str) -> String {
    value.as_str().unwrap_or(fallback).to_owned()
}

/// A provider that did not answer, in words: why, as far as the HTTP client can tell.
pub(crate) fn unreachable_error(provider: &str, e: &reqwest::Error) -> ProbeError {
    let why = if e.is_timeout() {
        "it did not answer in time"
    } else if e.is_connect() {
        "the connection was refused or the host is unknown"
    } else {
        "the request failed"
    };
    ProbeError::Unreachable(format!("{provider} could not be reached: {why}"))
}
