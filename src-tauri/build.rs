// The app's commands, one list shared with the app (`src/command_names.rs`).
include!("src/command_names.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/command_names.rs");
    // Every app command gets an allow/deny permission; the window's
    // capability (capabilities/main.json) grants exactly the ones the UI calls.
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build script");
}
