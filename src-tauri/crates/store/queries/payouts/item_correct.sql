-- Support corrected the recipient: new values, checked again.
UPDATE payout_items SET
    email = COALESCE(?2, email), country = COALESCE(?3, country), payee_id = COALESCE(?4, payee_id),
    state = 'new', reason = NULL, updated_at = ?5
WHERE id = ?1 AND state IN ('new', 'ready', 'needs_correction')
