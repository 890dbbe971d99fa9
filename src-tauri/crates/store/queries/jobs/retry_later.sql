-- Only the current lease holder (owner ?2, attempt ?3) can send a job back to pending, due at ?4.
UPDATE jobs
SET status = 'pending', run_at = ?4, lease_owner = NULL, lease_expires_at = NULL,
    last_error = ?5, last_error_class = ?6, last_error_code = ?7, updated_at = ?8
WHERE id = ?1 AND status = 'running' AND lease_owner = ?2 AND attempts = ?3
