//! Payoneer Mass Payouts v4 (apis.md §4; every shape is third-party evidence, see there):
//! requests under `/v4/programs/{program_id}` and the answers Paysync reads.
//!
//! - [`payee_status`], [`registration_link`]: whether a recipient can be paid, and an invitation
//!   for one who has no payee yet.
//! - [`mass_payouts`]: one batch, all-or-nothing, deduplicated by `client_reference_id` (no
//!   idempotency header exists): after an unknown outcome, ask [`payout_status`] first.
//! - [`balance`]: the program's available funds in its currency.
//! - [`ApiError`]: Payoneer's error body, with the sub-codes that decide what happens next.
//! - [`ipcn`]: the notifications Payoneer sends, their `hmacauth` signature and their bodies.

use paysync_core::retry::RetrySafety;
use reqwest::Method;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::{Body, HttpError, Request};

pub mod ipcn;

/// The executor's name for Payoneer.
pub const PROVIDER: &str = "payoneer";

/// Sub-code: the request was invalid (details in `errors`).
pub const SUB_VALIDATION: u32 = 1000;
/// Sub-code: no payout with that `client_reference_id`.
pub const SUB_PAYOUT_NOT_FOUND: u32 = 2306;
/// Sub-code: a `client_reference_id` of the batch was accepted before.
pub const SUB_DUPLICATE_REFERENCE: u32 = 2307;
/// Sub-code: the program's balance cannot cover the batch (with fees).
pub const SUB_INSUFFICIENT_FUNDS: u32 = 2308;
/// Sub-code: no payee with that id.
pub const SUB_PAYEE_NOT_FOUND: u32 = 2100;

fn program_path(program_id: &str, rest: &str) -> String {
    format!("/v4/programs/{}/{rest}", enc(program_id))
}

fn enc(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

/// `GET …/payees/{payee_id}/status`.
pub fn payee_status(program_id: &str, payee_id: &str) -> Request {
    Request::get(
        program_path(program_id, &format!("payees/{}/status", enc(payee_id))),
        "payoneer:GET payees/status",
    )
}

/// `POST …/payees/registration-link`: an invitation for `payee_id` (the id Paysync chooses for
/// the recipient), prefilled with the e-mail and country. Asking again for the same payee returns
/// a new link for the same payee, so it is safe to repeat.
pub fn registration_link(
    program_id: &str,
    payee_id: &str,
    email: Option<&str>,
    country: Option<&str>,
    currency: &str,
) -> Request {
    Request::new(
        Method::POST,
        program_path(program_id, "payees/registration-link"),
        RetrySafety::ReplaySafe,
        "payoneer:POST payees/registration-link",
    )
    .body(Body::Json(json!({
        "payee_id": payee_id,
        "already_have_an_account": false,
        "client_session_id": payee_id,
        "payout_methods": [{ "type": "BANK", "currency": currency }],
        "payee": {
            "type": "INDIVIDUAL",
            "contact": { "email": email.unwrap_or_default() },
            "address": { "country": country.unwrap_or_default() },
        },
    })))
}

/// One payment of a mass payout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutPayment {
    /// Paysync's reference, unique per program: the idempotency and correlation key.
    pub client_reference_id: String,
    /// The payee.
    pub payee_id: String,
    /// Major units (sent as a JSON number, Payoneer's wire shape).
    pub amount: Decimal,
    /// ISO code.
    pub currency: String,
    /// Shown to the payee.
    pub description: String,
    /// Groups the payments of one batch at Payoneer.
    pub group_id: String,
}

/// An exact decimal as a JSON number. Without serde_json's arbitrary precision a number passes
/// through its shortest round-trip `f64` form, which is exact up to 15 significant digits; a
/// longer amount is refused rather than rounded.
pub fn amount_number(amount: Decimal) -> Result<Value, AmountTooPrecise> {
    let text = amount.normalize().to_string();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if digits > 15 {
        return Err(AmountTooPrecise(text));
    }
    let number: serde_json::Number = text.parse().map_err(|_| AmountTooPrecise(text.clone()))?;
    if number.to_string().parse::<Decimal>().ok() != Some(amount.normalize()) {
        return Err(AmountTooPrecise(text));
    }
    Ok(Value::Number(number))
}

/// An amount that a JSON number cannot carry exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the amount {0} has more digits than a JSON number carries exactly")]
pub struct AmountTooPrecise(pub String);

/// The body of a mass payout, exactly as sent.
pub fn mass_payouts_body(payments: &[PayoutPayment]) -> Result<Value, AmountTooPrecise> {
    let payments = payments
        .iter()
        .map(|p| {
            Ok(json!({
                "client_reference_id": p.client_reference_id,
                "payee_id": p.payee_id,
                "amount": amount_number(p.amount)?,
                "currency": p.currency,
                "description": p.description,
                "group_id": p.group_id,
            }))
        })
        .collect::<Result<Vec<_>, AmountTooPrecise>>()?;
    Ok(json!({ "Payments": payments }))
}

