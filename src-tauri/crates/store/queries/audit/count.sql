-- How many audit entries match the console's filters (same filters as page.sql).
SELECT COUNT(*) AS "total!: i64"
FROM audit_log
WHERE (?1 IS NULL OR actor = ?1)
  AND (?2 IS NULL OR action LIKE ?2 || '%' ESCAPE '\')
  AND (?3 IS NULL OR subject LIKE '%' || ?3 || '%' ESCAPE '\')
