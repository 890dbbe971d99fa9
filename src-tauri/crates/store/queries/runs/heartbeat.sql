UPDATE runs SET lease_expires_at = ?3
WHERE id = ?1 AND owner = ?2 AND finished_at IS NULL
