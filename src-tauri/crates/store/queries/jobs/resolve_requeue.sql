UPDATE jobs SET status = 'pending', run_at = ?2, updated_at = ?2
WHERE id = ?1 AND status = 'in_doubt'
