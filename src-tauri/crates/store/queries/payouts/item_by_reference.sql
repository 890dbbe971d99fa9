-- One payout item by the client_reference_id it was (or will be) sent with.
SELECT id, request_id, request_name, maker, contact_id, payee_name, payee_id, email, country, blocked AS "blocked: bool", amount_minor, currency, description, state, reason, batch_id, client_reference_id, payout_id, fee_minor, target_amount, target_currency, reported_state, source_modstamp, created_at, updated_at
FROM payout_items WHERE client_reference_id = ?1
