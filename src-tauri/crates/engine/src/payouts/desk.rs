//! The payout desk: what finance and support staff do to payouts, each decision audited under the
//! person's name. Four eyes hold here (the desk says why an approval is not possible) and in the
//! store (which refuses it whatever the caller).

use paysync_connectors::payoneer::{self, Balance, Envelope, PayoutPayment, parse_amount};
use paysync_connectors::salesforce::records::update;
use paysync_core::{Currency, Money, SharedClock};
use paysync_store::{BatchStatus, ItemState, PayoutApproval, PayoutBatch, PayoutItem, Store};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::readiness::{check_item, local_problem, payee_problem, valid_country, valid_email};
use super::{Payouts, audit, major_text};
use crate::error::EngineError;

/// A batch with everything a reviewer needs.
#[derive(Debug, Clone, Serialize)]
pub struct BatchView {
    /// The batch.
    pub batch: PayoutBatch,
    /// Its items, in the order they are sent.
    pub items: Vec<PayoutItem>,
    /// Every decision on it.
    pub approvals: Vec<PayoutApproval>,
}

/// One thing a dry run found that would fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DryRunProblem {
    /// The item.
    pub item_id: i64,
    /// Its request.
    pub request_id: String,
    /// The field at fault.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// What sending a batch now would do, found without side effects.
#[derive(Debug, Clone, Serialize)]
pub struct DryRun {
    /// The batch.
    pub batch_id: String,
    /// Items that would be sent.
    pub would_send: u64,
    /// Their total, major units.
    pub total: Decimal,
    /// Fees known ahead (none: Payoneer reports them per payout).
    pub fees: Decimal,
    /// The batch's currency.
    pub currency: String,
    /// The program's available balance, when Payoneer reports it in this currency.
    pub balance: Option<Decimal>,
    /// Whether the balance covers the total.
    pub enough_funds: bool,
    /// What would fail validation.
    pub problems: Vec<DryRunProblem>,
    /// Exactly the request body that would be sent.
    pub payload: Value,
}

/// Support's correction of a recipient: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecipientCorrection {
    /// The item.
    pub item_id: i64,
    /// A new e-mail.
    pub email: Option<String>,
    /// A new country (ISO alpha-2).
    pub country: Option<String>,
    /// A new Payoneer payee id.
    pub payee_id: Option<String>,
}

/// What people call. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PayoutDesk {
    payouts: Payouts,
    store: Store,
    clock: SharedClock,
}

fn field_of(problem: &str) -> &'static str {
    if problem.contains("Email") {
        "email"
    } else if problem.contains("MailingCountry") {
        "country"
    } else if problem.contains("Payout_Blocked__c") {
        "blocked"
    } else if problem.contains("Currency__c") {
        "currency"
    } else {
        "payee_id"
    }
}

impl PayoutDesk {
    pub(crate) fn new(payouts: Payouts, store: Store, clock: SharedClock) -> Self {
        Self {
            payouts,
            store,
            clock,
        }
    }

    /// The Payoneer program paid from.
    pub fn program_id(&self) -> &str {
        &self.payouts.options.program_id
    }

    /// Batches, newest first: `None` the unfinished ones, `all` every one, or one status.
    pub async fn batches(&self, status: Option<&str>) -> Result<Vec<PayoutBatch>, EngineError> {
        let status = match status {
            None | Some("" | "open") => Some("open"),
            Some("all") => None,
            Some(s) => Some(
                s.parse::<BatchStatus>()
                    .map_err(|e| EngineError::Invalid {
                        field: "status",
                        message: e.to_string(),
                    })?
                    .as_str(),
            ),
        };
        Ok(self.store.payouts().batches(status, 1_000).await?)
    }

    /// One batch with its items and decisions.
    pub async fn batch(&self, id: &str) -> Result<BatchView, EngineError> {
        let batch = self.store.payouts().batch(id).await?;
        Ok(BatchView {
            items: self.store.payouts().batch_items(id).await?,
            approvals: self.store.payouts().approvals(id).await?,
            batch,
        })
    }

