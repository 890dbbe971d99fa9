//! `paysync sandbox` as a user runs it: it prints the five base URLs as one JSON line, serves demo
//! data, and the README's curl session (scripts/sandbox-tour.sh) works against it.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use paysync_tests::{paysync, write_fast_config};

#[test]
fn sandbox_prints_its_urls_and_the_readme_tour_works() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("data");
    write_fast_config(&dir, 1);
    let mut child = paysync(&dir)
        .args(["--json", "sandbox"])
        // Smaller demo volumes keep the test quick; the defaults are exercised in demo_data.rs.
        .env("PAYSYNC_SANDBOX__DEMO__CUSTOMERS", "40")
        .env("PAYSYNC_SANDBOX__DEMO__PAYMENTS", "300")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn paysync sandbox: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .unwrap_or_else(|e| panic!("read: {e}"));
    let urls: serde_json::Value =
        serde_json::from_str(&first).unwrap_or_else(|e| panic!("first line {first:?}: {e}"));
    for name in ["salesforce", "stripe", "checkout", "payoneer", "maldopay"] {
        let url = urls[name].as_str().unwrap_or_default();
        assert!(url.starts_with("http://127.0.0.1:"), "{name}: {url}");
    }
    let manifest = std::fs::read_to_string(dir.join("sandbox-manifest.json")).unwrap_or_default();
    assert!(
        manifest.contains("missing_in_salesforce"),
        "the demo manifest is written"
    );

    let line_file = tmp.path().join("sandbox.out");
    std::fs::write(&line_file, &first).unwrap_or_else(|e| panic!("{e}"));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/sandbox-tour.sh");
    let tour = std::process::Command::new("bash")
        .arg(script)
        .arg(&line_file)
        .output()
        .unwrap_or_else(|e| panic!("run the tour: {e}"));
    let out = String::from_utf8_lossy(&tour.stdout);
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
    kill(pid, Signal::SIGTERM).unwrap_or_else(|e| panic!("SIGTERM: {e}"));
    let status = child.wait().unwrap_or_else(|e| panic!("wait: {e}"));
    assert!(
        tour.status.success(),
        "tour failed:\n{out}\n{}",
        String::from_utf8_lossy(&tour.stderr)
    );
    for expected in [
        "sforce-limit-info",
        "idempotent-replayed: true",
        "Authorized",
        "2306",
        "transactionId",
        "Tour complete.",
    ] {
        assert!(
            out.to_lowercase().contains(&expected.to_lowercase()),
            "tour output lacks {expected:?}:\n{out}"
        );
    }
    assert!(status.success(), "sandbox stops cleanly on SIGTERM: {status:?}");
}
