-- A new draft batch.
INSERT INTO payout_batches
    (id, program_id, currency, status, created_by, content_hash, total_minor, item_count,
     approvals_needed, created_at, updated_at)
VALUES (?1, ?2, ?3, 'draft', ?4, 'stale', 0, 0, ?5, ?6, ?6)
