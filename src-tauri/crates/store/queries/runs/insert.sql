INSERT INTO runs (flow, trigger, owner, lease_expires_at, started_at, counts)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
RETURNING id AS "id!: i64"
