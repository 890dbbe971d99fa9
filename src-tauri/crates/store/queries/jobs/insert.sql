INSERT INTO jobs (
    kind, payload, status, attempts, max_attempts, run_at, idempotency_key, concurrency_key, replay_safe,
    created_at, updated_at
)
VALUES (?1, ?2, 'pending', 0, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
RETURNING id AS "id!: i64"
