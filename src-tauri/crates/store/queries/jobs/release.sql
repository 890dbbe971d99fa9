-- Graceful shutdown, step 2: owner ?1's replay-safe running jobs go back to pending (the released
-- attempt does not count); unsafe ones become in_doubt and wait for a status check, never a blind resend.
UPDATE jobs
SET status = CASE WHEN replay_safe = 1 THEN 'pending' ELSE 'in_doubt' END,
    attempts = CASE WHEN replay_safe = 1 THEN attempts - 1 ELSE attempts END,
    last_error = CASE WHEN replay_safe = 1 THEN last_error
        ELSE 'the engine stopped while this attempt was running; its outcome must be checked' END,
    last_error_class = CASE WHEN replay_safe = 1 THEN last_error_class ELSE 'in_doubt' END,
    last_error_code = CASE WHEN replay_safe = 1 THEN last_error_code ELSE 'interrupted' END,
    lease_owner = NULL, lease_expires_at = NULL, updated_at = ?2
WHERE status = 'running' AND lease_owner = ?1
