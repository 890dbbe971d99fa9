//! Helpers shared by the cross-crate scenarios: locating and driving the real `paysync` binary
//! against a throwaway data directory (never the user's real one).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The `paysync` binary built in this target directory (override with `PAYSYNC_BIN`).
pub fn paysync_bin() -> PathBuf {
    built_bin(
        "paysync",
        "PAYSYNC_BIN",
        "build it first with `cargo build --workspace --bins` (scripts/test.sh does)",
    )
}

/// A binary built in this target directory, or the path in `override_var`; `how` says how to
/// build it when it is missing.
pub fn built_bin(name: &str, override_var: &str, how: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(override_var) {
        return PathBuf::from(p);
    }
    // Integration tests run from target/<profile>/deps/; the binary sits one level up.
    let exe = std::env::current_exe().unwrap_or_default();
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let bin = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} is missing: {how}", bin.display());
    bin
}

/// A `paysync` command pointed at `data_dir`, with the environment cleaned of overrides.
pub fn paysync(data_dir: &Path) -> Command {
    let mut cmd = Command::new(paysync_bin());
    cmd.arg("--data-dir").arg(data_dir);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PAYSYNC_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("PAYSYNC_LOG", "warn");
    cmd
}

/// Runs a `paysync` command to completion and returns its output, panicking with stderr on spawn failure.
pub fn run(data_dir: &Path, args: &[&str]) -> Output {
    paysync(data_dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("could not run paysync {args:?}: {e}"))
}

/// Runs a `paysync --json` command that must succeed and parses its JSON output.
pub fn run_json(data_dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(data_dir, &all);
    assert!(
        out.status.success(),
        "paysync {all:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "paysync {all:?} printed invalid JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Writes a configuration suited to fast tests: short leases and backoff.
pub fn write_fast_config(data_dir: &Path, workers: usize) {
    std::fs::create_dir_all(data_dir).unwrap_or_else(|e| panic!("create {}: {e}", data_dir.display()));
    let text = format!(
        "[engine]\nworkers = {workers}\nlease_secs = 1\npoll_interval_ms = 20\nshutdown_grace_secs = 5\n\
         in_doubt_check_secs = 1\nscheduler_tick_ms = 100\n\n[retry]\nbase_ms = 5\ncap_ms = 50\nmax_attempts = 8\n"
    );
    std::fs::write(data_dir.join("paysync.toml"), text).unwrap_or_else(|e| panic!("write config: {e}"));
}

/// Reads an environment variable as a number, for campaign sizes that CI reduces and a full run raises.
pub fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Starts `paysync daemon` and waits until it reports that it started (its signal handlers are then
/// installed, so SIGTERM means a graceful stop). Its remaining log output is drained in the background.
pub fn start_daemon(data_dir: &Path) -> Child {
    start_daemon_with(data_dir, &[])
}

/// [`start_daemon`] with global options before `daemon` (e.g. `--profile NAME`).
pub fn start_daemon_with(data_dir: &Path, options: &[&str]) -> Child {
    let mut child = paysync(data_dir)
        .env("PAYSYNC_LOG", "info")
        .args(options)
        .arg("daemon")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start paysync daemon: {e}"));
    let stderr = child
        .stderr
        .take()
        .unwrap_or_else(|| panic!("daemon stderr was not captured"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(tx) = tx.take_if(|_| line.contains("Daemon started.")) {
                let _ = tx.send(());
            }
        }
    });
    if rx.recv_timeout(Duration::from_secs(60)).is_err() {
        let _ = child.kill();
        panic!("paysync daemon did not start within 60 s");
    }
    child
}
