//! What the shell keeps between commands: the console once it has started, and the one
//! preference the window itself needs synchronously (close to tray).

use std::sync::atomic::{AtomicBool, Ordering};

use paysync_app::Console;
use tokio::sync::watch;

use crate::ipc_error::IpcError;

/// How far start-up has got.
#[derive(Clone, Debug)]
pub enum Startup {
    /// The engine and sandbox are starting.
    Starting,
    /// Ready.
    Ready(Box<Console>),
    /// Start-up failed; the message says why.
    Failed(String),
}

/// The shell's state, managed by Tauri.
#[derive(Debug)]
pub struct AppState {
    startup: watch::Receiver<Startup>,
    close_to_tray: AtomicBool,
    shutdown: watch::Sender<bool>,
}

impl AppState {
    /// State fed by a start-up task that publishes to `startup`; `shutdown` stops the engine.
    pub fn new(startup: watch::Receiver<Startup>, shutdown: watch::Sender<bool>) -> Self {
        Self {
            startup,
            close_to_tray: AtomicBool::new(false),
            shutdown,
        }
    }

    /// The console, waiting for start-up to finish if it has not yet.
    pub async fn console(&self) -> Result<Console, IpcError> {
        let mut rx = self.startup.clone();
        let state = rx
            .wait_for(|s| !matches!(s, Startup::Starting))
            .await
            .map_err(|_| IpcError::unavailable("the start-up task ended without a result"))?;
        match &*state {
            Startup::Ready(console) => Ok(Console::clone(console)),
            Startup::Failed(why) => Err(IpcError::unavailable(why)),
            Startup::Starting => Err(IpcError::unavailable("still starting")),
        }
    }

    /// Whether closing the window should hide it to the tray.
    pub fn close_to_tray(&self) -> bool {
        self.close_to_tray.load(Ordering::Relaxed)
    }

    /// Remembers the close-to-tray preference for the window handler.
    pub fn set_close_to_tray(&self, on: bool) {
        self.close_to_tray.store(on, Ordering::Relaxed);
    }

    /// Asks the engine to finish running jobs and stop.
    pub fn request_shutdown(&self) {
        let _ = self.shutdown.send(true);
    }
}
