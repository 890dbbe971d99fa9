//! End-to-end tests of the real desktop console: the built `paysync-console` binary driven
//! through WebDriver (tauri-driver + WebKitWebDriver) under an X server (`xvfb-run`). Each test
//! gets its own data directory, so the app starts in the sandbox profile with demo data.
//!
//! Screenshots of every screen land in `artifacts/screenshots/` (override with
//! `PAYSYNC_SCREENSHOT_DIR`).

mod driver;
mod tour;
