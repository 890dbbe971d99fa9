-- Onboarding chose the payee id for an item's recipient (written to the Contact too).
UPDATE payout_items SET payee_id = ?2, updated_at = ?3
WHERE id = ?1 AND state IN ('new', 'ready', 'needs_correction')
