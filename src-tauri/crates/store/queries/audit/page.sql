-- One page of the audit log, filtered and sorted for the console. ?4 = 1 sorts descending;
-- ?5 names the sort column (seq, actor, action, subject). Ties fall back to newest first.
SELECT seq, at, actor, action, subject, details, prev_hash, hash
FROM audit_log
WHERE (?1 IS NULL OR actor = ?1)
  AND (?2 IS NULL OR action LIKE ?2 || '%' ESCAPE '\')
  AND (?3 IS NULL OR subject LIKE '%' || ?3 || '%' ESCAPE '\')
ORDER BY
  CASE WHEN ?4 = 0 THEN
    CASE ?5 WHEN 'actor' THEN actor WHEN 'action' THEN action WHEN 'subject' THEN subject ELSE seq END
  END ASC,
  CASE WHEN ?4 = 1 THEN
    CASE ?5 WHEN 'actor' THEN actor WHEN 'action' THEN action WHEN 'subject' THEN subject ELSE seq END
  END DESC,
  seq DESC
LIMIT ?6 OFFSET ?7
