-- Only the current lease holder (owner ?2, attempt ?3) can send a job back to pending, due at ?4.
-- ?9 more attempts are allowed: 1 when a circuit breaker stopped the attempt (nothing was sent,
-- so it does not count against the job's budget), else 0.
UPDATE jobs
SET status = 'pending', run_at = ?4, lease_owner = NULL, lease_expires_at = NULL,
    max_attempts = max_attempts + ?9,
    last_error = ?5, last_error_class = ?6, last_error_code = ?7, updated_at = ?8
WHERE id = ?1 AND status = 'running' AND lease_owner = ?2 AND attempts = ?3
