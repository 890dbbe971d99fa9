SELECT id, event_id, event_type, payload, received_at
FROM inbox
WHERE source = ?1 AND processed_at IS NULL AND id > ?2
ORDER BY id
LIMIT ?3
