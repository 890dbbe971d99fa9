//! Where a Salesforce user signs in (apis.md §1.2): production, sandbox, a My Domain, or any base
//! URL (the local simulator), and the endpoint URLs derived from it.

use url::Url;

use crate::oauth::OAuthError;

/// The production login host.
pub const PRODUCTION_LOGIN: &str = "https://login.salesforce.com";
/// The sandbox login host.
pub const SANDBOX_LOGIN: &str = "https://test.salesforce.com";

/// The host that serves the authorize, token, revoke and user-info endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginHost {
    /// `https://login.salesforce.com`.
    Production,
    /// `https://test.salesforce.com`.
    Sandbox,
    /// `https://{name}.my.salesforce.com`, e.g. `acme` or `acme--uat.sandbox`.
    MyDomain(String),
    /// Any base URL, e.g. the local simulator at `http://127.0.0.1:41234`.
    Custom(Url),
}

impl LoginHost {
    /// The base URL (no trailing slash) the OAuth endpoint paths are appended to.
    pub fn base_url(&self) -> Result<Url, OAuthError> {
        let url = match self {
            Self::Production => parse(PRODUCTION_LOGIN)?,
            Self::Sandbox => parse(SANDBOX_LOGIN)?,
            Self::MyDomain(name) => {
                if !valid_my_domain(name) {
                    return Err(OAuthError::Config(format!(
                        "`{name}` is not a My Domain name (letters, digits, `-` and `.` only, as in `acme` or `acme--uat.sandbox`)"
                    )));
                }
                parse(&format!(
                    "https://{}.my.salesforce.com",
                    name.to_ascii_lowercase()
                ))?
            }
            Self::Custom(url) => {
                if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                    return Err(OAuthError::Config(format!(
                        "the login URL `{url}` must be an http(s) URL with a host"
                    )));
                }
                if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
                    return Err(OAuthError::Config(
                        "the login URL must not carry a query, a fragment or credentials".to_owned(),
                    ));
                }
                url.clone()
            }
        };
        Ok(url)
    }
}

fn parse(text: &str) -> Result<Url, OAuthError> {
    Url::parse(text).map_err(|e| OAuthError::Config(format!("`{text}` is not a URL: {e}")))
}

/// A My Domain prefix: DNS labels of letters, digits and hyphens, separated by dots.
fn valid_my_domain(name: &str) -> bool {
    (1..=200).contains(&name.len())
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `base` + `path`, keeping any path prefix of the base (`path` starts with `/`).
pub(crate) fn endpoint(base: &Url, path: &str) -> String {
    format!("{}{path}", base.as_str().trim_end_matches('/'))
}

/// Whether a URL the token endpoint returned (`instance_url`) may receive our bearer tokens:
/// HTTPS, or plain HTTP only on a loopback host (the local simulator).
pub(crate) fn trusted_api_url(text: &str) -> bool {
    let Ok(url) = Url::parse(text) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host_str().is_some(),
        "http" => matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn base(host: LoginHost) -> String {
        host.base_url()
            .map(|u| endpoint(&u, ""))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn hosts_map_to_their_base_urls() {
        assert_eq!(base(LoginHost::Production), "https://login.salesforce.com");
        assert_eq!(base(LoginHost::Sandbox), "https://test.salesforce.com");
        assert_eq!(
            base(LoginHost::MyDomain("Acme".into())),
            "https://acme.my.salesforce.com"
        );
        assert_eq!(
            base(LoginHost::MyDomain("acme--uat.sandbox".into())),
            "https://acme--uat.sandbox.my.salesforce.com"
        );
        let sim = Url::parse("http://127.0.0.1:41234").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(base(LoginHost::Custom(sim.clone())), "http://127.0.0.1:41234");
        assert_eq!(
            endpoint(
                &LoginHost::Custom(sim)
                    .base_url()
                    .unwrap_or_else(|e| panic!("{e}")),
                "/services/oauth2/token"
            ),
            "http://127.0.0.1:41234/services/oauth2/token"
        );
        let prefixed = Url::parse("https://sim.example/sf/").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            endpoint(&prefixed, "/services/oauth2/token"),
            "https://sim.example/sf/services/oauth2/token"
        );
    }

    #[test]
    fn bad_hosts_are_refused() {
        for name in [
            "",
            "evil.com/x",
            "a..b",
            "-acme",
            "acme-",
            "acme:80",
            "acme@evil",
            "a b",
            "ac#me",
        ] {
            assert!(LoginHost::MyDomain(name.into()).base_url().is_err(), "{name}");
        }
        for url in [
            "ftp://x.example",
            "https://x.example/?a=b",
            "https://u:p@x.example",
            "file:///tmp/x",
        ] {
            let url = Url::parse(url).unwrap_or_else(|e| panic!("{e}"));
            assert!(LoginHost::Custom(url.clone()).base_url().is_err(), "{url}");
        }
    }

    #[test]
    fn only_https_or_loopback_api_urls_are_trusted() {
        assert!(trusted_api_url("https://acme.my.salesforce.com"));
        assert!(trusted_api_url("http://127.0.0.1:41234"));
        assert!(trusted_api_url("http://localhost:8080"));
        assert!(!trusted_api_url("http://acme.my.salesforce.com"));
        assert!(!trusted_api_url("javascript:alert(1)"));
        assert!(!trusted_api_url("not a url"));
    }

    proptest! {
        #[test]
        fn my_domain_never_escapes_salesforce(name in "\\PC{0,80}") {
            if let Ok(url) = LoginHost::MyDomain(name).base_url() {
                let host = url.host_str().unwrap_or_default().to_owned();
                prop_assert!(host.ends_with(".my.salesforce.com"), "{}", host);
                prop_assert_eq!(url.scheme(), "https");
                prop_assert_eq!(url.path(), "/");
            }
        }
    }
}
