-- A rejected batch's items, with the reason.
UPDATE payout_items SET state = 'rejected', reason = ?2, updated_at = ?3
WHERE batch_id = ?1 AND state = 'batched'
