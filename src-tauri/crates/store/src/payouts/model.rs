//! The payout rows as the API sees them.

use chrono::{DateTime, Utc};

use crate::error::{Result, StoreError};
use crate::names::string_enum;
use crate::time::{at, at_opt};

string_enum! {
    /// Where a payout item is on its way.
    pub enum ItemState: "payout item state" {
        /// Taken in from Salesforce, not checked yet.
        New = "new",
        /// The recipient is payable: waits for a batch.
        Ready = "ready",
        /// Support must fix the recipient (the reason says what).
        NeedsCorrection = "needs_correction",
        /// In a batch not yet sent.
        Batched = "batched",
        /// Its intent is written; the call may be under way.
        Submitting = "submitting",
        /// The call's outcome is unknown: the provider is asked, never sent again blindly.
        InDoubt = "in_doubt",
        /// Accepted by the provider; the outcome is awaited.
        Submitted = "submitted",
        /// Paid (final).
        Paid = "paid",
        /// Failed at the provider (final).
        Failed = "failed",
        /// Cancelled at the provider (final).
        Cancelled = "cancelled",
        /// Rejected by an approver (final).
        Rejected = "rejected",
    }
}

impl ItemState {
    /// Whether the item has reached its end.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Paid | Self::Failed | Self::Cancelled | Self::Rejected)
    }
}

string_enum! {
    /// Where a payout batch is on its way.
    pub enum BatchStatus: "payout batch status" {
        /// Being put together; waits for approvals.
        Draft = "draft",
        /// Has every approval it needs; waits to be sent.
        Approved = "approved",
        /// Its intent is written; being sent.
        Submitting = "submitting",
        /// The provider could not take it yet (insufficient funds); sent again when it can.
        Held = "held",
        /// Accepted by the provider; items are settling.
        Submitted = "submitted",
        /// Every item reached a final state.
        Completed = "completed",
        /// Rejected by an approver or refused whole by the provider.
        Rejected = "rejected",
    }
}

/// A payment request approved for payout in Salesforce, as read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewPayoutItem {
    /// The `Payment_Request__c` id.
    pub request_id: String,
    /// Its name (`PR-000123`).
    pub request_name: Option<String>,
    /// The Salesforce user who approved it for payout (the maker).
    pub maker: String,
    /// The payee's Contact.
    pub contact_id: Option<String>,
    /// The payee's name.
    pub payee_name: Option<String>,
    /// The Payoneer payee id (Contact's, else Account's).
    pub payee_id: Option<String>,
    /// The payee's e-mail.
    pub email: Option<String>,
    /// The payee's country (as written on the Contact).
    pub country: Option<String>,
    /// Whether the Contact is blocked from payouts.
    pub blocked: bool,
    /// The amount in the currency's minor units.
    pub amount_minor: i64,
    /// The ISO currency code.
    pub currency: String,
    /// What it pays for.
    pub description: Option<String>,
    /// The request's `SystemModstamp`, Unix milliseconds.
    pub source_modstamp: i64,
}

/// What taking in a request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeOutcome {
    /// A new item.
    Added(i64),
    /// The item took the request's new values and will be checked again.
    Updated(i64),
    /// Nothing changed.
    Unchanged(i64),
    /// The request changed after its batch was approved or sent: the approved values stay.
    Frozen(Box<PayoutItem>),
}

