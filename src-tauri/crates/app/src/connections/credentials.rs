//! What each provider's connection needs, checked field by field before anything is stored.

use paysync_core::Secret;
use serde::{Deserialize, Serialize};

use super::ConnectError;
use super::profiles::ProfileKind;

/// The providers Paysync connects to.
pub const PROVIDERS: [&str; 5] = ["salesforce", "stripe", "checkout", "payoneer", "maldopay"];

/// Credentials of a provider connected by key (every provider but Salesforce, which uses OAuth).
/// Serialized only into the keychain entry; `Debug` redacts every secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "lowercase")]
pub enum KeyCredentials {
    /// A Stripe secret (`sk_…`) or restricted (`rk_…`) key.
    Stripe {
        /// The key.
        #[serde(with = "super::secret_serde")]
        secret_key: Secret<String>,
    },
    /// A Checkout.com secret API key.
    Checkout {
        /// The key (`sk_sbox_…` in the sandbox environment, `sk_…` in production).
        #[serde(with = "super::secret_serde")]
        secret_key: Secret<String>,
    },
    /// A Checkout.com OAuth client (an access key id and secret), for the client-credentials grant.
    CheckoutOauth {
        /// The access key id (`ack_…`).
        client_id: String,
        /// The access key secret.
        #[serde(with = "super::secret_serde")]
        client_secret: Secret<String>,
    },
    /// A Payoneer program's OAuth client.
    Payoneer {
        /// The program (payer) id.
        program_id: String,
        /// The OAuth client id.
        client_id: String,
        /// The OAuth client secret.
        #[serde(with = "super::secret_serde")]
        client_secret: Secret<String>,
    },
    /// A MaldoPay merchant.
    Maldopay {
        /// The client id.
        client_id: String,
        /// The brand id.
        brand_id: String,
        /// The API key.
        #[serde(with = "super::secret_serde")]
        api_key: Secret<String>,
        /// The secret MaldoPay signs its callbacks with.
        #[serde(with = "super::secret_serde")]
        callback_secret: Secret<String>,
    },
}

impl KeyCredentials {
    /// The provider these credentials are for.
    pub fn provider(&self) -> &'static str {
        match self {
            Self::Stripe { .. } => "stripe",
            Self::Checkout { .. } | Self::CheckoutOauth { .. } => "checkout",
            Self::Payoneer { .. } => "payoneer",
            Self::Maldopay { .. } => "maldopay",
        }
    }

    /// Checks every field, and that the key's mode matches the profile: a sandbox profile never
    /// holds a live key and a production profile never a test key.
    pub fn validate(&self, profile: &str, kind: ProfileKind) -> Result<(), ConnectError> {
        let provider = self.provider();
        let field = |name: &'static str, value: &str, what: &str| {
            if value.trim().is_empty() {
                Err(ConnectError::Invalid {
                    provider,
                    field: name,
                    reason: format!("{what} is required"),
                })
            } else if value.trim() != value || value.chars().any(char::is_control) {
                Err(ConnectError::Invalid {
                    provider,
                    field: name,
                    reason: format!("{what} has spaces or line breaks around it; paste it again"),
                })
            } else {
                Ok(())
            }
        };
        match self {
            Self::Stripe { secret_key } => {
                let key = secret_key.expose();
                field("secret_key", key, "the secret key")?;
                let mode = stripe_key_mode(key).ok_or_else(|| ConnectError::Invalid {
                    provider,
                    field: "secret_key",
                    reason: "a Stripe secret key starts with sk_test_, sk_live_, rk_test_ or rk_live_ \
                             (a publishable pk_ key cannot be used)"
                        .to_owned(),
                })?;
                match (kind, mode) {
                    (ProfileKind::Sandbox, KeyMode::Live) => Err(ConnectError::Invalid {
                        provider,
                        field: "secret_key",
                        reason: format!(
                            "this is a live key, and profile {profile:?} is a sandbox: use a test key \
                             (sk_test_/rk_test_) so nothing here can move real money"
                        ),
                    }),
                    (ProfileKind::Production, KeyMode::Test) => Err(ConnectError::Invalid {
                        provider,
                        field: "secret_key",
                        reason: format!(
                            "this is a test key, and profile {profile:?} is production: use a live \
                             key (sk_live_/rk_live_)"
                        ),
                    }),
                    _ => Ok(()),
                }
            }
            Self::Checkout { secret_key } => {
                let key = secret_key.expose();
                field("secret_key", key, "the secret key")?;
                if key.starts_with("pk_") {
                    return Err(ConnectError::Invalid {
                        provider,
                        field: "secret_key",
                        reason: "this is a public key (pk_…); use the secret key (sk_…)".to_owned(),
                    });
                }
                match (kind, key.starts_with("sk_sbox_")) {
                    (ProfileKind::Production, true) => Err(ConnectError::Invalid {
                        provider,
                        field: "secret_key",
                        reason: format!(
                            "this is a sandbox key (sk_sbox_…), and profile {profile:?} is production"
                        ),
                    }),
                    (ProfileKind::Sandbox, false) => Err(ConnectError::Invalid {
                        provider,
                        field: "secret_key",
                        reason: format!(
                            "profile {profile:?} is a sandbox: use a Checkout.com sandbox key (sk_sbox_…)"
                        ),
                    }),
                    _ => Ok(()),
                }
            }
            Self::CheckoutOauth {
                client_id,
                client_secret,
            } => {
                field("client_id", client_id, "the access key id")?;
                field("client_secret", client_secret.expose(), "the access key secret")
            }
            Self::Payoneer {
                program_id,
                client_id,
                client_secret,
            } => {
                field("program_id", program_id, "the program id")?;
                if !program_id.chars().all(|c| c.is_ascii_digit()) {
                    return Err(ConnectError::Invalid {
                        provider,
                        field: "program_id",
                        reason: "a Payoneer program id is digits only".to_owned(),
                    });
                }
                field("client_id", client_id, "the client id")?;
                field("client_secret", client_secret.expose(), "the client secret")
            }
            Self::Maldopay {
                client_id,
                brand_id,
                api_key,
                callback_secret,
            } => {
                field("client_id", client_id, "the client id")?;
                field("brand_id", brand_id, "the brand id")?;
                field("api_key", api_key.expose(), "the API key")?;
                field("callback_secret", callback_secret.expose(), "the callback secret")
            }
        }
    }
}

