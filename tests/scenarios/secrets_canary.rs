//! Canary secrets pushed through failing jobs must never reach the logs or the database files.

use std::io::Write;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use paysync_core::{ManualClock, Secret, SeededRandom};
use paysync_engine::backoff::RetryPolicy;
use paysync_engine::classify::RetrySafety;
use paysync_engine::{Engine, EngineOptions, JobContext, JobError, JobHandler};
use paysync_store::{Job, NewJob};
use serde::Serialize;

const CANARY: &str = "sk_test_CANARY_51Hx9zQ2eZvKYlo2C0ffee";

/// A handler that holds a credential and fails while mentioning it, the way a careless connector might.
struct LeakyProvider {
    api_key: Secret<String>,
}

#[async_trait]
impl JobHandler for LeakyProvider {
    fn kind(&self) -> &str {
        "canary.call"
    }

    fn retry_safety(&self) -> RetrySafety {
        RetrySafety::ReplaySafe
    }

    async fn run(&self, ctx: &JobContext, job: &Job) -> Result<Option<serde_json::Value>, JobError> {
        tracing::warn!(api_key = ?self.api_key, job = ?job, "Calling the provider.");
        if ctx.attempt == 1 {
            return Err(JobError::retriable(
                "http_503",
                format!("503 while using key {}", self.api_key),
                None,
            ));
        }
        Err(JobError::terminal(
            "http_401",
            format!("provider refused key {:?}", self.api_key),
        ))
    }
}

#[derive(Serialize)]
struct Payload {
    customer: &'static str,
    api_key: Secret<String>,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn canary_secrets_never_reach_logs_or_database() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(async {
        let clock = ManualClock::at_fixed_origin();
        let mut options = EngineOptions::new(tmp.path().to_path_buf());
        options.runner.retry = RetryPolicy {
            base: std::time::Duration::from_millis(10),
            cap: std::time::Duration::from_millis(10),
        };
        let handler: Arc<dyn JobHandler> = Arc::new(LeakyProvider {
            api_key: Secret::new(CANARY.to_owned()),
        });
        let engine = Engine::open_with(
            options,
            Arc::new(clock.clone()),
            Arc::new(SeededRandom::new(9)),
            vec![handler],
        )
        .await
        .unwrap_or_else(|e| panic!("open engine: {e}"));
        let payload = Payload {
            customer: "cus_123",
            api_key: Secret::new(CANARY.to_owned()),
        };
        let job = NewJob {
            kind: "canary.call".into(),
            payload: serde_json::to_value(&payload).unwrap_or_default(),
            idempotency_key: "canary-1".into(),
            concurrency_key: None,
            max_attempts: 5,
            run_at: paysync_core::Clock::now(&clock),
            replay_safe: true,
        };
        engine
            .enqueue(&job)
            .await
            .unwrap_or_else(|e| panic!("enqueue: {e}"));
        assert_eq!(engine.run_jobs_until_idle().await.ok(), Some(1));
        clock.advance(chrono::Duration::seconds(1));
        assert_eq!(engine.run_jobs_until_idle().await.ok(), Some(1));
        let status = engine.status().await.unwrap_or_else(|e| panic!("status: {e}"));
        assert_eq!(status.dead_letters.open, 1, "the failing job reached the DLQ");
        let page = engine
            .dead_letters(&Default::default(), 10, 0)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let dl = &page.items[0];
        assert!(dl.error_message.contains("[REDACTED]"), "{}", dl.error_message);
        let exported = serde_json::to_string(&page).unwrap_or_default();
        assert!(!exported.contains(CANARY), "DLQ export leaks the canary");
        engine.store().close().await;
    });
    let logs = String::from_utf8(capture.0.lock().map(|v| v.clone()).unwrap_or_default()).unwrap_or_default();
    assert!(
        logs.contains("[REDACTED]"),
        "the secret-bearing log line was emitted: {logs}"
    );
    assert!(!logs.contains(CANARY), "logs leak the canary");
    for entry in std::fs::read_dir(tmp.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        let leaked = bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes());
        assert!(!leaked, "{} contains the canary", entry.path().display());
    }
}
