//! The Reconciliation screen's IPC: runs (with per-currency totals, counts by kind and payout
//! tie-outs), a run's results page by page, Run now, decisions as the signed-in Salesforce user,
//! and exports written to the data directory. Money travels as decimal text.

use chrono::{DateTime, NaiveDate, Utc};
use paysync_engine::payouts::major_text;
use paysync_engine::reconcile::{ExportFormat, FIXABLE_KINDS, ReconDesk};
use paysync_store::{ReconResult, ReconRun, Resolution, ResultCategory};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Console, ConsoleError};

/// One run in the list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReconRunRow {
    /// The run's id.
    pub id: i64,
    /// First day (YYYY-MM-DD).
    pub period_from: String,
    /// Last day.
    pub period_to: String,
    /// Who started it (`system:reconcile` for the schedule).
    pub started_by: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished; absent while running.
    pub finished_at: Option<DateTime<Utc>>,
    /// Confirmed matches.
    pub matched: u64,
    /// Suggestions for a person.
    pub suggested: u64,
    /// Exceptions.
    pub exceptions: u64,
    /// Whether matched + unmatched = input in every currency.
    pub balances: bool,
    /// Whether it ran from the local copy only.
    pub offline: bool,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// One currency's totals, major units.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReconTotalsRow {
    /// ISO code.
    pub currency: String,
    /// Provider side, read.
    pub provider_input: String,
    /// Provider side, matched.
    pub provider_matched: String,
    /// Provider side, not matched.
    pub provider_unmatched: String,
    /// Salesforce side, read.
    pub salesforce_input: String,
    /// Salesforce side, matched.
    pub salesforce_matched: String,
    /// Salesforce side, not matched.
    pub salesforce_unmatched: String,
}

/// Results of one category and kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReconCountRow {
    /// matched, suggested or exception.
    pub category: String,
    /// e.g. one_to_one, amount_mismatch, missing_in_salesforce.
    pub kind: String,
    /// How many.
    pub count: u64,
    /// How many are undecided (0 for matches).
    pub open: u64,
}

/// A Stripe payout against the balance transactions it settled.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReconTieOutRow {
    /// `po_…`.
    pub payout: String,
    /// ISO code.
    pub currency: String,
    /// The payout's amount, major units.
    pub expected: String,
    /// Σ net of its balance transactions, major units.
    pub actual: String,
    /// Whether they are equal.
    pub ties: bool,
}

/// A run with everything the screen's header shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReconRunDetail {
    /// The run.
    pub run: ReconRunRow,
    /// Per-currency totals.
    pub totals: Vec<ReconTotalsRow>,
    /// Results by category and kind.
    pub counts: Vec<ReconCountRow>,
    /// Payout tie-outs (empty for an offline run).
    pub payouts: Vec<ReconTieOutRow>,
}

/// One result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReconResultRow {
    /// The result's id.
    pub id: i64,
    /// matched, suggested or exception.
    pub category: String,
    /// The match's shape or the exception's kind.
    pub kind: String,
    /// ISO code.
    pub currency: String,
    /// Provider records.
    pub provider_ids: Vec<String>,
    /// Salesforce records.
    pub salesforce_ids: Vec<String>,
    /// Why, in words.
    pub reason: String,
    /// Gross, major units (matches and suggestions).
    pub gross: Option<String>,
    /// Fee.
    pub fee: Option<String>,
    /// FX difference.
    pub fx_difference: Option<String>,
    /// Net.
    pub net: Option<String>,
    /// accepted, rejected, explained or fixed.
    pub resolution: Option<String>,
    /// Who decided.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Their note.
    pub note: Option<String>,
    /// Whether "Write to Salesforce" can fix it: an open exception whose Salesforce side is
    /// missing or wrong, with a provider record to write.
    pub fixable: bool,
}

/// A page of results.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReconResultPage {
    /// The rows.
    pub rows: Vec<ReconResultRow>,
    /// How many match the filter in all.
    pub total: u64,
}

/// Where an export was written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReconExport {
    /// The file's full path.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
}

