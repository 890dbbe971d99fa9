//! Log setup: to stderr for one-shot commands; the daemon also writes daily-rotated files in the
//! data directory. Log lines carry ids and codes, never payload secrets (see `Secret<T>`).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;

use crate::config::{LogFormat, LogSection};

/// Logging could not be started; the message says why.
#[derive(Debug, thiserror::Error)]
#[error("could not start logging: {0}")]
pub struct LogError(String);

/// Starts logging. Keep the returned guard alive until exit so buffered lines are flushed.
pub fn init(cfg: &LogSection, file_dir: Option<&Path>) -> Result<Option<WorkerGuard>, LogError> {
    let filter = EnvFilter::try_from_env("PAYSYNC_LOG")
        .or_else(|_| EnvFilter::try_new(&cfg.level))
        .map_err(|e| LogError(format!("log level {:?}: {e}", cfg.level)))?;
    let (file, guard) = match file_dir {
        Some(dir) => {
            // The appender prunes old files at start and complains when the directory is missing.
            std::fs::create_dir_all(dir)
                .map_err(|e| LogError(format!("log directory {}: {e}", dir.display())))?;
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("paysync")
                .filename_suffix("log")
                .max_log_files(14)
                .build(dir)
                .map_err(|e| LogError(format!("log directory {}: {e}", dir.display())))?;
            let (writer, guard) = tracing_appender::non_blocking(appender);
            (Some(writer), Some(guard))
        }
        None => (None, None),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    let result = match (cfg.format, file) {
        (LogFormat::Text, Some(f)) => builder
            .with_writer(std::io::stderr.and(f))
            .with_ansi(false)
            .try_init(),
        (LogFormat::Text, None) => builder.with_writer(std::io::stderr).try_init(),
        (LogFormat::Json, Some(f)) => builder.json().with_writer(std::io::stderr.and(f)).try_init(),
        (LogFormat::Json, None) => builder.json().with_writer(std::io::stderr).try_init(),
    };
    result.map_err(|e| LogError(e.to_string()))?;
    Ok(guard)
}
