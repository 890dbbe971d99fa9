-- Marks many events of one source (?1) processed at once (?2: a JSON array of event ids);
-- idempotent: the first processing time is kept.
UPDATE inbox SET processed_at = COALESCE(processed_at, ?3)
WHERE source = ?1 AND event_id IN (SELECT value FROM json_each(?2))