/// Reads a JSON amount (a number or a numeric string) as an exact decimal.
pub fn parse_amount(value: &Value) -> Option<Decimal> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    text.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

/// `POST …/masspayouts`. No idempotency header exists: Payoneer rejects a reused
/// `client_reference_id`, so after an unknown outcome the caller asks [`payout_status`].
pub fn mass_payouts(program_id: &str, body: Value) -> Request {
    Request::new(
        Method::POST,
        program_path(program_id, "masspayouts"),
        RetrySafety::ReferenceDedup,
        "payoneer:POST masspayouts",
    )
    .body(Body::Json(body))
}

/// `GET …/payouts/{client_reference_id}/status`.
pub fn payout_status(program_id: &str, client_reference_id: &str) -> Request {
    Request::get(
        program_path(
            program_id,
            &format!("payouts/{}/status", enc(client_reference_id)),
        ),
        "payoneer:GET payouts/status",
    )
}

/// `GET …/balance`.
pub fn balance(program_id: &str) -> Request {
    Request::get(program_path(program_id, "balance"), "payoneer:GET balance")
}

/// `{"result": …}`: Payoneer wraps every answer.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope<T> {
    /// The answer.
    pub result: T,
}

/// A payee's status: type 1 Active, 0 Pending (KYC), 99 Inactive (declined).
#[derive(Debug, Clone, Deserialize)]
pub struct PayeeStatus {
    /// The status.
    pub status: PayeeStatusValue,
    /// The payee's payout method.
    #[serde(default)]
    pub payout_method: Option<Value>,
}

/// The `status` object of a payee.
#[derive(Debug, Clone, Deserialize)]
pub struct PayeeStatusValue {
    /// 1, 0 or 99.
    #[serde(rename = "type")]
    pub kind: i64,
    /// `Active`, `Pending`, `Inactive`.
    #[serde(default)]
    pub description: String,
    /// Why it is not active.
    #[serde(default)]
    pub reasons: Option<Value>,
}

impl PayeeStatusValue {
    /// Whether payouts can go to the payee.
    pub fn is_active(&self) -> bool {
        self.kind == 1
    }

