//! Which state of each Stripe object to write, decided from a batch of inbox events and the
//! versions already applied. Pure, so its order-safety is property-tested: however events are
//! duplicated, shuffled or split into runs, the state left applied is the newest one.
//!
//! A state's version is its event's `created` (Unix seconds). Stripe can emit several events for
//! one object in the same second; when two such states differ, which is newer cannot be told from
//! the events, so the object is fetched from Stripe instead of guessed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use paysync_connectors::stripe::events::Event;
use paysync_store::{AppliedVersion, ObjectVersion};
use serde_json::Value;

/// An object and its id: `("charge", "ch_…")`.
pub(crate) type ObjectKey = (String, String);

/// One event's claim about an object's state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    /// Stripe's object type (`customer`, `charge`, …).
    pub object_type: String,
    /// Stripe's id of the object.
    pub object_id: String,
    /// The event's `created`.
    pub version: i64,
    /// The event's id.
    pub event_id: String,
    /// Whether the event deletes the object.
    pub deleted: bool,
    /// The object's state in the event.
    pub snapshot: Value,
    /// When Paysync received the earliest event about this object that is still waiting (none
    /// for a replayed record).
    pub received_at: Option<DateTime<Utc>>,
}

impl Change {
    /// The change an event makes (`customer.subscription.deleted` is a cancellation: its
    /// subscription still exists, so only a snapshot marked `deleted` is a deletion).
    pub(crate) fn of(event: Event) -> Self {
        let deleted = event.is_deletion() && event.data.object["object"] != "subscription"
            || event.data.object["deleted"] == Value::Bool(true);
        let (object_type, object_id) = (event.object_kind().to_owned(), event.object_id().to_owned());
        Self {
            object_type,
            object_id,
            version: event.created,
            event_id: event.id,
            deleted,
            snapshot: event.data.object,
            received_at: None,
        }
    }

    /// The version to record once this change was applied, as the Salesforce record `target_id`.
    pub(crate) fn applied(self, target_id: Option<String>) -> AppliedVersion {
        AppliedVersion {
            object_type: self.object_type,
            object_id: self.object_id,
            version: self.version,
            event_id: self.event_id,
            deleted: self.deleted,
            target_id,
        }
    }

    pub(crate) fn key(&self) -> ObjectKey {
        (self.object_type.clone(), self.object_id.clone())
    }
}

/// The newest claim about one object in a batch.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    /// The newest change.
    pub change: Change,
    /// Another change of the same version said something else: fetch, do not guess.
    pub ambiguous: bool,
    /// Every event of the batch about this object (they are all settled with it).
    pub events: Vec<String>,
}

/// What to do with a candidate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decision {
    /// Write this state.
    Apply(Change),
    /// The state at this version is unknown: fetch the object's current state and write that.
    Fetch(Change),
    /// Nothing to write: an equal or newer state is applied already, or the object is deleted.
    Skip,
}

/// The newest change per object, in key order.
#[cfg(test)]
pub(crate) fn coalesce(changes: impl IntoIterator<Item = Change>) -> BTreeMap<ObjectKey, Candidate> {
    let mut out = BTreeMap::new();
    coalesce_into(&mut out, changes);
    out
}

/// Adds changes to the newest change per object gathered so far.
pub(crate) fn coalesce_into(
    out: &mut BTreeMap<ObjectKey, Candidate>,
    changes: impl IntoIterator<Item = Change>,
) {
    for change in changes {
        match out.get_mut(&change.key()) {
            None => {
                out.insert(
                    change.key(),
                    Candidate {
                        events: vec![change.event_id.clone()],
                        change,
                        ambiguous: false,
                    },
                );
            }
            Some(held) => {
                let received_at = match (held.change.received_at, change.received_at) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let mut change = change;
                change.received_at = received_at;
                held.change.received_at = received_at;
                if !held.events.contains(&change.event_id) {
                    held.events.push(change.event_id.clone());
                }
                let newer = (change.version, change.deleted) > (held.change.version, held.change.deleted);
                let same_rank =
                    (change.version, change.deleted) == (held.change.version, held.change.deleted);
                if newer {
                    held.change = change;
                    held.ambiguous = false;
                } else if same_rank && change.event_id != held.change.event_id {
                    // Keep one deterministically; whether it is the newer is unknown.
                    held.ambiguous |= change.snapshot != held.change.snapshot;
                    if change.event_id > held.change.event_id {
                        held.change = change;
                    }
                }
            }
        }
    }
}

