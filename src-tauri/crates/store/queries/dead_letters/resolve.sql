-- Closes an open dead letter as replayed or discarded (?2).
UPDATE dead_letters
SET status = ?2, resolution_reason = ?3, resolved_by = ?4, resolved_at = ?5, updated_at = ?5
WHERE id = ?1 AND status = 'open'
