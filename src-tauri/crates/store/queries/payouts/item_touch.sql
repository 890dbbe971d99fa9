-- An item was looked at (e.g. its status polled) without changing: it goes to the back of the line.
UPDATE payout_items SET payout_id = COALESCE(?2, payout_id), updated_at = ?3 WHERE id = ?1
