-- Many applied states of one source (?1) at once: ?2 is a JSON array of [object type, object id,
-- version, event id, deleted (0/1), target id or null], applied in order (json_each walks an
-- array in order). Monotonic: an older version never replaces a newer one, and a tombstone is
-- never lifted.
INSERT INTO object_versions (source, object_type, object_id, version, event_id, deleted, target_id, applied_at)
SELECT ?1, a.value ->> 0, a.value ->> 1, a.value ->> 2, a.value ->> 3, a.value ->> 4, a.value ->> 5, ?3
FROM json_each(?2) AS a
WHERE true
ON CONFLICT (source, object_type, object_id) DO UPDATE SET
    version    = excluded.version,
    event_id   = excluded.event_id,
    deleted    = excluded.deleted,
    target_id  = COALESCE(excluded.target_id, object_versions.target_id),
    applied_at = excluded.applied_at
WHERE excluded.version >= object_versions.version AND object_versions.deleted = 0
