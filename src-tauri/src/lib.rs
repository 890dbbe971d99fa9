//! The Paysync desktop console: a thin Tauri shell over [`paysync_app::Console`]. It starts the
//! engine (and, with nothing connected, the sandbox) on Tauri's tokio runtime, forwards engine
//! events to the window, keeps running in the tray when the user chooses so, and guards the data
//! directory against a second copy.

mod bindings;
#[cfg(test)]
mod command_names;
mod commands;
mod events;
mod instance;
mod ipc_error;
#[cfg(test)]
mod security_check;
mod state;
mod tray;

use std::process::ExitCode;
use std::sync::Arc;

use paysync_app::console::{Console, ConsoleOptions};
use paysync_app::{Config, logging, paths};
use paysync_core::{SystemClock, SystemRandom};
use tauri::{Manager, RunEvent, WindowEvent};
use tokio::sync::watch;

pub use bindings::{BINDINGS_PATH, export as export_bindings};
use state::{AppState, Startup};

/// Runs the console until the user quits.
pub fn run() -> ExitCode {
    match try_run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "Paysync console stopped with an error.");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn try_run() -> anyhow::Result<()> {
    let explicit = std::env::var_os("PAYSYNC_DATA_DIR").map(std::path::PathBuf::from);
    let data_dir = paths::data_dir(explicit.as_deref())?;
    let config_path = paths::config_file(None, &data_dir);
    let config = Config::load(&config_path)?;
    std::fs::create_dir_all(&data_dir)?;
    let _log_guard = logging::init(&config.log, Some(&paths::log_dir(&data_dir)))?;
    // Held for the life of the process: a second copy on the same data directory stops here.
    let _instance = instance::lock(&data_dir)?;

    let specta = bindings::builder();
    let (startup_tx, startup_rx) = watch::channel(Startup::Starting);
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let options = ConsoleOptions {
        data_dir,
        config,
        owner: format!("paysync-console-{}", std::process::id()),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };

    let app = tauri::Builder::default()
        // Must be first: a second launch focuses this window instead of starting.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main(app)
        }))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(specta.invoke_handler())
        .manage(AppState::new(startup_rx, shutdown_tx))
        .setup(move |app| {
            specta.mount_events(app);
            if let Err(e) = tray::install(app.handle()) {
                // No tray host (a bare X server, some desktops): the window works without one.
                tracing::warn!(error = %e, "No system tray; closing the window will quit.");
            }
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(start_engine(handle, options, startup_tx, shutdown_rx));
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event
                && window.state::<AppState>().close_to_tray()
                && tray::available(window.app_handle())
            {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .build(tauri::generate_context!())?;

    app.run(|handle, event| {
        if let RunEvent::ExitRequested { .. } | RunEvent::Exit = event {
            handle.state::<AppState>().request_shutdown();
        }
    });
    Ok(())
}

/// Opens the console, publishes it to commands, then runs the engine until shutdown.
async fn start_engine(
    app: tauri::AppHandle,
    options: ConsoleOptions,
    startup: watch::Sender<Startup>,
    shutdown: watch::Receiver<bool>,
) {
    let started = std::time::Instant::now();
    let console = match Console::open(options, Arc::new(SystemClock), Arc::new(SystemRandom)).await {
        Ok(console) => console,
        Err(e) => {
            tracing::error!(error = %e, "The engine did not start.");
            let _ = startup.send(Startup::Failed(e.to_string()));
            return;
        }
    };
    let profile = console.profile();
    tracing::info!(
        ?profile,
        elapsed_ms = started.elapsed().as_millis(),
        "Console ready."
    );
    if let Ok(prefs) = console.preferences().await {
        app.state::<AppState>().set_close_to_tray(prefs.close_to_tray);
    }
    tauri::async_runtime::spawn(events::forward(app.clone(), console.subscribe()));
    let _ = startup.send(Startup::Ready(Box::new(console.clone())));
    if let Err(e) = console.run(shutdown).await {
        tracing::error!(error = %e, "The engine stopped with an error.");
    }
}
