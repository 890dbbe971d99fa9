//! Provider payments: the money movements pull flows read from Stripe and the other providers,
//! stored in minor units of the ISO currency, one row per provider object.

use chrono::{DateTime, Utc};
use paysync_core::{Currency, Money};

use crate::error::Result;
use crate::time::ms;
use crate::{Store, require};

/// A payment as read from a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    /// The provider (`stripe`).
    pub provider: String,
    /// The provider's id for it (`ch_…`).
    pub provider_id: String,
    /// The provider's object type (`charge`).
    pub kind: String,
    /// The provider's status (`succeeded`, `pending`, `failed`).
    pub status: String,
    /// The amount, in the currency's ISO minor units.
    pub amount: Money,
    /// When it happened at the provider.
    pub occurred_at: DateTime<Utc>,
    /// The provider's customer id, if any.
    pub customer_ref: Option<String>,
}

/// Succeeded volume of one UTC day in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyVolume {
    /// The day, `YYYY-MM-DD`.
    pub day: String,
    /// The total.
    pub total: Money,
    /// How many payments.
    pub count: u64,
}

/// The provider payments of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct Payments<'a> {
    store: &'a Store,
}

impl<'a> Payments<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Inserts or refreshes `payments` in one transaction.
    pub async fn upsert_many(&self, payments: &[ProviderPayment], now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.store.begin_write().await?;
        for p in payments {
            require("provider", &p.provider)?;
            require("provider_id", &p.provider_id)?;
            let currency = p.amount.currency().code();
            let minor = p.amount.minor();
            sqlx::query_file!(
                "queries/payments/upsert.sql",
                p.provider,
                p.provider_id,
                p.kind,
                p.status,
                minor,
                currency,
                ms(p.occurred_at),
                p.customer_ref,
                ms(now)
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Succeeded volume per day and currency since `since`, oldest first. Rows in a currency this
    /// build does not know are skipped with a warning rather than failing the whole chart.
    pub async fn daily_volume(&self, since: DateTime<Utc>) -> Result<Vec<DailyVolume>> {
        let rows = sqlx::query_file!("queries/payments/daily_volume.sql", ms(since))
            .fetch_all(self.store.pool())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let Ok(currency) = r.currency.parse::<Currency>() else {
                tracing::warn!(currency = %r.currency, "Unknown currency in provider payments; skipped.");
                continue;
            };
            out.push(DailyVolume {
                day: r.day,
                total: Money::from_minor(r.amount_minor, currency),
                count: u64::try_from(r.count).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// How many payments of `provider` are stored.
    pub async fn count(&self, provider: &str) -> Result<u64> {
        let n = sqlx::query_file_scalar!("queries/payments/count.sql", provider)
            .fetch_one(self.store.pool())
            .await?;
        Ok(u64::try_from(n).unwrap_or_default())
    }
}
