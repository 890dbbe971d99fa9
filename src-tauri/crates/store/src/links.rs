//! Cross-system links: which Salesforce record a provider object was written to, under a stable
//! correlation id.

use chrono::{DateTime, Utc};

use crate::error::{Result, StoreError, is_unique_violation};
use crate::ids::LinkId;
use crate::time::{at, ms};
use crate::{Store, require};

/// A link to create or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    /// A stable id for the pair, unique across all links (kept if the link already exists).
    pub correlation_id: String,
    /// The provider (`stripe`, …).
    pub provider: String,
    /// The provider's object type (`charge`, `payout`, …).
    pub provider_object: String,
    /// The provider's id for the object.
    pub provider_id: String,
    /// The Salesforce object (`Payment__c`, …).
    pub salesforce_object: String,
    /// The Salesforce record id, once known.
    pub salesforce_id: Option<String>,
}

/// A stored link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// Its row id.
    pub id: LinkId,
    /// Its correlation id.
    pub correlation_id: String,
    /// The provider.
    pub provider: String,
    /// The provider's object type.
    pub provider_object: String,
    /// The provider's id.
    pub provider_id: String,
    /// The Salesforce object.
    pub salesforce_object: String,
    /// The Salesforce record id, once known.
    pub salesforce_id: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The links of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    store: &'a Store,
}

impl<'a> Links<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Creates the link for (provider, object, id) or updates its Salesforce side, returning the
    /// stored link. A correlation id already used by a different link is a
    /// [`StoreError::Conflict`].
    pub async fn upsert(&self, link: &NewLink, now: DateTime<Utc>) -> Result<Link> {
        require("correlation_id", &link.correlation_id)?;
        require("provider", &link.provider)?;
        require("provider_object", &link.provider_object)?;
        require("provider_id", &link.provider_id)?;
        require("salesforce_object", &link.salesforce_object)?;
        let row = sqlx::query_file_as!(
            LinkRow,
            "queries/links/upsert.sql",
            link.correlation_id,
            link.provider,
            link.provider_object,
            link.provider_id,
            link.salesforce_object,
            link.salesforce_id,
            ms(now)
        )
        .fetch_one(self.store.pool())
        .await
        .map_err(|err| {
            if is_unique_violation(&err) {
                StoreError::Conflict {
                    what: format!(
                        "correlation id {:?} already links another object",
                        link.correlation_id
                    ),
                }
            } else {
                err.into()
            }
        })?;
        Ok(row.into())
    }

    /// The link of a provider object.
    pub async fn by_provider(&self, provider: &str, object: &str, id: &str) -> Result<Option<Link>> {
        Ok(
            sqlx::query_file_as!(LinkRow, "queries/links/by_provider.sql", provider, object, id)
                .fetch_optional(self.store.pool())
                .await?
                .map(Link::from),
        )
    }

    /// The links pointing at a Salesforce record (several provider objects may share one).
    pub async fn by_salesforce(&self, object: &str, id: &str) -> Result<Vec<Link>> {
        Ok(
            sqlx::query_file_as!(LinkRow, "queries/links/by_salesforce.sql", object, id)
                .fetch_all(self.store.pool())
                .await?
                .into_iter()
                .map(Link::from)
                .collect(),
        )
    }

    /// The link with this correlation id.
    pub async fn by_correlation(&self, correlation_id: &str) -> Result<Option<Link>> {
        Ok(
            sqlx::query_file_as!(LinkRow, "queries/links/by_correlation.sql", correlation_id)
                .fetch_optional(self.store.pool())
                .await?
                .map(Link::from),
        )
    }
}

struct LinkRow {
    id: i64,
    correlation_id: String,
    provider: String,
    provider_object: String,
    provider_id: String,
    salesforce_object: String,
    salesforce_id: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl From<LinkRow> for Link {
    fn from(row: LinkRow) -> Self {
        Link {
            id: row.id,
            correlation_id: row.correlation_id,
            provider: row.provider,
            provider_object: row.provider_object,
            provider_id: row.provider_id,
            salesforce_object: row.salesforce_object,
            salesforce_id: row.salesforce_id,
            created_at: at(row.created_at),
            updated_at: at(row.updated_at),
        }
    }
}
