//! Connecting the simulators as an admin would, for scenarios that need connected accounts: a
//! profile named after this process that points at a running sandbox, the Stripe key given on
//! standard input, and Salesforce through OAuth with a scripted browser clicking Allow. Secrets go
//! to the real OS keychain (`scripts/test.sh` runs the suite in a private D-Bus session with an
//! unlocked gnome-keyring and `PAYSYNC_REQUIRE_KEYCHAIN=1`).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Output, Stdio};

use paysync_sandbox::sandbox::Sandbox;
use paysync_tests::paysync;

/// Whether a Secret Service answers; without one the test reports and returns, unless required.
pub fn keychain_available() -> bool {
    let probe = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "paysync-probe"])
        .output();
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    let ok = bus && probe.is_ok();
    assert!(
        ok || std::env::var_os("PAYSYNC_REQUIRE_KEYCHAIN").is_none(),
        "PAYSYNC_REQUIRE_KEYCHAIN is set but there is no Secret Service"
    );
    if !ok {
        eprintln!("skipped: no Secret Service on a session bus");
    }
    ok
}

/// The stdout of a command that must have succeeded.
pub fn ok(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Adds a sandbox-kind profile with the simulators' URLs to the configuration in `dir`; returns
/// its name.
pub fn add_sandbox_profile(dir: &Path, sandbox: &Sandbox) -> String {
    let name = format!("cli-test-{}", std::process::id());
    let mut profile = format!(
        "\n[profiles.{name}]\nkind = \"sandbox\"\nsalesforce_client_id = \"{client}\"\n[profiles.{name}.urls]\n",
        client = paysync_sandbox::salesforce::SANDBOX_CLIENT_ID
    );
    for (provider, url) in sandbox.urls.named() {
        profile.push_str(&format!("{provider} = \"{url}\"\n"));
    }
    let config = dir.join("paysync.toml");
    let text = std::fs::read_to_string(&config).unwrap_or_default() + &profile;
    std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
    name
}

/// `--profile NAME` followed by `args`.
pub fn with_profile(profile: &str, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--profile".to_owned(), profile.to_owned()];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    all
}

/// Runs `paysync ARGS` with `input` on its standard input.
pub fn with_stdin(dir: &Path, args: &[String], input: &str) -> Output {
    let mut child = paysync(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    child
        .stdin
        .take()
        .map(|mut s| s.write_all(input.as_bytes()))
        .transpose()
        .unwrap_or_else(|e| panic!("{e}"));
    child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
}

/// Connects Stripe with the sandbox's test key, given on standard input.
pub fn connect_stripe(dir: &Path, profile: &str) {
    let out = with_stdin(
        dir,
        &with_profile(profile, &["connect", "stripe"]),
        &format!("{}\n", paysync_sandbox::stripe::DEFAULT_TEST_KEY),
    );
    assert!(ok(&out, "connect stripe").contains("Connected stripe"));
}

/// Connects the sandbox's Payoneer program with its default API client.
pub fn connect_payoneer(dir: &Path, profile: &str) {
    use paysync_sandbox::payoneer::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PROGRAM_ID};
    let out = with_stdin(
        dir,
        &with_profile(
            profile,
            &[
                "connect",
                "payoneer",
                "--program-id",
                DEFAULT_PROGRAM_ID,
                "--client-id",
                DEFAULT_CLIENT_ID,
            ],
        ),
        &format!("{DEFAULT_CLIENT_SECRET}\n"),
    );
    assert!(ok(&out, "connect payoneer").contains("Connected payoneer"));
}

/// Connects Salesforce: the CLI prints the sign-in URL; a scripted browser clicks Allow.
pub async fn connect_salesforce(dir: &Path, profile: &str) {
    let mut child = paysync(dir)
        .args(with_profile(profile, &["connect", "salesforce", "--no-browser"]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
    let url = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.trim().starts_with("http").then(|| l.trim().to_owned()))
        .unwrap_or_else(|| panic!("no sign-in URL printed"));
    let landed = paysync_sandbox::salesforce::browser::answer_consent(&url, true)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(landed.status, 200, "{}", landed.body);
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(ok(&out, "connect salesforce").contains("Connected salesforce"));
}
