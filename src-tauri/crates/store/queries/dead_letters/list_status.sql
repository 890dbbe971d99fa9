-- One status's (?1) dead letters newest first, optionally of one kind (?2) or error code (?3),
-- paged on the status order index.
SELECT id, job_id, kind, payload, idempotency_key, error_class, error_code, error_message, attempts, job_created_at,
    first_failed_at, created_at, updated_at, status, resolution_reason, resolved_by, resolved_at
FROM dead_letters
WHERE id IN (
    SELECT id FROM dead_letters
    WHERE status = ?1 AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR error_code = ?3)
    ORDER BY created_at DESC, id DESC
    LIMIT ?4 OFFSET ?5
)
ORDER BY created_at DESC, id DESC
