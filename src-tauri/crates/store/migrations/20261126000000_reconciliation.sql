-- Reconciliation: the money movements read from each side, kept locally so a re-run is fast and
-- works offline; each run's results, and what people decided about them.

-- One movement as read from a provider or from Salesforce, in the matching engine's form
-- (`record` is its JSON). Read again = replaced: the newest reading is the one reconciled.
CREATE TABLE recon_inputs (
    side       TEXT    NOT NULL CHECK (side IN ('provider', 'salesforce')),
    source     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    -- The movement's date (YYYY-MM-DD), which decides the periods it belongs to.
    day        TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    record     TEXT    NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (side, source, id)
) STRICT;

CREATE INDEX recon_inputs_day ON recon_inputs (side, day);

CREATE TABLE recon_runs (
    id          INTEGER PRIMARY KEY,
    -- The period reconciled, inclusive (YYYY-MM-DD).
    period_from TEXT    NOT NULL,
    period_to   TEXT    NOT NULL,
    started_by  TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    -- Totals per currency, counts per category and kind, tie-outs: the run's summary (JSON).
    summary     TEXT,
    CHECK (period_from <= period_to)
) STRICT;

CREATE TABLE recon_results (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES recon_runs (id),
    category       TEXT    NOT NULL CHECK (category IN ('matched', 'suggested', 'exception')),
    -- The exception's kind (missing_in_salesforce, amount_mismatch, …) or the match's strategy.
    kind           TEXT    NOT NULL,
    currency       TEXT    NOT NULL,
    provider_ids   TEXT    NOT NULL,
    salesforce_ids TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    -- Gross, fee, FX difference and net (JSON), for matches and suggestions.
    breakdown      TEXT,
    -- A person's decision: a suggestion accepted or rejected, an exception explained or fixed.
    resolution     TEXT CHECK (resolution IN ('accepted', 'rejected', 'explained', 'fixed')),
    resolved_by    TEXT,
    resolved_at    INTEGER,
    note           TEXT,
    CHECK ((resolution IS NULL) = (resolved_by IS NULL)),
    CHECK (resolution IS NULL OR category <> 'matched'),
    CHECK (resolution NOT IN ('accepted', 'rejected') OR category = 'suggested'),
    CHECK (resolution NOT IN ('explained', 'fixed') OR category = 'exception'),
    CHECK (resolution <> 'explained' OR length(trim(coalesce(note, ''))) > 0)
) STRICT;

CREATE INDEX recon_results_run ON recon_results (run_id, category, kind);

-- A decision is made once; changing it means a new run.
CREATE TRIGGER recon_results_decided_once
BEFORE UPDATE OF resolution ON recon_results
WHEN OLD.resolution IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a reconciliation result is decided once');
END;
