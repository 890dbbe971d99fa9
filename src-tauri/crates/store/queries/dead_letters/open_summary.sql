SELECT COUNT(*) AS "open!: i64", MIN(created_at) AS "oldest: i64" FROM dead_letters WHERE status = 'open'
