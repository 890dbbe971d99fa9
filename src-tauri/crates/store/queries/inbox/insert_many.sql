-- Records a page of events in one statement: ?2 is a JSON array of [event id, event type,
-- payload], inserted in its order (json_each walks an array in order); a duplicate (source,
-- event id), within the page or before it, inserts nothing. One statement rather than one per
-- event: a page costs one round trip.
INSERT INTO inbox (source, event_id, event_type, payload, received_at)
SELECT ?1, e.value ->> 0, e.value ->> 1, e.value -> 2, ?3
FROM json_each(?2) AS e
WHERE true
ON CONFLICT (source, event_id) DO NOTHING
