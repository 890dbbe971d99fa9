-- The movements of one side dated within a period, in a stable order.
SELECT record FROM recon_inputs WHERE side = ?1 AND day >= ?2 AND day <= ?3 ORDER BY source, id
