//! The org's records: one table per object, rows in insertion order, an id map and an index of the
//! unique and External ID fields (rebuilt after a restore, never serialised). Every change goes
//! through [`Org::put`] / [`Org::remove`], so an undo log can roll a request back exactly.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ids;
use super::schema::{self, FieldDef, FieldKind, ObjectDef};
use super::value::FieldValue;

/// One record: its fields by API name (absent = null), including the system fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    /// Insertion order, the default order of query results.
    pub seq: u64,
    /// Stored values by canonical field name.
    pub fields: BTreeMap<String, FieldValue>,
}

impl Record {
    /// The 18-character id.
    pub(crate) fn id(&self) -> &str {
        self.fields.get("Id").and_then(FieldValue::as_text).unwrap_or("")
    }

    /// Whether it is in the recycle bin.
    pub(crate) fn deleted(&self) -> bool {
        matches!(self.fields.get("IsDeleted"), Some(FieldValue::Bool(true)))
    }

    /// A stored value.
    pub(crate) fn get(&self, field: &str) -> Option<&FieldValue> {
        self.fields.get(field)
    }
}

/// One object's rows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Table {
    rows: BTreeMap<u64, Record>,
    #[serde(skip)]
    by_id: HashMap<String, u64>,
    /// (field, key) → live rows holding that value, for unique and External ID fields.
    #[serde(skip)]
    index: HashMap<(String, String), BTreeSet<u64>>,
}

/// Undo entries: (object, row, previous record or `None` if the row was new).
pub(crate) type Undo = Vec<(&'static ObjectDef, u64, Option<Record>)>;

/// All records of the org.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Org {
    tables: BTreeMap<String, Table>,
    next_seq: u64,
    autonumbers: BTreeMap<String, u64>,
}

fn indexed(f: &FieldDef) -> bool {
    f.unique || f.external_id
}

impl Table {
    fn index_add(&mut self, obj: &ObjectDef, rec: &Record) {
        if rec.deleted() {
            return;
        }
        for f in obj.fields.iter().filter(|f| indexed(f)) {
            if let Some(v) = rec.get(f.name) {
                let key = (f.name.to_owned(), v.index_key(f.case_sensitive));
                self.index.entry(key).or_default().insert(rec.seq);
            }
        }
    }

    fn index_remove(&mut self, obj: &ObjectDef, rec: &Record) {
        for f in obj.fields.iter().filter(|f| indexed(f)) {
            if let Some(v) = rec.get(f.name) {
                let key = (f.name.to_owned(), v.index_key(f.case_sensitive));
                if let Some(set) = self.index.get_mut(&key) {
                    set.remove(&rec.seq);
                    if set.is_empty() {
                        self.index.remove(&key);
                    }
                }
            }
        }
    }
}

impl Org {
    /// A fresh row number.
    pub(crate) fn alloc_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// The next auto-number of an object (never reused, like Salesforce's, even after a rollback).
    pub(crate) fn next_autonumber(&mut self, object: &str) -> u64 {
        let n = self.autonumbers.entry(object.to_owned()).or_insert(0);
        *n += 1;
        *n
    }

