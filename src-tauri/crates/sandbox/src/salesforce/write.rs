//! Writing records, with Salesforce's checks in Salesforce's order: reading the body against the
//! schema (request-level `INVALID_FIELD` / `JSON_PARSER_ERROR`), then per record: field access,
//! value types, lengths, picklists, references, the row lock, required fields, custom validation
//! rules, and uniqueness. Every change is recorded in an undo log so `allOrNone` can roll back.

use chrono::{DateTime, Utc};
use paysync_core::RandomSource;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value};

use super::ids;
use super::org::{Record, Undo, reference_target};
use super::regex::Regex;
use super::schema::{FieldDef, FieldDefault, FieldKind, ObjectDef, SYSTEM_FIELDS};
use super::state::{RuleKind, State};
use super::value::{Decoded, FieldValue, decode};
use super::wire::SfError;

/// Who is writing, which decides the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Through the REST API: every check, custom rules and lock injection included.
    Api,
    /// The in-process seeding API: schema checks only; may set read-only (non-system) fields.
    Seed,
}

/// The context of one write.
pub(crate) struct WriteCtx<'a> {
    /// The time stamped on the record.
    pub now: DateTime<Utc>,
    /// The acting user (`CreatedById` / `LastModifiedById`).
    pub user_id: &'a str,
    /// API or seeding.
    pub mode: Mode,
    /// Randomness for ids and injected lock failures.
    pub rng: &'a dyn RandomSource,
}

/// A lookup given by the parent's External ID: `"Account": {"Stripe_Customer_Id__c": "cus_1"}`.
#[derive(Debug, Clone)]
pub(crate) struct ForeignKey {
    field: &'static FieldDef,
    target: &'static ObjectDef,
    key_field: &'static FieldDef,
    value: FieldValue,
}

/// A request body read against an object's schema.
#[derive(Debug, Clone, Default)]
pub(crate) struct Body {
    /// Field values in request order.
    pub values: Vec<(&'static FieldDef, Decoded)>,
    /// Lookups by External ID.
    pub foreign: Vec<ForeignKey>,
}

impl Body {
    /// The decoded value of a field, if the body sets it.
    pub(crate) fn get(&self, name: &str) -> Option<&Decoded> {
        self.values.iter().find(|(f, _)| f.name == name).map(|(_, d)| d)
    }

