-- Takes an item out of a batch the provider refused as a whole (nothing was created): it is
-- checked again (or waits for a correction) and needs a new batch and a new approval.
UPDATE payout_items SET state = ?2, reason = ?3, batch_id = NULL, client_reference_id = NULL, updated_at = ?4
WHERE id = ?1 AND state IN ('submitting', 'in_doubt', 'batched')
