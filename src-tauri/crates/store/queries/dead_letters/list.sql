-- Newest first; each filter (status ?1, kind ?2, error code ?3) applies only when given. The page's
-- ids are found on the order index first, so a deep page reads 50 rows, not every row above it.
-- Narrowed, when given, to a provider's job kinds (?6, a JSON array), an object (?7) and a parked
-- time in [?8, ?9). (`+kind` keeps the walk on the time order: a provider's kinds are most of
-- the queue, so finding a page in time order beats sorting all of theirs.)
SELECT id, job_id, kind, payload, idempotency_key, error_class, error_code, error_message, attempts, job_created_at,
    first_failed_at, created_at, updated_at, status, resolution_reason, resolved_by, resolved_at,
    object
FROM dead_letters
WHERE id IN (
    SELECT id FROM dead_letters
    WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR error_code = ?3)
      AND (?6 IS NULL OR +kind IN (SELECT value FROM json_each(?6))) AND (?7 IS NULL OR object = ?7)
      AND (?8 IS NULL OR created_at >= ?8) AND (?9 IS NULL OR created_at < ?9)
    ORDER BY created_at DESC, id DESC
    LIMIT ?4 OFFSET ?5
)
ORDER BY created_at DESC, id DESC
