UPDATE jobs SET status = 'succeeded', result = ?2, finished_at = ?3, updated_at = ?3
WHERE id = ?1 AND status = 'in_doubt'
