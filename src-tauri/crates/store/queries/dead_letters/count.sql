SELECT COUNT(*) AS "count!: i64"
FROM dead_letters
WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR error_code = ?3)
