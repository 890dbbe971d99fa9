-- The events of ?1 about object ?2: its own (data.object.id) and those naming it as their
-- charge (refunds, disputes), in the provider's time order.
SELECT
    event_id,
    event_type,
    received_at,
    processed_at AS "processed_at?: i64",
    json_extract(payload, '$.created') AS "created?: i64",
    json_extract(payload, '$.data.object.object') AS "object_type?: String",
    json_extract(payload, '$.data.object.id') AS "object_id?: String",
    json_extract(payload, '$.data.object.status') AS "status?: String",
    json_extract(payload, '$.data.object.amount') AS "amount?: i64",
    json_extract(payload, '$.data.object.currency') AS "currency?: String"
FROM inbox
WHERE source = ?1
  AND (json_extract(payload, '$.data.object.id') = ?2 OR json_extract(payload, '$.data.object.charge') = ?2)
ORDER BY json_extract(payload, '$.created'), id
LIMIT ?3
