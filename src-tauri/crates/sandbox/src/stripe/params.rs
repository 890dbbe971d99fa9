//! Parameter tables and validation. Every endpoint lists the top-level parameters SPEC:stripe
//! gives it (those the simulator does not act on are accepted and ignored, typed [`P::Any`]);
//! anything else is `parameter_unknown`, as at Stripe. Failures here happen before execution,
//! so they are never saved under an idempotency key.

use serde_json::{Map, Value};

use super::errors::ApiError;

/// The type of one parameter.
#[derive(Debug, Clone, Copy)]
pub enum P {
    /// A string.
    Str,
    /// An integer (sent as decimal text).
    Int,
    /// `true`/`false`.
    Bool,
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// A metadata hash (or `""` to clear it).
    Meta,
    /// An integer or a `{gt,gte,lt,lte}` range.
    Range,
    /// An array of strings (`expand[]`, `types[]`).
    StrList,
    /// Accepted, not interpreted.
    Any,
}

/// One endpoint's parameters.
#[derive(Debug)]
pub struct Spec {
    /// Names and types.
    pub params: &'static [(&'static str, P)],
    /// Required names.
    pub required: &'static [&'static str],
}

/// Parameters every list endpoint takes.
pub const LIST: &[(&str, P)] = &[
    ("limit", P::Int),
    ("starting_after", P::Str),
    ("ending_before", P::Str),
    ("created", P::Range),
];

/// Checks `params` against `spec` and the list parameters when `is_list`.
pub fn validate(spec: &Spec, params: &Value, is_list: bool) -> Result<(), ApiError> {
    let empty = Map::new();
    let map = params.as_object().unwrap_or(&empty);
    for (name, value) in map {
        if name == "expand" {
            check(name, P::StrList, value)?;
            continue;
        }
        let found = spec
            .params
            .iter()
            .chain(if is_list { LIST.iter() } else { [].iter() })
            .find(|(n, _)| n == name);
        match found {
            Some((_, ty)) => check(name, *ty, value)?,
            None => return Err(ApiError::unknown_param(name)),
        }
    }
    for name in spec.required {
        let present = map
            .get(*name)
            .is_some_and(|v| !matches!(v, Value::String(s) if s.is_empty()));
        if !present {
            return Err(ApiError::missing(name));
        }
    }
    Ok(())
}

fn check(name: &str, ty: P, v: &Value) -> Result<(), ApiError> {
    match ty {
        P::Any => Ok(()),
        P::Str => match v {
            Value::String(_) => Ok(()),
            _ => Err(ApiError::param(name, format!("Invalid string: {v}"))),
        },
        P::Int => int_text(name, v).map(|_| ()),
        P::Bool => match v.as_str() {
            Some("true" | "false") => Ok(()),
            _ => Err(ApiError::param(name, format!("Invalid boolean: {}", text(v)))),
        },
        P::Enum(options) => match v.as_str() {
            Some(s) if options.contains(&s) => Ok(()),
            _ => Err(ApiError::param(
                name,
                format!("Invalid {name}: must be one of {}", one_of(options)),
            )),
        },
        P::Meta => check_metadata(name, v),
        P::Range => match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let sub = format!("{name}[{k}]");
                    if !matches!(k.as_str(), "gt" | "gte" | "lt" | "lte") {
                        return Err(ApiError::unknown_param(&sub));
                    }
                    int_text(&sub, x)?;
                }
                Ok(())
            }
            other => int_text(name, other).map(|_| ()),
        },
        P::StrList => match v {
            Value::Array(items) if items.iter().all(Value::is_string) => Ok(()),
            _ => Err(ApiError::param(name, "Invalid array")),
        },
    }
}

