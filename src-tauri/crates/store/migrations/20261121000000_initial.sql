-- Paysync store, schema version 1.
--
-- Conventions (ARCHITECTURE §3):
-- * Every time is INTEGER unix milliseconds, bound from the injected Clock; nothing here reads the wall clock.
-- * JSON documents are TEXT checked with json_valid.
-- * Tables are STRICT, so a wrong type is an error instead of a silent coercion.
-- * This file is append-only history: never edit it once merged; add a new migration instead.

-- ---------------------------------------------------------------------------------------------
-- Durable job queue.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL CHECK (length(kind) > 0),
    payload          TEXT    NOT NULL CHECK (json_valid(payload)),
    status           TEXT    NOT NULL
        CHECK (status IN ('pending', 'running', 'succeeded', 'dead', 'in_doubt', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    run_at           INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    idempotency_key  TEXT    NOT NULL UNIQUE CHECK (length(idempotency_key) > 0),
    concurrency_key  TEXT,
    -- 1: an expired lease may simply run the job again; 0: the job performs a side effect that is
    -- not safe to repeat, so an expired lease makes it in_doubt and it is never re-run blindly.
    replay_safe      INTEGER NOT NULL CHECK (replay_safe IN (0, 1)),
    -- How many times the job was replayed from the dead-letter queue; attempt rows carry it as `round`.
    replays          INTEGER NOT NULL DEFAULT 0 CHECK (replays >= 0),
    last_error       TEXT,
    last_error_class TEXT CHECK (last_error_class IN ('retriable', 'terminal', 'in_doubt')),
    last_error_code  TEXT,
    result           TEXT CHECK (result IS NULL OR json_valid(result)),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    -- A lease exists exactly while the job runs.
    CHECK ((status = 'running') = (lease_owner IS NOT NULL)),
    CHECK ((status = 'running') = (lease_expires_at IS NOT NULL))
) STRICT;

-- One live job per (kind, record): a second pending/running/in-doubt job for the same key is refused.
CREATE UNIQUE INDEX jobs_one_live_per_concurrency_key ON jobs (kind, concurrency_key)
    WHERE concurrency_key IS NOT NULL AND status IN ('pending', 'running', 'in_doubt');
-- Leasing: pending jobs that are due, oldest first.
CREATE INDEX jobs_status_run_at ON jobs (status, run_at, id);
-- Reclaiming: running jobs whose lease expired.
CREATE INDEX jobs_running_lease ON jobs (lease_expires_at) WHERE status = 'running';

-- One row per attempt. `round` is the job's `replays` when the attempt started, so attempt numbers
-- restart at 1 after a DLQ replay without losing the earlier rounds. A gracefully released attempt
-- does not count, so its number is reused by the next attempt.
CREATE TABLE job_attempts (
    id            INTEGER PRIMARY KEY,
    job_id        INTEGER NOT NULL REFERENCES jobs (id),
    round         INTEGER NOT NULL DEFAULT 0 CHECK (round >= 0),
    attempt_no    INTEGER NOT NULL CHECK (attempt_no >= 1),
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    outcome       TEXT    NOT NULL
        CHECK (outcome IN ('running', 'succeeded', 'retry', 'dead', 'in_doubt', 'lease_expired', 'released')),
    error_class   TEXT CHECK (error_class IN ('retriable', 'terminal', 'in_doubt')),
    error_code    TEXT,
    error_message TEXT,
    retry_at      INTEGER,
    CHECK ((outcome = 'running') = (finished_at IS NULL))
) STRICT;

CREATE UNIQUE INDEX job_attempts_number ON job_attempts (job_id, round, attempt_no)
    WHERE outcome <> 'released';
CREATE UNIQUE INDEX job_attempts_one_running ON job_attempts (job_id) WHERE outcome = 'running';

-- ---------------------------------------------------------------------------------------------
-- Dead-letter queue: a failed job with its full payload and every attempt. Never deleted.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE dead_letters (
    id                INTEGER PRIMARY KEY,
    job_id            INTEGER NOT NULL REFERENCES jobs (id),
    kind              TEXT    NOT NULL,
    payload           TEXT    NOT NULL CHECK (json_valid(payload)),
    idempotency_key   TEXT    NOT NULL,
    error_class       TEXT    NOT NULL CHECK (error_class IN ('retriable', 'terminal', 'in_doubt')),
    error_code        TEXT    NOT NULL,
    error_message     TEXT    NOT NULL,
    attempts          TEXT    NOT NULL CHECK (json_valid(attempts)),
    job_created_at    INTEGER NOT NULL,
    first_failed_at   INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    status            TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded')),
    resolution_reason TEXT,
    resolved_by       TEXT,
    resolved_at       INTEGER,
    CHECK ((status = 'open') = (resolved_at IS NULL)),
    CHECK ((status = 'open') = (resolved_by IS NULL))
) STRICT;

CREATE UNIQUE INDEX dead_letters_one_open_per_job ON dead_letters (job_id) WHERE status = 'open';
CREATE INDEX dead_letters_status_created ON dead_letters (status, created_at);

CREATE TRIGGER dead_letters_never_deleted BEFORE DELETE ON dead_letters
BEGIN
    SELECT RAISE(ABORT, 'dead letters are never deleted');
END;

-- What failed is evidence: only the resolution columns of a dead letter may change.
CREATE TRIGGER dead_letters_evidence_immutable
BEFORE UPDATE OF id, job_id, kind, payload, idempotency_key, error_class, error_code, error_message,
    attempts, job_created_at, first_failed_at, created_at ON dead_letters
BEGIN
    SELECT RAISE(ABORT, 'a dead letter''s evidence is immutable');
END;

-- ---------------------------------------------------------------------------------------------
-- Inbox: every inbound event once, keyed by (source, event id).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY,
    source       TEXT    NOT NULL CHECK (length(source) > 0),
    event_id     TEXT    NOT NULL CHECK (length(event_id) > 0),
    event_type   TEXT    NOT NULL,
    payload      TEXT    NOT NULL CHECK (json_valid(payload)),
    job_id       INTEGER REFERENCES jobs (id),
    received_at  INTEGER NOT NULL,
    processed_at INTEGER,
    UNIQUE (source, event_id)
) STRICT;

