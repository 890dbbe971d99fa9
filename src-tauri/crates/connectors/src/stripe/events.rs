//! Stripe events (apis.md §2.4): decoding a webhook delivery's body, listing `GET /v1/events`,
//! and the objects a full re-scan lists when the Events API's 30-day window was missed.
//!
//! A webhook body is untrusted until its signature is checked, and even then it is decoded
//! defensively: every failure names the field, nothing panics, and the event's `data.object` is
//! kept as JSON so the inbox holds the delivery whole.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::Request;

/// How far back `GET /v1/events` reaches.
pub const EVENTS_WINDOW_DAYS: i64 = 30;

/// Stripe's ids are short; anything longer is not an event id.
const MAX_ID_LEN: usize = 255;

/// An event as Stripe sends it (`object: "event"`), in a webhook delivery or a list page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// `evt_…`: the deduplication key.
    pub id: String,
    /// Always `"event"`.
    pub object: String,
    /// E.g. `charge.succeeded`, `customer.deleted`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When the event happened (Unix seconds).
    pub created: i64,
    /// The API version `data` is rendered in.
    #[serde(default)]
    pub api_version: Option<String>,
    /// The object as it was when the event happened.
    pub data: EventData,
    /// Live or test mode.
    #[serde(default)]
    pub livemode: bool,
}

/// An event's `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    /// A snapshot of the object.
    pub object: Value,
    /// For `*.updated`: the changed fields' previous values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_attributes: Option<Value>,
}

impl Event {
    /// The snapshot's id (`cus_…`, `ch_…`, …).
    pub fn object_id(&self) -> &str {
        self.data.object["id"].as_str().unwrap_or_default()
    }

    /// The snapshot's type (`customer`, `charge`, …).
    pub fn object_kind(&self) -> &str {
        self.data.object["object"].as_str().unwrap_or_default()
    }

    /// Whether the event says the object is gone (`customer.deleted`,
    /// `customer.subscription.deleted`, …): a deletion, not an update.
    pub fn is_deletion(&self) -> bool {
        self.kind.ends_with(".deleted")
    }
}

/// Why an event body was refused; names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Stripe event{}: field {field}: {message}", id.as_deref().map(|i| format!(" {i}")).unwrap_or_default())]
pub struct EventDecodeError {
    /// The event's id, when it could be read.
    pub id: Option<String>,
    /// The field.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

fn invalid(id: Option<&str>, field: &'static str, message: impl Into<String>) -> EventDecodeError {
    EventDecodeError {
        id: id.map(str::to_owned),
        field,
        message: message.into(),
    }
}

/// Decodes and checks one event body (a webhook delivery's raw bytes).
pub fn decode_event(body: &[u8]) -> Result<Event, EventDecodeError> {
    let event: Event = serde_json::from_slice(body).map_err(|e| {
        // serde_json's message names the missing or mistyped field; keep it, without the body.
        invalid(None, "body", format!("not a Stripe event: {e}"))
    })?;
    check_event(&event)?;
    Ok(event)
}

/// Checks an event already parsed (e.g. from a list page).
pub fn check_event(event: &Event) -> Result<(), EventDecodeError> {
    let id = Some(event.id.as_str());
    if !is_id(&event.id, "evt_") {
        return Err(invalid(None, "id", "is not an event id (evt_…)"));
    }
    if event.object != "event" {
        return Err(invalid(
            id,
            "object",
            format!("is {:?}, not \"event\"", event.object),
        ));
    }
    if event.kind.is_empty()
        || event.kind.len() > 100
        || !event
            .kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_')
    {
        return Err(invalid(id, "type", "is not an event type"));
    }
    if DateTime::<Utc>::from_timestamp(event.created, 0).is_none() || event.created < 0 {
        return Err(invalid(id, "created", "is not a time"));
    }
    let object = event
        .data
        .object
        .as_object()
        .ok_or_else(|| invalid(id, "data.object", "is not an object"))?;
    match object.get("id").and_then(Value::as_str) {
        Some(object_id) if !object_id.is_empty() && object_id.len() <= MAX_ID_LEN => {}
        _ => return Err(invalid(id, "data.object.id", "is missing")),
    }
    match object.get("object").and_then(Value::as_str) {
        Some(kind) if !kind.is_empty() => {}
        _ => return Err(invalid(id, "data.object.object", "is missing")),
    }
    Ok(())
}

fn is_id(value: &str, prefix: &str) -> bool {
    value.len() > prefix.len()
        && value.len() <= MAX_ID_LEN
        && value.starts_with(prefix)
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `GET /v1/events`: events created at or after `created_gte`, newest first, paged with
/// `starting_after`.
pub fn list_events(created_gte: Option<DateTime<Utc>>, starting_after: Option<&str>, limit: u32) -> Request {
    super::list("/v1/events", created_gte, starting_after, limit)
}

/// The objects a full re-scan lists, in the order they are applied (a customer before its
/// charges, a charge before its refunds and disputes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScannedObject {
    /// `GET /v1/customers`.
    Customer,
    /// `GET /v1/charges`.
    Charge,
    /// `GET /v1/refunds`.
    Refund,
    /// `GET /v1/disputes`.
    Dispute,
    /// `GET /v1/subscriptions?status=all` (the default leaves out canceled ones).
    Subscription,
    /// `GET /v1/invoices`.
    Invoice,
}

impl ScannedObject {
    /// All of them, in order.
    pub const ALL: [Self; 6] = [
        Self::Customer,
        Self::Charge,
        Self::Refund,
        Self::Dispute,
        Self::Subscription,
        Self::Invoice,
    ];

