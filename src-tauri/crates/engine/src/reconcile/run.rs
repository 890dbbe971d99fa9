//! One reconciliation run: read (unless offline), keep the readings, match each scope from the
//! local copy, tie out payouts, and store the results with a summary whose totals balance.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use paysync_core::SharedClock;
use paysync_core::reconcile::{Match, Outcome, Record, payout_tie_out, reconcile};
use paysync_store::{NewReconInput, NewReconResult, ReconSide, ResultCategory, Store};
use serde::Serialize;
use serde_json::{Value, json};

use super::Reconciler;
use super::pull_stripe::StripeSide;
use crate::EngineError;

/// The pairs of sources matched against each other, provider side first:
///
/// - `stripe`: charges, refunds and disputes ↔ `Payment__c`, `Refund__c`, `Dispute__c`;
/// - `stripe_invoices`: invoices ↔ `Invoice__c` (apart, since a charge names its invoice);
/// - `payoneer`: payouts sent ↔ `Payment_Transaction__c`;
/// - `payment_requests`: the payouts of payment requests ↔ the `Payment_Request__c` sent.
///
/// Each scope balances on its own; a Payoneer payout is an input of both of its scopes.
pub(crate) const SCOPES: [&str; 4] = ["stripe", "stripe_invoices", "payoneer", "payment_requests"];

/// What a run did, in numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// The run's id.
    pub run_id: i64,
    /// Records reconciled (both sides).
    pub inputs: u64,
    /// Results stored.
    pub results: u64,
    /// Confirmed matches.
    pub matched: u64,
    /// Suggestions waiting for a person.
    pub suggested: u64,
    /// Exceptions (including payouts that do not tie out and records that could not be read).
    pub exceptions: u64,
    /// Whether matched + unmatched = input in every currency.
    pub balances: bool,
    /// Whether it ran from the local copy only.
    pub offline: bool,
}

fn input_of(scope: &str, record: &Record) -> Result<NewReconInput, EngineError> {
    Ok(NewReconInput {
        source: scope.to_owned(),
        id: record.id.to_string(),
        day: record.date.format("%Y-%m-%d").to_string(),
        currency: record.currency.code().to_owned(),
        record: serde_json::to_value(record).map_err(|e| EngineError::Refused(e.to_string()))?,
    })
}

async fn save(
    store: &Store,
    side: ReconSide,
    scope: &str,
    records: &[Record],
    clock: &SharedClock,
) -> Result<(), EngineError> {
    let inputs = records
        .iter()
        .map(|r| input_of(scope, r))
        .collect::<Result<Vec<_>, _>>()?;
    store
        .reconciliation()
        .save_inputs(side, &inputs, clock.now())
        .await?;
    Ok(())
}

