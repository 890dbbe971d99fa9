SELECT id, profile, provider, display_name, account_ref, keychain_ref, status, created_at, updated_at, last_success_at,
    last_error
FROM connections
WHERE id = ?1