    /// The reasons' descriptions, joined.
    pub fn reasons_text(&self) -> String {
        let items = self
            .reasons
            .as_ref()
            .and_then(|r| r.get("items").or(Some(r)))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        items
            .iter()
            .filter_map(|i| {
                i.get("reason_description")
                    .and_then(Value::as_str)
                    .or_else(|| i.as_str())
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A registration link.
#[derive(Debug, Clone, Deserialize)]
pub struct RegistrationLink {
    /// The page the payee opens.
    pub registration_link: String,
}

/// A payout's status.
#[derive(Debug, Clone, Deserialize)]
pub struct PayoutStatus {
    /// `Pending`, `Transferred`, `Cancelled`, … (the full list is not public).
    pub status: String,
    /// Payoneer's id.
    #[serde(default)]
    pub payout_id: Option<String>,
    /// The fee charged to the program (major units), when reported.
    #[serde(default)]
    pub fee: Option<Value>,
    /// The amount the payee received after FX.
    #[serde(default)]
    pub target_amount: Option<Value>,
    /// Its currency.
    #[serde(default)]
    pub target_currency: Option<String>,
    /// Why it failed.
    #[serde(default)]
    pub reason_code: Option<Value>,
    /// Why it failed, in words.
    #[serde(default)]
    pub reason_description: Option<String>,
    /// Why it was cancelled.
    #[serde(default)]
    pub cancel_reason_code: Option<Value>,
    /// Why it was cancelled, in words.
    #[serde(default)]
    pub cancel_reason_description: Option<String>,
}

/// What a payout's status means for Paysync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutOutcome {
    /// Not settled yet.
    Pending,
    /// Loaded to the payee.
    Paid,
    /// Failed at settlement.
    Failed,
    /// Cancelled.
    Cancelled,
}

impl PayoutStatus {
    /// The status as an outcome: `Transferred` is paid; `Cancelled` carrying a failure
    /// `reason_code` failed at settlement (payoneer-rb reads a present `reason_code` as rejected),
    /// otherwise the program cancelled it; anything else is still pending (an unknown status is
    /// never taken as final).
    pub fn outcome(&self) -> PayoutOutcome {
        match self.status.as_str() {
            "Transferred" | "Completed" | "Paid" => PayoutOutcome::Paid,
            "Cancelled" | "Canceled" => {
                if self.reason_code.is_some() {
                    PayoutOutcome::Failed
                } else {
                    PayoutOutcome::Cancelled
                }
            }
            "Failed" => PayoutOutcome::Failed,
            _ => PayoutOutcome::Pending,
        }
    }

    /// Why it failed or was cancelled, in words.
    pub fn reason(&self) -> Option<String> {
        self.reason_description
            .clone()
            .or_else(|| self.cancel_reason_description.clone())
    }
}

/// The program balance.
#[derive(Debug, Clone, Deserialize)]
pub struct Balance {
    /// Available, major units (read with [`parse_amount`]).
    pub balance: Value,
    /// Its currency.
    pub currency: String,
}

/// One problem Payoneer names in an error.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemError {
    /// `client_reference_id_already_exists`, `insufficient_funds`, …
    #[serde(default)]
    pub code: Option<String>,
    /// `Payments[3].payee_id`, …
    #[serde(default)]
    pub target: Option<String>,
    /// What it says.
    #[serde(default)]
    pub message: Option<String>,
}

impl ItemError {
    /// The index of the payment a `Payments[i].field` target names, with the field.
    pub fn payment(&self) -> Option<(usize, String)> {
        let target = self.target.as_deref()?;
        let rest = target.strip_prefix("Payments[")?;
        let (index, field) = rest.split_once(']')?;
        Some((index.parse().ok()?, field.trim_start_matches('.').to_owned()))
    }
}

/// Payoneer's error body.
#[derive(Debug, Clone, Default)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// `error_description`.
    pub description: String,
    /// `error_details.sub_code`.
    pub sub_code: Option<u32>,
    /// `error_details.errors`.
    pub errors: Vec<ItemError>,
}

impl ApiError {
    /// Payoneer's error from a refused call, when the body could be read (it is cut at 2 KB by the
    /// executor, so a long list of item errors may be partly lost: `errors` holds what was read).
    pub fn from_http(e: &HttpError) -> Option<Self> {
        let HttpError::Status {
            status, body_excerpt, ..
        } = e
        else {
            return None;
        };
        let body: Value = serde_json::from_str(body_excerpt).unwrap_or(Value::Null);
        let details = &body["error_details"];
        Some(Self {
            status: *status,
            description: body["error_description"]
                .as_str()
                .or_else(|| body["error"].as_str())
                .unwrap_or(body_excerpt.as_str())
                .to_owned(),
            sub_code: details["sub_code"].as_u64().and_then(|c| u32::try_from(c).ok()),
            errors: serde_json::from_value(details["errors"].clone()).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_names_the_payment_and_field() {
        let e = HttpError::Status {
            endpoint: "payoneer:POST masspayouts".into(),
            status: 400,
            provider_code: None,
            retry_after: None,
            should_retry: None,
            body_excerpt: r#"{"error":"Bad Request","error_description":"Invalid payout data","error_details":{"code":400,"sub_code":1000,"errors":[{"code":"payee_not_found","target":"Payments[2].payee_id","value":"x","message":"Payee x was not found"}]}}"#.into(),
        };
        let api = ApiError::from_http(&e).expect("parsed");
        assert_eq!(api.sub_code, Some(SUB_VALIDATION));
        assert_eq!(api.errors[0].payment(), Some((2, "payee_id".to_owned())));
    }

    #[test]
    fn only_known_final_statuses_are_final() {
        let status = |s: &str, reason: Option<&str>, cancel: Option<&str>| PayoutStatus {
            status: s.into(),
            payout_id: None,
            fee: None,
            target_amount: None,
            target_currency: None,
            reason_code: reason.map(|r| json!(r)),
            reason_description: None,
            cancel_reason_code: cancel.map(|r| json!(r)),
            cancel_reason_description: None,
        };
        assert_eq!(status("Transferred", None, None).outcome(), PayoutOutcome::Paid);
        assert_eq!(
            status("Cancelled", Some("10005"), Some("10005")).outcome(),
            PayoutOutcome::Failed
        );
        assert_eq!(
            status("Cancelled", None, Some("1")).outcome(),
            PayoutOutcome::Cancelled
        );
        assert_eq!(
            status("Pending Payee", None, None).outcome(),
            PayoutOutcome::Pending
        );
        assert_eq!(
            status("Something New", None, None).outcome(),
            PayoutOutcome::Pending
        );
    }

    #[test]
    fn amounts_go_out_as_decimal_numbers() {
        let body = mass_payouts_body(&[PayoutPayment {
            client_reference_id: "pb_1-1".into(),
            payee_id: "p1".into(),
            amount: Decimal::new(12_345, 2),
            currency: "EUR".into(),
            description: "PR-1".into(),
            group_id: "pb_1".into(),
        }])
        .expect("body");
        assert_eq!(body["Payments"][0]["amount"], json!(123.45));
        assert_eq!(
            parse_amount(&body["Payments"][0]["amount"]),
            Some(Decimal::new(12_345, 2))
        );
        assert!(amount_number(Decimal::new(1_234_567_890_123_456, 2)).is_err());
    }
}
