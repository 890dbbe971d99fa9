-- Only the current lease holder (owner ?2, attempt ?3) can hold a job until ?4: back to pending,
-- with one more attempt allowed, since an attempt a circuit breaker stopped sent nothing.
UPDATE jobs
SET status = 'pending', run_at = ?4, lease_owner = NULL, lease_expires_at = NULL,
    max_attempts = max_attempts + 1,
    last_error = ?5, last_error_class = ?6, last_error_code = ?7, updated_at = ?8
WHERE id = ?1 AND status = 'running' AND lease_owner = ?2 AND attempts = ?3
