//! Starting the local simulators the way both front ends do: `paysync sandbox`, and the desktop
//! console's first run with nothing connected. Demo data is seeded once per sandbox and its
//! manifest (what was seeded, including the deliberate discrepancies) is written next to the data.

use std::path::{Path, PathBuf};

use paysync_core::SharedClock;
use paysync_sandbox::SandboxError;
use paysync_sandbox::demo::{self, DemoManifest};
use paysync_sandbox::sandbox::{Sandbox, SandboxConfig};

use crate::config::SandboxSection;

/// The demo manifest's file name in the data directory.
pub const MANIFEST_FILE: &str = "sandbox-manifest.json";

/// A running sandbox and, when demo data was seeded by this start, its manifest.
#[derive(Debug)]
pub struct StartedSandbox {
    /// The simulators.
    pub sandbox: Sandbox,
    /// The seeded demo and where its manifest was written; `None` when nothing was seeded.
    pub demo: Option<(PathBuf, DemoManifest)>,
}

/// Why the sandbox did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A simulator failed to start or seed.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// The manifest could not be written.
    #[error("{path}: {source}")]
    Manifest {
        /// The manifest file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Starts the five simulators from `section` and seeds demo data unless `demo` is false or the
/// (persisted) sandbox already holds it. `seed` overrides the configured seed.
pub async fn start(
    section: &SandboxSection,
    data_dir: &Path,
    seed: Option<u64>,
    with_demo: bool,
    clock: SharedClock,
) -> Result<StartedSandbox, StartError> {
    let sandbox = start_simulators(section, data_dir, seed, clock.clone()).await?;
    let demo = if with_demo {
        seed_demo(&sandbox, section, data_dir, seed, &clock)?
    } else {
        None
    };
    Ok(StartedSandbox { sandbox, demo })
}

/// Starts the five simulators from `section`, without demo data; their state persists under
/// `data_dir` when the section says so.
pub async fn start_simulators(
    section: &SandboxSection,
    data_dir: &Path,
    seed: Option<u64>,
    clock: SharedClock,
) -> Result<Sandbox, StartError> {
    let config = SandboxConfig {
        host: section.host,
        ports: section.ports.clone(),
        seed: seed.unwrap_or(section.seed),
        faults: section.faults.clone(),
        state_dir: section.persist.then(|| data_dir.join("sandbox")),
    };
    Ok(Sandbox::start(&config, clock).await?)
}

/// Seeds demo data into a running sandbox unless it already holds it, and writes the manifest
/// into `data_dir`. This is CPU work for about a second, so async callers run it on a blocking
/// thread.
pub fn seed_demo(
    sandbox: &Sandbox,
    section: &SandboxSection,
    data_dir: &Path,
    seed: Option<u64>,
    clock: &SharedClock,
) -> Result<Option<(PathBuf, DemoManifest)>, StartError> {
    if demo::already_seeded(sandbox) {
        return Ok(None);
    }
    let demo_config = demo::DemoConfig {
        seed: seed.unwrap_or(section.seed),
        ..section.demo.clone()
    };
    let manifest = demo::seed(sandbox, &demo_config, clock.now())?;
    let path = data_dir.join(MANIFEST_FILE);
    let io = |source| StartError::Manifest {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| io(std::io::Error::other(e)))?;
    std::fs::write(&path, bytes).map_err(io)?;
    Ok(Some((path, manifest)))
}
