-- Only the current lease holder (owner ?2, attempt ?3) can complete a job.
UPDATE jobs
SET status = 'succeeded', result = ?4, lease_owner = NULL, lease_expires_at = NULL, finished_at = ?5, updated_at = ?5
WHERE id = ?1 AND status = 'running' AND lease_owner = ?2 AND attempts = ?3
