//! `POST /payments`, `GET /payments/{id}` and `GET /payments/{id}/actions` (apis.md §3.2).

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Datelike, Utc};
use serde_json::{Value, json};

use super::cards::{self, Outcome};
use super::reply::{Reply, RequestId};
use super::state::{Action, ActionType, Card, Customer, Payment, PaymentStatus, State as SimState, ThreeDs};
use super::validation::{SourceSpec, validate};
use super::wire::View;
use super::{CheckoutSim, ids};

/// The `Cko-Idempotency-Key` header, if any.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    headers
        .get("cko-idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `POST /payments`.
pub(crate) async fn create(
    State(sim): State<Arc<CheckoutSim>>,
    Extension(rid): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    if let Err(reply) = sim.authorize(&headers, "gateway:payment") {
        return reply;
    }
    let key = idempotency_key(&headers);
    let (sim2, rid2) = (sim.clone(), rid.0.clone());
    sim.idempotent("POST /payments", key, &rid.0, async move {
        sim2.handler_delay().await;
        sim2.create_payment(&rid2, &body)
    })
    .await
}

impl CheckoutSim {
    fn create_payment(&self, request_id: &str, body: &[u8]) -> Reply {
        let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
            return Reply::invalid(request_id, &["request_body_malformed"]);
        };
        let now = self.now();
        let request = match validate(&body, now) {
            Ok(r) => r,
            Err(codes) => return Reply::invalid(request_id, &codes),
        };
        let rng = &*self.ctx.rng;
        let mut state = self.lock();
        let card = match &request.source {
            SourceSpec::Card {
                number,
                expiry_month,
                expiry_year,
                name,
            } => remember_card(&mut state, rng, number, *expiry_month, *expiry_year, name.clone()),
            // Tokens come from the client-side Frames/tokens API, which the simulator does not
            // run: any well-formed token stands for the approved Visa test card.
            SourceSpec::Token => remember_card(&mut state, rng, "4242424242424242", 12, now.year() + 2, None),
            SourceSpec::Id(id) => match state.sources.get(id) {
                Some(card) => card.clone(),
                None => return Reply::invalid(request_id, &["source_id_invalid"]),
            },
        };
        let customer = request
            .customer
            .map(|(id, email, name)| find_customer(&mut state, rng, id, email, name));
        let mut payment = Payment {
            id: ids::payment(rng),
            amount: request.amount,
            currency: request.currency,
            reference: request.reference,
            description: request.description,
            payment_type: request.payment_type,
            status: PaymentStatus::Pending,
            approved: false,
            response_code: None,
            response_summary: None,
            auth_code: None,
            requested_on: now,
            processed_on: None,
            source: Some(card.clone()),
            customer,
            metadata: request.metadata,
            capture: request.capture,
            three_ds: None,
            success_url: request.success_url,
            failure_url: request.failure_url,
            actions: Vec::new(),
            authorized: 0,
            captured: 0,
            refunded: 0,
            voided: 0,
            pending_capture: 0,
            pending_refund: 0,
            pending_void: false,
            capture_closed: false,
            eci: None,
            scheme_id: None,
        };
        let id = payment.id.clone();
        let challenge = card.outcome == Outcome::ThreeDs && request.three_ds && payment.amount > 0;
        if request.three_ds {
            payment.three_ds = Some(ThreeDs {
                enrolled: if card.outcome == Outcome::ThreeDs {
                    "Y"
                } else {
                    "N"
                }
                .to_owned(),
                // A card outside 3-D Secure is processed without it ("downgraded").
                downgraded: card.outcome != Outcome::ThreeDs,
                challenged: challenge,
                authentication_response: None,
            });
        }
        state.payment_order.push(id.clone());
        state.payments.insert(id.clone(), payment);
        if challenge {
            let data = self.payment_event_data(&state, &id, None);
            self.emit(&mut state, "payment_pending", &id, data, now, true);
            let payment = &state.payments[&id];
            let body = View {
                base: &self.ctx.base_url,
                payment,
            }
            .accepted_response();
            return Reply::json(StatusCode::ACCEPTED, json!(body));
        }
        self.process_authorization(&mut state, &id, now, true);
        let body = View {
            base: &self.ctx.base_url,
            payment: &state.payments[&id],
        }
        .payment_response();
        Reply::json(StatusCode::CREATED, json!(body))
    }

    /// Runs the issuer's decision on a payment (on creation, or after 3-D Secure), records the
    /// Authorization (or Card Verification) action, fires its event and, for an approved payment
    /// with `capture: true`, schedules the automatic capture.
    pub(crate) fn process_authorization(
        &self,
        state: &mut SimState,
        id: &str,
        now: DateTime<Utc>,
        deliver: bool,
    ) {
        let rng = &*self.ctx.rng;
        let Some(payment) = state.payments.get_mut(id) else {
            return;
        };
        let outcome = payment
            .source
            .as_ref()
            .map_or(Outcome::Approve, |c| c.outcome.clone());
        let verification = payment.amount == 0;
        let (approved, code, summary) = match outcome {
            Outcome::Decline { code, summary } => (false, code, summary),
            Outcome::Approve | Outcome::ThreeDs => {
                (true, cards::APPROVED.0.to_owned(), cards::APPROVED.1.to_owned())
            }
        };
        let auth_code = approved.then(|| ids::digits(rng, 6));
        payment.actions.push(Action {
            id: ids::action(rng),
            kind: if verification {
                ActionType::CardVerification
            } else {
                ActionType::Authorization
            },
            amount: payment.amount,
            approved,
            response_code: code.clone(),
            response_summary: summary.clone(),
            auth_code: auth_code.clone(),
            processed_on: now,
            reference: payment.reference.clone(),
            metadata: None,
            retrieval_reference_number: ids::digits(rng, 12),
            acquirer_transaction_id: ids::digits(rng, 21),
        });
        payment.approved = approved;
        payment.response_code = Some(code);
        payment.response_summary = Some(summary);
        payment.auth_code = auth_code;
        payment.processed_on = Some(now);
        payment.scheme_id = Some(ids::digits(rng, 15));
        payment.eci = Some(
            if payment.three_ds.as_ref().is_some_and(|t| t.challenged) {
                "05"
            } else {
                "07"
            }
            .to_owned(),
        );
        let event = match (verification, approved) {
            (true, true) => {
                payment.status = PaymentStatus::CardVerified;
                "card_verified"
            }
            (true, false) => {
                payment.status = PaymentStatus::Declined;
                "card_verification_declined"
            }
            (false, true) => {
                payment.status = PaymentStatus::Authorized;
                payment.authorized = payment.amount;
                "payment_approved"
            }
            (false, false) => {
                payment.status = PaymentStatus::Declined;
                "payment_declined"
            }
        };
        let auto_capture = event == "payment_approved" && payment.capture;
        let data = self.payment_event_data(state, id, None);
        self.emit(state, event, id, data, now, deliver);
        if auto_capture {
            self.accept_operation(state, id, ActionType::Capture, None, None, None);
        }
    }

    /// The `data` of a payment event: the payment, seen through `action_id` (default: latest).
    pub(crate) fn payment_event_data(&self, state: &SimState, id: &str, action_id: Option<&str>) -> Value {
        let Some(p) = state.payments.get(id) else {
            return Value::Null;
        };
        let action = match action_id {
            Some(a) => p.actions.iter().find(|x| x.id == a),
            None => p.actions.last(),
        };
        let mut data = json!({
            "id": p.id,
            "amount": action.map_or(p.amount, |a| a.amount),
            "currency": p.currency,
            "payment_type": p.payment_type,
            "metadata": p.metadata,
            "risk": { "flagged": false },
        });
        if let (Some(obj), Some(a)) = (data.as_object_mut(), action) {
            obj.insert("action_id".into(), json!(a.id));
            obj.insert("processed_on".into(), json!(super::wire::ts(a.processed_on)));
            obj.insert("response_code".into(), json!(a.response_code));
            obj.insert("response_summary".into(), json!(a.response_summary));
            if let Some(code) = &a.auth_code {
                obj.insert("auth_code".into(), json!(code));
            }
        }
        if let Some(obj) = data.as_object_mut() {
            if let Some(r) = &p.reference {
                obj.insert("reference".into(), json!(r));
            }
            if let Some(c) = &p.customer {
                obj.insert("customer".into(), json!(super::wire::customer(c)));
            }
            if let Some(c) = &p.source {
                obj.insert("source".into(), json!(super::wire::card_source(c)));
            }
            let view = View {
                base: &self.ctx.base_url,
                payment: p,
            };
            obj.insert("balances".into(), json!(view.balances()));
        }
        data
    }

    /// Sleeps for the configured handler delay (real time), to widen the in-flight window.
    pub(crate) async fn handler_delay(&self) {
        let ms = self.lock().config.handler_delay_ms;
        if ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
    }
}

