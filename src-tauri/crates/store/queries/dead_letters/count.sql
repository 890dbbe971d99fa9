-- Narrowed, when given, to a provider's job kinds (?4, a JSON array), an object (?5) and a parked
-- time in [?6, ?7).
SELECT COUNT(*) AS "count!: i64"
FROM dead_letters
WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR error_code = ?3)
  AND (?4 IS NULL OR kind IN (SELECT value FROM json_each(?4))) AND (?5 IS NULL OR object = ?5)
  AND (?6 IS NULL OR created_at >= ?6) AND (?7 IS NULL OR created_at < ?7)
