-- The events of ?1 about object ?2: its own and those naming it as their payment (refunds,
-- disputes), in the provider's time order. Each arm walks its own partial index.
SELECT
    event_id,
    event_type,
    received_at,
    processed_at AS "processed_at?: i64",
    json_extract(payload, '$.created') AS "created?: i64",
    json_extract(payload, '$.data.object.object') AS "object_type?: String",
    object_id AS "object_id?: String",
    json_extract(payload, '$.data.object.status') AS "status?: String",
    json_extract(payload, '$.data.object.amount') AS "amount?: i64",
    json_extract(payload, '$.data.object.currency') AS "currency?: String"
FROM inbox
WHERE id IN (
    SELECT id FROM inbox WHERE source = ?1 AND object_id = ?2
    UNION
    SELECT id FROM inbox WHERE source = ?1 AND payment_id = ?2
)
ORDER BY json_extract(payload, '$.created'), id
LIMIT ?3
