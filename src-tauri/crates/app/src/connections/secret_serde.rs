//! Secrets serialize as their plain value only into a keychain entry; everywhere else
//! [`Secret`] redacts itself. `#[serde(with = "secret_serde")]` on the keychain entry's fields.

use paysync_core::Secret;
use serde::{Deserialize, Deserializer, Serializer};

pub(crate) fn serialize<S: Serializer>(secret: &Secret<String>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose())
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Secret<String>, D::Error> {
    String::deserialize(d).map(Secret::new)
}

/// The same for an optional secret.
pub(crate) mod option {
    use paysync_core::Secret;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(secret: &Option<Secret<String>>, s: S) -> Result<S::Ok, S::Error> {
        match secret {
            Some(v) => s.serialize_some(v.expose()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret<String>>, D::Error> {
        Option::<String>::deserialize(d).map(|v| v.map(Secret::new))
    }
}