fn run_row(run: &ReconRun) -> ReconRunRow {
    let s = run.summary.clone().unwrap_or(Value::Null);
    let n = |k: &str| s.get(k).and_then(Value::as_u64).unwrap_or(0);
    ReconRunRow {
        id: run.id,
        period_from: run.period_from.clone(),
        period_to: run.period_to.clone(),
        started_by: run.started_by.clone(),
        started_at: run.started_at,
        finished_at: run.finished_at,
        matched: n("matched"),
        suggested: n("suggested"),
        exceptions: n("exceptions"),
        balances: s.get("balances").and_then(Value::as_bool).unwrap_or(false),
        offline: s.get("offline").and_then(Value::as_bool).unwrap_or(false),
        error: s.get("error").and_then(Value::as_str).map(str::to_owned),
    }
}

fn major(minor: Option<&Value>, currency: &str) -> String {
    let minor = minor
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or(0);
    major_text(minor, currency)
}

fn result_row(r: &ReconResult) -> ReconResultRow {
    let amount = |key: &str| {
        r.breakdown
            .as_ref()
            .and_then(|b| b.get(key))
            .and_then(Value::as_i64)
            .map(|minor| major_text(minor, &r.currency))
    };
    ReconResultRow {
        id: r.id,
        category: r.category.to_string(),
        kind: r.kind.clone(),
        currency: r.currency.clone(),
        provider_ids: r.provider_ids.clone(),
        salesforce_ids: r.salesforce_ids.clone(),
        reason: r.reason.clone(),
        gross: amount("gross"),
        fee: amount("fee"),
        fx_difference: amount("fx_difference"),
        net: amount("net"),
        resolution: r.resolution.map(|x| x.to_string()),
        resolved_by: r.resolved_by.clone(),
        resolved_at: r.resolved_at,
        note: r.note.clone(),
        fixable: r.category == ResultCategory::Exception
            && r.resolution.is_none()
            && !r.provider_ids.is_empty()
            && FIXABLE_KINDS.contains(&r.kind.as_str()),
    }
}

fn category(text: Option<&str>) -> Result<Option<ResultCategory>, ConsoleError> {
    text.filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<ResultCategory>()
                .map_err(|_| ConsoleError::invalid("category", "is not matched, suggested or exception"))
        })
        .transpose()
}

impl Console {
    fn reconciliation(&self) -> Result<&ReconDesk, ConsoleError> {
        Ok(self.engine.reconciliation()?)
    }

    /// Recent runs, newest first.
    pub async fn reconciliation_runs(&self) -> Result<Vec<ReconRunRow>, ConsoleError> {
        Ok(self
            .reconciliation()?
            .runs(100)
            .await?
            .iter()
            .map(run_row)
            .collect())
    }

