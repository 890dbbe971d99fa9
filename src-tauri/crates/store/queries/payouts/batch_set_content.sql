-- A draft batch's content after its items changed: hash, totals, approvals needed.
UPDATE payout_batches SET content_hash = ?2, total_minor = ?3, item_count = ?4, approvals_needed = ?5,
    updated_at = ?6
WHERE id = ?1 AND status = 'draft'
