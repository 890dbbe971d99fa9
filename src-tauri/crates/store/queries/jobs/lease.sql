-- Leases up to ?5 due pending jobs of the given kinds (?4, a JSON array), oldest first:
-- running, owned by ?1 until ?2, one more attempt. ?3 is now.
-- Nullable columns carry explicit `?` overrides: sqlx cannot infer nullability through RETURNING.
UPDATE jobs
SET status = 'running', lease_owner = ?1, lease_expires_at = ?2, attempts = attempts + 1, updated_at = ?3
WHERE id IN (
    SELECT id FROM jobs
    WHERE status = 'pending' AND run_at <= ?3 AND kind IN (SELECT value FROM json_each(?4))
    ORDER BY run_at, id
    LIMIT ?5
)
RETURNING
    id, kind, payload, status, attempts, max_attempts, run_at, lease_owner AS "lease_owner?",
    lease_expires_at AS "lease_expires_at?", idempotency_key, concurrency_key AS "concurrency_key?", replay_safe,
    replays, last_error AS "last_error?", last_error_class AS "last_error_class?",
    last_error_code AS "last_error_code?", result AS "result?", created_at, updated_at,
    finished_at AS "finished_at?"
