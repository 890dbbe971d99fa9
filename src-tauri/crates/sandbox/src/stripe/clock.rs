//! What happens by itself as the sandbox clock moves: funds settle, subscription periods renew,
//! payouts go `in_transit` then `paid` on their arrival date and automatic payouts finish
//! reconciliation. Each change is recorded at the moment it was due, not when it is noticed.
//! It runs before every API request and on `POST /__sandbox/clock/tick`.

use serde_json::json;

use super::billing;
use super::ledger;
use super::state::Exec;

/// Applies every time-driven transition due by `x.clock_now`.
pub fn process_due(x: &mut Exec<'_>) {
    let clock = x.clock_now;
    if x.st.due_checked == Some((clock, x.st.revision)) {
        return;
    }
    ledger::settle(x);
    billing::renew_due(x);
    x.now = clock;
    ledger::settle(x);
    let (in_transit_after, recon_after) = (
        x.st.config.payout_in_transit_after_secs,
        x.st.config.payout_reconciliation_after_secs,
    );
    let mut payouts: Vec<(i64, String)> =
        x.st.all("payout")
            .filter(|s| {
                matches!(s.value["status"].as_str(), Some("pending" | "in_transit"))
                    || s.value["reconciliation_status"] == "in_progress"
            })
            .map(|s| {
                (
                    s.value["created"].as_i64().unwrap_or(0),
                    s.value["id"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
    payouts.sort();
    for (created, id) in payouts {
        let Some(p) = x.st.get("payout", &id).cloned() else {
            continue;
        };
        if p["reconciliation_status"] == "in_progress" && created + recon_after <= clock {
            x.now = created + recon_after;
            if let Ok((v, _)) = x.update("payout", &id, |p| p["reconciliation_status"] = json!("completed")) {
                x.emit("payout.reconciliation_completed", &v, None);
            }
        }
        let arrival = p["arrival_date"].as_i64().unwrap_or(i64::MAX);
        let mut status = p["status"].as_str().unwrap_or_default().to_owned();
        if status == "pending" && created + in_transit_after <= clock {
            x.now = (created + in_transit_after).min(arrival);
            if ledger::set_payout_status(x, &id, "in_transit", None).is_ok() {
                status = "in_transit".into();
            }
        }
        if status == "in_transit" && arrival <= clock {
            x.now = arrival;
            let _ = ledger::set_payout_status(x, &id, "paid", None);
        }
    }
    x.now = clock;
    x.st.due_checked = Some((clock, x.st.revision));
}
