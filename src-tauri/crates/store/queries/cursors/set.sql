INSERT INTO sync_cursors (flow, source, cursor, updated_at) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (flow, source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