/// Decides a candidate against the state applied before; the change moves into the decision
/// (its snapshot is the bulk of a batch's memory, so it is not copied).
pub(crate) fn decide(candidate: Candidate, applied: Option<&ObjectVersion>) -> Decision {
    let Candidate {
        change, ambiguous, ..
    } = candidate;
    if let Some(applied) = applied {
        if applied.deleted || applied.version > change.version {
            return Decision::Skip;
        }
        if applied.version == change.version && !change.deleted {
            return if applied.event_id == change.event_id && !ambiguous {
                Decision::Skip
            } else {
                Decision::Fetch(change)
            };
        }
    }
    if ambiguous && !change.deleted {
        Decision::Fetch(change)
    } else {
        Decision::Apply(change)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn change(id: &str, version: i64, event: &str, state: i64, deleted: bool) -> Change {
        Change {
            object_type: "charge".to_owned(),
            object_id: id.to_owned(),
            version,
            event_id: event.to_owned(),
            deleted,
            snapshot: json!({"id": id, "state": state}),
            received_at: None,
        }
    }

    fn applied(c: &Change) -> ObjectVersion {
        ObjectVersion {
            object_type: c.object_type.clone(),
            object_id: c.object_id.clone(),
            version: c.version,
            event_id: c.event_id.clone(),
            deleted: c.deleted,
            target_id: None,
            applied_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_newest_change_wins_and_a_tie_that_disagrees_is_fetched() {
        let out = coalesce([
            change("ch_1", 5, "evt_b", 2, false),
            change("ch_1", 3, "evt_a", 1, false),
            change("ch_1", 5, "evt_b", 2, false),
        ]);
        let c = &out[&("charge".to_owned(), "ch_1".to_owned())];
        assert_eq!((c.change.version, c.ambiguous, c.events.len()), (5, false, 2));
        assert_eq!(decide(c.clone(), None), Decision::Apply(c.change.clone()));

        let out = coalesce([
            change("ch_1", 5, "evt_b", 2, false),
            change("ch_1", 5, "evt_c", 3, false),
        ]);
        let c = &out[&("charge".to_owned(), "ch_1".to_owned())];
        assert!(c.ambiguous);
        assert!(matches!(decide(c.clone(), None), Decision::Fetch(_)));
    }

    #[test]
    fn applied_state_is_never_moved_backwards() {
        let old = coalesce([change("ch_1", 3, "evt_a", 1, false)]);
        let old = &old[&("charge".to_owned(), "ch_1".to_owned())];
        let newer = applied(&change("ch_1", 4, "evt_z", 9, false));
        assert_eq!(decide(old.clone(), Some(&newer)), Decision::Skip);
        let same = applied(&old.change);
        assert_eq!(decide(old.clone(), Some(&same)), Decision::Skip, "a duplicate");
        let tie = applied(&change("ch_1", 3, "evt_other", 7, false));
        assert!(
            matches!(decide(old.clone(), Some(&tie)), Decision::Fetch(_)),
            "a tie is fetched"
        );
        let tomb = applied(&change("ch_1", 1, "evt_del", 0, true));
        assert_eq!(
            decide(old.clone(), Some(&tomb)),
            Decision::Skip,
            "nothing follows a deletion"
        );
    }

    #[test]
    fn a_deletion_wins_its_second_and_is_never_ambiguous() {
        let out = coalesce([
            change("cus_1", 5, "evt_z", 2, false),
            change("cus_1", 5, "evt_a", 0, true),
        ]);
        let c = &out[&("charge".to_owned(), "cus_1".to_owned())];
        assert!(c.change.deleted && !c.ambiguous);
        let tie = applied(&change("cus_1", 5, "evt_z", 2, false));
        assert!(matches!(decide(c.clone(), Some(&tie)), Decision::Apply(ch) if ch.deleted));
    }

    /// One object's true history: states at non-decreasing versions, possibly ending deleted.
    fn history() -> impl Strategy<Value = Vec<(i64, bool)>> {
        (proptest::collection::vec(0..3i64, 1..6), any::<bool>()).prop_map(|(steps, ends_deleted)| {
            let mut v = 100;
            let mut out: Vec<(i64, bool)> = steps
                .into_iter()
                .map(|s| {
                    v += s;
                    (v, false)
                })
                .collect();
            if ends_deleted {
                out.push((v + 1, true));
            }
            out
        })
    }

    proptest! {
        /// Duplicated, shuffled and split into runs, the events still leave each object at its
        /// final state (fetching returns the final state, as Stripe would by then).
        #[test]
        fn any_delivery_order_ends_at_the_final_state(
            histories in proptest::collection::vec(history(), 1..5),
            dup_mask in proptest::collection::vec(any::<bool>(), 40),
            seed in any::<u64>(),
            cuts in proptest::collection::vec(1..8usize, 1..6),
        ) {
            let mut events = Vec::new();
            let mut truth = HashMap::new();
            for (o, h) in histories.iter().enumerate() {
                let id = format!("ch_{o}");
                for (i, (version, deleted)) in h.iter().enumerate() {
                    let c = change(&id, *version, &format!("evt_{o}_{i:02}"), i64::try_from(i).unwrap_or_default(), *deleted);
                    truth.insert(id.clone(), c.clone());
                    events.push(c);
                }
            }
            let dups: Vec<Change> = events
                .iter()
                .zip(dup_mask.iter().cycle())
                .filter(|(_, d)| **d)
                .map(|(c, _)| c.clone())
                .collect();
            events.extend(dups);
            // A deterministic shuffle from the seed.
            let mut state = seed | 1;
            for i in (1..events.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                events.swap(i, usize::try_from(state % (u64::try_from(i).unwrap_or_default() + 1)).unwrap_or_default());
            }
            let mut store: HashMap<String, ObjectVersion> = HashMap::new();
            let mut written: HashMap<String, Value> = HashMap::new();
            let mut rest = events.as_slice();
            let mut cut = cuts.iter().cycle();
            while !rest.is_empty() {
                let n = (*cut.next().unwrap_or(&1)).min(rest.len());
                let (batch, tail) = rest.split_at(n);
                rest = tail;
                for (key, candidate) in coalesce(batch.iter().cloned()) {
                    let write = match decide(candidate, store.get(&key.1)) {
                        Decision::Skip => None,
                        Decision::Apply(c) => Some(c),
                        Decision::Fetch(c) => {
                            let t = &truth[&key.1];
                            Some(Change { snapshot: t.snapshot.clone(), deleted: t.deleted, ..c })
                        }
                    };
                    if let Some(c) = write {
                        let keep = store.get(&key.1).is_none_or(|a| c.version >= a.version && !a.deleted);
                        if keep {
                            written.insert(key.1.clone(), c.snapshot.clone());
                            store.insert(key.1.clone(), applied(&c));
                        }
                    }
                }
            }
            for (id, t) in &truth {
                prop_assert_eq!(written.get(id), Some(&t.snapshot), "object {}", id);
                prop_assert_eq!(store.get(id).map(|a| a.deleted), Some(t.deleted), "object {}", id);
            }
        }
    }
}
