-- What the provider reports for a sent item. A final state is never changed again.
UPDATE payout_items SET
    state = ?2, reason = COALESCE(?3, reason), payout_id = COALESCE(?4, payout_id),
    fee_minor = COALESCE(?5, fee_minor), target_amount = COALESCE(?6, target_amount),
    target_currency = COALESCE(?7, target_currency), updated_at = ?8
WHERE id = ?1 AND state IN ('submitting', 'in_doubt', 'submitted')
