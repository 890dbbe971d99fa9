//! A token bucket per API key (Stripe test mode: 25 requests per second, apis.md §2.8), on real
//! monotonic time: rate limits are about how fast requests arrive, not about the sandbox clock.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use tokio::time::Instant;

/// Micro-tokens per token, so refills stay in integers.
const MICRO: u128 = 1_000_000;

#[derive(Debug)]
struct Bucket {
    micro_tokens: u128,
    last: Instant,
}

/// Buckets by API key.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Takes one token for `key`; `Err(seconds to wait)` when the bucket is empty.
    pub fn take(&self, key: &str, per_sec: u32, burst: u32) -> Result<(), u64> {
        if per_sec == 0 {
            return Ok(());
        }
        let capacity = u128::from(burst.max(1)) * MICRO;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            micro_tokens: capacity,
            last: now,
        });
        let elapsed_ns = now.duration_since(bucket.last).as_nanos();
        let refill = elapsed_ns * u128::from(per_sec) * MICRO / 1_000_000_000;
        bucket.micro_tokens = (bucket.micro_tokens + refill).min(capacity);
        bucket.last = now;
        if bucket.micro_tokens >= MICRO {
            bucket.micro_tokens -= MICRO;
            return Ok(());
        }
        // Time until one whole token, rounded up to whole seconds for `Retry-After`.
        let missing = MICRO - bucket.micro_tokens;
        let wait_ns = missing * 1_000_000_000 / (u128::from(per_sec) * MICRO);
        let secs = wait_ns.div_ceil(1_000_000_000).max(1);
        Err(u64::try_from(secs).unwrap_or(u64::MAX))
    }

    /// Forgets every bucket (after the limit is reconfigured).
    pub fn reset(&self) {
        self.buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refuse_then_refill() {
        let r = RateLimiter::default();
        for _ in 0..5 {
            assert!(r.take("k", 5, 5).is_ok());
        }
        assert_eq!(r.take("k", 5, 5), Err(1));
        assert!(r.take("other", 5, 5).is_ok(), "buckets are per key");
        assert!(r.take("k", 0, 0).is_ok(), "0 disables the limiter");
    }
}
