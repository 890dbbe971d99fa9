-- Idempotent: the first processing time is kept.
UPDATE inbox SET processed_at = COALESCE(processed_at, ?3) WHERE source = ?1 AND event_id = ?2
