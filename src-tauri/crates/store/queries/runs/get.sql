SELECT id, flow, trigger, owner, lease_expires_at, started_at, finished_at, outcome, counts, error
FROM runs
WHERE id = ?1
