UPDATE connections SET last_success_at = ?2, last_error = NULL, updated_at = ?2 WHERE id = ?1
