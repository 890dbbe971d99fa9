-- The live (pending, running or in-doubt) job holding a concurrency key, if any.
SELECT id FROM jobs
WHERE kind = ?1 AND concurrency_key = ?2 AND status IN ('pending', 'running', 'in_doubt')
