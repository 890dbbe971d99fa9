-- Running jobs whose lease ended before ?1.
SELECT
    id, lease_owner AS "lease_owner!: String", lease_expires_at AS "lease_expires_at!: i64", attempts,
    max_attempts, replay_safe
FROM jobs
WHERE status = 'running' AND lease_expires_at < ?1
ORDER BY id
