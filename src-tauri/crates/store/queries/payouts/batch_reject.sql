-- Rejects a batch with a reason.
UPDATE payout_batches SET status = 'rejected', rejected_reason = ?2, held_reason = NULL, updated_at = ?3
WHERE id = ?1 AND status IN ('draft', 'approved', 'held', 'submitting')
