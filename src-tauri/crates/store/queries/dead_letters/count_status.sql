-- How many dead letters of one status (?1), optionally of one kind (?2) or error code (?3).
SELECT COUNT(*) AS "count!: i64"
FROM dead_letters
WHERE status = ?1 AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR error_code = ?3)
