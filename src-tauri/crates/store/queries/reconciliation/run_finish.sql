-- Finishes a run with its summary.
UPDATE recon_runs SET finished_at = ?2, summary = ?3 WHERE id = ?1 AND finished_at IS NULL
