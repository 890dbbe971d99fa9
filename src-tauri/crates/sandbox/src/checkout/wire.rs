//! JSON bodies as Checkout.com names them (spec `components.schemas`), built from the state.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::state::{Action, Card, Customer, Payment, PaymentStatus, ThreeDs};

/// RFC 3339 with milliseconds and `Z`, as Checkout.com writes timestamps.
pub(crate) fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Spec `Link`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Link {
    pub href: String,
}

/// A `_links` object.
pub(crate) type Links = BTreeMap<&'static str, Link>;

pub(crate) fn link(href: String) -> Link {
    Link { href }
}

/// Spec `PaymentResponseBalances`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Balances {
    pub total_authorized: i64,
    pub total_voided: i64,
    pub available_to_void: i64,
    pub total_captured: i64,
    pub available_to_capture: i64,
    pub total_refunded: i64,
    pub available_to_refund: i64,
}

/// Spec `01_PaymentResponseCardSource`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CardSource {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub expiry_month: u32,
    pub expiry_year: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub scheme: String,
    pub last4: String,
    pub fingerprint: String,
    pub bin: String,
    pub card_type: String,
    pub card_category: &'static str,
    pub issuer: String,
    pub issuer_country: String,
    pub avs_check: &'static str,
    pub cvv_check: &'static str,
}

/// Spec `CustomerResponse`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CustomerResponse {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Spec `3dsData` / `3dsEnrollmentData`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ThreeDsData {
    pub downgraded: bool,
    pub enrolled: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_response: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenged: Option<bool>,
}

/// Spec `PaymentResponse` (201).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PaymentResponse {
    pub id: String,
    pub action_id: String,
    pub amount: i64,
    pub currency: String,
    pub approved: bool,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_code: Option<String>,
    pub response_code: String,
    pub response_summary: String,
    #[serde(rename = "3ds", skip_serializing_if = "Option::is_none")]
    pub three_ds: Option<ThreeDsData>,
    pub risk: Risk,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<CardSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerResponse>,
    pub balances: Balances,
    pub processed_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub processing: Processing,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eci: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    #[serde(rename = "_links")]
    pub links: Links,
}

/// The `risk` object.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Risk {
    pub flagged: bool,
}

/// The `processing` object of a payment response.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Processing {
    pub retrieval_reference_number: String,
    pub acquirer_transaction_id: String,
}

/// Spec `PaymentAcceptedResponse` (202).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PaymentAcceptedResponse {
    pub id: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerResponse>,
    #[serde(rename = "3ds", skip_serializing_if = "Option::is_none")]
    pub three_ds: Option<ThreeDsData>,
    #[serde(rename = "_links")]
    pub links: Links,
}

/// Spec `PaymentActionSummary`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionSummary {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub response_code: String,
    pub response_summary: String,
}

/// Spec `PaymentDetails` (`GET /payments/{id}`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PaymentDetails {
    pub id: String,
    pub requested_on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<CardSource>,
    pub amount: i64,
    pub currency: String,
    pub payment_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub approved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    pub status: &'static str,
    pub balances: Balances,
    #[serde(rename = "3ds", skip_serializing_if = "Option::is_none")]
    pub three_ds: Option<ThreeDsData>,
    pub risk: Risk,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerResponse>,
    pub metadata: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eci: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme_id: Option<String>,
    pub actions: Vec<ActionSummary>,
    #[serde(rename = "_links")]
    pub links: Links,
}

/// Spec `PaymentAction` (`GET /payments/{id}/actions`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PaymentAction {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub processed_on: String,
    pub amount: i64,
    pub approved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_code: Option<String>,
    pub response_code: String,
    pub response_summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub processing: ActionProcessing,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

/// The `processing` object of an action.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionProcessing {
    pub retrieval_reference_number: String,
    pub acquirer_transaction_id: String,
}

