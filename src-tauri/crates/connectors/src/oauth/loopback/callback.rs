//! The pure half of the loopback listener: find the end of a request head, parse the request
//! line, read the callback's query, decide what to answer and whether the wait is over, and
//! render the small HTML pages. Everything here takes untrusted bytes and must never panic.

use paysync_core::Secret;
use subtle::ConstantTimeEq;

use super::LoopbackError;
use crate::oauth::transport::clean_text;

/// The path the provider redirects to.
pub const CALLBACK_PATH: &str = "/callback";

/// The largest request head accepted (request line and headers).
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;

/// What to send back to the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    /// The status code.
    pub status: u16,
    /// The HTML page.
    pub body: String,
}

impl Reply {
    fn page(status: u16, title: &str, message: &str) -> Self {
        Self {
            status,
            body: page(title, message),
        }
    }

    fn failure(status: u16, reason: &str) -> Self {
        Self::page(
            status,
            "Paysync could not connect",
            &format!("Paysync could not connect: {reason}. Return to Paysync to try again."),
        )
    }

    /// The full HTTP/1.1 response.
    pub fn to_http(&self) -> Vec<u8> {
        let reason = match self.status {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            431 => "Request Header Fields Too Large",
            _ => "Error",
        };
        let allow = if self.status == 405 { "Allow: GET\r\n" } else { "" };
        format!(
            "HTTP/1.1 {} {reason}\r\n\
             Content-Type: text/html; charset=utf-8\r\n\
             Content-Length: {}\r\n\
             Cache-Control: no-store\r\n\
             Referrer-Policy: no-referrer\r\n\
             X-Content-Type-Options: nosniff\r\n\
             Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
             {allow}Connection: close\r\n\r\n{}",
            self.status,
            self.body.len(),
            self.body
        )
        .into_bytes()
    }
}

/// What one request means for the wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Answer and keep waiting for the real callback.
    Continue(Reply),
    /// Answer, then stop waiting with this result.
    Finish(Reply, Result<Secret<String>, LoopbackError>),
}

/// The answer to a request head larger than [`MAX_REQUEST_BYTES`] (the wait goes on).
pub(crate) fn too_large() -> Reply {
    Reply::failure(431, "the request was too large")
}

/// Where the request head ends (the index just past the blank line), if it is complete.
pub(crate) fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i.saturating_add(4))
        .or_else(|| {
            buf.windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| i.saturating_add(2))
        })
}

/// The method and request target of an HTTP/1.x request line.
pub(crate) fn request_line(head: &[u8]) -> Option<(&str, &str)> {
    let end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let line = std::str::from_utf8(head.get(..end)?).ok()?;
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut parts = line.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic());
    (parts.next().is_none() && token(method) && version.starts_with("HTTP/1.")).then_some((method, target))
}

/// The callback's parameters (each at most once, per RFC 6749 §3.1).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct CallbackParams {
    /// `state`.
    pub state: Option<String>,
    /// `code`.
    pub code: Option<String>,
    /// `error`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
}

/// Reads a query string; `None` if a parameter that matters appears twice. Bad percent-encoding
/// is kept literally and invalid UTF-8 becomes U+FFFD, so a mangled value simply fails to match.
pub(crate) fn callback_params(query: &str) -> Option<CallbackParams> {
    let mut p = CallbackParams::default();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "state" => &mut p.state,
            "code" => &mut p.code,
            "error" => &mut p.error,
            "error_description" => &mut p.error_description,
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            return None;
        }
    }
    Some(p)
}

