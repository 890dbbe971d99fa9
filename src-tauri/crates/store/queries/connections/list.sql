-- One profile's connections (?1), or every profile's when ?1 is NULL.
SELECT id, profile, provider, display_name, account_ref, keychain_ref, status, created_at, updated_at, last_success_at,
    last_error
FROM connections
WHERE ?1 IS NULL OR profile = ?1
ORDER BY profile, provider, id
