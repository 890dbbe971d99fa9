//! Rate limiting per provider endpoint: a GCRA limiter (`governor`) for our own pace, and
//! adaptive pauses when the provider answers 429 with `Retry-After`, shared by every caller.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// A sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per second, sustained.
    pub per_second: NonZeroU32,
    /// How many may go at once after a quiet spell.
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// `per_second` sustained with a burst of the same size (zero is read as one).
    pub fn per_second(per_second: u32) -> Self {
        let n = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        Self {
            per_second: n,
            burst: n,
        }
    }
}

/// The limits of one provider, keyed by endpoint label.
#[derive(Debug)]
pub struct EndpointLimits {
    limiter: DefaultKeyedRateLimiter<String>,
    pauses: Mutex<HashMap<String, DateTime<Utc>>>,
}

impl EndpointLimits {
    /// Limits with `rate` per endpoint.
    pub fn new(rate: RateLimit) -> Self {
        let quota = Quota::per_second(rate.per_second).allow_burst(rate.burst);
        Self {
            limiter: RateLimiter::keyed(quota),
            pauses: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot for `endpoint`.
    pub async fn acquire(&self, endpoint: &str) {
        self.limiter.until_key_ready(&endpoint.to_owned()).await;
    }

    /// Pauses `endpoint` for every caller until `until` (extends, never shortens, a pause).
    pub fn pause_until(&self, endpoint: &str, until: DateTime<Utc>) {
        let mut pauses = self.pauses.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = pauses.entry(endpoint.to_owned()).or_insert(until);
        *slot = (*slot).max(until);
    }

    /// How long to wait before sending to `endpoint` at `now` (zero when not paused).
    pub fn pause_remaining(&self, endpoint: &str, now: DateTime<Utc>) -> std::time::Duration {
        let mut pauses = self.pauses.lock().unwrap_or_else(PoisonError::into_inner);
        match pauses.get(endpoint) {
            Some(until) if *until > now => (*until - now).to_std().unwrap_or_default(),
            Some(_) => {
                pauses.remove(endpoint);
                std::time::Duration::ZERO
            }
            None => std::time::Duration::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use paysync_core::{Clock, ManualClock};

    use super::*;

    #[test]
    fn pauses_extend_and_expire() {
        let clock = ManualClock::at_fixed_origin();
        let t0 = clock.now();
        let l = EndpointLimits::new(RateLimit::per_second(10));
        l.pause_until("a", t0 + chrono::Duration::seconds(2));
        l.pause_until("a", t0 + chrono::Duration::seconds(1));
        assert_eq!(l.pause_remaining("a", t0), std::time::Duration::from_secs(2));
        assert_eq!(l.pause_remaining("b", t0), std::time::Duration::ZERO);
        assert_eq!(
            l.pause_remaining("a", t0 + chrono::Duration::seconds(2)),
            std::time::Duration::ZERO
        );
    }
}