    /// All rows of an object (deleted ones included), in insertion order.
    pub(crate) fn rows<'a>(&'a self, obj: &ObjectDef) -> impl Iterator<Item = &'a Record> + 'a {
        self.tables
            .get(obj.name)
            .into_iter()
            .flat_map(|t| t.rows.values())
    }

    /// A record of `obj` by 18-character id.
    pub(crate) fn get_in(&self, obj: &ObjectDef, id: &str) -> Option<&Record> {
        let t = self.tables.get(obj.name)?;
        t.by_id.get(id).and_then(|seq| t.rows.get(seq))
    }

    /// Live records whose indexed `field` equals `value` (by the field's case rule).
    pub(crate) fn matching(&self, obj: &ObjectDef, field: &FieldDef, value: &FieldValue) -> Vec<&Record> {
        let Some(t) = self.tables.get(obj.name) else {
            return vec![];
        };
        if field.name == "Id" {
            let id = value.as_text().and_then(ids::normalize).unwrap_or_default();
            return self
                .get_in(obj, &id)
                .filter(|r| !r.deleted())
                .into_iter()
                .collect();
        }
        let key = (field.name.to_owned(), value.index_key(field.case_sensitive));
        t.index
            .get(&key)
            .map(|set| set.iter().filter_map(|s| t.rows.get(s)).collect())
            .unwrap_or_default()
    }

    /// Stores a record (new or replacing the row with the same `seq`); returns the previous one.
    pub(crate) fn put(&mut self, obj: &ObjectDef, rec: Record) -> Option<Record> {
        let t = self.tables.entry(obj.name.to_owned()).or_default();
        let old = t.rows.remove(&rec.seq);
        if let Some(old) = &old {
            t.index_remove(obj, old);
        }
        t.index_add(obj, &rec);
        t.by_id.insert(rec.id().to_owned(), rec.seq);
        t.rows.insert(rec.seq, rec);
        old
    }

    /// Removes a row entirely (only to roll back a create).
    pub(crate) fn remove(&mut self, obj: &ObjectDef, seq: u64) {
        if let Some(t) = self.tables.get_mut(obj.name)
            && let Some(old) = t.rows.remove(&seq)
        {
            t.index_remove(obj, &old);
            t.by_id.remove(old.id());
        }
    }

    /// Undoes the changes in `undo`, newest first.
    pub(crate) fn rollback(&mut self, undo: Undo) {
        for (obj, seq, prev) in undo.into_iter().rev() {
            match prev {
                Some(rec) => {
                    self.put(obj, rec);
                }
                None => self.remove(obj, seq),
            }
        }
    }

    /// Rebuilds the id map and indexes (after deserialising).
    pub(crate) fn rebuild(&mut self) {
        for (name, t) in &mut self.tables {
            t.by_id.clear();
            t.index.clear();
            let Some(obj) = schema::object(name) else { continue };
            let rows: Vec<Record> = t.rows.values().cloned().collect();
            for rec in &rows {
                t.by_id.insert(rec.id().to_owned(), rec.seq);
                t.index_add(obj, rec);
            }
        }
    }

    /// A field's value as read through the API, including computed fields.
    pub(crate) fn value(&self, obj: &ObjectDef, rec: &Record, field: &FieldDef) -> Option<FieldValue> {
        match (obj.name, field.name) {
            ("Contact", "Name") => {
                let first = rec.get("FirstName").and_then(FieldValue::as_text);
                let last = rec.get("LastName").and_then(FieldValue::as_text);
                let full = [first, last].into_iter().flatten().collect::<Vec<_>>().join(" ");
                (!full.is_empty()).then_some(FieldValue::Text(full))
            }
            ("OpportunityLineItem", "TotalPrice") => match (rec.get("Quantity"), rec.get("UnitPrice")) {
                (Some(FieldValue::Num(q)), Some(FieldValue::Num(p))) => {
                    let total: Decimal = (*q * *p).round_dp(2);
                    Some(FieldValue::Num(total))
                }
                _ => None,
            },
            ("DatedConversionRate", "NextStartDate") => {
                let iso = rec.get("IsoCode")?.index_key(false);
                let FieldValue::Date(start) = rec.get("StartDate")? else {
                    return None;
                };
                let next = self
                    .rows(obj)
                    .filter(|r| !r.deleted())
                    .filter(|r| r.get("IsoCode").map(|v| v.index_key(false)).as_ref() == Some(&iso))
                    .filter_map(|r| match r.get("StartDate") {
                        Some(FieldValue::Date(d)) if d > start => Some(*d),
                        _ => None,
                    })
                    .min();
                // The open-ended last rate runs to Salesforce's end of time.
                Some(FieldValue::Date(next.unwrap_or_else(|| {
                    chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default()
                })))
            }
            _ => rec.get(field.name).cloned(),
        }
    }

    /// The active `CurrencyType` codes and the corporate one.
    pub(crate) fn currencies(&self) -> (Vec<String>, Option<String>) {
        let Some(ct) = schema::object("CurrencyType") else {
            return (vec![], None);
        };
        let mut active = vec![];
        let mut corporate = None;
        for r in self.rows(ct).filter(|r| !r.deleted()) {
            let Some(code) = r.get("IsoCode").and_then(FieldValue::as_text) else {
                continue;
            };
            if matches!(r.get("IsActive"), Some(FieldValue::Bool(true))) {
                active.push(code.to_owned());
            }
            if matches!(r.get("IsCorporate"), Some(FieldValue::Bool(true))) {
                corporate = Some(code.to_owned());
            }
        }
        (active, corporate)
    }
}

/// Whether a reference field may point at a record of `target` (unknown targets, e.g. User, are
/// not stored in the simulator and always accepted).
pub(crate) fn reference_target(field: &FieldDef) -> Option<&'static ObjectDef> {
    match field.kind {
        FieldKind::Reference(to) => schema::object(to),
        _ => None,
    }
}
