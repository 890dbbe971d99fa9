//! Reconciliation data: the movements read from each side (kept locally, so a re-run is fast and
//! works offline), each run with its summary and results, and the decisions people make about
//! results (audited, once each). What the records mean and how they are matched is the engine's
//! and the core's business; here they are JSON documents with the columns periods are found by.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::audit::{self, NewAuditEntry};
use crate::error::{Result, StoreError};
use crate::names::string_enum;
use crate::time::{at, at_opt, ms};
use crate::{Store, require};

string_enum! {
    /// Which side of a reconciliation a movement is on.
    pub enum ReconSide: "reconciliation side" {
        /// A payment provider (Stripe, Payoneer, …).
        Provider = "provider",
        /// Salesforce.
        Salesforce = "salesforce",
    }
}

string_enum! {
    /// What a result is.
    pub enum ResultCategory: "reconciliation result category" {
        /// Matched and confirmed by the rules.
        Matched = "matched",
        /// A likely match a person must accept or reject.
        Suggested = "suggested",
        /// A difference to explain or fix.
        Exception = "exception",
    }
}

string_enum! {
    /// A person's decision about a result.
    pub enum Resolution: "reconciliation resolution" {
        /// A suggestion taken as a match.
        Accepted = "accepted",
        /// A suggestion turned down.
        Rejected = "rejected",
        /// An exception explained, with a note.
        Explained = "explained",
        /// An exception fixed at its source (e.g. the Salesforce record written).
        Fixed = "fixed",
    }
}

/// One movement to save.
#[derive(Debug, Clone)]
pub struct NewReconInput {
    /// Where it was read (`stripe`, `payoneer`, `Payment__c`, …).
    pub source: String,
    /// Its id there.
    pub id: String,
    /// Its date, `YYYY-MM-DD`.
    pub day: String,
    /// Its currency code.
    pub currency: String,
    /// The record, as the engine reconciles it.
    pub record: Value,
}

/// How many movements one side and source holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputCount {
    /// The side.
    pub side: ReconSide,
    /// The source.
    pub source: String,
    /// How many movements.
    pub count: u64,
    /// The earliest date held.
    pub first_day: Option<String>,
    /// The latest date held.
    pub last_day: Option<String>,
}

/// A result to save with its run.
#[derive(Debug, Clone)]
pub struct NewReconResult {
    /// What it is.
    pub category: ResultCategory,
    /// The exception's kind or the match's strategy.
    pub kind: String,
    /// The currency it is in.
    pub currency: String,
    /// The provider records involved.
    pub provider_ids: Vec<String>,
    /// The Salesforce records involved.
    pub salesforce_ids: Vec<String>,
    /// Why, in words.
    pub reason: String,
    /// Gross, fee, FX difference and net, when matched or suggested.
    pub breakdown: Option<Value>,
}

/// A reconciliation run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconRun {
    /// Its id.
    pub id: i64,
    /// First day of the period.
    pub period_from: String,
    /// Last day of the period.
    pub period_to: String,
    /// Who started it (a person, or `system:reconcile`).
    pub started_by: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished; `None` while running (or if its process died).
    pub finished_at: Option<DateTime<Utc>>,
    /// Totals per currency, counts, tie-outs.
    pub summary: Option<Value>,
}

/// One result of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconResult {
    /// Its id.
    pub id: i64,
    /// The run.
    pub run_id: i64,
    /// What it is.
    pub category: ResultCategory,
    /// The exception's kind or the match's strategy.
    pub kind: String,
    /// The currency.
    pub currency: String,
    /// The provider records involved.
    pub provider_ids: Vec<String>,
    /// The Salesforce records involved.
    pub salesforce_ids: Vec<String>,
    /// Why.
    pub reason: String,
    /// Gross, fee, FX difference and net.
    pub breakdown: Option<Value>,
    /// What a person decided.
    pub resolution: Option<Resolution>,
    /// Who decided.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Their note.
    pub note: Option<String>,
}

/// A run's results counted by category and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultCount {
    /// The category.
    pub category: ResultCategory,
    /// The kind.
    pub kind: String,
    /// How many.
    pub count: u64,
    /// How many are still undecided.
    pub open: u64,
}

struct RunRow {
    id: i64,
    period_from: String,
    period_to: String,
    started_by: String,
    started_at: i64,
    finished_at: Option<i64>,
    summary: Option<String>,
}

impl TryFrom<RunRow> for ReconRun {
    type Error = StoreError;
    fn try_from(r: RunRow) -> Result<Self> {
        Ok(Self {
            id: r.id,
            period_from: r.period_from,
            period_to: r.period_to,
            started_by: r.started_by,
            started_at: at(r.started_at),
            finished_at: at_opt(r.finished_at),
            summary: r.summary.as_deref().map(serde_json::from_str).transpose()?,
        })
    }
}

