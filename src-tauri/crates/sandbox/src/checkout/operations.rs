//! Captures, refunds and voids (apis.md §3.2): each is accepted with `202` and an `action_id`,
//! and completes later in a background task, which updates the payment and fires the event.
//! Until then `GET /payments/{id}` still shows the old status.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use super::payments::idempotency_key;
use super::reply::{Reply, RequestId};
use super::state::{Action, ActionType, PaymentStatus, PendingOp, State as SimState};
use super::validation::parse_currency;
use super::wire::View;
use super::{CheckoutSim, cards, ids};

/// A validated capture, refund or void body.
struct OpRequest {
    amount: Option<i64>,
    reference: Option<String>,
    metadata: Option<Map<String, Value>>,
    final_capture: bool,
}

fn parse_body(kind: ActionType, body: &[u8], currency: Option<&str>) -> Result<OpRequest, Vec<&'static str>> {
    // The body is optional: an empty one means "the whole remaining amount".
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => m,
            _ => return Err(vec!["request_body_malformed"]),
        }
    };
    let mut errors = Vec::new();
    let amount = match body.get("amount") {
        None | Some(Value::Null) => None,
        Some(_) if kind == ActionType::Void => None,
        Some(v) => {
            let currency = currency.and_then(parse_currency);
            match (v.as_i64(), currency) {
                (Some(a), Some(c)) if a > 0 && super::validation::amount_valid(a, c) => Some(a),
                _ => {
                    errors.push("amount_invalid");
                    None
                }
            }
        }
    };
    let reference = match body.get("reference") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= 50 => Some(s.clone()),
        Some(_) => {
            errors.push("reference_invalid");
            None
        }
    };
    let metadata = match body.get("metadata") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => {
            errors.push("metadata_invalid");
            None
        }
    };
    let final_capture = match body.get("capture_type") {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) if s == "Final" => true,
        Some(Value::String(s)) if s == "NonFinal" => false,
        Some(_) => {
            errors.push("capture_type_invalid");
            true
        }
    };
    if errors.is_empty() {
        Ok(OpRequest {
            amount,
            reference,
            metadata,
            final_capture,
        })
    } else {
        Err(errors)
    }
}

async fn operation(
    sim: Arc<CheckoutSim>,
    rid: RequestId,
    id: String,
    headers: HeaderMap,
    body: Bytes,
    kind: ActionType,
) -> Reply {
    let (scope, path) = match kind {
        ActionType::Capture => ("gateway:payment-captures", "captures"),
        ActionType::Refund => ("gateway:payment-refunds", "refunds"),
        _ => ("gateway:payment-voids", "voids"),
    };
    if let Err(reply) = sim.authorize(&headers, scope) {
        return reply;
    }
    let key = idempotency_key(&headers);
    let scope = format!("POST /payments/{id}/{path}");
    let (sim2, rid2) = (sim.clone(), rid.0.clone());
    sim.idempotent(&scope, key, &rid.0, async move {
        sim2.handler_delay().await;
        sim2.request_operation(&rid2, &id, kind, &body)
    })
    .await
}

/// `POST /payments/{id}/captures`.
pub(crate) async fn capture(
    State(sim): State<Arc<CheckoutSim>>,
    Extension(rid): Extension<RequestId>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    operation(sim, rid, id, headers, body, ActionType::Capture).await
}

/// `POST /payments/{id}/refunds`.
pub(crate) async fn refund(
    State(sim): State<Arc<CheckoutSim>>,
    Extension(rid): Extension<RequestId>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    operation(sim, rid, id, headers, body, ActionType::Refund).await
}

/// `POST /payments/{id}/voids`.
pub(crate) async fn void(
    State(sim): State<Arc<CheckoutSim>>,
    Extension(rid): Extension<RequestId>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    operation(sim, rid, id, headers, body, ActionType::Void).await
}

impl CheckoutSim {
    fn request_operation(&self, request_id: &str, id: &str, kind: ActionType, body: &[u8]) -> Reply {
        let mut state = self.lock();
        let Some(payment) = state.payments.get(id) else {
            return Reply::not_found();
        };
        let request = match parse_body(kind, body, Some(&payment.currency)) {
            Ok(r) => r,
            Err(codes) => return Reply::invalid(request_id, &codes),
        };
        let (available, not_allowed, too_much) = match kind {
            ActionType::Capture => (
                payment.available_to_capture(),
                "capture_not_allowed",
                "capture_amount_exceeds_balance",
            ),
            ActionType::Refund => (
                payment.available_to_refund(),
                "refund_not_allowed",
                "refund_amount_exceeds_balance",
            ),
            _ => (
                payment.available_to_void(),
                "void_not_allowed",
                "void_not_allowed",
            ),
        };
        if available == 0 {
            return Reply::not_allowed(request_id, not_allowed);
        }
        let amount = request.amount.unwrap_or(available);
        if amount > available {
            return Reply::invalid(request_id, &[too_much]);
        }
        let action_id = self.accept_operation(
            &mut state,
            id,
            kind,
            Some(amount),
            request.reference.clone(),
            request.metadata,
        );
        if kind == ActionType::Capture
            && request.final_capture
            && let Some(p) = state.payments.get_mut(id)
        {
            p.capture_closed = true;
        }
        let payment = &state.payments[id];
        let body = View {
            base: &self.ctx.base_url,
            payment,
        }
        .action_accepted(&action_id, request.reference);
        Reply::json(StatusCode::ACCEPTED, json!(body))
    }