    /// Removes a field from the body (e.g. `Id` in a collection update).
    pub(crate) fn take(&mut self, name: &str) -> Option<Decoded> {
        let i = self.values.iter().position(|(f, _)| f.name == name)?;
        Some(self.values.remove(i).1)
    }
}

fn no_such_column(name: &str, obj: &ObjectDef) -> SfError {
    SfError::bad(
        "INVALID_FIELD",
        format!("No such column '{name}' on sobject of type {}", obj.name),
    )
}

/// Reads a JSON object body for `obj` (the `attributes` key is ignored).
pub(crate) fn decode_body(obj: &'static ObjectDef, body: &Map<String, Value>) -> Result<Body, SfError> {
    let mut out = Body::default();
    for (key, v) in body {
        if key == "attributes" {
            continue;
        }
        if let Some(f) = obj.field(key) {
            out.values.push((f, decode(f.kind, v).map_err(SfError::json)?));
            continue;
        }
        let rel = obj
            .all_fields()
            .find(|f| f.relationship_name().is_some_and(|r| r.eq_ignore_ascii_case(key)));
        let (Some(field), Some(nested)) = (rel, v.as_object()) else {
            return Err(no_such_column(key, obj));
        };
        let Some(target) = reference_target(field) else {
            return Err(no_such_column(key, obj));
        };
        let mut keys = nested.iter().filter(|(k, _)| k.as_str() != "attributes");
        let (Some((k, kv)), None) = (keys.next(), keys.next()) else {
            return Err(SfError::bad(
                "INVALID_FIELD",
                format!("Exactly one external ID field is required for the relationship {key}"),
            ));
        };
        let key_field = target
            .field(k)
            .filter(|f| f.external_id || f.name == "Id")
            .ok_or_else(|| no_such_column(k, target))?;
        match decode(key_field.kind, kv).map_err(SfError::json)? {
            Decoded::Value(value) => out.foreign.push(ForeignKey {
                field,
                target,
                key_field,
                value,
            }),
            _ => return Err(SfError::bad("INVALID_FIELD", format!("Invalid value for {k}"))),
        }
    }
    Ok(out)
}

fn is_system(f: &FieldDef) -> bool {
    SYSTEM_FIELDS.iter().any(|s| s.name == f.name)
}

fn check_access(body: &Body, creating: bool, mode: Mode) -> Result<(), SfError> {
    if creating && body.get("Id").is_some() {
        return Err(SfError::on_fields(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "Record ID: cannot specify Id in an insert call",
            vec!["Id".to_owned()],
        ));
    }
    let denied: Vec<String> = body
        .values
        .iter()
        .map(|(f, _)| *f)
        .chain(body.foreign.iter().map(|k| k.field))
        .filter(|f| match mode {
            Mode::Seed => is_system(f),
            Mode::Api if creating => !f.createable(),
            Mode::Api => !f.updateable(),
        })
        .map(|f| f.name.to_owned())
        .collect();
    if denied.is_empty() {
        return Ok(());
    }
    Err(SfError::on_fields(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        format!(
            "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
            denied.join(", ")
        ),
        denied,
    ))
}

fn field_error(code: &'static str, f: &FieldDef, message: String) -> SfError {
    SfError::on_fields(code, message, vec![f.name.to_owned()])
}

fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

fn max_len(kind: FieldKind) -> Option<u32> {
    match kind {
        FieldKind::Text(n) | FieldKind::TextArea(n) => Some(n),
        FieldKind::Email => Some(80),
        FieldKind::Url | FieldKind::Picklist { .. } => Some(255),
        FieldKind::Phone => Some(40),
        _ => None,
    }
}

/// Checks and normalises one value for its field (lengths, picklists, ranges, references).
fn check_value(st: &State, f: &'static FieldDef, v: FieldValue, mode: Mode) -> Result<FieldValue, SfError> {
    let shown = v.display();
    if let (Some(n), FieldValue::Text(s)) = (max_len(f.kind), &v)
        && s.chars().count() > usize::try_from(n).unwrap_or(usize::MAX)
    {
        let msg = format!("{}: data value too large: {shown} (max length={n})", f.label);
        return Err(field_error("STRING_TOO_LONG", f, msg));
    }
    match f.kind {
        FieldKind::Email if !valid_email(&shown) => {
            let msg = format!("{}: invalid email address: {shown}", f.label);
            Err(field_error("INVALID_EMAIL_ADDRESS", f, msg))
        }
        FieldKind::Picklist {
            values,
            restricted: true,
        } if !values.contains(&shown.as_str()) => {
            let msg = format!("{}: bad value for restricted picklist field: {shown}", f.label);
            Err(field_error("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f, msg))
        }
        FieldKind::CurrencyCode => {
            let (active, _) = st.org.currencies();
            if active.contains(&shown) {
                Ok(v)
            } else {
                let msg = format!("{}: bad value for restricted picklist field: {shown}", f.label);
                Err(field_error("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f, msg))
            }
        }
        FieldKind::Currency(p, s) | FieldKind::Number(p, s) => {
            let FieldValue::Num(d) = v else { return Ok(v) };
            let rounded = d.round_dp_with_strategy(s, RoundingStrategy::MidpointAwayFromZero);
            let limit = Decimal::from(10u64.saturating_pow(p.saturating_sub(s)));
            if rounded.abs() >= limit {
                let msg = format!(
                    "{}: value outside of valid range on numeric field: {shown}",
                    f.label
                );
                return Err(field_error("NUMBER_OUTSIDE_VALID_RANGE", f, msg));
            }
            Ok(FieldValue::Num(rounded.normalize()))
        }
        FieldKind::Reference(_) => {
            let incorrect = |code| {
                field_error(
                    code,
                    f,
                    format!("{}: id value of incorrect type: {shown}", f.label),
                )
            };
            let id = ids::normalize(&shown).ok_or_else(|| incorrect("MALFORMED_ID"))?;
            if let Some(target) = reference_target(f) {
                if ids::prefix(&id) != target.key_prefix {
                    return Err(incorrect("FIELD_INTEGRITY_EXCEPTION"));
                }
                if mode == Mode::Api {
                    match st.org.get_in(target, &id) {
                        None => {
                            let msg = "invalid cross reference id".to_owned();
                            return Err(field_error("INVALID_CROSS_REFERENCE_KEY", f, msg));
                        }
                        Some(r) if r.deleted() => {
                            return Err(field_error(
                                "ENTITY_IS_DELETED",
                                f,
                                "entity is deleted".to_owned(),
                            ));
                        }
                        Some(_) => {}
                    }
                }
            }
            Ok(FieldValue::Text(id))
        }
        _ => Ok(v),
    }
}

/// The new values a body sets: `None` clears the field.
fn checked_values(
    st: &State,
    body: &Body,
    mode: Mode,
) -> Result<Vec<(&'static FieldDef, Option<FieldValue>)>, SfError> {
    let mut out = vec![];
    for (f, d) in &body.values {
        match d {
            Decoded::Null => out.push((*f, None)),
            Decoded::Bad { code, shown } => {
                let msg = match *code {
                    "NUMBER_OUTSIDE_VALID_RANGE" => {
                        format!(
                            "{}: value outside of valid range on numeric field: {shown}",
                            f.label
                        )
                    }
                    _ => format!("{}: value not of required type: {shown}", f.label),
                };
                return Err(field_error(code, f, msg));
            }
            Decoded::Value(v) => out.push((*f, Some(check_value(st, f, v.clone(), mode)?))),
        }
    }
    for k in &body.foreign {
        let found = st.org.matching(k.target, k.key_field, &k.value);
        let shown = k.value.display();
        match found.as_slice() {
            [one] => out.push((k.field, Some(FieldValue::Text(one.id().to_owned())))),
            [] => {
                let msg = format!(
                    "Foreign key external ID: {shown} not found for field {} in entity {}",
                    k.key_field.name, k.target.name
                );
                return Err(SfError::on_fields("INVALID_FIELD", msg, vec![]));
            }
            _ => {
                let msg = format!(
                    "Foreign key external ID: {shown} matched more than one record for field {} in entity {}",
                    k.key_field.name, k.target.name
                );
                return Err(SfError::on_fields("INVALID_FIELD", msg, vec![]));
            }
        }
    }
    Ok(out)
}

fn lock_error(id: Option<&str>) -> SfError {
    let message = match id {
        Some(id) => format!("unable to obtain exclusive access to this record or 1 records: {id}"),
        None => "unable to obtain exclusive access to this record".to_owned(),
    };
    SfError::on_fields("UNABLE_TO_LOCK_ROW", message, vec![])
}

/// Injected row-lock failures: a targeted record first, then the random rate.
fn check_lock(st: &mut State, targets: &[String], rng: &dyn RandomSource) -> Result<(), SfError> {
    for t in targets {
        if let Some(i) = st
            .locks
            .next_writes
            .iter()
            .position(|l| l.record_id == *t && l.count > 0)
        {
            st.locks.next_writes[i].count -= 1;
            if st.locks.next_writes[i].count == 0 {
                st.locks.next_writes.remove(i);
            }
            return Err(lock_error(Some(t)));
        }
    }
    if st.locks.rate_bp > 0 && rng.below(10_000) < u64::from(st.locks.rate_bp) {
        return Err(lock_error(targets.first().map(String::as_str)));
    }
    Ok(())
}

fn rules_pass(st: &State, obj: &ObjectDef, rec: &Record) -> Result<(), SfError> {
    for rule in st
        .rules
        .iter()
        .filter(|r| r.object.eq_ignore_ascii_case(obj.name))
    {
        let Some(f) = obj.field(&rule.field) else { continue };
        let value = st.org.value(obj, rec, f).map(|v| v.display());
        let ok = match (&rule.kind, &value) {
            (RuleKind::Required, v) => v.as_deref().is_some_and(|s| !s.is_empty()),
            (_, None) => true,
            (RuleKind::Regex { pattern }, Some(v)) => Regex::new(pattern).is_ok_and(|r| r.is_full_match(v)),
            (RuleKind::OneOf { values }, Some(v)) => values.iter().any(|x| x == v),
        };
        if !ok {
            return Err(field_error(
                "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                f,
                rule.message.clone(),
            ));
        }
    }
    Ok(())
}

fn required_present(st: &State, obj: &ObjectDef, rec: &Record) -> Result<(), SfError> {
    let missing: Vec<String> = obj
        .fields
        .iter()
        .filter(|f| f.required && st.org.value(obj, rec, f).is_none())
        .map(|f| f.name.to_owned())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(SfError::on_fields(
        "REQUIRED_FIELD_MISSING",
        format!("Required fields are missing: [{}]", missing.join(", ")),
        missing,
    ))
}

fn unique_ok(st: &State, obj: &ObjectDef, rec: &Record) -> Result<(), SfError> {
    for f in obj.fields.iter().filter(|f| f.unique) {
        let Some(v) = rec.get(f.name) else { continue };
        if let Some(other) = st.org.matching(obj, f, v).into_iter().find(|r| r.seq != rec.seq) {
            let msg = format!(
                "duplicate value found: {} duplicates value on record with id: {}",
                f.name,
                other.id()
            );
            return Err(SfError::on_fields("DUPLICATE_VALUE", msg, vec![]));
        }
    }
    Ok(())
}

fn auto_number(format: &str, n: u64) -> String {
    let (Some(open), Some(close)) = (format.find('{'), format.find('}')) else {
        return format!("{format}{n}");
    };
    let width = close.saturating_sub(open + 1);
    format!("{}{n:0width$}{}", &format[..open], &format[close + 1..])
}

/// The ids an injected lock can hit: the record itself and the parents it sets.
fn lock_targets(own: Option<&str>, values: &[(&'static FieldDef, Option<FieldValue>)]) -> Vec<String> {
    let parents = values.iter().filter_map(|(f, v)| match (f.kind, v) {
        (FieldKind::Reference(_), Some(FieldValue::Text(id))) => Some(id.clone()),
        _ => None,
    });
    own.map(str::to_owned).into_iter().chain(parents).collect()
}

/// Finishes a write: lock, required, rules, uniqueness, then stores it.
fn finish(
    st: &mut State,
    obj: &'static ObjectDef,
    rec: Record,
    targets: &[String],
    ctx: &WriteCtx<'_>,
    undo: &mut Undo,
) -> Result<(), SfError> {
    if ctx.mode == Mode::Api {
        check_lock(st, targets, ctx.rng)?;
    }
    required_present(st, obj, &rec)?;
    if ctx.mode == Mode::Api {
        rules_pass(st, obj, &rec)?;
    }
    unique_ok(st, obj, &rec)?;
    let seq = rec.seq;
    let prev = st.org.put(obj, rec);
    undo.push((obj, seq, prev));
    Ok(())
}

/// Creates a record; returns its id.
pub(crate) fn create(
    st: &mut State,
    obj: &'static ObjectDef,
    body: &Body,
    ctx: &WriteCtx<'_>,
    undo: &mut Undo,
) -> Result<String, SfError> {
    check_access(body, true, ctx.mode)?;
    let values = checked_values(st, body, ctx.mode)?;
    let id = ids::new_id(ctx.rng, obj.key_prefix);
    let mut rec = Record {
        seq: st.org.alloc_seq(),
        fields: Default::default(),
    };
    let user = FieldValue::Text(ctx.user_id.to_owned());
    let now = FieldValue::DateTime(ctx.now);
    for (name, v) in [
        ("Id", FieldValue::Text(id.clone())),
        ("IsDeleted", FieldValue::Bool(false)),
        ("CreatedDate", now.clone()),
        ("CreatedById", user.clone()),
        ("LastModifiedDate", now.clone()),
        ("LastModifiedById", user),
        ("SystemModstamp", now),
    ] {
        rec.fields.insert(name.to_owned(), v);
    }
    for f in obj.fields {
        let v = match (f.kind, f.default) {
            (FieldKind::AutoNumber(format), _) => Some(FieldValue::Text(auto_number(
                format,
                st.org.next_autonumber(obj.name),
            ))),
            (_, FieldDefault::Bool(b)) => Some(FieldValue::Bool(b)),
            (_, FieldDefault::Text(t)) => Some(FieldValue::Text(t.to_owned())),
            (_, FieldDefault::Int(i)) => Some(FieldValue::Int(i)),
            (_, FieldDefault::CorporateCurrency) => st.org.currencies().1.map(FieldValue::Text),
            (_, FieldDefault::None) => None,
        };
        if let Some(v) = v {
            rec.fields.insert(f.name.to_owned(), v);
        }
    }
    apply_values(&mut rec, &values);
    let targets = lock_targets(None, &values);
    finish(st, obj, rec, &targets, ctx, undo)?;
    Ok(id)
}

fn apply_values(rec: &mut Record, values: &[(&'static FieldDef, Option<FieldValue>)]) {
    for (f, v) in values {
        match v {
            Some(v) => rec.fields.insert(f.name.to_owned(), v.clone()),
            // Checkboxes are never null: clearing one sets it false.
            None if f.kind == FieldKind::Boolean => {
                rec.fields.insert(f.name.to_owned(), FieldValue::Bool(false))
            }
            None => rec.fields.remove(f.name),
        };
    }
}

/// The live record `id` of `obj`, or the Salesforce error for a missing or deleted one.
pub(crate) fn existing(st: &State, obj: &ObjectDef, id: &str) -> Result<Record, SfError> {
    match st.org.get_in(obj, id) {
        None => Err(SfError::not_found()),
        Some(r) if r.deleted() => Err(SfError::deleted()),
        Some(r) => Ok(r.clone()),
    }
}

/// Updates record `id` (18 characters) of `obj`.
pub(crate) fn update(
    st: &mut State,
    obj: &'static ObjectDef,
    id: &str,
    body: &Body,
    ctx: &WriteCtx<'_>,
    undo: &mut Undo,
) -> Result<(), SfError> {
    let mut rec = existing(st, obj, id)?;
    check_access(body, false, ctx.mode)?;
    let values = checked_values(st, body, ctx.mode)?;
    apply_values(&mut rec, &values);
    rec.fields
        .insert("LastModifiedDate".to_owned(), FieldValue::DateTime(ctx.now));
    rec.fields
        .insert("SystemModstamp".to_owned(), FieldValue::DateTime(ctx.now));
    rec.fields.insert(
        "LastModifiedById".to_owned(),
        FieldValue::Text(ctx.user_id.to_owned()),
    );
    let targets = lock_targets(Some(id), &values);
    finish(st, obj, rec, &targets, ctx, undo)
}

/// Deletes record `id` of `obj` (to the recycle bin: `queryAll` still sees it).
pub(crate) fn delete(
    st: &mut State,
    obj: &'static ObjectDef,
    id: &str,
    ctx: &WriteCtx<'_>,
    undo: &mut Undo,
) -> Result<(), SfError> {
    let mut rec = existing(st, obj, id)?;
    if !obj.deletable {
        return Err(SfError::on_fields(
            "INVALID_TYPE",
            format!("entity type {} does not support delete", obj.name),
            vec![],
        ));
    }
    if ctx.mode == Mode::Api {
        check_lock(st, &[id.to_owned()], ctx.rng)?;
    }
    rec.fields.insert("IsDeleted".to_owned(), FieldValue::Bool(true));
    rec.fields
        .insert("LastModifiedDate".to_owned(), FieldValue::DateTime(ctx.now));
    rec.fields
        .insert("SystemModstamp".to_owned(), FieldValue::DateTime(ctx.now));
    rec.fields.insert(
        "LastModifiedById".to_owned(),
        FieldValue::Text(ctx.user_id.to_owned()),
    );
    let seq = rec.seq;
    let prev = st.org.put(obj, rec);
    undo.push((obj, seq, prev));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn auto_numbers_are_zero_padded() {
        assert_eq!(super::auto_number("PR-{000000}", 42), "PR-000042");
        assert_eq!(super::auto_number("{00000000}", 7), "00000007");
    }
}
