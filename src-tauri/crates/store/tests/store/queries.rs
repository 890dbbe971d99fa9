//! Every SQL file is used: an orphaned query is never compiled, so it rots unnoticed.

use std::path::{Path, PathBuf};

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

#[test]
fn every_query_file_is_referenced_from_src() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    files_under(&root.join("src"), "rs", &mut sources);
    let code: String = sources
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read source"))
        .collect();

    let mut queries = Vec::new();
    files_under(&root.join("queries"), "sql", &mut queries);
    assert!(queries.len() > 40, "found the query files: {queries:?}");

    let orphans: Vec<String> = queries
        .iter()
        .map(|p| {
            p.strip_prefix(root)
                .expect("under the crate")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|rel| !code.contains(&format!("\"{rel}\"")))
        .collect();
    assert!(
        orphans.is_empty(),
        "query files not used by any query_file! macro: {orphans:?}"
    );
}

#[test]
fn migrations_are_named_by_timestamp() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut migrations = Vec::new();
    files_under(&dir, "sql", &mut migrations);
    assert!(!migrations.is_empty());
    for m in migrations {
        let name = m.file_name().expect("name").to_string_lossy().into_owned();
        let (stamp, rest) = name
            .split_once('_')
            .unwrap_or_else(|| panic!("{name}: YYYYMMDDHHMMSS_name.sql"));
        assert!(
            stamp.len() == 14 && stamp.bytes().all(|b| b.is_ascii_digit()),
            "{name}"
        );
        assert!(rest.ends_with(".sql") && rest.len() > 4, "{name}");
    }
}

/// sqlx infers nullability from SQLite's query plan, and can get it wrong (e.g. through
/// `UPDATE … RETURNING`); a nullable column read as non-null silently decodes NULL as `""`/0.
/// So every column of the committed offline data whose origin is a nullable table column must be
/// inferred nullable, or carry an explicit override (`"col?"`, or `"col!"` where the query itself
/// guarantees a value).
#[tokio::test]
async fn offline_data_never_reads_a_nullable_column_as_non_null() {
    use std::collections::HashSet;

    let fs = crate::common::file_store().await;
    let mut conn = crate::common::raw(&fs.path).await;
    let nullable: HashSet<(String, String)> = sqlx::query_as::<_, (String, String)>(
        "SELECT m.name, p.name FROM sqlite_schema AS m JOIN pragma_table_info(m.name) AS p \
         WHERE m.type = 'table' AND p.\"notnull\" = 0 AND p.pk = 0",
    )
    .fetch_all(&mut conn)
    .await
    .expect("schema")
    .into_iter()
    .collect();
    assert!(nullable.contains(&("jobs".to_owned(), "concurrency_key".to_owned())));

    let offline = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../.sqlx");
    let mut files = Vec::new();
    files_under(&offline, "json", &mut files);
    assert!(!files.is_empty(), "no offline data in {}", offline.display());
    let mut wrong = Vec::new();
    for file in files {
        let data: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
        let describe = &data["describe"];
        let columns = describe["columns"].as_array().cloned().unwrap_or_default();
        for (i, column) in columns.iter().enumerate() {
            let name = column["name"].as_str().unwrap_or_default();
            let origin = &column["origin"]["Table"];
            let (Some(table), Some(col)) = (origin["table"].as_str(), origin["name"].as_str()) else {
                continue;
            };
            let overridden = name.contains('?') || name.contains('!');
            let inferred_nullable = describe["nullable"][i].as_bool() != Some(false);
            if nullable.contains(&(table.to_owned(), col.to_owned())) && !inferred_nullable && !overridden {
                wrong.push(format!(
                    "{table}.{col} in: {}",
                    data["query"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "nullable columns inferred as NOT NULL: {wrong:#?}"
    );
}
