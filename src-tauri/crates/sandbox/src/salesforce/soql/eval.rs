//! Running a bound query over the org: filter (SOQL's null rules: `!=` and `NOT IN` match nulls),
//! sort, offset, limit, and render records as the REST API does.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::bind::{Filter, Operand, Path, Plan, Select};
use crate::salesforce::org::{Org, Record};
use crate::salesforce::schema::{FieldDef, ObjectDef};
use crate::salesforce::value::{FieldValue, compare, json_opt};

/// The value of a path on a record (through the parent for `Account.Name`).
fn path_value(org: &Org, obj: &ObjectDef, rec: &Record, path: &Path) -> Option<FieldValue> {
    match path.via {
        None => org.value(obj, rec, path.field),
        Some((lookup, parent)) => {
            let id = rec.get(lookup.name)?.as_text()?;
            let prec = org.get_in(parent, id)?;
            org.value(parent, prec, path.field)
        }
    }
}

fn equal(a: &FieldValue, b: &FieldValue) -> bool {
    compare(a, b) == Some(Ordering::Equal)
}

fn in_range(v: &FieldValue, start: &FieldValue, end: &FieldValue) -> bool {
    compare(v, start).is_some_and(Ordering::is_ge) && compare(v, end).is_some_and(Ordering::is_lt)
}

fn cmp_op(op: &str, v: Option<&FieldValue>, operand: &Operand) -> bool {
    match (operand, v) {
        (Operand::Null, v) => match op {
            "=" => v.is_none(),
            "!=" => v.is_some(),
            _ => false,
        },
        (_, None) => op == "!=",
        (Operand::Value(x), Some(v)) => {
            let Some(ord) = compare(v, x) else { return false };
            match op {
                "=" => ord.is_eq(),
                "!=" => ord.is_ne(),
                "<" => ord.is_lt(),
                "<=" => ord.is_le(),
                ">" => ord.is_gt(),
                ">=" => ord.is_ge(),
                _ => false,
            }
        }
        (Operand::Range(start, end), Some(v)) => match op {
            "=" => in_range(v, start, end),
            "!=" => !in_range(v, start, end),
            "<" => compare(v, start).is_some_and(Ordering::is_lt),
            "<=" => compare(v, end).is_some_and(Ordering::is_lt),
            ">" => compare(v, end).is_some_and(Ordering::is_ge),
            ">=" => compare(v, start).is_some_and(Ordering::is_ge),
            _ => false,
        },
    }
}

/// LIKE: `%` any run, `_` one character, `\%` / `\_` literal; case-insensitive.
fn like(text: &str, pattern: &str) -> bool {
    #[derive(PartialEq)]
    enum P {
        Lit(char),
        One,
        Many,
    }
    let mut parts = vec![];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        parts.push(match c {
            '\\' => P::Lit(chars.next().unwrap_or('\\')),
            '%' => P::Many,
            '_' => P::One,
            c => P::Lit(c),
        });
    }
    let t: Vec<char> = text.to_lowercase().chars().collect();
    // reachable[j]: the pattern so far can consume exactly t[..j].
    let mut reachable = vec![false; t.len() + 1];
    reachable[0] = true;
    for p in &parts {
        let mut next = vec![false; t.len() + 1];
        for j in 0..=t.len() {
            if !reachable[j] {
                continue;
            }
            match p {
                P::Many => next[j..].iter_mut().for_each(|r| *r = true),
                P::One if j < t.len() => next[j + 1] = true,
                P::Lit(c) if t.get(j) == Some(c) => next[j + 1] = true,
                _ => {}
            }
        }
        reachable = next;
    }
    reachable[t.len()]
}

fn matches(f: &Filter, org: &Org, obj: &ObjectDef, rec: &Record) -> bool {
    match f {
        Filter::And(items) => items.iter().all(|i| matches(i, org, obj, rec)),
        Filter::Or(items) => items.iter().any(|i| matches(i, org, obj, rec)),
        Filter::Not(inner) => !matches(inner, org, obj, rec),
        Filter::Cmp { path, op, value } => cmp_op(op, path_value(org, obj, rec, path).as_ref(), value),
        Filter::In {
            path,
            negated,
            values,
        } => {
            let v = path_value(org, obj, rec, path);
            let hit = values.iter().any(|o| match (o, &v) {
                (Operand::Null, None) => true,
                (Operand::Value(x), Some(v)) => equal(v, x),
                (Operand::Range(a, b), Some(v)) => in_range(v, a, b),
                _ => false,
            });
            hit != *negated
        }
        Filter::Like { path, pattern } => {
            path_value(org, obj, rec, path).is_some_and(|v| like(&v.display(), pattern))
        }
    }
}

/// `/services/data/vXX.X/sobjects/{Object}/{Id}`.
pub(crate) fn record_url(version: &str, obj: &ObjectDef, id: &str) -> String {
    format!("/services/data/v{version}/sobjects/{}/{id}", obj.name)
}