CREATE INDEX inbox_unprocessed ON inbox (received_at, id) WHERE processed_at IS NULL;

-- ---------------------------------------------------------------------------------------------
-- Cross-system links between a provider object and its Salesforce record.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE links (
    id                INTEGER PRIMARY KEY,
    correlation_id    TEXT    NOT NULL UNIQUE CHECK (length(correlation_id) > 0),
    provider          TEXT    NOT NULL,
    provider_object   TEXT    NOT NULL,
    provider_id       TEXT    NOT NULL,
    salesforce_object TEXT    NOT NULL,
    salesforce_id     TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (provider, provider_object, provider_id)
) STRICT;

CREATE INDEX links_salesforce ON links (salesforce_object, salesforce_id);

-- ---------------------------------------------------------------------------------------------
-- Poll cursors per (flow, source).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE sync_cursors (
    flow       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    cursor     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (flow, source)
) STRICT;

-- ---------------------------------------------------------------------------------------------
-- Sync runs. At most one live (unfinished) run per flow, even across processes.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE runs (
    id               INTEGER PRIMARY KEY,
    flow             TEXT    NOT NULL CHECK (length(flow) > 0),
    trigger          TEXT    NOT NULL CHECK (trigger IN ('schedule', 'manual', 'startup')),
    owner            TEXT    NOT NULL,
    lease_expires_at INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    outcome          TEXT CHECK (outcome IN ('succeeded', 'failed', 'partial', 'abandoned')),
    counts           TEXT    NOT NULL CHECK (json_valid(counts)),
    error            TEXT,
    CHECK ((finished_at IS NULL) = (outcome IS NULL))
) STRICT;

CREATE UNIQUE INDEX runs_one_live_per_flow ON runs (flow) WHERE finished_at IS NULL;
CREATE INDEX runs_flow_id ON runs (flow, id);

-- ---------------------------------------------------------------------------------------------
-- Connections: metadata only. Secrets live in the OS keychain; `keychain_ref` names the entry.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE connections (
    id              TEXT    PRIMARY KEY CHECK (length(id) > 0),
    profile         TEXT    NOT NULL,
    provider        TEXT    NOT NULL,
    display_name    TEXT    NOT NULL,
    account_ref     TEXT,
    keychain_ref    TEXT,
    status          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_success_at INTEGER,
    last_error      TEXT,
    UNIQUE (profile, provider)
) STRICT;

-- ---------------------------------------------------------------------------------------------
-- Settings: small key/value pairs (also holds the audit-log head anchor, `audit.head`).
-- ---------------------------------------------------------------------------------------------
CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- ---------------------------------------------------------------------------------------------
-- Tamper-evident audit log: contiguous seq, HMAC-chained, append-only in the database itself.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    details   TEXT    NOT NULL CHECK (json_valid(details)),
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
