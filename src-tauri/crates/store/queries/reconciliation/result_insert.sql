-- One result of a run.
INSERT INTO recon_results (run_id, category, kind, currency, provider_ids, salesforce_ids, reason, breakdown)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
