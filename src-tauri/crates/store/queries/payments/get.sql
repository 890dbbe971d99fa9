-- One provider payment.
SELECT provider, provider_id, kind, status, amount_minor, currency, occurred_at, customer_ref, synced_at
FROM provider_payments
WHERE provider = ?1 AND provider_id = ?2
