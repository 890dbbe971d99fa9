//! The Payouts screen's IPC: batches, their items and decisions, the dry run, approve and reject
//! (by the Salesforce user signed in), and the correction queue. Money travels as decimal text.

use chrono::{DateTime, Utc};
use paysync_engine::payouts::{DryRun, PayoutDesk, RecipientCorrection, major_text};
use paysync_store::{PayoutApproval, PayoutBatch, PayoutItem};
use serde::{Deserialize, Serialize};

use super::{Console, ConsoleError};

/// One batch in the list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PayoutBatchRow {
    /// `pb_…`.
    pub id: String,
    /// draft, approved, submitting, held, submitted, completed or rejected.
    pub status: String,
    /// ISO code.
    pub currency: String,
    /// The Payoneer program.
    pub program_id: String,
    /// How many items.
    pub item_count: u64,
    /// Total, major units.
    pub total: String,
    /// Known fees, major units.
    pub fees: Option<String>,
    /// Who drafted it.
    pub created_by: String,
    /// The Salesforce users who approved its requests (they cannot approve the batch).
    pub makers: Vec<String>,
    /// Drafted at.
    pub created_at: DateTime<Utc>,
    /// Approvals bound to the current content.
    pub approvals: u64,
    /// 1, or 2 above the threshold.
    pub approvals_needed: u64,
    /// Why it is held.
    pub held_reason: Option<String>,
    /// Items paid.
    pub paid: u64,
    /// Items failed.
    pub failed: u64,
    /// Items cancelled.
    pub cancelled: u64,
    /// Items being sent or settling.
    pub in_flight: u64,
    /// What an approval is bound to.
    pub content_hash: String,
}

/// One item.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PayoutItemRow {
    /// Local id.
    pub id: i64,
    /// Its batch.
    pub batch_id: Option<String>,
    /// The `Payment_Request__c` id.
    pub request_id: String,
    /// `PR-000123`.
    pub request_name: Option<String>,
    /// The payee's name.
    pub payee_name: Option<String>,
    /// The Payoneer payee id.
    pub payee_id: Option<String>,
    /// The payee's Contact.
    pub contact_id: Option<String>,
    /// The payee's e-mail.
    pub email: Option<String>,
    /// The payee's country.
    pub country: Option<String>,
    /// Major units.
    pub amount: String,
    /// ISO code.
    pub currency: String,
    /// Where it is.
    pub state: String,
    /// Why it needs correction, failed or was rejected.
    pub reason: Option<String>,
    /// Payoneer's payout id.
    pub payout_id: Option<String>,
    /// Payoneer's fee, major units.
    pub fee: Option<String>,
    /// The amount received after FX.
    pub target_amount: Option<String>,
    /// Its currency.
    pub target_currency: Option<String>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// One decision.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PayoutApprovalRow {
    /// Who decided.
    pub actor: String,
    /// approve or reject.
    pub decision: String,
    /// A rejection's reason.
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Whether it was given for the current content.
    pub current: bool,
}

/// A batch with its items, its decisions and whether you may approve it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PayoutBatchDetail {
    /// The batch.
    pub batch: PayoutBatchRow,
    /// Its items, in the order they are sent.
    pub items: Vec<PayoutItemRow>,
    /// Every decision, oldest first.
    pub approval_log: Vec<PayoutApprovalRow>,
    /// The approver signed in (a Salesforce user id).
    pub you: String,
    /// Whether you may approve it now.
    pub can_approve: bool,
    /// Why not.
    pub why_not: Option<String>,
}

/// A problem a dry run found.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
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

/// What sending the batch now would do.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DryRunReport {
    /// The batch.
    pub batch_id: String,
    /// Items that would be sent.
    pub would_send: u64,
    /// Their total.
    pub total: String,
    /// Fees known ahead.
    pub fees: String,
    /// ISO code.
    pub currency: String,
    /// The program's balance in that currency, when known.
    pub balance: Option<String>,
    /// Whether the balance covers the total.
    pub enough_funds: bool,
    /// What would fail validation.
    pub problems: Vec<DryRunProblem>,
    /// Exactly the request body, pretty JSON.
    pub payload: String,
}

/// Support's correction of a recipient (null: unchanged).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PayoutCorrection {
    /// The item.
    pub item_id: i64,
    /// A new e-mail.
    pub email: Option<String>,
    /// A new country (ISO alpha-2).
    pub country: Option<String>,
    /// A new Payoneer payee id.
    pub payee_id: Option<String>,
}

pub(crate) fn batch_row(b: &PayoutBatch) -> PayoutBatchRow {
    PayoutBatchRow {
        id: b.id.clone(),
        status: b.status.to_string(),
        currency: b.currency.clone(),
        program_id: b.program_id.clone(),
        item_count: b.item_count,
        total: major_text(b.total_minor, &b.currency),
        fees: b.fees_minor.map(|f| major_text(f, &b.currency)),
        created_by: b.created_by.clone(),
        makers: b.makers.clone(),
        created_at: b.created_at,
        approvals: b.approvals,
        approvals_needed: b.approvals_needed,
        held_reason: b.held_reason.clone().or_else(|| b.rejected_reason.clone()),
        paid: b.paid,
        failed: b.failed,
        cancelled: b.cancelled,
        in_flight: b.in_flight,
        content_hash: b.content_hash.clone(),
    }
}

