-- Every decision on a batch, oldest first.
SELECT a.actor, a.decision, a.reason, a.at, a.content_hash = b.content_hash AS "current!: bool"
FROM payout_approvals a JOIN payout_batches b ON b.id = a.batch_id
WHERE a.batch_id = ?1
ORDER BY a.at, a.id