/// Finds or stores the card; the same number is the same source (`src_…`) each time.
pub(crate) fn remember_card(
    state: &mut SimState,
    rng: &dyn paysync_core::RandomSource,
    number: &str,
    expiry_month: u32,
    expiry_year: i32,
    name: Option<String>,
) -> Card {
    let fingerprint = cards::fingerprint(number);
    if let Some(card) = state
        .source_by_fingerprint
        .get(&fingerprint)
        .and_then(|id| state.sources.get(id))
        && card.expiry_month == expiry_month
        && card.expiry_year == expiry_year
    {
        return card.clone();
    }
    let scheme = cards::scheme(number);
    let card = Card {
        source_id: ids::id(rng, "src", 26),
        scheme: scheme.to_owned(),
        last4: number[number.len() - 4..].to_owned(),
        bin: number[..6].to_owned(),
        expiry_month,
        expiry_year,
        name,
        fingerprint: fingerprint.clone(),
        card_type: if scheme == "Amex" { "Charge" } else { "Credit" }.to_owned(),
        issuer: "Sandbox Issuer".to_owned(),
        issuer_country: "GB".to_owned(),
        outcome: cards::outcome(number),
    };
    state
        .source_by_fingerprint
        .insert(fingerprint, card.source_id.clone());
    state.sources.insert(card.source_id.clone(), card.clone());
    card
}

