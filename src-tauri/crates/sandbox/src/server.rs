//! Running one simulator: bind a loopback port, build its routes with the known base URL, wrap the
//! API routes in fault injection, add the admin routes under `/__sandbox/`, and serve until stopped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use paysync_core::{SharedClock, SharedRandom};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error::SandboxError;
use crate::faults::{ErrorRenderer, FaultConfig, FaultController, FaultLayerState, inject};

/// What every simulator gets when it is built.
#[derive(Debug, Clone)]
pub struct SimContext {
    /// The simulator's own base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub base_url: String,
    /// The sandbox clock (shared by all simulators, controllable in tests).
    pub clock: SharedClock,
    /// Seeded randomness for ids and simulated outcomes.
    pub rng: SharedRandom,
    /// An HTTP client for outbound deliveries (webhooks, callbacks) to loopback receivers.
    pub http: reqwest::Client,
}

/// A provider simulator.
pub trait Simulator: Send + Sync + 'static {
    /// Short name, e.g. `stripe`.
    fn name(&self) -> &'static str;
    /// The provider's API routes. Fault injection is applied around them.
    fn routes(self: Arc<Self>) -> Router;
    /// Simulator-specific admin routes, mounted under `/__sandbox/` without fault injection.
    fn admin_routes(self: Arc<Self>) -> Router {
        Router::new()
    }
    /// The provider-shaped error response for an injected failure status.
    fn injected_error(&self, status: StatusCode) -> Response;
    /// The simulator's whole state, for persistence.
    fn snapshot(&self) -> serde_json::Value;
    /// Replaces the state from a snapshot.
    fn restore(&self, snapshot: serde_json::Value) -> Result<(), SandboxError>;
}

/// A running simulator.
pub struct SimHandle {
    /// Its name.
    pub name: &'static str,
    /// Its base URL.
    pub base_url: String,
    /// Its faults, changeable while it runs.
    pub faults: FaultController,
    persist_to: Option<PathBuf>,
    snapshot: Arc<dyn Fn() -> serde_json::Value + Send + Sync>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// Saves the state (if persistence is on) and stops serving.
    pub async fn stop(mut self) -> Result<(), SandboxError> {
        self.save()?;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        Ok(())
    }

    /// Writes the state to its persistence file, if it has one.
    pub fn save(&self) -> Result<(), SandboxError> {
        let Some(path) = &self.persist_to else {
            return Ok(());
        };
        let json = serde_json::to_vec_pretty(&(self.snapshot)())?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(|e| SandboxError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| SandboxError::io(path, e))
    }
}

/// How to start one simulator.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen; port 0 picks a free one. Loopback only unless explicitly configured.
    pub addr: SocketAddr,
    /// Initial faults.
    pub faults: FaultConfig,
    /// A file to load the state from at start and save it to at stop.
    pub persist_to: Option<PathBuf>,
}

impl ServeOptions {
    /// A free port on 127.0.0.1, no faults, state in memory only: what tests start.
    pub fn loopback() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            faults: FaultConfig::default(),
            persist_to: None,
        }
    }
}

/// Binds, builds and serves a simulator.
pub async fn serve<S, F>(
    options: ServeOptions,
    clock: SharedClock,
    rng: SharedRandom,
    build: F,
) -> Result<(SimHandle, Arc<S>), SandboxError>
where
    S: Simulator,
    F: FnOnce(SimContext) -> Arc<S>,
{
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(SandboxError::Bind)?;
    let local = listener.local_addr().map_err(SandboxError::Bind)?;
    let base_url = format!("http://{local}");
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| SandboxError::Invalid(format!("http client: {e}")))?;
    let ctx = SimContext {
        base_url: base_url.clone(),
        clock: clock.clone(),
        rng,
        http,
    };
    let sim = build(ctx);
    if let Some(path) = &options.persist_to {
        match std::fs::read(path) {
            Ok(bytes) => sim.restore(serde_json::from_slice(&bytes)?)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(SandboxError::io(path, e)),
        }
    }
    let faults = FaultController::new(options.faults, clock);
    let render: ErrorRenderer = {
        let sim = sim.clone();
        Arc::new(move |status| sim.injected_error(status))
    };
    let layer = FaultLayerState {
        faults: faults.clone(),
        render,
    };
    let api = sim
        .clone()
        .routes()
        .layer(axum::middleware::from_fn_with_state(layer, inject));
    let admin = Router::new()
        .route("/faults", get(get_faults).put(put_faults).delete(clear_faults))
        .with_state(faults.clone())
        .merge(sim.clone().admin_routes());
    let app = api.nest("/__sandbox", admin);
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let name = sim.name();
    let task = tokio::spawn(async move {
        let server = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stop_rx.await;
        });
        if let Err(e) = server.await {
            tracing::error!(simulator = name, error = %e, "Simulator stopped with an error.");
        }
    });
    let snapshot: Arc<dyn Fn() -> serde_json::Value + Send + Sync> = {
        let sim = sim.clone();
        Arc::new(move || sim.snapshot())
    };
    tracing::info!(simulator = name, %base_url, "Simulator listening.");
    let handle = SimHandle {
        name,
        base_url,
        faults,
        persist_to: options.persist_to,
        snapshot,
        stop: Some(stop_tx),
        task: Some(task),
    };
    Ok((handle, sim))
}

/// Calls `tick` every `every` for as long as the simulator is alive (and a Tokio runtime is
/// running), so time-driven changes (settlements, expiries) happen on the sim clock without any
/// request. Holds only a weak reference, so a dropped simulator stops its ticker.
pub(crate) fn spawn_ticker<S, F, Fut>(sim: &Arc<S>, every: std::time::Duration, tick: F)
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let weak = Arc::downgrade(sim);
    runtime.spawn(async move {
        let mut interval = tokio::time::interval(every);
        loop {
            interval.tick().await;
            let Some(sim) = weak.upgrade() else { break };
            tick(sim).await;
        }
    });
}

async fn get_faults(State(f): State<FaultController>) -> impl IntoResponse {
    axum::Json(f.config())
}

async fn put_faults(
    State(f): State<FaultController>,
    axum::Json(config): axum::Json<FaultConfig>,
) -> impl IntoResponse {
    f.set(config);
    axum::Json(f.config())
}

async fn clear_faults(State(f): State<FaultController>) -> impl IntoResponse {
    f.set(FaultConfig::default());
    StatusCode::NO_CONTENT
}
