-- Draft batches whose content must be hashed again.
SELECT id AS "id!: String" FROM payout_batches WHERE status = 'draft' AND content_hash = 'stale'
