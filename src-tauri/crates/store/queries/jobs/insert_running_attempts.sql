-- Opens the 'running' attempt row of each just-leased job (?1, a JSON array of job ids).
INSERT INTO job_attempts (job_id, round, attempt_no, started_at, outcome)
SELECT id, replays, attempts, ?2, 'running' FROM jobs
WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'running'
