//! A successful response, read in full.

use std::fmt;

use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::{HttpError, redact};

/// A 2xx response with its whole body.
#[derive(Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Vec<u8>,
    /// The endpoint label of the request.
    pub endpoint: String,
    /// How many attempts it took (1 when the first succeeded).
    pub attempts: u32,
}

impl Response {
    /// Decodes the body as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|e| HttpError::Decode {
            endpoint: self.endpoint.clone(),
            message: e.to_string(),
        })
    }

    /// A header's value as text, if present and valid.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    redact::header_value(n.as_str(), v.to_str().unwrap_or("<binary>")),
                )
            })
            .collect();
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("endpoint", &self.endpoint)
            .field("attempts", &self.attempts)
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}
