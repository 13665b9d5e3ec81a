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
        "domain",
        "nmvs",
        "simulator",
        "store",
        "engine",
        "scanin",
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

/// No clock, no file system, no network, no environment in a crate's source.
fn assert_pure(crate_dir: &str) {
    let src = countercheck_scenarios::workspace_root()
        .join(crate_dir)
        .join("src");
    let entries: Vec<_> = std::fs::read_dir(&src)
        .expect("src dir")
        .flatten()
        .collect();
    assert!(!entries.is_empty(), "{crate_dir} has no sources");
    for entry in entries {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for banned in [
            "SystemTime",
            "Instant::now",
            "std::fs",
            "std::net",
            "std::io",
            "std::env",
            "std::process",
            "std::thread",
        ] {
            assert!(
                !text.contains(banned),
                "{} uses {banned}",
                entry.path().display()
            );
        }
    }
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn packcode_does_no_io_and_depends_on_serde_only() {
    let d = deps();
    assert_eq!(
        d.get("packcode").cloned().unwrap_or_default(),
        set(&["serde"])
    );
    assert_pure("crates/packcode");
}

#[test]
fn domain_does_no_io_and_depends_on_packcode_only() {
    let d = deps();
    assert_eq!(
        d.get("domain").cloned().unwrap_or_default(),
        set(&["packcode", "serde"])
    );
    assert_pure("crates/domain");
}

#[test]
fn the_simulator_and_the_adapter_meet_only_on_the_wire() {
    let d = deps();
    let sim = d.get("simulator").cloned().unwrap_or_default();
    let adapter = d.get("nmvs").cloned().unwrap_or_default();
    assert!(
        !sim.is_empty() && !adapter.is_empty(),
        "both crates are members"
    );
    assert!(
        !sim.contains("nmvs"),
        "simulator depends on the adapter: {sim:?}"
    );
    assert!(
        !adapter.contains("simulator"),
        "adapter depends on the simulator: {adapter:?}"
    );
    // What they share is the domain (and the pack-code types), nothing else of ours.
    let ours = set(&["packcode", "domain", "nmvs", "simulator"]);
    let shared: BTreeSet<_> = sim
        .intersection(&adapter)
        .filter(|n| ours.contains(*n))
        .cloned()
        .collect();
    assert_eq!(shared, set(&["domain", "packcode"]));
}

#[test]
fn the_store_knows_nothing_of_the_network_and_the_engine_nothing_of_the_ui() {
    let d = deps();
    let store = d.get("store").cloned().unwrap_or_default();
    for banned in ["nmvs", "simulator", "reqwest", "tokio", "engine"] {
        assert!(
            !store.contains(banned),
            "store depends on {banned}: {store:?}"
        );
    }
    let engine = d.get("engine").cloned().unwrap_or_default();
    assert!(
        engine.contains("store") && engine.contains("nmvs") && engine.contains("domain"),
        "{engine:?}"
    );
    assert!(
        !engine.contains("simulator"),
        "the engine must not depend on the simulator: {engine:?}"
    );
}
