-- One run.
SELECT id, period_from, period_to, started_by, started_at, finished_at, summary FROM recon_runs WHERE id = ?1
