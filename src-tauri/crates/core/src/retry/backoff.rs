//! The retry policy: exponential backoff with full jitter, a bounded number of attempts, and a
//! server's `Retry-After` as a floor. Pure: the random draw comes from an injected source.

use std::time::Duration;

use crate::{ErrorClass, RandomSource};

/// How a failed job is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The backoff ceiling for the first retry; it doubles with each attempt.
    pub base: Duration,
    /// The largest backoff ceiling, whatever the attempt number.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(2),
            cap: Duration::from_secs(15 * 60),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Try again after this delay.
    RetryAfter(Duration),
    /// Park it in the dead-letter queue for a person.
    DeadLetter,
    /// The outcome is unknown: wait for a status check, never resend blindly.
    AwaitStatusCheck,
}

impl RetryPolicy {
    /// The upper bound of the jittered delay before retry number `attempt` (1-based):
    /// `min(cap, base · 2^(attempt-1))`, computed without overflow.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let shift = attempt.saturating_sub(1).min(63);
        let factor = 1u64.checked_shl(shift).unwrap_or(u64::MAX);
        let base_ms = u64::try_from(self.base.as_millis()).unwrap_or(u64::MAX);
        let cap_ms = u64::try_from(self.cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(base_ms.saturating_mul(factor).min(cap_ms))
    }

    /// The delay before retry number `attempt`: uniform in `[0, ceiling]` ("full jitter", which
    /// spreads a thundering herd best), but never sooner than the server's `Retry-After`.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>, rng: &dyn RandomSource) -> Duration {
        let ceiling_ms = u64::try_from(self.ceiling(attempt).as_millis()).unwrap_or(u64::MAX);
        let jittered = Duration::from_millis(rng.below(ceiling_ms.saturating_add(1)));
        retry_after.map_or(jittered, |floor| jittered.max(floor))
    }

    /// Decides the next step after attempt number `attempt` of at most `max_attempts` failed.
    pub fn next_step(
        &self,
        class: ErrorClass,
        attempt: u32,
        max_attempts: u32,
        retry_after: Option<Duration>,
        rng: &dyn RandomSource,
    ) -> NextStep {
        match class {
            ErrorClass::Terminal => NextStep::DeadLetter,
            ErrorClass::InDoubt => NextStep::AwaitStatusCheck,
            ErrorClass::Retriable if attempt >= max_attempts => NextStep::DeadLetter,
            ErrorClass::Retriable => NextStep::RetryAfter(self.delay(attempt, retry_after, rng)),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::SeededRandom;
    use proptest::prelude::*;

    use super::*;

    fn policy(base_ms: u64, cap_ms: u64) -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_millis(base_ms),
            cap: Duration::from_millis(cap_ms),
        }
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let p = policy(1_000, 10_000);
        let got: Vec<u128> = (1..=6).map(|a| p.ceiling(a).as_millis()).collect();
        assert_eq!(got, vec![1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
        assert_eq!(p.ceiling(u32::MAX), Duration::from_millis(10_000));
    }

    #[test]
    fn terminal_and_in_doubt_never_retry() {
        let rng = SeededRandom::new(1);
        let p = RetryPolicy::default();
        assert_eq!(
            p.next_step(ErrorClass::Terminal, 1, 8, None, &rng),
            NextStep::DeadLetter
        );
        assert_eq!(
            p.next_step(ErrorClass::InDoubt, 1, 8, None, &rng),
            NextStep::AwaitStatusCheck
        );
        assert_eq!(
            p.next_step(ErrorClass::Retriable, 8, 8, None, &rng),
            NextStep::DeadLetter
        );
    }

    proptest! {
        #[test]
        fn delay_is_within_ceiling_and_honours_retry_after(
            seed in any::<u64>(),
            base_ms in 1u64..60_000,
            cap_extra in 0u64..3_600_000,
            attempt in 1u32..200,
            retry_after_ms in proptest::option::of(0u64..7_200_000),
        ) {
            let p = policy(base_ms, base_ms + cap_extra);
            let rng = SeededRandom::new(seed);
            let retry_after = retry_after_ms.map(Duration::from_millis);
            let d = p.delay(attempt, retry_after, &rng);
            let ceiling = p.ceiling(attempt);
            match retry_after {
                Some(floor) => {
                    prop_assert!(d >= floor, "{d:?} sooner than Retry-After {floor:?}");
                    prop_assert!(d <= ceiling.max(floor));
                }
                None => prop_assert!(d <= ceiling),
            }
            prop_assert!(ceiling <= p.cap);
        }

        #[test]
        fn ceiling_is_monotonic(base_ms in 1u64..100_000, cap_ms in 1u64..10_000_000, a in 1u32..100) {
            let p = policy(base_ms, cap_ms.max(base_ms));
            prop_assert!(p.ceiling(a) <= p.ceiling(a + 1));
        }

        #[test]
        fn retriable_retries_until_exhausted(attempt in 1u32..50, max in 1u32..50, seed in any::<u64>()) {
            let rng = SeededRandom::new(seed);
            let step = RetryPolicy::default().next_step(ErrorClass::Retriable, attempt, max, None, &rng);
            if attempt >= max {
                prop_assert_eq!(step, NextStep::DeadLetter);
            } else {
                prop_assert!(matches!(step, NextStep::RetryAfter(_)));
            }
        }
    }

    #[test]
    fn jitter_spreads_delays() {
        let rng = SeededRandom::new(42);
        let p = policy(1_000, 60_000);
        let draws: std::collections::BTreeSet<u128> =
            (0..50).map(|_| p.delay(5, None, &rng).as_millis()).collect();
        assert!(draws.len() > 40, "full jitter should rarely repeat: {draws:?}");
    }
}
