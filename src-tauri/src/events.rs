//! Engine events forwarded to the window as one typed Tauri event, and the desktop notifications
//! raised for what needs a person: a provider's breaker opening, a root cause's failures piling
//! up past an alert level, and (while the window is hidden) an audit alarm.

use std::collections::HashMap;

use paysync_app::console::ConsoleEvents;
use paysync_app::console::api::{BreakerPosition, ConsoleEvent, FailureScope};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;

/// Something the engine did (run progress, DLQ changes, audit alarms).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct EngineActivity(pub ConsoleEvent);

/// Open failures of one root cause at which a desktop alert is raised, once each: a growing
/// group is news at 10, at 100 and at 1,000, not at every failure.
pub const GROUP_ALERT_LEVELS: [u64; 3] = [10, 100, 1_000];

/// The alert level a group reached that it had not reached before, if any.
fn crossed(previous: u64, count: u64) -> Option<u64> {
    GROUP_ALERT_LEVELS
        .iter()
        .copied()
        .filter(|level| count >= *level && previous < *level)
        .max()
}

/// Root causes and the highest alert level each reached (forgotten when a group drains, so a
/// group that fills again is news again).
#[derive(Debug, Default)]
struct GroupAlerts {
    reached: HashMap<(String, String), u64>,
}

impl GroupAlerts {
    /// Alerts for the groups of `kind` among `groups` (kind, code, count) that crossed a level.
    fn update(&mut self, kind: &str, groups: &[(String, String, u64)]) -> Vec<String> {
        let mut alerts = Vec::new();
        self.reached
            .retain(|(k, c), _| k != kind || groups.iter().any(|(gk, gc, n)| gk == k && gc == c && *n > 0));
        for (group_kind, code, count) in groups.iter().filter(|(k, _, _)| k == kind) {
            let key = (group_kind.clone(), code.clone());
            let previous = self.reached.get(&key).copied().unwrap_or(0);
            if let Some(level) = crossed(previous, *count) {
                self.reached.insert(key, level);
                alerts.push(format!(
                    "{count} × {code} in {group_kind}: failures of one cause are piling up in Failures."
                ));
            }
        }
        alerts
    }
}

/// Forwards events until the engine goes away; raises desktop alerts for what needs a person.
pub async fn forward(app: AppHandle, mut events: ConsoleEvents) {
    let mut alerts = GroupAlerts::default();
    while let Some(event) = events.next().await {
        notify_if_hidden(&app, &event);
        alert(&app, &event, &mut alerts).await;
        if let Err(e) = EngineActivity(event).emit(&app) {
            tracing::warn!(error = %e, "Could not forward an engine event to the window.");
        }
    }
}

fn show(app: &AppHandle, body: &str) {
    if let Err(e) = app.notification().builder().title("Paysync").body(body).show() {
        tracing::warn!(error = %e, "Could not show a desktop notification.");
    }
}

/// Alerts shown whether or not the window is visible: a provider's breaker opening, and a
/// root cause's failures crossing an alert level.
async fn alert(app: &AppHandle, event: &ConsoleEvent, alerts: &mut GroupAlerts) {
    match event {
        ConsoleEvent::BreakerChanged {
            provider,
            state: BreakerPosition::Open,
            until,
            ..
        } => {
            let until = until
                .map(|t| format!(" until {}", t.format("%H:%M:%S UTC")))
                .unwrap_or_default();
            show(
                app,
                &format!(
                    "{provider} is failing: Paysync holds its calls{until}, and work waiting on it is held, not failed."
                ),
            );
        }
        ConsoleEvent::DeadLettersChanged { job_kind: Some(kind) } => {
            let Ok(console) = app.state::<crate::state::AppState>().console().await else {
                return;
            };
            let Ok(groups) = console
                .failure_groups(Some("open".to_owned()), &FailureScope::default())
                .await
            else {
                return;
            };
            let groups: Vec<(String, String, u64)> = groups
                .into_iter()
                .map(|g| (g.kind, g.error_code, g.count))
                .collect();
            for body in alerts.update(kind, &groups) {
                show(app, &body);
            }
        }
        _ => {}
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
    // A single failure is not worth a desktop alert: a cause's failures piling up is (`alert`).
    if let ConsoleEvent::AuditTampered { .. } = event {
        show(app, "The audit log failed verification. Open Paysync now.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(list: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
        list.iter()
            .map(|(k, c, n)| ((*k).to_owned(), (*c).to_owned(), *n))
            .collect()
    }

    #[test]
    fn a_growing_group_is_news_once_per_level() {
        assert_eq!(crossed(0, 9), None);
        assert_eq!(crossed(0, 10), Some(10));
        assert_eq!(crossed(10, 99), None);
        assert_eq!(crossed(10, 250), Some(100));
        assert_eq!(crossed(0, 5_000), Some(1_000));
        assert_eq!(crossed(1_000, 90_000), None);

        let mut alerts = GroupAlerts::default();
        let kind = "stripe.salesforce.record";
        assert!(
            alerts
                .update(kind, &groups(&[(kind, "REQUIRED_FIELD_MISSING", 9)]))
                .is_empty()
        );
        let news = alerts.update(kind, &groups(&[(kind, "REQUIRED_FIELD_MISSING", 10)]));
        assert_eq!(
            news,
            [
                "10 × REQUIRED_FIELD_MISSING in stripe.salesforce.record: failures of one cause are piling up in Failures."
            ]
        );
        assert!(
            alerts
                .update(kind, &groups(&[(kind, "REQUIRED_FIELD_MISSING", 37)]))
                .is_empty()
        );
        // Another kind's change says nothing about this one.
        assert!(
            alerts
                .update(
                    "payouts.request",
                    &groups(&[(kind, "REQUIRED_FIELD_MISSING", 400)])
                )
                .is_empty()
        );
        assert_eq!(
            alerts
                .update(kind, &groups(&[(kind, "REQUIRED_FIELD_MISSING", 400)]))
                .len(),
            1
        );
        // Drained (replayed or discarded), then filling again: news again.
        assert!(alerts.update(kind, &groups(&[])).is_empty());
        assert_eq!(
            alerts
                .update(kind, &groups(&[(kind, "REQUIRED_FIELD_MISSING", 12)]))
                .len(),
            1
        );
    }
}
