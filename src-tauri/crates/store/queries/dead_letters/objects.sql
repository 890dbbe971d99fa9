-- The objects that a status's (?1) dead letters are about, with how many each, for the Failures
-- screen's object filter; read from the object index.
SELECT object AS "object!: String", COUNT(*) AS "count!: i64"
FROM dead_letters
WHERE status = ?1 AND object IS NOT NULL
GROUP BY object
ORDER BY object