struct ResultRow {
    id: i64,
    run_id: i64,
    category: String,
    kind: String,
    currency: String,
    provider_ids: String,
    salesforce_ids: String,
    reason: String,
    breakdown: Option<String>,
    resolution: Option<String>,
    resolved_by: Option<String>,
    resolved_at: Option<i64>,
    note: Option<String>,
}

impl TryFrom<ResultRow> for ReconResult {
    type Error = StoreError;
    fn try_from(r: ResultRow) -> Result<Self> {
        Ok(Self {
            id: r.id,
            run_id: r.run_id,
            category: r.category.parse()?,
            kind: r.kind,
            currency: r.currency,
            provider_ids: serde_json::from_str(&r.provider_ids)?,
            salesforce_ids: serde_json::from_str(&r.salesforce_ids)?,
            reason: r.reason,
            breakdown: r.breakdown.as_deref().map(serde_json::from_str).transpose()?,
            resolution: r.resolution.as_deref().map(str::parse).transpose()?,
            resolved_by: r.resolved_by,
            resolved_at: at_opt(r.resolved_at),
            note: r.note,
        })
    }
}

fn day(field: &'static str, value: &str) -> Result<()> {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(|_| ())
        .map_err(|_| StoreError::Validation {
            field,
            message: format!("{value:?} is not a YYYY-MM-DD date"),
        })
}

/// The reconciliation data of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct Reconciliation<'a> {
    store: &'a Store,
}

