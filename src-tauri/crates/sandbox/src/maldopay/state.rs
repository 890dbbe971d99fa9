//! The MaldoPay simulator's in-memory state: merchant credentials, player tokens, transactions
//! (with refunds and chargebacks as child transactions), outcome rules, callback configuration and
//! the callback delivery log. Serializable so snapshots round-trip.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::signing::CallbackSigning;

/// The `clientId` every fresh simulator knows.
pub const DEFAULT_CLIENT_ID: &str = "1001";
/// The `brandId` of [`DEFAULT_CLIENT_ID`].
pub const DEFAULT_BRAND_ID: &str = "1";
/// The `apiKey` of [`DEFAULT_CLIENT_ID`].
pub const DEFAULT_API_KEY: &str = "sandbox-api-key";

/// What a transaction moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TxType {
    /// Player pays in.
    Deposit,
    /// Player is paid out.
    Withdraw,
    /// Money returned on a confirmed deposit (sandbox model; created by admin/seeding).
    Refund,
    /// A disputed deposit reversed by the payment method (sandbox model; created by admin/seeding).
    Chargeback,
}

impl TxType {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deposit => "DEPOSIT",
            Self::Withdraw => "WITHDRAW",
            Self::Refund => "REFUND",
            Self::Chargeback => "CHARGEBACK",
        }
    }
}

/// A transaction's status, spelled as callbacks spell `result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TxStatus {
    /// Created, waiting for the player or the payment method.
    Pending,
    /// Done (success).
    Confirmed,
    /// Refused by the payment method.
    Declined,
    /// Abandoned or cancelled.
    Canceled,
}

impl TxStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Confirmed => "CONFIRMED",
            Self::Declined => "DECLINED",
            Self::Canceled => "CANCELED",
        }
    }
}

/// A transaction to seed (bypasses auth and faults; belongs to the default client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTransaction {
    /// DEPOSIT or WITHDRAW (REFUND/CHARGEBACK are created with their own calls).
    #[serde(rename = "type")]
    pub kind: TxType,
    /// A `serviceId` from the catalog.
    pub service_id: u32,
    /// Amount in minor units.
    pub amount: i64,
    /// ISO currency code.
    pub currency: String,
    /// The merchant's reference (unique per client).
    pub reference_order_id: String,
    /// Its status; a PENDING one resolves CONFIRMED after the settle delay.
    pub status: TxStatus,
    /// When it was created.
    pub created: DateTime<Utc>,
}

/// A transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// MaldoPay's id (`transactionId`, `maldoTransactionId` in callbacks).
    pub transaction_id: String,
    /// Merchant.
    pub client_id: String,
    /// Brand.
    pub brand_id: String,
    /// What it moves.
    pub kind: TxType,
    /// Payment service.
    pub service_id: u32,
    /// Amount in minor units.
    pub amount: i64,
    /// ISO currency code.
    pub currency: String,
    /// The merchant's reference.
    pub reference_order_id: String,
    /// Current status.
    pub status: TxStatus,
    /// Current `codeId`.
    pub code_id: u32,
    /// Current reason text (`reason` in callbacks).
    pub reason: String,
    /// The player (`playerId` from the auth step).
    pub player_id: String,
    /// Landing pages from the request (`landingSuccess`, …).
    pub landing_pages: BTreeMap<String, String>,
    /// For refunds and chargebacks, the deposit they reverse.
    pub parent_transaction_id: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When a PENDING transaction resolves on its own.
    pub settle_at: Option<DateTime<Utc>>,
    /// What it resolves to then.
    pub planned: TxStatus,
}

/// A merchant's credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    /// `brandId`.
    pub brand_id: String,
    /// `apiKey`.
    pub api_key: String,
}

/// A player token from the auth step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// Merchant it was issued to.
    pub client_id: String,
    /// The player.
    pub player_id: String,
    /// The player's currency.
    pub currency: String,
    /// When it stops working (sim clock).
    pub expires_at: DateTime<Utc>,
}

/// Timing, credentials policy and outcome rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Player token lifetime.
    pub token_ttl_secs: i64,
    /// Delay before a PENDING transaction resolves on its own.
    pub settle_delay_secs: i64,
    /// Reject requests without `apiKey` (the MaldoPay SDK never sends one; omnipay does).
    pub require_api_key: bool,
    /// Send a `PENDING` callback when a pending transaction is created.
    pub send_pending_callbacks: bool,
    /// Amounts (minor units) that resolve DECLINED.
    pub declined_amounts: Vec<i64>,
    /// Amounts (minor units) that resolve CANCELED.
    pub canceled_amounts: Vec<i64>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            token_ttl_secs: 1800,
            settle_delay_secs: 60,
            require_api_key: false,
            send_pending_callbacks: true,
            declined_amounts: vec![5_100],
            canceled_amounts: vec![5_200],
        }
    }
}

/// Where callbacks go and how they are signed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CallbackConfig {
    /// Receiver (loopback only); no callbacks without one.
    pub url: Option<String>,
    /// Signing model.
    #[serde(default)]
    pub signing: CallbackSigning,
}

/// One callback delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackRecord {
    /// The transaction it reports.
    pub transaction_id: String,
    /// The receiver.
    pub url: String,
    /// The form body sent.
    pub body: String,
    /// Extra headers sent (signature, timestamp).
    pub headers: Vec<(String, String)>,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// The transport error, if it did not.
    pub error: Option<String>,
}

/// The whole simulator state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct State {
    pub clients: BTreeMap<String, Client>,
    pub tokens: BTreeMap<String, Token>,
    /// By `transactionId`.
    pub transactions: BTreeMap<String, Transaction>,
    pub config: Config,
    pub callbacks: CallbackConfig,
    pub duplicate_submissions: u64,
    pub deliveries: Vec<CallbackRecord>,
}

impl Default for State {
    fn default() -> Self {
        let mut clients = BTreeMap::new();
        clients.insert(
            DEFAULT_CLIENT_ID.to_owned(),
            Client {
                brand_id: DEFAULT_BRAND_ID.to_owned(),
                api_key: DEFAULT_API_KEY.to_owned(),
            },
        );
        Self {
            clients,
            tokens: BTreeMap::new(),
            transactions: BTreeMap::new(),
            config: Config::default(),
            callbacks: CallbackConfig::default(),
            duplicate_submissions: 0,
            deliveries: Vec::new(),
        }
    }
}

impl State {
    /// The transaction of `client_id` with `reference`, if any (refunds/chargebacks excluded:
    /// they share their deposit's reference).
    pub fn by_reference(&self, client_id: &str, reference: &str) -> Option<&Transaction> {
        self.transactions.values().find(|t| {
            t.client_id == client_id
                && t.reference_order_id == reference
                && matches!(t.kind, TxType::Deposit | TxType::Withdraw)
        })
    }
}
