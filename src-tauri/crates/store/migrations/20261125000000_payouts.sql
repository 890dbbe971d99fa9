-- Payouts (ARCHITECTURE §3 invariants 2, 3, 6 and §4): Salesforce payment requests become payout
-- items, items are grouped into batches, a batch is approved by people other than the ones who
-- asked for the money (four eyes), and only then is it sent. The rules that keep money safe are
-- enforced here as well as in the engine, so no code path (or hand-edited row) can skip them.

CREATE TABLE payout_batches (
    id               TEXT    PRIMARY KEY,
    program_id       TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN
                         ('draft', 'approved', 'submitting', 'held', 'submitted', 'completed', 'rejected')),
    created_by       TEXT    NOT NULL,
    -- SHA-256 (hex) of exactly what will be sent; 'stale' after an item changed, until re-hashed.
    content_hash     TEXT    NOT NULL,
    total_minor      INTEGER NOT NULL CHECK (total_minor >= 0),
    item_count       INTEGER NOT NULL CHECK (item_count >= 0),
    approvals_needed INTEGER NOT NULL CHECK (approvals_needed IN (1, 2)),
    held_reason      TEXT,
    rejected_reason  TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    submitted_at     INTEGER
) STRICT;

CREATE INDEX payout_batches_status ON payout_batches (status, created_at);

CREATE TABLE payout_items (
    id                  INTEGER PRIMARY KEY,
    request_id          TEXT    NOT NULL UNIQUE,
    request_name        TEXT,
    -- The Salesforce user who approved the request for payout: the maker.
    maker               TEXT    NOT NULL,
    contact_id          TEXT,
    payee_name          TEXT,
    payee_id            TEXT,
    email               TEXT,
    country             TEXT,
    -- The Contact's Payout_Blocked__c: never paid while set.
    blocked             INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    amount_minor        INTEGER NOT NULL CHECK (amount_minor > 0),
    currency            TEXT    NOT NULL,
    description         TEXT,
    state               TEXT    NOT NULL CHECK (state IN
                            ('new', 'ready', 'needs_correction', 'batched', 'submitting', 'in_doubt', 'submitted',
                             'paid', 'failed', 'cancelled', 'rejected')),
    reason              TEXT,
    batch_id            TEXT REFERENCES payout_batches (id),
    client_reference_id TEXT UNIQUE,
    payout_id           TEXT,
    fee_minor           INTEGER,
    target_amount       TEXT,
    target_currency     TEXT,
    -- The state last written back to Salesforce.
    reported_state      TEXT,
    source_modstamp     INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    CHECK ((state IN ('new', 'ready', 'needs_correction')) = (batch_id IS NULL) OR state = 'rejected'),
    CHECK (state NOT IN ('submitting', 'in_doubt', 'submitted', 'paid', 'failed', 'cancelled')
           OR client_reference_id IS NOT NULL)
) STRICT;

CREATE INDEX payout_items_state ON payout_items (state, updated_at);
CREATE INDEX payout_items_batch ON payout_items (batch_id);

CREATE TABLE payout_approvals (
    id           INTEGER PRIMARY KEY,
    batch_id     TEXT    NOT NULL REFERENCES payout_batches (id),
    actor        TEXT    NOT NULL CHECK (actor <> ''),
    decision     TEXT    NOT NULL CHECK (decision IN ('approve', 'reject')),
    content_hash TEXT    NOT NULL,
    reason       TEXT,
    at           INTEGER NOT NULL,
    CHECK (decision = 'approve' OR (reason IS NOT NULL AND reason <> '')),
    UNIQUE (batch_id, actor, content_hash, decision)
) STRICT;

-- Decisions are evidence.
CREATE TRIGGER payout_approvals_immutable BEFORE UPDATE ON payout_approvals
BEGIN
    SELECT RAISE(ABORT, 'payout approvals are immutable');
END;
CREATE TRIGGER payout_approvals_never_deleted BEFORE DELETE ON payout_approvals
BEGIN
    SELECT RAISE(ABORT, 'payout approvals are never deleted');
END;

-- Four eyes: neither whoever drafted the batch nor whoever asked for any of its payments may
-- approve it; an approval is bound to the batch's current content and only a draft is approved.
CREATE TRIGGER payout_approvals_four_eyes BEFORE INSERT ON payout_approvals
WHEN NEW.decision = 'approve'
BEGIN
    SELECT RAISE(ABORT, 'four eyes: the batch''s creator cannot approve it')
    WHERE EXISTS (SELECT 1 FROM payout_batches b WHERE b.id = NEW.batch_id AND b.created_by = NEW.actor);
    SELECT RAISE(ABORT, 'four eyes: a maker of one of the batch''s payment requests cannot approve it')
    WHERE EXISTS (SELECT 1 FROM payout_items i WHERE i.batch_id = NEW.batch_id AND i.maker = NEW.actor);
    SELECT RAISE(ABORT, 'the approval is not bound to the batch''s current content')
    WHERE NOT EXISTS (
        SELECT 1 FROM payout_batches b
        WHERE b.id = NEW.batch_id AND b.content_hash = NEW.content_hash AND b.content_hash <> 'stale'
          AND b.status = 'draft'
    );
END;

-- A batch leaves draft for approval (and anything after it) only with enough distinct approvals
-- bound to its current content.
CREATE TRIGGER payout_batches_need_approvals BEFORE UPDATE OF status ON payout_batches
WHEN OLD.status = 'draft' AND NEW.status NOT IN ('draft', 'rejected')
BEGIN
    SELECT RAISE(ABORT, 'four eyes: the batch lacks approvals bound to its content')
    WHERE (SELECT COUNT(DISTINCT a.actor) FROM payout_approvals a
           WHERE a.batch_id = NEW.id AND a.decision = 'approve' AND a.content_hash = NEW.content_hash
             AND NEW.content_hash <> 'stale') < NEW.approvals_needed;
END;

-- Once approved, what a batch sends cannot change.
CREATE TRIGGER payout_batches_content_frozen BEFORE UPDATE OF content_hash, total_minor, item_count,
    currency, program_id, approvals_needed, created_by ON payout_batches
WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'an approved batch''s content cannot change');
END;

CREATE TRIGGER payout_items_frozen_in_approved_batch BEFORE UPDATE OF amount_minor, currency, payee_id,
    batch_id, request_id, maker ON payout_items
WHEN OLD.batch_id IS NOT NULL
 AND (SELECT status FROM payout_batches WHERE id = OLD.batch_id) NOT IN ('draft', 'rejected')
BEGIN
    SELECT RAISE(ABORT, 'an item of an approved batch cannot change');
END;

-- Any change to an item of a draft batch voids the batch's approvals (they are bound to the old
-- content) until the engine hashes the new content.
CREATE TRIGGER payout_items_change_voids_approval AFTER UPDATE OF amount_minor, currency, payee_id,
    batch_id, maker ON payout_items
WHEN OLD.batch_id IS NOT NULL
 AND (SELECT status FROM payout_batches WHERE id = OLD.batch_id) = 'draft'
BEGIN
    UPDATE payout_batches SET content_hash = 'stale' WHERE id = OLD.batch_id;
END;

-- Nothing is sent without an approved batch.
CREATE TRIGGER payout_items_sent_only_when_approved BEFORE UPDATE OF state ON payout_items
WHEN NEW.state = 'submitting'
 AND (NEW.batch_id IS NULL
      OR (SELECT status FROM payout_batches WHERE id = NEW.batch_id) NOT IN ('approved', 'submitting', 'held'))
BEGIN
    SELECT RAISE(ABORT, 'four eyes: an item is sent only from an approved batch');
END;