/// Whether the callback's `state` is the one expected, compared in constant time.
pub(crate) fn state_matches(given: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// Decides what a complete request head means, given the `state` this flow sent.
pub(crate) fn decide(head: &[u8], expected_state: &str) -> Outcome {
    let Some((method, target)) = request_line(head) else {
        return Outcome::Continue(Reply::failure(400, "the request was malformed"));
    };
    if method != "GET" {
        return Outcome::Continue(Reply::failure(405, "only GET is accepted here"));
    }
    let target = target.split('#').next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        return Outcome::Continue(Reply::page(
            404,
            "Not found",
            "Nothing here. Paysync is still waiting for the sign-in to finish.",
        ));
    }
    let Some(params) = callback_params(query) else {
        return Outcome::Continue(Reply::failure(400, "a parameter was repeated"));
    };
    let Some(state) = params.state.as_deref() else {
        // Without a state nobody can tell which sign-in this belongs to; it proves nothing.
        return Outcome::Continue(Reply::failure(400, "the sign-in response had no state"));
    };
    if !state_matches(state, expected_state) {
        let reply = Reply::failure(400, "the sign-in response does not belong to this sign-in");
        return Outcome::Finish(reply, Err(LoopbackError::StateMismatch));
    }
    if let Some(error) = params.error {
        let error = clean_text(&error);
        let description = clean_text(params.error_description.as_deref().unwrap_or(""));
        let reason = if description.is_empty() {
            format!("the provider answered {error}")
        } else {
            format!("the provider answered {error} ({description})")
        };
        let reply = Reply::failure(400, &reason);
        return Outcome::Finish(reply, Err(LoopbackError::Denied { error, description }));
    }
    match params.code.filter(|c| !c.is_empty()) {
        Some(code) => Outcome::Finish(
            Reply::page(
                200,
                "Paysync is connected",
                "Paysync is connected, you can close this tab.",
            ),
            Ok(Secret::new(code)),
        ),
        None => Outcome::Finish(
            Reply::failure(400, "the sign-in response had no authorization code"),
            Err(LoopbackError::MissingCode),
        ),
    }
}

