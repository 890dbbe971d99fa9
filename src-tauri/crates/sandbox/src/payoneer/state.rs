//! The simulator's in-memory state: OAuth clients and tokens, programs with their balances, payees
//! and payouts, FX rates, fees, IPCN configuration and the append-only payout ledger. Everything is
//! `Serialize`/`Deserialize` so a snapshot round-trips exactly (money as `rust_decimal` strings).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The program id every fresh simulator knows.
pub const DEFAULT_PROGRAM_ID: &str = "100010001";
/// The OAuth client id every fresh simulator knows.
pub const DEFAULT_CLIENT_ID: &str = "paysync-sandbox";
/// The OAuth client secret of [`DEFAULT_CLIENT_ID`].
pub const DEFAULT_CLIENT_SECRET: &str = "sandbox-secret";
/// The `AppName` Payoneer puts in sandbox IPCN `Authorization` headers (apis.md §4).
pub const SANDBOX_APP_NAME: &str = "Webhook-IPCNSender-sandbox";

/// A payee's standing, as `GET …/payees/{id}/status` reports it (type 1 / 0 / 99).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayeeStatus {
    /// Registered and approved: can be paid (type 1).
    Active,
    /// Registered, KYC review not finished: cannot be paid yet (type 0).
    Pending,
    /// Declined or closed: cannot be paid (type 99).
    Inactive,
}

impl PayeeStatus {
    /// The numeric `status.type` Payoneer reports.
    pub fn type_code(self) -> u8 {
        match self {
            Self::Active => 1,
            Self::Pending => 0,
            Self::Inactive => 99,
        }
    }

    /// The `status.description` Payoneer reports.
    pub fn description(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Pending => "Pending",
            Self::Inactive => "Inactive",
        }
    }
}

/// Why every payout to a payee fails at settlement (e.g. `30013` "Bank details - Invalid Branch
/// Code", the code in go-payoneer's Cancelled fixture).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutFailure {
    /// The reason code reported as `reason_code` and `cancel_reason_code`.
    pub code: u32,
    /// The human-readable reason.
    pub description: String,
}

/// A payee to seed (bypasses registration, auth and faults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPayee {
    /// The program's own id for the payee (`payee_id` in every API call).
    pub payee_id: String,
    /// Its standing.
    pub status: PayeeStatus,
    /// Reasons shown with the status (typically for Pending / Inactive).
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Contact e-mail.
    pub email: String,
    /// ISO 3166 alpha-2 country.
    pub country: String,
    /// The currency the payee is paid out in; a payout in another currency is converted (FX).
    pub payout_currency: String,
    /// When set, every payout to this payee is Cancelled at settlement with this reason.
    #[serde(default)]
    pub fail_payouts_with: Option<PayoutFailure>,
}

/// A payee of a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payee {
    /// The program's id for the payee.
    pub payee_id: String,
    /// Payoneer's account id for the payee (numeric string).
    pub account_id: String,
    /// Its standing.
    pub status: PayeeStatus,
    /// Reasons shown with the status.
    pub reasons: Vec<String>,
    /// Contact e-mail.
    pub email: String,
    /// ISO 3166 alpha-2 country.
    pub country: String,
    /// Payout currency.
    pub payout_currency: String,
    /// Payout method type (`BANK` for seeded payees).
    pub payout_method_type: String,
    /// Forced settlement failure, if any.
    pub fail_payouts_with: Option<PayoutFailure>,
    /// The registration session id (`client_session_id` of the registration link), if any.
    pub session_id: String,
    /// When the payee registered.
    pub registered_at: DateTime<Utc>,
}

/// A payout's status, spelled as the status endpoint spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayoutStatus {
    /// Accepted, not settled yet.
    Pending,
    /// Loaded to the payee (success).
    Transferred,
    /// Cancelled by the program or failed at settlement.
    Cancelled,
}

impl PayoutStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Transferred => "Transferred",
            Self::Cancelled => "Cancelled",
        }
    }
}

