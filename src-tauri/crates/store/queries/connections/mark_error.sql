UPDATE connections SET last_error = ?2, updated_at = ?3 WHERE id = ?1
