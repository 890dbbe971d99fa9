-- A dead job whose dead letter was discarded.
UPDATE jobs SET status = 'cancelled', updated_at = ?2
WHERE id = ?1 AND status = 'dead'
