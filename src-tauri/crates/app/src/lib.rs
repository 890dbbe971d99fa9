//! What the two front ends of Paysync share: the `paysync` command line and the desktop console
//! both read the same configuration from the same data directory, log the same way, and start the
//! same first-run sandbox. Neither front end holds logic of its own beyond presenting results.

pub mod config;
pub mod connections;
pub mod keychain;
pub mod logging;
pub mod paths;
pub mod provider_flows;
pub mod sandbox;
pub mod webhook_listener;

pub use config::{Config, ConfigError};
pub use console::{Console, ConsoleError};
pub use paths::PathError;
pub mod console;
