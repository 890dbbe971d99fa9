//! The RFC 8252 loopback redirect listener (§7.3): a native app listens on `127.0.0.1` on an
//! ephemeral port, registers `http://127.0.0.1:{port}/callback` as the redirect URI for one
//! authorization request, and reads the code from the browser's redirect.
//!
//! The listener is single use: it serves exactly one callback that carries this flow's `state`
//! (compared in constant time) and then closes its socket. Requests on other paths get a 404 and
//! do not end the wait; malformed, repeated-parameter, non-GET and oversized (> 8 KiB) requests
//! get an error page and do not end it either. A callback with the wrong `state` ends the wait
//! with [`LoopbackError::StateMismatch`]; a provider error (`error=access_denied`) ends it with
//! [`LoopbackError::Denied`] carrying the provider's `error_description`. After the timeout the
//! wait ends with [`LoopbackError::Timeout`] and the socket is closed.

mod callback;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use paysync_core::Secret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Instant;

pub use callback::{CALLBACK_PATH, MAX_REQUEST_BYTES};
use callback::{Outcome, Reply, decide, head_end, too_large};

/// How long one connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long writing an answer may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections read at once (browsers open a few speculative ones).
const MAX_CONNECTIONS: usize = 16;

/// Why the loopback wait ended without an authorization code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoopbackError {
    /// The loopback socket could not be opened.
    #[error("could not listen on 127.0.0.1 for the sign-in callback: {0}")]
    Bind(String),
    /// No valid callback arrived in time; the socket is closed.
    #[error(
        "no sign-in response arrived within {} s; the browser tab may have been closed. Start the sign-in again",
        .0.as_secs()
    )]
    Timeout(Duration),
    /// A callback carried a `state` other than this flow's (stale tab or forged request).
    #[error(
        "the sign-in response did not match this sign-in attempt (state mismatch); it was rejected. Start the sign-in again"
    )]
    StateMismatch,
    /// The provider refused the authorization (e.g. `access_denied` when the user clicked Deny).
    #[error("the sign-in was refused: {error}{}", if description.is_empty() { String::new() } else { format!(" ({description})") })]
    Denied {
        /// The provider's `error`, e.g. `access_denied`.
        error: String,
        /// The provider's `error_description` (cleaned of control characters, capped in length).
        description: String,
    },
    /// The callback had this flow's `state` but no `code`.
    #[error("the sign-in response carried no authorization code")]
    MissingCode,
}

/// A bound loopback listener for one authorization request.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    redirect_uri: String,
}

impl LoopbackListener {
    /// Binds `127.0.0.1:0` (an ephemeral port chosen by the OS).
    pub async fn bind() -> Result<Self, LoopbackError> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .map_err(|e| LoopbackError::Bind(e.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|e| LoopbackError::Bind(e.to_string()))?
            .port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
        })
    }

    /// The redirect URI to send in the authorization request.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The port the listener is bound to.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    /// Waits for the callback that carries `expected_state` and returns its `code`. Consumes the
    /// listener: when this returns, for any reason, the socket is closed.
    pub async fn wait_for_code(
        self,
        expected_state: &Secret<String>,
        timeout: Duration,
    ) -> Result<Secret<String>, LoopbackError> {
        let deadline = Instant::now() + timeout;
        let result = tokio::time::timeout_at(deadline, self.serve(expected_state.expose())).await;
        // `self.listener` was moved into `serve` and is dropped by now: the port is closed.
        result.unwrap_or(Err(LoopbackError::Timeout(timeout)))
    }

    async fn serve(self, expected_state: &str) -> Result<Secret<String>, LoopbackError> {
        let mut reading: JoinSet<Option<(TcpStream, Head)>> = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept(), if reading.len() < MAX_CONNECTIONS => match accepted {
                    Ok((stream, _peer)) => {
                        reading.spawn(read_head(stream));
                    }
                    Err(e) => {
                        // E.g. out of file descriptors: back off instead of spinning.
                        tracing::warn!(error = %e, "Loopback accept failed.");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(joined) = reading.join_next(), if !reading.is_empty() => {
                    let Ok(Some((stream, head))) = joined else { continue };
                    let outcome = match head {
                        Head::Complete(bytes) => decide(&bytes, expected_state),
                        Head::TooLarge => Outcome::Continue(too_large()),
                    };
                    match outcome {
                        Outcome::Continue(reply) => {
                            tracing::debug!(status = reply.status, "Loopback answered a request that is not the callback.");
                            respond(stream, &reply).await;
                        }
                        Outcome::Finish(reply, result) => {
                            respond(stream, &reply).await;
                            return result;
                        }
                    }
                }
            }
        }
    }
}

