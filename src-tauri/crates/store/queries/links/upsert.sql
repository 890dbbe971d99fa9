-- Creates the link of a provider object, or updates its Salesforce side. The correlation id of an
-- existing link never changes, and a known Salesforce id is never erased by a NULL.
INSERT INTO links (
    correlation_id, provider, provider_object, provider_id, salesforce_object, salesforce_id, created_at, updated_at
)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
ON CONFLICT (provider, provider_object, provider_id) DO UPDATE
SET salesforce_object = excluded.salesforce_object,
    salesforce_id = COALESCE(excluded.salesforce_id, links.salesforce_id),
    updated_at = excluded.updated_at
RETURNING
    id AS "id!: i64", correlation_id AS "correlation_id!: String", provider AS "provider!: String",
    provider_object AS "provider_object!: String", provider_id AS "provider_id!: String",
    salesforce_object AS "salesforce_object!: String", salesforce_id AS "salesforce_id?: String",
    created_at AS "created_at!: i64", updated_at AS "updated_at!: i64"
