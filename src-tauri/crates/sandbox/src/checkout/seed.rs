//! The in-process seeding API: demo data with explicit past timestamps, bypassing auth, faults
//! and idempotency. Seeded history is recorded as events (so the events API shows it) but no
//! webhooks are delivered for it.

use chrono::{DateTime, Duration, Utc};
use paysync_core::provider_amounts::checkout as cko_amounts;
use serde_json::{Map, Value, json};

use super::cards;
use super::payments::{find_customer, remember_card};
use super::state::{Action, ActionType, Client, Payment};
use super::validation::parse_currency;
use super::wire::View;
use super::{CheckoutSim, disputes, ids};

pub use super::state::PaymentStatus;

/// A payment to seed. The simulator builds the history that leads to `status` (authorization,
/// captures, refunds…), starting at `created`, on the approved Visa test card.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// Amount in Checkout.com's units for `currency` (not validated: seed what you mean).
    pub amount: i64,
    /// ISO 4217 code, e.g. `"EUR"`.
    pub currency: String,
    /// The merchant's reference (≤ 50 characters on the real API).
    pub reference: Option<String>,
    /// Where the payment ends up. `Partially Captured` / `Partially Refunded` use half the
    /// amount; `Pending` is a payment waiting for 3-D Secure.
    pub status: PaymentStatus,
    /// The customer's e-mail; the same address is the same `cus_…` customer.
    pub customer_email: Option<String>,
    /// The payment's `metadata`.
    pub metadata: Map<String, Value>,
    /// When the payment was requested; later steps follow minutes to a day after.
    pub created: DateTime<Utc>,
}

