SELECT status, COUNT(*) AS "count!: i64" FROM jobs GROUP BY status
