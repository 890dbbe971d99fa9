//! What a token endpoint answers (RFC 6749 §5.1), read without knowing the provider: the standard
//! fields, the OpenID Connect `id_token`, and every other field kept raw for the provider's own
//! parsing (Salesforce's `instance_url`, `id`, `issued_at`).

use std::fmt;
use std::time::Duration;

use oauth2::basic::BasicTokenType;
use oauth2::{ExtraTokenFields, StandardTokenResponse, TokenResponse};
use paysync_core::Secret;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Every field of a token response beyond RFC 6749's, as JSON.
#[derive(Clone, Default, Deserialize, Serialize)]
pub(crate) struct RawFields {
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// Only the names: the values may hold an `id_token` or a signature.
impl fmt::Debug for RawFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.fields.keys()).finish()
    }
}

impl ExtraTokenFields for RawFields {}

/// A token response with its extra fields unparsed.
pub(crate) type RawTokenResponse = StandardTokenResponse<RawFields, BasicTokenType>;

/// The tokens from a code exchange or a refresh. Every token is a [`Secret`]; `Debug` shows
/// only the token type, lifetime, scopes and the names of the extra fields.
#[derive(Clone)]
pub struct OAuthTokens {
    /// The access token.
    pub access_token: Secret<String>,
    /// The refresh token, if the server issued one (on a refresh: a rotated one).
    pub refresh_token: Option<Secret<String>>,
    /// The OpenID Connect ID token, if the server issued one (`openid` scope).
    pub id_token: Option<Secret<String>>,
    /// The token type, lower case (`bearer`).
    pub token_type: String,
    /// How long the access token lives, if the server said (`expires_in`).
    pub expires_in: Option<Duration>,
    /// The scopes granted, if the server said (`scope`); `None` means those requested
    /// (RFC 6749 §5.1).
    pub scopes: Option<Vec<String>>,
    /// Every other field of the response, raw (everything but the fields above).
    pub extra: Map<String, Value>,
}

impl fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("id_token", &self.id_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scopes", &self.scopes)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl OAuthTokens {
    pub(crate) fn from_response(response: RawTokenResponse) -> Self {
        let mut extra = response.extra_fields().fields.clone();
        let id_token = match extra.remove("id_token") {
            Some(Value::String(token)) => Some(Secret::new(token)),
            _ => None,
        };
        Self {
            access_token: Secret::new(response.access_token().secret().clone()),
            refresh_token: response.refresh_token().map(|t| Secret::new(t.secret().clone())),
            id_token,
            token_type: response.token_type().as_ref().to_ascii_lowercase(),
            expires_in: response.expires_in(),
            scopes: response
                .scopes()
                .map(|scopes| scopes.iter().map(|s| s.to_string()).collect()),
            extra,
        }
    }

    /// An extra field as text, if it is a JSON string.
    pub fn extra_str(&self, name: &str) -> Option<&str> {
        self.extra.get(name).and_then(Value::as_str)
    }

    /// The extra fields read as a provider's own type. The error names no value (a field may be
    /// secret), only that the shape did not fit.
    pub fn extra_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(Value::Object(self.extra.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_fields_id_token_and_extras_are_split() {
        let json = r#"{"access_token":"eyJ.access.canary","token_type":"Bearer","expires_in":3600,
            "refresh_token":"r-canary","scope":"openid profile","id_token":"eyJ.id.canary",
            "instance_url":"https://acme.my.salesforce.com","issued_at":"1767225600000"}"#;
        let parsed: RawTokenResponse = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        let tokens = OAuthTokens::from_response(parsed);
        assert_eq!(tokens.access_token.expose(), "eyJ.access.canary");
        assert_eq!(
            tokens.refresh_token.as_ref().map(Secret::expose),
            Some(&"r-canary".to_owned())
        );
        assert_eq!(
            tokens.id_token.as_ref().map(Secret::expose),
            Some(&"eyJ.id.canary".to_owned())
        );
        assert_eq!(tokens.token_type, "bearer");
        assert_eq!(tokens.expires_in, Some(Duration::from_secs(3600)));
        assert_eq!(tokens.scopes, Some(vec!["openid".into(), "profile".into()]));
        let mut keys: Vec<&String> = tokens.extra.keys().collect();
        keys.sort();
        assert_eq!(keys, ["instance_url", "issued_at"]);
        assert_eq!(
            tokens.extra_str("instance_url"),
            Some("https://acme.my.salesforce.com")
        );
        let printed = format!("{tokens:?}");
        assert!(!printed.contains("canary"), "{printed}");
        assert!(printed.contains("instance_url"), "{printed}");
    }

    #[test]
    fn a_minimal_response_has_no_optional_parts() {
        let parsed: RawTokenResponse = serde_json::from_str(r#"{"access_token":"a","token_type":"bearer"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        let tokens = OAuthTokens::from_response(parsed);
        assert!(tokens.refresh_token.is_none() && tokens.id_token.is_none());
        assert_eq!((tokens.expires_in, tokens.scopes), (None, None));
        assert!(tokens.extra.is_empty());
    }
}
