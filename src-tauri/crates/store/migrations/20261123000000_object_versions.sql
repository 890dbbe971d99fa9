-- The newest provider state applied to Salesforce, per provider object. An event that arrives late
-- or twice is compared against it and never moves a record backwards (ARCHITECTURE §2,
-- "Normalize"); a deletion is kept as a tombstone so nothing resurrects the object.
CREATE TABLE object_versions (
    source      TEXT    NOT NULL CHECK (length(source) > 0),
    object_type TEXT    NOT NULL CHECK (length(object_type) > 0),
    object_id   TEXT    NOT NULL CHECK (length(object_id) > 0),
    -- The provider's time of the applied state (Stripe: the event's `created`, Unix seconds).
    version     INTEGER NOT NULL,
    -- The event whose state was applied.
    event_id    TEXT    NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    -- The Salesforce record written, when one was.
    target_id   TEXT,
    applied_at  INTEGER NOT NULL,
    PRIMARY KEY (source, object_type, object_id)
) STRICT;

-- The apply step reads one source's unprocessed events in arrival order.
CREATE INDEX inbox_unprocessed_by_source ON inbox (source, id) WHERE processed_at IS NULL;
