-- Expressions (not bare columns) because pragma table-valued functions have no column metadata.
SELECT
    (SELECT journal_mode || '' FROM pragma_journal_mode) AS "journal_mode!: String",
    (SELECT synchronous + 0 FROM pragma_synchronous) AS "synchronous!: i64",
    (SELECT foreign_keys + 0 FROM pragma_foreign_keys) AS "foreign_keys!: i64"
