-- Salesforce now knows the item's state.
UPDATE payout_items SET reported_state = ?2 WHERE id = ?1
