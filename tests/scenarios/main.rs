//! Cross-crate scenarios: the real `paysync` binary and the engine façade, end to end.

mod cli_contract;
mod crash_daemon;
mod secrets_canary;
