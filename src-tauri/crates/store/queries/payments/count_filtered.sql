-- How many provider payments match the filters of page.sql.
SELECT COUNT(*) AS "count!: i64"
FROM provider_payments
WHERE (?1 IS NULL OR provider_id LIKE '%' || ?1 || '%' ESCAPE '\' OR customer_ref LIKE '%' || ?1 || '%' ESCAPE '\')
  AND (?2 IS NULL OR status = ?2)
  AND (?3 IS NULL OR currency = ?3)
  AND (?4 IS NULL OR amount_minor >= ?4)
  AND (?5 IS NULL OR amount_minor <= ?5)
