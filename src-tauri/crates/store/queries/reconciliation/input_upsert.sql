-- Saves one movement as read (a new reading replaces the old).
INSERT INTO recon_inputs (side, source, id, day, currency, record, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (side, source, id) DO UPDATE SET
    day = excluded.day, currency = excluded.currency, record = excluded.record, fetched_at = excluded.fetched_at
