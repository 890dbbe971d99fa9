-- One result.
SELECT id, run_id, category, kind, currency, provider_ids, salesforce_ids, reason, breakdown, resolution,
       resolved_by, resolved_at, note
FROM recon_results WHERE id = ?1
