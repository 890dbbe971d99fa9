//! Payouts: Salesforce payment requests as payout items, draft batches, the four-eyes approvals
//! bound to a batch's content, and each item's way to a final state (ARCHITECTURE §3–§4).
//!
//! The rules that keep money safe hold in SQL too (migration `20261125000000_payouts.sql`): a
//! batch's creator and the makers of its requests cannot approve it, an approval counts only for
//! the content it was given for, any change to an item of a draft batch voids its approvals, an
//! approved batch's content is frozen, and an item is marked as being sent only from an approved
//! batch. This module never works around them: their refusals come back as
//! [`StoreError::InvalidState`].

mod hash;
mod model;

use chrono::{DateTime, Utc};
use sqlx::{Sqlite, Transaction};

pub use hash::content_hash;
pub use model::{
    BatchStatus, IntakeOutcome, ItemOutcome, ItemState, NewPayoutItem, PayoutApproval, PayoutBatch,
    PayoutItem, StateTotal,
};

use crate::error::{Result, StoreError};
use crate::time::ms;
use crate::{Store, require};
use model::{ApprovalRow, BatchRow, ItemRow};

/// The payouts of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct Payouts<'a> {
    store: &'a Store,
}

/// A trigger's refusal as the store's error; anything else as a database error.
fn refused(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        let message = db.message();
        if message.contains("four eyes") || message.contains("approv") || message.contains("cannot change") {
            return StoreError::InvalidState {
                what: message.to_owned(),
            };
        }
    }
    StoreError::Database(err)
}

async fn items_of(tx: &mut Transaction<'static, Sqlite>, batch_id: &str) -> Result<Vec<PayoutItem>> {
    sqlx::query_file_as!(ItemRow, "queries/payouts/items_of_batch.sql", batch_id)
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(PayoutItem::try_from)
        .collect()
}

async fn batch_in(tx: &mut Transaction<'static, Sqlite>, batch_id: &str) -> Result<PayoutBatch> {
    sqlx::query_file_as!(BatchRow, "queries/payouts/batch_get.sql", batch_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "payout batch",
            id: batch_id.to_owned(),
        })
        .and_then(PayoutBatch::try_from)
}

/// Hashes a draft batch's current items and stores the hash, the totals and how many approvals
/// the total needs.
async fn rehash(
    tx: &mut Transaction<'static, Sqlite>,
    batch: &PayoutBatch,
    two_approvals_from_minor: Option<i64>,
    now: DateTime<Utc>,
) -> Result<String> {
    let items = items_of(tx, &batch.id).await?;
    let hash = content_hash(&batch.id, &batch.program_id, &batch.currency, &items);
    let total = items
        .iter()
        .try_fold(0i64, |sum, i| sum.checked_add(i.amount_minor))
        .ok_or_else(|| StoreError::validation("amount_minor", "the batch total overflows"))?;
    let needed: i64 = if two_approvals_from_minor.is_some_and(|limit| total > limit) {
        2
    } else {
        1
    };
    let count = i64::try_from(items.len()).map_err(|_| StoreError::validation("items", "too many items"))?;
    sqlx::query_file!(
        "queries/payouts/batch_set_content.sql",
        batch.id,
        hash,
        total,
        count,
        needed,
        ms(now)
    )
    .execute(&mut **tx)
    .await
    .map_err(refused)?;
    Ok(hash)
}

/// Moves a batch from one status to another; the triggers' refusals come back as
/// [`StoreError::InvalidState`].
async fn set_batch_status(
    tx: &mut Transaction<'static, Sqlite>,
    batch_id: &str,
    (from, to): (BatchStatus, BatchStatus),
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (from, to) = (from.as_str(), to.as_str());
    sqlx::query_file!(
        "queries/payouts/batch_set_status.sql",
        batch_id,
        from,
        to,
        reason,
        ms(now)
    )
    .execute(&mut **tx)
    .await
    .map_err(refused)?;
    Ok(())
}