    /// Stripe's name for the object (its `object` field).
    pub fn name(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Charge => "charge",
            Self::Refund => "refund",
            Self::Dispute => "dispute",
            Self::Subscription => "subscription",
            Self::Invoice => "invoice",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Self::Customer => "/v1/customers",
            Self::Charge => "/v1/charges",
            Self::Refund => "/v1/refunds",
            Self::Dispute => "/v1/disputes",
            Self::Subscription => "/v1/subscriptions",
            Self::Invoice => "/v1/invoices",
        }
    }

    /// The object type named `name` (Stripe's `object` field), if a re-scan lists it.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }

    /// `GET /v1/<objects>/<id>`: the object's current state. A charge comes with its balance
    /// transaction expanded (its fee and net).
    pub fn retrieve(self, id: &str) -> Request {
        let path = format!("{}/{id}", self.path());
        let req = Request::get(path, format!("stripe:GET {}/:id", self.path()));
        if self == Self::Charge {
            req.query("expand[]", "balance_transaction")
        } else {
            req
        }
    }

    /// One page of the object's list, newest first.
    pub fn list(self, starting_after: Option<&str>, limit: u32) -> Request {
        let req = super::list(self.path(), None, starting_after, limit);
        if self == Self::Subscription {
            req.query("status", "all")
        } else {
            req
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn body(value: &Value) -> Vec<u8> {
        serde_json::to_vec(value).unwrap_or_default()
    }

    #[test]
    fn retrieve_names_the_object_and_expands_a_charges_fee() {
        let req = ScannedObject::Charge.retrieve("ch_1");
        assert_eq!(req.path, "/v1/charges/ch_1");
        assert_eq!(
            req.query,
            vec![("expand[]".to_owned(), "balance_transaction".to_owned())]
        );
        let req = ScannedObject::Customer.retrieve("cus_1");
        assert_eq!(req.path, "/v1/customers/cus_1");
        assert!(req.query.is_empty());
        assert_eq!(ScannedObject::from_name("dispute"), Some(ScannedObject::Dispute));
        assert_eq!(ScannedObject::from_name("product"), None);
    }

    fn event() -> Value {
        json!({
            "id": "evt_1Abc",
            "object": "event",
            "api_version": "2023-08-16",
            "created": 1_763_700_000,
            "data": {"object": {"id": "cus_9", "object": "customer", "email": "a@b.co"}},
            "livemode": false,
            "pending_webhooks": 1,
            "request": {"id": null, "idempotency_key": null},
            "type": "customer.created"
        })
    }

    #[test]
    fn a_delivery_decodes_with_its_object_kept_whole() {
        let e = decode_event(&body(&event())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((e.id.as_str(), e.kind.as_str()), ("evt_1Abc", "customer.created"));
        assert_eq!((e.object_id(), e.object_kind()), ("cus_9", "customer"));
        assert_eq!(e.data.object["email"], "a@b.co");
        assert!(!e.is_deletion());
    }

    #[test]
    fn deletions_are_recognised() {
        let mut v = event();
        v["type"] = json!("customer.subscription.deleted");
        let e = decode_event(&body(&v)).unwrap_or_else(|e| panic!("{e}"));
        assert!(e.is_deletion());
    }

    #[test]
    fn every_refusal_names_its_field() {
        let cases: [(&str, Value, &str); 7] = [
            ("id", json!("cus_1"), "id"),
            ("object", json!("customer"), "object"),
            ("type", json!("Customer Created"), "type"),
            ("created", json!(-5), "created"),
            ("data", json!({"object": []}), "data.object"),
            (
                "data",
                json!({"object": {"object": "customer"}}),
                "data.object.id",
            ),
            ("data", json!({"object": {"id": "cus_1"}}), "data.object.object"),
        ];
        for (key, value, field) in cases {
            let mut v = event();
            v[key] = value;
            let err = decode_event(&body(&v))
                .err()
                .unwrap_or_else(|| panic!("{key} accepted"));
            assert_eq!(err.field, field, "{err}");
        }
        let missing = decode_event(br#"{"id":"evt_1"}"#).err().map(|e| e.field);
        assert_eq!(missing, Some("body"));
        let text = decode_event(b"not json")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            text.starts_with("Stripe event: field body: not a Stripe event"),
            "{text}"
        );
    }

    #[test]
    fn list_events_builds_stripes_query() {
        let t = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let req = list_events(Some(t), Some("evt_9"), 1000);
        assert_eq!(req.path, "/v1/events");
        assert_eq!(
            req.query,
            vec![
                ("limit".to_owned(), "100".to_owned()),
                ("created[gte]".to_owned(), "1700000000".to_owned()),
                ("starting_after".to_owned(), "evt_9".to_owned()),
            ]
        );
    }

    #[test]
    fn a_rescan_lists_canceled_subscriptions_too() {
        let req = ScannedObject::Subscription.list(None, 100);
        assert_eq!(req.path, "/v1/subscriptions");
        assert!(req.query.contains(&("status".to_owned(), "all".to_owned())));
        assert!(
            !ScannedObject::Customer
                .list(None, 100)
                .query
                .iter()
                .any(|(k, _)| k == "status")
        );
    }

    #[test]
    fn a_decoded_event_keeps_every_number_exactly() {
        // Found by the fuzzer: a float with more digits than an f64 holds was parsed to one value
        // and printed as another, so the stored payload differed from what was delivered.
        let mut v = event();
        v["data"]["object"]["ratio"] = serde_json::from_str("1.76370000033333333e+59").unwrap_or_default();
        let first = decode_event(&body(&v)).unwrap_or_else(|e| panic!("{e}"));
        let again =
            decode_event(&serde_json::to_vec(&first).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, again);
        let raw = br#"{"id":"evt_1","object":"event","type":"x.y","created":1,"data":{"object":{"id":"a","object":"b","n":1.76370000033333333e+59}}}"#;
        let decoded = decode_event(raw).unwrap_or_else(|e| panic!("{e}"));
        let reencoded = serde_json::to_vec(&decoded).unwrap_or_default();
        assert_eq!(decode_event(&reencoded).ok(), Some(decoded));
    }

    proptest! {
        #[test]
        fn the_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_event(&bytes);
        }
    }
}
