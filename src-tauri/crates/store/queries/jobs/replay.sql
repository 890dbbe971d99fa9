-- A dead job back to pending for a DLQ replay: a fresh round of attempts, same row, same idempotency
-- key; the payload is replaced only when a corrected one (?3) is given.
UPDATE jobs
SET status = 'pending', attempts = 0, replays = replays + 1, run_at = ?2, payload = COALESCE(?3, payload),
    result = NULL, finished_at = NULL, updated_at = ?2
WHERE id = ?1 AND status = 'dead'
