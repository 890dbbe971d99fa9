//! `paysync init`: creates the data directory, the configuration file and the database.

use serde_json::json;

use super::Context;
use paysync_app::config;

use crate::output;

/// Runs `paysync init`. Safe to run again: existing files are kept.
pub async fn run(ctx: &Context) -> anyhow::Result<()> {
    std::fs::create_dir_all(&ctx.data_dir)?;
    let config_created = if ctx.config_path.exists() {
        false
    } else {
        if let Some(parent) = ctx.config_path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&ctx.config_path, config::EXAMPLE)?;
        true
    };
    let engine = ctx.engine().await?;
    let database = engine.data_dir().join(paysync_engine::engine::DATABASE_FILE);
    if ctx.json {
        return output::json(&json!({
            "data_dir": ctx.data_dir,
            "config": ctx.config_path,
            "config_created": config_created,
            "database": database,
        }));
    }
    output::line(format!("Data directory: {}", ctx.data_dir.display()))?;
    output::line(format!(
        "Configuration:  {}{}",
        ctx.config_path.display(),
        if config_created { " (created)" } else { " (kept)" }
    ))?;
    output::line(format!("Database:       {}", database.display()))?;
    output::line("Next: `paysync status`, or `paysync daemon` to start syncing.")
}
