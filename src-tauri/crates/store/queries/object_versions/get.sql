SELECT object_type, object_id, version, event_id, deleted, target_id, applied_at
FROM object_versions
WHERE source = ?1 AND object_type = ?2 AND object_id = ?3
