//! Injected randomness. Backoff jitter, ids and fault injection draw from a [`RandomSource`], so a
//! seeded source makes every run repeatable. This is the only module allowed to reach the OS RNG.

use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};

use rand::rngs::{OsRng, StdRng};
use rand::{RngCore, SeedableRng, TryRngCore};

/// A source of random bits.
pub trait RandomSource: Send + Sync + Debug {
    /// Fills `dest` with random bytes.
    fn fill_bytes(&self, dest: &mut [u8]);

    /// A uniformly random `u64`.
    fn next_u64(&self) -> u64 {
        let mut buf = [0u8; 8];
        self.fill_bytes(&mut buf);
        u64::from_le_bytes(buf)
    }

    /// A uniformly random integer in `0..bound` (0 when `bound` is 0), without modulo bias.
    fn below(&self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        // Reject the top sliver of the range that would favour small values.
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % bound;
            }
        }
    }

    /// A random (version 4) UUID.
    fn uuid_v4(&self) -> uuid::Uuid {
        let mut bytes = [0u8; 16];
        self.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// Randomness shared between the engine's tasks.
pub type SharedRandom = Arc<dyn RandomSource>;

/// The operating system's CSPRNG: for production, and for anything secret (PKCE verifiers, keys).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemRandom;

impl RandomSource for SystemRandom {
    fn fill_bytes(&self, dest: &mut [u8]) {
        // The OS RNG failing means the platform is broken; there is no safe fallback.
        #[allow(clippy::expect_used)]
        OsRng
            .try_fill_bytes(dest)
            .expect("the operating system's random source failed");
    }
}

/// A deterministic source for tests, simulations and seeded fault injection. Not for secrets.
#[derive(Debug)]
pub struct SeededRandom {
    rng: Mutex<StdRng>,
}

impl SeededRandom {
    /// A source that yields the same sequence for the same seed.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }
}

impl RandomSource for SeededRandom {
    fn fill_bytes(&self, dest: &mut [u8]) {
        self.rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .fill_bytes(dest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_sources_repeat() {
        let (a, b) = (SeededRandom::new(7), SeededRandom::new(7));
        let xs: Vec<u64> = (0..16).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..16).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
    }

    #[test]
    fn below_stays_in_range() {
        let r = SeededRandom::new(1);
        assert_eq!(r.below(0), 0);
        for bound in [1u64, 2, 3, 10, 1000, u64::MAX] {
            for _ in 0..200 {
                assert!(r.below(bound) < bound);
            }
        }
    }

    #[test]
    fn uuids_are_version_4() {
        let id = SystemRandom.uuid_v4();
        assert_eq!(id.get_version_num(), 4);
    }
}
