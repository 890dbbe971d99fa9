//! Checks of the window's security configuration: the capability grants exactly the commands
//! the UI calls (no more, no fewer), and the content security policy allows no remote origin.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::command_names::COMMANDS;

/// Core permissions the UI needs: listening to the engine's events.
const CORE_PERMISSIONS: &[&str] = &["core:event:allow-listen", "core:event:allow-unlisten"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The UI's own sources (not the generated bindings, not tests).
fn ui_sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
    {
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_dir() {
            ui_sources(&path, out);
        } else if (name.ends_with(".ts") || name.ends_with(".tsx"))
            && name != "bindings.ts"
            && !name.contains(".test.")
        {
            out.push_str(&read(&path));
        }
    }
}

#[test]
fn the_capability_grants_exactly_the_commands_the_ui_uses() {
    let capability = json(&root().join("capabilities/main.json"));
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap_or_else(|| panic!("permissions must be a list of names"))
        .iter()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    let expected: BTreeSet<String> = COMMANDS
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .chain(CORE_PERMISSIONS.iter().map(|p| (*p).to_owned()))
        .collect();
    assert_eq!(
        granted, expected,
        "capabilities/main.json must grant exactly the UI's commands"
    );

    let bindings = read(&root().join(crate::BINDINGS_PATH));
    assert_eq!(
        bindings.matches("TAURI_INVOKE(\"").count(),
        COMMANDS.len(),
        "the bindings expose a command that build.rs does not declare"
    );
    let mut ui = String::new();
    ui_sources(&root().join("../ui/src"), &mut ui);
    for command in COMMANDS {
        assert!(
            bindings.contains(&format!("TAURI_INVOKE(\"{command}\"")),
            "{command} is not in the generated bindings"
        );
        let accessor = format!("commands.{}(", camel(command));
        assert!(
            ui.contains(&accessor),
            "the UI never calls {accessor}…): drop the command or its permission"
        );
    }
}

#[test]
fn the_content_security_policy_allows_no_remote_origin() {
    let conf = json(&root().join("tauri.conf.json"));
    let csp = conf["app"]["security"]["csp"]
        .as_object()
        .unwrap_or_else(|| panic!("a CSP must be set"));
    assert_eq!(csp.get("default-src").and_then(|v| v.as_str()), Some("'self'"));
    for (directive, value) in csp {
        let value = value.as_str().unwrap_or_default();
        for source in value.split_whitespace() {
            let local =
                source.starts_with('\'') || matches!(source, "ipc:" | "data:" | "http://ipc.localhost");
            assert!(
                local,
                "{directive} allows {source}: only 'self', ipc: and data: are allowed"
            );
        }
        assert!(!value.contains("'unsafe-eval'"), "{directive} allows eval");
    }
    let scripts = csp.get("script-src").and_then(|v| v.as_str()).unwrap_or_default();
    assert!(
        !scripts.contains("unsafe-inline"),
        "inline scripts must stay blocked"
    );
}
