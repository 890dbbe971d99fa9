-- Closes the job's running attempt with its outcome.
UPDATE job_attempts
SET outcome = ?2, finished_at = ?3, error_class = ?4, error_code = ?5, error_message = ?6, retry_at = ?7
WHERE job_id = ?1 AND outcome = 'running'
