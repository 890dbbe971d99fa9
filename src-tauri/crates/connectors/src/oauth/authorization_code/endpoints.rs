//! The requests the `oauth2` crate does not make for this client: RFC 7009 revocation (form
//! `token=`, optional `token_type_hint`, optional `client_id`) and the OpenID Connect user-info
//! call (`GET` with a Bearer header). Both go through [`transport::send`], so redirects,
//! transient statuses and oversized answers are classified as for token calls.

use oauth2::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use oauth2::http::{Method, Request};
use paysync_core::Secret;
use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;

use crate::oauth::OAuthError;
use crate::oauth::transport::{self, clean_text, transport_error};

/// What kind of token is being revoked (RFC 7009 §2.1 `token_type_hint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTypeHint {
    /// `access_token`.
    AccessToken,
    /// `refresh_token`.
    RefreshToken,
}

impl TokenTypeHint {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccessToken => "access_token",
            Self::RefreshToken => "refresh_token",
        }
    }
}

/// `POST {url}` with `token=…` (RFC 7009 §2.1); any `2xx` is success (§2.2).
pub(super) async fn revoke(
    http: &reqwest::Client,
    operation: &str,
    url: &Url,
    token: &Secret<String>,
    hint: Option<TokenTypeHint>,
    client_id: Option<&str>,
) -> Result<(), OAuthError> {
    let body = form_body(token, hint, client_id);
    let request = Request::builder()
        .method(Method::POST)
        .uri(url.as_str())
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json")
        .body(body.into_bytes())
        .map_err(|e| OAuthError::Config(format!("revocation request: {e}")))?;
    let response = transport::send(http, request)
        .await
        .map_err(|e| transport_error(operation, e))?;
    if response.status().is_success() {
        return Ok(());
    }
    Err(oauth_error_body(
        operation,
        response.status().as_u16(),
        response.body(),
    ))
}

/// The revocation form. (A function of its own: the serializer is not `Send`, so it must not
/// live across an `await`.)
fn form_body(token: &Secret<String>, hint: Option<TokenTypeHint>, client_id: Option<&str>) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("token", token.expose());
    if let Some(hint) = hint {
        form.append_pair("token_type_hint", hint.as_str());
    }
    if let Some(client_id) = client_id {
        form.append_pair("client_id", client_id);
    }
    form.finish()
}

/// `GET {url}` with the access token as a Bearer credential (OpenID Connect Core §5.3); the
/// answer must be a JSON object of claims.
pub(super) async fn user_info(
    http: &reqwest::Client,
    operation: &str,
    url: &Url,
    access_token: &Secret<String>,
) -> Result<Map<String, Value>, OAuthError> {
    let request = Request::builder()
        .method(Method::GET)
        .uri(url.as_str())
        .header(AUTHORIZATION, format!("Bearer {}", access_token.expose()))
        .header(ACCEPT, "application/json")
        .body(Vec::new())
        .map_err(|_| {
            OAuthError::Config("user info request: the access token is not a valid header value".to_owned())
        })?;
    let response = transport::send(http, request)
        .await
        .map_err(|e| transport_error(operation, e))?;
    if !response.status().is_success() {
        return Err(oauth_error_body(
            operation,
            response.status().as_u16(),
            response.body(),
        ));
    }
    serde_json::from_slice(response.body()).map_err(|e| OAuthError::InvalidResponse {
        operation: operation.to_owned(),
        message: format!(
            "not a user-info document (line {}, column {})",
            e.line(),
            e.column()
        ),
    })
}

/// An OAuth error document (`{"error", "error_description"}`) as a refusal, or the bare status.
fn oauth_error_body(operation: &str, status: u16, body: &[u8]) -> OAuthError {
    #[derive(Deserialize)]
    struct Body {
        error: String,
        #[serde(default)]
        error_description: Option<String>,
    }
    match serde_json::from_slice::<Body>(body) {
        Ok(b) => OAuthError::Refused {
            operation: operation.to_owned(),
            error: clean_text(&b.error),
            description: clean_text(b.error_description.as_deref().unwrap_or("")),
        },
        Err(_) => OAuthError::InvalidResponse {
            operation: operation.to_owned(),
            message: format!("HTTP {status}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_documents_become_refusals() {
        let e = oauth_error_body(
            "Example token revocation",
            400,
            br#"{"error":"invalid_token","error_description":"gone\r\n"}"#,
        );
        assert_eq!(e.oauth_code(), Some("invalid_token"));
        assert_eq!(
            e.to_string(),
            "Example token revocation was refused: invalid_token (gone)"
        );
        let e = oauth_error_body("Example token revocation", 400, b"<html>");
        assert_eq!(
            e.to_string(),
            "unexpected answer to the Example token revocation: HTTP 400"
        );
    }

    #[test]
    fn the_revocation_form_follows_rfc_7009() {
        let token = Secret::new("a b&c".to_owned());
        assert_eq!(form_body(&token, None, None), "token=a+b%26c");
        assert_eq!(
            form_body(&token, Some(TokenTypeHint::RefreshToken), Some("app")),
            "token=a+b%26c&token_type_hint=refresh_token&client_id=app"
        );
    }
}