/// A request head as read from one connection.
enum Head {
    /// Up to and including the blank line.
    Complete(Vec<u8>),
    /// No blank line within [`MAX_REQUEST_BYTES`].
    TooLarge,
}

/// Reads one request head; `None` when the peer closed or stalled before finishing it.
async fn read_head(mut stream: TcpStream) -> Option<(TcpStream, Head)> {
    let read = async {
        let mut buf = Vec::with_capacity(1024);
        let mut chunk = [0u8; 1024];
        loop {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(chunk.get(..n)?);
            if let Some(end) = head_end(&buf) {
                if end > MAX_REQUEST_BYTES {
                    return Some(Head::TooLarge);
                }
                buf.truncate(end);
                return Some(Head::Complete(buf));
            }
            if buf.len() >= MAX_REQUEST_BYTES {
                return Some(Head::TooLarge);
            }
        }
    };
    let head = tokio::time::timeout(READ_TIMEOUT, read).await.ok()??;
    Some((stream, head))
}

/// Writes the answer and closes the connection; failures only mean the browser went away.
async fn respond(mut stream: TcpStream, reply: &Reply) {
    let write = async {
        stream.write_all(&reply.to_http()).await?;
        stream.flush().await?;
        stream.shutdown().await
    };
    if let Ok(Err(e)) | Err(e) = tokio::time::timeout(WRITE_TIMEOUT, write)
        .await
        .map_err(std::io::Error::from)
    {
        tracing::debug!(error = %e, "Could not answer the browser on the loopback listener.");
        return;
    }
    // Closing with unread input makes the kernel send a reset, which can destroy the answer
    // before the browser reads it; so drain what the peer still sends, briefly, in the background.
    tokio::spawn(linger(stream));
}

/// Reads and discards input until the peer closes, for at most a second and 64 KiB.
async fn linger(mut stream: TcpStream) {
    let drain = async {
        let mut sink = [0u8; 4096];
        let mut total = 0usize;
        while total < 64 * 1024 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total = total.saturating_add(n),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    async fn raw(port: u16, request: &[u8]) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"));
        let _ = s.write_all(request).await;
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn serves_one_callback_then_closes() {
        let listener = LoopbackListener::bind().await.unwrap_or_else(|e| panic!("{e}"));
        let port = listener.port();
        assert_eq!(
            listener.redirect_uri(),
            format!("http://127.0.0.1:{port}/callback")
        );
        let state = Secret::new("st4te".to_owned());
        let wait = tokio::spawn(async move { listener.wait_for_code(&state, Duration::from_secs(10)).await });

        // Oversized, stray and malformed requests are answered and the wait goes on.
        let big = format!("GET /callback?pad={} HTTP/1.1\r\n\r\n", "a".repeat(9000));
        assert!(raw(port, big.as_bytes()).await.starts_with("HTTP/1.1 431 "));
        assert!(
            raw(port, b"GET /favicon.ico HTTP/1.1\r\n\r\n")
                .await
                .starts_with("HTTP/1.1 404 ")
        );
        assert!(raw(port, b"\r\n\r\n").await.starts_with("HTTP/1.1 400 "));
        // A silent connection does not block the others.
        let _silent = TcpStream::connect(("127.0.0.1", port)).await;

        let ok = raw(
            port,
            b"GET /callback?code=c0de&state=st4te HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        .await;
        assert!(ok.starts_with("HTTP/1.1 200 OK"), "{ok}");
        assert!(ok.contains("you can close this tab"), "{ok}");
        let code = wait
            .await
            .unwrap_or_else(|e| panic!("join: {e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(code.expose(), "c0de");
        assert!(
            TcpStream::connect(("127.0.0.1", port)).await.is_err(),
            "the listener must be closed after the callback"
        );
    }

    #[tokio::test]
    async fn times_out_and_closes_the_socket() {
        let listener = LoopbackListener::bind().await.unwrap_or_else(|e| panic!("{e}"));
        let port = listener.port();
        let state = Secret::new("s".to_owned());
        let result = listener.wait_for_code(&state, Duration::from_millis(200)).await;
        assert_eq!(
            result.err(),
            Some(LoopbackError::Timeout(Duration::from_millis(200)))
        );
        assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
    }

    #[test]
    fn errors_read_clearly() {
        let e = LoopbackError::Denied {
            error: "access_denied".into(),
            description: "end-user denied authorization".into(),
        };
        assert_eq!(
            e.to_string(),
            "the sign-in was refused: access_denied (end-user denied authorization)"
        );
        assert!(
            LoopbackError::Timeout(Duration::from_secs(300))
                .to_string()
                .contains("300 s")
        );
    }
}
