-- The live (unfinished) run of a flow, if any.
SELECT id, owner, lease_expires_at FROM runs WHERE flow = ?1 AND finished_at IS NULL