impl<'a> Reconciliation<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Saves movements read from one side, in one transaction; a movement read before is
    /// replaced by its new reading. Returns how many were saved.
    pub async fn save_inputs(
        &self,
        side: ReconSide,
        inputs: &[NewReconInput],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        for input in inputs {
            require("source", &input.source)?;
            require("id", &input.id)?;
            day("day", &input.day)?;
        }
        let side = side.as_str();
        let mut tx = self.store.begin_write().await?;
        for input in inputs {
            let record = serde_json::to_string(&input.record)?;
            sqlx::query_file!(
                "queries/reconciliation/input_upsert.sql",
                side,
                input.source,
                input.id,
                input.day,
                input.currency,
                record,
                ms(now)
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(inputs.len() as u64)
    }

    /// The movements of `side` (of one `source`, or all) dated from `from` to `to` (inclusive,
    /// `YYYY-MM-DD`).
    pub async fn inputs(
        &self,
        side: ReconSide,
        source: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<Value>> {
        day("from", from)?;
        day("to", to)?;
        let side = side.as_str();
        sqlx::query_file_scalar!(
            "queries/reconciliation/inputs_in_period.sql",
            side,
            source,
            from,
            to
        )
        .fetch_all(self.store.pool())
        .await?
        .into_iter()
        .map(|text| serde_json::from_str(&text).map_err(StoreError::from))
        .collect()
    }

    /// The movements `side` holds under `id` (one per source it was read for), as
    /// `(source, record)`; a fix action learns from them what kind of object a result names.
    pub async fn inputs_by_id(&self, side: ReconSide, id: &str) -> Result<Vec<(String, Value)>> {
        require("id", id)?;
        let side = side.as_str();
        sqlx::query_file!("queries/reconciliation/input_by_id.sql", side, id)
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(|row| Ok((row.source, serde_json::from_str(&row.record)?)))
            .collect()
    }

    /// How many movements each side and source holds.
    pub async fn input_counts(&self) -> Result<Vec<InputCount>> {
        sqlx::query_file!("queries/reconciliation/input_counts.sql")
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(|r| {
                Ok(InputCount {
                    side: r.side.parse()?,
                    source: r.source,
                    count: crate::time::to_u64(r.count, "input count")?,
                    first_day: r.first_day,
                    last_day: r.last_day,
                })
            })
            .collect()
    }

    /// Starts a run of the period `from`..=`to`.
    pub async fn start_run(&self, from: &str, to: &str, actor: &str, now: DateTime<Utc>) -> Result<i64> {
        day("from", from)?;
        day("to", to)?;
        require("actor", actor)?;
        if from > to {
            return Err(StoreError::Validation {
                field: "to",
                message: format!("the period ends ({to}) before it starts ({from})"),
            });
        }
        Ok(
            sqlx::query_file_scalar!("queries/reconciliation/run_start.sql", from, to, actor, ms(now))
                .fetch_one(self.store.pool())
                .await?,
        )
    }

    /// Finishes a run: its summary and every result, in one transaction.
    pub async fn finish_run(
        &self,
        run_id: i64,
        summary: &Value,
        results: &[NewReconResult],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let summary = serde_json::to_string(summary)?;
        let mut tx = self.store.begin_write().await?;
        let done = sqlx::query_file!("queries/reconciliation/run_finish.sql", run_id, ms(now), summary)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::InvalidState {
                what: format!("reconciliation run {run_id} is unknown or already finished"),
            });
        }
        for r in results {
            let category = r.category.as_str();
            let provider_ids = serde_json::to_string(&r.provider_ids)?;
            let salesforce_ids = serde_json::to_string(&r.salesforce_ids)?;
            let breakdown = r.breakdown.as_ref().map(serde_json::to_string).transpose()?;
            sqlx::query_file!(
                "queries/reconciliation/result_insert.sql",
                run_id,
                category,
                r.kind,
                r.currency,
                provider_ids,
                salesforce_ids,
                r.reason,
                breakdown
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Runs, newest first.
    pub async fn runs(&self, limit: u32) -> Result<Vec<ReconRun>> {
        sqlx::query_file_as!(RunRow, "queries/reconciliation/runs_list.sql", limit)
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(ReconRun::try_from)
            .collect()
    }

    /// One run.
    pub async fn run(&self, id: i64) -> Result<ReconRun> {
        sqlx::query_file_as!(RunRow, "queries/reconciliation/run_get.sql", id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "reconciliation run",
                id: id.to_string(),
            })
            .and_then(ReconRun::try_from)
    }

    /// A page of a run's results, optionally of one category and kind.
    pub async fn results(
        &self,
        run_id: i64,
        category: Option<ResultCategory>,
        kind: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<ReconResult>> {
        let category = category.map(ResultCategory::as_str);
        sqlx::query_file_as!(
            ResultRow,
            "queries/reconciliation/results_page.sql",
            run_id,
            category,
            kind,
            limit,
            offset
        )
        .fetch_all(self.store.pool())
        .await?
        .into_iter()
        .map(ReconResult::try_from)
        .collect()
    }

    /// A run's results counted by category and kind.
    pub async fn result_counts(&self, run_id: i64) -> Result<Vec<ResultCount>> {
        sqlx::query_file!("queries/reconciliation/result_counts.sql", run_id)
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(|r| {
                Ok(ResultCount {
                    category: r.category.parse()?,
                    kind: r.kind,
                    count: crate::time::to_u64(r.count, "result count")?,
                    open: crate::time::to_u64(r.open, "open results")?,
                })
            })
            .collect()
    }

    /// One result.
    pub async fn result(&self, id: i64) -> Result<ReconResult> {
        sqlx::query_file_as!(ResultRow, "queries/reconciliation/result_get.sql", id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "reconciliation result",
                id: id.to_string(),
            })
            .and_then(ReconResult::try_from)
    }

    /// Records `actor`'s decision about a result, with the audit entry, in one transaction.
    /// Matched results take no decision; suggestions are accepted or rejected; exceptions are
    /// explained (a note is required) or fixed. A decision is made once.
    pub async fn resolve(
        &self,
        id: i64,
        resolution: Resolution,
        actor: &str,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ReconResult> {
        require("actor", actor)?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        let current = self.result(id).await?;
        let allowed = match current.category {
            ResultCategory::Matched => false,
            ResultCategory::Suggested => matches!(resolution, Resolution::Accepted | Resolution::Rejected),
            ResultCategory::Exception => matches!(resolution, Resolution::Explained | Resolution::Fixed),
        };
        if !allowed {
            return Err(StoreError::Validation {
                field: "resolution",
                message: format!("a {} result cannot be {}", current.category, resolution),
            });
        }
        if resolution == Resolution::Explained && note.is_none() {
            return Err(StoreError::Validation {
                field: "note",
                message: "an explanation needs a note saying why the difference is fine".to_owned(),
            });
        }
        if let Some(done) = current.resolution {
            return Err(StoreError::InvalidState {
                what: format!(
                    "result {id} was already {done} by {}",
                    current.resolved_by.unwrap_or_default()
                ),
            });
        }
        let mut tx = self.store.begin_write().await?;
        let state = resolution.as_str();
        sqlx::query_file!(
            "queries/reconciliation/result_resolve.sql",
            id,
            state,
            actor,
            ms(now),
            note
        )
        .execute(&mut *tx)
        .await?;
        let entry = NewAuditEntry {
            actor: actor.to_owned(),
            action: format!("reconcile.{state}"),
            subject: format!("recon_result:{id}"),
            details: serde_json::json!({
                "run": current.run_id,
                "category": current.category,
                "kind": current.kind,
                "provider_ids": current.provider_ids,
                "salesforce_ids": current.salesforce_ids,
                "note": note,
            }),
        };
        audit::append_in_tx(&mut tx, self.store.audit_key(), &entry, now).await?;
        tx.commit().await?;
        self.result(id).await
    }
}
