-- How many dead letters of one status (?1), optionally of one kind (?2) or error code (?3).
-- Narrowed, when given, to a provider's job kinds (?4, a JSON array), an object (?5) and a parked
-- time in [?6, ?7). The cause index holds every column tested, so the count never reads the table.
SELECT COUNT(*) AS "count!: i64"
FROM dead_letters INDEXED BY dead_letters_cause
WHERE status = ?1 AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR error_code = ?3)
  AND (?4 IS NULL OR kind IN (SELECT value FROM json_each(?4))) AND (?5 IS NULL OR object = ?5)
  AND (?6 IS NULL OR created_at >= ?6) AND (?7 IS NULL OR created_at < ?7)
