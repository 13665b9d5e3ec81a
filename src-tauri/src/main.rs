// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // WebKitGTK's accelerated compositing costs about 90 MB in the web
    // process (measured under Xvfb: 324 → 235 MB for the app and its WebKit
    // processes) and buys nothing for a page of text and boxes; it is also
    // the usual cause of blank windows on Linux drivers. Off unless the
    // person running the app set it. Done first, while only this thread runs.
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    if let Err(e) = countercheck_app::run() {
        eprintln!("countercheck-app: {e}");
        std::process::exit(1);
    }
}
