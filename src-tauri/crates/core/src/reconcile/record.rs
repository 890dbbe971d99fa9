//! [`Record`]: one money movement from either side, reduced to what matching compares.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::record_id::RecordId;
use crate::currency::Currency;

/// Which system a record was read from. Only used to name records in reasons and exceptions: the
/// side a record is matched on is the slice it is passed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Stripe.
    Stripe,
    /// Checkout.com.
    CheckoutCom,
    /// Payoneer.
    Payoneer,
    /// MaldoPay.
    MaldoPay,
    /// Salesforce.
    Salesforce,
}

impl Source {
    /// The name people know the system by.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Stripe => "Stripe",
            Self::CheckoutCom => "Checkout.com",
            Self::Payoneer => "Payoneer",
            Self::MaldoPay => "MaldoPay",
            Self::Salesforce => "Salesforce",
        }
    }
}

/// What kind of object a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A card or wallet payment (Stripe charge, Checkout.com payment).
    Charge,
    /// Money returned to a customer.
    Refund,
    /// A chargeback.
    Dispute,
    /// A transfer out of the provider balance (to the merchant's bank, or to a payee).
    Payout,
    /// One line of a provider balance (Stripe `balance_transaction`).
    BalanceTransaction,
    /// A Salesforce `Payment__c`.
    Payment,
    /// A Salesforce `Invoice__c`.
    Invoice,
    /// A MaldoPay transaction.
    PaymentTransaction,
    /// A Salesforce `Payment_Request__c`.
    PaymentRequest,
}

impl RecordKind {
    /// The Salesforce object this kind is stored as, when it is a Salesforce kind.
    pub const fn salesforce_object(self) -> Option<&'static str> {
        match self {
            Self::Payment => Some("Payment__c"),
            Self::Invoice => Some("Invoice__c"),
            Self::PaymentRequest => Some("Payment_Request__c"),
            _ => None,
        }
    }

    /// A lower-case noun for messages ("charge", "balance transaction").
    pub const fn noun(self) -> &'static str {
        match self {
            Self::Charge => "charge",
            Self::Refund => "refund",
            Self::Dispute => "dispute",
            Self::Payout => "payout",
            Self::BalanceTransaction => "balance transaction",
            Self::Payment => "payment",
            Self::Invoice => "invoice",
            Self::PaymentTransaction => "transaction",
            Self::PaymentRequest => "payment request",
        }
    }
}

/// Where a movement stands. Each side maps its own vocabulary onto this (Salesforce `Completed`
/// is [`Status::Succeeded`], a Payoneer `Paid` payout too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The money moved.
    Succeeded,
    /// Not settled yet.
    Pending,
    /// It did not move.
    Failed,
    /// It moved and was given back in full.
    Refunded,
    /// Withdrawn before it moved.
    Cancelled,
}

impl Status {
    /// The lower-case word for messages.
    pub const fn word(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Pending => "pending",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
            Self::Cancelled => "cancelled",
        }
    }
}

/// The same movement after a currency conversion, e.g. a Payoneer payout's `target_amount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fx {
    /// The currency converted into.
    pub currency: Currency,
    /// The converted amount, in minor units of `currency`, with the record's sign.
    pub amount_minor: i64,
}

/// One money movement as matching sees it.
///
/// Sign convention: both systems state a movement with the same sign, positive for money the
/// merchant receives or sends on as a payout, negative for money given back (refunds, lost
/// disputes). `amount_minor` is the gross; `fee_minor` the fee taken from it (0 when unknown),
/// so the net is `amount_minor - fee_minor`.
///
/// Identifiers: `id` is the record's own id. `keys` are the other ids the same movement is known
/// by (a `Payment__c` carries the Stripe charge id it was written from). `part_of` are ids of
/// the larger object it belongs to (the invoice a charge pays, the payout that settled a
/// payment, a payout batch). Records that share any of these strings are linked; records on one
/// side that share an *identity* (`id` or `keys`, not `part_of`) are candidates for
/// [`ExceptionKind::Duplicate`](super::ExceptionKind::Duplicate). Reconcile one level at a time
/// (charges against payments, or payouts against payments): feeding a payout *and* its charges
/// puts both in one group and the sums cannot agree.
///
/// Ordered by `id` first, so sorting gives the canonical order the engine works in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The record's own id (`ch_…`, `a02…`).
    pub id: RecordId,
    /// The system it came from.
    pub source: Source,
    /// What kind of object it is.
    pub kind: RecordKind,
    /// The currency of `amount_minor` and `fee_minor`.
    pub currency: Currency,
    /// The gross amount in minor units (see the sign convention above).
    pub amount_minor: i64,
    /// The fee taken from the gross, in minor units; 0 when unknown.
    #[serde(default)]
    pub fee_minor: i64,
    /// The converted amount, when the movement was converted into another currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fx: Option<Fx>,
    /// The day it happened (captured, paid out, booked).
    pub date: NaiveDate,
    /// Where it stands.
    pub status: Status,
    /// A free-text reference: order or invoice number, description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Who paid or was paid: a customer or payee id, or a normalised e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
    /// Other ids this same movement is known by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<RecordId>,
    /// Ids of the larger objects this movement belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub part_of: Vec<RecordId>,
}

