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
        "securpharm",
        "site",
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

/// Every `.rs` file under `dir` (recursively), with its text.
fn sources(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((p.clone(), std::fs::read_to_string(&p).unwrap_or_default()));
            }
        }
    }
    out
}

/// The engine is the one door to pack state: no code of the desk, the CLI
/// or the shell writes the ledger, the outbox, the alert cases or the
/// counter's journal itself, or reaches the engine's store. (Read from the
/// code, as the dependency rules are read from the manifests.) The one
/// write allowed: the desk's settings database keeps its own journal of
/// settings, people and access (`config).journal_append`), which is not
/// pack state.
#[test]
fn no_crate_but_the_engine_writes_pack_state() {
    let writes = [
        ".record_offline(",
        ".record_for_replay(",
        ".begin_change(",
        ".settle_change(",
        ".rekey_change(",
        ".claim_due(",
        ".renew_claims(",
        ".to_exception(",
        ".mark_sent(",
        ".make_due(",
        ".retry_later(",
        ".note_product(",
        ".note_batch(",
        ".open_case(",
        ".journal_append(",
        ".journal_append_many(",
        ".store_for_tests(",
        ".store()",
    ];
    let root = countercheck_scenarios::workspace_root();
    let mut seen = 0;
    for dir in [
        "crates/desk/src",
        "crates/cli/src",
        "src-tauri/src",
        "crates/site/src",
    ] {
        for (path, text) in sources(&root.join(dir)) {
            // The site's PostgreSQL ledger is a store (the engine's
            // `store::Ledger`): its statements are the store's own.
            if path.ends_with("site/src/pg.rs") {
                continue;
            }
            seen += 1;
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for w in writes {
                    if code.contains(w) && !code.contains("config).journal_append(") {
                        panic!(
                            "{}:{}: `{w}` outside the engine: {}",
                            path.display(),
                            n + 1,
                            line.trim()
                        );
                    }
                }
            }
        }
    }
    assert!(seen > 10, "the sources were read ({seen} files)");
}
