-- Inserts or refreshes one provider payment (status and amount can change, e.g. a capture).
INSERT INTO provider_payments
    (provider, provider_id, kind, status, amount_minor, currency, occurred_at, customer_ref, synced_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
ON CONFLICT (provider, provider_id) DO UPDATE SET
    kind = excluded.kind,
    status = excluded.status,
    amount_minor = excluded.amount_minor,
    currency = excluded.currency,
    occurred_at = excluded.occurred_at,
    customer_ref = excluded.customer_ref,
    synced_at = excluded.synced_at
