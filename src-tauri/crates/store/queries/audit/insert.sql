-- Inserts a batch of entries (?1: a JSON array of [seq, actor, action, subject, details, prev_hash, hash]),
-- all appended at ?2. One statement per batch keeps seeding a large log fast.
INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)
SELECT e.value ->> 0, ?2, e.value ->> 1, e.value ->> 2, e.value ->> 3, e.value ->> 4, e.value ->> 5, e.value ->> 6
FROM json_each(?1) AS e
ORDER BY e.key
