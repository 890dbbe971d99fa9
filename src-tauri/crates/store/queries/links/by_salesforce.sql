SELECT id, correlation_id, provider, provider_object, provider_id, salesforce_object, salesforce_id, created_at, updated_at
FROM links
WHERE salesforce_object = ?1 AND salesforce_id = ?2
ORDER BY id
