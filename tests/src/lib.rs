//! Helpers for the workspace-level scenarios in `tests/tests/`.

use std::path::PathBuf;
use std::process::Command;

/// The workspace root (the folder holding the virtual manifest).
pub fn workspace_root() -> PathBuf {
    // At run time (cargo sets it for tests): a binary built in another
    // checkout sharing the target folder must read this one, not that.
    let here = PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned()),
    );
    here.parent().map(PathBuf::from).unwrap_or(here)
}

/// `cargo metadata` of the workspace, as JSON.
pub fn cargo_metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(workspace_root())
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o.stdout,
        Ok(o) => panic!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("cargo metadata could not run: {e}"),
    };
    serde_json::from_slice(&out).unwrap_or(serde_json::Value::Null)
}
