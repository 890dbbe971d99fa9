SELECT id, job_id, round, attempt_no, started_at, finished_at, outcome, error_class, error_code, error_message, retry_at
FROM job_attempts
WHERE job_id = ?1
ORDER BY id