async fn load(
    store: &Store,
    side: ReconSide,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Record>, EngineError> {
    let (from, to) = (
        from.format("%Y-%m-%d").to_string(),
        to.format("%Y-%m-%d").to_string(),
    );
    store
        .reconciliation()
        .inputs(side, Some(scope), &from, &to)
        .await?
        .into_iter()
        .map(|v| {
            serde_json::from_value(v)
                .map_err(|e| EngineError::Refused(format!("a stored {scope} record: {e}")))
        })
        .collect()
}

fn ids(refs: &[paysync_core::reconcile::RecordRef]) -> Vec<String> {
    refs.iter().map(|r| r.id.to_string()).collect()
}

fn match_result(category: ResultCategory, m: &Match) -> NewReconResult {
    let mut breakdown = serde_json::to_value(m.breakdown).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut breakdown {
        map.insert("score".into(), json!(m.score));
        map.insert(
            "reason".into(),
            serde_json::to_value(&m.reason).unwrap_or(Value::Null),
        );
    }
    NewReconResult {
        category,
        kind: serde_json::to_value(m.strategy())
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        currency: m.breakdown.currency.code().to_owned(),
        provider_ids: ids(&m.provider),
        salesforce_ids: ids(&m.salesforce),
        reason: m.to_string(),
        breakdown: Some(breakdown),
    }
}

fn results_of(outcome: &Outcome, currency_of: &BTreeMap<String, String>) -> Vec<NewReconResult> {
    let mut results: Vec<NewReconResult> = outcome
        .matches
        .iter()
        .map(|m| match_result(ResultCategory::Matched, m))
        .chain(
            outcome
                .suggestions
                .iter()
                .map(|m| match_result(ResultCategory::Suggested, m)),
        )
        .collect();
    for e in &outcome.exceptions {
        let first = e.provider.first().or(e.salesforce.first());
        let currency = first
            .and_then(|r| currency_of.get(r.id.as_str()))
            .cloned()
            .unwrap_or_default();
        results.push(NewReconResult {
            category: ResultCategory::Exception,
            kind: serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            currency,
            provider_ids: ids(&e.provider),
            salesforce_ids: ids(&e.salesforce),
            reason: e.explanation.clone(),
            breakdown: None,
        });
    }
    results
}

fn tie_outs(stripe: &StripeSide, results: &mut Vec<NewReconResult>) -> Vec<Value> {
    let mut summary = Vec::new();
    for p in &stripe.payouts {
        match payout_tie_out(&p.payout, &p.transactions) {
            Ok(t) => {
                summary.push(json!({
                    "payout": p.payout.id.to_string(), "currency": t.currency.code(),
                    "expected": t.expected.to_string(), "actual": t.actual.to_string(),
                    "difference": t.difference.to_string(), "ties": t.ties,
                    "transactions": p.transactions.len(),
                }));
                if !t.ties {
                    results.push(NewReconResult {
                        category: ResultCategory::Exception,
                        kind: "payout_tie_out".to_owned(),
                        currency: t.currency.code().to_owned(),
                        provider_ids: vec![p.payout.id.to_string()],
                        salesforce_ids: vec![],
                        reason: format!(
                            "Stripe payout {} is {} minor units of {} but the {} balance transactions it settled net {} (difference {})",
                            p.payout.id,
                            t.expected,
                            t.currency.code(),
                            p.transactions.len(),
                            t.actual,
                            t.difference
                        ),
                        breakdown: None,
                    });
                }
            }
            Err(e) => results.push(NewReconResult {
                category: ResultCategory::Exception,
                kind: "payout_tie_out".to_owned(),
                currency: p.payout.currency.code().to_owned(),
                provider_ids: vec![p.payout.id.to_string()],
                salesforce_ids: vec![],
                reason: format!("Stripe payout {} could not be tied out: {e}", p.payout.id),
                breakdown: None,
            }),
        }
    }
    summary
}

/// Runs a reconciliation of `from..=to` and stores it.
pub(crate) async fn run(
    r: &Reconciler,
    store: &Store,
    clock: &SharedClock,
    from: NaiveDate,
    to: NaiveDate,
    actor: &str,
    offline: bool,
) -> Result<RunReport, EngineError> {
    let recon = store.reconciliation();
    let run_id = recon
        .start_run(
            &from.format("%Y-%m-%d").to_string(),
            &to.format("%Y-%m-%d").to_string(),
            actor,
            clock.now(),
        )
        .await?;
    let mut results = Vec::new();
    let mut unreadable = Vec::new();
    let mut payout_summary = Vec::new();
    if !offline {
        let read = async {
            let stripe = r
                .pull_stripe(from, to)
                .await
                .map_err(|e| EngineError::Provider(format!("reading Stripe: {e}")))?;
            let salesforce = r
                .pull_salesforce(from, to)
                .await
                .map_err(|e| EngineError::Provider(format!("reading Salesforce: {e}")))?;
            let payoneer = super::pull_payoneer::payouts(store, from, to).await?;
            Ok::<_, EngineError>((stripe, salesforce, payoneer))
        };
        let (stripe, salesforce, payoneer) = match read.await {
            Ok(read) => read,
            Err(e) => {
                recon
                    .finish_run(run_id, &json!({ "error": e.to_string() }), &[], clock.now())
                    .await?;
                return Err(e);
            }
        };
        for (side, scope, records) in [
            (ReconSide::Provider, "stripe", &stripe.records),
            (ReconSide::Provider, "stripe_invoices", &stripe.invoices),
            (ReconSide::Provider, "payoneer", &payoneer.payouts),
            (ReconSide::Provider, "payment_requests", &payoneer.requests),
            (ReconSide::Salesforce, "stripe", &salesforce.stripe),
            (ReconSide::Salesforce, "stripe_invoices", &salesforce.invoices),
            (ReconSide::Salesforce, "payoneer", &salesforce.payoneer),
            (ReconSide::Salesforce, "payment_requests", &salesforce.requests),
        ] {
            save(store, side, scope, records, clock).await?;
        }
        unreadable.extend(stripe.unreadable.iter().cloned());
        unreadable.extend(salesforce.unreadable);
        unreadable.extend(payoneer.unreadable);
        payout_summary = tie_outs(&stripe, &mut results);
    }

    let mut inputs = 0u64;
    let mut totals: BTreeMap<String, [i128; 6]> = BTreeMap::new();
    let mut balances = true;
    let mut scopes = Vec::new();
    for scope in SCOPES {
        let provider = load(store, ReconSide::Provider, scope, from, to).await?;
        let salesforce = load(store, ReconSide::Salesforce, scope, from, to).await?;
        inputs += (provider.len() + salesforce.len()) as u64;
        let currency_of: BTreeMap<String, String> = provider
            .iter()
            .chain(&salesforce)
            .map(|rec| (rec.id.to_string(), rec.currency.code().to_owned()))
            .collect();
        let outcome = reconcile(&provider, &salesforce, &r.options.rules)
            .map_err(|e| EngineError::Refused(format!("the matching rules: {e}")))?;
        balances &= outcome.balances();
        for (currency, t) in &outcome.totals {
            let sum = totals.entry(currency.code().to_owned()).or_default();
            for (slot, value) in sum.iter_mut().zip([
                t.provider_input,
                t.provider_matched,
                t.provider_unmatched,
                t.salesforce_input,
                t.salesforce_matched,
                t.salesforce_unmatched,
            ]) {
                *slot += value;
            }
        }
        scopes.push(json!({
            "scope": scope, "provider_records": provider.len(), "salesforce_records": salesforce.len(),
            "matched": outcome.matches.len(), "suggested": outcome.suggestions.len(),
            "exceptions": outcome.exceptions.len(),
        }));
        results.extend(results_of(&outcome, &currency_of));
    }
    for problem in &unreadable {
        results.push(NewReconResult {
            category: ResultCategory::Exception,
            kind: "unreadable".to_owned(),
            currency: String::new(),
            provider_ids: vec![],
            salesforce_ids: vec![],
            reason: format!("Not reconciled, could not be read: {problem}"),
            breakdown: None,
        });
    }
    let count = |c: ResultCategory| results.iter().filter(|x| x.category == c).count() as u64;
    let (matched, suggested, exceptions) = (
        count(ResultCategory::Matched),
        count(ResultCategory::Suggested),
        count(ResultCategory::Exception),
    );
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    for x in results.iter().filter(|x| x.category == ResultCategory::Exception) {
        *by_kind.entry(x.kind.clone()).or_default() += 1;
    }
    let totals: BTreeMap<String, Value> = totals
        .into_iter()
        .map(|(currency, t)| {
            (
                currency,
                json!({
                    "provider_input": t[0].to_string(), "provider_matched": t[1].to_string(),
                    "provider_unmatched": t[2].to_string(), "salesforce_input": t[3].to_string(),
                    "salesforce_matched": t[4].to_string(), "salesforce_unmatched": t[5].to_string(),
                }),
            )
        })
        .collect();
    let summary = json!({
        "offline": offline,
        "inputs": inputs,
        "matched": matched,
        "suggested": suggested,
        "exceptions": exceptions,
        "exceptions_by_kind": by_kind,
        "balances": balances,
        "totals": totals,
        "scopes": scopes,
        "payouts": if offline { Value::Null } else { Value::Array(payout_summary) },
    });
    recon.finish_run(run_id, &summary, &results, clock.now()).await?;
    Ok(RunReport {
        run_id,
        inputs,
        results: results.len() as u64,
        matched,
        suggested,
        exceptions,
        balances,
        offline,
    })
}
