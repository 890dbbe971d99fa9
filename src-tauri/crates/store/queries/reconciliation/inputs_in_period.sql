-- The movements of one side (and optionally one source) dated within a period, in a stable order.
SELECT record FROM recon_inputs
WHERE side = ?1 AND (?2 IS NULL OR source = ?2) AND day >= ?3 AND day <= ?4
ORDER BY source, id
