SELECT id, correlation_id, provider, provider_object, provider_id, salesforce_object, salesforce_id, created_at, updated_at
FROM links
WHERE provider = ?1 AND provider_object = ?2 AND provider_id = ?3
