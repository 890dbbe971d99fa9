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
    let snapshot = event.data.object.as_object().map(|o| Snapshot {
        id: o.get("id").and_then(Value::as_str),
        object: o.get("object").and_then(Value::as_str),
    });
    check_parts(&event.id, &event.object, &event.kind, event.created, snapshot)
}

/// What an inbox needs of an event to store it, read from the event's JSON text without building
/// the rest of it: a list page's events are stored as Stripe sent them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventHead {
    /// `evt_…`.
    pub id: String,
    /// E.g. `charge.succeeded`.
    pub kind: String,
    /// When the event happened (Unix seconds).
    pub created: i64,
    /// The snapshot's `id`.
    pub object_id: Option<String>,
    /// The snapshot's `charge`, when it names one by id (refunds, disputes).
    pub charge: Option<String>,
}

impl From<Event> for EventHead {
    fn from(event: Event) -> Self {
        let snapshot = &event.data.object;
        Self {
            object_id: snapshot["id"].as_str().map(str::to_owned),
            charge: snapshot["charge"].as_str().map(str::to_owned),
            id: event.id,
            kind: event.kind,
            created: event.created,
        }
    }
}

/// Reads and checks an event's head from its JSON text. Whatever [`decode_event`] accepts, this
/// accepts with the same head; what this refuses, [`decode_event`] refuses with the same message.
/// (It skips the snapshot's other fields unread, so a number too large for a float there is
/// accepted here and refused only when the whole event is decoded.)
pub fn decode_event_head(text: &str) -> Result<EventHead, EventDecodeError> {
    /// The fields read, borrowed from the text; anything unusual (an escaped string, a field of
    /// another type) fails here and is left to the whole decoder.
    #[derive(Deserialize)]
    struct Head<'a> {
        id: &'a str,
        object: &'a str,
        #[serde(rename = "type")]
        kind: &'a str,
        created: i64,
        #[serde(borrow)]
        data: HeadData<'a>,
        // Read only so that their types are checked as the whole decoder checks them.
        #[serde(default)]
        #[allow(dead_code)]
        api_version: Option<&'a str>,
        #[serde(default)]
        #[allow(dead_code)]
        livemode: bool,
    }
    #[derive(Deserialize)]
    struct HeadData<'a> {
        #[serde(borrow)]
        object: SnapshotFields<'a>,
    }
    let head = serde_json::from_str::<Head<'_>>(text).ok().filter(|head| {
        let snapshot = Snapshot {
            id: head.data.object.id,
            object: head.data.object.object,
        };
        check_parts(head.id, head.object, head.kind, head.created, Some(snapshot)).is_ok()
    });
    match head {
        Some(head) => Ok(EventHead {
            id: head.id.to_owned(),
            kind: head.kind.to_owned(),
            created: head.created,
            object_id: head.data.object.id.map(str::to_owned),
            charge: head.data.object.charge.map(str::to_owned),
        }),
        // Refused or unusual: the whole decoder decides, and names the field.
        None => decode_event(text.as_bytes()).map(EventHead::from),
    }
}

/// A snapshot's `id`, `object` and `charge`, read from a JSON object only (not from an array, as
/// a derived struct would be), the other fields skipped unread. A `charge` that is not an id
/// (an expanded object) fails here and is left to the whole decoder.
struct SnapshotFields<'a> {
    id: Option<&'a str>,
    object: Option<&'a str>,
    charge: Option<&'a str>,
}

impl<'de: 'a, 'a> Deserialize<'de> for SnapshotFields<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Fields<'a> {
            type Value = SnapshotFields<'a>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = SnapshotFields {
                    id: None,
                    object: None,
                    charge: None,
                };
                // A repeated key keeps its last value, as a parsed JSON object does.
                while let Some(key) = map.next_key::<&'de str>()? {
                    match key {
                        "id" => fields.id = map.next_value()?,
                        "object" => fields.object = map.next_value()?,
                        "charge" => fields.charge = map.next_value()?,
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(fields)
            }
        }
        deserializer.deserialize_map(Fields(std::marker::PhantomData))
    }
}

/// The two fields of an event's snapshot every event must have.
struct Snapshot<'a> {
    id: Option<&'a str>,
    object: Option<&'a str>,
}

