//! The simulator's whole state: serialisable, so a snapshot restores every payment, dispute, key,
//! token, saved idempotent response, webhook receiver and event.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_SECRET_KEY};

/// Knobs for timing and failure behaviour, changeable at run time through
/// `PUT /__sandbox/config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Real milliseconds before an accepted capture, refund, void or automatic capture completes.
    pub action_delay_ms: u64,
    /// When true, accepted actions wait for `POST /__sandbox/actions/complete` instead of the delay.
    pub hold_actions: bool,
    /// Real milliseconds each payment-changing handler sleeps while its idempotency key is in
    /// flight, to make concurrent-request behaviour testable.
    pub handler_delay_ms: u64,
    /// How long a saved idempotent response is replayed (sandbox clock). Checkout.com: 24 h.
    pub idempotency_ttl_secs: i64,
    /// The status for a request whose idempotency key is still being processed: 409 now, 429
    /// ("Too many requests or duplicate request detected") in the 2023 spec and older accounts.
    pub idempotency_conflict_status: u16,
    /// Lifetime of OAuth access tokens in seconds (`expires_in`).
    pub token_ttl_secs: i64,
    /// Delivery attempts per webhook before giving up (1 = no retry).
    pub webhook_max_attempts: u32,
    /// Real milliseconds before the first webhook retry; doubled for each further retry.
    pub webhook_retry_base_ms: u64,
    /// Deliver every webhook twice (Checkout.com promises at-least-once delivery).
    pub webhook_duplicates: bool,
    /// Real milliseconds a receiver has to answer before the attempt counts as failed (10 s).
    pub webhook_timeout_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            action_delay_ms: 200,
            hold_actions: false,
            handler_delay_ms: 0,
            idempotency_ttl_secs: 24 * 3600,
            idempotency_conflict_status: 409,
            token_ttl_secs: 3600,
            webhook_max_attempts: 5,
            webhook_retry_base_ms: 250,
            webhook_duplicates: false,
            webhook_timeout_ms: 10_000,
        }
    }
}

/// A payment's status as `GET /payments/{id}` reports it (spec `PaymentDetails.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentStatus {
    /// Waiting for 3-D Secure authentication (or another asynchronous step).
    Pending,
    /// Authorized, nothing captured yet.
    Authorized,
    /// A zero-amount card verification that succeeded.
    #[serde(rename = "Card Verified")]
    CardVerified,
    /// The authorization was released.
    Voided,
    /// Part of the authorized amount was captured.
    #[serde(rename = "Partially Captured")]
    PartiallyCaptured,
    /// The whole authorized amount was captured.
    Captured,
    /// Part of the captured amount was refunded.
    #[serde(rename = "Partially Refunded")]
    PartiallyRefunded,
    /// The whole captured amount was refunded.
    Refunded,
    /// The issuer (or 3-D Secure) declined it.
    Declined,
    /// Canceled before it was processed.
    Canceled,
    /// Its authorization or 3-D Secure window expired.
    Expired,
}

impl PaymentStatus {
    /// The status as Checkout.com spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Authorized => "Authorized",
            Self::CardVerified => "Card Verified",
            Self::Voided => "Voided",
            Self::PartiallyCaptured => "Partially Captured",
            Self::Captured => "Captured",
            Self::PartiallyRefunded => "Partially Refunded",
            Self::Refunded => "Refunded",
            Self::Declined => "Declined",
            Self::Canceled => "Canceled",
            Self::Expired => "Expired",
        }
    }
}

/// An action on a payment (spec `PaymentAction.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ActionType {
    Authorization,
    #[serde(rename = "Card Verification")]
    CardVerification,
    Void,
    Capture,
    Refund,
}

impl ActionType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Authorization => "Authorization",
            Self::CardVerification => "Card Verification",
            Self::Void => "Void",
            Self::Capture => "Capture",
            Self::Refund => "Refund",
        }
    }
}

