INSERT INTO dead_letters (
    job_id, kind, payload, idempotency_key, error_class, error_code, error_message, attempts, job_created_at,
    first_failed_at, created_at, updated_at, status
)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, 'open')
RETURNING id AS "id!: i64"
