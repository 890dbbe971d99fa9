/// Every IPC command, by its Rust name. `build.rs` declares them so each needs an explicit
/// `allow-…` permission, and a test checks the capability file grants exactly these.
pub const COMMANDS: &[&str] = &[
    "get_app_info",
    "get_overview",
    "list_flows",
    "list_runs",
    "run_flow",
    "set_flow_paused",
    "list_payments",
    "get_payment",
    "list_audit",
    "verify_audit",
    "search",
    "set_preferences",
    "list_connections",
    "connect_with_keys",
    "connect_salesforce",
    "test_connection",
    "disconnect",
];
