//! The Tauri shell. Commands are a few lines each and call the GUI-free
//! crates; this crate holds no rules of its own.

use tauri::Runtime;

/// Today's date (UTC) from the system clock; the pack-code crate never reads it.
fn today() -> packcode::Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    packcode::Date {
        year: 1970,
        month: 1,
        day: 1,
    }
    .add_days((secs / 86_400) as i64)
}

/// Parses one scan; the UI shows the returned view.
#[tauri::command]
fn parse_scan(text: String) -> serde_json::Value {
    let scan = packcode::parse(&text, today());
    serde_json::to_value(scan.view()).unwrap_or(serde_json::Value::Null)
}

/// The app with its commands, for any runtime (the mock runtime in tests).
pub fn build<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![parse_scan])
}

/// Starts the desktop app.
pub fn run() -> tauri::Result<()> {
    build(tauri::Builder::default()).run(tauri::generate_context!())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_scan_returns_the_view() {
        let v = parse_scan("]d2010415003752864317270131101234\u{1d}21SER1".into());
        assert_eq!(v["ok"], true);
        assert_eq!(v["serial"], "SER1");
        let v = parse_scan("03752864".into());
        assert_eq!(v["ok"], false);
        assert_eq!(v["diagnosis"][0]["code"], "wrong_barcode");
    }
}
