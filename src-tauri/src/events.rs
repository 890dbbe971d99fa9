//! Engine events forwarded to the window as one typed Tauri event, and the desktop notifications
//! raised for what needs a person while the window is hidden.

use paysync_app::console::ConsoleEvents;
use paysync_app::console::api::ConsoleEvent;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;

/// Something the engine did (run progress, DLQ changes, audit alarms).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct EngineActivity(pub ConsoleEvent);

/// Forwards events until the engine goes away.
pub async fn forward(app: AppHandle, mut events: ConsoleEvents) {
    while let Some(event) = events.next().await {
        notify_if_hidden(&app, &event);
        if let Err(e) = EngineActivity(event).emit(&app) {
            tracing::warn!(error = %e, "Could not forward an engine event to the window.");
        }
    }
}

fn notify_if_hidden(app: &AppHandle, event: &ConsoleEvent) {
    let visible = app
        .get_webview_window("main")
        .and_then(|w| w.is_visible().ok())
        .unwrap_or(false);
    if visible {
        return;
    }
    let body = match event {
        ConsoleEvent::DeadLettersChanged { job_kind: Some(kind) } => {
            format!("A {kind} job failed and is waiting in Dead letters.")
        }
        ConsoleEvent::AuditTampered { .. } => {
            "The audit log failed verification. Open Paysync now.".to_owned()
        }
        _ => return,
    };
    if let Err(e) = app.notification().builder().title("Paysync").body(body).show() {
        tracing::warn!(error = %e, "Could not show a desktop notification.");
    }
}
