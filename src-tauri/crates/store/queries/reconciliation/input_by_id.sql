-- The movement one side holds under an id, with the source it was read for.
SELECT source, record FROM recon_inputs
WHERE side = ?1 AND id = ?2
ORDER BY source
