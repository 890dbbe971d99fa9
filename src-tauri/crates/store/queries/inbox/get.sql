SELECT i.id, i.source, i.event_id, i.event_type, b.payload, i.job_id, i.received_at, i.processed_at
FROM inbox i
JOIN inbox_bodies b ON b.inbox_id = i.id
WHERE i.source = ?1 AND i.event_id = ?2
