//! [`Secret<T>`]: a value that never prints. Tokens, API keys, client secrets and signing keys are
//! wrapped in it, so `Debug`, `Display`, `Serialize` and therefore logs, DLQ exports and IPC
//! responses show `[REDACTED]` (ARCHITECTURE §3.7). The value is reachable only through
//! [`Secret::expose`], which makes every use of it greppable.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What every rendering of a secret prints.
pub const REDACTED: &str = "[REDACTED]";

/// A secret value that redacts itself when formatted or serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value. Call this only at the point of use (a header, a signature).
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the secret value, e.g. to hand it to the keychain.
    pub fn into_exposed(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Secret)
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize)]
    struct Config {
        user: String,
        api_key: Secret<String>,
    }

    #[test]
    fn every_rendering_redacts() {
        let canary = "sk_test_canary_4242424242";
        let s = Secret::new(canary.to_owned());
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(format!("{s:#?}"), REDACTED);
        let cfg = Config {
            user: "ops".into(),
            api_key: s.clone(),
        };
        let debug = format!("{cfg:?}");
        let json = serde_json::to_string(&cfg).unwrap_or_default();
        assert!(
            !debug.contains(canary) && !json.contains(canary),
            "{debug} {json}"
        );
        assert_eq!(s.expose(), canary);
    }

    #[test]
    fn deserializes_from_the_plain_value() {
        let cfg: Config =
            serde_json::from_str(r#"{"user":"ops","api_key":"k"}"#).unwrap_or_else(|_| Config {
                user: String::new(),
                api_key: Secret::new(String::new()),
            });
        assert_eq!(cfg.api_key.expose(), "k");
    }
}
