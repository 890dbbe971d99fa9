-- One decision on a batch (the triggers enforce four eyes and the content binding).
INSERT INTO payout_approvals (batch_id, actor, decision, content_hash, reason, at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
