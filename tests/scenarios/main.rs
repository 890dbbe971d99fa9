//! Cross-crate scenarios: the real `paysync` binary and the engine façade, end to end.

mod cli_contract;
mod closed_won_daemon;
mod connect_cli;
mod connected;
mod crash_daemon;
mod demo_data;
mod payoneer_ipcn;
mod payout_seed;
mod payouts_daemon;
mod reconcile_demo;
mod sandbox_cli;
mod secrets_canary;
mod stripe_to_salesforce;
mod stripe_webhooks;