/// Moves a batch's items that are being sent (`submitting` or `in_doubt`) to `to`.
async fn settle_sending_items(
    tx: &mut Transaction<'static, Sqlite>,
    batch_id: &str,
    to: ItemState,
    now: DateTime<Utc>,
) -> Result<()> {
    for from in [ItemState::Submitting, ItemState::InDoubt] {
        let (from, to) = (from.as_str(), to.as_str());
        sqlx::query_file!("queries/payouts/items_move.sql", batch_id, from, to, ms(now))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl<'a> Payouts<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Takes in a payment request approved for payout. A new one becomes an item to check; a
    /// changed one not yet sent takes the new values and is checked again (leaving a draft batch
    /// voids its approvals); one already approved or sent keeps what was approved.
    pub async fn intake(&self, new: &NewPayoutItem, now: DateTime<Utc>) -> Result<IntakeOutcome> {
        require("request_id", &new.request_id)?;
        require("maker", &new.maker)?;
        if new.amount_minor <= 0 {
            return Err(StoreError::validation(
                "amount_minor",
                format!("request {}: the amount must be above zero", new.request_id),
            ));
        }
        // A request read again unchanged (the poll's overlap) costs a read, not a write lock.
        let known = sqlx::query_file_as!(ItemRow, "queries/payouts/item_by_request.sql", new.request_id)
            .fetch_optional(self.store.pool())
            .await?
            .map(PayoutItem::try_from)
            .transpose()?;
        if let Some(item) = known.filter(|i| i.same_request(new)) {
            return Ok(IntakeOutcome::Unchanged(item.id));
        }
        let mut tx = self.store.begin_write().await?;
        let existing = sqlx::query_file_as!(ItemRow, "queries/payouts/item_by_request.sql", new.request_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(PayoutItem::try_from)
            .transpose()?;
        let outcome = match existing {
            None => {
                let id = sqlx::query_file_scalar!(
                    "queries/payouts/item_insert.sql",
                    new.request_id,
                    new.request_name,
                    new.maker,
                    new.contact_id,
                    new.payee_name,
                    new.payee_id,
                    new.email,
                    new.country,
                    new.amount_minor,
                    new.currency,
                    new.description,
                    new.source_modstamp,
                    ms(now),
                    new.blocked
                )
                .fetch_one(&mut *tx)
                .await?;
                IntakeOutcome::Added(id)
            }
            Some(item) if item.same_request(new) => IntakeOutcome::Unchanged(item.id),
            Some(item) => {
                let in_draft = match &item.batch_id {
                    Some(batch) => batch_in(&mut tx, batch).await?.status == BatchStatus::Draft,
                    None => true,
                };
                if matches!(
                    item.state,
                    ItemState::New | ItemState::Ready | ItemState::NeedsCorrection
                ) || (item.state == ItemState::Batched && in_draft)
                {
                    sqlx::query_file!(
                        "queries/payouts/item_refresh.sql",
                        item.id,
                        new.request_name,
                        new.maker,
                        new.contact_id,
                        new.payee_name,
                        new.payee_id,
                        new.email,
                        new.country,
                        new.amount_minor,
                        new.currency,
                        new.description,
                        new.source_modstamp,
                        ms(now),
                        new.blocked
                    )
                    .execute(&mut *tx)
                    .await
                    .map_err(refused)?;
                    IntakeOutcome::Updated(item.id)
                } else {
                    IntakeOutcome::Frozen(Box::new(item))
                }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// One item.
    pub async fn item(&self, id: i64) -> Result<PayoutItem> {
        sqlx::query_file_as!(ItemRow, "queries/payouts/item_get.sql", id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "payout item",
                id: id.to_string(),
            })
            .and_then(PayoutItem::try_from)
    }

    /// The item sent (or about to be sent) with `client_reference_id`, if any.
    pub async fn item_by_reference(&self, client_reference_id: &str) -> Result<Option<PayoutItem>> {
        sqlx::query_file_as!(
            ItemRow,
            "queries/payouts/item_by_reference.sql",
            client_reference_id
        )
        .fetch_optional(self.store.pool())
        .await?
        .map(PayoutItem::try_from)
        .transpose()
    }

    /// Up to `limit` items in `state`, least recently touched first.
    pub async fn items_in_state(&self, state: ItemState, limit: u32) -> Result<Vec<PayoutItem>> {
        let state = state.as_str();
        sqlx::query_file_as!(ItemRow, "queries/payouts/items_in_state.sql", state, limit)
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(PayoutItem::try_from)
            .collect()
    }

    /// A batch's items, in the order they are sent.
    pub async fn batch_items(&self, batch_id: &str) -> Result<Vec<PayoutItem>> {
        sqlx::query_file_as!(ItemRow, "queries/payouts/items_of_batch.sql", batch_id)
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(PayoutItem::try_from)
            .collect()
    }

    /// Records the readiness check of an item not yet batched: ready, or a reason for support.
    /// Returns whether the item was still checkable.
    pub async fn set_checked(&self, id: i64, problem: Option<&str>, now: DateTime<Utc>) -> Result<bool> {
        let state = if problem.is_some() {
            ItemState::NeedsCorrection
        } else {
            ItemState::Ready
        }
        .as_str();
        let done = sqlx::query_file!("queries/payouts/item_set_check.sql", id, state, problem, ms(now))
            .execute(self.store.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Support's correction of an item's recipient (only the fields given change); the item is
    /// checked again.
    pub async fn correct(
        &self,
        id: i64,
        email: Option<&str>,
        country: Option<&str>,
        payee_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<PayoutItem> {
        let done = sqlx::query_file!(
            "queries/payouts/item_correct.sql",
            id,
            email,
            country,
            payee_id,
            ms(now)
        )
        .execute(self.store.pool())
        .await?;
        if done.rows_affected() == 0 {
            let item = self.item(id).await?;
            return Err(StoreError::InvalidState {
                what: format!(
                    "payout item {id} ({}) is {}: only an item not yet batched can be corrected",
                    item.request_id,
                    item.state.as_str()
                ),
            });
        }
        self.item(id).await
    }

    /// Sets the payee id onboarding chose for an item's recipient.
    pub async fn set_payee(&self, id: i64, payee_id: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query_file!("queries/payouts/item_set_contact.sql", id, payee_id, ms(now))
            .execute(self.store.pool())
            .await?;
        Ok(())
    }

    /// Groups the ready items into new draft batches per currency, at most `max_items` each, all
    /// for `program_id`, drafted by `created_by`. A batch whose total is above
    /// `two_approvals_from_minor` (in its currency's minor units) needs two approvers. `new_id`
    /// names each batch. Returns the new batches.
    pub async fn draft_batches(
        &self,
        program_id: &str,
        max_items: usize,
        two_approvals_from_minor: &(dyn Fn(&str) -> Option<i64> + Sync),
        created_by: &str,
        new_id: &mut (dyn FnMut() -> String + Send),
        now: DateTime<Utc>,
    ) -> Result<Vec<PayoutBatch>> {
        require("program_id", program_id)?;
        require("created_by", created_by)?;
        let max_items = max_items.max(1);
        let mut tx = self.store.begin_write().await?;
        let ready: Vec<PayoutItem> =
            sqlx::query_file_as!(ItemRow, "queries/payouts/items_ready_unbatched.sql")
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(PayoutItem::try_from)
                .collect::<Result<_>>()?;
        let mut batches = Vec::new();
        let mut by_currency: std::collections::BTreeMap<&str, Vec<&PayoutItem>> = Default::default();
        for item in &ready {
            by_currency.entry(item.currency.as_str()).or_default().push(item);
        }
        for (currency, items) in by_currency {
            for chunk in items.chunks(max_items) {
                let id = new_id();
                sqlx::query_file!(
                    "queries/payouts/batch_insert.sql",
                    id,
                    program_id,
                    currency,
                    created_by,
                    1i64,
                    ms(now)
                )
                .execute(&mut *tx)
                .await?;
                for item in chunk {
                    sqlx::query_file!("queries/payouts/item_batch.sql", item.id, id, ms(now))
                        .execute(&mut *tx)
                        .await?;
                }
                let batch = batch_in(&mut tx, &id).await?;
                rehash(&mut tx, &batch, two_approvals_from_minor(currency), now).await?;
                batches.push(batch_in(&mut tx, &id).await?);
            }
        }
        tx.commit().await?;
        Ok(batches)
    }

    /// Hashes again every draft batch an item change made stale (their old approvals stay void).
    pub async fn rehash_stale(
        &self,
        two_approvals_from_minor: &(dyn Fn(&str) -> Option<i64> + Sync),
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.store.begin_write().await?;
        let stale = sqlx::query_file_scalar!("queries/payouts/batches_stale.sql")
            .fetch_all(&mut *tx)
            .await?;
        for id in &stale {
            let batch = batch_in(&mut tx, id).await?;
            rehash(&mut tx, &batch, two_approvals_from_minor(&batch.currency), now).await?;
        }
        tx.commit().await?;
        Ok(stale.len() as u64)
    }

    /// One batch.
    pub async fn batch(&self, id: &str) -> Result<PayoutBatch> {
        sqlx::query_file_as!(BatchRow, "queries/payouts/batch_get.sql", id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "payout batch",
                id: id.to_owned(),
            })
            .and_then(PayoutBatch::try_from)
    }

    /// Batches, newest first: `status` one status, `open` for the unfinished ones, `None` for all.
    pub async fn batches(&self, status: Option<&str>, limit: u32) -> Result<Vec<PayoutBatch>> {
        sqlx::query_file_as!(BatchRow, "queries/payouts/batches_list.sql", status, limit)
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(PayoutBatch::try_from)
            .collect()
    }

    /// Every decision on a batch, oldest first.
    pub async fn approvals(&self, batch_id: &str) -> Result<Vec<PayoutApproval>> {
        Ok(
            sqlx::query_file_as!(ApprovalRow, "queries/payouts/approvals_of_batch.sql", batch_id)
                .fetch_all(self.store.pool())
                .await?
                .into_iter()
                .map(PayoutApproval::from)
                .collect(),
        )
    }

    /// `actor` approves the draft batch whose content they saw as `seen_hash`. The content is
    /// hashed again here; an approval for any other content is refused, as is one by the batch's
    /// creator or a maker of its requests. With enough approvals the batch becomes approved.
    pub async fn approve(
        &self,
        batch_id: &str,
        actor: &str,
        seen_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<PayoutBatch> {
        require("actor", actor)?;
        let mut tx = self.store.begin_write().await?;
        let batch = batch_in(&mut tx, batch_id).await?;
        if batch.status != BatchStatus::Draft {
            return Err(StoreError::InvalidState {
                what: format!(
                    "batch {batch_id} is {}: only a draft is approved",
                    batch.status.as_str()
                ),
            });
        }
        let items = items_of(&mut tx, batch_id).await?;
        let current = content_hash(&batch.id, &batch.program_id, &batch.currency, &items);
        if current != batch.content_hash || current != seen_hash {
            return Err(StoreError::Conflict {
                what: format!(
                    "batch {batch_id} changed since it was shown: review it again before approving"
                ),
            });
        }
        let decision = "approve";
        let none: Option<&str> = None;
        sqlx::query_file!(
            "queries/payouts/approval_insert.sql",
            batch_id,
            actor,
            decision,
            current,
            none,
            ms(now)
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if crate::error::is_unique_violation(&e) {
                StoreError::InvalidState {
                    what: format!("{actor} has already approved batch {batch_id}"),
                }
            } else {
                refused(e)
            }
        })?;
        let batch = batch_in(&mut tx, batch_id).await?;
        if batch.approvals >= batch.approvals_needed {
            set_batch_status(
                &mut tx,
                batch_id,
                (BatchStatus::Draft, BatchStatus::Approved),
                None,
                now,
            )
            .await?;
        }
        let batch = batch_in(&mut tx, batch_id).await?;
        tx.commit().await?;
        Ok(batch)
    }

    /// `actor` rejects a batch not yet sent, with `reason`; its items are rejected with it.
    pub async fn reject(
        &self,
        batch_id: &str,
        actor: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<PayoutBatch> {
        require("actor", actor)?;
        require("reason", reason.trim())?;
        let mut tx = self.store.begin_write().await?;
        let batch = batch_in(&mut tx, batch_id).await?;
        if !matches!(
            batch.status,
            BatchStatus::Draft | BatchStatus::Approved | BatchStatus::Held
        ) {
            return Err(StoreError::InvalidState {
                what: format!(
                    "batch {batch_id} is {}: only a batch not yet sent can be rejected",
                    batch.status.as_str()
                ),
            });
        }
        let decision = "reject";
        let reason = reason.trim();
        sqlx::query_file!(
            "queries/payouts/approval_insert.sql",
            batch_id,
            actor,
            decision,
            batch.content_hash,
            reason,
            ms(now)
        )
        .execute(&mut *tx)
        .await
        .map_err(refused)?;
        sqlx::query_file!("queries/payouts/batch_reject.sql", batch_id, reason, ms(now))
            .execute(&mut *tx)
            .await?;
        let text = format!("Rejected in Paysync by {actor}: {reason}");
        sqlx::query_file!("queries/payouts/items_reject.sql", batch_id, text, ms(now))
            .execute(&mut *tx)
            .await?;
        let batch = batch_in(&mut tx, batch_id).await?;
        tx.commit().await?;
        Ok(batch)
    }

    /// Writes the durable intent of sending an approved (or held) batch, before any call: each
    /// item gets its `client_reference_id` and becomes `submitting`. The content is hashed again
    /// and must still be what was approved. A batch already being sent is returned as it is, so
    /// the caller resolves it by asking the provider.
    pub async fn begin_submission(
        &self,
        batch_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(PayoutBatch, Vec<PayoutItem>)> {
        let mut tx = self.store.begin_write().await?;
        let batch = batch_in(&mut tx, batch_id).await?;
        let items = items_of(&mut tx, batch_id).await?;
        let current = content_hash(&batch.id, &batch.program_id, &batch.currency, &items);
        if current != batch.content_hash || batch.approvals < batch.approvals_needed {
            return Err(StoreError::InvalidState {
                what: format!(
                    "four eyes: batch {batch_id}'s content no longer matches its approvals; nothing is sent"
                ),
            });
        }
        match batch.status {
            BatchStatus::Approved | BatchStatus::Held => {
                set_batch_status(
                    &mut tx,
                    batch_id,
                    (batch.status, BatchStatus::Submitting),
                    None,
                    now,
                )
                .await?;
                sqlx::query_file!("queries/payouts/items_intent.sql", batch_id, ms(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(refused)?;
            }
            BatchStatus::Submitting => {}
            other => {
                return Err(StoreError::InvalidState {
                    what: format!("batch {batch_id} is {}: it is not to be sent", other.as_str()),
                });
            }
        }
        let batch = batch_in(&mut tx, batch_id).await?;
        let items = items_of(&mut tx, batch_id).await?;
        tx.commit().await?;
        Ok((batch, items))
    }

    /// The provider accepted the batch: its items are submitted (their outcomes come later).
    pub async fn mark_submitted(&self, batch_id: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.store.begin_write().await?;
        settle_sending_items(&mut tx, batch_id, ItemState::Submitted, now).await?;
        set_batch_status(
            &mut tx,
            batch_id,
            (BatchStatus::Submitting, BatchStatus::Submitted),
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The call's outcome is unknown: the items are in doubt until the provider is asked.
    pub async fn mark_in_doubt(&self, batch_id: &str, now: DateTime<Utc>) -> Result<()> {
        let (from, to) = (ItemState::Submitting.as_str(), ItemState::InDoubt.as_str());
        sqlx::query_file!("queries/payouts/items_move.sql", batch_id, from, to, ms(now))
            .execute(self.store.pool())
            .await?;
        Ok(())
    }

    /// The provider certainly created nothing and cannot pay yet (insufficient funds): the batch
    /// is held with `reason` and sent again, with the same references, when the balance allows.
    pub async fn hold(&self, batch_id: &str, reason: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.store.begin_write().await?;
        settle_sending_items(&mut tx, batch_id, ItemState::Batched, now).await?;
        set_batch_status(
            &mut tx,
            batch_id,
            (BatchStatus::Submitting, BatchStatus::Held),
            Some(reason),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The provider is not answering (its circuit breaker is open, or a call failed as an outage
    /// does): the approved, sending or already held batch is held with `reason`, and sent again,
    /// asking first about anything that may have arrived, once the provider answers. Items being
    /// sent in this attempt go back to `batched` (nothing reached the provider for them); items
    /// in doubt stay in doubt. Returns whether the batch was not held before.
    pub async fn hold_unavailable(&self, batch_id: &str, reason: &str, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.store.begin_write().await?;
        let batch = batch_in(&mut tx, batch_id).await?;
        if !matches!(
            batch.status,
            BatchStatus::Approved | BatchStatus::Submitting | BatchStatus::Held
        ) {
            return Err(StoreError::InvalidState {
                what: format!(
                    "batch {batch_id} is {}: only a batch waiting to be sent is held",
                    batch.status.as_str()
                ),
            });
        }
        let (from, to) = (ItemState::Submitting.as_str(), ItemState::Batched.as_str());
        sqlx::query_file!("queries/payouts/items_move.sql", batch_id, from, to, ms(now))
            .execute(&mut *tx)
            .await?;
        set_batch_status(
            &mut tx,
            batch_id,
            (batch.status, BatchStatus::Held),
            Some(reason),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(batch.status != BatchStatus::Held)
    }

    /// The provider refused the whole batch and created nothing (validation): the batch is
    /// closed with `reason`; each item named in `problems` waits for a correction with its
    /// message, the others are checked again; all need a new batch and a new approval.
    pub async fn refuse_batch(
        &self,
        batch_id: &str,
        reason: &str,
        problems: &[(i64, String)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.store.begin_write().await?;
        sqlx::query_file!("queries/payouts/batch_reject.sql", batch_id, reason, ms(now))
            .execute(&mut *tx)
            .await?;
        for item in items_of(&mut tx, batch_id).await? {
            let problem = problems
                .iter()
                .find(|(id, _)| *id == item.id)
                .map(|(_, m)| m.as_str());
            let state = if problem.is_some() {
                ItemState::NeedsCorrection
            } else {
                ItemState::New
            }
            .as_str();
            sqlx::query_file!(
                "queries/payouts/item_release.sql",
                item.id,
                state,
                problem,
                ms(now)
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records what the provider reports for a sent item. A final state closes the item (and
    /// the batch once every item is closed); `Pending` only notes the payout id.
    pub async fn record_outcome(
        &self,
        item: &PayoutItem,
        outcome: &ItemOutcome,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let Some(state) = outcome.state else {
            sqlx::query_file!(
                "queries/payouts/item_touch.sql",
                item.id,
                outcome.payout_id,
                ms(now)
            )
            .execute(self.store.pool())
            .await?;
            return Ok(false);
        };
        let mut tx = self.store.begin_write().await?;
        let state = state.as_str();
        let done = sqlx::query_file!(
            "queries/payouts/item_outcome.sql",
            item.id,
            state,
            outcome.reason,
            outcome.payout_id,
            outcome.fee_minor,
            outcome.target_amount,
            outcome.target_currency,
            ms(now)
        )
        .execute(&mut *tx)
        .await?;
        if let Some(batch) = &item.batch_id {
            sqlx::query_file!("queries/payouts/batch_complete.sql", batch, ms(now))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Items whose final state (or rejection) Salesforce has not been told yet.
    pub async fn unreported(&self, limit: u32) -> Result<Vec<PayoutItem>> {
        sqlx::query_file_as!(ItemRow, "queries/payouts/items_unreported.sql", limit)
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(PayoutItem::try_from)
            .collect()
    }

    /// Salesforce now knows that `id` is `state`.
    pub async fn mark_reported(&self, id: i64, state: ItemState) -> Result<()> {
        let state = state.as_str();
        sqlx::query_file!("queries/payouts/item_reported.sql", id, state)
            .execute(self.store.pool())
            .await?;
        Ok(())
    }

    /// Items and amounts per state and currency.
    pub async fn totals(&self) -> Result<Vec<StateTotal>> {
        sqlx::query_file!("queries/payouts/counts.sql")
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(|r| {
                Ok(StateTotal {
                    state: r.state.parse()?,
                    currency: r.currency,
                    count: u64::try_from(r.count).map_err(|_| StoreError::corrupt("a negative count"))?,
                    amount_minor: r.amount_minor,
                })
            })
            .collect()
    }
}
