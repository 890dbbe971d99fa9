-- Dead letters of one status (?1; all when NULL) grouped by root cause: job kind and error code,
-- largest group first, with the oldest entry's time and one message as a sample. Narrowed, when
-- given, to a provider's job kinds (?3, a JSON array), an object (?4) and a parked time in [?5, ?6).
SELECT
    kind AS "kind!: String",
    error_code AS "error_code!: String",
    COUNT(*) AS "count!: i64",
    MIN(created_at) AS "oldest!: i64",
    MIN(error_message) AS "sample!: String"
FROM dead_letters
WHERE (?1 IS NULL OR status = ?1)
  AND (?3 IS NULL OR kind IN (SELECT value FROM json_each(?3))) AND (?4 IS NULL OR object = ?4)
  AND (?5 IS NULL OR created_at >= ?5) AND (?6 IS NULL OR created_at < ?6)
GROUP BY kind, error_code
ORDER BY 3 DESC, kind, error_code
LIMIT ?2
