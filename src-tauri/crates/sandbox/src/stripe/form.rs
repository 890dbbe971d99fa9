//! Stripe's request encoding: `application/x-www-form-urlencoded` with bracketed nesting
//! (`metadata[order_id]=7`, `expand[]=data.customer`, `items[0][price]=price_1`,
//! `items[][price]=…`), parsed into a `serde_json::Value` tree of strings, objects and arrays.
//! Values stay strings here; each endpoint's parameter table decides what is an integer or a
//! boolean, as Stripe does (`amount=10.5` is "Invalid integer: 10.5", not a parse failure).

use serde_json::{Map, Value};

/// Why a form body could not be turned into parameters (Stripe answers 400 `Invalid hash`/`Invalid array`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    /// The top-level parameter at fault.
    pub param: String,
    /// What was wrong, worded like Stripe's message.
    pub message: String,
}

/// One bracket segment of a key: `[name]`, `[3]` or `[]`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
    Push,
}

/// Parses a whole urlencoded string (a body or a query) into an object.
pub fn parse(input: &str) -> Result<Value, FormError> {
    let mut root = Value::Object(Map::new());
    for (key, value) in url::form_urlencoded::parse(input.as_bytes()) {
        if key.is_empty() {
            continue;
        }
        let (head, segs) = split_key(&key);
        let fail = |message: &str| FormError {
            param: head.clone(),
            message: message.to_owned(),
        };
        let mut path = vec![Seg::Key(head.clone())];
        path.extend(segs);
        insert(&mut root, &path, value.into_owned()).map_err(|m| fail(&m))?;
    }
    Ok(normalize(root))
}

/// `a[b][0][]` → (`a`, [Key b, Index 0, Push]). A malformed tail (unbalanced brackets) is kept as
/// part of the name, as Rack does, so it surfaces later as an unknown parameter.
fn split_key(key: &str) -> (String, Vec<Seg>) {
    let Some(open) = key.find('[') else {
        return (key.to_owned(), Vec::new());
    };
    let head = key[..open].to_owned();
    let mut segs = Vec::new();
    let mut rest = &key[open..];
    while let Some(stripped) = rest.strip_prefix('[') {
        let Some(close) = stripped.find(']') else {
            return (key.to_owned(), Vec::new());
        };
        let inner = &stripped[..close];
        segs.push(if inner.is_empty() {
            Seg::Push
        } else if let Ok(i) = inner.parse::<usize>() {
            Seg::Index(i)
        } else {
            Seg::Key(inner.to_owned())
        });
        rest = &stripped[close + 1..];
    }
    if !rest.is_empty() {
        return (key.to_owned(), Vec::new());
    }
    (head, segs)
}

/// Indexed segments are first collected as objects keyed by the decimal index (so `items[1]`
/// before `items[0]` works) and turned into arrays by [`normalize`].
fn insert(node: &mut Value, path: &[Seg], value: String) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        *node = Value::String(value);
        return Ok(());
    };
    match first {
        Seg::Key(k) => {
            let key = k.clone();
            child_in_object(node, key, rest, value)
        }
        Seg::Index(i) => child_in_object(node, format!("{INDEX_MARK}{i}"), rest, value),
        Seg::Push => {
            if node.is_null() {
                *node = Value::Array(Vec::new());
            }
            let Value::Array(items) = node else {
                return Err("Invalid array".into());
            };
            // Rails-style `a[][x]=1&a[][y]=2`: a new element starts when the last one already has
            // the next key (or when the element is a plain value).
            let reuse = match (rest.first(), items.last()) {
                (Some(Seg::Key(k)), Some(Value::Object(last))) => !last.contains_key(k.as_str()),
                _ => false,
            };
            if !reuse {
                items.push(Value::Null);
            }
            let len = items.len();
            insert(&mut items[len - 1], rest, value)
        }
    }
}

/// Marks keys that came from `[N]` so [`normalize`] can tell them from literal metadata keys.
const INDEX_MARK: &str = "\u{0}#";

fn child_in_object(node: &mut Value, key: String, rest: &[Seg], value: String) -> Result<(), String> {
    if node.is_null() {
        *node = Value::Object(Map::new());
    }
    let Value::Object(map) = node else {
        return Err("Invalid hash".into());
    };
    let child = map.entry(key).or_insert(Value::Null);
    if rest.is_empty() {
        if child.is_object() || child.is_array() {
            return Err("Invalid hash".into());
        }
        *child = Value::String(value);
        return Ok(());
    }
    if child.is_string() {
        return Err("Invalid hash".into());
    }
    insert(child, rest, value)
}

