//! The simulator's state: every object as the JSON Stripe would return (so a snapshot, a list
//! page and a webhook payload are the same bytes), plus the bookkeeping Stripe keeps out of sight
//! (which balance transactions a payout swept, idempotency records, API keys, webhook endpoints).
//! [`Exec`] is one unit of work on it: ids, inserts, updates with `previous_attributes`, events.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use paysync_core::RandomSource;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::config::SimConfig;
use super::errors::ApiError;
use super::idempotency::IdemEntry;
use super::webhooks::WebhookState;

/// The API version the simulator speaks (SPEC:stripe `info.version`).
pub const API_VERSION: &str = "2023-08-16";

/// One stored object and its insertion sequence (the tie-breaker for equal `created`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    /// Insertion order.
    pub seq: u64,
    /// The object as Stripe renders it.
    pub value: Value,
}

/// Everything the simulator remembers; serialized whole for snapshots.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// Last insertion sequence number.
    pub seq: u64,
    /// Objects by kind (`customer`, `charge`, `event`, …) then id.
    pub objects: BTreeMap<String, BTreeMap<String, Stored>>,
    /// Balance transaction id → the automatic payout that swept it.
    pub txn_payout: BTreeMap<String, String>,
    /// Accepted secret keys.
    pub api_keys: BTreeSet<String>,
    /// Idempotency records by key.
    pub idempotency: BTreeMap<String, IdemEntry>,
    /// Run-time settings (rate limit, artificial handler delay).
    pub config: SimConfig,
    /// Webhook endpoints, delivery settings and the attempts log.
    pub webhooks: WebhookState,
    /// Events waiting for their first delivery.
    pub delivery_queue: VecDeque<String>,
    /// Bumped by every insert, update and removal through [`Exec`].
    #[serde(skip)]
    pub revision: u64,
    /// Per kind, `(created, seq, id)` of every object in list order, so a list page costs its
    /// own length rather than a sort of everything; rebuilt by [`State::reindex`] after a restore.
    #[serde(skip)]
    pub order: BTreeMap<String, BTreeSet<(i64, u64, String)>>,
    /// `(clock, revision)` when time-driven changes were last applied: nothing new can be due
    /// until one of them moves, so requests in between skip the scan.
    #[serde(skip)]
    pub due_checked: Option<(i64, u64)>,
    /// `(available_on, id)` of every pending balance transaction, so settling funds costs the
    /// transactions that become available rather than a scan of the whole ledger on every tick;
    /// rebuilt by [`State::reindex`] after a restore.
    #[serde(skip)]
    pub pending_funds: BTreeSet<(i64, String)>,
}

impl State {
    /// The object `id` of `kind`.
    pub fn get(&self, kind: &str, id: &str) -> Option<&Value> {
        self.objects.get(kind)?.get(id).map(|s| &s.value)
    }

    /// All objects of `kind`, in no particular order.
    pub fn all(&self, kind: &str) -> impl Iterator<Item = &Stored> {
        self.objects.get(kind).into_iter().flat_map(|m| m.values())
    }

    /// Objects of `kind`, newest first (Stripe's list order).
    pub fn newest_first(&self, kind: &str) -> Vec<&Stored> {
        let Some(objects) = self.objects.get(kind) else {
            return Vec::new();
        };
        self.order
            .get(kind)
            .into_iter()
            .flat_map(|o| o.iter().rev())
            .filter_map(|(_, _, id)| objects.get(id))
            .collect()
    }

    /// Rebuilds the list order from the objects (after a restore).
    pub fn reindex(&mut self) {
        self.pending_funds = self
            .all("balance_transaction")
            .filter_map(pending_funds_key)
            .collect();
        self.order = self
            .objects
            .iter()
            .map(|(kind, objects)| {
                let keys = objects
                    .iter()
                    .map(|(id, s)| {
                        let (created, seq) = order_key(s);
                        (created, seq, id.clone())
                    })
                    .collect();
                (kind.clone(), keys)
            })
            .collect();
    }

    /// Looks an object up by id alone, using the id prefix to find its kind.
    pub fn by_id(&self, id: &str) -> Option<&Value> {
        self.get(kind_of_id(id)?, id)
    }
}

/// `(available_on, id)` of a balance transaction whose funds are still pending.
pub fn pending_funds_key(s: &Stored) -> Option<(i64, String)> {
    let t = &s.value;
    if t["status"] != "pending" {
        return None;
    }
    Some((t["available_on"].as_i64()?, t["id"].as_str()?.to_owned()))
}

