UPDATE runs SET finished_at = ?2, outcome = 'abandoned', error = ?3
WHERE id = ?1 AND finished_at IS NULL