    /// Reserves the amount on the payment, records the pending action and schedules its
    /// completion. `amount: None` means everything available.
    pub(crate) fn accept_operation(
        &self,
        state: &mut SimState,
        payment_id: &str,
        kind: ActionType,
        amount: Option<i64>,
        reference: Option<String>,
        metadata: Option<Map<String, Value>>,
    ) -> String {
        let action_id = ids::action(&*self.ctx.rng);
        let Some(p) = state.payments.get_mut(payment_id) else {
            return action_id;
        };
        let amount = match kind {
            ActionType::Capture => {
                let a = amount.unwrap_or_else(|| p.available_to_capture());
                p.pending_capture += a;
                a
            }
            ActionType::Refund => {
                let a = amount.unwrap_or_else(|| p.available_to_refund());
                p.pending_refund += a;
                a
            }
            _ => {
                p.pending_void = true;
                p.authorized - p.captured
            }
        };
        state.pending.insert(
            action_id.clone(),
            PendingOp {
                payment_id: payment_id.to_owned(),
                kind,
                amount,
                reference,
                metadata,
            },
        );
        if !state.config.hold_actions {
            self.spawn_completion(action_id.clone(), state.config.action_delay_ms);
        }
        action_id
    }

    /// Starts the background task that completes a pending action after the configured delay
    /// (unless actions are held for `POST /__sandbox/actions/complete`).
    pub(crate) fn schedule_completion(&self, action_id: String) {
        let (hold, delay) = {
            let state = self.lock();
            (state.config.hold_actions, state.config.action_delay_ms)
        };
        if !hold {
            self.spawn_completion(action_id, delay);
        }
    }

    /// Spawns the task that completes `action_id` after `delay_ms` real milliseconds. Must not
    /// lock the state (callers may hold it).
    fn spawn_completion(&self, action_id: String, delay: u64) {
        self.spawn(move |sim| async move {
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
            sim.complete_operation(&action_id);
        });
    }

    /// Completes every pending action now; returns how many.
    pub(crate) fn complete_all(&self) -> usize {
        let pending: Vec<String> = self.lock().pending.keys().cloned().collect();
        pending.iter().filter(|a| self.complete_operation(a)).count()
    }

    /// Completes one pending action: applies it, records the action and fires the event.
    /// Returns false if it was already completed.
    pub(crate) fn complete_operation(&self, action_id: &str) -> bool {
        let now = self.now();
        let rng = &*self.ctx.rng;
        let mut state = self.lock();
        let Some(op) = state.pending.remove(action_id) else {
            return false;
        };
        let Some(p) = state.payments.get_mut(&op.payment_id) else {
            return true;
        };
        let event = match op.kind {
            ActionType::Capture => {
                p.pending_capture -= op.amount;
                p.captured += op.amount;
                p.status = if p.captured >= p.authorized {
                    PaymentStatus::Captured
                } else {
                    PaymentStatus::PartiallyCaptured
                };
                "payment_captured"
            }
            ActionType::Refund => {
                p.pending_refund -= op.amount;
                p.refunded += op.amount;
                p.status = if p.refunded >= p.captured {
                    PaymentStatus::Refunded
                } else {
                    PaymentStatus::PartiallyRefunded
                };
                "payment_refunded"
            }
            _ => {
                p.pending_void = false;
                p.voided += op.amount;
                p.status = PaymentStatus::Voided;
                "payment_voided"
            }
        };
        p.actions.push(Action {
            id: action_id.to_owned(),
            kind: op.kind,
            amount: op.amount,
            approved: true,
            response_code: cards::APPROVED.0.to_owned(),
            response_summary: cards::APPROVED.1.to_owned(),
            auth_code: None,
            processed_on: now,
            reference: op.reference,
            metadata: op.metadata,
            retrieval_reference_number: ids::digits(rng, 12),
            acquirer_transaction_id: ids::digits(rng, 21),
        });
        let data = self.payment_event_data(&state, &op.payment_id, Some(action_id));
        self.emit(&mut state, event, &op.payment_id, data, now, true);
        true
    }
}
