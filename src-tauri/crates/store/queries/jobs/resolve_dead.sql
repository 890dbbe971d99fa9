UPDATE jobs
SET status = 'dead', last_error = ?2, last_error_class = ?3, last_error_code = ?4, finished_at = ?5, updated_at = ?5
WHERE id = ?1 AND status = 'in_doubt'
