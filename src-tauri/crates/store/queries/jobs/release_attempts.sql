-- Graceful shutdown, step 1: the running attempts of owner ?1's jobs end. A replay-safe job's attempt
-- is 'released' (it does not count); an unsafe job's attempt may have had its side effect, so it is 'in_doubt'.
UPDATE job_attempts
SET outcome = CASE
        WHEN (SELECT replay_safe FROM jobs WHERE jobs.id = job_attempts.job_id) = 1 THEN 'released'
        ELSE 'in_doubt'
    END,
    error_class = CASE
        WHEN (SELECT replay_safe FROM jobs WHERE jobs.id = job_attempts.job_id) = 1 THEN error_class
        ELSE 'in_doubt'
    END,
    error_code = CASE
        WHEN (SELECT replay_safe FROM jobs WHERE jobs.id = job_attempts.job_id) = 1 THEN error_code
        ELSE 'interrupted'
    END,
    error_message = CASE
        WHEN (SELECT replay_safe FROM jobs WHERE jobs.id = job_attempts.job_id) = 1 THEN error_message
        ELSE 'the engine stopped while this attempt was running; its outcome must be checked'
    END,
    finished_at = ?2
WHERE outcome = 'running' AND job_id IN (SELECT id FROM jobs WHERE status = 'running' AND lease_owner = ?1)