impl CheckoutSim {
    /// Adds a payment with its history and returns its id (`pay_…`).
    pub fn insert_payment(&self, new: NewPayment) -> String {
        let rng = &*self.ctx.rng;
        let mut state = self.lock();
        let card = remember_card(&mut state, rng, "4242424242424242", 12, 2030, None);
        let customer = new
            .customer_email
            .clone()
            .map(|email| find_customer(&mut state, rng, None, Some(email), None));
        let (declined, verify) = (
            new.status == PaymentStatus::Declined,
            new.status == PaymentStatus::CardVerified,
        );
        let pending = new.status == PaymentStatus::Pending;
        let id = ids::payment(rng);
        let mut p = Payment {
            id: id.clone(),
            amount: if verify { 0 } else { new.amount },
            currency: new.currency.clone(),
            reference: new.reference.clone(),
            description: None,
            payment_type: "Regular".to_owned(),
            status: new.status,
            approved: !declined && !pending,
            response_code: None,
            response_summary: None,
            auth_code: None,
            requested_on: new.created,
            processed_on: (!pending).then_some(new.created),
            source: Some(card),
            customer,
            metadata: new.metadata.clone(),
            capture: true,
            three_ds: None,
            success_url: None,
            failure_url: None,
            actions: Vec::new(),
            authorized: 0,
            captured: 0,
            refunded: 0,
            voided: 0,
            pending_capture: 0,
            pending_refund: 0,
            pending_void: false,
            capture_closed: false,
            eci: Some("07".to_owned()),
            scheme_id: Some(ids::digits(rng, 15)),
        };
        let step = parse_currency(&new.currency).map_or(1, |c| cko_amounts::rule(c).step);
        let half = (p.amount / 2) - (p.amount / 2) % step;
        let mut steps: Vec<(ActionType, i64, DateTime<Utc>, &'static str)> = Vec::new();
        let t0 = new.created;
        match new.status {
            PaymentStatus::Pending | PaymentStatus::Canceled => {}
            PaymentStatus::CardVerified => steps.push((ActionType::CardVerification, 0, t0, "card_verified")),
            PaymentStatus::Declined => {
                steps.push((ActionType::Authorization, p.amount, t0, "payment_declined"))
            }
            _ => steps.push((ActionType::Authorization, p.amount, t0, "payment_approved")),
        }
        let t1 = t0 + Duration::minutes(1);
        let t2 = t0 + Duration::days(1);
        match new.status {
            PaymentStatus::Captured => steps.push((ActionType::Capture, p.amount, t1, "payment_captured")),
            PaymentStatus::PartiallyCaptured => {
                steps.push((ActionType::Capture, half, t1, "payment_captured"))
            }
            PaymentStatus::Refunded => {
                steps.push((ActionType::Capture, p.amount, t1, "payment_captured"));
                steps.push((ActionType::Refund, p.amount, t2, "payment_refunded"));
            }
            PaymentStatus::PartiallyRefunded => {
                steps.push((ActionType::Capture, p.amount, t1, "payment_captured"));
                steps.push((ActionType::Refund, half, t2, "payment_refunded"));
            }
            PaymentStatus::Voided => steps.push((ActionType::Void, p.amount, t1, "payment_voided")),
            _ => {}
        }
        for (i, (kind, amount, at, _)) in steps.iter().enumerate() {
            let approved = !declined;
            let (code, summary) = if approved {
                cards::APPROVED
            } else {
                ("20051", "Insufficient Funds")
            };
            if i == 0 {
                p.response_code = Some(code.to_owned());
                p.response_summary = Some(summary.to_owned());
                p.auth_code = approved.then(|| ids::digits(rng, 6));
            }
            p.actions.push(Action {
                id: ids::action(rng),
                kind: *kind,
                amount: *amount,
                approved,
                response_code: code.to_owned(),
                response_summary: summary.to_owned(),
                auth_code: if i == 0 { p.auth_code.clone() } else { None },
                processed_on: *at,
                reference: p.reference.clone(),
                metadata: None,
                retrieval_reference_number: ids::digits(rng, 12),
                acquirer_transaction_id: ids::digits(rng, 21),
            });
            match kind {
                ActionType::Authorization if approved => p.authorized = *amount,
                ActionType::Capture => p.captured += amount,
                ActionType::Refund => p.refunded += amount,
                ActionType::Void => p.voided += amount,
                _ => {}
            }
        }
        if new.status == PaymentStatus::PartiallyCaptured {
            p.capture_closed = true;
        }
        state.payment_order.push(id.clone());
        state.payments.insert(id.clone(), p);
        for (i, (_, _, at, event)) in steps.iter().enumerate() {
            let action_id = state.payments[&id].actions[i].id.clone();
            let data = self.payment_event_data(&state, &id, Some(&action_id));
            self.emit(&mut state, event, &id, data, *at, false);
        }
        id
    }

    /// Adds a dispute on `payment_id` (which should exist) for `amount`, with `reason` a spec
    /// `Dispute.category` (e.g. `"fraudulent"`; unknown → `"general"`) and `status` a spec
    /// `Dispute.status` (e.g. `"evidence_required"`; unknown → that). Returns its id (`dsp_…`).
    pub fn insert_dispute(
        &self,
        payment_id: &str,
        amount: i64,
        reason: &str,
        status: &str,
        created: DateTime<Utc>,
    ) -> String {
        let mut state = self.lock();
        disputes::create(
            self, &mut state, payment_id, amount, reason, status, created, false,
        )
    }

    /// Accepts `key` as a secret key (`Authorization: Bearer <key>`) with every scope.
    pub fn register_secret_key(&self, key: &str) {
        self.lock().secret_keys.insert(key.to_owned());
    }

    /// Registers an OAuth client (Checkout.com access key) allowed to request `scopes`
    /// (parents such as `gateway` allow their children).
    pub fn register_client(&self, client_id: &str, secret: &str, scopes: &[&str]) {
        self.lock().clients.insert(
            client_id.to_owned(),
            Client {
                secret: secret.to_owned(),
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            },
        );
    }

    /// Every payment as `GET /payments/{id}` returns it, in creation order.
    pub fn payments(&self) -> Vec<Value> {
        let state = self.lock();
        state
            .payment_order
            .iter()
            .filter_map(|id| state.payments.get(id))
            .map(|payment| {
                json!(
                    View {
                        base: &self.ctx.base_url,
                        payment
                    }
                    .details()
                )
            })
            .collect()
    }

    /// Every event envelope (as delivered to webhooks), oldest first.
    pub fn events(&self) -> Vec<Value> {
        self.lock()
            .events
            .iter()
            .map(|e| serde_json::from_str(&e.body).unwrap_or(Value::Null))
            .collect()
    }
}
