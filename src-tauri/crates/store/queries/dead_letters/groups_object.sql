-- One status's (?1) dead letters about one object (?2) grouped by root cause, largest group first,
-- read from the object index; narrowed to a provider's job kinds (?4, a JSON array) and a parked
-- time in [?5, ?6). The sample message is the oldest entry's.
SELECT
    g.kind AS "kind!: String",
    g.error_code AS "error_code!: String",
    COUNT(*) AS "count!: i64",
    MIN(g.created_at) AS "oldest!: i64",
    (
        SELECT s.error_message FROM dead_letters s
        WHERE s.status = ?1 AND s.object = ?2 AND s.kind = g.kind AND s.error_code = g.error_code
          AND (?5 IS NULL OR s.created_at >= ?5) AND (?6 IS NULL OR s.created_at < ?6)
        ORDER BY s.created_at, s.id
        LIMIT 1
    ) AS "sample!: String"
FROM dead_letters g
WHERE g.status = ?1 AND g.object = ?2
  AND (?4 IS NULL OR g.kind IN (SELECT value FROM json_each(?4)))
  AND (?5 IS NULL OR g.created_at >= ?5) AND (?6 IS NULL OR g.created_at < ?6)
GROUP BY g.kind, g.error_code
ORDER BY 3 DESC, 1, 2
LIMIT ?3
