-- A new payout item for a payment request, not yet checked.
INSERT INTO payout_items
    (request_id, request_name, maker, contact_id, payee_name, payee_id, email, country, amount_minor,
     currency, description, state, source_modstamp, created_at, updated_at, blocked)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'new', ?12, ?13, ?13, ?14)
RETURNING id AS "id!: i64"
