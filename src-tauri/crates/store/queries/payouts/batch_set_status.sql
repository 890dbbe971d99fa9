-- Moves a batch from one status to another (the triggers check approvals).
UPDATE payout_batches SET status = ?3, held_reason = ?4, updated_at = ?5,
    submitted_at = CASE WHEN ?3 = 'submitted' THEN COALESCE(submitted_at, ?5) ELSE submitted_at END
WHERE id = ?1 AND status = ?2
