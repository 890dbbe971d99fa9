-- The durable intent, committed before the call: every item of the batch gets its
-- client_reference_id (derived from the batch and the item, so the same on every attempt).
UPDATE payout_items SET state = 'submitting', client_reference_id = batch_id || '-' || id, updated_at = ?2
WHERE batch_id = ?1 AND state = 'batched'