pub(crate) fn item_row(i: &PayoutItem) -> PayoutItemRow {
    PayoutItemRow {
        id: i.id,
        batch_id: i.batch_id.clone(),
        request_id: i.request_id.clone(),
        request_name: i.request_name.clone(),
        payee_name: i.payee_name.clone(),
        payee_id: i.payee_id.clone(),
        contact_id: i.contact_id.clone(),
        email: i.email.clone(),
        country: i.country.clone(),
        amount: major_text(i.amount_minor, &i.currency),
        currency: i.currency.clone(),
        state: i.state.to_string(),
        reason: i.reason.clone(),
        payout_id: i.payout_id.clone(),
        fee: i.fee_minor.map(|f| major_text(f, &i.currency)),
        target_amount: i.target_amount.clone(),
        target_currency: i.target_currency.clone(),
        updated_at: i.updated_at,
    }
}

fn approval_row(a: &PayoutApproval) -> PayoutApprovalRow {
    PayoutApprovalRow {
        actor: a.actor.clone(),
        decision: a.decision.clone(),
        reason: a.reason.clone(),
        at: a.at,
        current: a.current,
    }
}

fn report(d: &DryRun) -> DryRunReport {
    DryRunReport {
        batch_id: d.batch_id.clone(),
        would_send: d.would_send,
        total: d.total.to_string(),
        fees: d.fees.to_string(),
        currency: d.currency.clone(),
        balance: d.balance.map(|b| b.to_string()),
        enough_funds: d.enough_funds,
        problems: d
            .problems
            .iter()
            .map(|p| DryRunProblem {
                item_id: p.item_id,
                request_id: p.request_id.clone(),
                field: p.field.clone(),
                message: p.message.clone(),
            })
            .collect(),
        payload: serde_json::to_string_pretty(&d.payload).unwrap_or_default(),
    }
}

impl Console {
    fn desk(&self) -> Result<&PayoutDesk, ConsoleError> {
        Ok(self.engine.payouts()?)
    }

    /// Batches: `None` the unfinished ones, `all`, or one status.
    pub async fn payout_batches(&self, status: Option<String>) -> Result<Vec<PayoutBatchRow>, ConsoleError> {
        let batches = self.desk()?.batches(status.as_deref()).await?;
        Ok(batches.iter().map(batch_row).collect())
    }

    /// One batch, and whether the signed-in approver may approve it.
    pub async fn payout_batch(&self, id: &str) -> Result<PayoutBatchDetail, ConsoleError> {
        let view = self.desk()?.batch(id).await?;
        let you = self.approver().await?;
        let why_not = PayoutDesk::why_not(&view, &you);
        Ok(PayoutBatchDetail {
            batch: batch_row(&view.batch),
            items: view.items.iter().map(item_row).collect(),
            approval_log: view.approvals.iter().map(approval_row).collect(),
            you,
            can_approve: why_not.is_none(),
            why_not,
        })
    }

    /// What sending the batch now would do, without sending anything.
    pub async fn dry_run_payout_batch(&self, id: &str) -> Result<DryRunReport, ConsoleError> {
        Ok(report(&self.desk()?.dry_run(id).await?))
    }

    /// The signed-in approver approves the batch as they saw it (`content_hash`).
    pub async fn approve_payout_batch(
        &self,
        id: &str,
        content_hash: &str,
    ) -> Result<PayoutBatchRow, ConsoleError> {
        let you = self.approver().await?;
        let batch = self.desk()?.approve(id, &you, content_hash).await?;
        Ok(batch_row(&batch))
    }

    /// The signed-in approver rejects the batch with a reason.
    pub async fn reject_payout_batch(&self, id: &str, reason: &str) -> Result<PayoutBatchRow, ConsoleError> {
        let you = self.approver().await?;
        let batch = self.desk()?.reject(id, &you, reason).await?;
        Ok(batch_row(&batch))
    }

    /// Items waiting for support.
    pub async fn payout_corrections(&self) -> Result<Vec<PayoutItemRow>, ConsoleError> {
        let items = self.desk()?.corrections(5_000).await?;
        Ok(items.iter().map(item_row).collect())
    }

    /// Corrects a recipient: written to the Salesforce Contact, then checked again.
    pub async fn correct_payout_item(&self, fix: PayoutCorrection) -> Result<PayoutItemRow, ConsoleError> {
        let you = self.approver().await?;
        let item = self
            .desk()?
            .correct(
                &RecipientCorrection {
                    item_id: fix.item_id,
                    email: fix.email,
                    country: fix.country,
                    payee_id: fix.payee_id,
                },
                &you,
            )
            .await?;
        Ok(item_row(&item))
    }

    /// Batches waiting for a checker, when payouts are set up.
    pub(crate) async fn payouts_awaiting_approval(&self) -> Result<Option<u64>, ConsoleError> {
        match self.engine.payouts() {
            Ok(desk) => Ok(Some(desk.batches(Some("draft")).await?.len() as u64)),
            Err(_) => Ok(None),
        }
    }
}