/// Spec `CaptureAcceptedResponse` / `RefundAcceptedResponse` / `VoidAcceptedResponse` (202).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionAccepted {
    pub action_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(rename = "_links")]
    pub links: Links,
}

/// The views of a payment, given the API's base URL.
pub(crate) struct View<'a> {
    pub base: &'a str,
    pub payment: &'a Payment,
}

impl View<'_> {
    fn self_href(&self) -> String {
        format!("{}/payments/{}", self.base, self.payment.id)
    }

    pub(crate) fn balances(&self) -> Balances {
        let p = self.payment;
        Balances {
            total_authorized: p.authorized,
            total_voided: p.voided,
            available_to_void: p.available_to_void(),
            total_captured: p.captured,
            available_to_capture: p.available_to_capture(),
            total_refunded: p.refunded,
            available_to_refund: p.available_to_refund(),
        }
    }

    /// `self` and `actions`, plus the operations the payment's state allows now.
    pub(crate) fn links(&self, redirect: bool) -> Links {
        let href = self.self_href();
        let mut links = Links::new();
        links.insert("self", link(href.clone()));
        links.insert("actions", link(format!("{href}/actions")));
        if self.payment.available_to_capture() > 0 {
            links.insert("capture", link(format!("{href}/captures")));
        }
        if self.payment.available_to_void() > 0 {
            links.insert("void", link(format!("{href}/voids")));
        }
        if self.payment.available_to_refund() > 0 {
            links.insert("refund", link(format!("{href}/refunds")));
        }
        if redirect && self.payment.status == PaymentStatus::Pending {
            links.insert("redirect", link(redirect_url(self.base, &self.payment.id)));
        }
        links
    }

    fn first_action(&self) -> Option<&Action> {
        self.payment.actions.first()
    }

    fn expires_on(&self) -> Option<String> {
        // An authorization is held for 7 days (card-scheme norm); only shown while capturable.
        (self.payment.available_to_capture() > 0)
            .then(|| {
                self.payment
                    .processed_on
                    .map(|at| ts(at + chrono::Duration::days(7)))
            })
            .flatten()
    }

    /// The 201 body for a processed payment.
    pub(crate) fn payment_response(&self) -> PaymentResponse {
        let p = self.payment;
        let first = self.first_action();
        PaymentResponse {
            id: p.id.clone(),
            action_id: first.map(|a| a.id.clone()).unwrap_or_default(),
            amount: p.amount,
            currency: p.currency.clone(),
            approved: p.approved,
            status: p.status.as_str(),
            auth_code: p.auth_code.clone(),
            response_code: p.response_code.clone().unwrap_or_default(),
            response_summary: p.response_summary.clone().unwrap_or_default(),
            three_ds: p.three_ds.as_ref().map(three_ds),
            risk: Risk { flagged: false },
            source: p.source.as_ref().map(card_source),
            customer: p.customer.as_ref().map(customer),
            balances: self.balances(),
            processed_on: ts(p.processed_on.unwrap_or(p.requested_on)),
            reference: p.reference.clone(),
            processing: Processing {
                retrieval_reference_number: first
                    .map(|a| a.retrieval_reference_number.clone())
                    .unwrap_or_default(),
                acquirer_transaction_id: first
                    .map(|a| a.acquirer_transaction_id.clone())
                    .unwrap_or_default(),
            },
            eci: p.eci.clone(),
            scheme_id: p.scheme_id.clone(),
            expires_on: self.expires_on(),
            links: self.links(false),
        }
    }

    /// The 202 body for a payment waiting for 3-D Secure.
    pub(crate) fn accepted_response(&self) -> PaymentAcceptedResponse {
        let p = self.payment;
        PaymentAcceptedResponse {
            id: p.id.clone(),
            status: "Pending",
            reference: p.reference.clone(),
            customer: p.customer.as_ref().map(customer),
            three_ds: p.three_ds.as_ref().map(three_ds),
            links: {
                let mut links = Links::new();
                links.insert("self", link(self.self_href()));
                links.insert("redirect", link(redirect_url(self.base, &p.id)));
                links
            },
        }
    }

    /// `GET /payments/{id}`.
    pub(crate) fn details(&self) -> PaymentDetails {
        let p = self.payment;
        PaymentDetails {
            id: p.id.clone(),
            requested_on: ts(p.requested_on),
            source: p.source.as_ref().map(card_source),
            amount: p.amount,
            currency: p.currency.clone(),
            payment_type: p.payment_type.clone(),
            reference: p.reference.clone(),
            description: p.description.clone(),
            approved: p.approved,
            expires_on: self.expires_on(),
            status: p.status.as_str(),
            balances: self.balances(),
            three_ds: p.three_ds.as_ref().map(three_ds),
            risk: Risk { flagged: false },
            customer: p.customer.as_ref().map(customer),
            metadata: p.metadata.clone(),
            eci: p.eci.clone(),
            scheme_id: p.scheme_id.clone(),
            // Newest first, as the API lists them.
            actions: p
                .actions
                .iter()
                .rev()
                .map(|a| ActionSummary {
                    id: a.id.clone(),
                    kind: a.kind.as_str(),
                    response_code: a.response_code.clone(),
                    response_summary: a.response_summary.clone(),
                })
                .collect(),
            links: self.links(true),
        }
    }

    /// `GET /payments/{id}/actions`, newest first.
    pub(crate) fn actions(&self) -> Vec<PaymentAction> {
        self.payment.actions.iter().rev().map(payment_action).collect()
    }

    /// The 202 body for an accepted capture, refund or void.
    pub(crate) fn action_accepted(&self, action_id: &str, reference: Option<String>) -> ActionAccepted {
        let mut links = Links::new();
        links.insert("payment", link(self.self_href()));
        ActionAccepted {
            action_id: action_id.to_owned(),
            reference,
            links,
        }
    }
}

