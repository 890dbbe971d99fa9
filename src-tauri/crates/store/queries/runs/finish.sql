UPDATE runs SET finished_at = ?2, outcome = ?3, counts = ?4, error = ?5
WHERE id = ?1 AND finished_at IS NULL
