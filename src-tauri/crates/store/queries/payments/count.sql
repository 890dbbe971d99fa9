-- How many payments are stored for a provider.
SELECT COUNT(*) AS "count!: i64" FROM provider_payments WHERE provider = ?1