/// The checks every event passes; `snapshot` is `None` when `data.object` is not an object.
fn check_parts(
    event_id: &str,
    object: &str,
    kind: &str,
    created: i64,
    snapshot: Option<Snapshot<'_>>,
) -> Result<(), EventDecodeError> {
    let id = Some(event_id);
    if !is_id(event_id, "evt_") {
        return Err(invalid(None, "id", "is not an event id (evt_…)"));
    }
    if object != "event" {
        return Err(invalid(id, "object", format!("is {object:?}, not \"event\"")));
    }
    if kind.is_empty()
        || kind.len() > 100
        || !kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_')
    {
        return Err(invalid(id, "type", "is not an event type"));
    }
    if DateTime::<Utc>::from_timestamp(created, 0).is_none() || created < 0 {
        return Err(invalid(id, "created", "is not a time"));
    }
    let snapshot = snapshot.ok_or_else(|| invalid(id, "data.object", "is not an object"))?;
    match snapshot.id {
        Some(object_id) if !object_id.is_empty() && object_id.len() <= MAX_ID_LEN => {}
        _ => return Err(invalid(id, "data.object.id", "is missing")),
    }
    match snapshot.object {
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
            let text = String::from_utf8(body(&v)).unwrap_or_default();
            assert_eq!(
                decode_event_head(&text).err(),
                Some(err),
                "the head decoder agrees"
            );
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

    #[test]
    fn the_head_of_an_event_is_read_from_its_text() {
        let text = String::from_utf8(body(&event())).unwrap_or_default();
        let head = decode_event_head(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            head,
            EventHead {
                id: "evt_1Abc".to_owned(),
                kind: "customer.created".to_owned(),
                created: 1_763_700_000,
                object_id: Some("cus_9".to_owned()),
                charge: None,
            }
        );
        // A refund names its payment; an expanded charge is read by the whole decoder, which
        // names no id for it.
        let mut refund = event();
        refund["data"]["object"] = json!({"id": "re_1", "object": "refund", "charge": "ch_9"});
        let head = decode_event_head(&String::from_utf8(body(&refund)).unwrap_or_default());
        assert_eq!(head.map(|h| h.charge).ok(), Some(Some("ch_9".to_owned())));
        refund["data"]["object"]["charge"] = json!({"id": "ch_9", "object": "charge"});
        let head = decode_event_head(&String::from_utf8(body(&refund)).unwrap_or_default());
        assert_eq!(
            head.map(|h| (h.object_id, h.charge)).ok(),
            Some((Some("re_1".to_owned()), None))
        );
        // Escaped text is read as the whole decoder reads it.
        let escaped = text.replace("customer.created", "customer\\u002ecreated");
        assert_eq!(
            decode_event_head(&escaped).map(|h| h.kind).ok(),
            Some("customer.created".to_owned())
        );
    }

    /// A value one field of an event might take, well formed or not.
    fn field_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "[a-z_.]{0,12}".prop_map(Value::from),
            Just(json!({"object": {"id": "ch_1", "object": "charge"}})),
            Just(json!({"object": {"id": 7, "object": "charge"}})),
            Just(json!({"object": {"id": "re_1", "object": "refund", "charge": "ch_1"}})),
            Just(json!({"object": {"id": "re_1", "object": "refund", "charge": null}})),
            Just(json!({"object": {"id": "re_1", "object": "refund", "charge": {"id": "ch_1"}}})),
            Just(json!({"object": {"id": "re_1", "object": "refund", "charge": 5}})),
            Just(json!({"object": "ch_1"})),
            Just(json!({"id": "cus_1"})),
            Just(json!([])),
        ]
    }

    proptest! {
        #[test]
        fn the_head_decoder_agrees_with_the_whole_decoder(
            key in prop::sample::select(vec!["id", "object", "type", "created", "data", "api_version", "livemode", "other"]),
            value in field_value(),
            drop in any::<bool>(),
        ) {
            let mut v = event();
            if drop {
                if let Some(map) = v.as_object_mut() {
                    map.remove(key);
                }
            } else {
                v[key] = value;
            }
            let text = String::from_utf8(body(&v)).unwrap_or_default();
            let whole = decode_event(text.as_bytes()).map(EventHead::from);
            prop_assert_eq!(decode_event_head(&text), whole);
        }

        #[test]
        fn the_decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = decode_event(&bytes);
        }
    }
}
