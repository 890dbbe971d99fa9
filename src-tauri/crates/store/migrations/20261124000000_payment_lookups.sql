-- The Payments view: a payment's timeline gathers the inbox events about it (its own, and its
-- refunds' and disputes', which name it as `charge`) without reading every event.
CREATE INDEX inbox_by_object ON inbox (source, json_extract(payload, '$.data.object.id'));
CREATE INDEX inbox_by_charge ON inbox (source, json_extract(payload, '$.data.object.charge'));
CREATE INDEX provider_payments_by_customer ON provider_payments (customer_ref);
