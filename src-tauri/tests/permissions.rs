//! The window is granted exactly the app's commands and the two event
//! permissions it uses, and build.rs declares the permissions from the
//! same command list the app registers: the lists cannot drift apart.

use std::collections::BTreeSet;

#[test]
fn capability_build_script_and_handler_agree() {
    // At run time: a binary built in another checkout (a shared target
    // folder) must read this one.
    let dir = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    let cap: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/capabilities/main.json")).expect("capability"),
    )
    .expect("json");
    let granted: BTreeSet<String> = cap["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    let mut want: BTreeSet<String> = countercheck_app::COMMANDS
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    want.insert("core:event:allow-listen".into());
    want.insert("core:event:allow-unlisten".into());
    assert_eq!(
        granted, want,
        "capabilities/main.json grants exactly the commands and event listening"
    );
    let build = std::fs::read_to_string(format!("{dir}/build.rs")).expect("build.rs");
    assert!(
        build.contains("include!(\"src/command_names.rs\")")
            && build.contains(".commands(COMMANDS)"),
        "build.rs declares its permissions from the app's own command list"
    );
}
