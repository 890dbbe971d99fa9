//! [`IdempotencyKey`]: the key sent with every side effect (Stripe `Idempotency-Key`,
//! Checkout.com `Cko-Idempotency-Key`, Payoneer `client_reference_id`, MaldoPay
//! `referenceOrderId`). A retry after a crash must send the *same* key, so derived keys depend
//! only on what the operation is — never on the time, a random value or the attempt number
//! (ARCHITECTURE §3.2–3.3).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{IdError, check_printable_ascii};

/// An idempotency key: 1..=255 bytes of printable ASCII without spaces (Stripe's limit is 255
/// characters; apis.md §2.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The longest accepted key, in bytes.
    pub const MAX_LEN: usize = 255;

    /// Hex digits of the SHA-256 digest kept in a derived key (160 bits).
    pub const DIGEST_HEX_LEN: usize = 40;

    /// The longest namespace prefix kept in a derived key, so the key stays within `MAX_LEN`.
    pub const MAX_PREFIX_LEN: usize = Self::MAX_LEN - 1 - Self::DIGEST_HEX_LEN;

    /// Validates and wraps a key, e.g. one read back from the store.
    pub fn new(key: String) -> Result<Self, IdError> {
        check_printable_ascii("idempotency key", &key, Self::MAX_LEN)?;
        Ok(Self(key))
    }

    /// The deterministic key for an operation: `"{namespace}-{hex}"`, where `hex` is the first 40
    /// hex digits of SHA-256 over the namespace and `parts`.
    ///
    /// Each field is hashed as its byte length (8 bytes, big-endian) followed by its bytes, so the
    /// encoding is unambiguous: `("ab", "c")` and `("a", "bc")` differ, as do parts containing
    /// NUL or `-`. Same inputs always give the same key. `namespace` should be a short code
    /// constant such as `"stripe-refund"`; anything outside printable ASCII is replaced by `_`
    /// in the visible prefix only (the hash still covers the original), and the prefix is cut at
    /// [`Self::MAX_PREFIX_LEN`].
    pub fn derive(namespace: &str, parts: &[&str]) -> Self {
        let mut hasher = Sha256::new();
        hash_field(&mut hasher, namespace.as_bytes());
        for part in parts {
            hash_field(&mut hasher, part.as_bytes());
        }
        let digest = hex::encode(hasher.finalize());
        let prefix: String = namespace
            .chars()
            .map(|c| if c.is_ascii_graphic() { c } else { '_' })
            .take(Self::MAX_PREFIX_LEN)
            .collect();
        Self(format!("{prefix}-{}", &digest[..Self::DIGEST_HEX_LEN]))
    }

    /// The key as text, for the HTTP header or request field.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

fn hash_field(hasher: &mut Sha256, bytes: &[u8]) {
    // usize is at most 64 bits on every supported target, so the length is exact.
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    hasher.update(len.to_be_bytes());
    hasher.update(bytes);
}

impl TryFrom<String> for IdempotencyKey {
    type Error = IdError;

    fn try_from(key: String) -> Result<Self, Self::Error> {
        Self::new(key)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> Self {
        key.0
    }
}

impl FromStr for IdempotencyKey {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s.to_owned())
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for IdempotencyKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn new_validates() {
        assert!(IdempotencyKey::new("abc-123_XYZ".into()).is_ok());
        assert!(IdempotencyKey::new("~".repeat(255)).is_ok());
        assert_eq!(
            IdempotencyKey::new(String::new()),
            Err(IdError::Empty {
                kind: "idempotency key"
            })
        );
        assert!(matches!(
            IdempotencyKey::new("a".repeat(256)),
            Err(IdError::TooLong { len: 256, .. })
        ));
        assert!(matches!(
            IdempotencyKey::new("a b".into()),
            Err(IdError::InvalidChar {
                ch: ' ',
                index: 1,
                ..
            })
        ));
        assert!(IdempotencyKey::new("é".into()).is_err());
        assert!(IdempotencyKey::new("a\nb".into()).is_err());
    }

    #[test]
    fn serde_is_a_validated_string() {
        let key = IdempotencyKey::new("k-1".into()).unwrap();
        assert_eq!(serde_json::to_string(&key).unwrap(), "\"k-1\"");
        assert_eq!(serde_json::from_str::<IdempotencyKey>("\"k-1\"").unwrap(), key);
        assert!(serde_json::from_str::<IdempotencyKey>("\"\"").is_err());
    }

    #[test]
    fn derive_is_stable_and_shaped() {
        let key = IdempotencyKey::derive("stripe-refund", &["conn-1", "ch_123", "1050"]);
        // Pinned (checked independently with Python hashlib): changing the encoding would make
        // retries after an upgrade send new keys.
        assert_eq!(
            key.as_str(),
            "stripe-refund-89f466ea2ed8504fee6e3c1f589378ac4e0e8e4d"
        );
        assert_eq!(
            key,
            IdempotencyKey::derive("stripe-refund", &["conn-1", "ch_123", "1050"])
        );
        assert_eq!(IdempotencyKey::new(key.to_string()), Ok(key));
    }

    #[test]
    fn derive_separates_parts_and_namespaces() {
        let d = IdempotencyKey::derive;
        assert_ne!(d("n", &["ab", "c"]), d("n", &["a", "bc"]));
        assert_ne!(d("n", &["a\0b"]), d("n", &["a", "b"]));
        assert_ne!(d("n", &[]), d("n", &[""]));
        assert_ne!(d("n-a", &["b"]), d("n", &["a-b"]));
        assert_ne!(d("n", &["x"]), d("m", &["x"]));
    }

    #[test]
    fn derive_keeps_awkward_namespaces_valid() {
        let long = "n".repeat(400);
        for ns in ["", "has space", "ünï", long.as_str()] {
            let key = IdempotencyKey::derive(ns, &["x"]);
            assert!(IdempotencyKey::new(key.to_string()).is_ok(), "{ns:?} → {key}");
        }
        assert_ne!(
            IdempotencyKey::derive("a b", &[]),
            IdempotencyKey::derive("a_b", &[])
        );
    }

    proptest! {
        #[test]
        fn derive_is_injective_and_stable(
            inputs in prop::collection::vec(
                (
                    prop::sample::select(vec!["", "n", "n-a", "stripe-payout"]),
                    prop::collection::vec("[a-c\\-\\x00]{0,4}", 0..4),
                ),
                1..64,
            ),
        ) {
            let mut seen: HashMap<IdempotencyKey, (&str, Vec<String>)> = HashMap::new();
            for (namespace, parts) in &inputs {
                let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                let key = IdempotencyKey::derive(namespace, &refs);
                prop_assert_eq!(&key, &IdempotencyKey::derive(namespace, &refs));
                prop_assert!(IdempotencyKey::new(key.to_string()).is_ok());
                if let Some(previous) = seen.insert(key, (namespace, parts.clone())) {
                    prop_assert_eq!(previous, (*namespace, parts.clone()));
                }
            }
        }
    }
}
