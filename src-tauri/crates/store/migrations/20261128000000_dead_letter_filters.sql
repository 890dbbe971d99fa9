-- The Failures screen filters by the object a failure is about (a Stripe customer or charge, a
-- Salesforce Account, Opportunity or payment request), by provider (a set of job kinds) and by age.
-- The object is read from the evidence itself, which never changes, so it is a generated column:
-- nothing to backfill, nothing to keep in step.
ALTER TABLE dead_letters ADD COLUMN object TEXT GENERATED ALWAYS AS (
    COALESCE(
        -- A Stripe event: its object's type (customer, charge, refund, dispute, invoice, …).
        json_extract(payload, '$.event.data.object.object'),
        -- A payout request: the Salesforce object it came from.
        json_extract(payload, '$.object'),
        CASE
            WHEN json_type(payload, '$.account') IS NOT NULL THEN 'Account'
            WHEN json_type(payload, '$.opportunity') IS NOT NULL THEN 'Opportunity'
            -- A payout's write-back: its Payment_Transaction__c and its request's status.
            WHEN json_type(payload, '$.request_id') IS NOT NULL THEN 'Payment_Transaction__c'
        END
    )
) VIRTUAL;

-- One object's failures of a status, newest first, and the objects present (the filter's choices).
CREATE INDEX dead_letters_object ON dead_letters (status, object, created_at, id);
