-- One batch with its counts.
SELECT b.id, b.program_id, b.currency, b.status, b.created_by, b.content_hash, b.total_minor, b.item_count, b.approvals_needed, b.held_reason, b.rejected_reason, b.created_at, b.updated_at, b.submitted_at,
    (SELECT COUNT(DISTINCT a.actor) FROM payout_approvals a WHERE a.batch_id = b.id AND a.decision = 'approve' AND a.content_hash = b.content_hash) AS "approvals!: i64",
    (SELECT COUNT(*) FROM payout_items i WHERE i.batch_id = b.id AND i.state = 'paid') AS "paid!: i64",
    (SELECT COUNT(*) FROM payout_items i WHERE i.batch_id = b.id AND i.state = 'failed') AS "failed!: i64",
    (SELECT COUNT(*) FROM payout_items i WHERE i.batch_id = b.id AND i.state = 'cancelled') AS "cancelled!: i64",
    (SELECT COUNT(*) FROM payout_items i WHERE i.batch_id = b.id AND i.state IN ('submitting', 'in_doubt', 'submitted')) AS "in_flight!: i64",
    (SELECT SUM(i.fee_minor) FROM payout_items i WHERE i.batch_id = b.id) AS "fees_minor: i64",
    (SELECT json_group_array(DISTINCT i.maker) FROM payout_items i WHERE i.batch_id = b.id) AS "makers!: String"
FROM payout_batches b WHERE b.id = ?1
