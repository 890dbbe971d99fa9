//! Provider payments: the money movements pull flows read from Stripe and the other providers,
//! stored in minor units of the ISO currency, one row per provider object.

use chrono::{DateTime, Utc};
use paysync_core::{Currency, Money};

use crate::audit::like_escape;
use crate::error::Result;
use crate::time::{at, ms};
use crate::{Page, Store, require};

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

/// A stored provider payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPayment {
    /// The payment as read from the provider.
    pub payment: ProviderPayment,
    /// When Paysync last read it.
    pub synced_at: DateTime<Utc>,
}

/// What the Payments view filters on; `None` or empty means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentFilter {
    /// A piece of the provider id or of the customer id.
    pub text: Option<String>,
    /// The provider's status, exactly.
    pub status: Option<String>,
    /// The ISO currency code.
    pub currency: Option<String>,
    /// The smallest amount, in minor units (meaningful with a currency).
    pub min_minor: Option<i64>,
    /// The largest amount, in minor units (meaningful with a currency).
    pub max_minor: Option<i64>,
}

/// What the Payments view sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PaymentSortColumn {
    /// When it happened at the provider.
    #[default]
    OccurredAt,
    /// The amount in minor units.
    Amount,
    /// The provider's status.
    Status,
    /// The customer id.
    Customer,
    /// The provider id.
    ProviderId,
}

impl PaymentSortColumn {
    /// The name `page.sql` expects.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::OccurredAt => "occurred_at",
            Self::Amount => "amount",
            Self::Status => "status",
            Self::Customer => "customer",
            Self::ProviderId => "provider_id",
        }
    }
}

/// A sort of the Payments view (by default newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentSort {
    /// The column.
    pub column: PaymentSortColumn,
    /// Largest (or newest) first.
    pub descending: bool,
}

impl Default for PaymentSort {
    fn default() -> Self {
        Self {
            column: PaymentSortColumn::OccurredAt,
            descending: true,
        }
    }
}

/// A row of `provider_payments` as read back.
struct PaymentRow {
    provider: String,
    provider_id: String,
    kind: String,
    status: String,
    amount_minor: i64,
    currency: String,
    occurred_at: i64,
    customer_ref: Option<String>,
    synced_at: i64,
}

impl PaymentRow {
    /// The payment, or `None` (with a warning) in a currency this build does not know.
    fn into_stored(self) -> Option<StoredPayment> {
        let Ok(currency) = self.currency.parse::<Currency>() else {
            tracing::warn!(currency = %self.currency, id = %self.provider_id, "Unknown currency in provider payments; skipped.");
            return None;
        };
        Some(StoredPayment {
            payment: ProviderPayment {
                provider: self.provider,
                provider_id: self.provider_id,
                kind: self.kind,
                status: self.status,
                amount: Money::from_minor(self.amount_minor, currency),
                occurred_at: at(self.occurred_at),
                customer_ref: self.customer_ref,
            },
            synced_at: at(self.synced_at),
        })
    }
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

    /// One page of payments, filtered and sorted in the database so 100,000+ rows stay fast.
    pub async fn page(
        &self,
        filter: &PaymentFilter,
        sort: PaymentSort,
        limit: u32,
        offset: u32,
    ) -> Result<Page<StoredPayment>> {
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(like_escape);
        let status = filter.status.as_deref().filter(|s| !s.is_empty());
        let currency = filter.currency.as_deref().filter(|s| !s.is_empty());
        let descending = i64::from(sort.descending);
        let column = sort.column.as_str();
        let rows = sqlx::query_file_as!(
            PaymentRow,
            "queries/payments/page.sql",
            text,
            status,
            currency,
            filter.min_minor,
            filter.max_minor,
            descending,
            column,
            i64::from(limit),
            i64::from(offset)
        )
        .fetch_all(self.store.pool())
        .await?;
        let total = sqlx::query_file_scalar!(
            "queries/payments/count_filtered.sql",
            text,
            status,
            currency,
            filter.min_minor,
            filter.max_minor
        )
        .fetch_one(self.store.pool())
        .await?;
        Ok(Page {
            total: u64::try_from(total).unwrap_or_default(),
            items: rows.into_iter().filter_map(PaymentRow::into_stored).collect(),
        })
    }

    /// One payment.
    pub async fn get(&self, provider: &str, provider_id: &str) -> Result<Option<StoredPayment>> {
        let row = sqlx::query_file_as!(PaymentRow, "queries/payments/get.sql", provider, provider_id)
            .fetch_optional(self.store.pool())
            .await?;
        Ok(row.and_then(PaymentRow::into_stored))
    }

    /// How many payments of `provider` are stored.
    pub async fn count(&self, provider: &str) -> Result<u64> {
        let n = sqlx::query_file_scalar!("queries/payments/count.sql", provider)
            .fetch_one(self.store.pool())
            .await?;
        Ok(u64::try_from(n).unwrap_or_default())
    }
}
