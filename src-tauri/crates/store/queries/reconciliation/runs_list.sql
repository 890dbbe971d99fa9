-- Runs, newest first.
SELECT id, period_from, period_to, started_by, started_at, finished_at, summary FROM recon_runs
ORDER BY id DESC LIMIT ?1
