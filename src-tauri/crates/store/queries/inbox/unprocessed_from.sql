SELECT i.id, i.event_id, i.event_type, b.payload, i.received_at
FROM inbox i
JOIN inbox_bodies b ON b.inbox_id = i.id
WHERE i.source = ?1 AND i.processed_at IS NULL AND i.id > ?2
ORDER BY i.id
LIMIT ?3