/// `a, b, or c`.
fn one_of(options: &[&str]) -> String {
    match options {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// Parses Stripe's integer text (`Invalid integer: 10.5`).
pub fn int_text(name: &str, v: &Value) -> Result<i64, ApiError> {
    v.as_str().and_then(|s| s.parse::<i64>().ok()).ok_or_else(|| {
        ApiError::param(name, format!("Invalid integer: {}", text(v))).with_code("parameter_invalid_integer")
    })
}

fn check_metadata(name: &str, v: &Value) -> Result<(), ApiError> {
    let map = match v {
        Value::String(s) if s.is_empty() => return Ok(()),
        Value::Object(m) => m,
        _ => return Err(ApiError::param(name, "Invalid object")),
    };
    if map.len() > 50 {
        return Err(ApiError::param(
            name,
            "You can specify up to 50 keys in metadata.",
        ));
    }
    for (k, val) in map {
        let sub = format!("{name}[{k}]");
        if k.chars().count() > 40 {
            return Err(ApiError::param(
                &sub,
                format!(
                    "Metadata keys can have up to 40 characters, but you passed in a key that is {} characters. Invalid key: {k}",
                    k.chars().count()
                ),
            ));
        }
        let Some(s) = val.as_str() else {
            return Err(ApiError::param(&sub, format!("Invalid string: {val}")));
        };
        if s.chars().count() > 500 {
            return Err(ApiError::param(
                &sub,
                format!(
                    "Metadata values can have up to 500 characters, but you passed in a value that is {} characters. Invalid value: {s}",
                    s.chars().count()
                ),
            ));
        }
    }
    Ok(())
}

/// A validated string parameter.
pub fn s<'a>(params: &'a Value, name: &str) -> Option<&'a str> {
    params.get(name).and_then(Value::as_str)
}

/// A validated string parameter, `None` when absent or empty.
pub fn s_nonempty<'a>(params: &'a Value, name: &str) -> Option<&'a str> {
    s(params, name).filter(|v| !v.is_empty())
}

/// A validated integer parameter.
pub fn i(params: &Value, name: &str) -> Option<i64> {
    s(params, name).and_then(|v| v.parse().ok())
}

/// A validated boolean parameter.
pub fn b(params: &Value, name: &str) -> Option<bool> {
    s(params, name).map(|v| v == "true")
}

/// Applies a `metadata` parameter to an object's metadata: keys merge, `""` values delete keys,
/// and `metadata=""` clears everything.
pub fn apply_metadata(target: &mut Value, params: &Value) {
    let Some(patch) = params.get("metadata") else {
        return;
    };
    if patch.as_str() == Some("") {
        target["metadata"] = Value::Object(Map::new());
        return;
    }
    let Some(patch) = patch.as_object() else {
        return;
    };
    if !target["metadata"].is_object() {
        target["metadata"] = Value::Object(Map::new());
    }
    if let Some(meta) = target["metadata"].as_object_mut() {
        for (k, v) in patch {
            match v.as_str() {
                Some("") => {
                    meta.remove(k);
                }
                _ => {
                    meta.insert(k.clone(), v.clone());
                }
            }
        }
    }
}

/// Copies string parameters onto same-named fields (`""` sets `null`, Stripe's way to unset).
pub fn apply_strings(target: &mut Value, params: &Value, names: &[&str]) {
    for name in names {
        if let Some(v) = s(params, name) {
            target[*name] = if v.is_empty() {
                Value::Null
            } else {
                Value::String(v.to_owned())
            };
        }
    }
}

/// The `expand[]` parameter.
pub fn expand_list(params: &Value) -> Vec<String> {
    params
        .get("expand")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SPEC: Spec = Spec {
        params: &[
            ("amount", P::Int),
            (
                "capture_method",
                P::Enum(&["automatic", "automatic_async", "manual"]),
            ),
            ("metadata", P::Meta),
        ],
        required: &["amount"],
    };

    #[test]
    fn unknown_missing_and_typed() {
        let e = validate(&SPEC, &json!({"amount":"1","foo":"x"}), false).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("parameter_unknown"));
        assert_eq!(e.message, "Received unknown parameter: foo");
        let e = validate(&SPEC, &json!({}), false).unwrap_err();
        assert_eq!(e.message, "Missing required param: amount.");
        let e = validate(&SPEC, &json!({"amount":"10.5"}), false).unwrap_err();
        assert_eq!(e.message, "Invalid integer: 10.5");
        let e = validate(&SPEC, &json!({"amount":"1","capture_method":"x"}), false).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid capture_method: must be one of automatic, automatic_async, or manual"
        );
        assert!(e.before_execution);
        assert!(validate(&SPEC, &json!({"amount":"1","limit":"3"}), true).is_ok());
        assert!(validate(&SPEC, &json!({"amount":"1","limit":"3"}), false).is_err());
    }

    #[test]
    fn metadata_merges_and_deletes() {
        let mut obj = json!({"metadata":{"a":"1","b":"2"}});
        apply_metadata(&mut obj, &json!({"metadata":{"b":"","c":"3"}}));
        assert_eq!(obj, json!({"metadata":{"a":"1","c":"3"}}));
        apply_metadata(&mut obj, &json!({"metadata":""}));
        assert_eq!(obj, json!({"metadata":{}}));
    }
}