/// A payout accepted by `POST …/masspayouts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    /// The program it belongs to.
    pub program_id: String,
    /// The caller's idempotency/correlation key (unique per program).
    pub client_reference_id: String,
    /// Payoneer's id (numeric string).
    pub payout_id: String,
    /// The payee.
    pub payee_id: String,
    /// Amount in major units of `currency`.
    pub amount: Decimal,
    /// The program currency it is paid from.
    pub currency: String,
    /// Free text from the request.
    pub description: String,
    /// Optional grouping id from the request.
    pub group_id: Option<String>,
    /// The `payout_date` the caller asked for, if any.
    pub requested_payout_date: Option<DateTime<Utc>>,
    /// Fee charged to the program for this payout (in `currency`); a sandbox extension.
    pub fee: Decimal,
    /// Current status.
    pub status: PayoutStatus,
    /// When it was accepted.
    pub created_at: DateTime<Utc>,
    /// When it settles (if still Pending).
    pub settle_at: DateTime<Utc>,
    /// When it was loaded to the payee.
    pub load_date: Option<DateTime<Utc>>,
    /// Converted amount when the payee's currency differs.
    pub target_amount: Option<Decimal>,
    /// The payee's currency when it differs.
    pub target_currency: Option<String>,
    /// Rejection reason code (settlement failure).
    pub reason_code: Option<String>,
    /// Rejection reason text.
    pub reason_description: Option<String>,
    /// Cancellation reason code.
    pub cancel_reason_code: Option<u32>,
    /// Cancellation reason text.
    pub cancel_reason_description: Option<String>,
    /// When a requested cancel takes effect (if it still can).
    pub cancel_at: Option<DateTime<Utc>>,
}

/// One payout creation, for crash tests that assert no payout was created twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The program.
    pub program_id: String,
    /// The caller's reference.
    pub client_reference_id: String,
    /// Payoneer's payout id.
    pub payout_id: String,
    /// Amount in major units.
    pub amount: Decimal,
    /// Currency.
    pub currency: String,
    /// The payee.
    pub payee_id: String,
    /// Current status of the payout (filled in when read).
    pub status: PayoutStatus,
    /// When the payout was created.
    pub created_at: DateTime<Utc>,
}

/// A program: balances per currency, payees and payouts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// The currency `GET /balance` reports without a `currency` query.
    pub primary_currency: String,
    /// Available funds per currency (major units).
    pub balances: BTreeMap<String, Decimal>,
    /// Payees by `payee_id`.
    pub payees: BTreeMap<String, Payee>,
    /// Payouts by `client_reference_id`.
    pub payouts: BTreeMap<String, Payout>,
}

/// A registered OAuth client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    /// Its secret.
    pub secret: String,
    /// Programs its tokens may act on.
    pub program_ids: Vec<String>,
}

/// An issued access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The client it was issued to.
    pub client_id: String,
    /// When it stops working (sim clock).
    pub expires_at: DateTime<Utc>,
}

/// A registration link handed out by `POST …/payees/registration-link`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationLink {
    /// The program.
    pub program_id: String,
    /// The payee it registers.
    pub payee_id: String,
    /// `client_session_id` from the request (reported as `Session Id` in IPCNs).
    pub session_id: String,
    /// Where the page sends the payee afterwards.
    pub redirect_url: Option<String>,
    /// Pre-filled e-mail.
    pub email: String,
    /// Pre-filled country.
    pub country: String,
    /// Payout currency chosen at registration.
    pub payout_currency: String,
    /// Whether it has been used.
    pub used: bool,
}

/// IPCN event types; each can have its own receiver URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpcnEvent {
    /// "Payment Request Accepted": a payout was accepted.
    PaymentRequestAccepted,
    /// "Cancel Payout": a payout was cancelled or failed.
    CancelPayout,
    /// "Sent to bank / Account-Card loaded": a payout was Transferred.
    AccountLoaded,
    /// "Approved": a payee was approved.
    PayeeApproved,
    /// "Declined": a payee was declined.
    PayeeDeclined,
}

/// Where and how IPCNs are sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpcnConfig {
    /// `AppName` in the `Authorization` header.
    pub app_name: String,
    /// HMAC secret; without one no `Authorization` header is sent (IP allow-list mode).
    pub secret: Option<String>,
    /// Receiver URL per event type (loopback only).
    pub urls: BTreeMap<IpcnEvent, String>,
}

