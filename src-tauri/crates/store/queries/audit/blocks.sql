-- The whole log in seq order, as one row per block of ?1 consecutive seqs: a JSON array of
-- [seq, at, actor, action, subject, details, prev_hash, hash] arrays. Verification streams these
-- blocks rather than single rows, which would cost a thread hand-off per entry. Blocks run from
-- the lowest seq present to the highest, so every row is in exactly one block (each a primary-key
-- range scan); the recursive CTE yields them in FIFO (ascending) order, and verification checks
-- the order anyway.
WITH RECURSIVE blocks (lo) AS (
    SELECT COALESCE((SELECT MIN(seq) FROM audit_log), 1) - 1
    UNION ALL
    SELECT lo + ?1 FROM blocks WHERE lo + ?1 < (SELECT MAX(seq) FROM audit_log)
)
SELECT (
    SELECT json_group_array(
        json_array(seq, at, actor, action, subject, details, prev_hash, hash) ORDER BY seq
    )
    FROM audit_log
    WHERE seq > blocks.lo AND seq <= blocks.lo + ?1
) AS "entries!: String"
FROM blocks
