-- How many dead letters of one status (?1) are about one object (?2), optionally of one kind (?3)
-- or error code (?4), narrowed to a provider's job kinds (?5, a JSON array) and a parked time in
-- [?6, ?7); read from the object index.
SELECT COUNT(*) AS "count!: i64"
FROM dead_letters
WHERE status = ?1 AND object = ?2 AND (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR error_code = ?4)
  AND (?5 IS NULL OR kind IN (SELECT value FROM json_each(?5)))
  AND (?6 IS NULL OR created_at >= ?6) AND (?7 IS NULL OR created_at < ?7)
