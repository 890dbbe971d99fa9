//! [`CurrencyTotals`]: per currency, what came in and where it went, so a run can prove that
//! nothing was lost or counted twice.

use serde::{Deserialize, Serialize};

/// Sums for one currency, in minor units (`i128`, so no realistic run can overflow). Each record
/// counts once, in its own currency: as matched when it is in a confirmed match, as unmatched
/// when it is in a suggestion or an exception.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotals {
    /// Σ provider amounts given to the run.
    pub provider_input: i128,
    /// Σ provider amounts in confirmed matches.
    pub provider_matched: i128,
    /// Σ provider amounts in suggestions and exceptions.
    pub provider_unmatched: i128,
    /// Σ Salesforce amounts given to the run.
    pub salesforce_input: i128,
    /// Σ Salesforce amounts in confirmed matches.
    pub salesforce_matched: i128,
    /// Σ Salesforce amounts in suggestions and exceptions.
    pub salesforce_unmatched: i128,
}

impl CurrencyTotals {
    /// Whether matched + unmatched = input on both sides.
    pub fn balances(&self) -> bool {
        self.provider_matched + self.provider_unmatched == self.provider_input
            && self.salesforce_matched + self.salesforce_unmatched == self.salesforce_input
    }
}
