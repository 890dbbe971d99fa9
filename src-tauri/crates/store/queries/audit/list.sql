SELECT seq, at, actor, action, subject, details, prev_hash, hash
FROM audit_log
ORDER BY seq DESC
LIMIT ?1 OFFSET ?2
