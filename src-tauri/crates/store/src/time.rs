//! Time and number conversions between the API and the database. The store never reads the wall
//! clock: callers pass `now`, and times are stored as INTEGER unix milliseconds.

use chrono::{DateTime, Duration, Utc};
use paysync_core::clock::{from_unix_millis, to_unix_millis};

use crate::error::{Result, StoreError};

/// A time as stored.
pub(crate) fn ms(at: DateTime<Utc>) -> i64 {
    to_unix_millis(at)
}

/// A stored time.
pub(crate) fn at(ms: i64) -> DateTime<Utc> {
    from_unix_millis(ms)
}

/// An optional stored time.
pub(crate) fn at_opt(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.map(at)
}

/// `now + lease_for` in stored form, rejecting non-positive leases.
pub(crate) fn lease_until(now: DateTime<Utc>, lease_for: Duration) -> Result<i64> {
    if lease_for <= Duration::zero() {
        return Err(StoreError::validation(
            "lease_for",
            "a lease must be longer than zero",
        ));
    }
    now.checked_add_signed(lease_for)
        .map(ms)
        .ok_or_else(|| StoreError::validation("lease_for", "the lease ends beyond the representable range"))
}

/// A stored counter as `u32`.
pub(crate) fn to_u32(value: i64, what: &str) -> Result<u32> {
    u32::try_from(value).map_err(|_| StoreError::corrupt(format!("{what} = {value} is out of range")))
}

/// A stored count as `u64`.
pub(crate) fn to_u64(value: i64, what: &str) -> Result<u64> {
    u64::try_from(value).map_err(|_| StoreError::corrupt(format!("{what} = {value} is negative")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn leases_must_be_positive() {
        let now = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        assert!(lease_until(now, Duration::zero()).is_err());
        assert!(lease_until(now, Duration::seconds(-1)).is_err());
        assert_eq!(
            lease_until(now, Duration::seconds(30)).ok(),
            Some(ms(now) + 30_000)
        );
    }

    #[test]
    fn counters_reject_out_of_range() {
        assert!(to_u32(-1, "attempts").is_err());
        assert!(to_u32(i64::from(u32::MAX) + 1, "attempts").is_err());
        assert_eq!(to_u64(7, "n").ok(), Some(7));
    }
}
