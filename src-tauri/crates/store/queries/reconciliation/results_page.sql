-- A page of a run's results, optionally of one category and kind.
SELECT id, run_id, category, kind, currency, provider_ids, salesforce_ids, reason, breakdown, resolution,
       resolved_by, resolved_at, note
FROM recon_results
WHERE run_id = ?1 AND (?2 IS NULL OR category = ?2) AND (?3 IS NULL OR kind = ?3)
ORDER BY category, kind, id LIMIT ?4 OFFSET ?5