/// `(created, seq)`: the position of an object in a newest-first list.
pub fn order_key(s: &Stored) -> (i64, u64) {
    (s.value["created"].as_i64().unwrap_or(0), s.seq)
}

/// Id prefixes and lengths of the random part, as Stripe writes them (e.g. `cus_` + 14 base62).
const PREFIXES: &[(&str, &str, usize)] = &[
    ("customer", "cus_", 14),
    ("payment_intent", "pi_", 24),
    ("charge", "ch_", 24),
    ("balance_transaction", "txn_", 24),
    ("refund", "re_", 24),
    ("dispute", "dp_", 24),
    ("product", "prod_", 14),
    ("price", "price_", 24),
    ("subscription", "sub_", 24),
    ("subscription_item", "si_", 14),
    ("invoice", "in_", 24),
    ("payout", "po_", 24),
    ("event", "evt_", 24),
    ("request", "req_", 14),
];

/// The kind of object an id names, from its prefix.
pub fn kind_of_id(id: &str) -> Option<&'static str> {
    PREFIXES
        .iter()
        .find(|(_, p, _)| id.starts_with(p))
        .map(|(k, _, _)| *k)
}

/// How Stripe names a kind in `No such …` messages.
pub fn noun(kind: &str) -> &str {
    match kind {
        "balance_transaction" => "balance transaction",
        other => other,
    }
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` random base62 characters.
pub fn base62(rng: &dyn RandomSource, len: usize) -> String {
    (0..len)
        .map(|_| {
            let i = usize::try_from(rng.below(62)).unwrap_or(0);
            char::from(BASE62[i])
        })
        .collect()
}

/// A new id for `prefix` (`cus_`, `pi_`, `req_`, `whsec_` …).
pub fn new_id(rng: &dyn RandomSource, prefix: &str) -> String {
    let len = PREFIXES
        .iter()
        .find(|(_, p, _)| *p == prefix)
        .map_or(24, |(_, _, n)| *n);
    format!("{prefix}{}", base62(rng, len))
}

/// One unit of work on the state: the clock reading it happens at, where ids come from, the
/// request that caused it (for `event.request`), and the events it recorded.
pub struct Exec<'a> {
    /// The state, locked for the duration.
    pub st: &'a mut State,
    /// "Now" for this work, in Unix seconds; seeding and clock processing set it to past times.
    pub now: i64,
    /// The sandbox clock's actual reading (differs from `now` when backfilling past changes).
    pub clock_now: i64,
    /// Id randomness.
    pub rng: &'a dyn RandomSource,
    /// `{id, idempotency_key}` of the API request, or nulls for automatic changes.
    pub request: Value,
    /// Ids of the events recorded, for webhook delivery once the lock is released.
    pub outbox: Vec<String>,
}

impl<'a> Exec<'a> {
    /// Work at `now` with no originating request.
    pub fn new(st: &'a mut State, now: i64, rng: &'a dyn RandomSource) -> Self {
        Self {
            st,
            now,
            clock_now: now,
            rng,
            request: json!({"id": null, "idempotency_key": null}),
            outbox: Vec::new(),
        }
    }

    /// A fresh id with `prefix`.
    pub fn id(&self, prefix: &str) -> String {
        new_id(self.rng, prefix)
    }

    /// Stores a new object (its `id` and `object` fields name it).
    pub fn insert(&mut self, kind: &str, value: Value) {
        self.st.seq += 1;
        self.st.revision += 1;
        let id = value["id"].as_str().unwrap_or_default().to_owned();
        let stored = Stored {
            seq: self.st.seq,
            value,
        };
        let (created, seq) = order_key(&stored);
        if kind == "balance_transaction"
            && let Some(key) = pending_funds_key(&stored)
        {
            self.st.pending_funds.insert(key);
        }
        let order = self.st.order.entry(kind.to_owned()).or_default();
        order.insert((created, seq, id.clone()));
        if let Some(old) = self
            .st
            .objects
            .entry(kind.to_owned())
            .or_default()
            .insert(id.clone(), stored)
        {
            let (created, seq) = order_key(&old);
            order.remove(&(created, seq, id));
        }
    }

    /// The object, or Stripe's 404 naming `param`.
    pub fn fetch(&self, kind: &str, id: &str, param: &str) -> Result<Value, ApiError> {
        self.st
            .get(kind, id)
            .cloned()
            .ok_or_else(|| ApiError::missing_resource(noun(kind), id, param))
    }

    /// Changes an object in place; returns the new value and Stripe's `previous_attributes`.
    pub fn update(
        &mut self,
        kind: &str,
        id: &str,
        change: impl FnOnce(&mut Value),
    ) -> Result<(Value, Map<String, Value>), ApiError> {
        let stored = self
            .st
            .objects
            .get_mut(kind)
            .and_then(|m| m.get_mut(id))
            .ok_or_else(|| ApiError::missing_resource(noun(kind), id, "id"))?;
        self.st.revision += 1;
        let before = stored.value.clone();
        change(&mut stored.value);
        let prev = previous_attributes(&before, &stored.value);
        Ok((stored.value.clone(), prev))
    }

    /// Removes an object (deleted customers and products are gone from lists and retrieval).
    pub fn remove(&mut self, kind: &str, id: &str) -> Option<Value> {
        self.st.revision += 1;
        let removed = self.st.objects.get_mut(kind)?.remove(id)?;
        let (created, seq) = order_key(&removed);
        if let Some(order) = self.st.order.get_mut(kind) {
            order.remove(&(created, seq, id.to_owned()));
        }
        Some(removed.value)
    }

    /// Records an event of `kind` with a snapshot of `object` (and what changed, for updates).
    pub fn emit(&mut self, kind: &str, object: &Value, previous: Option<Map<String, Value>>) {
        let id = self.id("evt_");
        let pending = self
            .st
            .webhooks
            .endpoints
            .iter()
            .filter(|e| e.subscribed(kind))
            .count();
        let mut data = Map::new();
        data.insert("object".into(), object.clone());
        if let Some(prev) = previous {
            data.insert("previous_attributes".into(), Value::Object(prev));
        }
        let event = json!({
            "id": id,
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now,
            "data": data,
            "livemode": false,
            "pending_webhooks": pending,
            "request": self.request.clone(),
            "type": kind,
        });
        self.insert("event", event);
        if pending > 0 {
            self.st.delivery_queue.push_back(id.clone());
        }
        self.outbox.push(id);
    }

    /// Updates an object and records `event` with the changes, if anything changed.
    pub fn update_and_emit(
        &mut self,
        kind: &str,
        id: &str,
        event: &str,
        change: impl FnOnce(&mut Value),
    ) -> Result<Value, ApiError> {
        let (value, prev) = self.update(kind, id, change)?;
        if !prev.is_empty() {
            self.emit(event, &value, Some(prev));
        }
        Ok(value)
    }
}

/// The old values of what changed between `before` and `after`, nested objects diffed key by key
/// (new keys appear with `null`), as in Stripe's `data.previous_attributes`.
pub fn previous_attributes(before: &Value, after: &Value) -> Map<String, Value> {
    let mut prev = Map::new();
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return prev;
    };
    for (k, new) in a {
        let old = b.get(k).unwrap_or(&Value::Null);
        if old == new {
            continue;
        }
        if k == "metadata"
            && let (Some(_), Some(_)) = (old.as_object(), new.as_object())
        {
            prev.insert(k.clone(), Value::Object(previous_attributes_all(old, new)));
        } else {
            prev.insert(k.clone(), old.clone());
        }
    }
    prev
}

/// Like [`previous_attributes`] but also lists removed keys (for metadata maps).
fn previous_attributes_all(before: &Value, after: &Value) -> Map<String, Value> {
    let mut prev = previous_attributes(before, after);
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (k, v) in b {
            if !a.contains_key(k) {
                prev.insert(k.clone(), v.clone());
            }
        }
    }
    prev
}

#[cfg(test)]
mod tests {
    use paysync_core::SeededRandom;

    use super::*;

    #[test]
    fn ids_have_stripe_prefixes_and_lengths() {
        let rng = SeededRandom::new(1);
        let c = new_id(&rng, "cus_");
        assert_eq!(c.len(), 4 + 14);
        assert!(c[4..].chars().all(|ch| ch.is_ascii_alphanumeric()));
        assert_eq!(new_id(&rng, "pi_").len(), 3 + 24);
        assert_eq!(kind_of_id("txn_1"), Some("balance_transaction"));
        assert_eq!(kind_of_id("prod_1"), Some("product"));
        assert_eq!(kind_of_id("price_1"), Some("price"));
        assert_eq!(kind_of_id("x_1"), None);
    }

    #[test]
    fn previous_attributes_diff_metadata_by_key() {
        let before = json!({"email":"a@x","metadata":{"a":"1","b":"2"},"name":"n"});
        let after = json!({"email":"b@x","metadata":{"a":"1","c":"3"},"name":"n"});
        let prev = previous_attributes(&before, &after);
        assert_eq!(
            Value::Object(prev),
            json!({"email":"a@x","metadata":{"b":"2","c":null}})
        );
    }
}
