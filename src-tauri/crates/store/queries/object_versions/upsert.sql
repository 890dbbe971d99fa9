-- Monotonic: an older version never replaces a newer one, and a tombstone is never lifted.
INSERT INTO object_versions (source, object_type, object_id, version, event_id, deleted, target_id, applied_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
ON CONFLICT (source, object_type, object_id) DO UPDATE SET
    version    = excluded.version,
    event_id   = excluded.event_id,
    deleted    = excluded.deleted,
    target_id  = COALESCE(excluded.target_id, object_versions.target_id),
    applied_at = excluded.applied_at
WHERE excluded.version >= object_versions.version AND object_versions.deleted = 0
