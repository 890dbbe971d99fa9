-- Items whose final state (or rejection) Salesforce has not been told yet.
SELECT id, request_id, request_name, maker, contact_id, payee_name, payee_id, email, country, blocked AS "blocked: bool", amount_minor, currency, description, state, reason, batch_id, client_reference_id, payout_id, fee_minor, target_amount, target_currency, reported_state, source_modstamp, created_at, updated_at
FROM payout_items
WHERE state IN ('paid', 'failed', 'cancelled', 'rejected') AND (reported_state IS NULL OR reported_state <> state)
ORDER BY updated_at, id
LIMIT ?1
