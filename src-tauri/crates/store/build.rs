//! Rebuilds the crate when a migration changes, so `sqlx::migrate!` re-embeds the directory.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
