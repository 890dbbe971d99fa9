-- The readiness check's verdict for an item not yet batched.
UPDATE payout_items SET state = ?2, reason = ?3, updated_at = ?4
WHERE id = ?1 AND state IN ('new', 'ready', 'needs_correction')
