-- Newest first; each filter (status ?1, kind ?2, error code ?3) applies only when given. The page's
-- ids are found on the order index first, so a deep page reads 50 rows, not every row above it.
SELECT id, job_id, kind, payload, idempotency_key, error_class, error_code, error_message, attempts, job_created_at,
    first_failed_at, created_at, updated_at, status, resolution_reason, resolved_by, resolved_at
FROM dead_letters
WHERE id IN (
    SELECT id FROM dead_letters
    WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR error_code = ?3)
    ORDER BY created_at DESC, id DESC
    LIMIT ?4 OFFSET ?5
)
ORDER BY created_at DESC, id DESC
