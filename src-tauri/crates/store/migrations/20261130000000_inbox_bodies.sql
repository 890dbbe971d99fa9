-- An event's body is written once and never changes; its inbox row changes when the event is
-- processed. Kept apart, marking a batch of events processed rewrites a few pages of narrow rows
-- instead of logging every 2 KB body to the WAL (and checkpointing it) a second time: the WAL's
-- writes and checkpoints were the intake's largest cost.
--
-- The body has no json_valid CHECK: the store takes it only as JSON that serde has already
-- parsed (RawValue or Value), so SQLite would be parsing every body a second time to learn nothing.
CREATE TABLE inbox_bodies (
    inbox_id INTEGER PRIMARY KEY REFERENCES inbox (id),
    payload  TEXT    NOT NULL
) STRICT;

INSERT INTO inbox_bodies (inbox_id, payload) SELECT id, payload FROM inbox;

ALTER TABLE inbox DROP COLUMN payload;