    /// Why `actor` cannot approve the batch now, or `None` when they can.
    pub fn why_not(view: &BatchView, actor: &str) -> Option<String> {
        let b = &view.batch;
        if actor.is_empty() {
            return Some("Connect Salesforce: the approver is the Salesforce user signed in".to_owned());
        }
        if b.status != BatchStatus::Draft {
            return Some(format!("The batch is {}: only a draft is approved", b.status));
        }
        if b.content_hash == "stale" {
            return Some("The batch changed and is being checked again".to_owned());
        }
        if b.created_by == actor {
            return Some("You drafted this batch: someone else must approve it".to_owned());
        }
        if b.makers.iter().any(|m| m == actor) {
            return Some(
                "You approved payment requests in this batch: someone else must approve it".to_owned(),
            );
        }
        if view
            .approvals
            .iter()
            .any(|a| a.actor == actor && a.decision == "approve" && a.current)
        {
            return Some("You have approved it; it needs a second, different approver".to_owned());
        }
        None
    }

    /// Checks the batch as if it were sent now: each item's recipient (asking Payoneer about the
    /// payee, read-only) and the balance. Sends nothing and changes nothing.
    pub async fn dry_run(&self, id: &str) -> Result<DryRun, EngineError> {
        let view = self.batch(id).await?;
        let batch = &view.batch;
        let currency = Currency::from_code(&batch.currency).map_err(|e| EngineError::Invalid {
            field: "currency",
            message: e.to_string(),
        })?;
        let mut problems = Vec::new();
        let mut payments = Vec::new();
        for item in &view.items {
            let problem = match local_problem(item) {
                Some(p) => Some(p),
                None => match item.payee_id.as_deref() {
                    None => Some("no Payoneer payee id".to_owned()),
                    Some(payee) => payee_problem(&self.payouts, payee).await.map_err(|e| {
                        EngineError::Provider(format!("asking Payoneer about payee {payee}: {e}"))
                    })?,
                },
            };
            if let Some(message) = problem {
                problems.push(DryRunProblem {
                    item_id: item.id,
                    request_id: item.request_id.clone(),
                    field: field_of(&message).to_owned(),
                    message,
                });
                continue;
            }
            payments.push(PayoutPayment {
                client_reference_id: item
                    .client_reference_id
                    .clone()
                    .unwrap_or_else(|| format!("{}-{}", batch.id, item.id)),
                payee_id: item.payee_id.clone().unwrap_or_default(),
                amount: Money::from_minor(item.amount_minor, currency).to_decimal(),
                currency: item.currency.clone(),
                description: item
                    .description
                    .clone()
                    .or_else(|| item.request_name.clone())
                    .unwrap_or_else(|| format!("Payment request {}", item.request_id)),
                group_id: batch.id.clone(),
            });
        }
        let payload = payoneer::mass_payouts_body(&payments).map_err(|e| EngineError::Invalid {
            field: "amount",
            message: e.to_string(),
        })?;
        let balance: Option<Decimal> = match self
            .payouts
            .send_payoneer(payoneer::balance(&batch.program_id))
            .await
        {
            Ok(response) => {
                let b: Envelope<Balance> = response
                    .json()
                    .map_err(|e| EngineError::Provider(format!("reading the balance: {e}")))?;
                if b.result.currency.eq_ignore_ascii_case(&batch.currency) {
                    parse_amount(&b.result.balance)
                } else {
                    None
                }
            }
            Err(e) => {
                return Err(EngineError::Provider(format!(
                    "asking Payoneer for the balance: {e}"
                )));
            }
        };
        let total = payments.iter().map(|p| p.amount).sum::<Decimal>();
        Ok(DryRun {
            batch_id: batch.id.clone(),
            would_send: payments.len() as u64,
            total,
            fees: Decimal::ZERO,
            currency: batch.currency.clone(),
            enough_funds: balance.is_none_or(|b| b >= total),
            balance,
            problems,
            payload,
        })
    }

    /// `actor` approves the batch whose content they reviewed as `seen_hash`.
    pub async fn approve(&self, id: &str, actor: &str, seen_hash: &str) -> Result<PayoutBatch, EngineError> {
        let view = self.batch(id).await?;
        if let Some(why) = Self::why_not(&view, actor) {
            return Err(EngineError::Refused(why));
        }
        let batch = self
            .store
            .payouts()
            .approve(id, actor, seen_hash, self.clock.now())
            .await?;
        audit(
            &self.store,
            &self.clock,
            actor,
            "payout.approve",
            &format!("payout_batch:{id}"),
            json!({
                "content_hash": seen_hash,
                "items": batch.item_count,
                "total": major_text(batch.total_minor, &batch.currency),
                "currency": batch.currency,
                "approvals": batch.approvals,
                "approvals_needed": batch.approvals_needed,
                "status": batch.status,
            }),
        )
        .await;
        Ok(batch)
    }

