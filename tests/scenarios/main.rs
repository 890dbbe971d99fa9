//! Cross-crate scenarios: the real `paysync` binary and the engine façade, end to end.

mod cli_contract;
mod connect_cli;
mod crash_daemon;
mod demo_data;
mod sandbox_cli;
mod secrets_canary;
mod stripe_to_salesforce;
mod stripe_webhooks;