/// One payout item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PayoutItem {
    /// Local id.
    pub id: i64,
    /// The `Payment_Request__c` id.
    pub request_id: String,
    /// Its name.
    pub request_name: Option<String>,
    /// Who approved the request in Salesforce.
    pub maker: String,
    /// The payee's Contact.
    pub contact_id: Option<String>,
    /// The payee's name.
    pub payee_name: Option<String>,
    /// The Payoneer payee id.
    pub payee_id: Option<String>,
    /// The payee's e-mail.
    pub email: Option<String>,
    /// The payee's country.
    pub country: Option<String>,
    /// Whether the Contact is blocked from payouts.
    pub blocked: bool,
    /// Minor units.
    pub amount_minor: i64,
    /// ISO code.
    pub currency: String,
    /// What it pays for.
    pub description: Option<String>,
    /// Where it is.
    pub state: ItemState,
    /// Why it needs correction, failed or was rejected.
    pub reason: Option<String>,
    /// Its batch.
    pub batch_id: Option<String>,
    /// The idempotency/correlation key sent to the provider.
    pub client_reference_id: Option<String>,
    /// The provider's payout id.
    pub payout_id: Option<String>,
    /// The provider's fee, minor units.
    pub fee_minor: Option<i64>,
    /// The amount the payee received after FX (decimal text).
    pub target_amount: Option<String>,
    /// Its currency.
    pub target_currency: Option<String>,
    /// The state Salesforce was last told.
    pub reported_state: Option<String>,
    /// The request's `SystemModstamp` when taken in, Unix milliseconds.
    pub source_modstamp: i64,
    /// First taken in.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl PayoutItem {
    /// Whether `new` carries the same request values as this item.
    pub(crate) fn same_request(&self, new: &NewPayoutItem) -> bool {
        self.request_name == new.request_name
            && self.maker == new.maker
            && self.contact_id == new.contact_id
            && self.payee_name == new.payee_name
            && self.payee_id == new.payee_id
            && self.email == new.email
            && self.country == new.country
            && self.blocked == new.blocked
            && self.amount_minor == new.amount_minor
            && self.currency == new.currency
            && self.description == new.description
    }
}

/// What the provider says of a sent item.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemOutcome {
    /// The final state, or `None` while it is pending.
    pub state: Option<ItemState>,
    /// Why it failed or was cancelled.
    pub reason: Option<String>,
    /// The provider's payout id.
    pub payout_id: Option<String>,
    /// The fee, minor units of the item's currency.
    pub fee_minor: Option<i64>,
    /// The amount received after FX (decimal text).
    pub target_amount: Option<String>,
    /// Its currency.
    pub target_currency: Option<String>,
}

/// One payout batch with its counts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PayoutBatch {
    /// `pb_…`.
    pub id: String,
    /// The provider program it is paid from.
    pub program_id: String,
    /// Its one currency.
    pub currency: String,
    /// Where it is.
    pub status: BatchStatus,
    /// Who drafted it.
    pub created_by: String,
    /// The hash approvals are bound to (`stale` until re-hashed after a change).
    pub content_hash: String,
    /// Sum of its items, minor units.
    pub total_minor: i64,
    /// How many items.
    pub item_count: u64,
    /// 1, or 2 above the threshold.
    pub approvals_needed: u64,
    /// Distinct approvals bound to the current content.
    pub approvals: u64,
    /// Why it is held.
    pub held_reason: Option<String>,
    /// Why it was rejected.
    pub rejected_reason: Option<String>,
    /// Items paid.
    pub paid: u64,
    /// Items failed.
    pub failed: u64,
    /// Items cancelled.
    pub cancelled: u64,
    /// Items being sent or settling.
    pub in_flight: u64,
    /// Known fees, minor units.
    pub fees_minor: Option<i64>,
    /// The Salesforce users who approved its requests for payout.
    pub makers: Vec<String>,
    /// Drafted at.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// First accepted by the provider.
    pub submitted_at: Option<DateTime<Utc>>,
}

/// One decision on a batch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PayoutApproval {
    /// Who decided.
    pub actor: String,
    /// `approve` or `reject`.
    pub decision: String,
    /// The rejection's reason.
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Whether it was given for the batch's current content.
    pub current: bool,
}

/// Items and amount in one state and currency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StateTotal {
    /// The state.
    pub state: ItemState,
    /// The currency.
    pub currency: String,
    /// How many items.
    pub count: u64,
    /// Their sum, minor units.
    pub amount_minor: i64,
}

