-- The body of a newly recorded event (insert.sql).
INSERT INTO inbox_bodies (inbox_id, payload) VALUES (?1, ?2)
