-- Starts a run.
INSERT INTO recon_runs (period_from, period_to, started_by, started_at) VALUES (?1, ?2, ?3, ?4) RETURNING id
