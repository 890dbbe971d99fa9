-- One status's (?1) dead letters about one object (?2) newest first, paged on the object index;
-- optionally of one kind (?3) or error code (?4), narrowed to a provider's job kinds (?7, a JSON
-- array) and a parked time in [?8, ?9).
SELECT id, job_id, kind, payload, idempotency_key, error_class, error_code, error_message, attempts, job_created_at,
    first_failed_at, created_at, updated_at, status, resolution_reason, resolved_by, resolved_at,
    object
FROM dead_letters
WHERE id IN (
    SELECT id FROM dead_letters
    WHERE status = ?1 AND object = ?2 AND (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR error_code = ?4)
      AND (?7 IS NULL OR kind IN (SELECT value FROM json_each(?7)))
      AND (?8 IS NULL OR created_at >= ?8) AND (?9 IS NULL OR created_at < ?9)
    ORDER BY created_at DESC, id DESC
    LIMIT ?5 OFFSET ?6
)
ORDER BY created_at DESC, id DESC