fn attributes(version: &str, obj: &ObjectDef, id: &str) -> Value {
    json!({"type": obj.name, "url": record_url(version, obj, id)})
}

/// A record as the REST API renders it: `attributes` then the given fields (null when empty).
pub(crate) fn render_record(
    org: &Org,
    obj: &ObjectDef,
    rec: &Record,
    fields: &[&'static FieldDef],
    version: &str,
) -> Value {
    let mut m = Map::new();
    m.insert("attributes".to_owned(), attributes(version, obj, rec.id()));
    for f in fields {
        m.insert(f.name.to_owned(), json_opt(org.value(obj, rec, f).as_ref()));
    }
    Value::Object(m)
}

fn render_paths(org: &Org, obj: &ObjectDef, rec: &Record, paths: &[Path], version: &str) -> Value {
    let mut m = Map::new();
    m.insert("attributes".to_owned(), attributes(version, obj, rec.id()));
    for p in paths {
        match p.via {
            None => {
                m.insert(
                    p.field.name.to_owned(),
                    json_opt(org.value(obj, rec, p.field).as_ref()),
                );
            }
            Some((lookup, parent)) => {
                let key = lookup.relationship_name().unwrap_or_default();
                let prec = rec
                    .get(lookup.name)
                    .and_then(FieldValue::as_text)
                    .and_then(|id| org.get_in(parent, id));
                let Some(prec) = prec else {
                    m.entry(key).or_insert(Value::Null);
                    continue;
                };
                let entry = m
                    .entry(key)
                    .or_insert_with(|| json!({"attributes": attributes(version, parent, prec.id())}));
                if let Some(nested) = entry.as_object_mut() {
                    nested.insert(
                        p.field.name.to_owned(),
                        json_opt(org.value(parent, prec, p.field).as_ref()),
                    );
                }
            }
        }
    }
    Value::Object(m)
}

/// A query's result before batching.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    /// `totalSize`.
    pub total: usize,
    /// Rendered records (empty for `COUNT()`).
    pub records: Vec<Value>,
}

/// Runs a plan; `all_rows` (queryAll) includes deleted records.
pub(crate) fn execute(plan: &Plan, org: &Org, all_rows: bool, version: &str) -> Outcome {
    let obj = plan.object;
    let mut rows: Vec<&Record> = org
        .rows(obj)
        .filter(|r| all_rows || !r.deleted())
        .filter(|r| plan.filter.as_ref().is_none_or(|f| matches(f, org, obj, r)))
        .collect();
    if !plan.order.is_empty() {
        let keyed: Vec<(Vec<Option<FieldValue>>, &Record)> = rows
            .into_iter()
            .map(|r| {
                (
                    plan.order
                        .iter()
                        .map(|o| path_value(org, obj, r, &o.path))
                        .collect(),
                    r,
                )
            })
            .collect();
        let mut keyed = keyed;
        keyed.sort_by(|(a, _), (b, _)| {
            for (i, o) in plan.order.iter().enumerate() {
                let ord = match (&a[i], &b[i]) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => {
                        if o.nulls_first {
                            Ordering::Less
                        } else {
                            Ordering::Greater
                        }
                    }
                    (Some(_), None) => {
                        if o.nulls_first {
                            Ordering::Greater
                        } else {
                            Ordering::Less
                        }
                    }
                    (Some(x), Some(y)) => {
                        let c = compare(x, y).unwrap_or(Ordering::Equal);
                        if o.asc { c } else { c.reverse() }
                    }
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
        rows = keyed.into_iter().map(|(_, r)| r).collect();
    }
    let rows: Vec<&Record> = rows
        .into_iter()
        .skip(plan.offset)
        .take(plan.limit.unwrap_or(usize::MAX))
        .collect();
    match &plan.select {
        Select::CountAll => Outcome {
            total: rows.len(),
            records: vec![],
        },
        Select::Count { field, alias } => {
            let n = rows
                .iter()
                .filter(|r| path_value(org, obj, r, field).is_some())
                .count();
            let mut m = Map::new();
            m.insert("attributes".to_owned(), json!({"type": "AggregateResult"}));
            m.insert(alias.clone(), json!(n));
            Outcome {
                total: 1,
                records: vec![Value::Object(m)],
            }
        }
        Select::Fields(paths) => Outcome {
            total: rows.len(),
            records: rows
                .iter()
                .map(|r| render_paths(org, obj, r, paths, version))
                .collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_and_escapes() {
        assert!(super::like("Acme Corp", "acme%"));
        assert!(super::like("Acme", "a_me"));
        assert!(!super::like("Acme", "a_e"));
        assert!(super::like("50%", "50\\%"));
        assert!(!super::like("500", "50\\%"));
        assert!(super::like("", "%"));
    }
}
