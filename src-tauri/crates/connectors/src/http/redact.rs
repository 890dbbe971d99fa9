//! The redactor: every header, query parameter, log line and error excerpt passes through here
//! before anyone can see it (ARCHITECTURE §3.7). Names are matched case-insensitively.

use paysync_core::secret::REDACTED;
use serde_json::Value;

/// The most of a response body an error keeps, in bytes.
pub const MAX_EXCERPT: usize = 2 * 1024;

/// Headers whose values are always secret.
const SECRET_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// Fragments that make any header, parameter or JSON field name secret.
const SECRET_FRAGMENTS: &[&str] = &["key", "secret", "token", "password", "signature"];

/// Whether a header, query parameter or field called `name` carries a secret.
pub fn is_sensitive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&lower.as_str()) || SECRET_FRAGMENTS.iter().any(|f| lower.contains(f))
}

/// The value to show for header `name`.
pub fn header_value(name: &str, value: &str) -> String {
    if is_sensitive(name) {
        REDACTED.to_owned()
    } else {
        scrub_free_text(value)
    }
}

/// A query string for display: `name=value&…` with sensitive values shown as `[REDACTED]`.
pub fn query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| {
            let shown = if is_sensitive(n) {
                REDACTED.to_owned()
            } else {
                serde_urlencoded::to_string([("", v)])
                    .map(|s| s.trim_start_matches('=').to_owned())
                    .unwrap_or_default()
            };
            format!("{n}={shown}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Redacts a response body (or any text) for an error or a log line: every occurrence of a known
/// secret value is replaced, sensitive JSON fields and form fields are replaced, and the result is
/// cut to at most [`MAX_EXCERPT`] bytes on a character boundary.
pub fn excerpt(body: &[u8], known_secrets: &[String]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut text = replace_known(&text, known_secrets);
    if let Ok(mut json) = serde_json::from_str::<Value>(&text) {
        redact_json(&mut json);
        text = json.to_string();
    } else if looks_like_form(&text) {
        text = form(&text);
    } else {
        text = scrub_free_text(&text);
    }
    truncate(text, MAX_EXCERPT)
}

/// Replaces every occurrence of each known secret (of at least four characters) in `text`.
pub fn replace_known(text: &str, known_secrets: &[String]) -> String {
    known_secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .fold(text.to_owned(), |acc, s| acc.replace(s.as_str(), REDACTED))
}

/// Replaces the values of sensitive fields anywhere in a JSON document.
pub fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, v) in map.iter_mut() {
                if is_sensitive(name) && !v.is_object() && !v.is_array() {
                    *v = Value::String(REDACTED.to_owned());
                } else {
                    redact_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

fn looks_like_form(text: &str) -> bool {
    !text.is_empty() && !text.contains(char::is_whitespace) && text.contains('=')
}

fn form(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((n, _)) if is_sensitive(&decode(n)) => format!("{n}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn decode(name: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("{name}=x"))
        .ok()
        .and_then(|v| v.into_iter().next())
        .map_or_else(|| name.to_owned(), |(n, _)| n)
}

/// Redacts `Bearer …`/`Basic …` credentials and `name=value` / `name: value` pairs with a sensitive
/// name in free text (reqwest's messages, non-JSON bodies).
pub fn scrub_free_text(text: &str) -> String {
    let mut out = Vec::new();
    let mut redact_next = false;
    for word in text.split(' ') {
        if redact_next {
            out.push(REDACTED.to_owned());
            redact_next = false;
            continue;
        }
        let lower = word.to_ascii_lowercase();
        if lower == "bearer" || lower == "basic" {
            redact_next = true;
            out.push(word.to_owned());
            continue;
        }
        match word.split_once(['=', ':']) {
            Some((n, v))
                if !v.is_empty()
                    && is_sensitive(
                        n.trim_matches(|c: char| !c.is_alphanumeric() && c != '_' && c != '-'),
                    ) =>
            {
                let sep = &word[n.len()..=n.len()];
                out.push(format!("{n}{sep}{REDACTED}"));
            }
            Some((n, "")) if is_sensitive(n) => {
                out.push(word.to_owned());
                redact_next = true;
            }
            _ => out.push(word.to_owned()),
        }
    }
    out.join(" ")
}

/// Cuts `text` to at most `max` bytes on a character boundary, marking the cut with `…`.
pub fn truncate(mut text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.truncate(end);
    text.push('…');
    text
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn names() {
        for n in [
            "Authorization",
            "cookie",
            "Set-Cookie",
            "Proxy-Authorization",
            "X-Api-Key",
            "client_secret",
            "access_token",
            "Password",
            "Stripe-Signature",
            "Idempotency-Key",
        ] {
            assert!(is_sensitive(n), "{n}");
        }
        for n in ["Accept", "limit", "Content-Type", "starting_after"] {
            assert!(!is_sensitive(n), "{n}");
        }
    }

    #[test]
    fn json_form_and_text_bodies() {
        let canary = "canary-0123456789".to_owned();
        let json = br#"{"error":{"message":"bad","access_token":"t0k","nested":[{"client_secret":"s"}]},"echo":"canary-0123456789"}"#;
        let out = excerpt(json, std::slice::from_ref(&canary));
        assert!(
            !out.contains("t0k") && !out.contains("\"s\"") && !out.contains("canary"),
            "{out}"
        );
        assert!(out.contains("bad"));
        let out = excerpt(b"amount=5&client_secret=abc&x=1", &[]);
        assert_eq!(out, "amount=5&client_secret=[REDACTED]&x=1");
        let out = excerpt(
            b"denied for Bearer abc123 with token=zzz and password: hunter2",
            &[],
        );
        assert!(
            !out.contains("abc123") && !out.contains("zzz") && !out.contains("hunter2"),
            "{out}"
        );
    }

    #[test]
    fn excerpts_are_bounded() {
        let big = "é".repeat(5_000);
        let out = excerpt(big.as_bytes(), &[]);
        assert!(out.len() <= MAX_EXCERPT && out.ends_with('…'));
    }

    proptest! {
        #[test]
        fn known_secrets_never_survive(secret in "[a-zA-Z0-9_]{8,40}", prefix in ".{0,200}", suffix in ".{0,200}") {
            let body = format!("{prefix}{secret}{suffix}");
            let out = excerpt(body.as_bytes(), std::slice::from_ref(&secret));
            prop_assert!(out.len() <= MAX_EXCERPT);
            prop_assert!(!out.contains(&secret) || "[REDACTED]…".contains(&secret), "{out}");
        }
    }
}
