SELECT MIN(run_at) AS "run_at: i64" FROM jobs WHERE status = 'pending'