impl Record {
    /// A succeeded record with no fee, conversion, reference, counterparty or cross ids.
    pub fn new(
        id: impl Into<RecordId>,
        source: Source,
        kind: RecordKind,
        currency: Currency,
        amount_minor: i64,
        date: NaiveDate,
    ) -> Self {
        Self {
            id: id.into(),
            source,
            kind,
            currency,
            amount_minor,
            fee_minor: 0,
            fx: None,
            date,
            status: Status::Succeeded,
            reference: None,
            counterparty: None,
            keys: Vec::new(),
            part_of: Vec::new(),
        }
    }

    /// With this fee.
    #[must_use]
    pub fn with_fee(mut self, fee_minor: i64) -> Self {
        self.fee_minor = fee_minor;
        self
    }

    /// With this converted amount.
    #[must_use]
    pub fn with_fx(mut self, currency: Currency, amount_minor: i64) -> Self {
        self.fx = Some(Fx {
            currency,
            amount_minor,
        });
        self
    }

    /// With this status.
    #[must_use]
    pub fn with_status(mut self, status: Status) -> Self {
        self.status = status;
        self
    }

    /// With this reference.
    #[must_use]
    pub fn with_reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }

    /// With this counterparty.
    #[must_use]
    pub fn with_counterparty(mut self, counterparty: impl Into<String>) -> Self {
        self.counterparty = Some(counterparty.into());
        self
    }

    /// Also known by `key`.
    #[must_use]
    pub fn with_key(mut self, key: impl Into<RecordId>) -> Self {
        self.keys.push(key.into());
        self
    }

    /// Belonging to the object `parent`.
    #[must_use]
    pub fn with_part_of(mut self, parent: impl Into<RecordId>) -> Self {
        self.part_of.push(parent.into());
        self
    }

    /// The net amount, gross minus fee, in minor units (`i128`, so it cannot overflow).
    pub fn net_minor(&self) -> i128 {
        i128::from(self.amount_minor) - i128::from(self.fee_minor)
    }

    /// Every non-blank string this record links by: `id`, `keys`, then `part_of`.
    pub(crate) fn link_strings(&self) -> impl Iterator<Item = &RecordId> {
        self.identities()
            .chain(self.part_of.iter().filter(|s| !is_blank(s)))
    }

    /// The strings that say which movement this *is*: `id` and `keys`.
    pub(crate) fn identities(&self) -> impl Iterator<Item = &RecordId> {
        std::iter::once(&self.id)
            .chain(&self.keys)
            .filter(|s| !is_blank(s))
    }

    /// A short reference to this record for outcomes.
    pub fn to_ref(&self) -> RecordRef {
        RecordRef {
            id: self.id.clone(),
            source: self.source,
            kind: self.kind,
        }
    }
}

fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// A record named in an outcome: its id and enough to say what it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordRef {
    /// The record's id.
    pub id: RecordId,
    /// The system it came from.
    pub source: Source,
    /// What kind of object it is.
    pub kind: RecordKind,
}

impl fmt::Display for RecordRef {
    /// `Stripe charge ch_123`, or `Payment__c a02…` for Salesforce objects.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.source, self.kind.salesforce_object()) {
            (Source::Salesforce, Some(object)) => write!(f, "{object} {}", self.id),
            (source, _) => write!(f, "{} {} {}", source.label(), self.kind.noun(), self.id),
        }
    }
}
