//! What a Salesforce sign-in produces, and the Salesforce-specific fields of its token responses
//! (apis.md §1.2): `instance_url`, the identity URL `id` (`…/id/{orgId}/{userId}`) and
//! `issued_at` (milliseconds since the epoch, as a string). There is no `expires_in`.

use chrono::{DateTime, Utc};
use paysync_core::Secret;
use serde::{Deserialize, Serialize};

/// The token response fields Salesforce adds to RFC 6749's, read from
/// [`crate::oauth::OAuthTokens::extra`].
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct SalesforceFields {
    /// The org's API base URL.
    pub instance_url: String,
    /// The identity URL, `https://login.salesforce.com/id/{orgId}/{userId}`.
    pub id: String,
    /// When the token was issued, milliseconds since the epoch.
    #[serde(default)]
    pub issued_at: Option<String>,
}

/// Who signed in, from `/services/oauth2/userinfo`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct SalesforceUser {
    /// The user's full name.
    #[serde(default)]
    pub name: String,
    /// The user's email address.
    #[serde(default)]
    pub email: String,
    /// The Salesforce username (`preferred_username`).
    #[serde(default, rename = "preferred_username")]
    pub username: String,
}

/// The result of a completed sign-in. Tokens are [`Secret`]s: `Debug` never shows them.
#[derive(Debug, Clone)]
pub struct SalesforceTokens {
    /// The access token (a session id; lives as long as the org's session timeout).
    pub access_token: Secret<String>,
    /// The refresh token (present when the `refresh_token` scope was granted).
    pub refresh_token: Option<Secret<String>>,
    /// The org's API base URL, e.g. `https://acme.my.salesforce.com`.
    pub instance_url: String,
    /// The identity URL, `…/id/{orgId}/{userId}`.
    pub identity_url: String,
    /// The org id (18 characters, `00D…`).
    pub org_id: String,
    /// The user id (18 characters, `005…`).
    pub user_id: String,
    /// When Salesforce issued the access token.
    pub issued_at: DateTime<Utc>,
    /// Who signed in; `None` if the user-info call failed (the tokens are still good).
    pub user: Option<SalesforceUser>,
}

/// The result of a refresh: a new access token, and a new refresh token only if the org rotates
/// them (Salesforce normally does not; then keep the old one).
#[derive(Debug, Clone)]
pub struct RefreshedToken {
    /// The new access token.
    pub access_token: Secret<String>,
    /// A rotated refresh token, if the server issued one.
    pub refresh_token: Option<Secret<String>>,
    /// The org's API base URL.
    pub instance_url: String,
    /// The identity URL.
    pub identity_url: String,
    /// When Salesforce issued the access token.
    pub issued_at: DateTime<Utc>,
}

/// The org id and user id from an identity URL `…/id/{orgId}/{userId}`; `None` if it is not one.
pub(crate) fn parse_identity_url(text: &str) -> Option<(String, String)> {
    let url = url::Url::parse(text).ok()?;
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    let [.., marker, org, user] = segments.as_slice() else {
        return None;
    };
    let is_id = |s: &str, prefix: &str| {
        matches!(s.len(), 15 | 18) && s.starts_with(prefix) && s.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    (*marker == "id" && is_id(org, "00D") && is_id(user, "005"))
        .then(|| ((*org).to_owned(), (*user).to_owned()))
}

/// `issued_at` (milliseconds since the epoch, as text), if it parses.
pub(crate) fn parse_issued_at(text: Option<&str>) -> Option<DateTime<Utc>> {
    let ms: i64 = text?.trim().parse().ok()?;
    DateTime::<Utc>::from_timestamp_millis(ms)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn identity_urls_yield_org_and_user() {
        assert_eq!(
            parse_identity_url("https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS"),
            Some(("00Dxx0000001gPLEAY".to_owned(), "005xx000001SwiUAAS".to_owned()))
        );
        assert_eq!(
            parse_identity_url("http://127.0.0.1:4000/id/00D5g000004Abcd/0055g000003XyZa/"),
            Some(("00D5g000004Abcd".to_owned(), "0055g000003XyZa".to_owned()))
        );
        for bad in [
            "https://login.salesforce.com/id/00Dxx0000001gPLEAY",
            "https://login.salesforce.com/x/00Dxx0000001gPLEAY/005xx000001SwiUAAS",
            "https://login.salesforce.com/id/005xx000001SwiUAAS/00Dxx0000001gPLEAY",
            "https://login.salesforce.com/id/00Dxx0000001gPL/005xx000001Sw",
            "https://login.salesforce.com/id/00Dxx0000001gP!EAY/005xx000001SwiUAAS",
            "not a url",
            "",
        ] {
            assert_eq!(parse_identity_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn issued_at_is_milliseconds() {
        let t = parse_issued_at(Some("1767225600000")).unwrap_or_default();
        assert_eq!(t.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(parse_issued_at(Some("soon")), None);
        assert_eq!(parse_issued_at(None), None);
    }

    #[test]
    fn token_response_fields_parse_from_salesforce_json() {
        // What is left of a Salesforce token response once the RFC 6749 fields are taken out.
        let json = r#"{"signature":"c2ln","instance_url":"https://acme.my.salesforce.com",
            "id":"https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS",
            "issued_at":"1767225600000"}"#;
        let parsed: SalesforceFields = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.instance_url, "https://acme.my.salesforce.com");
        assert_eq!(parsed.issued_at.as_deref(), Some("1767225600000"));
        assert!(serde_json::from_str::<SalesforceFields>(r#"{"instance_url":"x"}"#).is_err());
    }

    #[test]
    fn debug_never_shows_tokens() {
        let tokens = SalesforceTokens {
            access_token: Secret::new("00D!AQcanary-access".into()),
            refresh_token: Some(Secret::new("5Aep861canary-refresh".into())),
            instance_url: "https://acme.my.salesforce.com".into(),
            identity_url: String::new(),
            org_id: String::new(),
            user_id: String::new(),
            issued_at: DateTime::<Utc>::UNIX_EPOCH,
            user: None,
        };
        let text = format!("{tokens:?}");
        assert!(!text.contains("canary"), "{text}");
    }

    proptest! {
        #[test]
        fn identity_url_parsing_never_panics(text in "\\PC{0,200}") {
            let _ = parse_identity_url(&text);
            let _ = parse_issued_at(Some(&text));
        }
    }
}
