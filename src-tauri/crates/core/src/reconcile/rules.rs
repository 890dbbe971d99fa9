//! [`Rules`]: what the rules pass may treat as agreement between records that no shared id links.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The largest `max_group` accepted: the subset search is exponential in it.
pub const MAX_GROUP_LIMIT: usize = 4;

/// The widest `date_window_days` accepted: beyond a year, unrelated payments start to meet.
pub const MAX_DATE_WINDOW_DAYS: u32 = 366;

/// How far apart two amounts may be and still be *suggested* as the same movement: the larger of
/// `minor` units and `basis_points` (1/100 of a percent) of the larger amount. A difference
/// within tolerance is never auto-confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tolerance {
    /// An absolute allowance in minor units.
    pub minor: u64,
    /// A relative allowance in basis points (100 = 1 %).
    pub basis_points: u32,
}

impl Default for Tolerance {
    fn default() -> Self {
        Self {
            minor: 50,
            basis_points: 10,
        }
    }
}

impl Tolerance {
    /// The allowance for comparing `a` with `b`, in minor units.
    pub fn allowance(&self, a: i128, b: i128) -> u128 {
        let larger = a.unsigned_abs().max(b.unsigned_abs());
        // Rounds down, so the relative allowance never exceeds what was configured.
        let relative = larger.saturating_mul(u128::from(self.basis_points)) / 10_000;
        u128::from(self.minor).max(relative)
    }

    /// Whether `a` and `b` are within tolerance of each other.
    pub fn allows(&self, a: i128, b: i128) -> bool {
        a.abs_diff(b) <= self.allowance(a, b)
    }
}

/// The configurable matching rules. Loaded from configuration; missing fields take the defaults.
///
/// Only an exact amount in the same currency (or explained by a fee or a conversion), inside the
/// date window, with an equal reference on both sides, unique both ways, is confirmed by rules;
/// with `use_reference` off, rules only suggest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// How far apart amounts may be for a suggestion.
    pub amount_tolerance: Tolerance,
    /// How many days apart two records may be dated.
    pub date_window_days: u32,
    /// Compare references: different references rule a pair out, equal ones can confirm it.
    pub use_reference: bool,
    /// Compare counterparties: different ones rule a pair out, equal ones raise a suggestion.
    pub use_counterparty: bool,
    /// The largest number of records on the "many" side of a group the rules pass searches for
    /// (one invoice paid in up to this many charges). 1 turns the subset search off.
    pub max_group: usize,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            amount_tolerance: Tolerance::default(),
            date_window_days: 3,
            use_reference: true,
            use_counterparty: true,
            max_group: 3,
        }
    }
}

/// Rules that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RulesError {
    /// A relative tolerance above 100 % matches anything against anything of the same sign.
    #[error("amount tolerance of {basis_points} basis points is above 100 %")]
    ToleranceAbove100Percent {
        /// The configured value.
        basis_points: u32,
    },
    /// `max_group` must be between 1 and [`MAX_GROUP_LIMIT`].
    #[error("max_group {max_group} is outside 1..={MAX_GROUP_LIMIT}")]
    MaxGroup {
        /// The configured value.
        max_group: usize,
    },
    /// `date_window_days` must be at most [`MAX_DATE_WINDOW_DAYS`].
    #[error("date window of {days} days is above {MAX_DATE_WINDOW_DAYS}")]
    DateWindow {
        /// The configured value.
        days: u32,
    },
}

impl Rules {
    /// Checks that the rules can be applied.
    pub fn validate(&self) -> Result<(), RulesError> {
        if self.amount_tolerance.basis_points > 10_000 {
            return Err(RulesError::ToleranceAbove100Percent {
                basis_points: self.amount_tolerance.basis_points,
            });
        }
        if !(1..=MAX_GROUP_LIMIT).contains(&self.max_group) {
            return Err(RulesError::MaxGroup {
                max_group: self.max_group,
            });
        }
        if self.date_window_days > MAX_DATE_WINDOW_DAYS {
            return Err(RulesError::DateWindow {
                days: self.date_window_days,
            });
        }
        Ok(())
    }
}
