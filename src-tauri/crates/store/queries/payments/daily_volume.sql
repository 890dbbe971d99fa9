-- Succeeded payment volume per UTC day and currency since ?1 (unix ms), oldest first.
SELECT
    strftime('%Y-%m-%d', occurred_at / 1000, 'unixepoch') AS "day!: String",
    currency,
    SUM(amount_minor) AS "amount_minor!: i64",
    COUNT(*) AS "count!: i64"
FROM provider_payments
WHERE occurred_at >= ?1 AND status = 'succeeded'
GROUP BY 1, currency
ORDER BY 1, currency
