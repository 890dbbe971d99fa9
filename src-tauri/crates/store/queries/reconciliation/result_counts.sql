-- A run's results by category and kind, with how many are still undecided.
SELECT category, kind, COUNT(*) AS "count!: i64", SUM(resolution IS NULL) AS "open!: i64"
FROM recon_results WHERE run_id = ?1 GROUP BY category, kind ORDER BY category, kind
