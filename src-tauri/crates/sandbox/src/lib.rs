//! Faithful local simulators of the five external APIs Paysync talks to, for tests, benchmarks and
//! the first-run demo (ARCHITECTURE §5). Each simulator follows its provider's published behaviour
//! (error bodies, pagination, signatures, idempotency, rate limits, status enums) and shares no code
//! with the connectors, so it can catch their mistakes.
//!
//! - [`server`]: running one simulator on a loopback port, with `/__sandbox/` admin routes.
//! - [`faults`]: seeded fault injection (latency, error rates, 429 + `Retry-After`, timeouts,
//!   outages, "commit then lose the response"), changeable at run time.
//! - [`salesforce`], [`stripe`], [`checkout`], [`payoneer`], [`maldopay`]: the simulators.
//! - [`sandbox`]: all five started together; [`demo`]: the seeded demo data and its manifest.

pub mod checkout;
pub mod demo;
pub mod error;
pub mod faults;
pub mod maldopay;
pub mod payoneer;
mod record_page;
pub mod salesforce;
pub mod sandbox;
pub mod server;
pub mod stripe;

pub use error::SandboxError;
pub use faults::{ErrorFault, FaultConfig, FaultController, FaultRule, Outage};
pub use server::{ServeOptions, SimContext, SimHandle, Simulator, serve};

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for simulator tests: start one on a random loopback port with a manual clock.

    use std::sync::Arc;

    use paysync_core::{ManualClock, SeededRandom};

    use crate::SimContext;
    use crate::server::{ServeOptions, SimHandle, Simulator, serve};

    /// Starts `build` on 127.0.0.1:0 with a manual clock at the fixed origin and seed 7.
    pub async fn start<S: Simulator>(
        build: impl FnOnce(SimContext) -> Arc<S>,
    ) -> (SimHandle, Arc<S>, ManualClock, reqwest::Client) {
        let clock = ManualClock::at_fixed_origin();
        let options = ServeOptions::loopback();
        let (handle, sim) = serve(
            options,
            Arc::new(clock.clone()),
            Arc::new(SeededRandom::new(7)),
            build,
        )
        .await
        .unwrap_or_else(|e| panic!("start simulator: {e}"));
        (handle, sim, clock, reqwest::Client::new())
    }

    /// One request a [`Receiver`] got.
    #[derive(Debug, Clone)]
    pub struct Received {
        /// The request path.
        pub path: String,
        /// Its headers.
        pub headers: axum::http::HeaderMap,
        /// Its body as text.
        pub body: String,
    }

    impl Received {
        /// A header's value, if present and text.
        pub fn header(&self, name: &str) -> Option<String> {
            self.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        }

        /// A form field of the body.
        pub fn field(&self, name: &str) -> Option<String> {
            url::form_urlencoded::parse(self.body.as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        }
    }

    type Log = Arc<std::sync::Mutex<Vec<Received>>>;

    /// A loopback HTTP receiver that records every request, for webhook and callback tests.
    pub struct Receiver {
        /// Its base URL.
        pub base: String,
        got: Log,
    }

    impl Receiver {
        /// Starts one on 127.0.0.1:0.
        pub async fn start() -> Self {
            let got: Log = Arc::default();
            let app = axum::Router::new().fallback(record).with_state(got.clone());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap_or_else(|e| panic!("bind: {e}"));
            let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
            Self {
                base: format!("http://{addr}"),
                got,
            }
        }

        /// Everything received so far.
        pub fn all(&self) -> Vec<Received> {
            self.got
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        }

        /// Waits (real time, bounded) until at least `n` requests arrived.
        pub async fn wait_for(&self, n: usize) -> Vec<Received> {
            for _ in 0..200 {
                let all = self.all();
                if all.len() >= n {
                    return all;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            panic!("receiver got {} requests, expected {n}", self.all().len());
        }
    }

    async fn record(
        axum::extract::State(got): axum::extract::State<Log>,
        uri: axum::http::Uri,
        headers: axum::http::HeaderMap,
        body: axum::body::Bytes,
    ) {
        got.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Received {
                path: uri.path().to_owned(),
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
    }
}
