//! Provider flows: scheduled pulls from payment providers into the local store.

pub mod stripe_events;
pub mod stripe_payments;
pub mod stripe_salesforce;

#[cfg(test)]
pub(crate) mod testing;