pub(crate) struct ItemRow {
    pub id: i64,
    pub request_id: String,
    pub request_name: Option<String>,
    pub maker: String,
    pub contact_id: Option<String>,
    pub payee_name: Option<String>,
    pub payee_id: Option<String>,
    pub email: Option<String>,
    pub country: Option<String>,
    pub blocked: bool,
    pub amount_minor: i64,
    pub currency: String,
    pub description: Option<String>,
    pub state: String,
    pub reason: Option<String>,
    pub batch_id: Option<String>,
    pub client_reference_id: Option<String>,
    pub payout_id: Option<String>,
    pub fee_minor: Option<i64>,
    pub target_amount: Option<String>,
    pub target_currency: Option<String>,
    pub reported_state: Option<String>,
    pub source_modstamp: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TryFrom<ItemRow> for PayoutItem {
    type Error = StoreError;

    fn try_from(r: ItemRow) -> Result<Self> {
        Ok(Self {
            id: r.id,
            request_id: r.request_id,
            request_name: r.request_name,
            maker: r.maker,
            contact_id: r.contact_id,
            payee_name: r.payee_name,
            payee_id: r.payee_id,
            email: r.email,
            country: r.country,
            blocked: r.blocked,
            amount_minor: r.amount_minor,
            currency: r.currency,
            description: r.description,
            state: r.state.parse()?,
            reason: r.reason,
            batch_id: r.batch_id,
            client_reference_id: r.client_reference_id,
            payout_id: r.payout_id,
            fee_minor: r.fee_minor,
            target_amount: r.target_amount,
            target_currency: r.target_currency,
            reported_state: r.reported_state,
            source_modstamp: r.source_modstamp,
            created_at: at(r.created_at),
            updated_at: at(r.updated_at),
        })
    }
}

pub(crate) struct BatchRow {
    pub id: String,
    pub program_id: String,
    pub currency: String,
    pub status: String,
    pub created_by: String,
    pub content_hash: String,
    pub total_minor: i64,
    pub item_count: i64,
    pub approvals_needed: i64,
    pub held_reason: Option<String>,
    pub rejected_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub approvals: i64,
    pub paid: i64,
    pub failed: i64,
    pub cancelled: i64,
    pub in_flight: i64,
    pub fees_minor: Option<i64>,
    pub makers: String,
}

fn count(value: i64, what: &str) -> Result<u64> {
    u64::try_from(value).map_err(|_| StoreError::corrupt(format!("{what} = {value} is negative")))
}

impl TryFrom<BatchRow> for PayoutBatch {
    type Error = StoreError;

    fn try_from(r: BatchRow) -> Result<Self> {
        let mut makers: Vec<String> = serde_json::from_str(&r.makers)?;
        makers.retain(|m| !m.is_empty());
        Ok(Self {
            id: r.id,
            program_id: r.program_id,
            currency: r.currency,
            status: r.status.parse()?,
            created_by: r.created_by,
            content_hash: r.content_hash,
            total_minor: r.total_minor,
            item_count: count(r.item_count, "item_count")?,
            approvals_needed: count(r.approvals_needed, "approvals_needed")?,
            approvals: count(r.approvals, "approvals")?,
            held_reason: r.held_reason,
            rejected_reason: r.rejected_reason,
            paid: count(r.paid, "paid")?,
            failed: count(r.failed, "failed")?,
            cancelled: count(r.cancelled, "cancelled")?,
            in_flight: count(r.in_flight, "in_flight")?,
            fees_minor: r.fees_minor,
            makers,
            created_at: at(r.created_at),
            updated_at: at(r.updated_at),
            submitted_at: at_opt(r.submitted_at),
        })
    }
}

pub(crate) struct ApprovalRow {
    pub actor: String,
    pub decision: String,
    pub reason: Option<String>,
    pub at: i64,
    pub current: bool,
}

impl From<ApprovalRow> for PayoutApproval {
    fn from(r: ApprovalRow) -> Self {
        Self {
            actor: r.actor,
            decision: r.decision,
            reason: r.reason,
            at: at(r.at),
            current: r.current,
        }
    }
}
