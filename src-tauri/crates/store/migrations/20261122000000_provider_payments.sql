-- Money movements read from payment providers, one row per provider object, in the currency's
-- minor units (ISO 4217 exponent, already converted from the provider's own convention).
-- Written by the provider pull flows; read by the Overview's volume chart and by reconciliation.
CREATE TABLE provider_payments (
    provider     TEXT    NOT NULL,
    provider_id  TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    occurred_at  INTEGER NOT NULL,
    customer_ref TEXT,
    synced_at    INTEGER NOT NULL,
    PRIMARY KEY (provider, provider_id)
) STRICT;

CREATE INDEX provider_payments_by_time ON provider_payments (occurred_at, currency);