/// Minimal HTML escaping.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A small self-contained page.
fn page(title: &str, message: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:4rem auto;max-width:36rem;color:#222}}</style>\
         </head>\n<body><h1>{title}</h1>\n<p id=\"message\">{message}</p></body></html>\n",
        title = escape(title),
        message = escape(message),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const STATE: &str = "s7Rk2-xyz_ABC";

    fn get(target: &str) -> Vec<u8> {
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:5000\r\n\r\n").into_bytes()
    }

    fn finish(outcome: Outcome) -> (Reply, Result<Secret<String>, LoopbackError>) {
        match outcome {
            Outcome::Finish(reply, result) => (reply, result),
            Outcome::Continue(reply) => panic!("expected the wait to end, got {reply:?}"),
        }
    }

    fn status_of_continue(outcome: &Outcome) -> u16 {
        match outcome {
            Outcome::Continue(reply) => reply.status,
            Outcome::Finish(..) => panic!("expected the wait to go on, got {outcome:?}"),
        }
    }

    #[test]
    fn a_valid_callback_yields_the_decoded_code() {
        // Salesforce codes are base64 with `+`, `/` and `=`, percent-encoded in the redirect.
        let (reply, result) = finish(decide(
            &get("/callback?code=aPrx%2Bab%2Fc%3D%3D&state=s7Rk2-xyz_ABC"),
            STATE,
        ));
        assert_eq!(reply.status, 200);
        assert!(
            reply
                .body
                .contains("Paysync is connected, you can close this tab.")
        );
        let code = result.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(code.expose(), "aPrx+ab/c==");
    }

    #[test]
    fn the_wrong_state_ends_the_wait_with_a_typed_error() {
        let (reply, result) = finish(decide(&get("/callback?code=abc&state=other"), STATE));
        assert_eq!(reply.status, 400);
        assert_eq!(result.err(), Some(LoopbackError::StateMismatch));
        // A prefix of the right state is still wrong.
        let (_, result) = finish(decide(&get("/callback?code=abc&state=s7Rk2"), STATE));
        assert_eq!(result.err(), Some(LoopbackError::StateMismatch));
    }

    #[test]
    fn provider_errors_carry_the_description_and_are_escaped_on_the_page() {
        let (reply, result) = finish(decide(
            &get(
                "/callback?error=access_denied&error_description=end-user+denied+%3Cb%3Eauthorization%3C%2Fb%3E&state=s7Rk2-xyz_ABC",
            ),
            STATE,
        ));
        assert_eq!(
            result.err(),
            Some(LoopbackError::Denied {
                error: "access_denied".into(),
                description: "end-user denied <b>authorization</b>".into(),
            })
        );
        assert!(
            reply.body.contains("&lt;b&gt;authorization&lt;/b&gt;"),
            "{}",
            reply.body
        );
        assert!(!reply.body.contains("<b>"));
    }

    #[test]
    fn other_paths_methods_and_malformed_requests_do_not_end_the_wait() {
        assert_eq!(status_of_continue(&decide(&get("/favicon.ico"), STATE)), 404);
        assert_eq!(
            status_of_continue(&decide(&get("/callbackx?state=s7Rk2-xyz_ABC&code=a"), STATE)),
            404
        );
        assert_eq!(status_of_continue(&decide(&get("/"), STATE)), 404);
        assert_eq!(status_of_continue(&decide(&get("/callback"), STATE)), 400);
        assert_eq!(
            status_of_continue(&decide(&get("/callback?code=abc"), STATE)),
            400
        );
        assert_eq!(
            status_of_continue(&decide(
                &get("/callback?state=s7Rk2-xyz_ABC&state=x&code=a"),
                STATE
            )),
            400
        );
        assert_eq!(
            status_of_continue(&decide(
                b"POST /callback?state=s7Rk2-xyz_ABC&code=a HTTP/1.1\r\n\r\n",
                STATE
            )),
            405
        );
        assert_eq!(status_of_continue(&decide(b"garbage\r\n\r\n", STATE)), 400);
        assert_eq!(
            status_of_continue(&decide(b"GET /callback HTTP/2\r\n\r\n", STATE)),
            400
        );
        assert_eq!(
            status_of_continue(&decide(&[0xff, 0xfe, b'\r', b'\n'], STATE)),
            400
        );
    }

    #[test]
    fn bad_percent_encoding_is_a_mismatch_not_a_crash() {
        let (_, result) = finish(decide(&get("/callback?code=a%zz&state=%E0%A4%A"), STATE));
        assert_eq!(result.err(), Some(LoopbackError::StateMismatch));
        let (_, result) = finish(decide(&get("/callback?code=%&state=s7Rk2-xyz_ABC"), STATE));
        assert_eq!(result.ok().map(Secret::into_exposed), Some("%".to_owned()));
    }

    #[test]
    fn a_matching_state_without_code_is_a_typed_error() {
        let (_, result) = finish(decide(&get("/callback?state=s7Rk2-xyz_ABC&code="), STATE));
        assert_eq!(result.err(), Some(LoopbackError::MissingCode));
    }

    #[test]
    fn an_empty_expected_state_never_matches() {
        assert!(!state_matches("", ""));
        assert!(state_matches("abc", "abc"));
        assert!(!state_matches("abd", "abc"));
        assert!(!state_matches("abcd", "abc"));
    }

    #[test]
    fn head_end_finds_the_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nrest"), Some(27));
        assert_eq!(head_end(b"GET / HTTP/1.1\nHost: x\n\n"), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
        assert_eq!(head_end(b""), None);
    }

    #[test]
    fn responses_are_well_formed_http() {
        let reply = Reply::page(200, "t", "m");
        let text = String::from_utf8(reply.to_http()).unwrap_or_default();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_default();
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(
            head.contains(&format!("Content-Length: {}", body.len())),
            "{head}"
        );
        assert!(head.contains("Connection: close"));
        let text = String::from_utf8(too_large().to_http()).unwrap_or_default();
        assert!(text.starts_with("HTTP/1.1 431 "), "{text}");
    }

    proptest! {
        #[test]
        fn decide_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = decide(&bytes, STATE);
            let _ = head_end(&bytes);
        }

        #[test]
        fn decide_never_panics_on_arbitrary_targets(target in "\\PC{0,200}") {
            let _ = decide(&get(&target), STATE);
            let _ = callback_params(&target);
        }

        #[test]
        fn any_code_round_trips_through_the_query(code in "\\PC{1,80}") {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("code", &code)
                .append_pair("state", STATE)
                .finish();
            let outcome = decide(&get(&format!("/callback?{query}")), STATE);
            match outcome {
                Outcome::Finish(reply, Ok(got)) => {
                    prop_assert_eq!(reply.status, 200);
                    prop_assert_eq!(got.expose(), &code);
                }
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
