//! Provider flows: scheduled pulls from payment providers into the local store.

pub mod stripe_payments;