/// Finds the customer by e-mail (creating it), or uses the given id.
pub(crate) fn find_customer(
    state: &mut SimState,
    rng: &dyn paysync_core::RandomSource,
    id: Option<String>,
    email: Option<String>,
    name: Option<String>,
) -> Customer {
    if let Some(email) = &email
        && let Some(c) = state.customers_by_email.get_mut(&email.to_lowercase())
    {
        if name.is_some() {
            c.name = name;
        }
        return c.clone();
    }
    let customer = Customer {
        id: id.unwrap_or_else(|| ids::id(rng, "cus", 26)),
        email: email.clone(),
        name,
    };
    if let Some(email) = email {
        state
            .customers_by_email
            .insert(email.to_lowercase(), customer.clone());
    }
    customer
}

/// `GET /payments/{id}`.
pub(crate) async fn details(
    State(sim): State<Arc<CheckoutSim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Reply {
    if let Err(reply) = sim.authorize(&headers, "gateway:payment-details") {
        return reply;
    }
    let state = sim.lock();
    match state.payments.get(&id) {
        Some(payment) => Reply::json(
            StatusCode::OK,
            json!(
                View {
                    base: &sim.ctx.base_url,
                    payment
                }
                .details()
            ),
        ),
        None => Reply::not_found(),
    }
}

/// `GET /payments/{id}/actions`.
pub(crate) async fn actions(
    State(sim): State<Arc<CheckoutSim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Reply {
    if let Err(reply) = sim.authorize(&headers, "gateway:payment-details") {
        return reply;
    }
    let state = sim.lock();
    match state.payments.get(&id) {
        Some(payment) => Reply::json(
            StatusCode::OK,
            json!(
                View {
                    base: &sim.ctx.base_url,
                    payment
                }
                .actions()
            ),
        ),
        None => Reply::not_found(),
    }
}
