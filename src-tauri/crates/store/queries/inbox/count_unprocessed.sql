SELECT COUNT(*) AS "count!: i64" FROM inbox WHERE source = ?1 AND processed_at IS NULL
