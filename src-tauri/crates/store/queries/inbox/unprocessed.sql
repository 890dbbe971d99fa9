SELECT id, source, event_id, event_type, payload, job_id, received_at, processed_at
FROM inbox
WHERE processed_at IS NULL
ORDER BY received_at, id
LIMIT ?1
