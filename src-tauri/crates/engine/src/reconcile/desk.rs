//! What people call: run now, the runs, a run's results by category and kind, decisions about
//! suggestions and exceptions (audited, once each), fixes, and exports for the accountants.

use chrono::NaiveDate;
use paysync_core::SharedClock;
use paysync_store::{ReconResult, ReconRun, Resolution, ResultCategory, ResultCount, Store};
use serde::Serialize;

use super::export::{ExportFormat, export};
use super::{Reconciler, run};
use crate::EngineError;

pub use super::run::RunReport;

/// A run with its results counted by category and kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunView {
    /// The run.
    pub run: ReconRun,
    /// Its results by category and kind, with how many are undecided.
    pub counts: Vec<ResultCount>,
}

/// Reconciliation as people use it.
#[derive(Debug, Clone)]
pub struct ReconDesk {
    reconciler: Reconciler,
    store: Store,
    clock: SharedClock,
}

impl ReconDesk {
    /// A desk over `store`.
    pub fn new(reconciler: Reconciler, store: Store, clock: SharedClock) -> Self {
        Self {
            reconciler,
            store,
            clock,
        }
    }

    /// Reconciles `from..=to` now as `actor`; `offline` uses only what was read before.
    pub async fn run(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        actor: &str,
        offline: bool,
    ) -> Result<RunReport, EngineError> {
        if from > to {
            return Err(EngineError::Refused(format!(
                "the period ends ({to}) before it starts ({from})"
            )));
        }
        run::run(
            &self.reconciler,
            &self.store,
            &self.clock,
            from,
            to,
            actor,
            offline,
        )
        .await
    }

    /// Recent runs, newest first.
    pub async fn runs(&self, limit: u32) -> Result<Vec<ReconRun>, EngineError> {
        Ok(self.store.reconciliation().runs(limit).await?)
    }

    /// One run with its counts; the latest when `id` is `None`.
    pub async fn show(&self, id: Option<i64>) -> Result<RunView, EngineError> {
        let recon = self.store.reconciliation();
        let run = match id {
            Some(id) => recon.run(id).await?,
            None => recon
                .runs(1)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| EngineError::NotFound {
                    what: "reconciliation run",
                    id: "latest".to_owned(),
                })?,
        };
        let counts = self.counts(run.id).await?;
        Ok(RunView { run, counts })
    }

    /// A run's results counted by category and kind, with how many are undecided.
    pub async fn counts(&self, run_id: i64) -> Result<Vec<ResultCount>, EngineError> {
        Ok(self.store.reconciliation().result_counts(run_id).await?)
    }

    /// A page of a run's results.
    pub async fn results(
        &self,
        run_id: i64,
        category: Option<ResultCategory>,
        kind: Option<&str>,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<ReconResult>, EngineError> {
        Ok(self
            .store
            .reconciliation()
            .results(run_id, category, kind, limit, offset)
            .await?)
    }

    /// Records `actor`'s decision about a result (accept/reject a suggestion, explain or mark
    /// fixed an exception); audited.
    pub async fn resolve(
        &self,
        result_id: i64,
        resolution: Resolution,
        actor: &str,
        note: Option<&str>,
    ) -> Result<ReconResult, EngineError> {
        Ok(self
            .store
            .reconciliation()
            .resolve(result_id, resolution, actor, note, self.clock.now())
            .await?)
    }

    /// Fixes an exception by writing its provider records to Salesforce through the normal
    /// write path (queued jobs), and marks it fixed under `actor` (see the module `fix`).
    pub async fn fix(
        &self,
        result_id: i64,
        actor: &str,
        note: Option<&str>,
    ) -> Result<super::FixReport, EngineError> {
        super::fix::fix(&self.reconciler, &self.store, &self.clock, result_id, actor, note).await
    }

    /// A run's results as a file for the accountants.
    pub async fn export(&self, run_id: i64, format: ExportFormat) -> Result<Vec<u8>, EngineError> {
        let view = self.show(Some(run_id)).await?;
        let mut results = Vec::new();
        let page = 5_000;
        loop {
            let offset = u32::try_from(results.len()).unwrap_or(u32::MAX);
            let batch = self.results(run_id, None, None, page, offset).await?;
            let done = batch.len() < page as usize;
            results.extend(batch);
            if done {
                break;
            }
        }
        export(&view.run, &results, format)
    }
}
