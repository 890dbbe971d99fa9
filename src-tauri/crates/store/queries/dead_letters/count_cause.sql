-- How many dead letters share one root cause (status ?1, kind ?2, error code ?3).
-- Narrowed, when given, to a provider's job kinds (?4, a JSON array), an object (?5) and a parked
-- time in [?6, ?7).
SELECT COUNT(*) AS "count!: i64"
FROM dead_letters
WHERE status = ?1 AND kind = ?2 AND error_code = ?3
  AND (?4 IS NULL OR kind IN (SELECT value FROM json_each(?4))) AND (?5 IS NULL OR object = ?5)
  AND (?6 IS NULL OR created_at >= ?6) AND (?7 IS NULL OR created_at < ?7)
