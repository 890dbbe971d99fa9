//! Profiles: named environments, each with its own connections. A sandbox profile talks only to
//! sandbox hosts with test credentials; a production profile only to the providers' live hosts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a profile is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileKind {
    /// Test credentials and sandbox hosts (or the local simulators): no real money moves.
    Sandbox,
    /// Live credentials and production hosts.
    Production,
}

/// A profile: its name, kind and the base URL of each provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The profile's name (`sandbox`, `production`, or any configured name).
    pub name: String,
    /// Sandbox or production.
    pub kind: ProfileKind,
    /// Base URL by provider; for Salesforce, the login host (`https://login.salesforce.com`,
    /// `https://test.salesforce.com` or a My Domain such as `https://acme.my.salesforce.com`).
    pub urls: BTreeMap<String, String>,
    /// The consumer key of the Salesforce External Client App Paysync signs in with (a public
    /// client: PKCE, no secret).
    pub salesforce_client_id: Option<String>,
}

/// The providers' production hosts.
pub fn production_urls() -> BTreeMap<String, String> {
    [
        ("salesforce", "https://login.salesforce.com"),
        ("stripe", "https://api.stripe.com"),
        ("checkout", "https://api.checkout.com"),
        ("checkout_access", "https://access.checkout.com"),
        ("payoneer", "https://api.payoneer.com"),
    ]
    .into_iter()
    .map(|(p, u)| (p.to_owned(), u.to_owned()))
    .collect()
}

/// The providers' own sandbox hosts (Salesforce sandboxes log in at test.salesforce.com).
pub fn provider_sandbox_urls() -> BTreeMap<String, String> {
    [
        ("salesforce", "https://test.salesforce.com"),
        ("stripe", "https://api.stripe.com"),
        ("checkout", "https://api.sandbox.checkout.com"),
        ("checkout_access", "https://access.sandbox.checkout.com"),
        ("payoneer", "https://api.sandbox.payoneer.com"),
    ]
    .into_iter()
    .map(|(p, u)| (p.to_owned(), u.to_owned()))
    .collect()
}

impl Profile {
    /// A profile of `kind` with the providers' default hosts, overridden by `urls`.
    pub fn new(name: &str, kind: ProfileKind, urls: &BTreeMap<String, String>) -> Self {
        let mut all = match kind {
            ProfileKind::Sandbox => provider_sandbox_urls(),
            ProfileKind::Production => production_urls(),
        };
        all.extend(urls.iter().map(|(p, u)| (p.clone(), u.clone())));
        // A Checkout.com API host given without its access host (a simulator, a proxy) serves the
        // tokens too: never pair an overridden API host with the real token host.
        if let (Some(api), None) = (urls.get("checkout"), urls.get("checkout_access")) {
            all.insert("checkout_access".to_owned(), api.clone());
        }
        Self {
            name: name.to_owned(),
            kind,
            urls: all,
            salesforce_client_id: None,
        }
    }

    /// The base URL of `provider`, if this profile knows one.
    pub fn url(&self, provider: &str) -> Option<&str> {
        self.urls.get(provider).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_defaults_and_kinds_pick_hosts() {
        let mut urls = BTreeMap::new();
        urls.insert("stripe".to_owned(), "http://127.0.0.1:4242".to_owned());
        let p = Profile::new("sandbox", ProfileKind::Sandbox, &urls);
        assert_eq!(p.url("stripe"), Some("http://127.0.0.1:4242"));
        assert_eq!(p.url("salesforce"), Some("https://test.salesforce.com"));
        assert_eq!(
            p.url("maldopay"),
            None,
            "MaldoPay hosts are per merchant: configured"
        );
        let live = Profile::new("production", ProfileKind::Production, &BTreeMap::new());
        assert_eq!(live.url("salesforce"), Some("https://login.salesforce.com"));
    }
}
