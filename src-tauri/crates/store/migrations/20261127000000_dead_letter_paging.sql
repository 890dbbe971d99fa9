-- The Failures screen pages and groups a dead-letter queue that may hold 100,000 items: each of
-- its queries walks an index instead of the table (`paysync bench dlq` times them).

-- A status's failures newest first, at any depth; its count and oldest (the navigation badge).
CREATE INDEX dead_letters_status_order ON dead_letters (status, created_at, id);
-- A root cause's failures (status, kind, error code) newest first; the groups and their counts.
CREATE INDEX dead_letters_cause ON dead_letters (status, kind, error_code, created_at, id);
-- Every status at once, newest first.
CREATE INDEX dead_letters_order ON dead_letters (created_at, id);

-- Covered by dead_letters_status_order.
DROP INDEX dead_letters_status_created;

-- A job's attempts (its dead letter's evidence, the item view): the unique indexes on
-- job_attempts are partial, so without this one every read scanned every attempt ever made,
-- and parking the n-th failure cost O(n).
CREATE INDEX job_attempts_job ON job_attempts (job_id, id);