/// Turns objects keyed only by index marks into arrays (ordered by index) and strips the marks
/// from any other keys.
fn normalize(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let all_indexed = !map.is_empty() && map.keys().all(|k| k.starts_with(INDEX_MARK));
            if all_indexed {
                let mut items: Vec<(usize, Value)> = map
                    .into_iter()
                    .map(|(k, v)| {
                        let i = k[INDEX_MARK.len()..].parse::<usize>().unwrap_or(usize::MAX);
                        (i, normalize(v))
                    })
                    .collect();
                items.sort_by_key(|(i, _)| *i);
                Value::Array(items.into_iter().map(|(_, v)| v).collect())
            } else {
                Value::Object(
                    map.into_iter()
                        .map(|(k, v)| {
                            let k = k.strip_prefix(INDEX_MARK).map(str::to_owned).unwrap_or(k);
                            (k, normalize(v))
                        })
                        .collect(),
                )
            }
        }
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        other => other,
    }
}

/// A canonical text of parameters, used to compare an idempotent retry with its original.
pub fn canonical(params: &Value) -> String {
    // Sorted explicitly so the result does not depend on serde_json's map ordering feature.
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for k in keys {
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    walk(&map[k.as_str()], out);
                    out.push(',');
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for item in items {
                    walk(item, out);
                    out.push(',');
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    walk(params, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn flat_and_nested_keys() {
        let v = parse("amount=2000&currency=usd&metadata[order_id]=6735&metadata[note]=a%20b").unwrap();
        assert_eq!(
            v,
            json!({"amount":"2000","currency":"usd","metadata":{"order_id":"6735","note":"a b"}})
        );
    }

    #[test]
    fn push_arrays_and_indexed_arrays() {
        let v = parse("expand[]=customer&expand[]=latest_charge.balance_transaction").unwrap();
        assert_eq!(
            v,
            json!({"expand":["customer","latest_charge.balance_transaction"]})
        );
        let v = parse("items[1][price]=p2&items[0][price]=p1&items[0][quantity]=2").unwrap();
        assert_eq!(v, json!({"items":[{"price":"p1","quantity":"2"},{"price":"p2"}]}));
    }

    #[test]
    fn rails_style_object_arrays() {
        let v = parse("items[][price]=a&items[][quantity]=1&items[][price]=b").unwrap();
        assert_eq!(v, json!({"items":[{"price":"a","quantity":"1"},{"price":"b"}]}));
    }

    #[test]
    fn deep_nesting_and_range_filters() {
        let v = parse("created[gte]=10&created[lt]=20&a[b][c][d]=x").unwrap();
        assert_eq!(
            v,
            json!({"created":{"gte":"10","lt":"20"},"a":{"b":{"c":{"d":"x"}}}})
        );
    }

    #[test]
    fn empty_values_are_kept_for_unsetting() {
        let v = parse("metadata[k]=&description=").unwrap();
        assert_eq!(v, json!({"metadata":{"k":""},"description":""}));
    }

    #[test]
    fn conflicting_shapes_are_errors() {
        let e = parse("metadata=x&metadata[a]=b").unwrap_err();
        assert_eq!(e.param, "metadata");
        assert_eq!(e.message, "Invalid hash");
        assert!(parse("metadata[a]=b&metadata=x").is_err());
        assert!(parse("a[b]=1&a[]=2").is_err());
    }

    #[test]
    fn last_scalar_wins_and_odd_keys_are_literal() {
        assert_eq!(parse("a=1&a=2").unwrap(), json!({"a":"2"}));
        assert_eq!(parse("a[b=1").unwrap(), json!({"a[b":"1"}));
        assert_eq!(parse("").unwrap(), json!({}));
    }

    #[test]
    fn numeric_metadata_keys_under_a_named_key_stay_keys() {
        let v = parse("metadata[a]=1&metadata[0]=z").unwrap();
        assert_eq!(v, json!({"metadata":{"a":"1","0":"z"}}));
    }

    #[test]
    fn canonical_ignores_order() {
        let a = parse("b=2&a=1&m[y]=1&m[x]=2").unwrap();
        let b = parse("m[x]=2&a=1&m[y]=1&b=2").unwrap();
        assert_eq!(canonical(&a), canonical(&b));
    }
}
