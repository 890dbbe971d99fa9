-- How many items are in each state, with their amounts, per currency.
SELECT state, currency, COUNT(*) AS "count!: i64", SUM(amount_minor) AS "amount_minor!: i64"
FROM payout_items GROUP BY state, currency ORDER BY state, currency
