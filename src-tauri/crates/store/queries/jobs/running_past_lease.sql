SELECT COUNT(*) AS "count!: i64" FROM jobs WHERE status = 'running' AND lease_expires_at < ?1
