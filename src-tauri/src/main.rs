// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // WebKitGTK's accelerated compositing costs about 90 MB in the web
    // process (measured under Xvfb: 324 → 235 MB for the app and its WebKit
    // processes) and buys nothing for a page of text and boxes; it is also
    // the usual cause of blank windows on Linux drivers. Off unless the
    // person running the app set it. Done first, while only this thread runs.
    //
    // Three more, each measured idle under Xvfb with the app and its two
    // WebKit processes (benches/README.md): the DMA-BUF renderer off (−5 MB;
    // nothing to show for it with compositing off), JavaScriptCore's JIT off
    // (−9 MB idle, −20 MB after use; the page's script is small and
    // scan-to-verdict measured no slower), GDK's OpenGL off (−1 MB).
    for (var, value) in [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
        ("JSC_useJIT", "0"),
        ("GDK_GL", "disable"),
    ] {
        if std::env::var_os(var).is_none() {
            std::env::set_var(var, value);
        }
    }
    if let Err(e) = countercheck_app::run() {
        desk::log(&format!("countercheck-app could not start: {e}"));
        std::process::exit(1);
    }
}
