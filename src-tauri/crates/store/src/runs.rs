//! Sync runs. At most one run of a flow is live at a time, even across processes (a unique
//! partial index): a run holds a lease it renews with heartbeats; a live run whose lease expired
//! is finished as `abandoned` by the next [`Runs::try_start`].

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError, is_unique_violation};
use crate::ids::RunId;
use crate::names::string_enum;
use crate::time::{at, at_opt, lease_until, ms};
use crate::{Store, require};

string_enum! {
    /// What started a run.
    pub enum RunTrigger: "run trigger" {
        /// The scheduler.
        Schedule = "schedule",
        /// An operator.
        Manual = "manual",
        /// Catch-up at startup.
        Startup = "startup",
    }
}

string_enum! {
    /// How a run ended.
    pub enum RunOutcome: "run outcome" {
        /// Everything was written.
        Succeeded = "succeeded",
        /// The run failed as a whole.
        Failed = "failed",
        /// Some records failed (they are in the DLQ).
        Partial = "partial",
        /// Its owner stopped renewing the lease (crashed or hung).
        Abandoned = "abandoned",
    }
}

/// What a run did, record by record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounts {
    /// Records read from the source.
    pub read: u64,
    /// Records written to the target.
    pub written: u64,
    /// Records that failed.
    pub failed: u64,
    /// Records skipped (unchanged, filtered).
    pub skipped: u64,
}

/// A sync run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    /// Its id.
    pub id: RunId,
    /// The flow it ran.
    pub flow: String,
    /// What started it.
    pub trigger: RunTrigger,
    /// The process/worker running it.
    pub owner: String,
    /// When its lease ends unless renewed.
    pub lease_expires_at: DateTime<Utc>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished, if it has.
    pub finished_at: Option<DateTime<Utc>>,
    /// How it ended, if it has.
    pub outcome: Option<RunOutcome>,
    /// What it did.
    pub counts: RunCounts,
    /// Why it failed or was abandoned.
    pub error: Option<String>,
}

/// The sync runs of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct Runs<'a> {
    store: &'a Store,
}

impl<'a> Runs<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Starts a run of `flow` owned by `owner` with a lease of `lease_for`. `None` if a live run of
    /// the flow holds an unexpired lease (whoever owns it). A live run whose lease expired is first
    /// finished as `abandoned`.
    pub async fn try_start(
        &self,
        flow: &str,
        trigger: RunTrigger,
        owner: &str,
        lease_for: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<RunId>> {
        require("flow", flow)?;
        require("owner", owner)?;
        let until = lease_until(now, lease_for)?;
        let now_ms = ms(now);
        let mut tx = self.store.begin_write().await?;
        let live = sqlx::query_file!("queries/runs/live.sql", flow)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(live) = live {
            if live.lease_expires_at >= now_ms {
                return Ok(None);
            }
            let error = format!(
                "abandoned: the lease held by {} expired at {}",
                live.owner,
                at(live.lease_expires_at).to_rfc3339()
            );
            sqlx::query_file!("queries/runs/abandon.sql", live.id, now_ms, error)
                .execute(&mut *tx)
                .await?;
            tracing::warn!(flow, run_id = live.id, owner = %live.owner, "Abandoned a run whose lease expired.");
        }
        let counts = serde_json::to_string(&RunCounts::default())?;
        let id = sqlx::query_file_scalar!(
            "queries/runs/insert.sql",
            flow,
            trigger.as_str(),
            owner,
            until,
            now_ms,
            counts
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(|err| {
            if is_unique_violation(&err) {
                StoreError::Conflict {
                    what: format!("flow {flow:?} already has a live run"),
                }
            } else {
                err.into()
            }
        })?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Renews `owner`'s lease on a live run to `now + lease_for`. `false` if the run is finished
    /// (e.g. abandoned) or owned by someone else: stop working on it.
    pub async fn heartbeat(
        &self,
        run_id: RunId,
        owner: &str,
        lease_for: Duration,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let until = lease_until(now, lease_for)?;
        let done = sqlx::query_file!("queries/runs/heartbeat.sql", run_id, owner, until)
            .execute(self.store.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Finishes a live run. `false` if it had already finished (e.g. it was abandoned meanwhile);
    /// [`StoreError::NotFound`] if there is no such run.
    pub async fn finish(
        &self,
        run_id: RunId,
        outcome: RunOutcome,
        counts: &RunCounts,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let counts = serde_json::to_string(counts)?;
        let done = sqlx::query_file!(
            "queries/runs/finish.sql",
            run_id,
            ms(now),
            outcome.as_str(),
            counts,
            error
        )
        .execute(self.store.pool())
        .await?;
        if done.rows_affected() == 1 {
            return Ok(true);
        }
        match self.get(run_id).await? {
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound {
                what: "run",
                id: run_id.to_string(),
            }),
        }
    }

    /// The run, if it exists.
    pub async fn get(&self, run_id: RunId) -> Result<Option<Run>> {
        sqlx::query_file_as!(RunRow, "queries/runs/get.sql", run_id)
            .fetch_optional(self.store.pool())
            .await?
            .map(Run::try_from)
            .transpose()
    }

    /// Runs, newest first, optionally of one flow.
    pub async fn recent(&self, flow: Option<&str>, limit: u32) -> Result<Vec<Run>> {
        sqlx::query_file_as!(RunRow, "queries/runs/recent.sql", flow, i64::from(limit))
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(Run::try_from)
            .collect()
    }

    /// The latest run of each flow, by flow name.
    pub async fn latest_per_flow(&self) -> Result<Vec<Run>> {
        sqlx::query_file_as!(RunRow, "queries/runs/latest_per_flow.sql")
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(Run::try_from)
            .collect()
    }
}

struct RunRow {
    id: i64,
    flow: String,
    trigger: String,
    owner: String,
    lease_expires_at: i64,
    started_at: i64,
    finished_at: Option<i64>,
    outcome: Option<String>,
    counts: String,
    error: Option<String>,
}

impl TryFrom<RunRow> for Run {
    type Error = StoreError;

    fn try_from(row: RunRow) -> Result<Self> {
        Ok(Run {
            id: row.id,
            flow: row.flow,
            trigger: row.trigger.parse()?,
            owner: row.owner,
            lease_expires_at: at(row.lease_expires_at),
            started_at: at(row.started_at),
            finished_at: at_opt(row.finished_at),
            outcome: row.outcome.as_deref().map(str::parse).transpose()?,
            counts: serde_json::from_str(&row.counts)?,
            error: row.error,
        })
    }
}
