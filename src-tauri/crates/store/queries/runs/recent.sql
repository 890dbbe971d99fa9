-- Newest first, optionally one flow (?1).
SELECT id, flow, trigger, owner, lease_expires_at, started_at, finished_at, outcome, counts, error
FROM runs
WHERE ?1 IS NULL OR flow = ?1
ORDER BY id DESC
LIMIT ?2
