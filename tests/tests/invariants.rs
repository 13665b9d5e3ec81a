//! The architecture's dependency rules, read from `cargo metadata`
//! (ARCHITECTURE.md, "Invariants").

use countercheck_scenarios::cargo_metadata;
use std::collections::{BTreeMap, BTreeSet};

/// Workspace package name -> names of its normal (non-dev) dependencies.
fn deps() -> BTreeMap<String, BTreeSet<String>> {
    let meta = cargo_metadata();
    let members: BTreeSet<String> = meta["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let mut out = BTreeMap::new();
    for p in meta["packages"].as_array().into_iter().flatten() {
        let id = p["id"].as_str().unwrap_or_default();
        if !members.contains(id) {
            continue;
        }
        let names = p["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["kind"].is_null() || d["kind"] == "build")
            .filter_map(|d| d["name"].as_str().map(str::to_owned))
            .collect();
        out.insert(p["name"].as_str().unwrap_or_default().to_owned(), names);
    }
    out
}

#[test]
fn the_workspace_has_the_expected_members() {
    let d = deps();
    for name in [
        "packcode",
        "countercheck-cli",
        "countercheck-app",
        "countercheck-scenarios",
    ] {
        assert!(d.contains_key(name), "{name} missing from {:?}", d.keys());
    }
}

#[test]
fn only_the_shell_depends_on_tauri() {
    for (name, ds) in deps() {
        if name != "countercheck-app" {
            assert!(
                !ds.iter().any(|d| d.starts_with("tauri")),
                "{name} depends on tauri: {ds:?}"
            );
        }
    }
}

#[test]
fn packcode_does_no_io_and_has_no_runtime_dependencies_but_serde() {
    let d = deps();
    let pc = d.get("packcode").cloned().unwrap_or_default();
    assert_eq!(
        pc,
        BTreeSet::from(["serde".to_owned()]),
        "packcode deps: {pc:?}"
    );
    // No clock, no file system, no network in its source.
    let src = countercheck_scenarios::workspace_root().join("crates/packcode/src");
    for entry in std::fs::read_dir(&src).expect("src dir").flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for banned in [
            "SystemTime",
            "Instant::now",
            "std::fs",
            "std::net",
            "std::io",
            "std::env",
            "std::process",
        ] {
            assert!(
                !text.contains(banned),
                "{} uses {banned}",
                entry.path().display()
            );
        }
    }
}
