-- The applied states of many objects of one source (?1) at once: ?2 is a JSON array of
-- [object type, object id]; objects never applied are absent. CROSS JOIN keeps the keys as the
-- outer loop: each is one lookup on the primary key, never a scan of the source's rows.
SELECT v.object_type, v.object_id, v.version, v.event_id, v.deleted, v.target_id, v.applied_at
FROM json_each(?2) AS k
CROSS JOIN object_versions v
  ON v.source = ?1 AND v.object_type = k.value ->> 0 AND v.object_id = k.value ->> 1