/// A completed action.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Action {
    pub id: String,
    pub kind: ActionType,
    pub amount: i64,
    pub approved: bool,
    pub response_code: String,
    pub response_summary: String,
    pub auth_code: Option<String>,
    pub processed_on: DateTime<Utc>,
    pub reference: Option<String>,
    pub metadata: Option<Map<String, Value>>,
    pub retrieval_reference_number: String,
    pub acquirer_transaction_id: String,
}

/// A card as the simulator remembers it (never the full number).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Card {
    pub source_id: String,
    pub scheme: String,
    pub last4: String,
    pub bin: String,
    pub expiry_month: u32,
    pub expiry_year: i32,
    pub name: Option<String>,
    pub fingerprint: String,
    pub card_type: String,
    pub issuer: String,
    pub issuer_country: String,
    pub outcome: super::cards::Outcome,
}

/// A customer, found again by e-mail address.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Customer {
    pub id: String,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// 3-D Secure data for a payment that asked for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ThreeDs {
    pub enrolled: String,
    pub downgraded: bool,
    pub challenged: bool,
    /// "Y" (authenticated), "N" (failed) or `None` while the challenge is open.
    pub authentication_response: Option<String>,
}

/// A payment and its running totals.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Payment {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub reference: Option<String>,
    pub description: Option<String>,
    pub payment_type: String,
    pub status: PaymentStatus,
    pub approved: bool,
    pub response_code: Option<String>,
    pub response_summary: Option<String>,
    pub auth_code: Option<String>,
    pub requested_on: DateTime<Utc>,
    pub processed_on: Option<DateTime<Utc>>,
    pub source: Option<Card>,
    pub customer: Option<Customer>,
    pub metadata: Map<String, Value>,
    /// Whether the authorization is captured automatically.
    pub capture: bool,
    pub three_ds: Option<ThreeDs>,
    pub success_url: Option<String>,
    pub failure_url: Option<String>,
    /// Completed actions, oldest first.
    pub actions: Vec<Action>,
    pub authorized: i64,
    pub captured: i64,
    pub refunded: i64,
    pub voided: i64,
    /// Amounts of accepted, not yet completed captures and refunds.
    pub pending_capture: i64,
    pub pending_refund: i64,
    pub pending_void: bool,
    /// A `Final` capture has been accepted: the rest of the authorization is released.
    pub capture_closed: bool,
    pub eci: Option<String>,
    pub scheme_id: Option<String>,
}

impl Payment {
    /// Amount still capturable.
    pub fn available_to_capture(&self) -> i64 {
        let capturable = matches!(
            self.status,
            PaymentStatus::Authorized | PaymentStatus::PartiallyCaptured
        ) && !self.capture_closed
            && !self.pending_void;
        if capturable {
            (self.authorized - self.captured - self.pending_capture).max(0)
        } else {
            0
        }
    }

    /// Amount still voidable: only an authorization with nothing captured or being captured.
    pub fn available_to_void(&self) -> i64 {
        if self.status == PaymentStatus::Authorized
            && self.captured == 0
            && self.pending_capture == 0
            && !self.pending_void
        {
            self.authorized
        } else {
            0
        }
    }

    /// Amount still refundable (captured, less refunds done or accepted).
    pub fn available_to_refund(&self) -> i64 {
        (self.captured - self.refunded - self.pending_refund).max(0)
    }
}

/// An action accepted with `202` and not yet completed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingOp {
    pub payment_id: String,
    pub kind: ActionType,
    pub amount: i64,
    pub reference: Option<String>,
    pub metadata: Option<Map<String, Value>>,
}

