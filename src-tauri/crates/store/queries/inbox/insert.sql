-- Records an event once: a duplicate (source, event id) inserts nothing and returns no row. Its
-- body goes to inbox_bodies (insert_body.sql) in the same transaction.
INSERT INTO inbox (source, event_id, event_type, received_at, object_id, payment_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (source, event_id) DO NOTHING
RETURNING id AS "id!: i64"
