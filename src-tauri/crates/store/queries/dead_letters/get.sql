SELECT id, job_id, kind, payload, idempotency_key, error_class, error_code, error_message, attempts, job_created_at,
    first_failed_at, created_at, updated_at, status, resolution_reason, resolved_by, resolved_at,
    object
FROM dead_letters
WHERE id = ?1
