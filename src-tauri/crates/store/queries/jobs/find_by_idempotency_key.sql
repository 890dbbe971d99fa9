SELECT id FROM jobs WHERE idempotency_key = ?1
