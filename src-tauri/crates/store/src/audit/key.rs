//! [`AuditKey`]: the HMAC key that chains the audit log. It comes from the OS keychain, so an
//! attacker who can edit the database still cannot forge entries.

use std::fmt;

use hmac::{Hmac, Mac};
use paysync_core::Secret;
use sha2::Sha256;

use crate::error::{Result, StoreError};

/// HMAC-SHA256.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// The audit-log HMAC key (at least [`AuditKey::MIN_LEN`] bytes). Never printed.
#[derive(Clone)]
pub struct AuditKey(Secret<Vec<u8>>);

impl AuditKey {
    /// The shortest key accepted: 32 bytes, the output size of SHA-256.
    pub const MIN_LEN: usize = 32;

    /// Wraps `bytes`, which must be at least [`Self::MIN_LEN`] long (use random bytes).
    pub fn new(bytes: Vec<u8>) -> Result<Self> {
        if bytes.len() < Self::MIN_LEN {
            return Err(StoreError::validation(
                "audit_key",
                format!("must be at least {} bytes, got {}", Self::MIN_LEN, bytes.len()),
            ));
        }
        Ok(Self(Secret::new(bytes)))
    }

    /// A fresh HMAC keyed with this key. Clone it to MAC many messages without re-keying.
    pub(crate) fn mac(&self) -> Result<HmacSha256> {
        HmacSha256::new_from_slice(self.0.expose())
            .map_err(|err| StoreError::validation("audit_key", err.to_string()))
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AuditKey").field(&self.0).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_refused_and_keys_never_print() {
        assert!(AuditKey::new(vec![7; 31]).is_err());
        let key = AuditKey::new(vec![0x42; 32]);
        assert!(key.is_ok());
        let debug = format!("{key:?}");
        assert!(debug.contains("REDACTED") && !debug.contains("66"), "{debug}");
    }
}
