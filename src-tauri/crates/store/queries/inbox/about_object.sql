-- The events of ?1 about object ?2: its own and those naming it as their payment (refunds,
-- disputes), in the provider's time order. Each arm walks its own partial index.
SELECT
    i.event_id,
    i.event_type,
    i.received_at,
    i.processed_at AS "processed_at?: i64",
    json_extract(b.payload, '$.created') AS "created?: i64",
    json_extract(b.payload, '$.data.object.object') AS "object_type?: String",
    i.object_id AS "object_id?: String",
    json_extract(b.payload, '$.data.object.status') AS "status?: String",
    json_extract(b.payload, '$.data.object.amount') AS "amount?: i64",
    json_extract(b.payload, '$.data.object.currency') AS "currency?: String"
FROM inbox i
JOIN inbox_bodies b ON b.inbox_id = i.id
WHERE i.id IN (
    SELECT id FROM inbox WHERE source = ?1 AND object_id = ?2
    UNION
    SELECT id FROM inbox WHERE source = ?1 AND payment_id = ?2
)
ORDER BY json_extract(b.payload, '$.created'), i.id
LIMIT ?3