/// Where a 3-D Secure challenge is completed.
pub(crate) fn redirect_url(base: &str, payment_id: &str) -> String {
    format!("{base}/sandbox/3ds/{payment_id}")
}

pub(crate) fn payment_action(a: &Action) -> PaymentAction {
    PaymentAction {
        id: a.id.clone(),
        kind: a.kind.as_str(),
        processed_on: ts(a.processed_on),
        amount: a.amount,
        approved: a.approved,
        auth_code: a.auth_code.clone(),
        response_code: a.response_code.clone(),
        response_summary: a.response_summary.clone(),
        reference: a.reference.clone(),
        processing: ActionProcessing {
            retrieval_reference_number: a.retrieval_reference_number.clone(),
            acquirer_transaction_id: a.acquirer_transaction_id.clone(),
        },
        metadata: a.metadata.clone(),
    }
}

pub(crate) fn card_source(c: &Card) -> CardSource {
    CardSource {
        kind: "card",
        id: c.source_id.clone(),
        expiry_month: c.expiry_month,
        expiry_year: c.expiry_year,
        name: c.name.clone(),
        scheme: c.scheme.clone(),
        last4: c.last4.clone(),
        fingerprint: c.fingerprint.clone(),
        bin: c.bin.clone(),
        card_type: c.card_type.clone(),
        card_category: "Consumer",
        issuer: c.issuer.clone(),
        issuer_country: c.issuer_country.clone(),
        avs_check: "S",
        cvv_check: "Y",
    }
}

pub(crate) fn customer(c: &Customer) -> CustomerResponse {
    CustomerResponse {
        id: c.id.clone(),
        email: c.email.clone(),
        name: c.name.clone(),
    }
}

fn three_ds(t: &ThreeDs) -> ThreeDsData {
    ThreeDsData {
        downgraded: t.downgraded,
        enrolled: t.enrolled.clone(),
        authentication_response: t.authentication_response.clone(),
        challenged: Some(t.challenged),
    }
}
