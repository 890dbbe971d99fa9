//! Starting the app under tauri-driver and waiting on what the UI renders.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// How long anything in the UI may take to appear.
pub const UI_TIMEOUT: Duration = Duration::from_secs(30);

/// The built console binary (override with `PAYSYNC_CONSOLE_BIN`).
pub fn console_bin() -> PathBuf {
    paysync_tests::built_bin(
        "paysync-console",
        "PAYSYNC_CONSOLE_BIN",
        "build the UI and the app first (scripts/test.sh does: npm --prefix ui run build, then cargo build --workspace --bins)",
    )
}

fn tauri_driver() -> PathBuf {
    let home_bin = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/tauri-driver"));
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("tauri-driver"))
        .chain(home_bin)
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("tauri-driver is not installed: run scripts/setup.sh"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

/// A running app: the WebDriver session, its driver process and its data directory.
pub struct App {
    /// The WebDriver session.
    pub client: Client,
    /// The app's data directory.
    pub data_dir: tempfile::TempDir,
    /// From asking for a session to the Overview showing data.
    pub cold_start: Duration,
    _driver: DriverProcess,
}

impl App {
    /// Launches the console on a fresh data directory and waits for the Overview to show data.
    pub async fn launch() -> Self {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no X display: run the end-to-end tests under xvfb-run (scripts/test.sh does)"
        );
        let data_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (port, native_port) = (free_port(), free_port());
        let mut cmd = Command::new(tauri_driver());
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("PAYSYNC_DATA_DIR", data_dir.path())
        .env("PAYSYNC_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .process_group(0);
        for (key, _) in std::env::vars_os() {
            let k = key.to_string_lossy();
            if k.starts_with("PAYSYNC_") && k != "PAYSYNC_DATA_DIR" && k != "PAYSYNC_LOG" {
                cmd.env_remove(&key);
            }
        }
        // Guarded from the start: a failed session request below must not leak the driver.
        let driver = DriverProcess(
            cmd.spawn()
                .unwrap_or_else(|e| panic!("could not start tauri-driver: {e}")),
        );
        let url = format!("http://127.0.0.1:{port}");
        // tauri-driver listens before the WebKitWebDriver it spawns does; a session request
        // sent in between fails inside tauri-driver (SendRequest), so wait for both.
        wait_for_port(port).await;
        wait_for_port(native_port).await;

        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": console_bin() }),
        );
        let started = Instant::now();
        let client = new_session(&url, caps).await;
        let mut app = Self {
            client,
            data_dir,
            cold_start: Duration::ZERO,
            _driver: driver,
        };
        app.wait_css("[data-testid=screen-overview][data-ready=true]")
            .await;
        app.cold_start = started.elapsed();
        app
    }

    /// Waits until an element matching `css` exists and returns it.
    pub async fn wait_css(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear within {UI_TIMEOUT:?}: {e}"))
    }

    /// Waits until the element matching `css` has text containing `needle`; returns the text.
    /// Reads `textContent` through script: WebKitWebDriver's element text is empty for some
    /// styled elements.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let script = "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;";
        let deadline = Instant::now() + UI_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(value) = self.client.execute(script, vec![css.into()]).await {
                last = value.as_str().unwrap_or_default().to_owned();
                if last.contains(needle) {
                    return last;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let shot = self.screenshot(&format!("failed-{}", sanitize(css))).await;
        panic!(
            "{css} never contained {needle:?}; last text: {last:?}; screenshot {}",
            shot.display()
        )
    }

    /// Clicks the element matching `css`. A click that lands while something briefly covers the
    /// element (a closing modal's overlay, a toast sliding in) is tried again for a few seconds.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let result = self.wait_css(css).await.click().await;
            match result {
                Ok(()) => return,
                Err(e) if Instant::now() >= deadline => panic!("click {css}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(150)).await,
            }
        }
    }

    /// Clicks the element matching `css` through script, once it exists: for controls inside a
    /// drawer or modal that may still be sliding in, where a click at the element's position can
    /// miss it.
    pub async fn click_js(&self, css: &str) {
        self.wait_css(css).await;
        self.client
            .execute("document.querySelector(arguments[0]).click();", vec![css.into()])
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Saves a screenshot of the window as `<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = std::env::var_os("PAYSYNC_SCREENSHOT_DIR").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/screenshots"),
            PathBuf::from,
        );
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot: {e}"));
        assert!(
            png.len() > 10_000,
            "the {name} screenshot is suspiciously small ({} bytes)",
            png.len()
        );
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    }

    /// Ends the session (which closes the app); dropping the app then stops the driver.
    pub async fn quit(self) {
        let _ = self.client.clone().close().await;
    }
}

/// The tauri-driver process, stopped when dropped: also when a test fails half-way (even before
/// its WebDriver session exists), so no driver outlives its test.
struct DriverProcess(Child);

impl Drop for DriverProcess {
    fn drop(&mut self) {
        // The driver leads its own process group (see `launch`): stopping the group also stops
        // the WebKitWebDriver it started, which would otherwise be orphaned.
        if let Ok(pid) = i32::try_from(self.0.id()) {
            let _ =
                nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sanitize(css: &str) -> String {
    css.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Asks for a session, again a few times if the native driver is listening but not yet answering.
async fn new_session(url: &str, caps: serde_json::Map<String, serde_json::Value>) -> Client {
    let mut attempt = 1;
    loop {
        match ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(url)
            .await
        {
            Ok(client) => return client,
            Err(e) if attempt < 5 && e.to_string().contains("did not respond") => {
                eprintln!("WebDriver session, attempt {attempt}: {e}; asking again");
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("WebDriver session: {e}"),
        }
    }
}

async fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no driver listened on {port} (tauri-driver, or the WebKitWebDriver it starts)");
}
