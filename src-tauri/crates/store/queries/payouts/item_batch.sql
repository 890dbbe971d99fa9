-- Puts a ready item in a draft batch.
UPDATE payout_items SET state = 'batched', batch_id = ?2, updated_at = ?3
WHERE id = ?1 AND state = 'ready' AND batch_id IS NULL