    /// One run (the latest when `id` is absent) with totals, counts and tie-outs.
    pub async fn reconciliation_run(&self, id: Option<i64>) -> Result<ReconRunDetail, ConsoleError> {
        let view = self.reconciliation()?.show(id).await?;
        let summary = view.run.summary.clone().unwrap_or(Value::Null);
        let totals = summary
            .get("totals")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(c, t)| ReconTotalsRow {
                        currency: c.clone(),
                        provider_input: major(t.get("provider_input"), c),
                        provider_matched: major(t.get("provider_matched"), c),
                        provider_unmatched: major(t.get("provider_unmatched"), c),
                        salesforce_input: major(t.get("salesforce_input"), c),
                        salesforce_matched: major(t.get("salesforce_matched"), c),
                        salesforce_unmatched: major(t.get("salesforce_unmatched"), c),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let payouts = summary
            .get("payouts")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|p| {
                        let c = p["currency"].as_str().unwrap_or_default();
                        ReconTieOutRow {
                            payout: p["payout"].as_str().unwrap_or_default().to_owned(),
                            currency: c.to_owned(),
                            expected: major(p.get("expected"), c),
                            actual: major(p.get("actual"), c),
                            ties: p["ties"].as_bool().unwrap_or(false),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(ReconRunDetail {
            run: run_row(&view.run),
            totals,
            counts: view
                .counts
                .iter()
                .map(|c| ReconCountRow {
                    category: c.category.to_string(),
                    kind: c.kind.clone(),
                    count: c.count,
                    open: if c.category == ResultCategory::Matched {
                        0
                    } else {
                        c.open
                    },
                })
                .collect(),
            payouts,
        })
    }

    /// A page of a run's results, optionally of one category and kind.
    pub async fn reconciliation_results(
        &self,
        run_id: i64,
        category_filter: Option<String>,
        kind: Option<String>,
        limit: u32,
        offset: u32,
    ) -> Result<ReconResultPage, ConsoleError> {
        let desk = self.reconciliation()?;
        let category_filter = category(category_filter.as_deref())?;
        let kind = kind.filter(|k| !k.is_empty());
        let rows = desk
            .results(
                run_id,
                category_filter,
                kind.as_deref(),
                limit.clamp(1, 1_000),
                offset,
            )
            .await?;
        let total = desk
            .counts(run_id)
            .await?
            .iter()
            .filter(|c| category_filter.is_none_or(|f| f == c.category))
            .filter(|c| kind.as_deref().is_none_or(|k| k == c.kind))
            .map(|c| c.count)
            .sum();
        Ok(ReconResultPage {
            rows: rows.iter().map(result_row).collect(),
            total,
        })
    }

    /// Reconciles `from..=to` now as the signed-in user.
    pub async fn run_reconciliation(&self, from: &str, to: &str) -> Result<ReconRunRow, ConsoleError> {
        let parse = |field: &'static str, text: &str| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| ConsoleError::invalid(field, "is not a YYYY-MM-DD date"))
        };
        let (from, to) = (parse("from", from)?, parse("to", to)?);
        let you = self.approver().await?;
        let actor = if you.is_empty() { "console".to_owned() } else { you };
        let desk = self.reconciliation()?;
        let report = desk.run(from, to, &actor, false).await?;
        Ok(run_row(&desk.show(Some(report.run_id)).await?.run))
    }

    /// The signed-in user decides about a result: `accepted`/`rejected` for a suggestion,
    /// `explained` (with a note) or `fixed` for an exception.
    pub async fn resolve_reconciliation_result(
        &self,
        id: i64,
        decision: &str,
        note: Option<String>,
    ) -> Result<ReconResultRow, ConsoleError> {
        let resolution = decision.parse::<Resolution>().map_err(|_| {
            ConsoleError::invalid("decision", "is not accepted, rejected, explained or fixed")
        })?;
        let you = self.approver().await?;
        if you.is_empty() {
            return Err(ConsoleError::invalid(
                "decision",
                "needs Salesforce connected: decisions are made as the Salesforce user signed in",
            ));
        }
        let result = self
            .reconciliation()?
            .resolve(id, resolution, &you, note.as_deref())
            .await?;
        Ok(result_row(&result))
    }

    /// The signed-in user fixes an exception by writing its provider records to Salesforce
    /// through the normal write path (queued jobs the engine runs; a refusal lands in Failures).
    pub async fn fix_reconciliation_result(
        &self,
        id: i64,
        note: Option<String>,
    ) -> Result<ReconResultRow, ConsoleError> {
        let you = self.approver().await?;
        if you.is_empty() {
            return Err(ConsoleError::invalid(
                "fix",
                "needs Salesforce connected: fixes are made as the Salesforce user signed in",
            ));
        }
        let report = self.reconciliation()?.fix(id, &you, note.as_deref()).await?;
        Ok(result_row(&report.result))
    }

    /// Writes a run's results to `<data dir>/exports/` as `csv` or `xlsx`.
    pub async fn export_reconciliation_run(
        &self,
        id: i64,
        format: &str,
    ) -> Result<ReconExport, ConsoleError> {
        let (format, ext) = match format {
            "csv" => (ExportFormat::Csv, "csv"),
            "xlsx" => (ExportFormat::Xlsx, "xlsx"),
            _ => return Err(ConsoleError::invalid("format", "is not csv or xlsx")),
        };
        let bytes = self.reconciliation()?.export(id, format).await?;
        let dir = self.engine.data_dir().join("exports");
        std::fs::create_dir_all(&dir).map_err(|e| ConsoleError::invalid("export", e.to_string()))?;
        let path = dir.join(format!("reconciliation-run-{id}.{ext}"));
        std::fs::write(&path, &bytes).map_err(|e| ConsoleError::invalid("export", e.to_string()))?;
        Ok(ReconExport {
            path: path.display().to_string(),
            bytes: bytes.len() as u64,
        })
    }
}
