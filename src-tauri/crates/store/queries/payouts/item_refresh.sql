-- A payment request changed in Salesforce before its item was sent: take the new values and check
-- it again (leaving a draft batch, whose approvals the change voids).
UPDATE payout_items SET
    request_name = ?2, maker = ?3, contact_id = ?4, payee_name = ?5, payee_id = ?6, email = ?7,
    country = ?8, blocked = ?14, amount_minor = ?9, currency = ?10, description = ?11, source_modstamp = ?12,
    state = 'new', reason = NULL, batch_id = NULL, updated_at = ?13
WHERE id = ?1
