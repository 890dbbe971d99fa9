-- Moves a batch's items from one state to another.
UPDATE payout_items SET state = ?3, updated_at = ?4
WHERE batch_id = ?1 AND state = ?2