impl Default for IpcnConfig {
    fn default() -> Self {
        Self {
            app_name: SANDBOX_APP_NAME.to_owned(),
            secret: None,
            urls: BTreeMap::new(),
        }
    }
}

/// Timing and limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Access token lifetime.
    pub token_ttl_secs: i64,
    /// Delay between acceptance and settlement.
    pub settle_delay_secs: i64,
    /// Delay between a cancel request and its effect.
    pub cancel_delay_secs: i64,
    /// Largest accepted batch (go-payoneer's own limit, unverified).
    pub max_batch: usize,
    /// Whether completing the registration page makes the payee Active (else Pending, KYC).
    pub auto_approve_registrations: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            token_ttl_secs: 3600,
            settle_delay_secs: 120,
            cancel_delay_secs: 5,
            max_batch: 500,
            auto_approve_registrations: true,
        }
    }
}

/// One IPCN delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// The event type.
    pub event: IpcnEvent,
    /// The receiver.
    pub url: String,
    /// The JSON body sent.
    pub body: String,
    /// The `Authorization` header sent, if any.
    pub authorization: Option<String>,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// The transport error, if it did not.
    pub error: Option<String>,
}

/// The whole simulator state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct State {
    pub clients: BTreeMap<String, Client>,
    pub tokens: BTreeMap<String, Grant>,
    pub programs: BTreeMap<String, Program>,
    /// Rates keyed `FROM/TO`.
    pub fx_rates: BTreeMap<String, Decimal>,
    /// Flat fee per payout, by payout currency.
    pub fees: BTreeMap<String, Decimal>,
    pub links: BTreeMap<String, RegistrationLink>,
    pub config: Config,
    pub ipcn: IpcnConfig,
    /// Every payout creation, in order (status filled in when read).
    pub ledger: Vec<LedgerEntry>,
    pub duplicate_submissions: u64,
    pub deliveries: Vec<DeliveryRecord>,
}

impl Default for State {
    fn default() -> Self {
        let mut clients = BTreeMap::new();
        clients.insert(
            DEFAULT_CLIENT_ID.to_owned(),
            Client {
                secret: DEFAULT_CLIENT_SECRET.to_owned(),
                program_ids: vec![DEFAULT_PROGRAM_ID.to_owned()],
            },
        );
        let mut programs = BTreeMap::new();
        programs.insert(
            DEFAULT_PROGRAM_ID.to_owned(),
            Program {
                primary_currency: "USD".to_owned(),
                ..Program::default()
            },
        );
        Self {
            clients,
            tokens: BTreeMap::new(),
            programs,
            fx_rates: BTreeMap::new(),
            fees: BTreeMap::new(),
            links: BTreeMap::new(),
            config: Config::default(),
            ipcn: IpcnConfig::default(),
            ledger: Vec::new(),
            duplicate_submissions: 0,
            deliveries: Vec::new(),
        }
    }
}

impl State {
    /// The program, created on first use so seeding a new program id just works.
    pub fn program_mut(&mut self, program_id: &str) -> &mut Program {
        self.programs
            .entry(program_id.to_owned())
            .or_insert_with(|| Program {
                primary_currency: "USD".to_owned(),
                ..Program::default()
            })
    }

    /// The rate to convert `from` into `to` (1 when equal).
    pub fn fx_rate(&self, from: &str, to: &str) -> Option<Decimal> {
        if from == to {
            return Some(Decimal::ONE);
        }
        self.fx_rates.get(&fx_key(from, to)).copied()
    }

    /// The flat fee for a payout in `currency` (0 when none is configured).
    pub fn fee(&self, currency: &str) -> Decimal {
        self.fees.get(currency).copied().unwrap_or(Decimal::ZERO)
    }
}

/// The key of an FX rate.
pub(crate) fn fx_key(from: &str, to: &str) -> String {
    format!("{}/{}", from.to_ascii_uppercase(), to.to_ascii_uppercase())
}
