-- One page of provider payments for the console. ?1 matches the provider id or the customer id
-- (substring, LIKE-escaped); ?2 status; ?3 currency; ?4/?5 the amount range in minor units.
-- ?6 = 1 sorts descending; ?7 names the column (occurred_at, amount, status, customer, provider_id).
-- Ties fall back to newest first.
SELECT provider, provider_id, kind, status, amount_minor, currency, occurred_at, customer_ref, synced_at
FROM provider_payments
WHERE (?1 IS NULL OR provider_id LIKE '%' || ?1 || '%' ESCAPE '\' OR customer_ref LIKE '%' || ?1 || '%' ESCAPE '\')
  AND (?2 IS NULL OR status = ?2)
  AND (?3 IS NULL OR currency = ?3)
  AND (?4 IS NULL OR amount_minor >= ?4)
  AND (?5 IS NULL OR amount_minor <= ?5)
ORDER BY
  CASE WHEN ?6 = 0 THEN
    CASE ?7 WHEN 'amount' THEN amount_minor WHEN 'status' THEN status WHEN 'customer' THEN customer_ref
      WHEN 'provider_id' THEN provider_id ELSE occurred_at END
  END ASC,
  CASE WHEN ?6 = 1 THEN
    CASE ?7 WHEN 'amount' THEN amount_minor WHEN 'status' THEN status WHEN 'customer' THEN customer_ref
      WHEN 'provider_id' THEN provider_id ELSE occurred_at END
  END DESC,
  occurred_at DESC, provider_id
LIMIT ?8 OFFSET ?9
