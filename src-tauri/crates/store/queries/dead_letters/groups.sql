-- Dead letters of one status (?1; all when NULL) grouped by root cause: job kind and error code,
-- largest group first, with the oldest entry's time and one message as a sample.
SELECT
    kind AS "kind!: String",
    error_code AS "error_code!: String",
    COUNT(*) AS "count!: i64",
    MIN(created_at) AS "oldest!: i64",
    MIN(error_message) AS "sample!: String"
FROM dead_letters
WHERE (?1 IS NULL OR status = ?1)
GROUP BY kind, error_code
ORDER BY 3 DESC, kind, error_code
LIMIT ?2
