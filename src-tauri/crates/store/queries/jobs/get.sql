SELECT id, kind, payload, status, attempts, max_attempts, run_at, lease_owner, lease_expires_at, idempotency_key,
    concurrency_key, replay_safe, replays, last_error, last_error_class, last_error_code, result, created_at,
    updated_at, finished_at
FROM jobs
WHERE id = ?1
