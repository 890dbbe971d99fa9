//! `Sforce-Limit-Info: api-usage=N/MAX` (apis.md §1.8): the org's API calls in the rolling 24 h
//! against its allocation, on every counted response. Flows read it after each call to stay
//! within the share of the allocation they may use.

use crate::http::Response;

/// The header's name.
pub const HEADER: &str = "Sforce-Limit-Info";

/// The org's API usage as of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    /// Calls made in the rolling 24 hours.
    pub used: u64,
    /// The org's allocation.
    pub max: u64,
}

impl ApiUsage {
    /// Parses the header's value; `None` when it carries no well-formed `api-usage` (other
    /// entries, such as `per-app-api-usage`, are skipped).
    pub fn parse(value: &str) -> Option<Self> {
        value.split(',').find_map(|part| {
            let (key, usage) = part.trim().split_once('=')?;
            if key.trim() != "api-usage" {
                return None;
            }
            let (used, max) = usage.trim().split_once('/')?;
            let used = used.trim().parse().ok()?;
            let max = max.trim().parse().ok()?;
            (max > 0).then_some(Self { used, max })
        })
    }

    /// The usage a response reports, if it carries the header.
    pub fn of(response: &Response) -> Option<Self> {
        response.header(HEADER).and_then(Self::parse)
    }

    /// Whether a flow allowed `share_percent` of the allocation may still make `calls` more calls.
    /// Non-urgent work pauses before the limit rather than at it, leaving the rest of the
    /// allocation to the org's other integrations and users.
    pub fn allows(&self, calls: u64, share_percent: u8) -> bool {
        let budget = self.max.saturating_mul(u64::from(share_percent.min(100))) / 100;
        self.used.saturating_add(calls) <= budget
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_header_is_read_as_salesforce_writes_it() {
        assert_eq!(
            ApiUsage::parse("api-usage=25/15000"),
            Some(ApiUsage { used: 25, max: 15000 })
        );
        assert_eq!(
            ApiUsage::parse("per-app-api-usage=2/500(appName=paysync), api-usage=30/15000"),
            Some(ApiUsage { used: 30, max: 15000 })
        );
        for bad in [
            "",
            "api-usage",
            "api-usage=1",
            "api-usage=a/b",
            "api-usage=1/0",
            "usage=1/2",
        ] {
            assert_eq!(ApiUsage::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_flow_stops_short_of_its_share() {
        let usage = ApiUsage {
            used: 7_400,
            max: 15_000,
        };
        assert!(usage.allows(100, 50));
        assert!(!usage.allows(101, 50));
        assert!(usage.allows(7_600, 100));
        assert!(!ApiUsage { used: 0, max: 15_000 }.allows(1, 0));
    }

    proptest! {
        #[test]
        fn parsing_never_panics(value in ".{0,120}") {
            let _ = ApiUsage::parse(&value);
        }

        #[test]
        fn a_written_header_reads_back(used in 0u64..10_000_000, max in 1u64..10_000_000) {
            prop_assert_eq!(ApiUsage::parse(&format!("api-usage={used}/{max}")), Some(ApiUsage { used, max }));
        }
    }
}
