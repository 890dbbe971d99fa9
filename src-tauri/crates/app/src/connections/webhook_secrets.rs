//! Webhook signing secrets (`whsec_…` for Stripe, the IPCN HMAC secret Payoneer provisions for a
//! program): kept in the OS keychain beside the provider's credentials. Setting a new one keeps the previous one valid for an overlap, so deliveries
//! signed while the provider rolls its secret are not refused (reliability T19); after the
//! overlap only the new one is accepted.

use chrono::{DateTime, Duration, Utc};
use paysync_core::Secret;
use paysync_store::NewAuditEntry;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ConnectError, Connections, secret_serde};
use crate::keychain;

/// The providers whose webhooks Paysync verifies with a shared secret.
pub const WEBHOOK_PROVIDERS: [&str; 2] = ["stripe", "payoneer"];

/// Shorter than this is not a secret worth the name (Payoneer does not publish its format).
const MIN_SECRET_LEN: usize = 12;

/// The longest overlap Stripe offers when rolling a secret.
pub const MAX_OVERLAP: Duration = Duration::hours(24);

/// The keychain entry.
#[derive(Serialize, Deserialize)]
struct WebhookSecretEntry {
    #[serde(with = "secret_serde")]
    current: Secret<String>,
    #[serde(default, with = "secret_serde::option")]
    previous: Option<Secret<String>>,
    #[serde(default)]
    previous_until: Option<DateTime<Utc>>,
}

impl WebhookSecretEntry {
    fn accepted(self, now: DateTime<Utc>) -> Vec<Secret<String>> {
        let mut secrets = vec![self.current];
        if let (Some(previous), Some(until)) = (self.previous, self.previous_until)
            && now < until
        {
            secrets.push(previous);
        }
        secrets
    }
}

fn entry_name(provider: &str) -> String {
    format!("{provider}.webhook")
}

fn check_provider(provider: &str) -> Result<&'static str, ConnectError> {
    WEBHOOK_PROVIDERS
        .iter()
        .find(|p| **p == provider)
        .copied()
        .ok_or_else(|| ConnectError::Invalid {
            provider: "webhooks",
            field: "provider",
            reason: format!("{provider:?} has no signing secret to set; only Stripe's webhooks and Payoneer's IPCNs are received"),
        })
}

impl Connections {
    /// Saves `secret` as `provider`'s webhook signing secret. The one it replaces stays valid for
    /// `overlap` (at most 24 h; zero ends it at once). Audited, without the secret.
    pub async fn set_webhook_secret(
        &self,
        provider: &str,
        secret: Secret<String>,
        overlap: Duration,
    ) -> Result<(), ConnectError> {
        let provider = check_provider(provider)?;
        let value = secret.expose().trim();
        let well_formed = value.len() >= MIN_SECRET_LEN && !value.chars().any(char::is_whitespace);
        if provider == "stripe" && !(well_formed && value.starts_with("whsec_")) {
            return Err(ConnectError::Invalid {
                provider,
                field: "signing secret",
                reason: "is not a Stripe webhook signing secret (whsec_…): copy it from the endpoint's page in the Stripe Dashboard"
                    .to_owned(),
            });
        }
        if !well_formed {
            return Err(ConnectError::Invalid {
                provider,
                field: "signing secret",
                reason: format!(
                    "is not an IPCN secret: at least {MIN_SECRET_LEN} characters without spaces, as Payoneer provided it"
                ),
            });
        }
        if overlap < Duration::zero() || overlap > MAX_OVERLAP {
            return Err(ConnectError::Invalid {
                provider,
                field: "overlap",
                reason: "must be between 0 and 24 hours".to_owned(),
            });
        }
        let secret = Secret::new(value.to_owned());
        let reference = self.keychain_ref(&entry_name(provider)).await?;
        let now = self.clock.now();
        let previous = self.read_webhook_entry(&reference).await?.map(|e| e.current);
        let rolled = previous.is_some() && overlap > Duration::zero();
        let entry = WebhookSecretEntry {
            current: secret,
            previous: previous.filter(|_| rolled),
            previous_until: rolled.then(|| now + overlap),
        };
        let text = serde_json::to_string(&entry).map_err(|e| ConnectError::Invalid {
            provider,
            field: "signing secret",
            reason: e.to_string(),
        })?;
        keychain::put_async(self.keychain.clone(), reference, Secret::new(text)).await?;
        self.store
            .audit()
            .append(
                &NewAuditEntry {
                    actor: self.actor.clone(),
                    action: "webhook_secret.set".to_owned(),
                    subject: format!("webhook:{}:{provider}", self.profile.name),
                    details: json!({
                        "previous_valid_until": entry.previous_until,
                    }),
                },
                now,
            )
            .await?;
        Ok(())
    }

    /// The signing secrets `provider`'s deliveries are checked against now: the current one, and
    /// the previous one while its overlap lasts. Empty when none was set.
    pub async fn webhook_secrets(&self, provider: &str) -> Result<Vec<Secret<String>>, ConnectError> {
        let provider = check_provider(provider)?;
        let reference = self.keychain_ref(&entry_name(provider)).await?;
        Ok(self
            .read_webhook_entry(&reference)
            .await?
            .map(|e| e.accepted(self.clock.now()))
            .unwrap_or_default())
    }

    /// Deletes `provider`'s webhook signing secret, if it has one (on disconnect: a secret for an
    /// account Paysync no longer holds must not verify anything).
    pub(super) async fn forget_webhook_secret(&self, provider: &str) -> Result<(), ConnectError> {
        if !WEBHOOK_PROVIDERS.contains(&provider) {
            return Ok(());
        }
        let reference = self.keychain_ref(&entry_name(provider)).await?;
        Ok(keychain::delete_async(self.keychain.clone(), reference).await?)
    }

    async fn read_webhook_entry(&self, reference: &str) -> Result<Option<WebhookSecretEntry>, ConnectError> {
        let Some(raw) = keychain::get_async(self.keychain.clone(), reference.to_owned()).await? else {
            return Ok(None);
        };
        serde_json::from_str(raw.expose())
            .map(Some)
            .map_err(|_| ConnectError::Invalid {
                provider: "webhooks",
                field: "signing secret",
                reason: format!("the keychain entry {reference} is not readable; set the secret again"),
            })
    }
}
