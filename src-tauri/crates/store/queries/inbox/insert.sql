-- Records an event once: a duplicate (source, event id) inserts nothing and returns no row.
INSERT INTO inbox (source, event_id, event_type, payload, received_at, object_id, payment_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (source, event_id) DO NOTHING
RETURNING id AS "id!: i64"
