-- Creates or updates a connection's metadata; success/error bookkeeping is left alone.
INSERT INTO connections (id, profile, provider, display_name, account_ref, keychain_ref, status, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
ON CONFLICT (id) DO UPDATE
SET profile = excluded.profile, provider = excluded.provider, display_name = excluded.display_name,
    account_ref = excluded.account_ref, keychain_ref = excluded.keychain_ref, status = excluded.status,
    updated_at = excluded.updated_at