/// Whether a Stripe key is for test or live mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    /// Test mode: no real money.
    Test,
    /// Live mode.
    Live,
}

/// The mode of a Stripe secret or restricted key; `None` for anything else.
pub fn stripe_key_mode(key: &str) -> Option<KeyMode> {
    if key.starts_with("sk_test_") || key.starts_with("rk_test_") {
        Some(KeyMode::Test)
    } else if key.starts_with("sk_live_") || key.starts_with("rk_live_") {
        Some(KeyMode::Live)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripe(key: &str) -> KeyCredentials {
        KeyCredentials::Stripe {
            secret_key: Secret::new(key.to_owned()),
        }
    }

    #[test]
    fn a_live_stripe_key_is_refused_in_a_sandbox_and_a_test_key_in_production() {
        for key in ["sk_live_abc", "rk_live_abc"] {
            let e = stripe(key).validate("sandbox", ProfileKind::Sandbox).err();
            assert!(
                matches!(&e, Some(ConnectError::Invalid { field: "secret_key", reason, .. }) if reason.contains("live key")),
                "{e:?}"
            );
            assert!(
                stripe(key)
                    .validate("production", ProfileKind::Production)
                    .is_ok()
            );
        }
        for key in ["sk_test_abc", "rk_test_abc"] {
            let e = stripe(key).validate("production", ProfileKind::Production).err();
            assert!(
                matches!(&e, Some(ConnectError::Invalid { reason, .. }) if reason.contains("test key")),
                "{e:?}"
            );
            assert!(stripe(key).validate("sandbox", ProfileKind::Sandbox).is_ok());
        }
        for key in ["pk_test_abc", "", " sk_test_abc", "whsec_abc"] {
            assert!(
                stripe(key).validate("sandbox", ProfileKind::Sandbox).is_err(),
                "{key:?}"
            );
        }
    }

    #[test]
    fn missing_fields_are_named() {
        let creds = KeyCredentials::Maldopay {
            client_id: "1001".into(),
            brand_id: String::new(),
            api_key: Secret::new("k".into()),
            callback_secret: Secret::new("s".into()),
        };
        let e = creds.validate("sandbox", ProfileKind::Sandbox).err();
        assert!(
            matches!(
                e,
                Some(ConnectError::Invalid {
                    provider: "maldopay",
                    field: "brand_id",
                    ..
                })
            ),
            "{e:?}"
        );
        let payoneer = KeyCredentials::Payoneer {
            program_id: "10001x".into(),
            client_id: "c".into(),
            client_secret: Secret::new("s".into()),
        };
        assert!(matches!(
            payoneer.validate("sandbox", ProfileKind::Sandbox),
            Err(ConnectError::Invalid {
                field: "program_id",
                ..
            })
        ));
    }

    #[test]
    fn debug_never_shows_a_secret_but_the_keychain_entry_round_trips() {
        let creds = stripe("sk_test_do_not_print");
        assert!(!format!("{creds:?}").contains("do_not_print"));
        let json = serde_json::to_string(&creds).unwrap_or_default();
        let back: KeyCredentials = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(back, KeyCredentials::Stripe { secret_key } if secret_key.expose() == "sk_test_do_not_print")
        );
    }
}
