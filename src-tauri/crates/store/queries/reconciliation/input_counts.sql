-- How many movements each side and source holds.
SELECT side AS "side!", source AS "source!", COUNT(*) AS "count!: i64", MIN(day) AS "first_day?: String",
       MAX(day) AS "last_day?: String"
FROM recon_inputs GROUP BY side, source ORDER BY side, source