    /// `actor` rejects the batch with `reason`; the requests go back to Salesforce as rejected.
    pub async fn reject(&self, id: &str, actor: &str, reason: &str) -> Result<PayoutBatch, EngineError> {
        if reason.trim().is_empty() {
            return Err(EngineError::Invalid {
                field: "reason",
                message: "say why the batch is rejected: the requests go back to Salesforce with it"
                    .to_owned(),
            });
        }
        if actor.is_empty() {
            return Err(EngineError::Refused(
                "Connect Salesforce: the approver is the Salesforce user signed in".to_owned(),
            ));
        }
        let batch = self
            .store
            .payouts()
            .reject(id, actor, reason, self.clock.now())
            .await?;
        audit(
            &self.store,
            &self.clock,
            actor,
            "payout.reject",
            &format!("payout_batch:{id}"),
            json!({ "reason": reason.trim(), "items": batch.item_count }),
        )
        .await;
        Ok(batch)
    }

    /// Items waiting for support, oldest first.
    pub async fn corrections(&self, limit: u32) -> Result<Vec<PayoutItem>, EngineError> {
        Ok(self
            .store
            .payouts()
            .items_in_state(ItemState::NeedsCorrection, limit)
            .await?)
    }

    /// `actor` corrects an item's recipient: the fix is written to the Salesforce Contact first
    /// (so the next intake agrees), then to the item, which is checked again at once.
    pub async fn correct(&self, fix: &RecipientCorrection, actor: &str) -> Result<PayoutItem, EngineError> {
        let item = self.store.payouts().item(fix.item_id).await?;
        if !matches!(
            item.state,
            ItemState::New | ItemState::Ready | ItemState::NeedsCorrection
        ) {
            return Err(EngineError::Refused(format!(
                "payout item {} is {}: only an item not yet batched can be corrected",
                item.id, item.state
            )));
        }
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let email = clean(&fix.email);
        let country = clean(&fix.country).map(|c| c.to_ascii_uppercase());
        let payee_id = clean(&fix.payee_id);
        if email.is_none() && country.is_none() && payee_id.is_none() {
            return Err(EngineError::Invalid {
                field: "correction",
                message: "nothing to change: give an e-mail, a country or a payee id".to_owned(),
            });
        }
        if let Some(e) = &email
            && !valid_email(e)
        {
            return Err(EngineError::Invalid {
                field: "email",
                message: format!("{e:?} is not a valid e-mail address"),
            });
        }
        if let Some(c) = &country
            && !valid_country(c)
        {
            return Err(EngineError::Invalid {
                field: "country",
                message: format!("{c:?} is not an ISO 3166 two-letter code (e.g. DE)"),
            });
        }
        let contact = item.contact_id.clone().ok_or_else(|| EngineError::Invalid {
            field: "contact",
            message: format!("request {} has no Contact to correct", item.request_id),
        })?;
        let mut fields = Map::new();
        if let Some(e) = &email {
            fields.insert("Email".into(), json!(e));
        }
        if let Some(c) = &country {
            fields.insert("MailingCountry".into(), json!(c));
        }
        if let Some(p) = &payee_id {
            fields.insert("Payoneer_Payee_Id__c".into(), json!(p));
        }
        self.payouts
            .send_sf(update("Contact", &contact, fields))
            .await
            .map_err(|e| EngineError::Provider(format!("writing Contact {contact} to Salesforce: {e}")))?;
        let corrected = self
            .store
            .payouts()
            .correct(
                item.id,
                email.as_deref(),
                country.as_deref(),
                payee_id.as_deref(),
                self.clock.now(),
            )
            .await?;
        let mut answers = super::readiness::PayeeAnswers::new();
        let verdict = check_item(
            &self.payouts,
            &self.store,
            &self.clock,
            &corrected,
            true,
            &mut answers,
        )
        .await;
        audit(
            &self.store,
            &self.clock,
            actor,
            "payout.correct",
            &format!("payout_item:{}", item.id),
            json!({
                "request_id": item.request_id,
                "contact_id": contact,
                "before": { "email": item.email, "country": item.country, "payee_id": item.payee_id },
                "after": { "email": email, "country": country, "payee_id": payee_id },
                "reason_before": item.reason,
                "check": match &verdict { Ok(None) => json!("ready"), Ok(Some(p)) => json!(p), Err(e) => json!(format!("not checked yet: {e}")) },
            }),
        )
        .await;
        Ok(self.store.payouts().item(item.id).await?)
    }
}
