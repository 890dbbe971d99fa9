//! Provider flows: scheduled pulls from payment providers into the local store, and the flows that apply changes between a provider and Salesforce.

pub mod salesforce_stripe;
pub mod stripe_events;
pub mod stripe_payments;
pub mod stripe_salesforce;

#[cfg(test)]
pub(crate) mod testing;
