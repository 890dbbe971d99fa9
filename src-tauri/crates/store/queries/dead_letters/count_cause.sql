-- How many dead letters share one root cause (status ?1, kind ?2, error code ?3).
SELECT COUNT(*) AS "count!: i64"
FROM dead_letters
WHERE status = ?1 AND kind = ?2 AND error_code = ?3