/// A dispute.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Dispute {
    pub id: String,
    pub entity_id: String,
    pub category: String,
    pub status: String,
    pub amount: i64,
    pub currency: String,
    pub reason_code: String,
    pub payment_id: String,
    pub payment_action_id: Option<String>,
    pub payment_reference: Option<String>,
    pub payment_method: String,
    pub payment_arn: String,
    pub payment_amount: i64,
    pub payment_processed_on: Option<DateTime<Utc>>,
    pub evidence_required_by: DateTime<Utc>,
    pub received_on: DateTime<Utc>,
    pub last_update: DateTime<Utc>,
    /// Evidence fields provided with `PUT …/evidence`.
    pub evidence: Map<String, Value>,
}

/// An OAuth client (Checkout.com "access key").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Client {
    pub secret: String,
    pub scopes: Vec<String>,
}

/// An issued access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Token {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// A response saved under an idempotency key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SavedResponse {
    pub status: u16,
    pub body: Option<Value>,
    pub saved_at: DateTime<Utc>,
}

/// A webhook receiver: the simulator's stand-in for a workflow with a webhook action.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Receiver {
    pub id: String,
    pub url: String,
    pub signature_key: String,
    pub headers: BTreeMap<String, String>,
    /// Event types delivered; empty means all.
    pub event_types: Vec<String>,
}

/// An event, with the exact bytes every delivery of it carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EventRecord {
    pub id: String,
    pub event_type: String,
    pub subject_id: String,
    pub created_on: DateTime<Utc>,
    pub body: String,
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Delivery {
    pub event_id: String,
    pub receiver_id: String,
    pub attempt: u32,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

/// Everything the simulator knows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct State {
    pub config: Config,
    pub secret_keys: BTreeSet<String>,
    pub clients: BTreeMap<String, Client>,
    pub tokens: BTreeMap<String, Token>,
    pub payments: BTreeMap<String, Payment>,
    /// Payment ids in creation order (the maps are sorted by id, which is random).
    pub payment_order: Vec<String>,
    /// Stored cards by source id, and source ids by card fingerprint.
    pub sources: BTreeMap<String, Card>,
    pub source_by_fingerprint: BTreeMap<String, String>,
    pub customers_by_email: BTreeMap<String, Customer>,
    pub pending: BTreeMap<String, PendingOp>,
    pub disputes: BTreeMap<String, Dispute>,
    pub idempotency: BTreeMap<String, SavedResponse>,
    /// Keys whose first request is still running; not part of a snapshot.
    #[serde(skip)]
    pub in_flight: BTreeSet<String>,
    pub receivers: BTreeMap<String, Receiver>,
    pub events: Vec<EventRecord>,
    pub deliveries: Vec<Delivery>,
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

impl State {
    /// An empty state that accepts [`DEFAULT_SECRET_KEY`] and the OAuth client
    /// [`DEFAULT_CLIENT_ID`].
    pub fn new() -> Self {
        Self {
            config: Config::default(),
            secret_keys: BTreeSet::from([DEFAULT_SECRET_KEY.to_owned()]),
            clients: BTreeMap::from([(
                DEFAULT_CLIENT_ID.to_owned(),
                Client {
                    secret: DEFAULT_CLIENT_SECRET.to_owned(),
                    scopes: vec!["gateway".to_owned(), "disputes".to_owned()],
                },
            )]),
            tokens: BTreeMap::new(),
            payments: BTreeMap::new(),
            payment_order: Vec::new(),
            sources: BTreeMap::new(),
            source_by_fingerprint: BTreeMap::new(),
            customers_by_email: BTreeMap::new(),
            pending: BTreeMap::new(),
            disputes: BTreeMap::new(),
            idempotency: BTreeMap::new(),
            in_flight: BTreeSet::new(),
            receivers: BTreeMap::new(),
            events: Vec::new(),
            deliveries: Vec::new(),
        }
    }

    /// Keeps the delivery log bounded.
    pub fn log_delivery(&mut self, delivery: Delivery) {
        const KEEP: usize = 2_000;
        if self.deliveries.len() >= KEEP {
            self.deliveries.drain(..KEEP / 2);
        }
        self.deliveries.push(delivery);
    }
}
