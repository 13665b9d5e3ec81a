//! The exports folder opened from the app: the platform's file manager is
//! started on the folder. Here a stand-in `xdg-open` first on `PATH`
//! records what it was given (the environment is the process's own: this
//! test has a file, so a test binary, of its own).
#![cfg(all(unix, not(target_os = "macos")))]

use desk::Desk;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exports_folder_opens_in_the_file_manager() {
    let dir = std::env::temp_dir().join(format!("countercheck-open-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let seen = dir.join("seen");
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", seen.display()),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("mode");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Set before the desk starts its threads (this binary's only test).
    std::env::set_var("PATH", path);

    let desk = Desk::training(&dir.join("desk")).await.expect("desk");
    let opened = desk.exports_open().expect("opened");
    assert!(opened.is_dir(), "the folder exists: {}", opened.display());
    assert!(opened.ends_with("exports"), "{}", opened.display());
    let until = Instant::now() + Duration::from_secs(10);
    while !seen.exists() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
    }
    let given = std::fs::read_to_string(&seen).expect("the file manager was started");
    assert_eq!(std::path::Path::new(&given), opened);

    // No file manager at all: a clear error that names the program.
    std::env::set_var("PATH", bin.join("none"));
    let e = desk.exports_open().expect_err("nothing to open it with");
    assert!(e.to_string().contains("xdg-open"), "{e}");
    drop(desk);
    let _ = std::fs::remove_dir_all(&dir);
}
