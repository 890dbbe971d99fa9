-- Only the current lease holder (owner ?2, attempt ?3) can declare a job dead.
UPDATE jobs
SET status = 'dead', lease_owner = NULL, lease_expires_at = NULL,
    last_error = ?4, last_error_class = ?5, last_error_code = ?6, finished_at = ?7, updated_at = ?7
WHERE id = ?1 AND status = 'running' AND lease_owner = ?2 AND attempts = ?3
